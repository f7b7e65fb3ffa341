"""The results table's model: one row per search hit, no widgets per row.

Only the rows on screen are ever asked for their text, so a 100 k-hit list
costs one Python list; sorting re-orders that list in place and moves the
view's persistent indexes (the selection) along with their rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, Qt
from PySide6.QtGui import QFont

from app.desktop import file_mime_data
from app.offline import is_offline, missing_folders, offline_message
from app.theme import Colors, icon
from engine.audio.metadata import described
from engine.plural import counted
from engine.search.explain import NEAREST_SHOWN, match_reasons, nearest_only, ranked_by
from engine.search.filters import BY_PATH, BrowseOrder, folder_shown
from engine.search.listing import as_listed, found_by_words

HIT_ROLE = Qt.UserRole + 1
SCORE_ROLE = Qt.UserRole + 2  # the 0-100 match as a fraction, for the score bar
# on the name, when the same file is elsewhere in the library too: its badge's wordings (copies_badge)
BADGE_ROLE = Qt.UserRole + 3
TAGS_ROLE = Qt.UserRole + 4  # on the tags: the file's tags (shown_tags), in its order


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    sort_key: Callable[[Any], Any]
    align: Qt.AlignmentFlag = Qt.AlignLeft | Qt.AlignVCenter
    width: int = 80
    first_order: Qt.SortOrder = Qt.AscendingOrder  # a first click on the header sorts so; the next reverses
    # the engine's order sorting as ``sort_key`` does (engine.search.filters.BROWSE_ORDERS), which a browse
    # listing only the first of its files is listed in anew; None: the listed rows are sorted here alone
    browse_by: str | None = None
    # the header's title where the column is narrower than ``title`` whole (app/results_view.py SortHeader):
    # narrowed to its values at 1024 px, the Channels read "CH…"
    short_title: str = ""


def _name(hit) -> str:
    return Path(hit.path).name


def rate_text(hit) -> str:
    rate = hit.sample_rate or 0
    return f"{rate / 1000:g} kHz" if rate else ""


def channels_text(hit) -> str:
    return {0: "", 1: "Mono", 2: "Stereo"}.get(hit.channels or 0, f"{hit.channels} ch")


def format_text(hit) -> str:
    fmt = (hit.format or "").upper()
    depth = getattr(hit, "bit_depth", None)
    return f"{fmt} {depth}-bit" if depth else fmt


def shown_tags(hit) -> list[str]:
    """The hit's tags as the file holds them, in its order: a UCS category by its name (WATER-SPLASH),
    as the tags field, the suggestions, the status line, the Tag filter and ``earmark`` say it. The
    column read it in words ("Cartoon animal") while all of those said CARTOON-ANIMAL, and the Tag
    filter found nothing for the words (review 19, L1); :func:`app.results_view.elide_tags` keeps
    its tags whole where they fit, then "+N" (review 15, L10)."""
    return list(hit.tags or ())


def _tags(hit) -> str:
    return ", ".join(shown_tags(hit))


def _description(hit) -> str:
    return described(hit.metadata_text or "", Path(hit.path).name)


def _folder(hit) -> str:
    """The file's folder from its library folder down ("SFX Drive/Doors/Wood"), as
    :func:`folder_shown` says it (the Name column's tooltip holds the whole path)."""
    return folder_shown(Path(hit.path).parent, hit.folder)


def copies_badge(hit) -> tuple[str, ...]:
    """How many other files of the library hold the same bytes (the search shows a sound once), as
    the name's badge says it, longest first: "+2 copies", then "+2" for a tight Name cell, whose
    tooltip lists the copies (:func:`copies_message`); none without copies."""
    n = len(hit.copies)
    return (f"+{counted(n, 'copy', 'copies')}", f"+{n:,}") if n else ()


def copies_message(hit) -> str:
    return f"{hit.path}\n\nThe same file is also at:\n" + "\n".join(hit.copies)


def warning_of(hit) -> str:
    """What indexing had to mend or do without in the hit's file (its audio cut short: the engine's
    FileRecord.warning), in the engine's words; "" for none. The Name cell marks it with the warning
    icon and its tooltip says it, as the preview does under the name."""
    return getattr(hit, "warning", "")


def _format_key(hit) -> tuple[str, float]:
    """The container, then the bit depth as a number (8 before 16 before 24-bit)."""
    return (hit.format or "").upper(), _number(getattr(hit, "bit_depth", None))


def duration_text(seconds: float | None) -> str:
    """The Duration column's one format, for every length: ``m:ss.ss`` (``h:mm:ss.ss`` from an
    hour), to the hundredth, so a 32 ms click reads 0:00.03, never 0:00.0 as if it were empty, and
    the column's decimal points line up. Rounded before it is split (59.997 s reads 1:00.00); a
    sound shorter than 5 ms reads <0:00.01; an unknown length reads nothing."""
    if seconds is None:
        return ""
    if 0 < seconds < 0.005:
        return "<0:00.01"
    minutes, rest = divmod(round(max(seconds, 0.0), 2), 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{int(hours)}:{int(minutes):02d}:{rest:05.2f}"
    return f"{int(minutes)}:{rest:05.2f}"


def has_score(hit) -> bool:
    """Whether a hit has a match to show: a search ranked it (a ranking found it, or it has a
    score above 0). A browse's hits, and those of a query that only excludes ("-laser", which
    lists the files without it, by path), carry the 0 nobody measured."""
    if hit.score is None:
        return False
    ranks = (getattr(hit, name, None) for name in ("text_rank", "meaning_rank", "vector_rank"))
    return hit.score > 0 or any(rank is not None for rank in ranks)


def not_found_by_words(hit) -> str:
    """The tooltip line of a hit listed after the word matches: why it is there at all."""
    return f"No word searched is in its name, tags, caption or folder: listed for {ranked_by([hit])}"


def similar_reasons(hit, like: str) -> str:
    """The Match tooltip in find similar: how alike two sounds are (engine Searcher.similar), not a
    rank among the list."""
    return f"Match {hit.score:.0f} of 100 for how much it sounds like {like}: 100 is the same sound"


def _number(value) -> float:
    """Numeric sort key; unknown values sort before every known one."""
    return float("-inf") if value is None else value


# What a sound designer reads first comes first: the name, the match, the length, what the file's
# own metadata says (a BWF description, a title), tags and caption.
# The format's facts follow, and the folder, long and needed only to tell copies apart (the name's
# badge and tooltip do that too), comes last. Every column fits the results of a 1400 x 850 window
# (about 1,050 px beside the library), each title whole in the dark theme beside its sort arrow;
# the Name takes what the others leave (app/results_view.py, which hides an empty Description and
# shrinks an empty Tags or Caption). The Rate is wide enough for "11.025 kHz", and the Folder for
# its deepest folder or two, shown from the right (app/results_view.py elides it on the left).
COLUMNS: tuple[Column, ...] = (
    Column("Name", _name, lambda h: _name(h).lower(), width=220, browse_by="name"),
    Column(
        "Match",
        lambda h: "" if h.score is None else f"{h.score:.0f}",
        lambda h: _number(h.score),
        Qt.AlignRight | Qt.AlignVCenter,
        78,
        Qt.DescendingOrder,  # the best match first, as a search ranks them
    ),
    Column(
        "Duration",
        lambda h: duration_text(h.duration_s),
        lambda h: _number(h.duration_s),
        Qt.AlignRight | Qt.AlignVCenter,
        100,
        browse_by="duration",
        short_title="Dur.",
    ),
    Column("Description", _description, lambda h: _description(h).lower(), width=160),
    Column("Tags", _tags, lambda h: _tags(h).lower(), width=110),
    Column("Caption", lambda h: h.caption or "", lambda h: (h.caption or "").lower(), width=90, browse_by="caption"),
    Column("Format", format_text, _format_key, width=100, browse_by="format"),
    Column(
        "Rate",
        rate_text,
        lambda h: _number(h.sample_rate),
        Qt.AlignRight | Qt.AlignVCenter,
        96,
        browse_by="sample_rate",
    ),
    Column(
        "Channels", channels_text, lambda h: _number(h.channels), width=104, browse_by="channels", short_title="Ch."
    ),
    Column("Folder", _folder, lambda h: _folder(h).lower(), width=150, browse_by="folder"),
)


def browse_order(column: int, order: Qt.SortOrder) -> BrowseOrder:
    """The order the engine lists a browse in for the results sorted by ``column``: the column's own
    (:attr:`Column.browse_by`), else by path, the rows listed then sorted by the column here."""
    by = COLUMNS[column].browse_by
    return BrowseOrder(by, order == Qt.DescendingOrder) if by else BY_PATH


NAME_COLUMN, SCORE_COLUMN, DESCRIPTION_COLUMN, TAGS_COLUMN, CAPTION_COLUMN, FOLDER_COLUMN = (
    next(i for i, c in enumerate(COLUMNS) if c.title == title)
    for title in ("Name", "Match", "Description", "Tags", "Caption", "Folder")
)


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._hits: list = []
        self._ranked = True
        self._words = 0  # in a search, how many hits (the first rows) the words found; the rest follow
        self._grouped = False  # a search whose words found some hits but not all: two groups, never mixed
        # a search that found nothing close (SearchResults.nothing_close): its matches rank the rows
        # among themselves only, and the Match column says so instead of its relative numbers
        self._nothing_close = False
        self._generated: dict[str, str] = {}  # path -> a generated caption not accepted yet
        self.similar_to: str | None = None  # the file the hits sound like, in find similar
        # the library folders missing from a drive that is there (set_folders): an offline hit of
        # one says to find its folder, any other to connect its drive
        self.missing_folders: frozenset[str] = frozenset()
        # asked first by sort: True where the engine lists the rows anew in that order (a browse listing
        # only the first of its files: app/main_window.py), and the rows stay as they are until it has
        self.lists_anew: Callable[[int, Qt.SortOrder], bool] | None = None

    # -- content --------------------------------------------------------------------------
    def set_folders(self, folders: list) -> None:
        """``folders``: the facade's FolderStatus records, as the window lists them now. Each model
        keeps its own, so a window's tooltips say what its own folders are."""
        self.missing_folders = missing_folders(folders)

    def offline_message(self, hit) -> str:
        """Why the offline ``hit`` cannot be played or dragged, by this model's folders."""
        return offline_message(hit, self.missing_folders)

    def set_hits(self, hits: Sequence, ranked: bool = True, similar_to: str | None = None) -> None:
        """``ranked`` False: a browse of the library, whose scores mean nothing and are not shown.
        Hits none of which a search ranked (an exclusion-only query's: a browse by path) are a
        browse too, whatever ``ranked`` says. ``similar_to``: the hits are the sounds like that
        file (find similar), whose matches measure how alike they sound, not a search's ranking.
        ``hits`` a search's SearchResults that found nothing close: their Match shows none
        (:func:`nearest_only`), in the order ranked."""
        self.beginResetModel()
        self._hits = list(hits)
        self._ranked = ranked and (not self._hits or any(has_score(h) for h in self._hits))
        self._nothing_close = self._ranked and getattr(hits, "nothing_close", False)
        self.similar_to = similar_to
        self._words = sum(found_by_words(h) for h in self._hits)
        self._grouped = self._ranked and similar_to is None and 0 < self._words < len(self._hits)
        if self._grouped:  # the word matches first, each group in the engine's order (the best first)
            self._hits = as_listed(self._hits)
        self.endResetModel()

    @property
    def grouped(self) -> bool:
        """Whether the rows are a search's two groups: the hits its words found, then the sounds
        listed for how they sound and what their names mean. A browse, find similar and a search
        whose words found all or none of its hits have one group."""
        return self._grouped

    def first_unworded_row(self) -> int:
        """The first row of the hits the words did not find, where the two groups meet; -1 with
        one group."""
        return self._words if self._grouped else -1

    def _unworded(self, row: int) -> bool:
        return self._grouped and row >= self._words

    @property
    def ranked(self) -> bool:
        """Whether the rows are a ranked search (best match first), not a browse (by path)."""
        return self._ranked

    def sort_indicator_shown(self, section: int) -> bool:
        """Whether the header shows its sort arrow with the rows sorted by ``section``: not the
        Match arrow over a browse, whose order is the paths', not a ranking."""
        return self._ranked or section != SCORE_COLUMN

    def set_suggested_captions(self, captions: dict[str, str]) -> None:
        """Generated captions to show, marked as such, in the rows of files without a caption of their own
        ({path: caption}; "" takes a path's generated caption away)."""
        self._generated.update(captions)
        self._generated = {path: text for path, text in self._generated.items() if text}
        if self._hits:
            self.dataChanged.emit(self.index(0, CAPTION_COLUMN), self.index(len(self._hits) - 1, CAPTION_COLUMN))

    def hit(self, row: int):
        return self._hits[row]

    def hits(self) -> list:
        return list(self._hits)

    def row_of(self, path: str) -> int:
        return next((row for row, h in enumerate(self._hits) if str(h.path) == str(path)), -1)

    def update_paths(self, paths: Sequence[str], **changes) -> None:
        """Apply edited fields (tags, caption) to the rows of ``paths`` without a new search."""
        wanted = {str(p) for p in paths}
        for row, hit in enumerate(self._hits):
            if str(hit.path) in wanted:
                self._hits[row] = dataclasses.replace(hit, **changes)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section].title
        if orientation == Qt.Horizontal and role == Qt.InitialSortOrderRole:
            return COLUMNS[section].first_order
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        hit = self._hits[index.row()]
        column = COLUMNS[index.column()]
        # Greyed, the offline icon before its name, and every tooltip says which drive to connect: no
        # "offline · drive" badge, which took the Name cell ("engineer_attack.wav" and
        # "engineer.underattack.wav" both read "engine…ck.wav").
        if is_offline(hit):
            if role == Qt.ForegroundRole:
                return Colors.offline
            if role == Qt.ToolTipRole:
                return self.offline_message(hit)
            if index.column() == NAME_COLUMN and role == Qt.DecorationRole:
                return icon("offline")
        if index.column() == CAPTION_COLUMN and not hit.caption and str(hit.path) in self._generated:
            generated = generated_caption(role, self._generated[str(hit.path)])
            if generated is not None:
                return generated
        if index.column() == NAME_COLUMN and role == Qt.DecorationRole and warning_of(hit):
            return icon("warning")
        scored = self._ranked and has_score(hit)
        nearest = scored and self._nothing_close and index.column() == SCORE_COLUMN  # no match to show
        if role == Qt.ForegroundRole and (nearest or self._unworded(index.row())):
            return Colors.dim_text  # no match of the words: shown, but dimmer than those
        if role == Qt.DisplayRole and nearest:
            return NEAREST_SHOWN
        if role == Qt.DisplayRole:
            return column.text(hit) if scored or index.column() != SCORE_COLUMN else ""
        if role == Qt.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ToolTipRole:
            if nearest:
                return nearest_only([hit])
            if index.column() == SCORE_COLUMN and scored and self.similar_to:
                return similar_reasons(hit, Path(self.similar_to).name)
            if index.column() == SCORE_COLUMN:
                return (match_reasons(hit) or None) if scored else None
            if index.column() == TAGS_COLUMN:
                return "\n".join(hit.tags or ()) or None  # one a line: those "+N" leaves out too
            if index.column() == NAME_COLUMN:
                tip = copies_message(hit) if hit.copies else str(hit.path)
                tip = f"{tip}\n\n{warning_of(hit)}" if warning_of(hit) else tip
                return f"{tip}\n\n{not_found_by_words(hit)}" if self._unworded(index.row()) else tip
            return column.text(hit) or None
        if role == BADGE_ROLE and index.column() == NAME_COLUMN:
            return copies_badge(hit) or None
        if role == TAGS_ROLE and index.column() == TAGS_COLUMN:
            return shown_tags(hit)
        if role == HIT_ROLE:
            return hit
        if role == SCORE_ROLE and scored:
            return 0.0 if nearest else min(max(hit.score / 100.0, 0.0), 1.0)
        return None

    def flags(self, index: QModelIndex):
        base = super().flags(index)
        return base | Qt.ItemIsDragEnabled if index.isValid() else base

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        """Sort by ``column``; in a search with two groups (:attr:`grouped`), within each: the hits
        the words found stay above the others in either direction, so the sounds listed only for
        how they sound never mix into the matches (the shortest door, not the shortest sound). Where
        the engine lists the rows anew in that order instead (:attr:`lists_anew`), they are left be."""
        if self.lists_anew is not None and self.lists_anew(column, order):
            return
        key = COLUMNS[column].sort_key
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_rows = [(p.row(), p.column()) for p in old_persistent]
        keys = [key(hit) for hit in self._hits]
        ranked = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == Qt.DescendingOrder)
        if self._grouped:  # rows below _words are the word matches, before and after
            ranked = [r for r in ranked if r < self._words] + [r for r in ranked if r >= self._words]
        new_row_of = {old: new for new, old in enumerate(ranked)}
        self._hits = [self._hits[r] for r in ranked]
        self.changePersistentIndexList(old_persistent, [self.index(new_row_of[r], c) for r, c in old_rows])
        self.layoutChanged.emit()

    # -- drag out -----------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", "text/plain"]

    def supportedDragActions(self):
        return Qt.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return file_mime_data([str(self._hits[r].path) for r in rows if not is_offline(self._hits[r])])


def generated_caption(role, text: str):
    """How a generated caption looks in the results: italic and dimmed, and its tooltip says so."""
    if role == Qt.DisplayRole:
        return text
    if role == Qt.ForegroundRole:
        return Colors.dim_text
    if role == Qt.FontRole:
        font = QFont()
        font.setItalic(True)
        return font
    if role == Qt.ToolTipRole:
        return f"Generated caption, not accepted yet: {text}"
    return None
