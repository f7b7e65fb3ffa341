"""Window-to-file aggregation and reciprocal-rank fusion."""
from __future__ import annotations

import numpy as np

from engine.index.vectors import WindowMatches
from engine.search.fusion import FileMatch, best_window_per_file, keep_best, reciprocal_rank_fusion


def matches(*rows) -> WindowMatches:
    ids, starts, scores = zip(*rows)
    return WindowMatches(np.array(ids), np.array(starts, float), np.array(starts, float) + 10, np.array(scores))


def test_best_window_per_file_over_several_lists():
    first = matches((1, 0.0, 0.2), (2, 0.0, 0.5), (1, 30.0, 0.9))
    second = matches((2, 5.0, 0.95), (3, 0.0, 0.1), (1, 60.0, 0.9))  # file 1 ties: earlier window wins
    files = best_window_per_file([first, second])
    assert [(m.file_id, m.start_s, m.end_s, m.score) for m in files] == \
        [(2, 5.0, 15.0, 0.95), (1, 30.0, 40.0, 0.9), (3, 0.0, 10.0, 0.1)]
    assert best_window_per_file([]) == []


def test_keep_best_merges_alternatives():
    merged = keep_best([FileMatch(1, 0.3), FileMatch(2, 0.8), FileMatch(1, 0.9)])
    assert merged == [FileMatch(1, 0.9), FileMatch(2, 0.8)]


def test_reciprocal_rank_fusion_sums_reciprocal_ranks():
    vector = [FileMatch(10, 0.9), FileMatch(20, 0.8), FileMatch(30, 0.7)]
    text = [FileMatch(30, 12.0), FileMatch(40, 3.0)]
    fused = reciprocal_rank_fusion(vector, text, k=60)
    assert [h.file_id for h in fused] == [30, 10, 20, 40]  # 30 is in both; 20 and 40 tie at rank 2: lower id
    assert fused[0].score == 1 / 63 + 1 / 61
    assert (fused[0].vector_rank, fused[0].text_rank, fused[0].text_score) == (3, 1, 12.0)
    assert (fused[3].vector_rank, fused[3].vector, fused[3].text_rank) == (None, None, 2)
