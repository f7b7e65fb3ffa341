"""Retrieval metrics exactly as laion-clap.txt appendix C / Mei et al. define them.

t2a: every caption is a query; r = 0-based rank of its audio; R@k = mean 1[r < k];
mAP@10 = mean 1[r < 10] / (r + 1).
a2t: every audio is a query with several true captions; R@k = mean 1[best rank < k];
AP@10 = (1 / n_true) * sum_j j / p_j over the sorted 1-based ranks p_j <= 10 of its true
captions. (E.g. 0-based ranks [3, 0, 10, 13, 16] give R@1 = 1 and AP@10 = (1/1 + 2/4)/5 = 0.3.)
Ranks are positions in a stable descending sort, so ties go to the earlier index.
"""

from __future__ import annotations

import numpy as np

KS = (1, 5, 10)


def descending_ranks(scores: np.ndarray) -> np.ndarray:
    """ranks[i, j] = 0-based position of column j when row i is sorted by descending score."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(scores.shape[1])[None].repeat(len(scores), 0), axis=1)
    return ranks


def t2a_metrics_from_ranks(ranks: np.ndarray) -> dict[str, float]:
    ranks = np.asarray(ranks)
    out = {f"R@{k}": float(np.mean(ranks < k)) for k in KS}
    out["mAP@10"] = float(np.mean(np.where(ranks < 10, 1.0 / (ranks + 1), 0.0)))
    return out


def a2t_average_precision(true_ranks: list[int] | np.ndarray, cutoff: int = 10, capped: bool = False) -> float:
    """AP@cutoff of one audio given the 0-based ranks of *all* its true captions. ``capped``
    divides by min(n_true, cutoff) instead of n_true (the usual IR AP@k), so that a query with
    more right answers than fit in the top ``cutoff`` still scores 1 when all of them are on top."""
    positions = np.sort(np.asarray(true_ranks)) + 1
    hits = positions[positions <= cutoff]
    right = min(len(positions), cutoff) if capped else len(positions)
    return float(np.sum(np.arange(1, len(hits) + 1) / hits) / right)


def a2t_metrics_from_ranks(true_ranks: list[list[int]]) -> dict[str, float]:
    best = np.array([min(r) for r in true_ranks])
    out = {f"R@{k}": float(np.mean(best < k)) for k in KS}
    out["mAP@10"] = float(np.mean([a2t_average_precision(r) for r in true_ranks]))
    return out


def search_metrics_from_ranks(true_ranks: list[list[int]], cutoff: int = 10) -> dict[str, float]:
    """Search queries with many right answers ("glass breaking" over a library): for each query
    the 0-based ranks of all its right files (a file not retrieved at all: any rank >= cutoff).
    R@k = mean 1[best rank < k], mAP@cutoff with AP capped at min(n_right, cutoff)."""
    best = np.array([min(r) for r in true_ranks])
    out = {f"R@{k}": float(np.mean(best < k)) for k in KS}
    out[f"mAP@{cutoff}"] = float(np.mean([a2t_average_precision(r, cutoff, capped=True) for r in true_ranks]))
    return out


def retrieval_metrics(audio: np.ndarray, text: np.ndarray, text_audio: np.ndarray) -> dict[str, float]:
    """audio (n_audio, d) and text (n_text, d) L2-normalised embeddings; text_audio[j] = index of
    caption j's audio. Returns {"t2a/R@1": ..., "a2t/mAP@10": ...}."""
    text_audio = np.asarray(text_audio)
    scores = text @ audio.T  # (n_text, n_audio)
    t2a_ranks = descending_ranks(scores)[np.arange(len(text)), text_audio]
    a2t_rank_matrix = descending_ranks(scores.T)  # (n_audio, n_text)
    a2t_ranks = [a2t_rank_matrix[i, text_audio == i].tolist() for i in range(len(audio))]
    a2t_ranks = [r for r in a2t_ranks if r]
    t2a = t2a_metrics_from_ranks(t2a_ranks)
    a2t = a2t_metrics_from_ranks(a2t_ranks)
    return {**{f"t2a/{k}": v for k, v in t2a.items()}, **{f"a2t/{k}": v for k, v in a2t.items()}}


def caption_search_ranks(
    audio: np.ndarray, text: np.ndarray, text_audio: np.ndarray, captions: list[str]
) -> tuple[list[list[int]], list[int]]:
    """Each distinct caption asked once, as a search over all the audio: the 0-based ranks of every
    item that carries it (:func:`search_metrics_from_ranks` scores them), and the first item that
    carries each. A library names its variations alike ("door wood creak" for twelve takes), and
    any of them answers the search; asked per item (t2a), the twelve captions tie and where "its
    own" take ranks is chance."""
    first: dict[str, int] = {}
    holders: dict[str, set[int]] = {}
    for j, caption in enumerate(captions):
        first.setdefault(caption, j)
        holders.setdefault(caption, set()).add(int(text_audio[j]))
    ranks = descending_ranks(text[list(first.values())] @ audio.T)
    searches = [ranks[q, sorted(holders[caption])].tolist() for q, caption in enumerate(first)]
    return searches, [int(text_audio[j]) for j in first.values()]


def chance_of_no_gain(
    before: np.ndarray, after: np.ndarray, groups: np.ndarray, resamples: int = 10_000, seed: int = 0
) -> float:
    """Paired bootstrap of a gain in mean score: the share of resamplings of the ``groups`` (with
    replacement, each with all its queries) in which the mean of ``after - before`` is not above
    0; ``before`` and ``after`` are two models' scores of the same queries, and a group is what
    moves together (a held-out folder's searches share its folder's words). Small means the gain
    is not one or two lucky groups: one group that improves among 13 unchanged ones is left out of
    a resampling about a third of the time, so such a gain scores about 0.35."""
    difference = np.asarray(after, np.float64) - np.asarray(before, np.float64)
    _, group = np.unique(np.asarray(groups), return_inverse=True)
    sums = np.bincount(group, weights=difference)
    counts = np.bincount(group).astype(np.float64)
    drawn = np.random.default_rng(seed).integers(0, len(sums), (resamples, len(sums)))
    return float(np.mean(sums[drawn].sum(axis=1) / counts[drawn].sum(axis=1) <= 0.0))
