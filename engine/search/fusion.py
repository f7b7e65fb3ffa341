"""From nearest windows to ranked files, and the fusion of the vector and text rankings.

A file scores as its best window (max), which is also the moment reported to the user:
in a 3-minute ambience the one bird call is what matched. Two rankings (vector and
full text) are fused by reciprocal rank (Cormack et al. 2009, k = 60): it needs no
calibration between cosine similarities and BM25 scores, which live on unrelated scales
and shift with the model and the library.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine.index.vectors import WindowMatches

RRF_K = 60


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


def reciprocal_rank_fusion(vector: list[FileMatch], text: list[FileMatch], k: int = RRF_K) -> list[FusedHit]:
    """Score = sum over rankings of 1 / (k + rank). Both lists must be best first."""
    vector_rank = {m.file_id: (rank, m) for rank, m in enumerate(vector, 1)}
    text_rank = {m.file_id: (rank, m) for rank, m in enumerate(text, 1)}
    hits = []
    for file_id in vector_rank.keys() | text_rank.keys():
        v_rank, v_match = vector_rank.get(file_id, (None, None))
        t_rank, t_match = text_rank.get(file_id, (None, None))
        score = sum(1.0 / (k + rank) for rank in (v_rank, t_rank) if rank is not None)
        hits.append(FusedHit(file_id, score, v_match, v_rank, t_match.score if t_match else None, t_rank))
    # a tie (one list's rank r against the other's rank r) goes to the better single rank, then the id
    return sorted(hits, key=lambda h: (-h.score, min(r for r in (h.vector_rank, h.text_rank) if r), h.file_id))
