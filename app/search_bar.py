"""The search field (debounced, Enter commits) and the filter bar under it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QStyleOptionFrame,
    QWidget,
)

from app.labels import first_fitting, path_wordings
from app.layouts import FlowLayout
from app.theme import icon
from engine.audio.formats import FORMATS
from engine.fs import folder_names, is_inside
from engine.search.filters import SearchFilters

DEBOUNCE_MS = 220
NAVIGATION_KEYS = (Qt.Key_Up, Qt.Key_Down, Qt.Key_PageUp, Qt.Key_PageDown)
RECENT_LIMIT = 20  # a session's handful of searches and the days before, not a log
RECENT_TEXT_WIDTH = 520  # px: a longer query is elided in the recent searches (whole in its tooltip)


PLACEHOLDER = 'Describe a sound… e.g. “wooden door creak, slow”  -exclude  "exact phrase"'


def similar_placeholder(name: str) -> str:
    return f"Sounds like {name} — type to search, Esc to go back"


def _same_search(query: str) -> str:
    """What two spellings of one search share: "Door  Creak" is "door creak" searched again."""
    return " ".join(query.split()).casefold()


def with_recent(recent: list[str], query: str, limit: int = RECENT_LIMIT) -> list[str]:
    """The recent searches once ``query`` is searched: it comes first, in its latest spelling, and
    leaves its place further down (a designer going back to "door creak" finds it on top, once);
    the oldest fall off past ``limit``. A blank query is no search to go back to."""
    query = query.strip()
    if not query:
        return list(recent)
    return [query, *(old for old in recent if _same_search(old) != _same_search(query))][:limit]


class SearchField(QLineEdit):
    """Emits ``query_changed`` after typing pauses and ``query_committed`` on Enter.

    The searches a user settles on (Enter, or an arrow key from the field into its results) are
    kept, latest first, in :attr:`recent` (``recent_changed`` says when, to be saved); the
    magnifier or Alt+Down lists them (as a combo box's Alt+Down does; Down alone still goes into
    the results, a browse's too: an empty field's Down auditions the folder listed), and choosing
    one runs it as Enter would.

    While the results are the sounds like a file (:meth:`show_similar`), the field is empty and
    says so in its placeholder, with a back button; the query typed before is kept for
    :meth:`end_similar` (Escape, Enter in the empty field, or the back button: ``back_requested``)."""

    query_changed = Signal(str)
    query_committed = Signal(str)
    navigate = Signal(int)  # an arrow/page key meant for the results
    back_requested = Signal()  # the back button, shown while similar sounds are
    recent_changed = Signal(list)  # the recent searches, latest first

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SearchField")
        self.setPlaceholderText(PLACEHOLDER)
        self.setClearButtonEnabled(True)
        self.recent: list[str] = []
        self.recent_menu = QMenu(self)
        self.recent_menu.setToolTipsVisible(True)  # an elided query is read whole in its tooltip
        self.recent_menu.triggered.connect(self._recent_chosen)
        recent_action = self.addAction(icon("search"), QLineEdit.LeadingPosition)
        recent_action.setToolTip("Recent searches (Alt+↓)")
        recent_action.triggered.connect(lambda: self.show_recent())
        self._query_before_similar: str | None = None  # None: the field shows a text search
        self.back_action = self.addAction(icon("clear"), QLineEdit.TrailingPosition)
        self.back_action.setVisible(False)
        self.back_action.triggered.connect(self.back_requested)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self.query_changed.emit(self.text()))
        self.textEdited.connect(lambda _text: self._debounce.start())
        self.returnPressed.connect(self._commit)

    def _commit(self) -> None:
        self._debounce.stop()
        self.remember(self.text())
        self.query_committed.emit(self.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Down and event.modifiers() & Qt.AltModifier:
            self.show_recent(from_keyboard=True)
        elif event.key() in NAVIGATION_KEYS:
            self.remember(self.text())  # into its results: the search typed is the one used
            self.navigate.emit(event.key())
        else:
            super().keyPressEvent(event)

    def set_recent(self, queries: list[str]) -> None:
        """The recent searches saved before (``recent_changed`` is not emitted: nothing new to save)."""
        self.recent = list(queries[:RECENT_LIMIT])

    def remember(self, query: str) -> None:
        updated = with_recent(self.recent, query)
        if updated != self.recent:
            self.recent = updated
            self.recent_changed.emit(updated)

    def forget_latest(self, query: str) -> None:
        """Leave ``query`` out of the recent searches if it is the latest: it found nothing close,
        and "xyzzy" sat above the searches worth going back to (review 10)."""
        if self.recent and _same_search(self.recent[0]) == _same_search(query):
            self.recent = self.recent[1:]
            self.recent_changed.emit(self.recent)

    def clear_recent(self) -> None:
        self.recent = []
        self.recent_changed.emit([])

    def show_recent(self, from_keyboard: bool = False) -> None:
        """The recent searches drop down under the field; from the keyboard the latest is picked,
        so Enter runs it and Down goes on to the one before."""
        self._fill_recent_menu()
        self.recent_menu.popup(self.mapToGlobal(QPoint(0, self.height())))
        if from_keyboard:
            self.recent_menu.setActiveAction(self.recent_menu.actions()[0])

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        if not self.recent:
            menu.addAction("No recent searches yet").setEnabled(False)
            return
        metrics = menu.fontMetrics()
        for query in self.recent:
            shown = metrics.elidedText(query, Qt.ElideRight, RECENT_TEXT_WIDTH)
            action = menu.addAction(shown.replace("&", "&&"))  # a lone & would underline the next letter
            action.setData(query)
            if shown != query:
                action.setToolTip(query)
        menu.addSeparator()
        menu.addAction("Clear recent searches", self.clear_recent)

    def _recent_chosen(self, action: QAction) -> None:
        """A recent search chosen runs as if typed and committed: its best hit is picked and played."""
        query = action.data()
        if query:
            self.setText(query)
            self._commit()

    def query(self) -> str:
        """The text search the user last typed: what the field holds, or held before similar sounds."""
        return self._query_before_similar if self._query_before_similar is not None else self.text()

    def show_similar(self, name: str) -> None:
        """The results are now the sounds like ``name``: the field empties (the query it held is
        kept, once, for the way back) and its placeholder and back button say what is shown."""
        self._debounce.stop()
        if self._query_before_similar is None:
            self._query_before_similar = self.text()
        self.clear()
        self.setPlaceholderText(similar_placeholder(name))
        self.back_action.setToolTip(f"Back to the search “{self._query_before_similar}” (Esc)")
        self.back_action.setVisible(True)

    def end_similar(self, restore: bool = False) -> str:
        """Back to a text search; with ``restore``, the query typed before is put back in the field
        (only when nothing was typed since). Returns the field's text."""
        if self._query_before_similar is not None:
            before, self._query_before_similar = self._query_before_similar, None
            self.setPlaceholderText(PLACEHOLDER)
            self.back_action.setVisible(False)
            if restore and not self.text():
                self._debounce.stop()
                self.setText(before)
        return self.text()

    def clear_search(self) -> None:
        """Empty the field and browse at once (Escape in the field: the window's shortcut calls it).
        Not a commit: a committed query selects (and may play) its first hit, and clearing the
        search asks for nothing to be selected."""
        self._debounce.stop()
        self.clear()
        self.query_changed.emit(self.text())


# The rates libraries hold, game and voice-memo rates too (a review's 11.025 kHz files could not be
# picked), said as the Rate column says them; and channel counts as the Channels column says them,
# with the layout a sound designer knows them by ("5.1" read as another thing than "6 ch").
SAMPLE_RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000)
CHANNELS = ((1, "Mono"), (2, "Stereo"), (4, "4 ch"), (6, "6 ch (5.1)"), (8, "8 ch (7.1)"))


def _duration_box(placeholder: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 36000.0)
    box.setDecimals(2)  # hundredths, as the Duration column reads: UI clicks and hits are 0.05 s
    box.setSuffix(" s")
    box.setSpecialValueText(placeholder)  # shown at the minimum, which therefore means "any"
    box.setFixedWidth(76)
    box.setKeyboardTracking(False)
    return box


SUBFOLDER_ROLE = Qt.UserRole + 1  # the folder combo's one item for a folder below a library folder
PARTS_ROLE = Qt.UserRole + 2  # a folder combo item's label in its parts (folder_parts)
FOLDER_TIP = "Pick a library folder, or type part of a subfolder's name"
LINE_EDIT_MARGIN = 2  # px a QLineEdit leaves either side of its text (its private horizontalMargin)


def folder_parts(path: str, root: str, name: str) -> tuple[str, ...]:
    """``path``, a library folder ``root`` or a folder below it, as the folder filter names it: the
    library folder's ``name`` (:func:`engine.fs.folder_names`), then the folders down to it."""
    return (name,) if path == root else (name, *Path(path).relative_to(root).parts)


def folder_label(path: str, root: str, name: str) -> str:
    """How the folder filter names ``path``: its :func:`folder_parts` joined ("SFX/Doors/Wood"), the
    same on every system."""
    return "/".join(folder_parts(path, root, name))


def fitted_folder_label(parts: Sequence[str], metrics: QFontMetrics, width: int) -> str:
    """A folder's label (``parts``: :func:`folder_parts`) as it fits ``width`` px
    (:func:`app.labels.path_wordings`): whole, else with folders left out of its middle, keeping
    the library folder's name (which library it searches) and as many of the last folders as fit
    ("SFX Library/…/Automatic/Far"), else the last folders alone ("…/Far"); a name that does not
    fit even so is cut in its middle. The field showed the label's end, cut through its first
    letter ("ns/Guns/Automatic/Far")."""
    return first_fitting(path_wordings(parts[0], parts[1:]), metrics, width, Qt.ElideMiddle)


class FolderField(QLineEdit):
    """The folder filter's field. While it is not typed in, it shows the chosen folder's label as
    it fits (:func:`fitted_folder_label`); its text stays the whole label, which typing edits and
    the results line names."""

    def __init__(self, combo: QComboBox):
        super().__init__(combo)
        self._combo = combo

    def shown_text(self) -> str:
        """What the field shows now."""
        parts = self._combo.currentData(PARTS_ROLE)
        if self.hasFocus() or not parts or self.text() != "/".join(parts):
            return self.text()
        return fitted_folder_label(parts, self.fontMetrics(), self._text_rect().width())

    def _text_rect(self) -> QRect:
        """Where a QLineEdit draws its text."""
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        contents = self.style().subElementRect(QStyle.SE_LineEditContents, option, self)
        return contents.marginsRemoved(self.textMargins()).adjusted(LINE_EDIT_MARGIN, 0, -LINE_EDIT_MARGIN, 0)

    def paintEvent(self, event) -> None:
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        self.style().drawPrimitive(QStyle.PE_PanelLineEdit, option, painter, self)
        painter.setPen(self.palette().color(QPalette.Text))
        painter.drawText(self._text_rect(), Qt.AlignLeft | Qt.AlignVCenter, shown)


def _choice(any_text: str, items) -> QComboBox:
    combo = QComboBox()
    combo.addItem(any_text, None)
    for data, text in items:
        combo.addItem(text, data)
    return combo


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("FilterBar")
        self.min_duration = _duration_box("min")
        self.max_duration = _duration_box("max")
        self.format = _choice("Any format", ((f, f.upper()) for f in FORMATS))
        self.sample_rate = _choice("Any rate", ((r, f"{r / 1000:g} kHz") for r in SAMPLE_RATES))
        self.channels = _choice("Any channels", CHANNELS)
        self.tag = QLineEdit(placeholderText="Tag")
        self.tag.setFixedWidth(120)
        self.folder = _choice("All folders", ())
        self.folder.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.folder.setMinimumContentsLength(14)
        # The list holds the library folders only (a library may have 10,000 subfolders); any folder
        # below one is found by typing part of its name, which the completer matches anywhere.
        self.folder.setLineEdit(FolderField(self.folder))
        self.folder.setInsertPolicy(QComboBox.NoInsert)
        self.folder.setToolTip(FOLDER_TIP)
        self._subfolders: dict[str, list[str]] = {}  # library folder -> the folders below it that hold sounds
        self._by_label: dict[str, str] = {}  # completer text -> folder
        self._root_names: dict[str, str] = {}  # library folder -> its name in the list (engine.fs.folder_names)
        self.folder_names = QStringListModel(self)
        self.folder_completer = QCompleter(self.folder_names, self)
        self.folder_completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.folder_completer.setFilterMode(Qt.MatchContains)
        self.folder_completer.setMaxVisibleItems(12)
        # on the line edit, not the combo: the combo would look a completion up among its own items
        self.folder.lineEdit().setCompleter(self.folder_completer)
        self.folder_completer.activated[str].connect(self._folder_typed)
        self.folder.lineEdit().editingFinished.connect(lambda: self._folder_typed(self.folder.lineEdit().text()))
        self.offline = QCheckBox("Show offline")  # ticked or not, the label says which
        self.offline.setChecked(True)
        self.offline.setToolTip("Show sounds on drives that are not connected (greyed, with the drive's name)")
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("Clear every filter")
        duration_label = QLabel("Duration")
        duration_label.setProperty("dim", True)
        dash = QLabel("–")
        dash.setProperty("dim", True)
        duration = QWidget()  # one piece: its bounds are never split over two rows
        duration_row = QHBoxLayout(duration)
        duration_row.setContentsMargins(0, 0, 0, 0)
        duration_row.setSpacing(6)
        for widget in (duration_label, self.min_duration, dash, self.max_duration):
            duration_row.addWidget(widget)
        layout = FlowLayout(self)
        layout.setContentsMargins(10, 4, 10, 6)
        layout.setSpacing(6)
        for widget in (
            duration,
            self.format,
            self.sample_rate,
            self.channels,
            self.tag,
            self.folder,
            self.offline,
            self.reset,
        ):
            layout.addWidget(widget)
        for box in (self.min_duration, self.max_duration):
            box.valueChanged.connect(self.changed)
        for combo in (self.format, self.sample_rate, self.channels, self.folder):
            combo.currentIndexChanged.connect(self.changed)
        self.tag.editingFinished.connect(self.changed)
        self.offline.toggled.connect(self.changed)
        self.reset.clicked.connect(self.clear)
        self.changed.connect(self._folder_tip)

    def _folder_tip(self) -> None:
        """The folder field's tooltip: the chosen folder's whole path (the field may show it cut)."""
        path = self.folder.currentData()
        self.folder.setToolTip(f"{path}\n{FOLDER_TIP}" if path else FOLDER_TIP)

    def values(self) -> SearchFilters:
        """What the bar asks for (the engine's own filters: a light module, nothing loads with it)."""

        def duration(box: QDoubleSpinBox) -> float | None:
            return box.value() if box.value() > box.minimum() else None

        return SearchFilters(
            min_duration_s=duration(self.min_duration),
            max_duration_s=duration(self.max_duration),
            sample_rate=self.sample_rate.currentData(),
            channels=self.channels.currentData(),
            format=self.format.currentData(),
            folder=self.folder.currentData(),
            tag=self.tag.text().strip() or None,
            include_offline=self.offline.isChecked(),
        )

    def set_folders(self, folders: list[str]) -> None:
        """The library folders the list offers; a folder chosen below one of them stays chosen."""
        current = self.folder.currentData()
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem("All folders", None)
        self._root_names = folder_names(folders)
        for path in folders:
            self.folder.addItem(self._root_names[path], path)
            self.folder.setItemData(self.folder.count() - 1, path, Qt.ToolTipRole)
            self.folder.setItemData(self.folder.count() - 1, (self._root_names[path],), PARTS_ROLE)
        self._subfolders = {root: paths for root, paths in self._subfolders.items() if root in folders}
        self._list_subfolders()
        index = self._folder_index(current) if current is not None else 0
        self.folder.setCurrentIndex(max(index, 0))
        self.folder.blockSignals(False)
        if current is not None and index < 0:
            self.changed.emit()

    def set_subfolders(self, root: str, paths: list[str]) -> None:
        """The folders below the library folder ``root`` that hold sounds: what typing in the
        folder filter completes (only the matches are listed, never all of them at once)."""
        self._subfolders[root] = paths
        self._list_subfolders()

    def _list_subfolders(self) -> None:
        self._by_label = {}
        for root, paths in self._subfolders.items():
            for path in paths:
                self._by_label.setdefault(folder_label(path, root, self._root_name(root)), path)
        self.folder_names.setStringList(sorted(self._by_label, key=str.casefold))

    def _root_name(self, root: str) -> str:
        """The library folder's name as the list shows it (told apart from another of the same name)."""
        return self._root_names.get(root) or Path(root).name or root

    def _folder_typed(self, text: str) -> None:
        """A completion picked, or the typing finished: that folder, if the text names one
        (empty text: all folders); else the field shows the folder chosen again."""
        text = text.strip()
        path = self._by_label.get(text)
        if path is None and text:
            index = self.folder.findText(text)
            path = self.folder.itemData(index) if index > 0 else None
            if index < 0:
                self._show_chosen_folder()
                return
        self.set_folder(path)

    def _show_chosen_folder(self) -> None:
        """The field shows the chosen folder's name again (an editable combo's text is what was typed)."""
        self.folder.setEditText(self.folder.itemText(self.folder.currentIndex()))

    def set_folder(self, path: str | None) -> None:
        """Filter to ``path``: a library folder or any folder below one (the library panel's tree
        chooses these); None, all folders. ``changed`` follows when the choice is new."""
        if path == self.folder.currentData():
            self._show_chosen_folder()
            return
        self.folder.blockSignals(True)
        index = self._folder_index(path) if path is not None else 0
        self.folder.setCurrentIndex(index)
        self.folder.blockSignals(False)
        self.changed.emit()

    def _folder_index(self, path: str) -> int:
        """The list's item for ``path``; a folder below a library folder gets the list's one
        subfolder item, after its library folder (-1 when no library folder holds it)."""
        index = self.folder.findData(path)
        if index >= 0:
            return index
        roots = [(i, self.folder.itemData(i)) for i in range(1, self.folder.count())]
        root = next(((i, r) for i, r in roots if r and is_inside(path, r)), None)
        if root is None:
            return -1
        for i in range(self.folder.count()):
            if self.folder.itemData(i, SUBFOLDER_ROLE):
                self.folder.removeItem(i)  # the one shown before: only the chosen subfolder is listed
                break
        at = self.folder.findData(root[1]) + 1
        parts = folder_parts(path, root[1], self._root_name(root[1]))
        self.folder.insertItem(at, "/".join(parts), path)
        self.folder.setItemData(at, path, Qt.ToolTipRole)
        self.folder.setItemData(at, parts, PARTS_ROLE)
        self.folder.setItemData(at, True, SUBFOLDER_ROLE)
        return at

    def clear(self) -> None:
        widgets = (
            self.min_duration,
            self.max_duration,
            self.format,
            self.sample_rate,
            self.channels,
            self.folder,
            self.tag,
            self.offline,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.min_duration.setValue(0.0)
        self.max_duration.setValue(0.0)
        for combo in (self.format, self.sample_rate, self.channels, self.folder):
            combo.setCurrentIndex(0)
        self.tag.clear()
        self.offline.setChecked(True)
        for widget in widgets:
            widget.blockSignals(False)
        self.changed.emit()
