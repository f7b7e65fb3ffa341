"""The results table: keyboard-first, drags files out, draws scores as bars."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QTableView)

from app.results_model import COLUMNS, HIT_ROLE, SCORE_COLUMN, SCORE_ROLE
from app.theme import Colors

ROW_HEIGHT = 24


class ScoreDelegate(QStyledItemDelegate):
    """The score as a thin relevance bar under its number: ranking reads at a glance."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        option = QStyleOptionViewItem(option)
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        if style:
            style.drawPrimitive(QStyle.PE_PanelItemViewItem, option, painter, option.widget)
        fraction = index.data(SCORE_ROLE)
        rect = QRectF(option.rect).adjusted(6, 0, -6, 0)
        if fraction is not None:
            bar = QRectF(rect.left(), rect.bottom() - 6, rect.width() * max(0.04, fraction), 3)
            painter.fillRect(QRectF(rect.left(), bar.top(), rect.width(), 3), Colors.grid)
            painter.fillRect(bar, Colors.score_bar)
        painter.setPen(option.palette.highlightedText().color() if option.state & QStyle.State_Selected
                       else Colors.text)
        painter.drawText(rect.adjusted(0, -2, 0, -2), Qt.AlignRight | Qt.AlignVCenter, index.data() or "")


class MiddleElideDelegate(QStyledItemDelegate):
    """File names and folders keep both ends readable (take numbers, last folder); prose elides at the end."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.ElideMiddle


class ResultsView(QTableView):
    reveal_requested = Signal(list)  # paths
    copy_requested = Signal(list)  # paths

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setSortingEnabled(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setDefaultDropAction(Qt.CopyAction)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.ElideRight)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setItemDelegateForColumn(SCORE_COLUMN, ScoreDelegate(self))
        middle = MiddleElideDelegate(self)
        for column, spec in enumerate(COLUMNS):
            if spec.title in ("Name", "Folder"):
                self.setItemDelegateForColumn(column, middle)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.Fixed)  # fixed heights: no per-row measuring at 100 k rows
        rows.setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)

    def setModel(self, model) -> None:
        super().setModel(model)
        for column, spec in enumerate(COLUMNS):
            self.setColumnWidth(column, spec.width)
        self.horizontalHeader().setSortIndicator(SCORE_COLUMN, Qt.DescendingOrder)

    def selected_hits(self) -> list:
        return [index.data(HIT_ROLE) for index in sorted(self.selectionModel().selectedRows(), key=lambda i: i.row())]

    def selected_paths(self) -> list[str]:
        return [str(hit.path) for hit in self.selected_hits()]

    def move_current(self, key: int) -> None:
        """Arrow keys typed in the search field step through the results (and audition them)."""
        if self.model() is None or self.model().rowCount() == 0:
            return
        current = self.currentIndex()
        if not current.isValid():
            self.selectRow(0)
            return
        self.keyPressEvent(QKeyEvent(QKeyEvent.KeyPress, key, Qt.NoModifier))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.reveal_requested.emit(self.selected_paths())
        elif event.matches(QKeySequence.Copy):
            self.copy_requested.emit(self.selected_paths())
        else:
            super().keyPressEvent(event)
