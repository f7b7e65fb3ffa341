"""Clips as the corpus stores them, and the manifest that lists them.

Every clip remembers the source it came from: the held-out split is decided per *source*
(a hash of its id), so a file's segments and augmented variants never straddle train and val.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from engine.fs import atomic_file

SAMPLE_RATE = 16_000
MAX_SECONDS = 10.24  # the model's training window: 512 patches of 16 frames
MAX_SAMPLES = round(MAX_SECONDS * SAMPLE_RATE)


@dataclass
class Clip:
    audio: str  # relative to the corpus folder
    captions: list[str]
    tags: list[str] = field(default_factory=list)  # tags[0] is the class label where there is one
    source: str = ""  # id of the original file or render; decides the split
    kind: str = ""  # debian | gm | drums | speech | signal | mix (augmentation picks by it)
    split: str = "train"
    exact_pitch: bool = False  # the caption states a pitch or speed: no pitch/time shifts

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def split_for(source: str, val_percent: int) -> str:
    """Stable train/val choice from the source id alone (same answer on every rebuild)."""
    bucket = int(hashlib.sha1(source.encode()).hexdigest()[:8], 16) % 100
    return "val" if bucket < val_percent else "train"


def segments(samples: np.ndarray, max_segments: int, min_seconds: float = 0.05) -> list[tuple[int, np.ndarray]]:
    """Up to ``max_segments`` of the consecutive 10.24 s windows, each with its number (window N
    starts N × 10.24 s in: a clip cut from it can be found again in its file); a tail shorter than
    ``min_seconds`` or a silent window is dropped (a game's music loop ends in silence more often
    than not), so the numbers kept can skip."""
    out = []
    for window, start in enumerate(range(0, len(samples), MAX_SAMPLES)):
        piece = samples[start : start + MAX_SAMPLES]
        if len(piece) < min_seconds * SAMPLE_RATE or not is_audible(piece):
            continue
        out.append((window, piece))
        if len(out) == max_segments:
            break
    return out


def is_audible(samples: np.ndarray, floor_db: float = -60.0) -> bool:
    return len(samples) > 0 and 20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-12) > floor_db


def write_clip(root: Path, relative: str, samples: np.ndarray) -> str:
    """16-bit WAV at 16 kHz, at most 10.24 s; peaks above full scale are normalised, not clipped."""
    samples = samples[:MAX_SAMPLES]
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak > 0.99:
        samples = samples * (0.99 / peak)
    sf.write(path, samples.astype(np.float32), SAMPLE_RATE, subtype="PCM_16")
    return relative


def read_clip(root: Path, clip: Clip) -> np.ndarray:
    samples, rate = sf.read(root / clip.audio, dtype="float32")
    if rate != SAMPLE_RATE:
        raise ValueError(f"{clip.audio}: expected {SAMPLE_RATE} Hz, found {rate}")
    return samples


def write_manifest(clips: list[Clip], path: Path) -> Path:
    """Written beside and renamed into place: a build killed mid-write leaves the earlier manifest
    or none, never a truncated one that a rebuild would take for finished."""
    with atomic_file(path) as partial, partial.open("w") as f:
        for clip in clips:
            f.write(clip.to_json() + "\n")
    return path


def read_manifest(path: Path) -> list[Clip]:
    with path.open() as f:
        return [Clip(**json.loads(line)) for line in f if line.strip()]
