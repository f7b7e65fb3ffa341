"""The "Rename to UCS name…" dialog: each selected file's name beside the UCS name it would get,
the files that would not be renamed and why, and the CreatorID and SourceID that go into the names.
A row's CatID and FX name can be corrected in place (a hammer swing planned as GUNSMech): the
engine plans that file again with them, checks the CatID against the UCS list and says why not.

Nothing is renamed until Rename is pressed. Planning and renaming run on workers through
:class:`app.tagging_client.TaggingClient`; the dialog asks again when an ID or a row changes, shows
only the latest answer, and closes once the files are renamed (a failure stays shown, naming the file).
:class:`RenameController` is the main window's side: its two actions, and the status bar's word.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QFont, QFontMetricsF, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.engine_client import LIBRARY_CLOSED
from app.results_view import ElidedNameDelegate, text_width
from app.tagging_client import RenameProposal, TaggingClient
from app.theme import Colors
from engine.plural import counted
from engine.tagging.rename import CREATOR_PLACEHOLDER, Override, cat_id_from, default_source, id_block

NOT_RENAMED = "not renamed"

ERROR_TEXT = "#ffb3b8"  # the error banner's text colour (resources/theme/dark.qss)


# While no CreatorID is typed the names shown hold CREATOR_PLACEHOLDER where it goes, and Rename
# waits for one when a name needs it. A file whose UCS name has a CreatorID keeps its own.
NEEDS_CREATOR = "Rename needs a CreatorID: type yours above."
KEEP_CREATORS = "No CreatorID needed: each file keeps the one in its name."
NAME_COLUMN, CAT_ID_COLUMN, FX_COLUMN, UCS_COLUMN, REASON_COLUMN = range(5)
COLUMN_WIDTHS = {NAME_COLUMN: 190, CAT_ID_COLUMN: 125, FX_COLUMN: 180, REASON_COLUMN: 240}  # the UCS name's stretches
UCS_LEAST_WIDTH = 220  # of the UCS name's column: its CatID, a few FX words and the take number
EDITED = {CAT_ID_COLUMN: "cat_id", FX_COLUMN: "fx_name"}  # the Override field each editable column sets
PATH_ROLE = Qt.UserRole  # a row's file, on its first column


def creator_hint(planned: int, needing: int, typed: bool) -> str:
    """What the line beside Rename says about the CreatorID ("" says nothing): Rename waits for one
    only while a name that has none of its own is planned."""
    kept = planned - needing
    if not planned or (typed and not kept):
        return ""
    if not needing:
        return KEEP_CREATORS
    if typed:
        its = "its" if kept == 1 else "their"
        return f"{counted(kept, 'file')} keep{'s' * (kept == 1)} the CreatorID in {its} name: yours goes in the others."
    if not kept:
        return NEEDS_CREATOR
    return f"Rename needs a CreatorID for the {counted(needing, 'file')} with none in the name: type yours above."


def id_note(typed: str) -> str:
    """What the line under the CreatorID or SourceID says ("" says nothing): what the ID is written as
    (:func:`id_block`), when that is not what was typed (around it, spaces go unsaid): "J_D x"
    is written JDx, and finding that only in the names is too late."""
    written = id_block(typed)
    if written == typed.strip():
        return ""
    return f"Written as {written or 'nothing'}: a UCS ID holds no spaces, underscores or path characters"


def cat_id_of(text: str) -> str:
    """The CatID in what the CatID editor holds: a list entry ("TOOLHand — TOOLS / HAND") or what
    was typed; the engine checks it."""
    return text.split("—")[0].strip()


class CatIdDelegate(QStyledItemDelegate):
    """The CatID column's editor: the UCS list's CatIDs ("DOORWood — DOORS / WOOD"), completed from
    anywhere in what is typed, so a category is found by its name too. What is committed is the
    CatID alone; one not on the list goes to the engine all the same, which says why not on the
    row (the list may not be here yet, and the user sees their typing was read)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.choices = QStandardItemModel(self)
        self._list_width = 0  # wide enough for the longest entry, worked out once

    def set_terms(self, terms) -> None:
        """The UCS terms (engine ``Term``) offered; once: they do not change while the dialog is open."""
        if self.choices.rowCount() or not terms:
            return
        for term in terms:
            choice = QStandardItem(f"{term.key} — {term.category} / {term.subcategory}")
            choice.setData(term.key, Qt.UserRole)
            self.choices.appendRow(choice)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:
        editor = QComboBox(parent, editable=True, insertPolicy=QComboBox.NoInsert, maxVisibleItems=16)
        editor.setModel(self.choices)
        completer = QCompleter(self.choices, editor)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        editor.setCompleter(completer)
        if not self._list_width and self.choices.rowCount():
            texts = (self.choices.item(i).text() for i in range(self.choices.rowCount()))
            self._list_width = max(map(editor.fontMetrics().horizontalAdvance, texts)) + 48  # the scroll bar, margins
        for view in (editor.view(), completer.popup()):  # the entries whole, not "AIR…RST"
            view.setMinimumWidth(self._list_width)
        return editor

    def setEditorData(self, editor: QComboBox, index: QModelIndex) -> None:
        """The row's CatID, selected whole: typing replaces it, as in the FX name's editor (the view
        selects a line editor's text, but not a combo box's), so "sword" is what the completer
        looks for, not "TOONImpt — CARTOON / IMPACTsword"."""
        cat_id = index.data() or ""
        editor.setCurrentIndex(editor.findData(cat_id, Qt.UserRole))
        editor.setEditText(editor.currentText() if editor.currentIndex() >= 0 else cat_id)
        editor.lineEdit().selectAll()

    def setModelData(self, editor: QComboBox, model: QAbstractItemModel, index: QModelIndex) -> None:
        model.setData(index, cat_id_of(editor.currentText()))


class ShownOnlyDelegate(QStyledItemDelegate):
    """A column read, not edited: a row is editable as a whole (its CatID and FX name), so the
    columns around them open no editor."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        return None


class ShownNameDelegate(ShownOnlyDelegate, ElidedNameDelegate):
    """The current and the UCS name: read, not edited, and cut as the results cut a name, so a
    long one keeps its CatID and its FX name's end (a take's number), the IDs going first: they
    are the same on every row, and cut in the middle, the names read alike."""


class WrappingDelegate(ShownOnlyDelegate):
    """The reasons column: a why not renamed is read whole, wrapped to the column's width (its row
    grows), never cut to "accept a …". QTreeView asks a row's height without the column's width,
    and a style sheet's item padding is not taken off the width the style wraps to, so the height
    is measured here, in the rectangle the text is drawn in."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.WrapText

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        one_line = super().sizeHint(option, index)
        view = self.parent()
        option = QStyleOptionViewItem(option)
        self.initStyleOption(option, index)
        option.rect = QRect(0, 0, view.columnWidth(index.column()), one_line.height())
        option.widget = view
        room = text_width(option)
        metrics = option.fontMetrics
        wrapped = metrics.boundingRect(QRect(0, 0, max(room, 1), 100_000), Qt.TextWordWrap, option.text).height()
        return QSize(one_line.width(), one_line.height() + max(0, wrapped - metrics.height()))


class IdNote(QLabel):
    """The line under an ID field (:func:`id_note`): kept, empty, when it says nothing, a line of
    text tall, so that the table below stays put as an ID is typed (a line that came and went moved
    it). An empty label is a pixel shorter than one with text: its font's height is rounded down,
    where a line of text rounds it up."""

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        line = math.ceil(QFontMetricsF(self.font()).height()) + margins.top() + margins.bottom()
        return super().minimumSizeHint().expandedTo(QSize(0, line))


class RenameDialog(QDialog):
    def __init__(
        self, client: TaggingClient, paths: list[str], creator: str, source: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Rename to UCS name")
        self.resize(1100, 460)
        self.client = client
        self.paths = paths
        self.proposal: RenameProposal | None = None  # the latest plan, once it is here
        self._asked = 0  # the number of the plan asked last: an older answer is not shown
        self._renaming = False
        self.overrides: dict[str, Override] = {}  # {path: the user's own CatID and FX name}, as given
        self._filling = False  # the rows are being written from a plan, not edited

        self.creator = QLineEdit(creator, placeholderText="your initials or ID (for names without one)")
        self.source = QLineEdit(source, placeholderText="each file's pack: its first folder in the library")
        self.creator.setToolTip(
            "Who recorded or designed the sounds: your initials or ID, as in your other UCS names "
            "(a UCS name keeps its own)"
        )
        self.source.setToolTip("The library, project or show they come from (a UCS name keeps its own)")
        self.creator_note, self.source_note = IdNote(), IdNote()
        self.ids = QFormLayout()
        for label, field, note in (
            ("CreatorID", self.creator, self.creator_note),
            ("SourceID", self.source, self.source_note),
        ):
            note.setProperty("dim", True)
            self.ids.addRow(label, field)
            self.ids.addRow("", note)
        # rows as tall as their reason wrapped: not uniform
        self.table = QTreeWidget(rootIsDecorated=False, uniformRowHeights=False, alternatingRowColors=True)
        self.table.setTextElideMode(Qt.ElideMiddle)  # an FX name keeps its end: a take's number
        self.table.setHeaderLabels(["Current name", "CatID", "FX name", "UCS name", "CatID from, or why not"])
        self.table.setItemDelegateForColumn(REASON_COLUMN, WrappingDelegate(self.table))
        self.names = ShownNameDelegate(self.table)
        for column in (NAME_COLUMN, UCS_COLUMN):
            self.table.setItemDelegateForColumn(column, self.names)
        self.cat_ids = CatIdDelegate(self.table)
        self.table.setItemDelegateForColumn(CAT_ID_COLUMN, self.cat_ids)
        self.table.setEditTriggers(
            QAbstractItemView.DoubleClicked | QAbstractItemView.SelectedClicked | QAbstractItemView.EditKeyPressed
        )
        self.table.itemChanged.connect(self._row_edited)
        header = self.table.header()
        for column in range(REASON_COLUMN + 1):  # the UCS name takes the room the dialog has
            header.setSectionResizeMode(
                column, QHeaderView.Stretch if column == UCS_COLUMN else QHeaderView.Interactive
            )
        header.setStretchLastSection(False)
        header.sectionResized.connect(lambda *_: self.table.doItemsLayout())  # rewrap to the new width
        self._fit_columns(self.table.width())
        self.table.installEventFilter(self)
        self.rows: dict[str, QTreeWidgetItem] = {}  # {path: its row}, kept in place as plans change
        self.summary = QLabel(wordWrap=True)
        self.error = QLabel(wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.error.setStyleSheet(f"color: {ERROR_TEXT}")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.rename_button = self.buttons.addButton("Rename", QDialogButtonBox.AcceptRole)
        self.rename_button.setObjectName("Primary")
        self.rename_button.setEnabled(False)
        self.creator_hint = QLabel()
        self.creator_hint.setProperty("dim", True)
        self.creator_hint.hide()  # until a plan says which names need one
        bottom = QHBoxLayout()
        bottom.addWidget(self.creator_hint, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(self.ids)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

        self._replan = QTimer(self, singleShot=True, interval=300)  # typing an ID asks once it pauses
        self._replan.timeout.connect(self.plan)
        for field in (self.creator, self.source):
            field.textChanged.connect(self._ids_changed)
        for field, note in ((self.creator, self.creator_note), (self.source, self.source_note)):
            field.textChanged.connect(lambda text, note=note: note.setText(id_note(text)))
            note.setText(id_note(field.text()))
        self.buttons.accepted.connect(self.rename)
        self.buttons.rejected.connect(self.reject)
        client.rename_planned.connect(self._show)
        client.renamed.connect(self._renamed)
        client.rename_failed.connect(self._failed)
        self.plan()

    def _creator(self) -> str:
        """The CreatorID as written: one that is all underscores is none, and Rename waits for one."""
        return id_block(self.creator.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Resize:
            self._fit_columns(event.size().width())
        return super().eventFilter(watched, event)

    def _fit_columns(self, table_width: int) -> None:
        """The columns but the UCS name's at their widths, shrunk alike where the table is too narrow
        to leave the UCS name :data:`UCS_LEAST_WIDTH`: the view scrolled sideways then, and cut the
        UCS names at its edge ("DOORMetl_Creak Heavy Slo") instead of eliding them."""
        view = table_width - 2 * self.table.frameWidth() - self.table.verticalScrollBar().sizeHint().width()
        scale = min(1.0, (view - UCS_LEAST_WIDTH) / sum(COLUMN_WIDTHS.values()))
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, int(width * scale))

    def _needing(self) -> int:
        """How many of the names planned take the CreatorID typed (their file's name has none)."""
        return sum(p.needs_creator for p in self.proposal.plans) if self.proposal else 0

    def _creator_missing(self) -> bool:
        return self._needing() > 0 and not self._creator()

    def _hint_creator(self) -> None:
        planned = len(self.proposal.plans) if self.proposal else 0
        hint = creator_hint(planned, self._needing(), bool(self._creator()))
        self.creator_hint.setText(hint)
        self.creator_hint.setVisible(bool(hint))

    def plan(self) -> None:
        """Ask for the names with the IDs and the rows' own CatIDs and FX names as they are now;
        Rename waits for the answer. With no CreatorID typed, the names show where it goes (and
        Rename waits for one too, if a name takes it)."""
        self._replan.stop()
        self.rename_button.setEnabled(False)
        self.summary.setText("Working out the names…")
        creator = self._creator() or CREATOR_PLACEHOLDER
        self._asked = self.client.plan_rename(self.paths, creator, self.source.text(), self.overrides)

    def _ids_changed(self) -> None:
        self.rename_button.setEnabled(False)  # the names shown are for the old IDs
        self._hint_creator()
        self._replan.start()

    def _row_edited(self, row: QTreeWidgetItem, column: int) -> None:
        """A CatID or FX name typed in a row: that file is planned again with it (an empty one
        gives the plan's own back)."""
        if self._filling or column not in EDITED:
            return
        path = row.data(NAME_COLUMN, PATH_ROLE)
        given = replace(self.overrides.get(path, Override()), **{EDITED[column]: row.text(column).strip()})
        if given == Override():
            self.overrides.pop(path, None)
        else:
            self.overrides[path] = given
        self.plan()

    def _show(self, proposal: RenameProposal) -> None:
        if proposal.number != self._asked:
            return
        self.proposal = proposal
        self.cat_ids.set_terms(proposal.ucs_terms)
        self._filling = True
        try:
            for plan in proposal.plans:
                self._fill(plan.old, plan.cat_id, plan.fx, plan.new, cat_id_from(plan), "")
            for path, why in proposal.skipped.items():
                shown = why.replace(path, "it", 1)  # the row names the file already (its tooltip says it whole)
                given = self.overrides.get(path, Override())
                self._fill(path, given.cat_id, given.fx_name, NOT_RENAMED, shown[:1].upper() + shown[1:], why)
            listed = {plan.old for plan in proposal.plans} | set(proposal.skipped)
            for path in [path for path in self.rows if path not in listed]:  # none, but when no plan was made
                self.table.takeTopLevelItem(self.table.indexOfTopLevelItem(self.rows.pop(path)))
        finally:
            self._filling = False
        count = len(proposal.plans)
        self.rename_button.setText(f"Rename {counted(count, 'file')}" if count else "Rename")
        self.rename_button.setEnabled(bool(count) and not self._renaming and not self._creator_missing())
        self._hint_creator()
        self._say(proposal)

    def _fill(self, path: str, cat_id: str, fx: str, new: str, note: str, why: str) -> None:
        """Write one file's row (made the first time, kept in place after, so an edited row does
        not jump); ``why`` is set only for a file that is not renamed, whose row is dimmed."""
        row = self.rows.get(path)
        if row is None:
            row = self.rows[path] = QTreeWidgetItem()
            row.setData(NAME_COLUMN, PATH_ROLE, path)
            row.setFlags(row.flags() | Qt.ItemIsEditable)
            row.setToolTip(CAT_ID_COLUMN, "Double-click to choose another UCS CatID for this file")
            row.setToolTip(FX_COLUMN, "Double-click to give this file your own FX name")
            self.table.addTopLevelItem(row)
        for column, text in enumerate((os.path.basename(path), cat_id, fx, os.path.basename(new), note)):
            row.setText(column, text)
        row.setToolTip(NAME_COLUMN, path)
        row.setToolTip(UCS_COLUMN, new if not why else "")
        row.setToolTip(REASON_COLUMN, why)
        given = self.overrides.get(path, Override())
        for column, field_name in EDITED.items():  # the user's own, in bold
            font = QFont(row.font(column))
            font.setBold(bool(getattr(given, field_name)))
            row.setFont(column, font)
        for column in range(REASON_COLUMN + 1):
            row.setForeground(column, Colors.dim_text if why else QBrush())

    def _say(self, proposal: RenameProposal) -> None:
        count, kept = len(proposal.plans), len(proposal.skipped)
        if proposal.problem:
            self.summary.setText(f"No names could be worked out: {proposal.problem}")
        elif not count:
            self.summary.setText("Nothing to rename" + (": see why above." if kept else "."))
        else:
            left = f"; {counted(kept, 'file')} will not be, see why above" if kept else ""
            where = "its folder" if count == 1 else "their folders"
            self.summary.setText(
                f"{counted(count, 'file')} will be renamed in {where}"
                f"{left}. The index follows them, and Undo last rename (right-click a result) puts them back."
            )

    @property
    def stale(self) -> bool:
        """Whether the names shown are not yet those of the IDs as typed (an answer is on its way)."""
        return self.proposal is None or self.proposal.number != self._asked or self._replan.isActive()

    def rename(self) -> None:
        """Rename as shown; the dialog closes when it is done, or says what stopped it."""
        if self.stale or not self.proposal.plans or self._creator_missing():
            return
        self._renaming = True
        self.error.hide()
        self._set_editable(False)
        self.summary.setText("Renaming…")
        self.client.rename(self.proposal.plans)

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.creator, self.source, self.table, self.buttons.button(QDialogButtonBox.Cancel)):
            widget.setEnabled(editable)
        self.rename_button.setEnabled(False)  # until the next plan: after a failure, the disk changed

    def _renamed(self, _moves: dict) -> None:
        if self._renaming:
            self.accept()

    def _failed(self, message: str) -> None:
        if not self._renaming:
            return
        self._renaming = False
        self._set_editable(True)
        self.error.setText(f"Not renamed: {message}")
        self.error.show()
        self.plan()  # as the disk is now: a name taken since, the files renamed before it stopped

    def reject(self) -> None:
        if not self._renaming:  # a rename under way finishes: the dialog closes when it has
            super().reject()


class RenameController(QObject):
    """Renaming in the main window: "Rename to UCS name…" (F2) opens the dialog for the selected
    results, "Undo last rename" renames the last batch back (also a status-bar button once files
    were renamed), and the status bar says what was done; the window then shows the files under
    their new names (``follow_renames``). Undo is enabled only while there is a rename to undo: the
    engine's rename journal (``Tagging.journal``) holds a batch, from this session or one before.
    Kept apart from the window, as tagging is."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.client: TaggingClient = window.client.tagging
        self.dialog: RenameDialog | None = None  # while it is open
        self.rename_action = QAction("Rename to UCS name…", window, shortcut=QKeySequence(Qt.Key_F2))
        self.rename_action.triggered.connect(self.rename_selected)
        self.undo_action = QAction("Undo last rename", window)
        self.undo_action.setToolTip("Give the files renamed last their old names back")
        self.undo_action.triggered.connect(self.undo)
        self.undo_action.setEnabled(False)  # until the library is open and its journal read
        self.undo_button = QToolButton()
        self.undo_button.setDefaultAction(self.undo_action)
        self.undo_button.hide()  # shown from a rename until it is undone
        window.statusBar().addPermanentWidget(self.undo_button)
        self.client.renamed.connect(self._renamed)
        self.client.renamed_back.connect(self._renamed_back)
        # a failed rename may have journaled its batch, a failed undo may have found none
        for change in (self.client.rename_failed, self.client.error, window.client.opened, window.client.repaired):
            change.connect(lambda *_: self.enable_undo())
        window.client.damaged.connect(lambda *_: self.undo_action.setEnabled(False))

    def rename_selected(self) -> None:
        """The dialog for the selected files, with the CreatorID the user gave last (none the first
        time: it is who recorded the sounds, which only the user knows) and, when they share one,
        their pack's name as the SourceID (engine.tagging.rename.default_source, what the engine
        would take)."""
        hits = self.window.results.selected_hits()
        if not hits or self.dialog is not None or not self._library_open():
            return
        creator = self.window.ui_state.value("rename/creator", "", type=str)
        sources = {default_source(str(hit.path), str(hit.folder)) for hit in hits}
        source = sources.pop() if len(sources) == 1 else ""
        dialog = RenameDialog(self.client, [str(h.path) for h in hits], creator, source, self.window)
        dialog.accepted.connect(lambda: self.window.ui_state.setValue("rename/creator", dialog.creator.text().strip()))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: RenameDialog) -> None:
        self.dialog = None
        dialog.deleteLater()

    def can_undo(self) -> bool:
        """Whether the engine's rename journal holds a batch to undo (a stat, no worker needed)."""
        engine = self.window.client.engine
        return engine is not None and engine.tagging.can_undo_rename()

    def enable_undo(self) -> None:
        self.undo_action.setEnabled(self.can_undo())

    def undo(self) -> None:
        if not self._library_open():
            return
        if not self.can_undo():  # undone meanwhile (the command line, say)
            self.undo_action.setEnabled(False)
            self.window.show_error("There is no rename to undo")
            return
        self.window.statusBar().showMessage("Renaming the last renamed files back…")
        self.client.undo_rename()

    def _library_open(self) -> bool:
        if self.window.client.engine is None:
            self.window.show_error(LIBRARY_CLOSED)
        return self.window.client.engine is not None

    def _follow(self, moves: dict[str, str]) -> None:
        """The window shows the files under their new names, and the tags panel the suggestions of
        the files now selected: it forgets those of the old paths when the selected files' paths
        change, and no selection change follows a rename to load them again, so without this it
        said "No suggestions yet" for files that have some (the index kept them, re-linked)."""
        self.window.follow_renames(moves)
        self.client.load(self.window.tags.paths)

    def _renamed(self, moves: dict) -> None:
        self._follow(moves)
        self.undo_button.show()
        self.enable_undo()
        self.window.statusBar().showMessage(
            f"Renamed {counted(len(moves), 'file')} · Undo last rename puts them back", 15_000
        )

    def _renamed_back(self, undone) -> None:
        """An undo: the files it renamed back, and those it could not yet, each named with why; a
        batch from before stays to undo next."""
        self._follow({plan.new: plan.old for plan in undone.renamed_back})
        said = [f"Renamed {counted(len(undone.renamed_back), 'file')} back"]
        said += [f"{Path(path).name} not renamed back: {why}" for path, why in undone.waiting.items()]
        self.undo_button.setVisible(bool(undone.waiting))
        self.enable_undo()
        self.window.statusBar().showMessage("; ".join(said), 30_000)
