"""Results on drives that are not connected: greyed, badged with the drive's name, left out of
drags with a sentence saying why, and a preview that says so instead of playing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app import offline
from app.results_model import BADGE_ROLE, COLUMNS, ResultsModel
from app.results_view import ResultsView
from app.theme import Colors
from engine.index.status import OFFLINE, OK
from engine.search.searcher import SearchHit

DRIVE = "/media/me/SFX Drive"


def hits() -> list[SearchHit]:
    return [
        SearchHit(path="/lib/door.wav", folder="/lib", status=OK, score=80.0, duration_s=1.0),
        SearchHit(path=f"{DRIVE}/doors/creak.wav", folder=DRIVE, status=OFFLINE, score=60.0, duration_s=2.0),
    ]


def test_offline_rows_are_greyed_badged_and_say_which_drive():
    model = ResultsModel()
    model.set_hits(hits())
    for column in range(len(COLUMNS)):
        assert model.index(0, column).data(Qt.ForegroundRole) is None
        assert model.index(1, column).data(Qt.ForegroundRole) == Colors.offline
        assert "“SFX Drive”" in model.index(1, column).data(Qt.ToolTipRole)
    assert model.index(0, 0).data(Qt.DecorationRole) is None and model.index(0, 0).data(BADGE_ROLE) is None
    assert not model.index(1, 0).data(Qt.DecorationRole).isNull()  # resources/icons/offline.svg
    assert model.index(1, 0).data(BADGE_ROLE) == "offline · SFX Drive"
    assert model.index(1, 0).data() == "creak.wav"


def test_the_badge_is_painted_on_offline_rows_only(qtbot):
    model = ResultsModel()
    model.set_hits(hits())
    view = ResultsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()

    def marked_pixels(row: int) -> int:
        """Pixels in the right third of the name cell that are not the row's background."""
        cell = view.visualRect(model.index(row, 0))
        background = image.pixelColor(cell.right() - 1, cell.top() + 1)
        return sum(
            1
            for x in range(cell.right() - cell.width() // 3, cell.right())
            for y in range(cell.top() + 2, cell.bottom() - 1)
            if _distance(image.pixelColor(x, y), background) > 30
        )

    assert marked_pixels(0) == 0  # a short name leaves the right of its cell empty
    assert marked_pixels(1) > 50  # the "offline · SFX Drive" pill


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


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
        f"Not dragged: creak.wav is offline: it is on “SFX Drive” ({DRIVE}), which is not "
        f"connected. Connect it to play or drag this sound."
    ]
    assert offline.drag_message(hits()[1:] * 2).startswith("2 offline files were not dragged: connect “SFX Drive”")
