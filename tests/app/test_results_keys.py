"""The results from the keyboard, on the real window: Tab leaves the table, and the right-click
menu's items have keys (F2 renames, Ctrl+Shift+S finds similar sounds, Ctrl+T suggests tags,
Ctrl+, opens Settings) that work from the results and never take a key from a text field; Loop and
Autoplay have keys of their own."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from app.settings_dialog import SettingsDialog
from tests.app.conftest import ENGINE_TIMEOUT_MS


def press(qtbot, widget, key, modifiers=Qt.NoModifier) -> None:
    """A key with its modifiers, then the modifiers let go: QTest's release of a modifier key leaves
    it held in QGuiApplication.keyboardModifiers(), and a Shift held there would make a later test's
    selectRow extend a selection instead of selecting the row."""
    qtbot.keyClick(widget, key, modifiers)
    qtbot.keyRelease(widget, Qt.Key_Shift)


def focus_results(qtbot, window, path) -> None:
    """``path``'s row selected and current, the keyboard focus in the results."""
    qtbot.waitUntil(lambda: window.model.row_of(str(path)) >= 0, timeout=ENGINE_TIMEOUT_MS)
    window.activateWindow()
    window.results.setFocus()
    window.results.selectRow(window.model.row_of(str(path)))
    qtbot.waitUntil(lambda: window.results.hasFocus(), timeout=5_000)


def test_tab_and_shift_tab_leave_the_results_for_the_widgets_around_them(qtbot, window, library):
    focus_results(qtbot, window, library["dog_bark.wav"])
    scrolled = window.results.horizontalScrollBar()
    qtbot.keyClick(window.results, Qt.Key_Tab)
    assert not window.results.hasFocus()  # out of the table, not into its next cell
    assert scrolled.value() == 0  # and the Name column did not scroll out of sight
    for _ in range(10):  # on to the tags field, the tags panel's first stop
        if window.tags.tags.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    assert window.tags.tags.hasFocus()

    window.results.setFocus()
    qtbot.waitUntil(lambda: window.results.hasFocus(), timeout=5_000)
    press(qtbot, window.results, Qt.Key_Backtab, Qt.ShiftModifier)
    assert not window.results.hasFocus() and scrolled.value() == 0
    assert window.results.selected_paths() == [str(library["dog_bark.wav"])]  # Tab selected nothing else


def test_f2_opens_the_rename_dialog_for_the_selected_result(qtbot, window, library):
    focus_results(qtbot, window, library["sine_beep.wav"])
    qtbot.keyClick(window.results, Qt.Key_F2)
    dialog = window.renames.dialog
    assert dialog is not None and dialog.isVisible() and dialog.paths == [str(library["sine_beep.wav"])]
    dialog.reject()


def test_ctrl_shift_s_finds_the_sounds_similar_to_the_selected_result(qtbot, window, library):
    focus_results(qtbot, window, library["rain_on_glass.flac"])
    press(qtbot, window.results, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: "similar to rain_on_glass.flac" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_ctrl_t_suggests_tags_for_the_selected_result(qtbot, tagging_window):
    window, folder = tagging_window
    dog = folder / "dog_bark.wav"
    box = window.tags.suggestions
    box.set_threshold(0.0)
    window.client.tagging.set_threshold(0.0)
    focus_results(qtbot, window, dog)
    qtbot.waitUntil(lambda: window.tags.paths == [str(dog)], timeout=10_000)
    press(qtbot, window.results, Qt.Key_T, Qt.ControlModifier)
    assert box.hint.text() == "Suggesting…"
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)  # the dog's suggestions


def test_ctrl_comma_opens_settings(qtbot, window):
    seen = []

    def look_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(type(dialog))
        dialog.reject()

    QTimer.singleShot(0, look_and_close)
    window.search_field.setFocus()
    press(qtbot, window.search_field, Qt.Key_Comma, Qt.ControlModifier)
    assert seen == [SettingsDialog]


def test_loop_and_autoplay_have_keys_that_work_from_the_search_field_and_the_results(qtbot, window, library):
    """Review 9 (L6): the transport's buttons take no focus, so Loop and Autoplay had no keyboard
    path at all. Ctrl+Shift+L and Ctrl+Shift+A toggle them wherever the focus is, leave the query
    as typed, and the buttons' tooltips name them."""
    window.search_field.setText("beep")
    for widget in (window.search_field, window.results):
        if widget is window.results:
            focus_results(qtbot, window, library["sine_beep.wav"])
        else:
            widget.setFocus()
            qtbot.waitUntil(widget.hasFocus, timeout=5_000)
        for key, button in ((Qt.Key_L, window.preview.loop_button), (Qt.Key_A, window.preview.autoplay_button)):
            was = button.isChecked()
            press(qtbot, widget, key, Qt.ControlModifier | Qt.ShiftModifier)
            assert button.isChecked() is not was
            press(qtbot, widget, key, Qt.ControlModifier | Qt.ShiftModifier)
            assert button.isChecked() is was
    assert window.search_field.text() == "beep"
    assert "Ctrl+Shift+L" in window.preview.loop_button.toolTip()
    assert "Ctrl+Shift+A" in window.preview.autoplay_button.toolTip()


def test_the_keys_are_named_in_the_menu_and_not_taken_from_the_text_fields(qtbot, window, library):
    beep = library["sine_beep.wav"]
    focus_results(qtbot, window, beep)
    keys = {a.text().split("\t")[0]: a.shortcut().toString() for a in window.results_menu().actions()}
    assert keys["Rename to UCS name…"] == "F2"
    assert keys["Find similar sounds"] == "Ctrl+Shift+S" and keys["Suggest tags"] == "Ctrl+T"
    assert all(
        a.isShortcutVisibleInContextMenu() for a in window.results_menu().actions() if not a.shortcut().isEmpty()
    )

    shown = window.result_label.text()
    for field in (window.search_field, window.tags.tags, window.tags.caption):  # the result stays selected
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=5_000)
        for key in ("F2", "Ctrl+Shift+S", "Ctrl+T"):
            sequence = QKeySequence(key)[0]
            press(qtbot, field, sequence.key(), sequence.keyboardModifiers())
        assert window.renames.dialog is None and window.result_label.text() == shown  # no dialog, no similar search
        assert not window.tags.suggestions.hint.text().startswith("Suggesting")
        assert window.results.selected_paths() == [str(beep)]


def test_letters_typed_in_the_results_start_a_new_query_and_home_and_end_go_to_the_ends(qtbot, window, library):
    """Qt's type-ahead jumped to the next row whose name began with the letters (and played it);
    a sound library's user typing there means a new search. Home and End moved nothing in a
    table of whole rows."""
    window.search_field.setText("dog")
    focus_results(qtbot, window, library["dog_bark.wav"])
    last = window.model.rowCount() - 1
    assert last > 0
    press(qtbot, window.results, Qt.Key_End)
    assert window.results.currentIndex().row() == last
    press(qtbot, window.results, Qt.Key_Home)
    assert window.results.currentIndex().row() == 0
    current = window.results.currentIndex().row()
    qtbot.keyClicks(window.results, "r")
    assert window.search_field.hasFocus() and window.search_field.text() == "r"  # the query replaced
    qtbot.keyClicks(window.search_field, "ain")
    assert window.search_field.text() == "rain" and window.results.currentIndex().row() == current
    qtbot.waitUntil(lambda: window.model.row_of(str(library["rain_on_glass.flac"])) == 0, timeout=ENGINE_TIMEOUT_MS)
