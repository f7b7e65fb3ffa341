"""The library panel: a folder's name is read at the panel's least and usual widths, and its
counts do not look finished while a run indexes it."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QTreeWidget, QTreeWidgetItem

from app import library_panel
from app.library_panel import LibraryPanel
from app.results_view import text_width
from app.theme import resource_dir
from tests.app.conftest import ENGINE_TIMEOUT_MS, settle
from tests.app.test_result_groups import shown_text
from tests.factories import tone, write_audio


def folder_status(path: str, files: int, errors: int = 0) -> SimpleNamespace:
    """What the panel reads of engine.facade's FolderStatus."""
    return SimpleNamespace(path=Path(path), files=files, errors=errors, offline=0, online=True)


def themed_panel(qtbot) -> LibraryPanel:
    """The panel shown in the app's theme (its font and padding decide what fits)."""
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    theme = resource_dir() / "theme"
    panel.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def shown_name(tree: QTreeWidget, item: QTreeWidgetItem) -> str:
    """The folder's name as its row draws it (elided as the style elides it)."""
    index = tree.indexFromItem(item, 0)
    option = QStyleOptionViewItem()
    tree.initViewItemOption(option)
    option.rect = tree.visualRect(index)
    tree.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.fontMetrics.elidedText(option.text, option.textElideMode, text_width(option))


def test_packs_of_a_library_read_apart_at_the_panels_usual_width(qtbot):
    """At the window's first width of the panel (330 px), a library of game packs read "ali…ata",
    "bu…ta", "fre…ata" twice (freedink-data, freedroidrpg-data): the names were cut in the middle,
    beside an Errors column of nothing but room. A subfolder's name is cut on the right, and a
    folder with failed files says so in its count, not in a column of its own that cut the names
    to "freed…" once a file had failed."""
    packs = ["alienblaster-data", "boswars-data", "bumprace-data", "deepin-sound-theme", "flare-game"]
    packs += ["freedink-data", "freedroidrpg-data", "simutrans-pak64", "tuxpaint-stamps-default"]
    panel = themed_panel(qtbot)
    panel.show_folders([folder_status("/lib/library", 997)])
    panel.show_subfolders("/lib/library", {f"/lib/library/{pack}": 10 for pack in packs})
    panel.resize(330, 700)
    tree = panel.folders
    root = tree.topLevelItem(0)
    root.setExpanded(True)
    QCoreApplication.processEvents()
    shown = [shown_name(tree, root.child(row)) for row in range(len(packs))]
    assert len(set(shown)) == len(packs), shown
    assert all(pack.startswith(text.removesuffix("…")) for pack, text in zip(packs, shown, strict=True)), shown
    assert root.text(1) == "997/997" and root.toolTip(1) == "" and root.data(1, Qt.ForegroundRole) is None
    panel.show_folders([folder_status("/lib/library", 997, errors=2)])
    QCoreApplication.processEvents()
    assert [shown_name(tree, root.child(row)) for row in range(len(packs))] == shown
    assert root.text(1) == "997/999" and root.toolTip(1) == "2 sounds could not be read: see Failed files"
    assert root.data(1, Qt.ForegroundRole) is not None


def test_the_folder_column_keeps_a_readable_name_at_the_panels_least_width(qtbot):
    """The Folder column stretched into what the counts left, down to the one letter "F", the counts
    scrolled out of view beside it: it keeps about eight characters, the counts in view."""
    panel = themed_panel(qtbot)
    panel.show_folders([folder_status("/lib/Footsteps Library", 12_345, errors=3)])  # as the app: after it is shown
    QCoreApplication.processEvents()
    panel.resize(panel.minimumSizeHint())
    QCoreApplication.processEvents()
    tree = panel.folders
    assert panel.width() == panel.minimumSizeHint().width()
    assert tree.header().length() <= tree.viewport().width()  # every column in view, not scrolled
    assert tree.geometry().right() < tree.parentWidget().width()  # and the tree itself not cut off by the panel
    text, room = shown_text(tree, 0, 0)  # the room its text has, the row's branch and icon left out
    assert room >= 8 * tree.fontMetrics().averageCharWidth(), text


def test_the_row_of_sounds_it_cannot_read_says_their_formats_at_the_panels_least_width(qtbot):
    """The row said "5 sounds in formats Earmark cannot read (4 .m4a, 1 .wv)", cut before the
    formats at the panel's usual width: its two lines now fit where the folders' names do."""
    panel = themed_panel(qtbot)
    panel.show_folders([folder_status("/lib/Field Recordings", 12_345, errors=3)])
    panel.show_failed([], [f"/lib/Field Recordings/memo{i}.m4a" for i in range(4)] + ["/lib/Field Recordings/a.wv"])
    QCoreApplication.processEvents()
    panel.resize(panel.minimumSizeHint())
    QCoreApplication.processEvents()
    lines = panel.failed.topLevelItem(0).text(0).split("\n")
    room = shown_text(panel.failed, 0, 0)[1]
    metrics = panel.failed.fontMetrics()
    assert lines == ["5 sounds Earmark cannot read", "4 .m4a, 1 .wv: convert to WAV or FLAC"]
    assert all(metrics.horizontalAdvance(line) <= room for line in lines), room
    assert metrics.horizontalAdvance("5 sounds in formats Earmark cannot read (4 .m4a, 1 .wv)") > room  # as it was


def test_many_sounds_it_cannot_read_wait_under_one_row_and_each_is_shown_on_activation(qtbot):
    """An iTunes folder's thousands of .m4a files would bury the failed files: they are one row,
    closed, that opens onto them; a file's row shows the file, the row of them shows nothing."""
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    failure = SimpleNamespace(path="/lib/broken.wav", error="not a sound file")
    songs = [f"/lib/iTunes/song{i:02d}.m4a" for i in range(30)]
    panel.show_failed([failure], songs)
    assert panel.failed_title.text() == "FAILED FILES (31)"
    group = panel.failed.topLevelItem(1)
    assert group.text(0) == "30 sounds Earmark cannot read\n30 .m4a: convert to WAV or FLAC"
    assert group.childCount() == 30 and not group.isExpanded()
    shown = []
    panel.failed_file_activated.connect(shown.append)
    panel.failed.itemActivated.emit(group, 0)
    panel.failed.itemActivated.emit(group.child(2), 0)
    panel.failed.itemActivated.emit(panel.failed.topLevelItem(0), 0)
    assert shown == [songs[2], "/lib/broken.wav"]
    panel.show_failed([], [])
    assert panel.failed.topLevelItemCount() == 0 and panel.failed_title.text() == "FAILED FILES"


def test_two_library_folders_of_one_name_are_told_apart(qtbot):
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.show_folders([folder_status("/a/s35/review/ucslib", 12), folder_status("/a/s36/review/ucslib", 13)])
    rows = [panel.folders.topLevelItem(i).text(0) for i in range(panel.folders.topLevelItemCount())]
    assert rows == ["ucslib (s35/review)", "ucslib (s36/review)"]


def test_a_folder_being_indexed_does_not_read_finished(qtbot, window, tmp_path):
    """The index knows a file once a run has embedded it: a folder's row read "64/64", its files
    known all searchable, while the status bar said "Embedding 96 / 997". Until the run ends
    (here paused after its first file, files left) the row says how many are searchable so far."""
    folder = tmp_path / "lib"
    for k in range(6):
        write_audio(folder / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
    client, folders = window.client, window.library.folders
    paused, reports = [], []
    client.index_paused.connect(lambda: paused.append(True))
    client.index_finished.connect(reports.append)

    def pause(_progress) -> None:
        client.set_paused(True)

    client.index_progress.connect(pause, Qt.DirectConnection)  # while the first file is in work
    window.add_folder(str(folder))
    qtbot.waitUntil(lambda: bool(paused), timeout=ENGINE_TIMEOUT_MS)
    client.index_progress.disconnect(pause)
    settle(client.work_pool)  # the folders read as the run stopped
    row = folders.topLevelItem(0)
    assert re.fullmatch(r"\d so far", row.text(1)), row.text(1)
    assert row.toolTip(1).startswith("Indexing is not finished")
    window.indexing.pause_button.click()  # resume
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: folders.topLevelItem(0).text(1) == "6/6", timeout=10_000)
    assert folders.topLevelItem(0).toolTip(1) == ""


def test_a_folder_the_run_leaves_alone_reads_finished(qtbot, window, tmp_path):
    """A second folder added to an indexed library: while its files are embedded, the first
    folder, which the run has nothing to embed in, keeps its "3/3" (every folder read "so far")."""
    done, added = tmp_path / "done", tmp_path / "added"
    for k in range(3):
        write_audio(done / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
        write_audio(added / f"hum_{k}.wav", tone(150 + 50 * k, 0.5))
    client, folders = window.client, window.library.folders
    reports, paused = [], []
    client.index_finished.connect(reports.append)
    client.index_paused.connect(lambda: paused.append(True))
    window.add_folder(str(done))
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)

    def pause(progress) -> None:
        if progress.phase == "embedding":
            client.set_paused(True)

    client.index_progress.connect(pause, Qt.DirectConnection)  # while the second file is in work
    window.add_folder(str(added))
    qtbot.waitUntil(lambda: bool(paused), timeout=ENGINE_TIMEOUT_MS)
    client.index_progress.disconnect(pause)
    settle(client.work_pool)
    rows = {folders.topLevelItem(i).text(0): folders.topLevelItem(i) for i in range(folders.topLevelItemCount())}
    assert rows["done"].text(1) == "3/3" and rows["done"].toolTip(1) == ""
    assert re.fullmatch(r"\d so far", rows["added"].text(1)), rows["added"].text(1)
    window.indexing.pause_button.click()  # resume
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: rows["added"].text(1) == "3/3", timeout=10_000)


def test_a_folder_being_filled_counts_its_sounds_as_the_run_commits_them(qtbot, window, tmp_path, monkeypatch):
    """A new folder's row read "0 so far" until its whole run ended: the counts are read again while
    the run embeds (here each time; the index commits every 32 files), and the row follows them."""
    monkeypatch.setattr(library_panel, "COUNTS_EVERY_S", 0.0)
    folder = tmp_path / "lib"
    for k in range(40):
        write_audio(folder / f"tone_{k:02}.wav", tone(200 + 10 * k, 0.2))
    client, folders = window.client, window.library.folders
    shown, reports = threading.Event(), []
    client.index_finished.connect(reports.append)

    def hold(progress) -> None:  # on the indexer's thread: the run waits until the row has said it
        if progress.phase == "embedding" and progress.done == 36:
            shown.wait(timeout=ENGINE_TIMEOUT_MS / 1000)

    client.index_progress.connect(hold, Qt.DirectConnection)
    window.add_folder(str(folder))
    qtbot.waitUntil(lambda: folders.topLevelItemCount() == 1, timeout=ENGINE_TIMEOUT_MS)
    # 32 here, or fewer where the index's 10-second commit came first on a slow machine
    qtbot.waitUntil(
        lambda: re.fullmatch(r"[1-9]\d? so far", folders.topLevelItem(0).text(1)), timeout=ENGINE_TIMEOUT_MS
    )
    shown.set()
    assert not reports  # said while the run was still going
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    client.index_progress.disconnect(hold)
    qtbot.waitUntil(lambda: folders.topLevelItem(0).text(1) == "40/40", timeout=10_000)


def test_the_failed_files_pane_keeps_only_its_title_while_nothing_failed(qtbot):
    """Empty, it took two fifths of the panel to say nothing; it opens when a file fails."""
    panel = themed_panel(qtbot)
    panel.resize(330, 800)
    panel.show_folders([folder_status("/lib/library", 997)])
    panel.show_failed([], [])
    QCoreApplication.processEvents()
    folders, failed = panel.splitter.sizes()
    assert panel.failed.isHidden() and failed <= 3 * panel.failed_title.sizeHint().height() and folders > 600
    panel.show_failed([SimpleNamespace(path="/lib/library/broken.wav", error="not a sound file")], [])
    QCoreApplication.processEvents()
    assert not panel.failed.isHidden() and panel.splitter.sizes()[1] >= 150
    panel.show_failed([], [])
    assert panel.failed.isHidden() and panel.splitter.sizes()[0] > 600
    panel.splitter.setSizes([500, 300])  # a window state saved while files had failed, restored
    panel.show_failed([], [])
    assert panel.splitter.sizes()[1] <= 3 * panel.failed_title.sizeHint().height()
