"""Subfolders of a library folder in the window: the library panel's tree, the folder filter, and a
folder's "Suggest tags" given a subfolder.

A sound designer's library is one root with many packages below it; in a review (997 files under
one root with 30 package subfolders) nothing could be pointed at a package: the panel and the
folder filter offered the root alone, and tagging one package took a search for its name and a
shift-click over 169 rows. Real window, real engine, the tiny model, files in nested folders.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from app.library_panel import PATH_ROLE
from app.main_window import MainWindow
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder, open_tagging_window, write_library
from tests.engine.tagging.conftest import NAMED, write_named_library
from tests.factories import tone, write_audio


def nested_library(root: Path) -> Path:
    """SFX/loose.wav, SFX/Pack A (the named sounds, one in Pack A/Footsteps), SFX/Pack B/Rain (four)."""
    write_named_library(root / "Pack A")
    write_library(root / "Pack B" / "Rain")
    write_audio(root / "loose.wav", tone(440, 0.5))
    return root


def children(item: QTreeWidgetItem) -> dict[str, str]:
    """{name: count column} of the rows below ``item``, opening it first (rows are made when opened)."""
    item.setExpanded(True)
    return {item.child(i).text(0): item.child(i).text(1) for i in range(item.childCount())}


def row(window: MainWindow, path: Path) -> QTreeWidgetItem:
    item = window.library.item_for(str(path))
    assert item is not None, f"no row for {path}"
    return item


def shown_paths(window: MainWindow) -> set[str]:
    return {hit.path for hit in window.model.hits()}


def wait_for_tree(qtbot, window: MainWindow) -> QTreeWidgetItem:
    """The library folder's row once its subfolders are read (off the UI thread)."""
    qtbot.waitUntil(lambda: window.library.folders.topLevelItemCount() == 1, timeout=ENGINE_TIMEOUT_MS)
    root = window.library.folders.topLevelItem(0)
    qtbot.waitUntil(lambda: bool(children(root)), timeout=ENGINE_TIMEOUT_MS)
    return root


def test_the_panel_lists_each_subfolder_that_holds_sounds_with_its_count(qtbot, window, tmp_path):
    """Each folder counts its sounds and those below it; the root keeps its indexed/errors columns."""
    library = nested_library(tmp_path / "SFX")
    (library / "Empty" / "Still empty").mkdir(parents=True)  # no sound: not listed
    index_folder(qtbot, window, library)
    root = wait_for_tree(qtbot, window)
    total = len(NAMED) + 4 + 1
    qtbot.waitUntil(lambda: root.text(1) == f"{total}/{total}", timeout=ENGINE_TIMEOUT_MS)
    assert children(root) == {"Pack A": str(len(NAMED)), "Pack B": "4"}
    pack_a, pack_b = root.child(0), root.child(1)
    assert children(pack_b) == {"Rain": "4"}
    assert children(pack_a) == {"Footsteps": "1"}
    assert pack_b.child(0).data(0, PATH_ROLE) == str(library / "Pack B" / "Rain")
    assert children(pack_b.child(0)) == {}  # a leaf: nothing to open


def test_selecting_a_subfolder_filters_the_results_to_it_and_the_filter_follows(qtbot, window, tmp_path):
    """The panel's row and the filter bar's folder are one choice; the results are that folder's."""
    library = nested_library(tmp_path / "SFX")
    index_folder(qtbot, window, library)
    wait_for_tree(qtbot, window)
    rain = library / "Pack B" / "Rain"
    qtbot.waitUntil(lambda: len(shown_paths(window)) == len(NAMED) + 5, timeout=ENGINE_TIMEOUT_MS)

    row(window, rain).setSelected(True)
    assert window.filter_bar.values().folder == str(rain)
    assert window.filter_bar.folder.currentText() == "SFX/Pack B/Rain"
    expected = {str(p) for p in rain.iterdir()}
    qtbot.waitUntil(lambda: shown_paths(window) == expected, timeout=ENGINE_TIMEOUT_MS)
    assert not window.library.remove_button.isEnabled()  # a subfolder is not watched on its own
    # the results line says the search looks there, not in the whole library
    qtbot.waitUntil(lambda: " in SFX/Pack B/Rain (type to search)" in window.result_label.text(), timeout=5_000)

    window.filter_bar.folder.setCurrentIndex(0)  # "All folders"
    assert not window.library.folders.selectedItems()
    qtbot.waitUntil(lambda: len(shown_paths(window)) == len(NAMED) + 5, timeout=ENGINE_TIMEOUT_MS)


def test_typing_a_subfolders_name_in_the_folder_filter_chooses_it_and_selects_its_row(qtbot, window, tmp_path):
    """The filter's list holds the library folders only; a subfolder is found by part of its name."""
    library = nested_library(tmp_path / "SFX")
    index_folder(qtbot, window, library)
    wait_for_tree(qtbot, window)
    bar = window.filter_bar
    assert [bar.folder.itemText(i) for i in range(bar.folder.count())] == ["All folders", "SFX"]
    bar.folder_completer.setCompletionPrefix("foot")
    assert bar.folder_completer.completionCount() == 1
    assert bar.folder_completer.currentCompletion() == "SFX/Pack A/Footsteps"

    bar.folder.lineEdit().setText("SFX/Pack A/Footsteps")
    qtbot.keyClick(bar.folder.lineEdit(), Qt.Key_Return)
    footsteps = library / "Pack A" / "Footsteps"
    assert bar.values().folder == str(footsteps)
    assert window.library.selected_folder() == str(footsteps)
    assert row(window, footsteps).parent().isExpanded()
    qtbot.waitUntil(lambda: shown_paths(window) == {str(footsteps / "gravel_walk.wav")}, timeout=ENGINE_TIMEOUT_MS)

    bar.folder.lineEdit().setText("no such folder")
    qtbot.keyClick(bar.folder.lineEdit(), Qt.Key_Return)
    assert bar.values().folder == str(footsteps) and bar.folder.currentText() == "SFX/Pack A/Footsteps"


def test_suggest_tags_for_a_subfolder_suggests_for_its_files_alone(
    qtbot, earmark_home, tiny_checkpoint, tiny_term_cache, tmp_path
):
    """The folder job is given the subfolder, so the other packages get no suggestions."""
    window = open_tagging_window(qtbot, earmark_home, tiny_checkpoint, tiny_term_cache)
    library = nested_library(tmp_path / "SFX")
    index_folder(qtbot, window, library)
    wait_for_tree(qtbot, window)
    rain = library / "Pack B" / "Rain"
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    row(window, rain).setSelected(True)
    window.library.folders.actions()[0].trigger()  # "Suggest tags for this folder"
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert (reports[0].total, reports[0].tagged) == (4, 4)

    every = [str(p) for p in library.rglob("*.*")]
    suggested = window.client.engine.tagging.suggestions(every, threshold=0.0)
    assert {path for path, s in suggested.items() if s.tags or s.hidden} == {str(p) for p in rain.iterdir()}
