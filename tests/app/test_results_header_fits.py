"""Review 12, M5: in a 1024 x 700 window the results' header read "DURA…" and "CH…", and a copies
badge "+2 …ies" beside "laser.ogg" with room to spare. Every title reads whole, short where its
column is narrow ("Ch.", the title whole in its tooltip), and a badge reads whole, "+2" where the
name needs the room."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSize
from PySide6.QtGui import QHelpEvent, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyleOptionHeader, QStyleOptionViewItem, QToolTip

from app.results_model import COLUMNS, NAME_COLUMN
from app.results_view import BADGE_GAP, ResultsView, text_width
from tests.app.conftest import Hit, column, shown_results
from tests.app.test_result_groups import shown_text

# The results' width in a 1024 x 700 window beside the Library (review 12's screenshot: 828 px of
# rows and a 10 px scroll bar), and narrower ones down to where columns fold away
AT_1024 = 838
WIDTHS = (AT_1024, 1100, 760, 640)
LONG_NAME = "explosion_far_rumble_debris_tail_stereo_07.wav"


def _review_hits() -> list[Hit]:
    """The review's "explosion" list: OGG names, one with two copies, a Description on some, and
    more rows than the view shows (its scroll bar)."""
    ogg = {"format": "ogg", "bit_depth": None, "folder": "/lib"}
    copies = ("/lib/a/laser.ogg", "/lib/b/laser.ogg")
    hits = [
        Hit("/lib/share/sounds/en/laser.ogg", 90, 3.12, 11_025, 1, copies=copies, **ogg),
        Hit("/lib/colobot/music/Proton.ogg", 89, 162.35, 44_100, 2, metadata_text="Colobot: Gold Edition", **ogg),
        Hit("/lib/share/sp-impact_heavy_00.ogg", 88, 0.87, 22_050, 1, **ogg),
    ]
    return hits + [Hit(f"/lib/sfx/boom_{n:02d}.wav", 80 - n, 1.81, 22_050, 1, bit_depth=16) for n in range(30)]


def _shown_title(header, section: int) -> tuple[str, QRect, QStyleOptionHeader]:
    """The text the header draws in ``section``, the room its style leaves for it, and its style option."""
    option = QStyleOptionHeader()
    header.initStyleOption(option)
    header.initStyleOptionForIndex(option, section)
    option.rect = QRect(0, 0, header.sectionSize(section), header.height())
    return option.text, header.style().subElementRect(QStyle.SE_HeaderLabel, option, header), option


def _review_list(qtbot, width: int, hits: list[Hit] | None = None) -> ResultsView:
    model, view = shown_results(qtbot, width, 300, themed=True)
    view.show_descriptions(True)  # the library holds a description
    model.set_hits(hits or _review_hits(), True)
    QCoreApplication.processEvents()
    return view


def test_every_header_title_reads_whole_at_1024_px_and_narrower(qtbot):
    for width in WIDTHS:
        view = _review_list(qtbot, width)
        header = view.horizontalHeader()
        shown = [c for c in range(len(COLUMNS)) if not header.isSectionHidden(c)]
        for section in shown:
            text, room, option = _shown_title(header, section)
            # whole in the theme's header font and padding (Qt's measure of a section holding it, the sort
            # arrow left out: the padding holds it), and not elided by Qt's own measure of the room either
            option.sortIndicator = QStyleOptionHeader.SortIndicator.None_
            needs = header.style().sizeFromContents(QStyle.CT_HeaderSection, option, QSize(), header).width()
            assert needs <= header.sectionSize(section), (width, text, header.sectionSize(section))
            assert option.fontMetrics.elidedText(text, header.textElideMode(), room.width()) == text, (width, text)
            assert "…" not in text, (width, text)
        assert view.horizontalScrollBar().maximum() == 0  # and the table does not scroll sideways for them
        if width == AT_1024:
            assert len(shown) == len(COLUMNS) - 2  # the empty Tags and Caption alone fold away
            names = [(row, view.model().index(row, NAME_COLUMN).data()) for row in range(1, 12)]
            assert all(shown_text(view, row, NAME_COLUMN)[0] == name for row, name in names)  # the Name keeps its room
            assert {_shown_title(header, c)[0] for c in (column("Duration"), column("Channels"))} == {"Dur.", "Ch."}


def test_a_short_titles_tooltip_is_the_title_whole(qtbot):
    view = _review_list(qtbot, AT_1024)
    header = view.horizontalHeader()
    channels = column("Channels")
    spot = QPoint(header.sectionViewportPosition(channels) + 5, header.height() // 2)
    event = QHelpEvent(QEvent.ToolTip, spot, header.viewport().mapToGlobal(spot))
    QCoreApplication.sendEvent(header.viewport(), event)
    assert QToolTip.text() == "Channels"
    QToolTip.hideText()


class _Said(QPainter):
    """A painter that keeps what a delegate's own code draws as text, and where."""

    def __init__(self, device):
        super().__init__(device)
        self.said: list[tuple[str, float]] = []

    def drawText(self, rect, flags, text):  # noqa: N802 - Qt's name
        self.said.append((text, rect.width()))
        super().drawText(rect, flags, text)


def _drawn_badge(view: ResultsView, row: int) -> tuple[str, float]:
    """The badge the Name cell of ``row`` draws, and the width of its pill."""
    index = view.model().index(row, NAME_COLUMN)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    image = QImage(option.rect.right() + 1, option.rect.bottom() + 1, QImage.Format_ARGB32)
    painter = _Said(image)
    view.itemDelegateForIndex(index).paint(painter, option, index)
    painter.end()
    assert len(painter.said) == 1
    return painter.said[0]


def test_a_copies_badge_reads_whole_and_short_where_the_name_needs_the_room(qtbot):
    view = _review_list(qtbot, AT_1024)
    metrics = view.fontMetrics()
    badge, pill = _drawn_badge(view, 0)  # laser.ogg
    assert badge == "+2 copies" and metrics.horizontalAdvance(badge) < pill  # whole, in its pill
    beside = QStyleOptionViewItem()  # and the name whole in the room it leaves
    view.initViewItemOption(beside)
    beside.rect = view.visualRect(view.model().index(0, NAME_COLUMN)).adjusted(0, 0, -pill - BADGE_GAP, 0)
    assert metrics.horizontalAdvance("laser.ogg") <= text_width(beside)

    copied = Hit(f"/lib/sfx/{LONG_NAME}", 95, copies=("/lib/old/a.wav", "/lib/new/a.wav"))
    view = _review_list(qtbot, 640, [copied, *_review_hits()])  # a long name, cut anyway: the badge leaves it the room
    badge, pill = _drawn_badge(view, 0)
    assert badge == "+2" and metrics.horizontalAdvance(badge) < pill
