"""Talking to the desktop around the app: the file manager, the clipboard and what a drag carries."""

from __future__ import annotations

import atexit
import functools
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, QProcess, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication


def reveal_in_file_manager(path: str) -> bool:
    """Show ``path`` selected in Finder/Explorer; elsewhere open its folder (no portable 'select').
    False when no file manager could be started (none set up to open folders): the caller says so."""
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", path])[0]
    if sys.platform.startswith("win"):
        return QProcess.startDetached("explorer", [f"/select,{Path(path)}"])[0]
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


def copy_paths(paths: list[str]) -> None:
    """The files on the clipboard as a drag carries them: a file manager or a DAW pastes the files
    themselves (their URLs), a text field their paths."""
    if not paths:
        return
    QGuiApplication.clipboard().setMimeData(file_mime_data(paths))
    if QGuiApplication.platformName() == "offscreen":
        _release_clipboard_at_exit()


@functools.cache
def _release_clipboard_at_exit() -> None:
    """Qt's offscreen clipboard (tests, screenshots) deletes the data it holds after Python has
    shut down, and the process crashes at exit; the xcb one does not. Clear it while Python runs."""
    atexit.register(lambda: QGuiApplication.instance() and QGuiApplication.clipboard().clear())


def file_mime_data(paths: Sequence[str]) -> QMimeData:
    """What a DAW or file manager accepts from a drag or a paste: file URLs, plus the paths as text."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
    mime.setText("\n".join(paths))
    return mime
