"""Beam search and temperature sampling on a decoder whose probabilities are written out by hand,
and on the tiny Cacophony checkpoint."""

from __future__ import annotations

import math

import pytest
import torch

from engine.models.base import CaptionOptions
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.decoding import decode
from tests.factories import noise, tone

START, STOP, A, B = 0, 1, 2, 3


def table_step(ids: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """Greedy takes "a" (0.55) and stops (0.4): 0.22 in all. "b" then stop is 0.45 * 0.95 = 0.43."""
    out = []
    for prefix in ids.tolist():
        if prefix == [START]:
            p = [1e-6, 1e-6, 0.55, 0.45]
        elif prefix == [START, A]:
            p = [1e-6, 0.4, 0.3, 0.3]
        elif prefix == [START, B]:
            p = [1e-6, 0.95, 0.025, 0.025]
        else:
            p = [1e-6, 0.5, 0.25, 0.25]
        out.append(torch.tensor(p).log())
    return torch.stack(out)


def test_beam_search_finds_the_likelier_caption_greedy_misses():
    greedy = decode(table_step, 1, START, STOP, CaptionOptions(beams=1))[0]
    beam = decode(table_step, 1, START, STOP, CaptionOptions(beams=3))[0]
    assert greedy.tokens == [A] and greedy.mean_logprob == pytest.approx((math.log(0.55) + math.log(0.4)) / 2, 1e-4)
    assert beam.tokens == [B] and beam.mean_logprob == pytest.approx((math.log(0.45) + math.log(0.95)) / 2, 1e-4)


def test_sampling_is_repeatable_and_nearly_greedy_when_cold():
    cold = CaptionOptions(method="sample", temperature=0.05, seed=3)
    assert [d.tokens for d in decode(table_step, 4, START, STOP, cold)] == [[A]] * 4
    hot = CaptionOptions(method="sample", temperature=5.0, seed=3, max_tokens=6)
    first, again = decode(table_step, 8, START, STOP, hot), decode(table_step, 8, START, STOP, hot)
    assert [d.tokens for d in first] == [d.tokens for d in again]
    assert len({tuple(d.tokens) for d in first}) > 1  # hot sampling varies between clips


def test_max_tokens_ends_an_unfinished_caption():
    never_stops = lambda ids, rows: torch.tensor([[-50.0, -50.0, -0.1, -3.0]] * len(ids))  # noqa: E731 - a one-line fake decoder step
    for options in (CaptionOptions(beams=2, max_tokens=4), CaptionOptions(method="sample", max_tokens=4)):
        assert decode(never_stops, 1, START, STOP, options)[0].tokens == [A] * 4


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="beam"):
        CaptionOptions(method="nucleus")
    with pytest.raises(ValueError):
        CaptionOptions(temperature=0)


def test_tiny_backend_describes_with_both_methods(tiny_checkpoint):
    backend = CacophonyBackend.from_checkpoint(tiny_checkpoint)
    clips = [tone(seconds=0.5), noise(seconds=0.5)]
    for options in (CaptionOptions(max_tokens=5), CaptionOptions(method="sample", max_tokens=5)):
        captions = backend.describe(clips, options)
        assert len(captions) == 2 and all(isinstance(c.text, str) and c.mean_logprob <= 0 for c in captions)
    greedy = backend.describe(clips, CaptionOptions(beams=1, max_tokens=5))
    assert all(c.text.strip() and c.mean_logprob <= 0 for c in greedy)


def test_a_caption_cut_at_max_tokens_is_scored_by_the_tokens_it_has():
    never_stops = lambda ids, rows: torch.tensor([[-50.0, -50.0, -0.1, -3.0]] * len(ids))  # noqa: E731 - a one-line fake decoder step
    for options in (CaptionOptions(beams=2, max_tokens=4), CaptionOptions(method="sample", max_tokens=4)):
        assert decode(never_stops, 1, START, STOP, options)[0].mean_logprob == pytest.approx(-0.1)


def test_a_sampled_caption_is_the_same_whichever_clips_it_is_captioned_with(tiny_checkpoint):
    backend = CacophonyBackend.from_checkpoint(tiny_checkpoint)
    first, second = tone(seconds=0.5), noise(seconds=0.5)
    warm = CaptionOptions(method="sample", temperature=1.0, max_tokens=8)
    alone = backend.describe([first], warm)[0]
    assert backend.describe([second, first], warm)[1] == alone
    assert backend.describe([first], CaptionOptions(method="sample", temperature=1.0, max_tokens=8, seed=5))[0] != alone
