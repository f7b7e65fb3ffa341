"""Counts said in words, as the app's status texts and the CLI say them."""

from engine.plural import counted


def test_one_is_singular_and_every_other_count_plural_with_thousands_grouped():
    assert counted(1, "file") == "1 file"
    assert counted(0, "sound") == "0 sounds"
    assert counted(2048, "file") == "2,048 files"
    assert counted(1, "copy", "copies") == "1 copy" and counted(3, "copy", "copies") == "3 copies"
