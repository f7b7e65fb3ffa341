"""Counts and confidences said in words, as the app's status texts and the CLI say them."""

from engine.index.suggestions import EXACT, TAG, Suggestion
from engine.plural import counted, in_seconds, length_said, moment_said, percent


def test_one_is_singular_and_every_other_count_plural_with_thousands_grouped():
    assert counted(1, "file") == "1 file"
    assert counted(0, "sound") == "0 sounds"
    assert counted(2048, "file") == "2,048 files"
    assert counted(1, "copy", "copies") == "1 copy" and counted(3, "copy", "copies") == "3 copies"


def test_a_suggestion_reads_certain_only_when_its_name_holds_the_catid():
    assert percent(0.42) == "42%" and percent(0.004) == "0%"
    assert percent(0.998) == "99%" and percent(1.0) == "99%"  # a calibrated guess is never a fact
    assert percent(1.0, certain=True) == "100%"
    sure = dict(file_id=1, kind=TAG, value="ROBOTS-VOCAL", confidence=0.999)
    assert Suggestion(**sure, evidence="sound").said == "99%"
    assert Suggestion(**sure, evidence=EXACT).said == "100%"


def test_a_length_is_never_rounded_to_nothing():
    """Review 13: a file 1.3 ms short read "promises 2.74 s, only 2.74 s are present", and a 40 ms
    click "(0.0s) @0.0-0.0s"."""
    assert [length_said(s) for s in (2.7412, 0.25, 0.0013, 0.00001)] == ["2.74 s", "250 ms", "1.3 ms", "under 0.1 ms"]
    assert [in_seconds(s) for s in (12.34, 0.42, 0.042)] == ["12.3", "0.42", "0.042"]
    assert moment_said(0.0, 0.04) == "0.000-0.040" and moment_said(0.5, 1.5) == "0.5-1.5"
