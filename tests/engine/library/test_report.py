"""The one-line summary of an indexing run that the CLI and the app's status bar both print."""

from __future__ import annotations

from engine.library.report import FileError, IndexReport


def test_summary_names_every_count_or_only_what_happened():
    report = IndexReport(added=4, moved=1, errors=[FileError("/a/broken.wav", "not audio")])
    assert report.summary() == "4 added, 0 updated, 1 moved, 0 removed, 1 failed"
    assert report.summary(zeros=False) == "4 added, 1 moved, 1 failed"
    assert IndexReport().summary(zeros=False) == ""
    assert IndexReport(reread=3).summary(zeros=False) == "3 descriptions read again"
    assert IndexReport(added=1, reread=3).summary().endswith("0 failed, 3 descriptions read again")


def test_files_embedded_again_are_said_only_when_there_were_some():
    """After a repair or a model switch, every file kept as it was is embedded again: said, not "0 updated"."""
    again = IndexReport(embedded=1_775, embedded_again=1_775)
    assert again.summary() == "0 added, 0 updated, 0 moved, 0 removed, 0 failed, 1,775 embedded again"
    assert again.summary(zeros=False) == "1,775 embedded again"
    assert "again" not in IndexReport(added=2, embedded=2).summary()


def test_files_indexed_with_a_warning_are_said_only_when_there_were_some_and_the_hint_follows_them():
    """Searchable, so not "failed"; said so the user checks them, the hint of where they are
    listed after the last of the two counts it is said of."""
    cut = FileError("/a/cut.wav", "cut short: 100 bytes (1.1 ms) of the audio its header promises are missing")
    warned = IndexReport(added=3, warnings=[cut], copies=2)
    duplicates = "2 duplicate files (each sound embedded once)"
    assert warned.summary() == f"3 added, 0 updated, 0 moved, 0 removed, 0 failed, 1 with a warning, {duplicates}"
    assert warned.summary(zeros=False, where_listed=" (see X)") == f"3 added, 1 with a warning (see X), {duplicates}"
    both = IndexReport(added=3, errors=[FileError("/a/b.wav", "not audio")], warnings=[cut, cut])
    assert both.summary(zeros=False, where_listed=" (see X)") == "3 added, 1 failed, 2 with a warning (see X)"
    assert IndexReport(added=3).summary(zeros=False, where_listed=" (see X)") == "3 added"
    assert "warning" not in IndexReport(added=3).summary()
