"""Layouts that let the window go narrow enough to sit beside a DAW: panes that stack when
side by side they would not fit, a pane that scrolls up and down only, a page stack as narrow as
the page it shows, a list that keeps its rows above the panes under it, a side panel as wide as
its rows need, a status bar whose long line gives way to its messages, and a row of widgets that
wraps onto more rows (the filters)."""

from __future__ import annotations

import struct

from PySide6.QtCore import QByteArray, QEvent, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QTableView,
    QWidget,
)

MESSAGE_LINE_SHARE = 3  # a message leaves the line that gives way to it a third of the status bar at least
MESSAGE_MARGIN = 24  # px: QStatusBar's margin left of a message, and a gap before the line's rule
UNBOUNDED = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX, which PySide6 does not export
# px the first of two panes (the preview) keeps beside the second (the tags panel) at the least: beside
# a Library panel as narrow as its one folder's row, at 1024 px they went side by side, the waveform
# 388 px wide and five results in view
FIRST_BESIDE = 480
LIST_ROWS_KEPT = 10  # rows a list keeps above the panes under it (ListSplitter), where the height allows
# what ChoiceSplitter saves after Qt's state, as QDataStream writes ints: the splitter's length, and
# the first pane's size the user dragged the handle to (0: none)
_LENGTHS = ">ii"


def least_width(widget: QWidget) -> int:
    """How narrow a layout lets ``widget`` be: its minimum width where one is set, else its hint."""
    return widget.minimumWidth() or widget.minimumSizeHint().width()


class PageStack(QStackedWidget):
    """Pages one at a time, as narrow as the page shown lets it be: the first-run page's wide lines
    held the results' page (and the window) as wide as they are."""

    def __init__(self):
        super().__init__()
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()


class UpDownScroll(QScrollArea):
    """``widget`` in a pane that scrolls up and down, never sideways: as narrow as the widget can be,
    and as short as a scroll bar. The widget fills the pane, or takes its least height and scrolls
    (a scroll area resizing it itself gave the tags panel the height its wrapped lines would like,
    a scroll bar beside it in a window with room)."""

    def __init__(self, widget: QWidget):
        super().__init__(frameShape=QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:
        width = self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # the viewport's too: a scroll bar that comes or goes
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.LayoutRequest:
            self._fit()  # its least height may have changed (a suggestion shown, a message gone)
            # and the splitters above read it (FoldingSplitter.minimumSizeHint): a layout request stops at
            # a scroll area's widget, and a hint wrapped to a second line scrolled the tags panel's
            # Revert and Apply out of view until the window was next resized
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        widget = self.widget()
        least = widget.minimumSizeHint().height()
        widget.resize(self.viewport().width(), max(self.viewport().height(), least))


class FoldingSplitter(QSplitter):
    """Two panes side by side where both fit at their least widths (the first at :data:`FIRST_BESIDE`
    at the least), else one above the other: the preview and the tags panel side by side held the
    window 830 px wider than the library panel, so Earmark could not sit beside a DAW. As narrow as
    its wider pane."""

    def __init__(self, first: QWidget, second: QWidget):
        super().__init__(Qt.Horizontal)
        self.addWidget(first)
        self.addWidget(second)
        self.setStretchFactor(0, 1)

    def side_by_side_width(self) -> int:
        """The least width that holds the panes side by side."""
        first, second = (least_width(self.widget(i)) for i in range(self.count()))
        return max(first, FIRST_BESIDE) + second + self.handleWidth()

    def minimumSizeHint(self) -> QSize:
        """Side by side, as narrow as the wider pane (narrower than both, it stacks them: :meth:`fit`)
        and as tall as the taller one's content: a pane that scrolls (:class:`UpDownScroll`) does so
        only while stacked."""
        hint = super().minimumSizeHint()
        if self.orientation() == Qt.Vertical:
            return hint
        panes = [self.widget(i) for i in range(self.count())]
        contents = [pane.widget() if isinstance(pane, QScrollArea) else pane for pane in panes]
        tallest = max(content.minimumSizeHint().height() for content in contents)
        return QSize(max(least_width(pane) for pane in panes), max(hint.height(), tallest))

    def resizeEvent(self, event) -> None:
        self.fit(event.size().width())
        super().resizeEvent(event)

    def fit(self, width: int) -> None:
        """Side by side if ``width`` holds both panes, else stacked; the second pane starts at the
        width it asks for, or a quarter of the height, the first takes the rest."""
        wanted = Qt.Horizontal if width >= self.side_by_side_width() else Qt.Vertical
        if wanted == self.orientation():
            return
        self.setOrientation(wanted)
        if wanted == Qt.Horizontal:
            second = self.widget(1).sizeHint().width()
            self.setSizes([max(width - second - self.handleWidth(), 1), second])
        else:
            self.setSizes([3, 1])  # the waveform keeps the most; the tags panel scrolls


class ChoiceSplitter(QSplitter):
    """Two panes, the first of a size the splitter decides until the user drags the handle: then of
    the size they chose (:attr:`chosen`, along the splitter), at the next start too. Its saved state
    says the splitter's length then and the size chosen (:meth:`restored`)."""

    def __init__(self, orientation: Qt.Orientation, first: QWidget, second: QWidget):
        super().__init__(orientation)
        self.addWidget(first)
        self.addWidget(second)
        self.chosen: int | None = None  # the first pane's size the user dragged the handle to, if they did
        self.splitterMoved.connect(self._user_moved)  # emitted for the user's drags only, not for setSizes

    def _user_moved(self, _position: int, _handle: int) -> None:
        self.chosen = self.sizes()[0]

    def length(self) -> int:
        """The splitter's size along its panes: its height, or its width side by side."""
        return self.height() if self.orientation() == Qt.Vertical else self.width()

    def saveState(self) -> QByteArray:
        """Qt's state, then the length its sizes are for and the user's :attr:`chosen` size (:meth:`restoreState`)."""
        state = super().saveState()
        state.append(QByteArray(struct.pack(_LENGTHS, self.length(), self.chosen or 0)))
        return state

    def restoreState(self, state: QByteArray) -> bool:
        """The sizes saved and the size the user chose, then :meth:`restored`."""
        restored = super().restoreState(state)  # Qt reads its own state, and leaves the lengths after it
        if restored:
            length, chosen = self._saved_lengths(state)
            self.chosen = chosen or None
            self.restored(length)
        return restored

    def restored(self, length: int | None) -> None:
        """Sizes saved for a splitter ``length`` long (None: an older Earmark's state, which does not say) are back."""

    def _saved_lengths(self, state: QByteArray) -> tuple[int | None, int]:
        """The length ``state``'s sizes are for and the size the user chose (0: none), or (None, 0)
        where it does not say (an older Earmark's)."""
        size = struct.calcsize(_LENGTHS)
        if state.size() != super().saveState().size() + size:
            return None, 0
        return struct.unpack(_LENGTHS, state.right(size).data())


class ListSplitter(ChoiceSplitter):
    """A list above a pane, the list keeping :data:`LIST_ROWS_KEPT` rows in view (or what the pane
    at its least height leaves it) as the window gets shorter, and where sizes saved for a taller
    window come back: the list took all of a change in height, and was down to 5 results at
    1024 x 700 above the preview and the tags panel stacked. Sizes the user set stay until the
    window gets shorter, and come back as they were in a window as tall; a list the user dragged
    shorter than its rows keeps the height they chose instead (:attr:`chosen`): a shorter
    window grew it back to 10 rows over their choice."""

    def __init__(self, rows: QTableView, pane: QWidget):
        super().__init__(Qt.Vertical, rows, pane)
        self.setStretchFactor(0, 1)

    def list_height(self) -> int:
        """The height that shows :data:`LIST_ROWS_KEPT` rows of the list whole, below its header."""
        rows: QTableView = self.widget(0)
        around = rows.height() - rows.viewport().height()  # the header, the frame
        return around + LIST_ROWS_KEPT * rows.verticalHeader().defaultSectionSize()

    def kept_height(self) -> int:
        """The height the list keeps: :meth:`list_height`, or the user's :attr:`chosen` height where it is less."""
        rows = self.list_height()
        return rows if self.chosen is None else min(rows, self.chosen)

    def keep_list(self) -> None:
        """Give the list back its :meth:`kept_height` from the pane, which keeps its least height."""
        listed, pane = self.sizes()
        wanted = self.kept_height()
        if listed < wanted:
            self.setSizes([wanted, listed + pane - wanted])

    def restored(self, length: int | None) -> None:
        """Saved for a taller splitter, or not saying for which, the list keeps its rows (:meth:`keep_list`)."""
        if length is None or length > self.height():
            self.keep_list()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().height() < event.oldSize().height():
            self.keep_list()


class SideSplitter(ChoiceSplitter):
    """A side panel beside the rest, as wide as it asks (its size hint: what its rows need), again
    as that changes, unless the user dragged it wider or narrower (:attr:`chosen`); the rest takes
    what the window gains or loses. The library panel kept 330 px at 1024 px for one folder's row,
    the results and the waveform narrowed beside it (review 11, L1)."""

    def __init__(self, panel: QWidget, rest: QWidget):
        super().__init__(Qt.Horizontal, panel, rest)
        self.setStretchFactor(1, 1)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.LayoutRequest:  # a child's hints changed: the panel's rows, say
            self.fit()
        return handled

    def restored(self, length: int | None) -> None:
        self.fit()

    def fit(self) -> None:
        """The panel as wide as it asks, where the user chose no width and it asks for one (its hint
        valid); the splitter holds it to its least width."""
        total, hint = sum(self.sizes()), self.widget(0).sizeHint()
        if self.chosen is None and total and hint.isValid():
            self.setSizes([hint.width(), total - hint.width()])


class StatusBar(QStatusBar):
    """A status bar whose permanent line (:meth:`give_way`: the results line) narrows while a message
    shows, so the message has its width: QStatusBar gives permanent widgets their size hints first,
    and a results line as wide as the bar left the message none, errors included ("Cannot play…",
    "Suggestions ready…" unseen at 712 px; review 10). The line keeps a third of the bar at least."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._line: QWidget | None = None
        self.messageChanged.connect(lambda _message: self._make_room())

    def give_way(self, line: QWidget) -> None:
        """``line``, one of the permanent widgets, narrows for the messages."""
        self._line = line

    def _make_room(self) -> None:
        if self._line is None:
            return
        message = self.currentMessage()
        if not message:
            self._line.setMaximumWidth(UNBOUNDED)
            return
        right = self._line.geometry().right() + 1  # the line ends where the widgets right of it begin
        room = right - self.fontMetrics().horizontalAdvance(message) - MESSAGE_MARGIN
        self._line.setMaximumWidth(max(room, self.width() // MESSAGE_LINE_SHARE))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._make_room()


class FlowLayout(QLayout):
    """Widgets side by side, onto a next row where the width runs out: the filters held the window
    1,100 px wide in one row, so Earmark could not sit beside the DAW it drags sounds into. As
    narrow as its widest widget; its height follows its width (:meth:`heightForWidth`)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """All in one row."""
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown) + self.spacing() * max(len(shown) - 1, 0)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:
        """One widget a row, at the most."""
        shown = self._shown()
        width = max((item.minimumSize().width() for item in shown), default=0)
        return QSize(width, max((item.minimumSize().height() for item in shown), default=0)).grownBy(
            self.contentsMargins()
        )

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _rows(self, width: int) -> list[list[tuple[QLayoutItem, QSize]]]:
        """The widgets in rows of ``width``, each with its size (no wider than a row)."""
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        used = 0
        for item in self._shown():
            size = item.sizeHint().boundedTo(QSize(width, item.sizeHint().height()))
            if rows[-1] and used + self.spacing() + size.width() > width:
                rows.append([])
            used = (used + self.spacing() if rows[-1] else 0) + size.width()
            rows[-1].append((item, size))
        return rows

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the widgets out in rows within ``rect``, each centred in its row's height (only
        measured, unless ``move``); returns the height they take."""
        area = rect.marginsRemoved(self.contentsMargins())
        y = area.y()
        for row in self._rows(area.width()):
            height = max((size.height() for _item, size in row), default=0)
            x = area.x()
            for item, size in row:
                if move:
                    item.setGeometry(QRect(x, y + (height - size.height()) // 2, size.width(), size.height()))
                x += size.width() + self.spacing()
            y += height + self.spacing()
        return y - self.spacing() + self.contentsMargins().bottom() - rect.y()
