"""A small library whose names say what its sounds are, for the fine-tuning tests.

Six kinds of sound that differ clearly in the spectrogram (tests/trainer/synthetic.py), each loud
and soft, each in folders of its own, named in words of the tiny test tokenizer
("soft_low_sine_tone_03.wav" in "Tones/Low Soft 2"), plus files whose names say nothing
(``Take_017.wav``, ``ZOOM0001.WAV``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.factories import write_audio
from tests.trainer.synthetic import CLASSES, SR

FOLDERS = {
    "low": "Tones/Low",
    "high": "Tones/High",
    "white": "Noise/White",
    "pink": "Noise/Pink",
    "click": "Clicks/Fast",
    "sweep": "Sweeps/Sine",
}
NAMES = {
    "low": "low_sine_tone",
    "high": "high_sine_tone",
    "white": "white_noise",
    "pink": "pink_noise",
    "click": "fast_click",
    "sweep": "sine_sweep",
}
SAYS_NOTHING = ("Take_017.wav", "ZOOM0001.WAV", "Audio 01.wav")


LEVELS = {"loud": (0.6, 0.9), "soft": (0.05, 0.1)}  # each kind twice, named by how loud it is


def write_named_library(root: Path, folders_per_kind: int = 3, files_per_folder: int = 6, seed: int = 0) -> Path:
    """Write the library under ``root``; returns ``root``. Each kind comes loud and soft, each in
    folders of its own ("Noise/White Soft 2/soft_white_noise_03.wav"), so the held-out folders ask
    more than a handful of different things."""
    rng = np.random.default_rng(seed)
    for kind, (_, _, make) in CLASSES.items():
        for level, gain in LEVELS.items():
            for f in range(1, folders_per_kind + 1):
                for i in range(1, files_per_folder + 1):
                    n = int(rng.uniform(1.0, 2.5) * SR)
                    audio = (make(n, rng) * rng.uniform(*gain)).astype(np.float32)
                    folder = root / f"{FOLDERS[kind]} {level.title()} {f}"
                    write_audio(folder / f"{level}_{NAMES[kind]}_{i:02d}.wav", audio, SR)
    for name in SAYS_NOTHING:
        write_audio(root / "Recorder" / name, (0.3 * rng.standard_normal(SR)).astype(np.float32), SR)
    return root
