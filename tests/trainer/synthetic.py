"""A small synthetic audio-caption set the trainer tests learn from: sound classes that
differ clearly in the spectrogram (pitch, noise colour, rhythm), captions that name them
in words of the tiny test tokenizer's vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.factories import write_audio

SR = 16_000


def _pink(n: int, rng) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.sqrt(np.arange(1, len(spectrum) + 1))
    x = np.fft.irfft(spectrum, n)
    return x / np.abs(x).max()


def _clicks(n: int, rng, rate: float) -> np.ndarray:
    x = np.zeros(n)
    for start in np.arange(0, n, int(SR / rate)):
        x[start : start + 80] = rng.standard_normal(min(80, n - start))
    return x


CLASSES = {
    "low": (
        ["a low sine tone", "low tone", "a slow low beep"],
        ["tone", "low"],
        lambda n, rng: np.sin(2 * np.pi * rng.uniform(180, 260) * np.arange(n) / SR),
    ),
    "high": (
        ["a high sine tone", "high tone", "a high beep"],
        ["tone", "high"],
        lambda n, rng: np.sin(2 * np.pi * rng.uniform(2800, 3600) * np.arange(n) / SR),
    ),
    "white": (
        ["white noise", "loud white noise", "the white noise"],
        ["noise", "white"],
        lambda n, rng: rng.standard_normal(n) * 0.5,
    ),
    "pink": (["pink noise", "soft pink noise", "the pink noise"], ["noise", "pink"], lambda n, rng: _pink(n, rng)),
    "click": (
        ["a fast click", "click click click", "fast clicks"],
        ["click"],
        lambda n, rng: _clicks(n, rng, rng.uniform(8, 12)),
    ),
    "sweep": (
        ["a sweep", "a slow sweep", "sine sweep"],
        ["sweep"],
        lambda n, rng: np.sin(2 * np.pi * np.cumsum(np.linspace(300, 4000, n)) / SR),
    ),
}


def write_synthetic_set(
    folder: Path, per_class: int = 8, val_per_class: int = 2, seed: int = 0, seconds: tuple[float, float] = (1.0, 2.5)
) -> Path:
    """Write WAVs and ``manifest.jsonl`` (train and val splits); returns the manifest."""
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    rows = []
    for name, (captions, tags, make) in CLASSES.items():
        for i in range(per_class + val_per_class):
            n = int(rng.uniform(*seconds) * SR)
            audio = (0.4 * make(n, rng) * rng.uniform(0.5, 1.0)).astype(np.float32)
            path = write_audio(folder / "audio" / f"{name}-{i}.wav", audio, SR)
            rows.append(
                {
                    "audio": str(path.relative_to(folder)),
                    "captions": captions,
                    "tags": tags,
                    "split": "train" if i < per_class else "val",
                }
            )
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return manifest
