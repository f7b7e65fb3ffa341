"""An offline library folder says its way out: one missing from a drive that is there (moved,
renamed or deleted) asks for its new place, one on a drive not connected asks for the drive. The
Library panel's row and the offline results' tooltips say it alike."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from app.library_panel import LibraryPanel
from app.results_model import ResultsModel
from app.results_view import ResultsView
from engine.index.status import OFFLINE
from engine.search.searcher import SearchHit

MOVED, DRIVE = "/home/me/Foley", "/media/me/SFX Drive"
FOLDERS = [  # the facade's FolderStatus records, as the window lists them
    SimpleNamespace(path=MOVED, files=0, errors=0, offline=3, online=False, missing=True),
    SimpleNamespace(path=DRIVE, files=0, errors=0, offline=5, online=False, missing=False),
]


@pytest.fixture
def panel(qtbot):
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.show_folders(FOLDERS)
    return panel


def offline_hits() -> list[SearchHit]:
    return [
        SearchHit(path=f"{MOVED}/door.wav", folder=MOVED, status=OFFLINE, score=80.0),
        SearchHit(path=f"{DRIVE}/creak.wav", folder=DRIVE, status=OFFLINE, score=60.0),
    ]


def tooltips(model: ResultsModel) -> list[str]:
    return [model.index(row, 0).data(Qt.ToolTipRole) for row in range(model.rowCount())]


def test_the_library_panel_says_missing_or_not_connected(panel):
    moved, unplugged = (panel.folders.topLevelItem(row).toolTip(0) for row in (0, 1))
    assert moved == f"{MOVED}\nOffline, missing: moved, renamed or deleted? Add its new place, or remove it."
    assert unplugged == f"{DRIVE}\nOffline: its drive is not connected: connect it."


def test_offline_results_say_the_same_as_their_folder():
    model = ResultsModel()
    model.set_folders(FOLDERS)
    model.set_hits(offline_hits())
    moved, unplugged = tooltips(model)
    assert "missing: moved, renamed or deleted? Add its new place, or remove it" in moved
    assert "not connected" not in moved
    assert "its drive is not connected: connect it" in unplugged and "moved" not in unplugged


def test_each_results_list_says_it_by_its_own_folders(qtbot):
    """The folders were kept in one module-wide list, the last Library panel's: a second window (or
    a test before) decided what every results list said of its offline sounds. Two lists given
    different folders each say what theirs are, whichever was given its folders last."""
    unplugged = [
        SimpleNamespace(**{**vars(folder), "missing": False}) for folder in FOLDERS
    ]  # both drives not connected
    this, other = ResultsModel(), ResultsModel()
    this.set_folders(FOLDERS)
    other.set_folders(unplugged)
    for model in (this, other):
        model.set_hits(offline_hits())
    assert "moved, renamed or deleted" in tooltips(this)[0] and "not connected" not in tooltips(this)[0]
    assert all("its drive is not connected: connect it" in said for said in tooltips(other))
    assert all("moved" not in said for said in tooltips(other))

    view = ResultsView()  # a drag of this list's rows says it as its tooltips do
    qtbot.addWidget(view)
    view.setModel(this)
    view.selectAll()
    with qtbot.waitSignal(view.message, timeout=1000) as said:
        view.startDrag(Qt.CopyAction)
    assert said.args == [
        "2 offline files were not dragged: connect “SFX Drive” and find “Foley” (moved, renamed or deleted?) "
        "to use them."
    ]
