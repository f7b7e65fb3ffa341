"""A library folder's right-click menu, opened as a user opens it: every action offered for a
folder is in it, and it acts on the row right-clicked without making that the search's folder.
Tagging's actions replaced the panel's menu with their own, so "Export tagged copies…" was never
shown (review 8, M2), while tests that built the panel's menu directly passed."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTreeWidget, QTreeWidgetItem

from app.theme import Colors
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder, open_tagging_window, settle
from tests.app.test_subfolders import nested_library, row, shown_paths, wait_for_tree


@dataclass(frozen=True)
class Shown:
    """An action as the open menu showed it."""

    text: str
    enabled: bool
    tip: str
    status_tip: str


def open_menu(
    tree: QTreeWidget, item: QTreeWidgetItem | None, choose: str = "", while_open=lambda: None
) -> list[Shown]:
    """Open a row's menu as a user does and return its actions, read while it is open (then
    ``while_open`` runs); then click the action ``choose`` in it, or close it. ``item``: right-click
    its row (the press, then the context-menu event the platform sends); None: the menu key on the
    current row (the event Qt sends the focused widget, at its ``ImCursorRectangle``). ``exec`` of a
    menu blocks until it closes: the reading is queued to run inside it."""
    shown: list[Shown] = []

    def read_and_close() -> None:
        menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
        for menu in menus:
            shown.extend(
                Shown(a.text(), a.isEnabled(), a.toolTip(), a.statusTip())
                for a in menu.actions()
                if not a.isSeparator()
            )
            while_open()
            chosen = [a for a in menu.actions() if choose and a.text() == choose]
            if chosen:
                QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(chosen[0]).center())
            menu.close()

    QTimer.singleShot(0, read_and_close)
    if item is None:
        tree.setFocus()
        at = tree.inputMethodQuery(Qt.ImCursorRectangle).center()
        QApplication.sendEvent(tree, QContextMenuEvent(QContextMenuEvent.Keyboard, at, tree.mapToGlobal(at)))
    else:
        viewport = tree.viewport()
        at = tree.visualItemRect(item).center()
        QTest.mouseClick(viewport, Qt.RightButton, Qt.NoModifier, at)
        QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Mouse, at, viewport.mapToGlobal(at)))
    return shown


def test_a_folders_right_click_menu_offers_every_folder_action_and_a_greyed_one_says_why(qtbot, window, library):
    folder = str(library["dog_bark.wav"].parent)
    qtbot.waitUntil(lambda: window.library.item_for(folder) is not None, timeout=ENGINE_TIMEOUT_MS)
    row = window.library.item_for(folder)
    shown = open_menu(window.library.folders, row)
    assert [action.text for action in shown] == [
        "Export tagged copies…",
        "Suggest tags for this folder",
        "Suggest tags and captions for this folder",
    ]
    captions = shown[-1]  # the tiny model's captions were never measured: not offered
    problem = window.client.engine.tagging.caption_problem(window.client.model_info)
    assert problem and not captions.enabled
    assert captions.tip == captions.status_tip == problem  # greyed, it said nothing of why


def test_a_folders_menu_acts_on_the_row_right_clicked_and_leaves_the_search_as_it_was(
    qtbot, earmark_home, tiny_checkpoint, tiny_term_cache, tmp_path
):
    """Right-clicking a folder selected it, and selecting a folder filters the results to it:
    "Suggest tags for this folder" narrowed the search the user had only asked to tag (the results
    line then said "in SFX/Pack B/Rain"). The menu acts on the row right-clicked, ringed while the
    menu is open, and the results stay the library's; the menu key opens the selected row's."""
    window = open_tagging_window(qtbot, earmark_home, tiny_checkpoint, tiny_term_cache)
    library = nested_library(tmp_path / "SFX")
    index_folder(qtbot, window, library)
    wait_for_tree(qtbot, window)
    every = {str(p) for p in library.rglob("*.*")}
    qtbot.waitUntil(lambda: shown_paths(window) == every, timeout=ENGINE_TIMEOUT_MS)
    line = window.result_label.text()
    tree, rain = window.library.folders, library / "Pack B" / "Rain"
    rain_row = row(window, rain)
    rain_row.parent().setExpanded(True)
    reports, ringed = [], []
    window.client.tagging.job_finished.connect(reports.append)

    def ring() -> None:
        image, middle = tree.viewport().grab().toImage(), tree.visualItemRect(rain_row).center().y()
        ringed.append(image.pixelColor(0, middle) == Colors.selection_edge)

    open_menu(tree, rain_row, choose="Suggest tags for this folder", while_open=ring)
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert ringed == [True]
    assert (reports[0].total, reports[0].tagged) == (4, 4)  # the job was given the folder right-clicked
    suggested = window.client.engine.tagging.suggestions(sorted(every), threshold=0.0)
    assert {path for path, s in suggested.items() if s.tags or s.hidden} == {str(p) for p in rain.iterdir()}
    assert window.library.selected_folder() is None and window.filter_bar.values().folder is None
    assert window.filter_bar.folder.currentText() == "All folders"
    settle(window.client.work_pool)
    assert shown_paths(window) == every and window.result_label.text() == line  # not "… in SFX/Pack B/Rain"
    assert tree.viewport().grab().toImage().pixelColor(0, tree.visualItemRect(rain_row).center().y()) != (
        Colors.selection_edge
    )  # the ring goes with the menu

    pack_a = library / "Pack A"
    tree.setCurrentItem(row(window, pack_a))  # chosen: the results are its sounds
    qtbot.waitUntil(lambda: shown_paths(window) == {str(p) for p in pack_a.rglob("*.*")}, timeout=ENGINE_TIMEOUT_MS)
    acted_on = []
    open_menu(tree, None, while_open=lambda: acted_on.append(window.library.menu_folder()))
    assert acted_on == [str(pack_a)]  # the menu key's menu is the selected row's, not the row below's
    assert window.filter_bar.values().folder == str(pack_a)
