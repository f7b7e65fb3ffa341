"""An offline library folder says its way out: one missing from a drive that is there (moved,
renamed or deleted) asks for its new place, one on a drive not connected asks for the drive. The
Library panel's row and the offline results' tooltips say it alike."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from app.library_panel import LibraryPanel
from app.offline import note_folders
from app.results_model import ResultsModel
from engine.index.status import OFFLINE
from engine.search.searcher import SearchHit

MOVED, DRIVE = "/home/me/Foley", "/media/me/SFX Drive"


@pytest.fixture
def panel(qtbot):
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.show_folders(
        [
            SimpleNamespace(path=MOVED, files=0, errors=0, offline=3, online=False, missing=True),
            SimpleNamespace(path=DRIVE, files=0, errors=0, offline=5, online=False, missing=False),
        ]
    )
    yield panel
    note_folders([])


def test_the_library_panel_says_missing_or_not_connected(panel):
    moved, unplugged = (panel.folders.topLevelItem(row).toolTip(0) for row in (0, 1))
    assert moved == f"{MOVED}\nOffline, missing: moved, renamed or deleted? Add its new place, or remove it."
    assert unplugged == f"{DRIVE}\nOffline: its drive is not connected: connect it."


def test_offline_results_say_the_same_as_their_folder(panel):
    model = ResultsModel()
    model.set_hits(
        [
            SearchHit(path=f"{MOVED}/door.wav", folder=MOVED, status=OFFLINE, score=80.0),
            SearchHit(path=f"{DRIVE}/creak.wav", folder=DRIVE, status=OFFLINE, score=60.0),
        ]
    )
    moved, unplugged = (model.index(row, 0).data(Qt.ToolTipRole) for row in (0, 1))
    assert "missing: moved, renamed or deleted? Add its new place, or remove it" in moved
    assert "not connected" not in moved
    assert "its drive is not connected: connect it" in unplugged and "moved" not in unplugged
