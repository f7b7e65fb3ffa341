"""A list cut at the result limit says so: the results line counts what the search found in all,
and the tags panel, with every listed sound selected, that an edit covers only those (review 7,
finding 1: "500 results for “whoosh”" of 3,221, and "500 sounds: edits apply to all" of 1,215)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app import main_window
from app.main_window import results_line
from engine.search.searcher import SearchResults
from tests.app.conftest import ENGINE_TIMEOUT_MS, Hit, index_folder, write_library
from tests.factories import noise, write_audio

QUERY = "door OR dog OR rain"  # the words find three of the four sounds


def test_a_search_cut_at_the_limit_counts_what_it_found_and_the_tags_panel_says_whom_edits_reach(
    qtbot, window, library, monkeypatch
):
    monkeypatch.setattr(main_window, "RESULT_LIMIT", 2)
    window.run_query(QUERY)
    qtbot.waitUntil(lambda: "“door OR dog OR rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.result_label.text().startswith("the first 2 of 3 results for “door OR dog OR rain” · ")

    QTest.keyClick(window.results, Qt.Key_A, Qt.ControlModifier)  # every listed sound, not every one found
    assert len(window.results.selected_hits()) == 2
    assert window.tags.subject.text() == "2 of the 3 sounds found: edits apply to these 2 only"
    assert "Suggest tags for this folder" in window.tags.subject.toolTip()
    assert window.tags.tags.placeholderText() == "Tags to add to these 2"

    window.results.selectRow(0)  # one sound is named, as ever, and the hint goes
    [one] = window.results.selected_hits()
    assert window.tags.subject.text() == Path(one.path).name
    assert "Suggest tags" not in window.tags.subject.toolTip()


def test_a_search_that_lists_all_it_found_counts_them_and_edits_apply_to_all(qtbot, window, library, monkeypatch):
    monkeypatch.setattr(main_window, "RESULT_LIMIT", 3)
    window.run_query(QUERY)
    qtbot.waitUntil(lambda: "“door OR dog OR rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.result_label.text().startswith("3 results for “door OR dog OR rain” · ")
    QTest.keyClick(window.results, Qt.Key_A, Qt.ControlModifier)
    assert window.tags.subject.text() == "3 sounds: edits apply to all"


def test_a_folder_browsed_past_the_limit_counts_the_folders_sounds():
    """ "the first 500 sounds in Doors" left the folder's size unsaid: the engine counts it now."""
    listed = SearchResults([Hit(f"/lib/Doors/{k}.wav", 0.0) for k in range(main_window.RESULT_LIMIT)], total=1_215)
    assert results_line("", listed, "in Doors") == "the first 500 of 1,215 sounds in Doors (type to search)"


def test_copies_folded_into_a_row_are_not_counted_as_results_left_out(qtbot, window, tmp_path, monkeypatch):
    """ "the first 8 of 14 results", all 8 listed and the other 6 copies shown as "+1 copy" badges
    (review 8, M1). The list fills to the limit with sounds the words did not find, as ever."""
    library = tmp_path / "Sound Effects"
    creak = write_library(library)["door_creak_wooden.wav"]
    for copy in ("Backup", "Old"):  # the same bytes in two more folders
        (library / copy).mkdir()
        shutil.copyfile(creak, library / copy / creak.name)
    write_audio(library / "door_slam.wav", noise(0.5, seed=7))
    write_audio(library / "door_knock.wav", noise(0.4, seed=8))
    index_folder(qtbot, window, library)
    monkeypatch.setattr(main_window, "RESULT_LIMIT", 6)  # the 6 sounds of 8 files: the list is full
    window.run_query("door")
    qtbot.waitUntil(lambda: "“door”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.model.rowCount() == 6
    assert window.result_label.text().startswith("3 results for “door”, then 3 ranked by ")


def test_the_words_rows_are_set_against_the_words_count_not_the_lists_length():
    """A search's list is its words' matches, then sounds ranked by how they sound up to the limit:
    only the words' rows say whether the words' matches were cut, whatever the list's length."""
    worded = [Hit(f"/lib/whoosh_{k}.wav", 90.0, text_rank=k + 1) for k in range(480)]
    heard = [Hit(f"/lib/air_{k}.wav", 10.0, vector_rank=k + 1) for k in range(20)]
    assert results_line("whoosh", SearchResults(worded + heard, total=3_221)) == (
        "the first 480 of 3,221 results for “whoosh”, then 20 ranked by how they sound"
    )
    assert results_line("whoosh", SearchResults(worded[:8] + heard, total=8)) == (
        "8 results for “whoosh”, then 20 ranked by how they sound"
    )
    # a list short of the limit may be cut too: many matches folded as copies left fewer rows
    assert results_line("whoosh", SearchResults(worded[:400], total=1_200)) == (
        "the first 400 of 1,200 results for “whoosh”"
    )
