"""Where the app's resources live, and the dark theme.

Resources sit in ``resources/`` next to the packages in a checkout, and under
PyInstaller's unpack folder in a bundle; every lookup goes through
:func:`resource_dir` so both work.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication


def resource_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parents[1]
    return base / "resources"


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(resource_dir() / "icons" / f"{name}.svg"))


class Colors:
    """Colours the custom-painted widgets share with the QSS."""

    background = QColor("#101215")
    lane = QColor("#14171b")
    grid = QColor("#23272e")
    ruler_text = QColor("#6c7480")
    wave = QColor("#3fc8b8")
    wave_rms = QColor("#7ee8dc")
    playhead = QColor("#f5a623")
    match = QColor(245, 166, 35, 46)
    match_edge = QColor(245, 166, 35, 160)
    selection = QColor(95, 184, 255, 60)
    selection_edge = QColor("#5fb8ff")
    text = QColor("#d5d9e0")
    dim_text = QColor("#8a929e")
    level_plate = QColor(16, 18, 21, 215)  # the background, nearly opaque: a label read over the wave
    score_bar = QColor("#3fc8b8")
    offline = QColor("#5d646e")  # results on drives that are not connected
    failed = QColor("#e8836f")  # a library folder's count while some of its files failed


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, value in (
        (QPalette.Window, "#16181c"),
        (QPalette.WindowText, "#d5d9e0"),
        (QPalette.Base, "#14161a"),
        (QPalette.AlternateBase, "#181b20"),
        (QPalette.Text, "#d5d9e0"),
        (QPalette.Button, "#262a31"),
        (QPalette.ButtonText, "#dde1e7"),
        (QPalette.Highlight, "#284556"),
        (QPalette.HighlightedText, "#ffffff"),
        (QPalette.ToolTipBase, "#23272e"),
        (QPalette.ToolTipText, "#e6e9ee"),
        (QPalette.PlaceholderText, "#5d646e"),
        (QPalette.Link, "#5fb8ff"),
    ):
        palette.setColor(role, QColor(value))
    app.setPalette(palette)
    theme = resource_dir() / "theme"
    # the stylesheet names its images (the check mark) by @THEME_DIR@: QSS resolves a relative url()
    # against the working directory, not the stylesheet's folder
    app.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))
    app.setWindowIcon(icon("earmark"))
