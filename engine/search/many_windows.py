"""A long file's best window, judged against what chance gives the best of its many windows.

The sound ranking scores a file as its best window (engine.search.fusion), which is right for the
one bird call in a 3-minute ambience, and unfair to short sounds: the best of 25 windows is high
by chance alone. On a review's library of game effects and music (review 12: colobot,
fillets-ng, neverball; 373 files, names hidden), the music tracks, 25 windows each against one for
an effect, filled 58 of the 190 first-ten rows of 19 queries for effects ("explosion": a 5-minute
track first, scored 100).

The best of ``n`` draws lies about ``sqrt(2 ln n)`` spreads above their mean (the expected
maximum of normal draws), so a file of ``n`` windows scores its best less ``luck`` times that
many spreads of the query's scores over the library's windows (estimated from a sample of
them); never less than the mean of its windows, since a track asked for as music answers
throughout. One window (most sound effects) loses nothing. Chosen on that library, 20 queries
(mAP@10): 0.123 as the best window alone; at a luck of 0.25 / 0.5 / 1.0, 0.134 / 0.106 / 0.107
without the floor ("background music" 1.00 -> 0.61 / 0.01 / 0.00) and 0.153 / 0.154 / 0.154 with
it, the music rows 58 -> 15 / 6 / 6 of 190: 0.5 is :attr:`FusionWeights.luck`. Measured since
with ``python -m bench.music_and_effects`` (README, "Benchmarks").
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.index.vectors import EmbeddingTable
from engine.search.fusion import FileMatch, FusionWeights

SAMPLE_WINDOWS = 2_000  # windows a query's spread is estimated from (2,000 x 512 floats: 4 MB)
NOTHING_LOST = 1e-6  # a file whose windows all score alike loses nothing to its number (its mean is its best)


def judged(
    best: np.ndarray,
    mean: np.ndarray,
    windows: np.ndarray,
    spread: float | np.ndarray,
    luck: float = FusionWeights.luck,
) -> np.ndarray:
    """The sound's score of files whose best window scores ``best``, whose windows score ``mean``
    on average, of ``windows`` windows each, for a query whose scores spread ``spread`` (a
    standard deviation) over the library's windows. The one rule, which the app's search and find
    similar and the out-of-distribution benches (bench/ood/content.py, similar.py) all apply."""
    return np.maximum(best - luck * spread * np.sqrt(2 * np.log(np.maximum(windows, 1))), mean)


def fair_to_short(
    matches: list[FileMatch],
    table: EmbeddingTable,
    query: np.ndarray,
    likeness: EmbeddingTable | None = None,
    sound: np.ndarray | None = None,
    luck: float = FusionWeights.luck,
) -> list[FileMatch]:
    """``matches`` (a sound ranking: best window against ``query`` in ``table``, plus, with
    ``sound``, the best likeness window's score, :attr:`FileMatch.heard`) scored by
    :func:`judged` and ranked again, each keeping its best window as its moment; what a file lost
    is its :attr:`FileMatch.lost` (None where it lost nothing). ``query`` may be several vectors
    (find similar: the example's windows), a window then scoring its best against any of them.
    Only the files of more than one window are read (one query per table), so a page of short
    sound effects costs a count."""
    if not luck:
        return matches
    ids = np.asarray([m.file_id for m in matches], np.int64)
    counts = table.window_counts(ids)
    long = ids[counts > 1].tolist()
    if not long:
        return matches
    sides = [(table, np.asarray(query, np.float32))]
    if likeness is not None and sound is not None:
        sides.append((likeness, np.asarray(sound, np.float32)))
    spread = sum(spread_of(window_scores(side.sample(SAMPLE_WINDOWS), vector)) for side, vector in sides)
    means = dict.fromkeys(long, 0.0)
    for side, vector in sides:
        for file_id, windows in side.windows_of(long).items():
            means[file_id] += float(window_scores(windows.vectors, vector).mean()) if len(windows) else 0.0
    by_id = dict(zip(ids.tolist(), counts.tolist(), strict=True))
    rescored = []
    for match in matches:
        if match.file_id not in means:
            rescored.append(match)
            continue
        score = float(judged(np.float64(match.score), means[match.file_id], by_id[match.file_id], spread, luck))
        lost = match.score - score
        rescored.append(replace(match, score=score, lost=lost if lost > NOTHING_LOST else None))
    return sorted(rescored, key=lambda m: (-m.score, m.file_id))


def window_scores(windows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each window's score: its dot product with ``query``, or its best with any of several."""
    return (windows @ np.atleast_2d(query).T).max(axis=1)


def spread_of(scores: np.ndarray) -> float:
    """The standard deviation of a query's scores over sampled windows; 0 for none (a table read
    while it was rewritten): then a long file keeps its best window."""
    return float(scores.std()) if len(scores) else 0.0
