"""Talking to the desktop around the app: the file manager and the clipboard."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QUrl
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
    if paths:
        QGuiApplication.clipboard().setText("\n".join(paths))
