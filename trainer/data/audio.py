"""Decoding for training. Prefers the engine's streaming decoder (one code path with the app);
falls back to soundfile + soxr while engine/audio is not there."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def load_mono(path: str | Path, target_sr: int, start_s: float = 0.0, duration_s: float | None = None) -> np.ndarray:
    """Float32 mono at ``target_sr``, optionally only a region (seeks, never reads the rest)."""
    try:
        from engine.audio.decode import load_mono as engine_load_mono
    except ImportError:
        return _soundfile_load_mono(Path(path), target_sr, start_s, duration_s)
    return engine_load_mono(path, target_sr, start_s=start_s, duration_s=duration_s)


def duration_seconds(path: str | Path) -> float:
    import soundfile as sf

    info = sf.info(str(path))
    return info.frames / info.samplerate


def _soundfile_load_mono(path: Path, target_sr: int, start_s: float, duration_s: float | None) -> np.ndarray:
    import soundfile as sf
    import soxr

    try:
        with sf.SoundFile(str(path)) as f:
            sr = f.samplerate
            f.seek(min(int(start_s * sr), f.frames))
            frames = -1 if duration_s is None else int(round(duration_s * sr))
            data = f.read(frames, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as error:
        raise ValueError(f"cannot decode {path}: {error}") from error
    mono = data.mean(axis=1)
    if sr != target_sr and len(mono):
        mono = soxr.resample(mono, sr, target_sr, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)
