"""A list cut at the result limit says so: the results line counts what the search found in all,
and the tags panel, with every listed sound selected, that an edit covers only those (review 7,
finding 1: "500 results for “whoosh”" of 3,221, and "500 sounds: edits apply to all" of 1,215)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app import main_window
from app.main_window import results_line
from engine.search.searcher import SearchResults
from tests.app.conftest import ENGINE_TIMEOUT_MS, Hit

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
