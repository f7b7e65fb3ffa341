"""Results on drives that are not connected: greyed, marked by the offline icon, their names
readable, left out of drags with a sentence saying why, and a preview that says so instead of
playing."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from app import offline
from app.results_model import BADGE_ROLE, COLUMNS, NAME_COLUMN, ResultsModel
from app.results_view import ResultsView, text_width
from app.theme import Colors
from engine.index.status import OFFLINE, OK
from engine.search.searcher import SearchHit
from tests.app.conftest import shown_results

DRIVE = "/media/me/SFX Drive"


def hits() -> list[SearchHit]:
    return [
        SearchHit(path="/lib/door.wav", folder="/lib", status=OK, score=80.0, duration_s=1.0),
        SearchHit(path=f"{DRIVE}/doors/creak.wav", folder=DRIVE, status=OFFLINE, score=60.0, duration_s=2.0),
    ]


def test_offline_rows_are_greyed_marked_and_say_which_drive():
    model = ResultsModel()
    model.set_hits(hits())
    for column in range(len(COLUMNS)):
        assert model.index(0, column).data(Qt.ForegroundRole) is None
        assert model.index(1, column).data(Qt.ForegroundRole) == Colors.offline
        assert "“SFX Drive”" in model.index(1, column).data(Qt.ToolTipRole)
    assert model.index(0, 0).data(Qt.DecorationRole) is None and model.index(0, 0).data(BADGE_ROLE) is None
    assert not model.index(1, 0).data(Qt.DecorationRole).isNull()  # resources/icons/offline.svg
    assert model.index(1, 0).data(BADGE_ROLE) is None  # the icon says it: a badge took the name's room
    assert model.index(1, 0).data() == "creak.wav"


def painted_names(view: ResultsView) -> list[str]:
    """The names the Name column draws, row by row, as the style elides them to the room its
    delegate leaves them beside an icon or a badge."""
    drawn: dict[int, str] = {}

    class Recording(type(view.itemDelegateForColumn(NAME_COLUMN))):
        def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
            super().initStyleOption(option, index)
            drawn[index.row()] = option.fontMetrics.elidedText(option.text, option.textElideMode, text_width(option))

    view.setItemDelegateForColumn(NAME_COLUMN, Recording(view))
    view.viewport().grab()
    return [drawn[row] for row in sorted(drawn)]


def test_an_offline_files_name_stays_readable(qtbot):
    """An "offline · drive" badge took most of the Name cell: "engineer_attack.wav" and
    "engineer.underattack.wav" both read "engine…ck.wav". The name keeps its cell."""
    model, view = shown_results(qtbot, 1060, 300, themed=True)
    names = ["engineer_attack.wav", "engineer.underattack.wav"]
    model.set_hits(
        [SearchHit(path=f"{DRIVE}/engineer/{name}", folder=DRIVE, status=OFFLINE, score=50.0) for name in names]
    )
    qtbot.waitExposed(view)
    assert painted_names(view) == names


def test_offline_files_are_left_out_of_drags_and_the_user_is_told(qtbot):
    model = ResultsModel()
    model.set_hits(hits())
    mime = model.mimeData([model.index(0, 0), model.index(1, 0)])
    assert [u.toLocalFile() for u in mime.urls()] == ["/lib/door.wav"]

    view = ResultsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectRow(1)
    with qtbot.waitSignal(view.message, timeout=1000) as said:
        view.startDrag(Qt.CopyAction)  # nothing but an offline file: no drag starts, a sentence does
    assert said.args == [
        f"Not dragged: creak.wav is offline: it is on “SFX Drive” ({DRIVE}), and its drive is not connected: "
        f"connect it to play or drag this sound."
    ]
    assert offline.drag_message(hits()[1:] * 2, model.missing_folders).startswith(
        "2 offline files were not dragged: connect “SFX Drive”"
    )
