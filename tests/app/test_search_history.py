"""Recent searches, on the real window: the searches committed are offered latest first, once each,
run again when chosen, and kept for the next start; Down from a typed query still goes to its results."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.search_bar import RECENT_LIMIT, with_recent
from tests.app.conftest import ENGINE_TIMEOUT_MS, open_window
from tests.app.test_main_window import names, press_similar, type_query


def commit(qtbot, window, text: str) -> None:
    """Type ``text`` and press Enter, then wait for its results."""
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key_Return)
    qtbot.waitUntil(lambda: f"for “{text}”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def open_recent(qtbot, window) -> list[str]:
    """Alt+Down in the emptied search field; returns what the drop-down lists."""
    field = window.search_field
    field.clear()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5_000)
    qtbot.keyClick(field, Qt.Key_Down, Qt.AltModifier)
    qtbot.waitUntil(field.recent_menu.isVisible, timeout=5_000)
    return [action.text() for action in field.recent_menu.actions() if not action.isSeparator()]


def test_a_search_again_moves_to_the_top_once_whatever_its_case_and_spaces():
    recent = with_recent(with_recent([], "door creak"), "door slam")
    assert with_recent(recent, "  Door   CREAK ") == ["Door   CREAK", "door slam"]


def test_blank_queries_are_not_remembered():
    assert with_recent(["rain"], "   ") == ["rain"]


def test_the_oldest_searches_fall_off_past_the_limit():
    recent: list[str] = []
    for n in range(RECENT_LIMIT + 5):
        recent = with_recent(recent, f"hit {n}")
    assert len(recent) == RECENT_LIMIT
    assert recent[0] == f"hit {RECENT_LIMIT + 4}" and recent[-1] == "hit 5"


def test_committed_searches_are_offered_latest_first_and_once(qtbot, window, library):
    for query in ("rain", "sine beep", "RAIN"):
        commit(qtbot, window, query)
    assert open_recent(qtbot, window) == ["RAIN", "sine beep", "Clear recent searches"]


def test_choosing_a_recent_search_runs_it(qtbot, window, library):
    window.preview.autoplay_button.setChecked(False)
    commit(qtbot, window, "sine beep")
    commit(qtbot, window, "rain")
    open_recent(qtbot, window)
    menu = window.search_field.recent_menu
    qtbot.keyClick(menu, Qt.Key_Down)  # past "rain", the latest, to the one before
    qtbot.keyClick(menu, Qt.Key_Return)
    qtbot.waitUntil(lambda: "for “sine beep”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.search_field.text() == "sine beep"
    qtbot.waitUntil(lambda: window.results.selected_paths() != [], timeout=ENGINE_TIMEOUT_MS)
    assert window.results.selected_paths() == [str(library["sine_beep.wav"])]  # as Enter picks the best hit
    assert names(window)[0] == "sine_beep.wav"
    assert window.search_field.recent == ["sine beep", "rain"]


def test_recent_searches_survive_a_restart_and_clearing_them_too(qtbot, window, library):
    commit(qtbot, window, "rain")
    commit(qtbot, window, "dog, bark & bite")  # a comma and an ampersand come back as typed
    window.close()
    again = open_window(qtbot, None)
    assert open_recent(qtbot, again) == ["dog, bark && bite", "rain", "Clear recent searches"]
    clear = again.search_field.recent_menu.actions()[-1]
    clear.trigger()
    again.search_field.recent_menu.hide()
    again.close()
    third = open_window(qtbot, None)
    assert open_recent(qtbot, third) == ["No recent searches yet"]


def test_down_in_the_empty_field_auditions_the_listed_sounds_whatever_the_history(qtbot, window, library):
    """Review 10: Down in the empty field opened the recent searches, and a designer browsing a
    folder (nothing typed) could no longer step into its sounds from the field; Alt+Down opens them."""
    commit(qtbot, window, "rain")
    window.search_field.clear()
    window.run_query("")
    qtbot.waitUntil(lambda: "(type to search)" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    window.search_field.setFocus()
    qtbot.waitUntil(window.search_field.hasFocus, timeout=5_000)
    qtbot.keyClick(window.search_field, Qt.Key_Down)
    assert not window.search_field.recent_menu.isVisible()
    assert window.results.hasFocus() and window.results.selected_paths() == [str(window.model.hit(0).path)]


def test_down_from_a_typed_query_still_goes_to_its_results_and_keeps_the_query(qtbot, window, library):
    commit(qtbot, window, "sine beep")
    window.search_field.setFocus()
    type_query(qtbot, window, "rain")
    qtbot.keyClick(window.search_field, Qt.Key_Down)
    assert not window.search_field.recent_menu.isVisible()
    assert window.results.hasFocus()
    assert window.results.selected_paths() == [str(window.model.hit(0).path)]  # the best hit
    assert open_recent(qtbot, window)[:2] == ["rain", "sine beep"]  # typed, then used: a search to go back to
    window.search_field.recent_menu.close()
    window.search_field.setText("rain")
    window.search_field.setFocus()
    qtbot.waitUntil(window.search_field.hasFocus, timeout=5_000)
    qtbot.keyClick(window.search_field, Qt.Key_Down, Qt.AltModifier)  # with a query held: Alt+Down lists them
    qtbot.waitUntil(window.search_field.recent_menu.isVisible, timeout=5_000)
    assert window.search_field.text() == "rain"


def test_down_from_the_field_emptied_for_similar_sounds_goes_to_them(qtbot, window, library):
    commit(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    window.search_field.setFocus()
    qtbot.waitUntil(window.search_field.hasFocus, timeout=5_000)
    qtbot.keyClick(window.search_field, Qt.Key_Down)
    assert not window.search_field.recent_menu.isVisible()
    assert window.results.hasFocus()
