"""The library sidebar: watched folders with their counts and, below each, its subfolders that
hold sounds (a tree read from the index off the UI thread); and the files that failed and why,
and those indexed with a warning.

Selecting a folder, a library folder or any folder below one, filters the results to it and
everything below, as the filter bar's folder choice does; the two follow each other. A right-click
opens a folder's menu without selecting it: what the menu does leaves the search as it was.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.offline import folder_said
from app.theme import Colors, icon
from app.workers import submit
from engine.fs import folder_names, is_inside
from engine.library.report import unreadable_formats_row, unreadable_formats_said, warned_row
from engine.plural import counted

PATH_ROLE = Qt.UserRole + 1
ROOT_ROLE = Qt.UserRole + 2  # True on a library folder's row, False on a subfolder's
FILLED_ROLE = Qt.UserRole + 3  # a subfolder row whose own subfolders are rows yet
GROUP_OPEN = 20  # up to this many files of a row of them (sounds it cannot read, or indexed with a warning) show open
# How often the folders' counts are read again while a run embeds (the index commits every 32
# files or 10 s): a new folder read "0 so far" until its run ended.
COUNTS_EVERY_S = 5.0
# of a library folder's name, the least the Folder column shows (a subfolder's shows whole: the tree scrolls)
FOLDER_CHARACTERS = 20
PANEL_WIDTH = 330  # px the panel asks for at the most, for its folders' names whole (the user may drag it wider)
FOLDER_INDENT = 12  # px a subfolder's row is indented under its folder's (Qt's 20 hid names 5 levels down)
FAILED_OPEN = 200  # px the Failed files pane opens to when a file fails


def subfolder_tree(counts: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    """{folder: [(subfolder, its sounds)], by name} from :meth:`engine.facade.Engine.subfolders`'
    counts, so a row's children are found without scanning all the folders of the library."""
    below: dict[str, list[tuple[str, int]]] = {}
    for path, count in counts.items():
        below.setdefault(os.path.dirname(path), []).append((path, count))
    for children in below.values():
        children.sort(key=lambda child: os.path.basename(child[0]).casefold())
    return below


def _title_row(title: QLabel, *buttons: QToolButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(title, 1)
    for button in buttons:
        row.addWidget(button)
    return row


def _button(icon_name: str, tip: str) -> QToolButton:
    button = QToolButton(toolTip=tip)
    button.setIcon(icon(icon_name))
    button.setIconSize(QSize(16, 16))
    return button


def _opened_below(item: QTreeWidgetItem) -> list[str]:
    """The folders of the opened rows below ``item`` (rows exist only where a folder was opened)."""
    opened, rows = [], [item.child(i) for i in range(item.childCount())]
    while rows:
        row = rows.pop()
        if row.isExpanded():
            opened.append(row.data(0, PATH_ROLE))
            rows += [row.child(i) for i in range(row.childCount())]
    return opened


def _cell_width(tree: QTreeWidget, item: QTreeWidgetItem) -> int:
    """px ``item``'s first cell takes with its icon and text whole (its branch and the levels above left out)."""
    index = tree.indexFromItem(item, 0)
    option = QStyleOptionViewItem()
    tree.initViewItemOption(option)
    return tree.itemDelegateForIndex(index).sizeHint(option, index).width()


def _tree(headers: list[str], kind: type[QTreeWidget] = QTreeWidget) -> QTreeWidget:
    tree = kind()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setTextElideMode(Qt.ElideMiddle)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.Stretch)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
    return tree


COUNTS_COLUMN = 1  # the folders' tree's Indexed column


class _CountsHeader(QHeaderView):
    """The folders' tree's header, the counts' title at its right edge while the tree is scrolled
    sideways short of its end (:meth:`pinned`), as the counts are (:class:`FolderTreeWidget`)."""

    def __init__(self, tree: QTreeWidget):
        super().__init__(Qt.Horizontal, tree)
        self.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)  # as a tree's own header

    def pinned(self) -> QRect | None:
        """Where the counts' column is drawn, in the header's (and the tree's viewport's) x: at the
        right edge while it is scrolled out of view, whole or in part; None while it is in view."""
        if self.count() <= COUNTS_COLUMN or self.isSectionHidden(COUNTS_COLUMN):
            return None
        width = self.sectionSize(COUNTS_COLUMN)
        left = self.viewport().width() - width
        return QRect(left, 0, width, self.height()) if self.sectionViewportPosition(COUNTS_COLUMN) > left else None

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if (pinned := self.pinned()) is not None:
            painter = QPainter(self.viewport())
            self.paintSection(painter, pinned, COUNTS_COLUMN)
            painter.end()


class FolderTreeWidget(QTreeWidget):
    """The folders' tree. Its Folder column fills what the counts leave, and widens (the tree then
    scrolls sideways) for a subfolder's name to show whole however deep it is: rows below `soundfx`
    read as a folder icon and a count, their names indented out of view, the chosen one a blank
    bar. The counts stay at the right edge as the names scroll under them (:meth:`drawRow`): a
    narrow tree scrolled to a name's start had scrolled them out of view. A library folder's name is
    cut in its middle, as before (it starts at the left)."""

    menu_requested = Signal(object, QPoint)  # a row's menu asked for (its item), and where on the screen

    def __init__(self):
        super().__init__()
        self.setHeader(_CountsHeader(self))
        self.setIndentation(FOLDER_INDENT)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self._widest = 0  # px a shown subfolder's row takes with its name whole (measure_names)
        self._outlined: QTreeWidgetItem | None = None  # the row a menu is open for (outline)
        # the counts' columns fit what they show later than a change of their text: the Folder follows
        self.header().sectionResized.connect(lambda column, _old, _new: column and self.fit_names())

    def sizeHint(self) -> QSize:
        """As wide as the shown folders' names whole need: the library folders' and the open
        subfolders' (:func:`_tree_width`). Sized to the library folders alone, a library folder
        named "lib" left a review's panel 183 px wide, its subfolders three levels down reading
        "co" and "fill" beside the counts (review 12, M3)."""
        return QSize(_tree_width(self, None, self._widest), super().sizeHint().height())

    def measure_names(self) -> None:
        """Measure the shown subfolders' rows again (rows opened, closed, made or renamed), and fit."""
        widest, rows = 0, [(self.topLevelItem(i), 0) for i in range(self.topLevelItemCount())]
        while rows:
            item, depth = rows.pop()
            if not item.isExpanded():
                continue
            for child in (item.child(i) for i in range(item.childCount())):
                widest = max(widest, (depth + 2) * self.indentation() + _cell_width(self, child))
                rows.append((child, depth + 1))
        self._widest = widest
        self.fit_names()
        self.updateGeometry()  # its size hint follows the rows shown (the panel asks for it: LibraryPanel)

    def fit_names(self) -> None:
        """The Folder column as wide as the counts leave, or as the widest shown subfolder's row."""
        header = self.header()
        counts = sum(header.sectionSize(c) for c in range(1, header.count()) if not self.isColumnHidden(c))
        header.resizeSection(0, max(self.viewport().width() - counts, self._widest))

    def resizeEvent(self, event) -> None:  # the viewport's size too: a scroll bar that comes or goes
        super().resizeEvent(event)
        self.fit_names()

    def show_name(self, item: QTreeWidgetItem) -> None:
        """Scroll sideways as little as shows ``item``'s name whole beside the counts (its branch
        too, where the room left of them holds both); a name wider than that room, from its start."""
        self.updateGeometries()  # the scroll range of the column just fitted
        bar = self.horizontalScrollBar()
        index = self.indexFromItem(item, 0)
        left = self.visualRect(index).left() + bar.value()  # where its icon starts, scrolled to the start
        end = left + _cell_width(self, item)
        room = self.viewport().width() - self.header().sectionSize(COUNTS_COLUMN)
        bar.setValue(min(left, max(0, end - room)))  # the bar keeps it in its range

    def drawRow(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        """The row, and its count again at the right edge while the counts' column is scrolled out
        of view (:meth:`_CountsHeader.pinned`), over the names, on the row's own background; ringed
        over both while a menu is open for it (:meth:`outline`)."""
        super().drawRow(painter, option, index)
        self._pin_count(painter, option, index)
        if self._outlined is not None and self.itemFromIndex(index) is self._outlined:
            painter.save()
            painter.setPen(Colors.selection_edge)
            row = QRect(0, option.rect.top(), self.viewport().width(), option.rect.height())
            painter.drawRect(row.adjusted(0, 0, -1, -1))
            painter.restore()

    def _pin_count(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        pinned = self.header().pinned()
        if pinned is None:
            return
        count = index.siblingAtColumn(COUNTS_COLUMN)
        cell = QStyleOptionViewItem(option)
        cell.rect = QRect(pinned.left(), option.rect.top(), pinned.width(), option.rect.height())
        row = (option.rect.top() + self.verticalOffset()) // max(option.rect.height(), 1)  # as Qt counts rows
        if self.alternatingRowColors() and row % 2:
            cell.features |= QStyleOptionViewItem.Alternate
        if self.selectionModel().isSelected(count):
            cell.state |= QStyle.State_Selected
        painter.fillRect(cell.rect, cell.palette.brush(QPalette.Base))
        self.style().drawPrimitive(QStyle.PE_PanelItemViewRow, cell, painter, self)
        self.itemDelegateForIndex(count).paint(painter, cell, count)
        painter.save()
        painter.setPen(Colors.grid)  # the edge the names scroll under
        painter.drawLine(cell.rect.topLeft(), cell.rect.bottomLeft())
        painter.restore()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Ask for a row's menu (:attr:`menu_requested`): the row right-clicked, or from the keyboard
        (the menu key) the current one. The keyboard's event is in the tree's coordinates, where a
        mouse's is in its viewport's: looked up by its point, it was the row below's menu."""
        keyboard = event.reason() == QContextMenuEvent.Keyboard
        item = self.currentItem() if keyboard else self.itemAt(event.pos())
        if item is not None:
            self.menu_requested.emit(item, event.globalPos())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A right-click opens its row's menu (:meth:`LibraryPanel._show_folder_menu`) and leaves
        the selection be: selecting a row filters the results to its folder, and "Suggest tags for
        this folder" narrowed the search the user had only asked to tag."""
        if event.button() == Qt.RightButton:
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # the right-click's release: its press was not the view's
        if event.button() == Qt.RightButton:
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def outline(self, item: QTreeWidgetItem | None) -> None:
        """Ring ``item``'s row (None: none): the row a menu is open for, which a right-click does
        not select (:meth:`mousePressEvent`), so the menu's row shows beside the selected one."""
        self._outlined = item
        self.viewport().update()

    def indexAt(self, point: QPoint) -> QModelIndex:
        """The count where it is drawn at the right edge (:meth:`drawRow`): its tooltip says what it counts."""
        index = super().indexAt(point)
        pinned = self.header().pinned()
        if index.isValid() and pinned is not None and point.x() >= pinned.left():
            return index.siblingAtColumn(COUNTS_COLUMN)
        return index


def _count_said(folder, filling: bool) -> str:
    """The tooltip of a library folder's count: what is not searchable yet, and why."""
    said = []
    if filling and folder.online:
        said.append(f"Indexing is not finished: {counted(folder.files, 'sound')} searchable so far")
    if folder.errors:
        said.append(f"{counted(folder.errors, 'sound')} could not be read: see Failed files")
    return "\n".join(said)


def _tree_width(tree: QTreeWidget, characters: int | None, subfolders: int = 0) -> int:
    """The folders' tree's width with the counts' columns shown and the vertical scroll bar, and a
    Folder column with a library folder's branch, icon and its library folders' widest name, whole
    or up to ``characters`` of it (with the cell's padding and margins, about four characters more),
    or ``subfolders`` px where that is wider (the widest open subfolder's row, names whole)."""
    header = tree.header()
    icon = tree.style().pixelMetric(QStyle.PM_SmallIconSize, None, tree)
    metrics = tree.fontMetrics()
    rows = (tree.topLevelItem(row) for row in range(tree.topLevelItemCount()))
    name = max((metrics.horizontalAdvance(item.text(0)) for item in rows), default=0)
    if characters is not None:
        name = min(name, characters * metrics.averageCharWidth())
    folder = max(tree.indentation() + icon + name + 4 * metrics.averageCharWidth(), subfolders)
    counts = sum(  # as wide as the counts' columns fit what they show (ResizeToContents does so later)
        max(header.sectionSizeHint(column), tree.sizeHintForColumn(column))
        for column in range(1, header.count())
        if not tree.isColumnHidden(column)
    )
    return folder + counts + 2 * tree.frameWidth() + tree.verticalScrollBar().sizeHint().width()


class _FolderNameDelegate(QStyledItemDelegate):
    """The Folder column: a subfolder's name is cut on the right, where a library folder's is cut
    in the middle (as the tree cuts). Packs of a library are told apart by how their names begin:
    cut in the middle, "freedink-data" and "freedroidrpg-data" both read "fre…ata"; a library
    folder's name ends in what tells two of one name apart ("ucslib (s35/review)")."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        if not index.data(ROOT_ROLE):
            option.textElideMode = Qt.ElideRight


class LibraryPanel(QWidget):
    add_requested = Signal(str)
    remove_requested = Signal(str)
    rescan_requested = Signal()
    failed_file_activated = Signal(str)
    folder_chosen = Signal(object)  # the folder the user selected (a library folder or one below); None: none
    export_requested = Signal(str)  # "Export tagged copies…" of a folder's right-click menu

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SidePanel")
        self.add_button = _button("folder-add", "Add a folder to the library")
        self.remove_button = _button("folder-remove", "Stop watching the selected folder (files stay on disk)")
        self.rescan_button = _button("rescan", "Rescan every folder for new, changed and removed files")
        self.folders = _tree(["Folder", "Indexed"], FolderTreeWidget)
        self.folders.header().setSectionResizeMode(0, QHeaderView.Interactive)  # fitted by the tree
        self.folders.setRootIsDecorated(True)  # library folders open onto their subfolders
        self.folders.setItemDelegateForColumn(0, _FolderNameDelegate(self.folders))
        self._roots: dict[str, QTreeWidgetItem] = {}
        self._folders: list = []  # the FolderStatus records shown
        self._read = False  # the library's folders were shown (show_folders): the panel knows its rows' width
        self._indexing = False  # a run has files left (running or paused): the counts are not final yet
        self._filled: frozenset[str] | None = None  # the folders it embeds files of; None: not known yet
        self._counts: dict[str, dict[str, int]] = {}  # library folder -> Engine.subfolders()
        self._below: dict[str, list[tuple[str, int]]] = {}  # folder -> its subfolders, every library folder's
        self._quiet = False  # the selection is being set to what the filter says: not the user's choice
        self._menu_folder: str | None = None  # the folder whose right-click menu is open
        self.failed_title = QLabel("FAILED FILES", objectName="PanelTitle")
        self.failed = _tree(["File and reason"])
        self.failed.setHeaderHidden(True)
        self.failed.setUniformRowHeights(False)  # two lines each: the name, then why it failed
        self.failed.setTextElideMode(Qt.ElideRight)  # the start of a reason says the most

        folders_box = QWidget()
        top = QVBoxLayout(folders_box)
        top.setContentsMargins(10, 8, 6, 4)
        top.addLayout(
            _title_row(
                QLabel("LIBRARY", objectName="PanelTitle"), self.add_button, self.remove_button, self.rescan_button
            )
        )
        top.addWidget(self.folders)
        failed_box = QWidget()
        bottom = QVBoxLayout(failed_box)
        bottom.setContentsMargins(10, 4, 6, 8)
        bottom.addLayout(_title_row(self.failed_title))
        bottom.addWidget(self.failed)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(folders_box)
        self.splitter.addWidget(failed_box)
        self.splitter.setSizes([300, FAILED_OPEN])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._keep_folder_names_readable()
        self._fold_failed(True)  # until a file fails

        self.add_button.clicked.connect(self.ask_for_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        self.rescan_button.clicked.connect(self.rescan_requested)
        self.folders.itemSelectionChanged.connect(self._selection_changed)
        self.folders.itemExpanded.connect(self._fill)
        for opened_or_closed in (self.folders.itemExpanded, self.folders.itemCollapsed):
            opened_or_closed.connect(lambda _item: self.folders.measure_names())  # after _fill made the rows
        self.folders.menu_requested.connect(self._show_folder_menu)
        self.failed.itemActivated.connect(self._failed_activated)
        self.remove_button.setEnabled(False)

    def sizeHint(self) -> QSize:
        """What its rows need, up to :data:`PANEL_WIDTH`: the window gives it that (app.layouts.SideSplitter).
        An invalid size until the library's folders are read: the width the last session left stays
        until then, the results' header with it (the panel narrowed, then widened for its rows)."""
        hint = super().sizeHint()
        return QSize(min(hint.width(), PANEL_WIDTH), hint.height()) if self._read else QSize()

    def _keep_folder_names_readable(self) -> None:
        """The Folder column stretches into what the counts' columns leave, which at the panel's
        least width was the one letter "F" (the counts scrolled out of view beside it): the tree is
        kept as wide as :func:`_tree_width` with :data:`FOLDER_CHARACTERS` of the names (all of a
        shorter one), again as the names and the counts change."""
        self.folders.setMinimumWidth(_tree_width(self.folders, FOLDER_CHARACTERS))
        self.folders.measure_names()
        self.folders.updateGeometry()  # its size hint, the names whole, which its least width stops following
        self.splitter.updateGeometry()  # a splitter does not pass a child's new least size on to the panel

    def ask_for_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of sounds")
        if folder:
            self.add_requested.emit(folder)

    def _remove_selected(self) -> None:
        for item in self.folders.selectedItems():
            if item.data(0, ROOT_ROLE):  # a subfolder is not watched on its own
                self.remove_requested.emit(item.data(0, PATH_ROLE))

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Selection changes made inside are the panel's own (following the filter, rebuilding
        rows), not the user's choice: no ``folder_chosen``."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    def _selection_changed(self) -> None:
        selected = self.folders.selectedItems()
        self.remove_button.setEnabled(any(item.data(0, ROOT_ROLE) for item in selected))
        if not self._quiet:
            self.folder_chosen.emit(selected[0].data(0, PATH_ROLE) if selected else None)

    def folder_menu(self, item: QTreeWidgetItem) -> QMenu:
        """The right-click menu of a folder's row (a library folder or one below): the panel's own
        actions, then those other parts of the window add to the tree (tagging's "Suggest tags for
        this folder"), which act on :meth:`menu_folder`. One menu for all: the tree showing only the
        actions added to it hid "Export tagged copies…". Tooltips show, so a greyed action says why."""
        menu = QMenu(self.folders)
        menu.setToolTipsVisible(True)
        path = item.data(0, PATH_ROLE)
        exported = menu.addAction("Export tagged copies…", lambda: self.export_requested.emit(path))
        exported.setToolTip("Copy its sounds that carry your tags or caption, with them, to a folder")
        added = self.folders.actions()
        if added:
            menu.addSeparator()
            menu.addActions(added)
        return menu

    def _show_folder_menu(self, item: QTreeWidgetItem, at: QPoint) -> None:
        """``item``'s menu, opened ``at`` (global), its row ringed while it is open. The selection,
        and so the results' folder filter, stays as it was, as in a file manager's sidebar: the row
        right-clicked is acted on, not browsed (:meth:`FolderTreeWidget.mousePressEvent`)."""
        menu = self.folder_menu(item)
        self._menu_folder = item.data(0, PATH_ROLE)
        self.folders.outline(item)
        try:
            menu.exec(at)  # an action chosen runs before it returns
        finally:
            self._menu_folder = None
            self.folders.outline(None)
            menu.deleteLater()

    def menu_folder(self) -> str | None:
        """The folder an action added to the tree acts on: the row whose menu is open, else (the
        action triggered another way) the selected one."""
        return self._menu_folder if self._menu_folder is not None else self.selected_folder()

    def selected_folder(self) -> str | None:
        selected = self.folders.selectedItems()
        return selected[0].data(0, PATH_ROLE) if selected else None

    def select_folder(self, path: str | None) -> None:
        """Show ``path`` selected (its parents opened), as the folder filter chose it; None, or a
        folder the tree does not hold, selects none. Not a choice of the user's: no ``folder_chosen``."""
        if path == self.selected_folder():
            return
        item = self.item_for(path) if path is not None else None
        with self._quietly():
            self.folders.clearSelection()
            if item is not None:
                parent = item.parent()
                while parent is not None:
                    parent.setExpanded(True)
                    parent = parent.parent()
                item.setSelected(True)
                self.folders.setCurrentItem(item)
                self.folders.scrollToItem(item)
                self.folders.show_name(item)

    def item_for(self, path: str) -> QTreeWidgetItem | None:
        """The row of ``path``, a library folder or a subfolder, making the rows above it (only
        those: a library's thousands of folders become rows as they are opened)."""
        root = next((r for r in self._roots if is_inside(path, r)), None)
        item = self._roots.get(root) if root is not None else None
        while item is not None and item.data(0, PATH_ROLE) != path:
            self._fill(item)
            children = (item.child(i) for i in range(item.childCount()))
            item = next((c for c in children if is_inside(path, c.data(0, PATH_ROLE))), None)
        return item

    def _fill(self, item: QTreeWidgetItem) -> None:
        """Make the rows of ``item``'s subfolders, once (when it is opened, or a row below is wanted)."""
        if item.data(0, FILLED_ROLE):
            return
        item.setData(0, FILLED_ROLE, True)
        rows = []
        for path, count in self._below.get(item.data(0, PATH_ROLE), []):
            row = QTreeWidgetItem([os.path.basename(path), f"{count:,}", ""])
            row.setData(0, PATH_ROLE, path)
            row.setData(0, ROOT_ROLE, False)
            row.setToolTip(0, f"{path}\n{counted(count, 'sound')}, here and below")
            row.setIcon(0, icon("folder"))
            row.setTextAlignment(1, Qt.AlignRight | Qt.AlignVCenter)
            if path in self._below:
                row.setChildIndicatorPolicy(QTreeWidgetItem.ShowIndicator)
            rows.append(row)
        item.addChildren(rows)
        if not rows:
            item.setChildIndicatorPolicy(QTreeWidgetItem.DontShowIndicatorWhenChildless)

    def show_subfolders(self, root: str, counts: dict[str, int]) -> None:
        """``counts``: :meth:`engine.facade.Engine.subfolders` of the library folder ``root``. The
        folders opened and the one selected stay so, where they still hold sounds."""
        item = self._roots.get(root)
        if item is None or self._counts.get(root) == counts:
            return
        selected = self.selected_folder()
        opened = _opened_below(item)
        for path in self._counts.get(root, {}):
            self._below.pop(path, None)
        self._counts[root] = counts
        self._below.update(subfolder_tree(counts))
        with self._quietly():
            was_open = item.isExpanded()
            item.takeChildren()
            item.setData(0, FILLED_ROLE, False)
            item.setChildIndicatorPolicy(
                QTreeWidgetItem.ShowIndicator if root in self._below else QTreeWidgetItem.DontShowIndicatorWhenChildless
            )
            if was_open:
                self._fill(item)
            for path in sorted(opened, key=len):
                row = self.item_for(path) if path in counts else None
                if row is not None:
                    row.setExpanded(True)
            if selected is not None and selected != root and is_inside(selected, root):
                row = self.item_for(selected)  # None: its sounds are gone (the filter still names it)
                if row is not None:
                    row.setSelected(True)
                    self.folders.setCurrentItem(row)
        self.folders.measure_names()

    def confirm_removal(self, path: str, edited: int) -> bool:
        """Ask before a folder leaves the library: the tags and captions of its ``edited`` files go
        with it, and adding it again does not bring them back."""
        if edited:
            carry = "carries" if edited == 1 else "carry"
            lost = f"{edited:,} of its files {carry} your tags or captions, which will be forgotten."
        else:
            lost = "None of its files carry your tags or captions."
        answer = QMessageBox.question(
            self,
            "Remove folder",
            f"Stop watching {path}?\n\nIts sounds leave the library (the files stay on disk). {lost}",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        return answer == QMessageBox.Yes

    def show_indexing(self, indexing: bool, filling: frozenset[str] | None = None) -> None:
        """Whether an indexing run has files left (it runs, or it is paused), and the library
        folders it embeds files of (``filling``; None while the run does not know yet). The index
        knows a file only once the run has embedded it, so a folder's searchable and known counts
        are alike all through a run: "64/64" looked finished with 900 files still to come. Until
        the run ends, the Indexed column of a folder it fills says "64 so far"; a folder it has
        nothing to embed in keeps its "64/64"."""
        if (indexing, filling) != (self._indexing, self._filled):
            self._indexing, self._filled = indexing, filling
            self.show_folders(self._folders)

    def _filling(self, folder: str) -> bool:
        """An indexing run may still add sounds of this folder."""
        return self._indexing and (self._filled is None or folder in self._filled)

    def show_folders(self, folders: list) -> None:
        """``folders``: the facade's FolderStatus records; "indexed" counts searchable files of all
        known ("so far" while a run has files left: :meth:`show_indexing`). Rows stay (with their
        subfolders, opened or not, and the selection) where their folder stays;
        :meth:`show_subfolders` then brings each one's subfolders up to date. A folder with failed
        files says so in its count ("997/1,000" in the failures' colour, and why in its tooltip): an
        Errors column of its own, empty on every subfolder's row, cut the names to "freed…"."""
        self._folders, self._read = folders, True
        paths = [str(folder.path) for folder in folders]
        names = folder_names(paths)
        with self._quietly():
            for path in [p for p in self._roots if p not in paths]:
                item = self._roots.pop(path)
                self.folders.takeTopLevelItem(self.folders.indexOfTopLevelItem(item))
                for below in self._counts.pop(path, {}):
                    self._below.pop(below, None)
                self._below.pop(path, None)
        for index, folder in enumerate(folders):
            path = str(folder.path)
            total = folder.files + folder.errors + folder.offline
            texts = [
                names[path],
                f"{folder.files:,} so far" if self._filling(path) else f"{folder.files:,}/{total:,}",
            ]
            item = self._roots.get(path)
            if item is None:
                item = self._roots[path] = QTreeWidgetItem(texts)
                item.setChildIndicatorPolicy(QTreeWidgetItem.DontShowIndicatorWhenChildless)
            else:
                for column, text in enumerate(texts):
                    item.setText(column, text)
            item.setData(0, PATH_ROLE, path)
            item.setData(0, ROOT_ROLE, True)
            item.setToolTip(0, path if folder.online else f"{path}\n{folder_said(folder.missing)}")
            item.setIcon(0, icon("folder" if folder.online else "offline"))
            item.setToolTip(1, _count_said(folder, self._filling(path)))
            item.setData(1, Qt.ForegroundRole, Colors.failed if folder.errors else None)
            if not folder.online:
                item.setText(1, "offline")
            item.setTextAlignment(1, Qt.AlignRight | Qt.AlignVCenter)
            if self.folders.topLevelItem(index) is not item:
                with self._quietly():
                    if (at := self.folders.indexOfTopLevelItem(item)) >= 0:
                        self.folders.takeTopLevelItem(at)
                    self.folders.insertTopLevelItem(index, item)
        self._keep_folder_names_readable()

    def _failed_activated(self, item: QTreeWidgetItem) -> None:
        if path := item.data(0, PATH_ROLE):  # a file's row; a row of files opens and closes
            self.failed_file_activated.emit(path)

    def show_failed(self, failures: list, unreadable: list[str], warned: Sequence = ()) -> None:
        """``failures``: records with ``path`` and ``error``; ``unreadable``: the sounds in formats
        Earmark cannot read; ``warned``: records with ``path`` and ``warning``, the files indexed with
        a warning (a WAV cut short), told of here once a run is over, not only to whoever selects
        one. Each of the last two under one row that says what they are (an iTunes folder holds
        thousands: they are there to go through, not to bury the failures). The files indexed with
        a warning are searchable: the title's count of what failed leaves them out."""
        self.failed.clear()
        count = len(failures) + len(unreadable)
        self.failed_title.setText(f"FAILED FILES ({count})" if count else "FAILED FILES")
        for failure in failures:
            self.failed.addTopLevelItem(_failed_item(failure.path, failure.error or "unknown error", "error"))
        groups = []
        if warned:
            lines = warned_row(len(warned))
            groups.append(
                _group_item(lines, ": ".join(lines), [_failed_item(r.path, r.warning, "warning") for r in warned])
            )
        if unreadable:
            # the folder's name under the file's: a path cut to the width showed every row's library root alike
            files = [_failed_item(path, f"in {Path(path).parent.name}", "warning") for path in unreadable]
            said = ": ".join(unreadable_formats_said(unreadable))
            groups.append(_group_item(unreadable_formats_row(unreadable), said, files))
        for group in groups:
            self.failed.addTopLevelItem(group)
            group.setExpanded(group.childCount() <= GROUP_OPEN)
        # the rows of them say what they are whole, where the folders' short names leave the panel narrower
        around = 2 * self.failed.frameWidth() + self.failed.verticalScrollBar().sizeHint().width()
        widths = (self.failed.indentation() + _cell_width(self.failed, group) + around for group in groups)
        self.failed.setMinimumWidth(max(widths, default=0))
        self.failed.setRootIsDecorated(bool(groups))  # the rows that open onto files
        self._fold_failed(not (count or warned))

    def _fold_failed(self, empty: bool) -> None:
        """An empty Failed files pane keeps only its title: it took two fifths of the panel to say
        nothing. It opens when a file fails, as tall as it was or :data:`FAILED_OPEN`."""
        self.failed.setHidden(empty)
        top, bottom = self.splitter.sizes()  # as the window's saved state left them, it may be
        wanted = self.splitter.widget(1).minimumSizeHint().height() if empty else max(bottom, FAILED_OPEN)
        if wanted != bottom:
            self.splitter.setSizes([max(top + bottom - wanted, 0), wanted])


def _group_item(lines: tuple[str, str], said: str, files: list[QTreeWidgetItem]) -> QTreeWidgetItem:
    """A row of the failed files that opens onto ``files``: two ``lines`` of what they are, and
    ``said`` of them whole in its tooltip."""
    group = QTreeWidgetItem(["\n".join(lines)])
    group.setToolTip(0, said)
    group.setIcon(0, icon("warning"))
    group.addChildren(files)
    return group


def _failed_item(path: str, reason: str, icon_name: str) -> QTreeWidgetItem:
    """A row of the failed files: the file's name, then why (two lines); activating it shows the file."""
    item = QTreeWidgetItem([f"{Path(path).name}\n{reason}"])
    item.setData(0, PATH_ROLE, str(path))
    item.setToolTip(0, f"{path}\n{reason}")
    item.setIcon(0, icon(icon_name))
    return item


class FolderTree(QObject):
    """Fills the panel's tree and the folder filter's completions with each library folder's
    subfolders (read by :meth:`engine.facade.Engine.subfolders` on the engine client's work pool,
    again whenever the folder list is), and keeps the panel's selection and the filter's folder
    one choice: the user points at "SFX/Doors/Wood" in either and the results are its sounds.
    It tells the panel while an indexing run has files left, and which folders it fills, from the
    run's first progress to its end (a paused run has files left too), and has the folders' counts
    read again every :data:`COUNTS_EVERY_S` while it embeds."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._asked: dict[str, int] = {}  # library folder -> the latest read asked: only its answer is shown
        self._counted_at = time.monotonic()  # when the folders' counts were last asked for during a run
        self._number = 0
        self._run_filling: frozenset[str] | None = None  # what the indexing run (not a watcher batch) fills
        panel, bar = window.library, window.filter_bar
        window.client.folders_changed.connect(self.reload)
        window.client.index_progress.connect(self._run_indexes)  # a method: queued from the indexer's thread
        window.client.watch_progress.connect(self._watcher_indexes)
        window.client.index_finished.connect(lambda _report: panel.show_indexing(False))
        panel.folder_chosen.connect(bar.set_folder)
        bar.changed.connect(lambda: panel.select_folder(bar.values().folder))

    def reload(self, folders: list) -> None:
        """Read the subfolders of each of ``folders`` (FolderStatus records) off the UI thread."""
        engine = self.window.client.engine
        if engine is None:
            return
        for folder in folders:
            root = str(folder.path)
            self._number += 1
            self._asked[root] = self._number
            submit(
                self.window.client.work_pool,
                engine.subfolders,
                root,
                context=self.window.library,
                on_done=lambda counts, root=root, number=self._number: self._show(root, number, counts),
                on_failed=self.window.show_error,
            )

    def _run_indexes(self, progress) -> None:
        self._run_filling = progress.filling
        self._indexing_runs(progress)

    def _watcher_indexes(self, progress) -> None:
        """A batch the folder watcher indexes fills its folders as a run does ("340 so far"); once
        it ends (None), the folders read as the indexing run leaves them: finished, unless a run
        has files left (it waited for the batch, or it is paused)."""
        client = self.window.client
        if progress is not None:
            self._indexing_runs(progress)
        elif client.indexing or client.paused:
            self.window.library.show_indexing(True, self._run_filling)
        else:
            self.window.library.show_indexing(False)

    def _indexing_runs(self, progress) -> None:
        self.window.library.show_indexing(True, progress.filling)
        if progress.phase == "embedding" and time.monotonic() - self._counted_at >= COUNTS_EVERY_S:
            self._counted_at = time.monotonic()
            self.window.client.refresh_library()  # the counts so far, as the index has committed them

    def _show(self, root: str, number: int, counts: dict[str, int]) -> None:
        if self._asked.get(root) != number:
            return
        self.window.library.show_subfolders(root, counts)
        self.window.filter_bar.set_subfolders(root, sorted(counts))
        self.window.library.select_folder(self.window.filter_bar.values().folder)  # chosen before its row was read
