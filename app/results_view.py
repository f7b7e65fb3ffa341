"""The results table: keyboard-first, drags files out, draws scores as bars."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from math import ceil

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QFontMetricsF, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
)

from app.labels import first_fitting, path_wordings
from app.offline import drag_message, is_offline
from app.results_model import (
    BADGE_ROLE,
    CAPTION_COLUMN,
    COLUMNS,
    DESCRIPTION_COLUMN,
    FOLDER_COLUMN,
    HIT_ROLE,
    NAME_COLUMN,
    SCORE_COLUMN,
    SCORE_ROLE,
    TAGS_COLUMN,
    TAGS_ROLE,
)
from app.theme import Colors
from engine.search.localized import is_language_folder
from engine.words import NON_WORDS, file_stem, ucs_blocks, without_numbers, words

ROW_HEIGHT = 24
# A UCS name as sound libraries name their files (CatID, FX name, CreatorID, SourceID): the most room
# the Name column takes for its names before the Description, Caption, Tags or Folder get more than their least
TYPICAL_NAME = "DOORWood_Creak Heavy Slow_JD_ACME Foley Library.wav"
NAME_LEAST = 130  # px the Name keeps in a narrow window, where it gives way last
TAGS_MOST = 220  # px the Tags column takes at most for a file's tags whole, before the others give way
# px the Tags keep at most in a narrow window for a file's first tag and its "+N": a UCS name
# ("WATER-SPLASH +2", 141 px with its padding); the column's first 110 px read "WATER-… +2" at 1024 px
TAGS_NARROW = 150
FOLDER_LEAST = 80  # px the Folder keeps there
ROWS_LOOKED_AT = 1_000  # results read to tell whether a column has anything to show
ROWS_IN_VIEW = 40  # the first results a tall window shows: where a Description is read, or is not
# The columns of words that may be blank in every row listed (an opaque library's Take_0001.ogg…)
WORDS = (DESCRIPTION_COLUMN, TAGS_COLUMN, CAPTION_COLUMN)
# How long results stay before the columns blank in all of them fold, or come back with words: a
# query typed is answered at each pause (app/search_bar.py DEBOUNCE_MS), and the columns moved at each
BLANK_SETTLES_MS = 1_000


def _titled(*titles: str) -> tuple[int, ...]:
    """The columns titled ``titles``, in that order."""
    return tuple(next(i for i, spec in enumerate(COLUMNS) if spec.title == title) for title in titles)


# The file's facts: in a narrow window they give way to their values whole and their titles, short
# where they have one ("Ch.": SortHeader.shown_title)
FACTS = _titled("Duration", "Format", "Rate", "Channels")
# What folds away, the least needed first, where even at their least the shown columns do not fit
# the view (beside a DAW, at 712 px, the table scrolled sideways by 297 px); the Name and the Match never
CROWDED_OUT = _titled("Rate", "Format", "Channels", "Folder", "Caption", "Tags", "Description", "Duration")


def _per_results(measure: Callable[..., int]) -> Callable[..., int]:
    """A :class:`ResultsView` measure of the results shown, kept until they change or the font
    does (:meth:`ResultsView._forget_rooms`): read from up to :data:`ROWS_LOOKED_AT` rows at each
    step of a window's resize, the rooms took a fit of the columns 140 ms."""

    @wraps(measure)
    def kept(view: ResultsView, *args) -> int:
        key = (measure.__name__, *args)
        if key not in view._rooms:
            view._rooms[key] = measure(view, *args)
        return view._rooms[key]

    return kept


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
        if fraction is not None:  # the track, and on it the match: a sliver at least, none at 0 (nearest_only)
            bar = QRectF(rect.left(), rect.bottom() - 6, rect.width() * max(0.04, fraction), 3)
            painter.fillRect(QRectF(rect.left(), bar.top(), rect.width(), 3), Colors.grid)
            if fraction > 0:
                painter.fillRect(bar, Colors.score_bar)
        painter.setPen(
            option.palette.highlightedText().color()
            if option.state & QStyle.State_Selected
            else index.data(Qt.ForegroundRole) or Colors.text
        )
        painter.drawText(rect.adjusted(0, -2, 0, -2), Qt.AlignRight | Qt.AlignVCenter, index.data() or "")


def _split_folder(folder: str) -> tuple[str, list[str], str]:
    """``folder`` (:func:`engine.search.filters.folder_shown`'s: its library folder's name first)
    as where it comes from, the first folder below the library folder (the pack, or the category),
    the folders below that, and the separator it writes; the library folder's name where nothing
    is below it but one folder."""
    names = re.split(r"[/\\]", folder)
    head = 1 if len(names) > 2 else 0
    return names[head], names[head + 1 :], "\\" if "\\" in folder and "/" not in folder else "/"


def folder_wordings(folder: str) -> list[str]:
    """The ways the Folder column shows ``folder``, longest first (:func:`app.labels.path_wordings`):
    whole; from where it comes, the pack or the category (:func:`_split_folder`), with as many of
    the deepest folders as fit ("flare-game/…/soundfx/powers"); then the deepest folders alone
    ("…/powers": what tells two folders of one pack apart). A library of 37 packs read "…/sound",
    "…/sounds", "…/sfx" and never which pack; elided in the middle, every folder read "lib/f…ounds",
    its start the library's own name. A deepest folder whose name says nothing of the sound
    ("sounds", "sfx", "data": :data:`engine.words.NON_WORDS`) gives way to where it comes from
    ("openssn-data/…"): four games' "…/sounds" side by side told no two apart (review 14, M6). So
    does a language's folder (:func:`engine.search.localized.is_language_folder`): a game's sounds
    read "…/he", "…/de", never which game (review 16, L10). Such a folder's last wording is the
    pack's, which :func:`elide_folder` cuts at its right where even that does not fit: at 1024 px
    "planetblupi-common/…" was wider than the column, and it read "…/sound/en" again."""
    head, below, sep = _split_folder(folder)
    wordings = [folder, *path_wordings(head, below, sep)]
    from_a_pack = head != re.split(r"[/\\]", folder)[0]  # not the library folder's own name
    if from_a_pack and below and _says_nothing(below[-1]):
        first_deepest = next(i for i, wording in enumerate(wordings) if wording.startswith("…"))
        wordings[first_deepest:] = [f"{head}{sep}…"]
    return wordings


def _says_nothing(folder_name: str) -> bool:
    """Whether a folder's name says nothing of its sounds: only how they are kept ("sounds", "sfx")
    or a language's code ("de", "en_gb")."""
    described = [w for w in without_numbers(words(folder_name)) if w not in NON_WORDS]
    return not described or is_language_folder(folder_name)


def elide_folder(folder: str, metrics: QFontMetrics, width: int) -> str:
    """``folder`` as it fits ``width``: the longest of its :func:`folder_wordings` that fits; where
    none does, the deepest folder's name cut at its left, or the pack's at its right."""
    wordings = folder_wordings(folder)
    return first_fitting(wordings, metrics, width, Qt.ElideRight if wordings[-1].endswith("…") else Qt.ElideLeft)


def sourced_folder(folder: str) -> str:
    """The shortest form :func:`elide_folder` cuts ``folder`` to that names both where it comes
    from and its deepest folder: "flare-game/…/powers"."""
    head, below, sep = _split_folder(folder)
    return sep.join([head, *below] if len(below) <= 1 else [head, "…", below[-1]])


def deepest_folder(folder: str) -> str:
    """The shortest form :func:`elide_folder` cuts ``folder`` to with a folder's name whole: "…/steps"."""
    _head, below, sep = _split_folder(folder)
    return f"…{sep}{below[-1]}" if below else folder


class FolderDelegate(QStyledItemDelegate):
    """The Folder column: where a sound comes from and its deepest folders, by whole folder names
    (:func:`elide_folder`)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.ElideLeft
        if option.rect.width() > 0 and option.text:
            option.text = elide_folder(option.text, option.fontMetrics, text_width(option))
            # it fits: Qt's own elision, which rounds otherwise, cut about half the folders that fitted
            # to the pixel ("…re-game/…/environment")
            option.textElideMode = Qt.ElideNone


def tag_wordings(tags: list[str]) -> list[str]:
    """The ways the Tags column shows ``tags`` (as the file holds them: :func:`app.results_model.shown_tags`),
    longest first: all of them, then fewer and fewer, each time with "+N" for those left out."""
    return [
        ", ".join(tags[:kept]) + (f" +{len(tags) - kept}" if kept < len(tags) else "")
        for kept in range(len(tags), 0, -1)
    ]


def elide_tags(tags: list[str], metrics: QFontMetrics, width: int) -> str:
    """``tags`` as they fit ``width``: the longest of :func:`tag_wordings` that fits, whole tags
    only; else the first tag cut at its right, its "+N" kept ("Footst… +2"): cut as one text, the
    count went first and a file's three tags read "WATER-SPL…"."""
    wordings = tag_wordings(tags)
    if metrics.horizontalAdvance(wordings[-1]) <= width:
        return first_fitting(wordings, metrics, width)
    more = wordings[-1].removeprefix(tags[0])  # " +N", or nothing
    return metrics.elidedText(tags[0], Qt.ElideRight, max(width - metrics.horizontalAdvance(more), 0)) + more


class TagsDelegate(QStyledItemDelegate):
    """The Tags column: the file's tags, as many whole as fit, then "+N" (:func:`elide_tags`); the
    tooltip lists them all."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        tags = index.data(TAGS_ROLE)
        if option.rect.width() > 0 and tags:
            option.text = elide_tags(tags, option.fontMetrics, text_width(option))
            option.textElideMode = Qt.ElideNone  # it fits: Qt's rounding would cut it again


def text_width(option: QStyleOptionViewItem) -> int:
    """The width a cell's text is drawn in: the cell less the theme's padding (the style's text
    rect) and the margins the style leaves on each side of the text."""
    style = option.widget.style() if option.widget else QApplication.style()
    rect = style.subElementRect(QStyle.SE_ItemViewItemText, option, option.widget)
    margin = style.pixelMetric(QStyle.PM_FocusFrameHMargin, None, option.widget) + 1
    return max(rect.width() - 2 * margin, 0)


def elide_name(name: str, metrics: QFontMetrics, width: int) -> str:
    """``name`` as it fits ``width``: whole; else a UCS name's CatID and FX name with "_…" for the
    IDs after them, cut in the middle when even they do not fit, so that both the CatID and the FX
    name's end stay ("DOORWood_Creak He…Groan 02": a cut on the right made a file's variations
    read alike, one in the middle took the FX name); any other name is cut in the middle, which
    keeps its take number ("Door Creak Lo…ng 03.wav")."""
    if metrics.horizontalAdvance(name) <= width:
        return name
    blocks = ucs_blocks(file_stem(name))
    if blocks is None:
        return metrics.elidedText(name, Qt.ElideMiddle, width)
    core = f"{blocks[0]}_{blocks[1]}"
    if metrics.horizontalAdvance(core + "_…") <= width:
        return core + "_…"
    return metrics.elidedText(core, Qt.ElideMiddle, width)


BADGE_SHARE = 0.35  # of the Name cell, at most, where the name is cut anyway: the name keeps the rest
BADGE_GAP = 6  # px between a name and its badge
PILL_PADDING = 14  # px a badge's pill takes beside its text


def badge_width(badge: str, metrics: QFontMetrics, cell: int) -> int:
    """The width of a name's badge pill ("+2 copies") in a Name cell ``cell`` wide: its text, at most
    :data:`BADGE_SHARE` of the cell (the pill elides the text past that), so the name stays readable."""
    return min(metrics.horizontalAdvance(badge) + PILL_PADDING, int(cell * BADGE_SHARE))


def fitted_badge(wordings: tuple[str, ...], metrics: QFontMetrics, cell: int, beside: int) -> tuple[str, int]:
    """The badge a Name cell ``cell`` px wide shows, of its ``wordings`` (longest first:
    :func:`app.results_model.copies_badge`), and its pill's width: the longest that leaves the name
    whole beside it (``beside`` px, padded); else the shortest ("+2", the tooltip lists the copies)
    in at most :data:`BADGE_SHARE` of the cell, elided only where even that does not fit. Held to
    that share however short the name, "+2 copies" read "+2 …ies" beside "laser.ogg" at 1024 px."""
    for wording in wordings:
        width = metrics.horizontalAdvance(wording) + PILL_PADDING
        if width <= cell - beside - BADGE_GAP:
            return wording, width
    width = badge_width(wordings[-1], metrics, cell)
    return first_fitting(wordings[-1:], metrics, width - PILL_PADDING, Qt.ElideMiddle), width


class ElidedNameDelegate(QStyledItemDelegate):
    """A file name cut to its cell by :func:`elide_name`: the results' Name column, and the names
    in the rename dialog, read alike."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        if option.rect.width() > 0 and option.text:
            option.text = elide_name(option.text, option.fontMetrics, text_width(option))


class NameDelegate(ElidedNameDelegate):
    """The file name (:class:`ElidedNameDelegate`), with a badge at its right (:func:`fitted_badge`),
    "+1 copy", when the same file is elsewhere in the library too. An offline file has no badge:
    its icon, its greyed row and its tooltip say so, and leave its name the cell."""

    def badge(self, option: QStyleOptionViewItem, index: QModelIndex) -> tuple[str, int]:
        """The badge the cell of ``option`` (as :meth:`initStyleOption` made it) shows for ``index``,
        and its pill's width (:func:`fitted_badge`)."""
        name = ceil(QFontMetricsF(option.font).horizontalAdvance(index.data() or ""))  # in fractions, as drawn
        beside = name + option.rect.width() - text_width(option)
        return fitted_badge(index.data(BADGE_ROLE), option.fontMetrics, option.rect.width(), beside)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        if not index.data(BADGE_ROLE):
            super().paint(painter, option, index)
            return
        option = QStyleOptionViewItem(option)
        self.initStyleOption(option, index)
        if option.widget:  # the row's background across the whole cell, badge included
            option.widget.style().drawPrimitive(QStyle.PE_PanelItemViewItem, option, painter, option.widget)
        badge, width = self.badge(option, index)
        pill = QRectF(option.rect.right() - width - 3, option.rect.top() + 4, width, option.rect.height() - 8)
        name = QStyleOptionViewItem(option)
        name.rect = option.rect.adjusted(0, 0, -width - BADGE_GAP, 0)
        super().paint(painter, name, index)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Colors.offline if is_offline(index.data(HIT_ROLE)) else Colors.dim_text)
        painter.drawRoundedRect(pill, 4, 4)
        painter.drawText(pill, Qt.AlignCenter, badge)
        painter.restore()


def _name_width(index: QModelIndex, metrics: QFontMetricsF) -> int:
    """The width a Name cell's text takes whole: the name, and its badge's pill whole (NameDelegate),
    in whole px up (the style lays text out in fractions: measured in whole px, the longest name of a
    1024 px list read "sp-impact_heavy_00.o…" in the room measured for it)."""
    badge = index.data(BADGE_ROLE)
    pill = metrics.horizontalAdvance(badge[0]) + PILL_PADDING + BADGE_GAP if badge else 0
    return ceil(metrics.horizontalAdvance(index.data() or "")) + ceil(pill)


class SortHeader(QHeaderView):
    """The columns' header, its sort arrow drawn as people read one: ▲ for ascending (A to Z, the
    shortest first), ▼ for descending (the best match first). Qt hands the style SortDown for
    Qt.AscendingOrder and SortUp for Qt.DescendingOrder, and Fusion (the app's style on every
    system, app/theme.py) draws SortUp as ▲: unswapped, the best match first showed ▲."""

    _SWAPPED = {
        QStyleOptionHeader.SortIndicator.SortUp: QStyleOptionHeader.SortIndicator.SortDown,
        QStyleOptionHeader.SortIndicator.SortDown: QStyleOptionHeader.SortIndicator.SortUp,
    }
    arrow_shown = Signal()  # the sort arrow shows or goes: the titles' widths, which make room for it, change

    def __init__(self, parent: QTableView):
        super().__init__(Qt.Horizontal, parent)
        self.setSectionsClickable(True)  # as the table's own header is: a click sorts
        self.pressed = False  # a mouse button is down on it: a section resized now is the user's doing
        self.as_saved = False  # its sections as a saved state left them, until the view's first results

    def restoreState(self, state) -> bool:
        """The sections as a saved state has them; the view leaves them so until its first results
        (ResultsView._fit_columns)."""
        self.as_saved = True  # while Qt restores too: the sort it restores is announced, and a fit then undid the rest
        self.as_saved = super().restoreState(state)
        return self.as_saved

    def setSortIndicatorShown(self, show: bool) -> None:
        """Show or hide the sort arrow, and say so (:attr:`arrow_shown`) where that changes."""
        if show != self.isSortIndicatorShown():
            super().setSortIndicatorShown(show)
            self.arrow_shown.emit()

    def mousePressEvent(self, event) -> None:
        self.pressed = event.button() == Qt.LeftButton  # a right-click opens the columns' menu, sizes nothing
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        self.pressed = False

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logical_index: int) -> None:
        super().initStyleOptionForIndex(option, logical_index)
        option.sortIndicator = self._SWAPPED.get(option.sortIndicator, option.sortIndicator)
        option.text = self.shown_title(logical_index)

    def title_width(self, title: str) -> int:
        """The width of a section showing ``title`` whole, in the theme's header font and padding,
        which holds the sort arrow (Qt's own section size adds 22 px more for one)."""
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.text = title
        return self.style().sizeFromContents(QStyle.CT_HeaderSection, option, QSize(), self).width()

    def shown_title(self, section: int) -> str:
        """``section``'s title, or its short one (:attr:`app.results_model.Column.short_title`) where
        the section is narrower than the title whole: narrowed to their values, the Duration and
        the Channels read "DURA…" and "CH…" at 1024 px."""
        spec = COLUMNS[section]
        if spec.short_title and self.sectionSize(section) < self.title_width(spec.title):
            return spec.short_title
        return spec.title

    def viewportEvent(self, event: QEvent) -> bool:
        """A short title's tooltip is the title whole ("Ch.": Channels)."""
        if event.type() == QEvent.ToolTip:
            section = self.logicalIndexAt(event.pos())
            if section >= 0 and self.shown_title(section) != COLUMNS[section].title:
                QToolTip.showText(event.globalPos(), COLUMNS[section].title, self)
                return True
        return super().viewportEvent(event)


class ResultsView(QTableView):
    reveal_requested = Signal(list)  # paths
    play_requested = Signal()  # Return on a result: play or stop it, as Space does
    copy_requested = Signal(list)  # paths
    message = Signal(str)  # said to the user, e.g. why an offline file was not dragged
    typed = Signal(str)  # letters typed in the results: a new query, not a jump to a name

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHorizontalHeader(SortHeader(self))
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
        # Tab and Shift+Tab leave the table for the next and previous widget (the tags field, Suggest…),
        # as in a file manager: stepping through cells never let them out, and scrolled Name away
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setItemDelegateForColumn(SCORE_COLUMN, ScoreDelegate(self))
        self.setItemDelegateForColumn(NAME_COLUMN, NameDelegate(self))
        self.setItemDelegateForColumn(FOLDER_COLUMN, FolderDelegate(self))
        self.setItemDelegateForColumn(TAGS_COLUMN, TagsDelegate(self))
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.Fixed)  # fixed heights: no per-row measuring at 100 k rows
        rows.setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        header.setTextElideMode(Qt.ElideRight)  # a column the user narrows past its title: "FOLD…", not clipped
        # the columns fit the view without scrolling sideways (_fit_columns) until the user sizes a
        # column or their saved widths come back (keep_column_widths)
        self._fit_to_view = True
        self._descriptions = False  # whether the library holds a description (show_descriptions)
        self._hidden: set[int] = set()  # the columns the user hid (columns_menu)
        self._rooms: dict[tuple, int] = {}  # the measures of the results shown (_per_results)
        # the columns of WORDS blank in every row listed, as the results settled (_settle_blank)
        self._blank: set[int] = set()
        self._listed = 0  # the rows listed at the last change of the results
        self._settling = QTimer(self, singleShot=True, interval=BLANK_SETTLES_MS)
        self._settling.timeout.connect(self._settle_blank)
        header.sectionResized.connect(lambda *_: header.pressed and self.keep_column_widths())
        header.sectionHandleDoubleClicked.connect(lambda _section: self.keep_column_widths())
        # the columns fitted to titles measured with the arrow or without it: a browse after a search (no
        # Match arrow) laid the columns out for the arrow, and the next results moved them all
        header.arrow_shown.connect(self._fit_columns)
        header.setContextMenuPolicy(Qt.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_columns_menu)

    def setModel(self, model) -> None:
        super().setModel(model)
        for column, spec in enumerate(COLUMNS):
            self.setColumnWidth(column, spec.width)
        self.horizontalHeader().setSortIndicator(SCORE_COLUMN, Qt.DescendingOrder)
        for changed in (model.modelReset, model.dataChanged):  # new hits; captions and tags arriving later
            changed.connect(self._results_changed)
        model.layoutChanged.connect(self._forget_rooms)  # sorted: other rows come first
        self._fit_columns()

    def show_descriptions(self, held: bool) -> None:
        """Show the Description column while the library holds a description (a fact of the
        library, engine_client.EngineClient.descriptions_held), whoever sized the columns. Shown
        while the page of results held one, it came and went as the pages changed (the words'
        answer, then the sound's, at launch), moving every column beside it under the user's eyes;
        and with the widths restored at a start, it stayed as the last page before quitting left it."""
        self._descriptions = held
        self._fit_columns()

    def columns_menu(self) -> QMenu:
        """The header's right-click menu: which columns show, as in a file manager (a narrow window
        beside a DAW has no room for all ten). The Name cannot be hidden: it says which file a row is."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for column, spec in enumerate(COLUMNS):
            action = menu.addAction(spec.title)
            action.setCheckable(True)
            action.setChecked(column not in self._hidden)
            action.setEnabled(column != NAME_COLUMN)
            action.toggled.connect(lambda shown, column=column: self.show_column(column, shown))
            if column == DESCRIPTION_COLUMN and not self._descriptions:
                action.setToolTip("Shows once a file of the library describes itself in its metadata")
            elif column in WORDS:
                action.setToolTip("Folds away while no result listed has any, or where the window is too narrow for it")
            elif column in CROWDED_OUT:
                action.setToolTip("Folds away when the window is too narrow for it")
        return menu

    def _show_columns_menu(self, position) -> None:
        menu = self.columns_menu()
        menu.exec(self.horizontalHeader().viewport().mapToGlobal(position))
        menu.deleteLater()

    def show_column(self, column: int, shown: bool) -> None:
        """Show or hide ``column`` as the user chose (:meth:`columns_menu`); the others fit again."""
        self.horizontalHeader().as_saved = False  # the user's choice, shown at once
        if shown:
            self._hidden.discard(column)
        elif column != NAME_COLUMN:
            self._hidden.add(column)
        self._fit_columns()

    @property
    def hidden_columns(self) -> list[str]:
        """The titles of the columns the user hid, kept between runs (by title: the columns may change)."""
        return [COLUMNS[column].title for column in sorted(self._hidden)]

    def hide_columns(self, titles: list[str]) -> None:
        """Hide the columns titled ``titles`` (as :attr:`hidden_columns` kept them), show the others."""
        self._hidden = {column for column, spec in enumerate(COLUMNS) if spec.title in titles} - {NAME_COLUMN}
        self._fit_columns()

    def keep_column_widths(self) -> None:
        """The column widths are the user's (sized by hand, or restored): they no longer follow the view."""
        self._fit_to_view = False

    @property
    def widths_kept(self) -> bool:
        """Whether the column widths are the user's (:meth:`keep_column_widths`), not fitted to the view."""
        return not self._fit_to_view

    def resizeEvent(self, event) -> None:  # the viewport's size: a scroll bar that comes or goes changes it too
        super().resizeEvent(event)
        self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):  # the theme's font and padding
            self._forget_rooms()

    def _forget_rooms(self, *_changed) -> None:
        """Measure the results anew (:func:`_per_results`) at the next fit."""
        self._rooms = {}

    def _results_changed(self, *_changed) -> None:
        self.horizontalHeader().as_saved = False  # the results the columns are fitted to are in
        self._forget_rooms()
        listed, self._listed = self._listed, self.model().rowCount()
        blank = self._blank_now()
        if listed and blank != self._blank:
            self._settling.start()  # again at each answer while the user types
            self._fit_columns()
        else:  # nothing was listed (no column moves under the user's eyes), or the same are blank
            self._settle_blank(blank)

    def _blank_now(self) -> set[int]:
        """The columns of :data:`WORDS` with nothing to read in any row listed (of the first
        :data:`ROWS_LOOKED_AT`)."""
        return {column for column in WORDS if not self._holds_text(column)}

    def _settle_blank(self, blank: set[int] | None = None) -> None:
        """Fold the columns blank in every row listed (``blank``, read now where not given:
        :meth:`_blank_now`), and bring back those with words, once the results have stayed
        :data:`BLANK_SETTLES_MS` (or at once where no row was listed): an opaque library's
        Take_0001.ogg… kept 350 px of blank Description, Tags and Caption in a 1440 px window
        (review 18, L10), and a query typed, answered at each pause, would move the columns at each."""
        self._settling.stop()
        self._blank = self._blank_now() if blank is None else blank
        self._fit_columns()

    def _fit_columns(self, *_changed) -> None:
        """Every column in view, and the room first to the Name, which a sound designer reads first
        and a UCS name fills: its names whole, up to :data:`TYPICAL_NAME` (:meth:`name_room`),
        before the others get more than their least (at 1440 px the Name kept 220 px while the
        Folder, Tags and Description kept theirs, and cut "DOORWood_C… Old Hinge"). The Description
        (the files' own metadata) shows while the library holds one (:meth:`show_descriptions`);
        it, the Tags and the Caption, empty for many libraries, fold away while no row listed has
        any (:meth:`_settle_blank`), and a Description blank in the rows on screen folds where the
        names and folders would be cut (:meth:`_folded`); the Tags, where there are some, take the
        room of the results' tags whole, up to :data:`TAGS_MOST` (:meth:`tags_room`); the
        Description, or else the Caption, takes what the Name leaves, and where neither shows the
        Name and the Folder share it. A column the user hid (:meth:`columns_menu`) stays hidden.
        In a narrower window the columns give way in turn (:meth:`_give_way`), and where even at
        their least they do not fit, the least needed fold away (:meth:`_crowded_out`): the table
        never scrolls sideways.

        A header restored as the last session left it (:meth:`SortHeader.restoreState`) stays so
        until the first results are in, the library's facts (:meth:`show_descriptions`) known by
        then: fitted to the empty list before the library opened, the header showed the Tags and
        Caption, then the Description once the library said it holds one, then other widths again
        for the results. The same library and query give the saved header back, so it does not move."""
        if self.model() is None or self.horizontalHeader().as_saved:
            return
        header = self.horizontalHeader()
        hidden = set(self._hidden) | (set() if self._descriptions else {DESCRIPTION_COLUMN})  # the user's widths too
        if not self._fit_to_view:
            self._show_only(hidden)
            return
        hidden |= self._blank
        widths = [spec.width for spec in COLUMNS]
        widths[NAME_COLUMN] = max(widths[NAME_COLUMN], self.name_room())
        widths[TAGS_COLUMN] = max(widths[TAGS_COLUMN], self._tags_width(whole=True))
        if DESCRIPTION_COLUMN not in hidden and not self._holds_text(DESCRIPTION_COLUMN, ROWS_IN_VIEW):
            hidden |= self._folded(widths, hidden)
        readers = [column for column in WORDS if column != TAGS_COLUMN and column not in hidden]
        hidden |= self._crowded_out(widths, hidden, readers)
        readers = [column for column in readers if column not in hidden]
        spare = self.viewport().width() - sum(width for column, width in enumerate(widths) if column not in hidden)
        if spare >= 0 and readers:
            widths[readers[0]] += spare
        elif spare >= 0:  # nothing to read beside them: the names and folders have it, alike
            to_folder = 0 if FOLDER_COLUMN in hidden else spare // 2
            widths[NAME_COLUMN] += spare - to_folder
            widths[FOLDER_COLUMN] += to_folder
        else:
            self._give_way(widths, -spare, hidden, readers)
        self._show_only(hidden)
        for column in range(len(COLUMNS)):
            if column not in hidden:
                header.resizeSection(column, widths[column])

    def _folded(self, widths: list[int], hidden: set[int]) -> set[int]:
        """The Description, blank in the first :data:`ROWS_IN_VIEW` results (a row further down
        has one), where it folds away: where the Name or the Folder would otherwise be cut below
        what they show (:meth:`name_room`, :meth:`folder_room`), even at its title's width. At
        1024 px it kept 134 px of nothing while names read "sound_sma…ion_1.wav". A wider window,
        or results with a description on screen, bring it back."""
        wanted = list(widths)
        wanted[NAME_COLUMN] = min(widths[NAME_COLUMN], max(NAME_LEAST, self.name_room()))
        wanted[FOLDER_COLUMN] = min(widths[FOLDER_COLUMN], self.folder_room())
        wanted[DESCRIPTION_COLUMN] = min(widths[DESCRIPTION_COLUMN], self._title_width(DESCRIPTION_COLUMN))
        return self._fold(wanted, hidden, [DESCRIPTION_COLUMN])

    def _crowded_out(self, widths: list[int], hidden: set[int], readers: list[int]) -> set[int]:
        """The columns that fold away, in the order of :data:`CROWDED_OUT`, where the shown ones
        would not fit the view even narrowed to their least (:meth:`_give_way` all the way): beside
        a DAW the table scrolled sideways for the facts, their titles wider than the room."""
        least = list(widths)
        self._give_way(least, sum(least), hidden, readers)
        return self._fold(least, hidden, CROWDED_OUT)

    def _fold(self, widths: list[int], hidden: set[int], order: Iterable[int]) -> set[int]:
        """The columns of ``order`` that fold away, in turn, until the shown ``widths`` fit the view."""
        short = sum(width for column, width in enumerate(widths) if column not in hidden) - self.viewport().width()
        folded = set()
        for column in order:
            if short > 0 and column not in hidden:
                folded.add(column)
                short -= widths[column]
        return folded

    def _give_way(self, widths: list[int], short: int, hidden: set[int], readers: list[int]) -> None:
        """Narrow the shown ``widths`` by ``short`` px, in turn: the Name to its names' room and
        the Folder to where its files come from and their deepest folder ("flare-game/…/powers"),
        which costs nothing to read; then the words to read down to their titles and the Tags to
        a file's first tag and its "+N" ("WATER-SPLASH +2", :meth:`_tags_width`), the facts to their
        values (:meth:`value_room`), the Folder to the deepest folder alone ("…/powers"), then to
        :data:`FOLDER_LEAST` (its last folder elided on the left; the Name's tooltip holds the
        path) and only then the Name, down to :data:`NAME_LEAST`. The Match keeps its width.
        Narrowed to their title, the Tags read "WATER-…" at 1024 px (review 15, L10)."""
        turns = [(NAME_COLUMN, max(NAME_LEAST, self.name_room())), (FOLDER_COLUMN, self.folder_room())]
        turns += [(column, self._title_width(column)) for column in readers]
        turns += [(TAGS_COLUMN, self._tags_width(whole=False))]
        turns += [(column, self.value_room(column)) for column in FACTS]
        turns += [(FOLDER_COLUMN, self.deepest_folder_room())]
        turns += [(FOLDER_COLUMN, FOLDER_LEAST), (NAME_COLUMN, NAME_LEAST)]
        for column, least in turns:
            if column not in hidden and short > 0:
                by = min(short, max(0, widths[column] - least))
                widths[column] -= by
                short -= by

    def _tags_width(self, whole: bool) -> int:
        """The Tags column's width for its title and the first results' tags (:meth:`tags_room`):
        all of them, or (its least, in a narrow window) the first with its "+N", up to
        :data:`TAGS_NARROW`."""
        room = self.tags_room(whole) if whole else min(self.tags_room(whole), TAGS_NARROW)
        return max(self._title_width(TAGS_COLUMN), room)

    @_per_results
    def tags_room(self, whole: bool) -> int:
        """The Tags column's width for the tags of each of the first :data:`ROWS_IN_VIEW` results
        (those read first), all of them (``whole``) or the first with its "+N" ("WATER-SPLASH +2":
        the least that says what a file is tagged, :func:`elide_tags`), up to :data:`TAGS_MOST`;
        0 where none has a tag. A file far down the list with a long tag does
        not take the Name's room: its tags show as many as fit."""
        metrics, padding = self._padding()
        cells = self._cells(TAGS_COLUMN, ROWS_IN_VIEW)
        shown = (tag_wordings(tags)[0 if whole else -1] for cell in cells if (tags := cell.data(TAGS_ROLE)))
        widest = max((metrics.horizontalAdvance(text) + padding for text in shown), default=0)
        return min(widest, TAGS_MOST)

    def _title_width(self, column: int) -> int:
        """The width of ``column``'s title, shown or hidden (a hidden section's size hint is 0)."""
        return self.horizontalHeader().sectionSizeFromContents(column).width()

    def _show_only(self, hidden: set[int]) -> None:
        header = self.horizontalHeader()
        for column in range(len(COLUMNS)):
            if header.isSectionHidden(column) != (column in hidden):
                header.setSectionHidden(column, column in hidden)

    def _padding(self) -> tuple[QFontMetrics, int]:
        """The cells' font, and the px a cell takes beside its text (the theme's padding, :func:`text_width`)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = QRect(0, 0, 1_000, ROW_HEIGHT)  # any width: what the padding takes of it is measured
        return QFontMetrics(option.font), option.rect.width() - text_width(option)

    @_per_results
    def name_room(self) -> int:
        """The Name column's width for the longest of the first :data:`ROWS_LOOKED_AT` names whole,
        its copies' badge beside it, but for no more than :data:`TYPICAL_NAME`: in the view's font
        and with its cells' padding (:func:`text_width`; the theme's font is larger than the
        system's). A library of short names ("dog.ogg") leaves the room to the other columns."""
        _metrics, padding = self._padding()
        metrics = QFontMetricsF(self.font())
        widest = max((_name_width(name, metrics) for name in self._cells(NAME_COLUMN)), default=0)
        return min(widest, ceil(metrics.horizontalAdvance(TYPICAL_NAME))) + padding

    @_per_results
    def folder_room(self) -> int:
        """The Folder column's width for each of the first results' folder from where it comes to
        its deepest folder ("flare-game/…/steps": :func:`sourced_folder`) where that fits the
        column's width at first, else its deepest folder alone (:meth:`_folders_width`)."""
        metrics, padding = self._padding()
        most = COLUMNS[FOLDER_COLUMN].width - padding  # the text the column holds at first

        def shown(folder: str) -> str:
            sourced = sourced_folder(folder)
            return sourced if metrics.horizontalAdvance(sourced) <= most else deepest_folder(folder)

        return self._folders_width(shown)

    @_per_results
    def deepest_folder_room(self) -> int:
        """The Folder column's width for each of the first results' deepest folder whole ("…/steps")."""
        return self._folders_width(deepest_folder)

    def _folders_width(self, shown: Callable[[str], str]) -> int:
        """The Folder column's width for the first results' folders as ``shown`` cuts them, no wider
        than the column is at first, nor narrower than :data:`FOLDER_LEAST`."""
        metrics, padding = self._padding()
        folders = (shown(cell.data() or "") for cell in self._cells(FOLDER_COLUMN))
        widest = max((metrics.horizontalAdvance(folder) for folder in folders), default=0)
        return max(FOLDER_LEAST, min(widest + padding, COLUMNS[FOLDER_COLUMN].width))

    @_per_results
    def value_room(self, column: int) -> int:
        """``column``'s width for the widest of the first results' values whole ("11.025 kHz") and
        its title, short where it has one (:meth:`SortHeader.shown_title`), but no wider than the
        column is at first (nor, with no results, narrower). Narrowed to their values alone, the
        titles read "DURA…" and "CH…" at 1024 px."""
        _metrics, padding = self._padding()
        metrics = QFontMetricsF(self.font())  # the style lays text out in fractions: 75.02 px did not fit in 75
        values = (ceil(metrics.horizontalAdvance(cell.data() or "")) + padding for cell in self._cells(column))
        spec = COLUMNS[column]
        title = self.horizontalHeader().title_width(spec.short_title or spec.title)
        return min(max(title, max(values, default=spec.width)), spec.width)

    def _cells(self, column: int, rows: int = ROWS_LOOKED_AT) -> Iterator[QModelIndex]:
        """``column``'s cells of the first ``rows`` results."""
        model = self.model()
        return (model.index(row, column) for row in range(min(model.rowCount(), rows)))

    @_per_results
    def _holds_text(self, column: int, rows: int = ROWS_LOOKED_AT) -> bool:
        """Whether some of the first ``rows`` results show text in ``column`` (a search lists 500;
        a list of a whole library's 100k rows took seconds to read through)."""
        return any(cell.data() for cell in self._cells(column, rows))

    def paintEvent(self, event: QPaintEvent) -> None:
        """The rows, and a line above the first sound the search's words did not find: where the
        matches end and the sounds listed for how they sound begin (drawn dimmer, app/results_model.py)."""
        super().paintEvent(event)
        row = self.model().first_unworded_row() if self.model() is not None else -1
        if row <= 0:
            return
        y = self.rowViewportPosition(row)
        if 0 <= y <= self.viewport().height():
            painter = QPainter(self.viewport())
            painter.setPen(QPen(Colors.score_bar, 1, Qt.DashLine))
            painter.drawLine(0, y, self.viewport().width(), y)
            painter.end()

    def selected_hits(self) -> list:
        return [index.data(HIT_ROLE) for index in sorted(self.selectionModel().selectedRows(), key=lambda i: i.row())]

    def selected_paths(self) -> list[str]:
        return [str(hit.path) for hit in self.selected_hits()]

    def select_paths(self, paths: list[str], current: str | None) -> None:
        """Select the rows of ``paths`` that are still shown (after a refresh re-ordered them), the
        row of ``current`` as the current one."""
        model = self.model()
        selection = QItemSelection()
        for row in (model.row_of(path) for path in paths):
            if row >= 0:
                selection.select(model.index(row, 0), model.index(row, model.columnCount() - 1))
        self.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        row = model.row_of(current) if current else -1
        if row >= 0:
            self.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.NoUpdate)

    def move_current(self, key: int) -> None:
        """Arrow keys typed in the search field step through the results (and audition them)."""
        if self.model() is None or self.model().rowCount() == 0:
            return
        current = self.currentIndex()
        if not current.isValid():
            self.selectRow(0)
            return
        self.keyPressEvent(QKeyEvent(QKeyEvent.KeyPress, key, Qt.NoModifier))

    def keyboardSearch(self, search: str) -> None:
        """Letters typed here go to the search field (:attr:`typed`), as a sound library's search
        box takes them: Qt's jump to the next row whose name starts with them landed on row 448 of a
        ranking, in the tail listed by sound, and played it."""
        self.typed.emit(search)

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers) -> QModelIndex:
        """Home and End go to the first and the last result, as in a list (a table's go to the row's
        first and last column, which in a list of whole rows moved nothing)."""
        if action in (QAbstractItemView.MoveHome, QAbstractItemView.MoveEnd) and self.model() is not None:
            row = 0 if action == QAbstractItemView.MoveHome else self.model().rowCount() - 1
            return self.model().index(row, max(self.currentIndex().column(), 0))
        return super().moveCursor(action, modifiers)

    def startDrag(self, supported_actions) -> None:
        """Offline files stay out of a drag (the model leaves them out of its data) and the user is
        told why; a drag of nothing but offline files does not start."""
        hits = self.selected_hits()
        offline = [hit for hit in hits if is_offline(hit)]
        if offline:
            self.message.emit(drag_message(offline, self.model().missing_folders))
        if len(offline) < len(hits):
            super().startDrag(supported_actions)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Return plays or stops the result, and Ctrl+Return (Cmd on a Mac) shows it in its folder:
        Enter in the search field moves here, and a second, habitual Enter opened the file manager."""
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            if event.modifiers() & Qt.ControlModifier:
                self.reveal_requested.emit(self.selected_paths())
            else:
                self.play_requested.emit()
        elif event.matches(QKeySequence.Copy):
            self.copy_requested.emit(self.selected_paths())
        else:
            super().keyPressEvent(event)
