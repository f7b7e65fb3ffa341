"""The app-facing backend on a tiny checkpoint."""

from __future__ import annotations

import numpy as np

from engine.models.cacophony.backend import CacophonyBackend
from tests.factories import noise, tone


def test_backend_embeds_any_lengths_normalised(tiny_checkpoint):
    backend = CacophonyBackend.from_checkpoint(tiny_checkpoint)
    info = backend.info
    assert info.backend == "cacophony" and info.name == "tiny-test" and info.sample_rate == 16_000
    assert info.window_seconds == 1.28 and info.can_caption
    audio = backend.embed_audio([tone(seconds=0.3), noise(seconds=3.0), tone(880, seconds=1.0)])
    text = backend.embed_text(["white noise", "a high sine tone"])
    assert audio.shape == (3, info.embedding_dim) and text.shape == (2, info.embedding_dim)
    np.testing.assert_allclose(np.linalg.norm(audio, axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(backend.embed_audio([tone(seconds=0.3)])[0], audio[0], atol=1e-5)


def test_a_clip_shorter_than_one_frame_embeds(tiny_checkpoint):
    """A 5 ms file (no 10 ms spectrogram frame) is a silent patch column, not a crash."""
    backend = CacophonyBackend.from_checkpoint(tiny_checkpoint)
    embedding = backend.embed_audio([np.full(80, 0.1, np.float32), np.full(16_000, 0.1, np.float32)])
    assert np.isfinite(embedding).all() and embedding.shape[0] == 2
