"""Nearest files and keyword matches under a files-table filter.

Filters live on the files table, vectors in the model's tables, and LanceDB cannot join
them inside a query. The files that pass are read once per query alternative
(:func:`passing_files`: a quoted phrase or an exclusion is a whole-word LIKE, a full scan
each time it is evaluated) and every ranking then follows one of three cases, by how many
pass (measured at 1M windows / 250k files, bench/bench_search.py and the numbers in
engine/index/vectors.py):

* every file (no filters, nothing offline: the usual case): search, no check at all;
* a few (<= ``PREFILTER_MAX_FILES``): a ``file_id IN (...)`` prefilter on the search.
  Evaluating the IN list costs about 10 us per id, so 400 ids add ~15 ms but 19k ids
  ~200 ms, hence the cap;
* more: search unfiltered for proportionally more rows (the index probes enough
  partitions to return them) and keep those whose file passes (~15 ms for 20k ids);
  BM25 likewise fetches proportionally more matches (2,700 cost 29 ms where the LIKE
  prefilter inside the full-text search cost 46 ms).
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from engine.index.sql import in_list
from engine.index.store import LibraryStore
from engine.index.vectors import EmbeddingTable
from engine.search.fusion import FileMatch, best_window_per_file

PREFILTER_MAX_FILES = 2_000
MARGIN = 1.5  # fetch this much more than the share passing predicts, so one query is usually enough
GROWTH = 4  # fetch this many times more rows when too few files came back


def passing_files(store: LibraryStore, where: str | None, tests_words: bool = False) -> np.ndarray | None:
    """Ids of the files passing ``where``, or None when every file does (the usual case, and
    then nothing is read). Worked out once per query alternative and shared by its rankings:
    a filter that ``tests_words`` (a quoted phrase or an exclusion) is a whole-word LIKE over
    every file, a full scan each time, so it is not counted first as status and folder filters
    are (their count comes from the scalar indices)."""
    if where is None:
        return None
    total = store.count_files()
    if not tests_words and store.count_files(where) == total:
        return None
    ids = store.file_ids(where)
    return None if len(ids) == total else ids


def nearest_files(
    store: LibraryStore,
    table: EmbeddingTable,
    queries: np.ndarray,
    n_files: int,
    passing: np.ndarray | None,
    exclude: Collection[int] = (),
) -> list[FileMatch]:
    """The ``n_files`` files among ``passing`` (:func:`passing_files`; None: all) whose best
    window is nearest to any of ``queries`` (rows of a (q, dim) array), best first, each with
    that window."""
    rows = table.count()
    if rows == 0 or n_files <= 0:
        return []
    total = store.count_files()
    excluded = np.fromiter((int(i) for i in exclude), np.int64)
    allowed = None if passing is None else np.setdiff1d(passing, excluded)
    if allowed is not None and allowed.size == 0:
        return []
    prefilter = allowed is not None and allowed.size <= PREFILTER_MAX_FILES
    share = 1.0 if allowed is None or prefilter else allowed.size / max(total, 1)
    k = math.ceil((n_files + excluded.size) * table.ROWS_PER_FILE * (1.0 if share == 1.0 else MARGIN) / share)
    while True:
        windows = [table.nearest(query, k, allowed if prefilter else None) for query in np.atleast_2d(queries)]
        files = best_window_per_file(windows)
        ids = np.array([m.file_id for m in files], np.int64)
        keep = ~np.isin(ids, excluded) & (np.isin(ids, allowed) if allowed is not None else True)
        files = [m for m, ok in zip(files, keep, strict=False) if ok]
        if len(files) >= n_files or k >= rows or all(len(w) < k for w in windows):
            return files[:n_files]
        k = min(k * GROWTH, rows)


def matching_files(
    store: LibraryStore, text: str, n_files: int, passing: np.ndarray | None, fields: dict[str, float]
) -> list[FileMatch]:
    """The ``n_files`` best BM25 matches of ``text`` among ``passing`` (None: all), best first."""
    if passing is not None and passing.size == 0:
        return []
    small = passing is not None and passing.size <= PREFILTER_MAX_FILES
    if passing is None or small:
        ids, scores = store.full_text(text, in_list("id", passing) if small else None, n_files, fields)
        return [FileMatch(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]
    total = store.count_files()
    limit = math.ceil(n_files * MARGIN * total / passing.size)
    while True:
        ids, scores = store.full_text(text, None, limit, fields)
        keep = np.isin(ids, passing)
        if keep.sum() >= n_files or len(ids) < limit or limit >= total:
            return [FileMatch(int(i), float(s)) for i, s in zip(ids[keep], scores[keep], strict=True)][:n_files]
        limit = min(limit * GROWTH, total)
