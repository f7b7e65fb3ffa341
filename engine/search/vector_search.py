"""Nearest files under a files-table filter, for one or more query vectors.

Filters live on the files table, vectors in the model's table, and LanceDB cannot join
them inside a query. A filter that keeps most of the library is applied after the
search (fetch more windows, keep those whose file passes: cheap, and the vector index
is used unhindered); a narrow one becomes a ``file_id IN (...)`` prefilter on the
vector search (an IN list of a few thousand ids costs tens of milliseconds; searching
unfiltered would need too many windows to find enough passing files). A filter that
keeps every file (the usual case: no filters, nothing offline) costs no check at all.
"""
from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from engine.index.sql import all_of, in_list
from engine.index.store import LibraryStore
from engine.index.vectors import EmbeddingTable
from engine.search.fusion import FileMatch, best_window_per_file

POSTFILTER_MIN_FRACTION = 0.1  # below this share of the library, prefilter instead
WINDOWS_PER_FILE = 4  # first guess of how many windows to fetch per file wanted
GROWTH = 4  # fetch this many times more windows when too few files came back


def nearest_files(store: LibraryStore, table: EmbeddingTable, queries: np.ndarray, n_files: int,
                  where: str | None, exclude: Collection[int] = ()) -> list[FileMatch]:
    """The ``n_files`` files passing ``where`` whose best window is nearest to any of
    ``queries`` (rows of a (q, dim) array), best first, each with that window."""
    allowed = store.count_files(where)
    rows = table.count()
    if allowed == 0 or rows == 0 or n_files <= 0:
        return []
    excluded = set(int(i) for i in exclude)
    total = store.count_files()
    fraction = allowed / max(total, 1)
    only = None
    if fraction < POSTFILTER_MIN_FRACTION:
        only = np.setdiff1d(store.file_ids(where), np.fromiter(excluded, np.int64, len(excluded)))
        if only.size == 0:
            return []
        fraction = 1.0
    k = math.ceil((n_files + len(excluded)) * WINDOWS_PER_FILE / fraction)
    while True:
        windows = [table.nearest(query, k, only) for query in np.atleast_2d(queries)]
        files = [m for m in best_window_per_file(windows) if m.file_id not in excluded]
        if only is None and allowed < total and files:
            passing = set(store.file_ids(all_of(where, in_list("id", [m.file_id for m in files]))).tolist())
            files = [m for m in files if m.file_id in passing]
        if len(files) >= n_files or k >= rows or all(len(w) < k for w in windows):
            return files[:n_files]
        k *= GROWTH
