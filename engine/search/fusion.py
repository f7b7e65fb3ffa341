"""From nearest windows to ranked files, and the fusion of the vector and keyword rankings.

A file scores as its best window (max), which is also the moment reported to the user:
in a 3-minute ambience the one bird call is what matched. The two rankings are fused so
that the model only adds (:func:`fuse`): a library's names are written by people who
heard the sound, and a model that hears sounds from unseen sources poorly must not push
the right names out of the top ten, as equal-vote reciprocal-rank fusion did.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine.index.vectors import WindowMatches

# How much the sound adds to a keyword match, measured with bench/search_quality.py
SOUND_WEIGHT = 0.3


@dataclass(frozen=True)
class FileMatch:
    file_id: int
    score: float
    start_s: float | None = None  # the best window, for vector matches
    end_s: float | None = None


@dataclass(frozen=True)
class FusedHit:
    file_id: int
    score: float
    vector: FileMatch | None
    vector_rank: int | None  # 1-based; None: not among the vector candidates
    text_score: float | None
    text_rank: int | None


def best_window_per_file(matches: Iterable[WindowMatches]) -> list[FileMatch]:
    """Best window of each file over one or more window lists, files best first."""
    parts = [m for m in matches if len(m)]
    if not parts:
        return []
    ids, starts, ends, scores = (np.concatenate([getattr(m, name) for m in parts])
                                 for name in ("file_ids", "starts", "ends", "scores"))
    order = np.lexsort((starts, -scores))  # best first; an exact tie goes to the earlier window
    ids, starts, ends, scores = ids[order], starts[order], ends[order], scores[order]
    _, first = np.unique(ids, return_index=True)
    first.sort()
    return [FileMatch(int(ids[i]), float(scores[i]), float(starts[i]), float(ends[i])) for i in first]


def keep_best(matches: Iterable[FileMatch]) -> list[FileMatch]:
    """One match per file (its highest score), best first."""
    best: dict[int, FileMatch] = {}
    for match in matches:
        if match.file_id not in best or match.score > best[match.file_id].score:
            best[match.file_id] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.file_id))


def relative_scores(matches: list[FileMatch], from_weakest: bool) -> dict[int, float]:
    """Each file's score on 0..1 within its ranking, the best 1. BM25 starts at 0 (no
    word matched), so it is divided by the best; a cosine has no such zero, so with
    ``from_weakest`` the weakest candidate is 0 (a cosine of 0.31 among candidates spanning
    0.28-0.33 means "about the middle", whatever scale the model uses)."""
    if not matches:
        return {}
    scores = np.array([m.score for m in matches], dtype=np.float64)
    low = scores.min() if from_weakest else 0.0
    span = scores.max() - low
    return {m.file_id: 1.0 if span <= 0 else float((m.score - low) / span) for m in matches}


def fuse(vector: list[FileMatch], text: list[FileMatch], sound_weight: float = SOUND_WEIGHT) -> list[FusedHit]:
    """Keyword matches lead, the sound re-ranks and fills: score = keyword + sound_weight x sound,
    both on 0..1 within their ranking (:func:`relative_scores`), reported as a 0..100 match. The sound can
    reorder keyword matches whose scores are within ``sound_weight`` of each other and add files
    whose names miss the words, but it cannot push a strong name match below a weak one's gap;
    with no keyword match at all (opaque names) the order is exactly the vector ranking's."""
    vector_rank = {m.file_id: (rank, m) for rank, m in enumerate(vector, 1)}
    text_rank = {m.file_id: (rank, m) for rank, m in enumerate(text, 1)}
    sound, words = relative_scores(vector, from_weakest=True), relative_scores(text, from_weakest=False)
    weight = sound_weight if text else 1.0  # no keyword match at all: the sound is the whole score
    best = (1.0 if text else 0.0) + (weight if vector else 0.0)
    hits = []
    for file_id in vector_rank.keys() | text_rank.keys():
        v_rank, v_match = vector_rank.get(file_id, (None, None))
        t_rank, t_match = text_rank.get(file_id, (None, None))
        score = words.get(file_id, 0.0) + weight * sound.get(file_id, 0.0)
        hits.append(FusedHit(file_id, 100.0 * score / best, v_match, v_rank, t_match.score if t_match else None,
                             t_rank))
    # a tie goes to the better keyword rank, then the better vector rank, then the id
    never = len(vector) + len(text) + 1
    return sorted(hits, key=lambda h: (-h.score, h.text_rank or never, h.vector_rank or never, h.file_id))
