"""Waveform overviews: per-channel min/max peaks of a file, cached on disk.

A preview draws a few thousand columns, so the file is streamed once in blocks
and reduced to one (min, max) pair per column; the result is small enough to
keep as an ``.npz`` next to other cache files, keyed by path, size and mtime so
an edited file gets fresh peaks.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from engine.audio.decode import open_sound
from engine.audio.files import AudioDecodeError, libsndfile_reason
from engine.audio.formats import LOSSY_SUBTYPES
from engine.fs import atomic_file

log = logging.getLogger(__name__)

DEFAULT_BUCKETS = 4000
MAX_CACHED_FILES = 5000  # about 300 MB of stereo overviews


@dataclass(frozen=True)
class Peaks:
    mins: np.ndarray  # (channels, buckets) float32 in [-1, 1]
    maxs: np.ndarray
    duration_s: float
    sample_rate: int
    lossy: bool = False  # the file's codec is lossy: its peak is its decoder's (engine.audio.formats.LOSSY_SUBTYPES)

    @property
    def channels(self) -> int:
        return int(self.mins.shape[0])

    @property
    def peak(self) -> float:
        """The largest absolute sample value over all channels (1.0 is full scale)."""
        if not self.mins.size:
            return 0.0
        return float(max(-self.mins.min(), self.maxs.max(), 0.0))


def compute_peaks(path: str | os.PathLike, buckets: int = DEFAULT_BUCKETS) -> Peaks:
    """Stream ``path`` once and reduce it to ``buckets`` (min, max) pairs per channel.

    Raises :class:`AudioDecodeError` (a sentence for the user) when the file cannot be read.
    """
    with open_sound(path) as (f, facts):
        frames, channels, sr = facts.frames, facts.channels, facts.sample_rate
        try:
            n_buckets = max(1, min(buckets, frames))
            per_bucket = max(1, math.ceil(frames / n_buckets))
            mins = np.zeros((channels, n_buckets), np.float32)
            maxs = np.zeros((channels, n_buckets), np.float32)
            done = 0
            per_block = per_bucket * max(1, (1 << 18) // per_bucket)  # whole buckets, about 256 k frames
            for block in f.blocks(blocksize=per_block, dtype="float32", always_2d=True):
                whole = math.ceil(len(block) / per_bucket)
                padded = np.zeros((whole * per_bucket, channels), np.float32)
                padded[: len(block)] = block
                # Zero padding only touches the final, partial bucket.
                shaped = padded.reshape(whole, per_bucket, channels)
                take = min(whole, n_buckets - done)
                if take <= 0:
                    break
                mins[:, done : done + take] = shaped[:take].min(axis=1).T
                maxs[:, done : done + take] = shaped[:take].max(axis=1).T
                done += take
        except sf.LibsndfileError as exc:
            raise AudioDecodeError(f"damaged audio data: {libsndfile_reason(exc)}", path) from exc
    return Peaks(mins[:, :done], maxs[:, :done], frames / sr, sr, facts.subtype in LOSSY_SUBTYPES)


def cached_peaks(path: str | os.PathLike, cache_dir: Path, buckets: int = DEFAULT_BUCKETS) -> Peaks:
    """Peaks from ``cache_dir`` when the file is unchanged since they were computed, else compute and store."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise AudioDecodeError(f"cannot open file: {exc.strerror or exc}", path) from exc
    key = hashlib.sha1(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{buckets}".encode()).hexdigest()
    cache_file = Path(cache_dir) / f"{key}.npz"
    if cache_file.exists():
        try:
            with np.load(cache_file) as stored:
                peaks = Peaks(
                    stored["mins"],
                    stored["maxs"],
                    float(stored["duration_s"]),
                    int(stored["sample_rate"]),
                    bool(stored["lossy"]),  # an entry stored before it said so is recomputed
                )
            os.utime(cache_file)  # recently used: ``prune_peaks`` removes the longest unused first
            return peaks
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache entry is recomputed below
    peaks = compute_peaks(path, buckets)
    try:
        _store(peaks, cache_file)
    except OSError as exc:  # a full or read-only cache costs the next preview time, not this one
        log.warning("cannot cache the peaks of %s in %s: %s", path, cache_file.parent, exc)
    return peaks


def prune_peaks(cache_dir: Path, keep: int = MAX_CACHED_FILES) -> int:
    """Delete all but the ``keep`` most recently used overviews; return how many went.

    Each overview is a few tens of kB, and browsing a large library for months would
    otherwise fill the disk with them."""
    if not Path(cache_dir).is_dir():
        return 0
    entries = []
    with os.scandir(cache_dir) as scan:
        for entry in scan:
            if entry.name.endswith(".npz"):
                try:
                    entries.append((entry.stat().st_mtime_ns, entry.path))
                except OSError:
                    continue  # removed meanwhile by another worker
    entries.sort(reverse=True)
    removed = 0
    for _, old in entries[keep:]:
        try:
            os.remove(old)
            removed += 1
        except OSError:
            pass
    return removed


def _store(peaks: Peaks, cache_file: Path) -> None:
    """Write through a uniquely named temporary file: the preview's workers may compute the
    same file's peaks at once (a selection changed back and forth), and each rename is whole."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(cache_file) as partial, open(partial, "wb") as out:
        np.savez(
            out,
            mins=peaks.mins,
            maxs=peaks.maxs,
            duration_s=peaks.duration_s,
            sample_rate=peaks.sample_rate,
            lossy=peaks.lossy,
        )
