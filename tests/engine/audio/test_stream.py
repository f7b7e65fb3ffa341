"""Cutting a block stream into windows: every window full length, the last one ending at the end."""

from __future__ import annotations

import numpy as np
import pytest

from engine.audio.stream import windows


def in_blocks(audio: np.ndarray, block: int) -> list[np.ndarray]:
    return [audio[at : at + block] for at in range(0, len(audio), block)]


@pytest.mark.parametrize(
    "length,expected",
    [
        (22, [(0, 10), (5, 15), (10, 20), (12, 22)]),  # the last window overlaps the one before by 8, not 5
        (11, [(0, 10), (1, 11)]),
        (25, [(0, 10), (5, 15), (10, 20), (15, 25)]),  # the hops reach the end: that window is the last, once
        (10, [(0, 10)]),  # one window long: one window
        (3, [(0, 3)]),  # shorter than a window: itself, short
    ],
)
@pytest.mark.parametrize("block", [1, 3, 5, 10, 64])
def test_windows_are_full_length_and_the_last_ends_at_the_end(length, expected, block):
    audio = np.arange(length, dtype=np.float32)
    cut = list(windows(in_blocks(audio, block), size=10, hop=5))
    assert [(start, end) for start, end, _ in cut] == expected
    for start, end, samples in cut:
        np.testing.assert_array_equal(samples, audio[start:end])


def test_block_sizes_change_no_window():
    """The same audio in blocks of any sizes, even and uneven, gives the same windows."""
    audio = np.random.default_rng(0).standard_normal(1_000).astype(np.float32)
    splits = [[1_000], [1] * 1_000, [37] * 27 + [1], [600, 0, 399, 1], [99, 1, 250, 650]]
    cuts = []
    for sizes in splits:
        blocks = np.split(audio, np.cumsum(sizes)[:-1])
        cuts.append([(start, end, samples.tolist()) for start, end, samples in windows(blocks, size=160, hop=64)])
    assert all(cut == cuts[0] for cut in cuts)
    assert cuts[0][-1][:2] == (840, 1_000) and all(end - start == 160 for start, end, _ in cuts[0])
