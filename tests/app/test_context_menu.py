"""The results' right-click menu on the real window: what it holds for the selection, and that its
items do what the window's keys and buttons do (the file manager is caught at Qt's URL handler)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, QPoint, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QApplication

from tests.app.conftest import ENGINE_TIMEOUT_MS, settle

ITEMS = [
    "Play / stop",
    "Find similar sounds",
    "Show in folder",
    "Copy path",
    "Suggest tags",
    "Rename to UCS name…",
    "Undo last rename",
    "Undo last accept",
    "Undo last reject",
    "Export tagged copies…",
]


def shown(menu) -> dict[str, bool]:
    """{item: enabled}, without the key named beside it."""
    return {a.text().split("\t")[0]: a.isEnabled() for a in menu.actions() if not a.isSeparator()}


def select(qtbot, window, paths: list) -> None:
    wanted = [str(p) for p in paths]
    qtbot.waitUntil(lambda: all(window.model.row_of(p) >= 0 for p in wanted), timeout=ENGINE_TIMEOUT_MS)
    window.results.select_paths(wanted, wanted[0])


def test_a_right_click_opens_the_menu_of_the_selected_file(qtbot, window, library):
    select(qtbot, window, [library["dog_bark.wav"]])
    seen = {}

    def look_and_close() -> None:
        menu = QApplication.activePopupWidget()
        seen.update(shown(menu))
        menu.close()

    QTimer.singleShot(0, look_and_close)
    window.results.customContextMenuRequested.emit(QPoint(10, 10))
    assert list(seen) == ITEMS
    # nothing renamed, accepted or rejected yet
    assert [item for item, on in seen.items() if not on] == ["Undo last rename", "Undo last accept", "Undo last reject"]


def test_with_nothing_selected_only_play_is_offered(qtbot, window, library):
    window.results.selectionModel().clear()
    enabled = shown(window.results_menu())
    assert [item for item, on in enabled.items() if on] == ["Play / stop"]


def test_copy_puts_the_selected_paths_on_the_clipboard(qtbot, window, library):
    paths = [library["dog_bark.wav"], library["rain_on_glass.flac"]]
    select(qtbot, window, paths)
    QGuiApplication.clipboard().clear()
    menu = window.results_menu()
    copy = next(a for a in menu.actions() if a.text().startswith("Copy paths"))  # plural for two files
    copy.trigger()
    assert sorted(QGuiApplication.clipboard().text().splitlines()) == sorted(str(p) for p in paths)


class UrlCatcher(QObject):
    """Stands in for the desktop's file manager: Qt hands it the file URLs openUrl is given."""

    def __init__(self):
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toLocalFile())


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="Finder and Explorer select the file instead")
def test_show_in_folder_opens_the_files_folder(qtbot, window, library):
    select(qtbot, window, [library["sine_beep.wav"]])
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        next(a for a in window.results_menu().actions() if a.text().startswith("Show in folder")).trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.opened == [str(library["sine_beep.wav"].parent)]


def test_find_similar_from_the_menu_shows_the_sounds_like_the_right_clicked_file(qtbot, window, library):
    select(qtbot, window, [library["rain_on_glass.flac"]])
    window.similar_action.trigger()
    qtbot.waitUntil(lambda: "similar to rain_on_glass.flac" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_suggest_from_the_menu_is_the_tags_panels_suggest(qtbot, window, library, monkeypatch):
    asked = []
    monkeypatch.setattr(window.client.tagging, "tag", lambda paths, captions: asked.append((paths, captions)))
    paths = sorted(str(library[name]) for name in ("dog_bark.wav", "sine_beep.wav"))
    select(qtbot, window, paths)
    settle(window.client.work_pool)  # the selection's suggestions are loaded: their hint is shown first
    assert not window.tags.suggestions.hint.text().startswith("Suggesting")
    window.suggest_action.trigger()
    assert [(sorted(paths_asked), captions) for paths_asked, captions in asked] == [(paths, False)]
    assert window.tags.suggestions.hint.text().startswith("Suggesting")  # the panel says it is working


def test_undo_is_offered_only_with_a_rename_to_undo_and_says_so_as_a_sentence(qtbot, window):
    assert not window.renames.undo_action.isEnabled()  # a new library: nothing was ever renamed
    window.renames.undo()  # as the status-bar button would, were it shown
    assert window.statusBar().currentMessage() == "There is no rename to undo"
    window.statusBar().clearMessage()
    window.client.tagging.undo_rename()  # the engine's own answer, as when its journal empties meanwhile
    qtbot.waitUntil(lambda: "no rename to undo" in window.statusBar().currentMessage(), timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == "There is no rename to undo"  # a capital, not "there is…"
    assert not window.renames.undo_action.isEnabled()
