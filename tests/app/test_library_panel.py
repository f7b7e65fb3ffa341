"""The library panel at its least width: a folder's name is still read there."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QCoreApplication

from app.library_panel import LibraryPanel
from app.theme import resource_dir
from tests.app.test_result_groups import shown_text


def folder_status(path: str, files: int, errors: int = 0) -> SimpleNamespace:
    """What the panel reads of engine.facade's FolderStatus."""
    return SimpleNamespace(path=Path(path), files=files, errors=errors, offline=0, online=True)


def test_the_folder_column_keeps_a_readable_name_at_the_panels_least_width(qtbot):
    """The Folder column stretched into what the counts left, down to the one letter "F", the counts
    scrolled out of view beside it: it keeps about eight characters, the counts in view."""
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    theme = resource_dir() / "theme"  # the app's font and padding decide what fits
    panel.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))
    panel.show()
    qtbot.waitExposed(panel)
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
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    theme = resource_dir() / "theme"
    panel.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))
    panel.show()
    qtbot.waitExposed(panel)
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
