"""Nearest files and keyword matches among the files a search may return.

Filters, quoted phrases and exclusions live on the files table, vectors in the model's tables,
and LanceDB cannot join them inside a query. So the files that pass are worked out once per
query alternative (:func:`passing_files`) as :class:`Passing`: the ids allowed, or none
(every file) less the ids blocked, whichever list is shorter, and every ranking then follows
one of three cases (measured at 1M windows / 250k files, bench/bench_search.py and the numbers
in engine/index/vectors.py):

* every file but a few blocked (no filters, or an exclusion: the usual case): search, and drop
  the blocked files from what comes back;
* a few allowed (<= ``PREFILTER_MAX_FILES``): their rows are looked up by a ``file_id IN (...)``
  prefilter and scored exactly (EmbeddingTable.nearest). The lookup costs about 40 us per
  file (100 files 18 ms, 500 36 ms, 2,000 85 ms), hence the cap;
* more allowed: search unfiltered for proportionally more rows (the index probes enough
  partitions to return them) and keep those whose file passes; BM25 likewise fetches
  proportionally more matches. When the filter and the query disagree (a quoted "rain"
  and a query that sounds like doors), few of the nearest rows pass however many are fetched,
  so a search ranking stops at ``SEARCH_MAX_ROWS``: its list is then shorter, never wrong
  (the passing files among the nearest rows, in order), and the other rankings fill the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from engine.index.rows import sorted_positions
from engine.index.sql import in_list, is_not_true
from engine.index.store import LibraryStore
from engine.index.vectors import EmbeddingTable
from engine.search.fusion import FileMatch, band_ends, best_window_per_file, file_matches

PREFILTER_MAX_FILES = 1_000
MARGIN = 1.5  # fetch this much more than the share passing predicts, so one query is usually enough
GROWTH = 4  # fetch this many times more rows when too few files came back
SEARCH_MAX_ROWS = 4_000  # rows a search ranking fetches at most under a filter (~30 ms at 1M windows)

_NO_IDS = np.empty(0, np.int64)
# nearest_by_sound's likeness side; its jobs wait for nothing, so a search waiting on one is never starved
_LIKENESS_SIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="earmark-likeness")


@dataclass(frozen=True)
class Passing:
    """The files a ranking may return: ``allowed`` (None: every file) less ``blocked``, out of a
    library of ``total`` files when it was worked out (what a ranking under a filter sizes its
    fetch by, so it need not count the files again)."""

    allowed: np.ndarray | None = None
    blocked: np.ndarray = field(default_factory=lambda: _NO_IDS)
    total: int = 0

    def __post_init__(self):  # sorted, so that :func:`among` can tell which files pass
        if self.allowed is not None:
            object.__setattr__(self, "allowed", np.sort(self.allowed))
        object.__setattr__(self, "blocked", np.sort(self.blocked))

    def without(self, ids: Sequence[int] | np.ndarray) -> Passing:
        """These files no longer pass (an exclusion's, the example of a query by example)."""
        ids = np.asarray(ids, np.int64)
        if self.allowed is not None:
            return Passing(self.allowed[~among(self.allowed, np.sort(ids))], total=self.total)
        return Passing(None, np.union1d(self.blocked, ids), self.total)

    def only(self, ids: np.ndarray) -> Passing:
        """Only these of the files pass (a quoted phrase's)."""
        if self.allowed is None:
            return Passing(ids[~among(ids, self.blocked)], total=self.total)
        return Passing(self.allowed[among(self.allowed, np.sort(ids))], total=self.total)

    @property
    def is_everything(self) -> bool:
        return self.allowed is None and self.blocked.size == 0

    @property
    def is_nothing(self) -> bool:
        return self.allowed is not None and self.allowed.size == 0

    @property
    def few(self) -> bool:
        """Few enough files are allowed to look up by id (a prefilter): the module docstring's second case."""
        return self.allowed is not None and self.allowed.size <= PREFILTER_MAX_FILES

    @property
    def share(self) -> float:
        """The part of the library that passes."""
        if self.is_everything:
            return 1.0
        passing = self.allowed.size if self.allowed is not None else self.total - self.blocked.size
        return min(1.0, passing / max(self.total, 1))

    def keep(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` pass (a boolean mask)."""
        if self.allowed is not None:
            return among(ids, self.allowed)
        return ~among(ids, self.blocked)


def among(ids: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``others``, which must be sorted (a boolean mask): a binary search
    each, 0.07 ms for 1,000 ids among 17,500, against 1.6 ms for ``np.isin``, which a filtered
    search asked several times a query."""
    return sorted_positions(others, ids) >= 0


def passing_files(
    store: LibraryStore,
    where: str | None,
    phrases: Iterable[str] = (),
    excludes: Iterable[str] = (),
    where_not: str | None = None,
) -> Passing:
    """The files passing ``where`` (status and the user's filters, SQL on the files table) that
    hold every quoted phrase of ``phrases`` and none of ``excludes`` (whole consecutive words,
    looked up in the phrase index: :meth:`LibraryStore.files_with_phrase`). Worked out once per
    query alternative and shared by its rankings; a filter that leaves most files is read as
    the few it drops (a few failed files should not cost a list of every other id), selected by
    ``where_not`` when the caller can say it faster than ``(where) IS NOT TRUE``
    (engine.index.sql.search_where_not)."""
    total = store.count_files()
    count = store.count_files(where) if where else total
    if count == total:
        passing = Passing(total=total)
    elif count <= total // 2:
        passing = Passing(store.file_ids(where), total=total)
    else:
        passing = Passing(None, store.few_file_ids(where_not or is_not_true(where)), total)
    for phrase in phrases:
        ids = store.files_with_phrase(phrase)
        if ids is None:
            continue
        passing = passing.only(ids)
    for phrase in excludes:
        ids = store.files_with_phrase(phrase)
        if ids is not None:
            passing = passing.without(ids)
    return passing


def nearest_files(
    table: EmbeddingTable,
    queries: np.ndarray,
    n_files: int,
    passing: Passing = Passing(),
    max_rows: int | None = None,
) -> list[FileMatch]:
    """The ``n_files`` passing files whose best window is nearest to any of ``queries`` (rows
    of a (q, dim) array), best first, each with that window. ``max_rows`` caps the windows
    fetched under a filter (a search ranking: module docstring); None searches until enough
    files pass or every window was seen (query by example, the only ranking of its search)."""
    rows = table.count()
    if rows == 0 or n_files <= 0 or passing.is_nothing:
        return []
    prefilter = passing.few
    share = 1.0 if prefilter else passing.share
    if share == 0.0:
        return []
    cap = min(rows, max_rows or rows)
    k = min(cap, math.ceil(n_files * table.ROWS_PER_FILE * (1.0 if share == 1.0 else MARGIN) / share))
    while True:
        windows = [table.nearest(query, k, passing.allowed if prefilter else None) for query in np.atleast_2d(queries)]
        files = best_window_per_file(windows)
        if not prefilter and not passing.is_everything:
            files = files.subset(passing.keep(files.file_ids))
        if len(files) >= n_files or k >= cap or all(len(w) < k for w in windows):
            return file_matches(files.subset(slice(n_files)))
        k = min(k * GROWTH, cap)


def nearest_by_sound(
    table: EmbeddingTable,
    query: np.ndarray,
    likeness: EmbeddingTable,
    sound: np.ndarray,
    n_files: int,
    passing: Passing = Passing(),
    max_rows: int | None = None,
    depth: int | None = None,
) -> list[FileMatch]:
    """The sound ranking of a model that also hears its queries as sounds (``sound``, from
    ``model.query_likeness``): a file scores its best audio-text window's score for ``query`` plus
    its best likeness window's for ``sound`` (:attr:`FileMatch.heard`), and keeps the audio-text
    window as its moment. The ``n_files`` nearest of each table are the candidates; a candidate of
    one only gets its exact score in the other by a lookup of its rows there (a prefilter on its
    id: :meth:`EmbeddingTable.nearest`), so no file's score is a guess. A file with no audio-text
    windows yet (the likeness table is shared by every model of its space) is left out.

    Ranked in bands of ``depth`` (engine.search.fusion.band; None: one band): each band holds the
    best of the files the band's depth of each table finds, as a search of that depth ranks them. A
    deeper search finds files whose sum beats some of the first ``depth``, though neither table put
    them there: ranked by the sum alone, they pushed others out of its first band, whose weakest the
    sound's scores are read from (review 18, M7: 26 of 27 queries had another first 100 at 500 hits).

    The likeness table's side runs on another thread, each step beside the window table's: LanceDB
    searches outside the GIL (bench/bench_search.py, 100k windows on 2 busy cores, in turn with
    the sides one after the other: p50 28 -> 23 ms, x0.82 to x1.0 over four runs). Its error is
    raised here; an error on this side leaves the other side to finish on its own."""
    sounding = _LIKENESS_SIDE.submit(nearest_files, likeness, sound, n_files, passing, max_rows)
    by_text = {m.file_id: m for m in nearest_files(table, query, n_files, passing, max_rows)}
    by_sound = {m.file_id: m.score for m in sounding.result()}
    heard = _LIKENESS_SIDE.submit(_scored, likeness, sound, [i for i in by_text if i not in by_sound])
    by_text |= {m.file_id: m for m in _scored(table, query, [i for i in by_sound if i not in by_text])}
    by_sound |= {m.file_id: m.score for m in heard.result()}
    summed = {i: m.score + by_sound[i] for i, m in by_text.items() if i in by_sound}
    texts, sounds = list(by_text), list(by_sound)  # each side's files, nearest first
    placed: list[FileMatch] = []
    start = 0
    for end in band_ends(depth, n_files):
        found = {i for i in texts[:end] + sounds[:end] if i in summed}.difference(m.file_id for m in placed)
        best = sorted(found, key=lambda i: (-summed[i], i))[: end - start]
        placed += [
            replace(by_text[i], score=summed[i], heard=by_sound[i], found_at=at) for at, i in enumerate(best, start + 1)
        ]
        start = end
    return placed


def _scored(table: EmbeddingTable, query: np.ndarray, file_ids: list[int]) -> list[FileMatch]:
    """Each of ``file_ids``' best window in ``table`` for ``query``, scored exactly (none for a file
    with no windows there)."""
    if not file_ids:
        return []
    return nearest_files(table, query, len(file_ids), Passing(np.asarray(file_ids, np.int64)))


def matching_files(
    store: LibraryStore, text: str, n_files: int, passing: Passing, fields: dict[str, float]
) -> list[FileMatch]:
    """The ``n_files`` best BM25 matches of ``text`` among the passing files, best first; under
    a filter that leaves many files, at most ``SEARCH_MAX_ROWS`` matches are read."""
    if passing.is_nothing:
        return []
    if passing.is_everything or passing.few:
        ids, scores = store.full_text(text, _words_prefilter(passing), n_files, fields)
        return _placed(ids, scores)
    total = passing.total
    cap = max(n_files, min(total, SEARCH_MAX_ROWS))
    limit = min(cap, math.ceil(n_files * MARGIN / max(passing.share, 1 / total)))
    while True:
        ids, scores = store.full_text(text, None, limit, fields)
        keep = passing.keep(ids)
        if keep.sum() >= n_files or len(ids) < limit or limit >= cap:
            ids, scores = ids[keep][:n_files], scores[keep][:n_files]
            return _placed(ids, scores)
        limit = min(limit * GROWTH, cap)


def _placed(ids: np.ndarray, scores: np.ndarray) -> list[FileMatch]:
    """A ranking's files and scores as matches, each with its place (:attr:`FileMatch.found_at`)."""
    return [
        FileMatch(i, s, found_at=at) for at, (i, s) in enumerate(zip(ids.tolist(), scores.tolist(), strict=True), 1)
    ]


def matching_ids(store: LibraryStore, text: str, passing: Passing, fields: dict[str, float]) -> np.ndarray:
    """Every passing file the words of ``text`` match (ids, best first): the same query as
    :func:`matching_files`, read to the end, to count what the words found where that ranking stopped
    at its first. Under a filter that leaves many files every match is read and the passing ones kept."""
    if passing.is_nothing:
        return _NO_IDS
    ids, _scores = store.full_text(text, _words_prefilter(passing), max(passing.total, 1), fields)
    return ids if passing.is_everything or passing.few else ids[passing.keep(ids)]


def _words_prefilter(passing: Passing) -> str | None:
    """The SQL a BM25 query is prefiltered by: the allowed ids when they are few, else none."""
    return in_list("id", passing.allowed) if passing.few else None
