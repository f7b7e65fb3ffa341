"""Nearest files under a files-table filter, for one or more query vectors.

Filters live on the files table, vectors in the model's table, and LanceDB cannot join
them inside a query. Three cases, by how many files pass (measured at 1M windows /
250k files, bench/bench_search.py and the numbers in engine/index/vectors.py):

* every file (no filters, nothing offline: the usual case): search, no check at all;
* a few (<= ``PREFILTER_MAX_FILES``): a ``file_id IN (...)`` prefilter on the vector
  search. Evaluating the IN list costs about 10 us per id, so 400 ids add ~15 ms but
  19k ids ~200 ms, hence the cap;
* more: search unfiltered for proportionally more windows (the index probes enough
  partitions to return them) and keep those whose file is in the allowed set, read
  once from the files table (~15 ms for 20k ids).
"""
from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from engine.index.store import LibraryStore
from engine.index.vectors import EmbeddingTable
from engine.search.fusion import FileMatch, best_window_per_file

PREFILTER_MAX_FILES = 2_000
WINDOWS_PER_FILE = 4  # first guess of how many windows to fetch per file wanted
GROWTH = 4  # fetch this many times more windows when too few files came back


def nearest_files(store: LibraryStore, table: EmbeddingTable, queries: np.ndarray, n_files: int,
                  where: str | None, exclude: Collection[int] = ()) -> list[FileMatch]:
    """The ``n_files`` files passing ``where`` whose best window is nearest to any of
    ``queries`` (rows of a (q, dim) array), best first, each with that window."""
    rows = table.count()
    if rows == 0 or n_files <= 0:
        return []
    total = store.count_files()
    passing = store.count_files(where)
    if passing == 0:
        return []
    excluded = np.fromiter((int(i) for i in exclude), np.int64)
    allowed = None if passing == total else np.setdiff1d(store.file_ids(where), excluded)
    if allowed is not None and allowed.size == 0:
        return []
    prefilter = allowed is not None and allowed.size <= PREFILTER_MAX_FILES
    share = 1.0 if allowed is None or prefilter else allowed.size / max(total, 1)
    k = math.ceil((n_files + excluded.size) * WINDOWS_PER_FILE / share)
    while True:
        windows = [table.nearest(query, k, allowed if prefilter else None) for query in np.atleast_2d(queries)]
        files = best_window_per_file(windows)
        ids = np.array([m.file_id for m in files], np.int64)
        keep = ~np.isin(ids, excluded) & (np.isin(ids, allowed) if allowed is not None else True)
        files = [m for m, ok in zip(files, keep) if ok]
        if len(files) >= n_files or k >= rows or all(len(w) < k for w in windows):
            return files[:n_files]
        k = min(k * GROWTH, rows)
