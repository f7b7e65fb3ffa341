"""The suggestions list has the tags panel's room: in the default window a folder's review shows
more of its lines than six and a half, a taller panel gives the list its height rather than the
caption editor, and no line shows cut in half."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget

from engine.tagging.service import FileSuggestions
from tests.app.conftest import ENGINE_TIMEOUT_MS, settle
from tests.app.test_suggestions_box import settle_layout, suggestion

LINES = 18  # the review's folder of animal sounds: 18 lines, the 7th (ANIMALS-FARM, checked) cut in half


def review_a_folder(qtbot, window) -> None:
    """The window's results all selected (a folder's sounds), with :data:`LINES` suggestion lines."""
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=ENGINE_TIMEOUT_MS)
    window.results.selectAll()
    settle(window.client.work_pool)  # the selection's own (empty) suggestions are in
    window.tags.show_suggestions(
        {
            path: FileSuggestions(path, [suggestion(1, f"K{k:02}", 0.9 - k / 100) for k in range(LINES)], None, 9)
            for path in window.tags.paths
        }
    )
    settle_layout()


def lines_in_view(listed: QListWidget) -> tuple[list[int], list[int]]:
    """The rows shown whole, and those shown in part, as the list paints them (laid out first)."""
    listed.doItemsLayout()
    view = listed.viewport().rect()
    rects = [listed.visualItemRect(listed.item(row)) for row in range(listed.count())]
    whole = [row for row, rect in enumerate(rects) if view.contains(rect)]
    return whole, [row for row, rect in enumerate(rects) if rect.intersects(view) and row not in whole]


def test_in_the_default_window_a_folders_review_shows_its_first_lines_whole(qtbot, window, library):
    review_a_folder(qtbot, window)
    listed = window.tags.suggestions.list
    assert listed.count() == LINES
    whole, cut = lines_in_view(listed)
    assert whole[:8] == list(range(8)) and not cut  # the review saw six, and half the seventh


def test_a_taller_panel_gives_the_list_the_room_and_never_half_a_line(qtbot, window, library):
    review_a_folder(qtbot, window)
    listed, caption = window.tags.suggestions.list, window.tags.caption
    shown, caption_height = len(lines_in_view(listed)[0]), caption.height()
    window.center_split.setSizes([250, 500])  # the user drags the results' lower edge up
    settle_layout()
    assert window.center_split.sizes()[1] >= 480
    assert len(lines_in_view(listed)[0]) == LINES > shown and caption.height() == caption_height
    for results_height in range(240, 380, 7):  # any height: the lines in view are whole ones
        window.center_split.setSizes([results_height, 750 - results_height])
        settle_layout()
        whole, cut = lines_in_view(listed)
        assert len(whole) >= 8 and not cut, results_height
