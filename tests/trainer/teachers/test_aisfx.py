"""The aiSFX teacher: safe loading, its spectrogram against independent numpy references,
and clip vectors that tell different sounds apart but not the same sound at other gains."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
import torch

from trainer.teachers import TeacherUnavailable, teacher_class
from trainer.teachers.aisfx import HOP, N_FFT, N_MELS, NORM_MAX, SAMPLE_RATE, AisfxSpectrogram, load_aisfx_weights


def librosa_htk_mel_l1(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """librosa 0.9's ``filters.mel(htk=True, norm=1.0)``, written from its definition: triangles
    over the FFT bin frequencies between HTK-mel-spaced edges, each row scaled to unit L1 norm."""

    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10.0 ** (np.asarray(m) / 2595.0) - 1.0)

    fft_freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    weights = np.zeros((n_mels, len(fft_freqs)))
    for i in range(n_mels):
        lower = (fft_freqs - edges[i]) / (edges[i + 1] - edges[i])
        upper = (edges[i + 2] - fft_freqs) / (edges[i + 2] - edges[i + 1])
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    return weights / np.abs(weights).sum(axis=1, keepdims=True)


def test_filterbank_is_librosas_htk_mel_with_unit_l1_filters():
    reference = librosa_htk_mel_l1(SAMPLE_RATE, N_FFT, N_MELS, 0.0, SAMPLE_RATE / 2)
    ours = AisfxSpectrogram().mel.mel_scale.fb.T.double().numpy()  # (n_mels, bins)
    assert ours.shape == (96, 1025)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(ours, reference, rtol=2e-5, atol=2e-6)  # float32 filters, weights 0.01..0.7


def test_spectrogram_matches_a_numpy_stft_reference():
    """Centred frames with zero padding (librosa 0.9's default), periodic Hann, power."""
    wave = np.random.default_rng(0).standard_normal(SAMPLE_RATE // 2).astype(np.float32) * 0.1
    padded = np.pad(wave.astype(np.float64), N_FFT // 2)
    frames = 1 + len(wave) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
    stft = np.stack([np.fft.rfft(padded[t * HOP : t * HOP + N_FFT] * window) for t in range(frames)])
    fb = librosa_htk_mel_l1(SAMPLE_RATE, N_FFT, N_MELS, 0.0, SAMPLE_RATE / 2)
    reference = np.log10((np.abs(stft) ** 2) @ fb.T * 10_000 + 1) / NORM_MAX
    ours = AisfxSpectrogram()(torch.from_numpy(wave)).numpy()
    assert ours.shape == (frames, 96)
    np.testing.assert_allclose(ours, reference, atol=2e-4)


def needs_aisfx():
    import aisfx.inference

    return aisfx.inference


@pytest.fixture(scope="module")
def teacher():
    needs_aisfx()
    return teacher_class("aisfx")()


def test_weights_load_only_with_the_numpy_allow_list(monkeypatch):
    path = needs_aisfx().get_path_modelWeights()
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        torch.load(path, map_location="cpu", weights_only=True)
    calls = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: calls.append(k) or real_load(*a, **k))
    weights, datasets = load_aisfx_weights()
    assert calls == [{"map_location": "cpu", "weights_only": True}]
    assert weights["embedding_net.conv_block1.conv1.weight"].shape == (64, 1, 3, 3)
    assert datasets["prosfx"][1] == 78  # (index, number of UCS classes) per training library


def tone(freq: float, seconds: float = 3.0, sr: int = SAMPLE_RATE) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)).astype(np.float32)


def white(seed: int, seconds: float = 3.0, sr: int = SAMPLE_RATE) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal(int(seconds * sr))).astype(np.float32)


def test_vectors_separate_sounds_and_ignore_gain(teacher):
    noise_a, noise_b, sine = (
        teacher.embed(white(0), SAMPLE_RATE),
        teacher.embed(white(1), SAMPLE_RATE),
        teacher.embed(tone(440), SAMPLE_RATE),
    )
    assert noise_a.shape == (512,) and noise_a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(noise_a), 1.0, rtol=1e-5)
    # Features are post-ReLU, so all vectors share a positive direction: measured noise-sine
    # cosine 0.58, two noise recordings 0.99.
    assert noise_a @ sine < 0.8
    assert noise_a @ noise_b > 0.95
    quiet = teacher.embed(0.05 * tone(440), SAMPLE_RATE)  # peak normalisation: gain does not matter
    assert quiet @ sine > 0.999


def test_other_sample_rates_are_resampled(teacher):
    at_16k = teacher.embed(tone(440, sr=16_000), 16_000)
    same, other = at_16k @ teacher.embed(tone(440), SAMPLE_RATE), at_16k @ teacher.embed(tone(3000), SAMPLE_RATE)
    assert same > 0.95 and same > other + 0.05, (same, other)  # measured 0.975 and 0.88


def test_short_clips_and_long_files_embed(teacher):
    short = teacher.embed(tone(440, seconds=0.2), SAMPLE_RATE)  # fewer frames than one block
    long = teacher.embed(white(2, seconds=90.0), SAMPLE_RATE)  # more blocks than one forward chunk
    assert np.all(np.isfinite(short)) and np.all(np.isfinite(long))


def test_a_missing_package_is_a_named_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "aisfx", None)  # what `import aisfx` sees when it is not installed
    monkeypatch.setitem(sys.modules, "aisfx.inference", None)
    with pytest.raises(TeacherUnavailable, match="pip install --no-deps aisfx"):
        teacher_class("aisfx")()
