"""A library folder's right-click menu, opened as a user opens it: every action offered for a
folder is in it. Tagging's actions replaced the panel's menu with their own, so "Export tagged
copies…" was never shown (review 8, M2), while tests that built the panel's menu directly passed."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTreeWidget, QTreeWidgetItem

from tests.app.conftest import ENGINE_TIMEOUT_MS


@dataclass(frozen=True)
class Shown:
    """An action as the open menu showed it."""

    text: str
    enabled: bool
    tip: str
    status_tip: str


def right_click(tree: QTreeWidget, item: QTreeWidgetItem) -> list[Shown]:
    """Right-click ``item``'s row (the press, then the context-menu event the platform sends) and
    return the actions of the menu that opened, read while it is open, then closed. ``exec`` of a
    menu blocks until it closes: the reading is queued to run inside it."""
    viewport = tree.viewport()
    at = tree.visualItemRect(item).center()
    QTest.mouseClick(viewport, Qt.RightButton, Qt.NoModifier, at)
    shown: list[Shown] = []

    def read_and_close() -> None:
        menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
        for menu in menus:
            shown.extend(
                Shown(a.text(), a.isEnabled(), a.toolTip(), a.statusTip())
                for a in menu.actions()
                if not a.isSeparator()
            )
            menu.close()

    QTimer.singleShot(0, read_and_close)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Mouse, at, viewport.mapToGlobal(at)))
    return shown


def test_a_folders_right_click_menu_offers_every_folder_action_and_a_greyed_one_says_why(qtbot, window, library):
    folder = str(library["dog_bark.wav"].parent)
    qtbot.waitUntil(lambda: window.library.item_for(folder) is not None, timeout=ENGINE_TIMEOUT_MS)
    row = window.library.item_for(folder)
    shown = right_click(window.library.folders, row)
    assert [action.text for action in shown] == [
        "Export tagged copies…",
        "Suggest tags for this folder",
        "Suggest tags and captions for this folder",
    ]
    assert window.library.selected_folder() == folder  # what the suggestions are made for
    captions = shown[-1]  # the tiny model's captions were never measured: not offered
    problem = window.client.engine.tagging.caption_problem(window.client.model_info)
    assert problem and not captions.enabled
    assert captions.tip == captions.status_tip == problem  # greyed, it said nothing of why
