"""The retrieval metrics against cases computed by hand from the definitions in issue 3."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.evaluation.metrics import (
    a2t_average_precision,
    a2t_metrics_from_ranks,
    caption_search_ranks,
    chance_of_no_gain,
    descending_ranks,
    retrieval_metrics,
    search_metrics_from_ranks,
    t2a_metrics_from_ranks,
)


def test_a2t_hand_checked_case():
    # True-caption 0-based ranks [3, 0, 10, 13, 16]: 1-based [1, 4, 11, 14, 17]; within 10: 1 and 4.
    assert a2t_average_precision([3, 0, 10, 13, 16]) == pytest.approx((1 / 1 + 2 / 4) / 5)  # 0.30
    metrics = a2t_metrics_from_ranks([[3, 0, 10, 13, 16]])
    assert metrics["R@1"] == 1.0 and metrics["mAP@10"] == pytest.approx(0.30)


def test_a2t_divides_by_all_true_captions_not_the_hits():
    assert a2t_average_precision([20, 30, 40, 50, 60]) == 0.0
    assert a2t_average_precision([1, 40, 50, 60, 70]) == pytest.approx((1 / 2) / 5)
    metrics = a2t_metrics_from_ranks([[1, 40, 50, 60, 70], [9, 12, 13, 14, 15]])
    assert metrics["R@1"] == 0.0 and metrics["R@5"] == 0.5 and metrics["R@10"] == 1.0


def test_search_metrics_cap_average_precision_at_the_cutoff():
    # 12 right files, the top 10 all right: AP@10 = 1 (capped), not 10/12.
    assert search_metrics_from_ranks([list(range(12))])["mAP@10"] == pytest.approx(1.0)
    assert a2t_average_precision(list(range(12)), capped=False) == pytest.approx(10 / 12)
    # 3 right files at 0-based ranks 1, 4, 30: (1/2 + 2/5) / 3; best rank 1.
    metrics = search_metrics_from_ranks([[1, 4, 30], [50, 60, 70]])
    assert metrics["mAP@10"] == pytest.approx((1 / 2 + 2 / 5) / 3 / 2)
    assert metrics["R@1"] == 0.0 and metrics["R@5"] == 0.5 and metrics["R@10"] == 0.5


def test_t2a_hand_checked_case():
    metrics = t2a_metrics_from_ranks([0, 2, 9, 10])
    assert metrics["R@1"] == 0.25 and metrics["R@5"] == 0.5 and metrics["R@10"] == 0.75
    assert metrics["mAP@10"] == pytest.approx((1 + 1 / 3 + 1 / 10 + 0) / 4)


def test_descending_ranks_break_ties_by_index():
    ranks = descending_ranks(np.array([[0.1, 0.9, 0.5, 0.9]]))
    assert ranks.tolist() == [[3, 0, 2, 1]]


def test_retrieval_metrics_from_embeddings():
    # 3 audios on the axes; captions 0,1 belong to audio 0, caption 2 to audio 1, caption 3 to audio 2.
    audio = np.eye(3, dtype=np.float32)
    text = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0.6, 0, 0.8]], dtype=np.float32)
    owners = np.array([0, 0, 1, 2])
    m = retrieval_metrics(audio, text, owners)
    # t2a ranks: caption0 -> 0, caption1 -> audio0 ranks 1 (ties with audio2 at 0, index order),
    # caption2 -> 0, caption3 -> 0
    assert m["t2a/R@1"] == 0.75 and m["t2a/mAP@10"] == pytest.approx((1 + 1 / 2 + 1 + 1) / 4)
    # a2t: audio0's captions [0, 1, 2, 3] scored [1, 0, 0, 0.6] -> ranks 0 and 2 (tie with caption 2 broken by index)
    # audio1 -> caption2 scores 1 and ties with caption1 (index 1 wins) -> rank 1; audio2 -> caption3 rank 0
    assert m["a2t/R@1"] == pytest.approx(2 / 3)
    assert m["a2t/mAP@10"] == pytest.approx(((1 / 1 + 2 / 3) / 2 + 1 / 2 + 1) / 3)


def test_a_gain_every_folder_shares_is_certain_and_one_folders_is_not():
    rng = np.random.default_rng(0)
    before, folders = rng.uniform(0.2, 0.4, 20), np.arange(20)
    assert chance_of_no_gain(before, before + rng.uniform(0.05, 0.15, 20), folders) == 0.0
    assert chance_of_no_gain(before, before, folders) == 1.0  # no gain at all
    one = before.copy()
    one[0] += 0.5  # the mean rises by 0.025, all of it one folder's
    # a resampling leaves that folder out with probability (19/20)^20 = 0.36
    assert chance_of_no_gain(before, one, folders) == pytest.approx((19 / 20) ** 20, abs=0.02)


def test_searches_of_one_folder_are_resampled_together():
    """Five searches of one held-out folder gaining are one folder's gain, not five."""
    before = np.zeros(10)
    after = before.copy()
    after[:5] = 0.5
    by_search = chance_of_no_gain(before, after, np.arange(10))
    by_folder = chance_of_no_gain(before, after, np.array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5]))
    assert by_search < 0.01 and by_folder == pytest.approx((5 / 6) ** 6, abs=0.02)


def test_each_distinct_caption_is_one_search_whose_right_answers_are_all_that_carry_it():
    # Audio 0 and 1 are two takes named alike; audio 2 another sound. Caption vectors sit on the axes.
    audio = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], dtype=np.float32)
    text = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1]], dtype=np.float32)
    captions = ["door creak", "door creak", "rain"]
    ranks, first = caption_search_ranks(audio, text, np.array([0, 1, 2]), captions)
    assert ranks == [[0, 1], [0]] and first == [0, 2]  # one search for the two takes, both right, on top
    assert search_metrics_from_ranks(ranks)["mAP@10"] == pytest.approx(1.0)
    # asked per take, the second take's caption finds the first take first: t2a calls that a miss
    assert retrieval_metrics(audio, text, np.array([0, 1, 2]))["t2a/R@1"] == pytest.approx(2 / 3)
