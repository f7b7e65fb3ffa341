"""What a search may return, besides its words: duration, format, folder, tag, offline files; and
the order a browse lists the files that pass in.

Plain dataclasses and the standard library, so the app's filter bar builds one at start without
loading the index; the store turns them into SQL (:func:`engine.index.sql.search_where`) and
sort keys (:meth:`engine.index.store.LibraryStore.ids_in_order`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class SearchFilters:
    """``None`` means any."""

    min_duration_s: float | None = None
    max_duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    format: str | None = None  # "wav", "flac", ... as engine.audio.decode.probe names them
    folder: str | None = None  # this folder or anything below it
    tag: str | None = None  # a tag in any case; a UCS category by its CatID or its name (engine.tags.tag_spellings)
    include_offline: bool = True  # files on unplugged drives: found (marked offline) so you know which to plug in


# What a browse can be ordered by, each as the results table's column of that name sorts (app/results_model.py):
# the whole path; the file name, in any case; the duration; the format, then the bit depth as a number;
# the sample rate; the channels; the caption, in any case; the folder as shown (folder_shown), in any case.
BROWSE_ORDERS = ("path", "name", "duration", "format", "sample_rate", "channels", "caption", "folder")


@dataclass(frozen=True)
class BrowseOrder:
    """The order a browse (a query with no words to rank by: the library, a folder, the filters
    alone) lists the files that pass in: by ``by`` (one of :data:`BROWSE_ORDERS`), ties by path.
    Every file that passes is ordered, not only those listed: a folder of 3,000 sounds sorted by
    duration lists its shortest, where a sort of the first 500 by path listed the shortest of an
    arbitrary 500. A value not known (a duration never read) comes before every known one
    ascending, after them descending, as the results table's sort puts it. A search with words
    keeps its ranking whatever the order."""

    by: str = "path"
    descending: bool = False

    def __post_init__(self):
        if self.by not in BROWSE_ORDERS:
            raise ValueError(f"a browse cannot be ordered by {self.by!r}: one of {', '.join(BROWSE_ORDERS)}")


BY_PATH = BrowseOrder()  # a browse's order unless one is asked: the files by path


def folder_shown(parent: str | PurePath, folder: str | None) -> str:
    """The folder ``parent`` (a file's) as the results show it: from its library folder ``folder``
    down ("SFX Drive/Doors/Wood"), what tells two files apart, where the whole path would show only
    its common start in a narrow column; the whole folder when it is not under ``folder``. The
    results' Folder column and a browse ordered by folder read it alike."""
    parent = PurePath(parent)
    if folder and parent.is_relative_to(folder):
        return str(PurePath(PurePath(folder).name) / parent.relative_to(folder))
    return str(parent)
