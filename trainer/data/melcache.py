"""Log-mel spectrograms for training, cached as one ``.npy`` per file so epochs don't re-decode.

The spectrogram is the model's own :class:`LogMel` (one definition for app and trainer).
Cache entries are float16 (log-mels live in about [-1.5, 3], where fp16 keeps ~3 digits),
keyed by the file's path, size, mtime and the spectrogram settings, written atomically so
several loader workers or ranks can fill the cache at once. Reads are memory-mapped: a
crop touches only its own frames.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from engine.audio.files import regular_file
from engine.fs import atomic_file
from engine.models.cacophony.model import LogMel
from trainer.data.audio import duration_seconds, load_mono


class MelSource:
    """Full or cropped log-mels (frames, n_mels) of audio files, through the cache if there is one."""

    def __init__(self, sample_rate: int, n_mels: int, cache_dir: str | Path | None = None):
        self.sample_rate = sample_rate
        self.n_mels = n_mels
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._logmel: LogMel | None = None  # built lazily: one per worker process

    @property
    def logmel(self) -> LogMel:
        if self._logmel is None:
            self._logmel = LogMel(self.sample_rate, self.n_mels)
        return self._logmel

    def compute(self, wave: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.logmel(torch.from_numpy(wave)[None])[0].numpy()

    def full(self, path: Path) -> np.ndarray:
        """The whole file's log-mel (memory-mapped when cached)."""
        if self.cache_dir is None:
            return self.compute(load_mono(path, self.sample_rate))
        entry = self._entry(path)
        if not entry.exists():
            write_npy(entry, self.compute(load_mono(path, self.sample_rate)).astype(np.float16))
        return np.load(entry, mmap_mode="r")

    def num_frames(self, path: Path) -> int:
        if self.cache_dir is not None:
            return len(self.full(path))
        return int(duration_seconds(path) * self.sample_rate) // self.logmel.hop

    def crop(self, path: Path, start_frame: int, num_frames: int) -> np.ndarray:
        """Frames [start, start+num) as float32. Uncached, only that region is decoded."""
        if self.cache_dir is not None:
            return np.asarray(self.full(path)[start_frame : start_frame + num_frames], dtype=np.float32)
        hop = self.logmel.hop
        wave = load_mono(
            path,
            self.sample_rate,
            start_s=start_frame * hop / self.sample_rate,
            duration_s=num_frames * hop / self.sample_rate,
        )
        return self.compute(wave)[:num_frames]

    def _entry(self, path: Path) -> Path:
        return cache_entry(self.cache_dir, path, f"{self.sample_rate}|{self.n_mels}|logmel-v1")


def cache_entry(cache_dir: Path, path: Path, settings: str) -> Path:
    """Where what ``settings`` describes, computed from ``path``, is cached: keyed by the file's
    resolved path, size and mtime, so an edited file is recomputed rather than read stale; a file
    that is gone, or no longer a file, raises AudioDecodeError saying so."""
    stat = regular_file(path)
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{settings}"
    digest = hashlib.sha1(key.encode()).hexdigest()
    return cache_dir / digest[:2] / f"{digest}.npy"


def write_npy(entry: Path, array: np.ndarray) -> None:
    """Write beside and rename into place: concurrent writers and readers never see half a file."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(entry) as partial, open(partial, "wb") as f:
        np.save(f, array)
