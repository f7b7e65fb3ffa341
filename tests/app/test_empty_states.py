"""What the window says when there is little to show: no folders yet, a search that finds nothing,
a list that is a browse rather than a ranking. The real window on the real engine."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel

from app.engine_client import describe_report
from app.notices import NO_FOLDERS, EmptyLibrary, NoResults, no_results_message, quoted
from app.results_model import COLUMNS, SCORE_COLUMN, SCORE_ROLE
from engine.library.report import IndexReport
from engine.search.filters import SearchFilters
from tests.app.conftest import ENGINE_TIMEOUT_MS, settle, write_library
from tests.app.test_results_model import Hit, shown_results

NAME = next(i for i, c in enumerate(COLUMNS) if c.title == "Name")


def search(qtbot, window, text: str) -> None:
    """Ask ``text`` as typed and committed, and wait for its answer to be shown."""
    answers = []
    window.client.results.connect(lambda query, _hits, _seconds: answers.append(query))
    window.search_field.setText(text)
    window.search_field.returnPressed.emit()
    qtbot.waitUntil(lambda: text.strip() in answers, timeout=ENGINE_TIMEOUT_MS)
    QCoreApplication.processEvents()


# -- a query that only excludes -----------------------------------------------------------------


def test_an_exclusion_only_query_lists_its_files_with_no_match_score(qtbot, window, library):
    """ "-dog" lists every sound but the dog, by path: nothing measured a match, so the Match
    cells are empty (no "0", no sliver of a bar)."""
    search(qtbot, window, "-dog")
    shown = [window.model.index(row, NAME).data() for row in range(window.model.rowCount())]
    assert sorted(shown) == ["door_creak_wooden.wav", "rain_on_glass.flac", "sine_beep.wav"]
    assert [window.model.index(row, SCORE_COLUMN).data() for row in range(3)] == ["", "", ""]
    assert [window.model.index(row, SCORE_COLUMN).data(SCORE_ROLE) for row in range(3)] == [None] * 3
    search(qtbot, window, "dog")  # a search's hits keep their match
    assert window.model.index(0, SCORE_COLUMN).data() not in ("", None)


def test_a_browse_shows_no_match_sort_arrow_and_a_search_does(qtbot, window, library):
    header = window.results.horizontalHeader()
    search(qtbot, window, "")  # the library, by path
    assert header.sortIndicatorSection() == SCORE_COLUMN and not header.isSortIndicatorShown()
    search(qtbot, window, "-dog")
    assert not header.isSortIndicatorShown()
    search(qtbot, window, "door")  # ranked: the best match first, ▼ on Match
    assert header.isSortIndicatorShown() and header.sortIndicatorSection() == SCORE_COLUMN
    search(qtbot, window, "")
    window.results.sortByColumn(NAME, Qt.AscendingOrder)  # a click on Name: that arrow shows
    assert header.isSortIndicatorShown() and header.sortIndicatorSection() == NAME


# -- a search that finds nothing ------------------------------------------------------------------


def test_an_empty_results_list_says_what_found_nothing_and_what_to_try(qtbot):
    model, view = shown_results(qtbot, 900, 300)
    empty = NoResults(view)
    empty.show_for(0, '"swing hammer"')
    assert empty.isVisible() and empty.geometry() == view.viewport().rect()
    assert empty.text() == 'No sounds match "swing hammer" — try fewer words or without the quotes'
    view.resize(700, 260)
    QCoreApplication.processEvents()
    assert empty.geometry() == view.viewport().rect()  # it follows the list's size
    empty.show_for(0, "laser", SearchFilters(format="flac"))
    assert empty.text() == "No sounds match “laser” with these filters — try clearing the filters (Reset)"
    empty.show_for(0, "", SearchFilters(min_duration_s=30.0))
    assert empty.text() == "No sounds pass these filters — try clearing the filters (Reset)"
    model.set_hits([Hit("/lib/a.wav", 80.0)])
    assert not empty.isVisible()  # rows came: it goes


def test_a_query_is_quoted_once():
    assert quoted('"swing hammer"') == '"swing hammer"'  # not “"swing hammer"”
    assert quoted("swing hammer") == "“swing hammer”"
    assert no_results_message("door -metal") == "No sounds match “door -metal” — try without -metal"
    assert no_results_message("", similar_to="/lib/dog.wav", filters=SearchFilters(channels=1)).startswith(
        "No sounds like dog.wav pass these filters"
    )


def test_a_phrase_nothing_holds_says_so_in_the_results_area_and_quotes_it_once(qtbot, window, library):
    search(qtbot, window, '"swing hammer"')
    assert window.model.rowCount() == 0
    assert window.result_label.text().startswith('0 results for "swing hammer" ·')  # not “"swing hammer"”
    empty = window.no_results
    assert empty.isVisible() and empty.parent() is window.results.viewport()
    assert empty.text() == 'No sounds match "swing hammer" — try fewer words or without the quotes'
    window.filter_bar.format.setCurrentIndex(window.filter_bar.format.findData("flac"))
    search(qtbot, window, '"dog bark"')  # the dog is a WAV
    assert window.model.rowCount() == 0 and empty.isVisible()
    assert empty.text() == (
        'No sounds match "dog bark" with these filters — try fewer words, without the quotes or clearing the '
        "filters (Reset)"
    )
    window.filter_bar.clear()
    search(qtbot, window, "dog")
    assert window.model.rowCount() > 0 and not empty.isVisible()


# -- no folders yet ---------------------------------------------------------------------------------


def test_with_no_folders_an_indexing_run_does_not_say_the_library_is_up_to_date(qtbot, window):
    reports = []
    window.client.index_finished.connect(reports.append)
    window.statusBar().clearMessage()
    window.client.index()  # what a rescan, or the start-up run, does
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert reports[0].scanned == 0
    assert "up to date" not in window.statusBar().currentMessage()
    assert window.result_label.text() == NO_FOLDERS
    # a run with sounds still says it, and so does one that found a folder gone
    assert describe_report(IndexReport(scanned=4, unchanged=4, seconds=0.1)) == "Library up to date: no changes · 0.1 s"
    gone = IndexReport(offline_folders=["/Volumes/SFX"])
    assert describe_report(gone).startswith("Library up to date: “SFX” offline")


def test_the_results_line_stops_saying_no_folders_as_soon_as_one_is_added(qtbot, window, tmp_path):
    """Indexing paused keeps the first folder from being indexed for as long as a big one hashes:
    the line must not go on saying there are no folders meanwhile."""
    write_library(tmp_path / "lib")
    window.client.set_paused(True)
    added = []
    window.client.folder_added.connect(added.append)
    window.add_folder(str(tmp_path / "lib"))
    qtbot.waitUntil(lambda: bool(added), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.search_pool)
    assert window.center.currentWidget() is window.center_split
    assert window.result_label.text() != NO_FOLDERS and "No folders" not in window.result_label.text()
    assert window.no_results.isVisible() and window.no_results.text().startswith("No sounds in your folders yet")


def test_the_first_run_page_promises_only_what_is_true_of_the_files(qtbot):
    """Earmark renames files when asked (Rename to UCS name): "only read, never changed" was not true."""
    page = EmptyLibrary()
    qtbot.addWidget(page)
    said = " ".join(label.text() for label in page.findChildren(QLabel))
    assert "only read, never changed unless you ask to rename them." in said
    assert "never changed." not in said
