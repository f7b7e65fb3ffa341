"""A damaged index said to a user: which parts cannot be read in words, the storage's own in details."""

from __future__ import annotations

from engine.index.health import IndexDamagedError, TableDamage

RAW = "LanceError(IO): Generic LocalFileSystem error: failed to fill whole buffer"


def test_the_plain_sentence_names_what_is_damaged_and_the_details_keep_what_the_storage_said():
    damage = IndexDamagedError(
        [TableDamage("files", RAW), TableDamage("folders", "3 rows are listed but 2 could be read")]
    )
    assert damage.plain == (
        "The index is damaged: the list of indexed files, with your tags and captions cannot be read; "
        "the list of library folders cannot be read."
    )
    assert damage.details == f"table 'files': {RAW}\ntable 'folders': 3 rows are listed but 2 could be read"
    assert RAW in str(damage)  # the CLI's message keeps it: a terminal is where it is read
