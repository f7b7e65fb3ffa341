"""Float files whose samples are not numbers: read as silence, counted, never passed on."""

from __future__ import annotations

import numpy as np

from engine.audio.decode import Repairs, iter_windows, load_mono
from tests.factories import tone, write_audio


def nonfinite_wav(path, sr=16_000):
    """A 32-bit float stereo WAV: a tone with 3 NaN, 2 +inf and 1 -inf samples in it."""
    samples = np.stack([tone(440, 2.0, sr), tone(660, 2.0, sr)], axis=1)
    samples[100, 0] = samples[5000, 1] = samples[20_000, 0] = np.nan
    samples[7000, 0] = samples[7000, 1] = np.inf
    samples[30_000, 1] = -np.inf
    return write_audio(path, samples, sr, subtype="FLOAT")


def test_nonfinite_samples_become_silence_and_are_counted(tmp_path):
    path = nonfinite_wav(tmp_path / "render_bug.wav")
    repairs = Repairs()
    windows = list(iter_windows(path, 16_000, 1.0, 0.5, repairs))
    assert windows and all(np.isfinite(w.samples).all() for w in windows)
    assert repairs.nonfinite_samples == 6
    assert repairs.warning().startswith("6 samples are not numbers (NaN or infinity)")
    clean = load_mono(path, 16_000)
    assert np.isfinite(clean).all() and len(clean) == 32_000
    assert clean[7000] == 0.0  # both channels infinite: silence, not inf - inf = NaN


def test_loud_but_finite_channels_do_not_overflow_when_mixed_to_mono(tmp_path):
    loud = np.full((16_000, 2), 3e38, np.float32)
    path = write_audio(tmp_path / "loud.wav", loud, 16_000, subtype="FLOAT")
    repairs = Repairs()
    (window,) = iter_windows(path, 16_000, 1.0, 1.0, repairs)
    assert np.isfinite(window.samples).all() and repairs.nonfinite_samples == 0 and repairs.warning() == ""
