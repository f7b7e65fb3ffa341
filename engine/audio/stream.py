"""Streaming pieces of decoding: mono blocks, resampled blocks, overlapping windows.

Each stage is a generator over bounded blocks, so the memory a multi-hour file
needs is one block plus one window, whatever its length.

Samples that are not numbers (NaN or infinity, which a damaged or badly rendered
32/64-bit float file can hold) are read as silence and counted in :class:`Repairs`:
one of them would otherwise turn every vector of the file into NaN, and a file
that is otherwise fine should stay searchable, with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import soundfile as sf
import soxr

from engine.audio.files import AudioDecodeError, libsndfile_reason
from engine.plural import length_said

BLOCK_FRAMES = 1 << 16


@dataclass
class Repairs:
    """What reading had to mend or do without in a file's audio, for the caller to tell the user."""

    nonfinite_samples: int = 0  # NaN or infinity, replaced by 0
    # audio the header promises past the file's end (a file cut a few ms short is read as it is)
    missing_bytes: int = 0
    missing_s: float = 0.0

    def warning(self) -> str:
        """A sentence for the file's record, or "" when nothing was mended."""
        said = []
        if self.missing_bytes:
            said.append(
                f"cut short: {self.missing_bytes:,} bytes ({length_said(self.missing_s)}) of the audio "
                f"its header promises are missing; what is there was indexed"
            )
        if self.nonfinite_samples:
            said.append(
                f"{self.nonfinite_samples} samples are not numbers (NaN or infinity): "
                f"they were indexed as silence (the file itself is unchanged)"
            )
        return "; ".join(said)


def mono_blocks(sound: sf.SoundFile, frames: int | None, repairs: Repairs | None = None) -> Iterator[np.ndarray]:
    """Read up to ``frames`` frames (None: to the end) from the current position, averaged to mono.
    Non-finite samples become 0 (counted in ``repairs``); the average is taken in float64 so
    loud-but-finite channels cannot overflow to infinity."""
    done = 0
    while frames is None or done < frames:
        want = BLOCK_FRAMES if frames is None else min(BLOCK_FRAMES, frames - done)
        try:
            block = sound.read(want, dtype="float32", always_2d=True)
        except sf.LibsndfileError as exc:
            at_s = (sound.tell() if sound.seekable() else done) / sound.samplerate
            raise AudioDecodeError(f"damaged audio data near {at_s:.1f} s: {libsndfile_reason(exc)}") from exc
        if not len(block):
            return
        done += len(block)
        bad = ~np.isfinite(block)
        if bad.any():
            block[bad] = 0.0
            if repairs is not None:
                repairs.nonfinite_samples += int(bad.sum())
        yield block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float64).astype(np.float32)


def resampled(blocks: Iterable[np.ndarray], rate: int, target_rate: int) -> Iterator[np.ndarray]:
    """Resample a stream of mono blocks with one soxr state, so block edges leave no seams."""
    if rate == target_rate:
        yield from blocks
        return
    stream = soxr.ResampleStream(rate, target_rate, 1, dtype="float32", quality="HQ")
    for block in blocks:
        out = stream.resample_chunk(block)
        if len(out):
            yield out
    tail = stream.resample_chunk(np.zeros(0, np.float32), last=True)
    if len(tail):
        yield tail


def windows(blocks: Iterable[np.ndarray], size: int, hop: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """Cut a block stream into (start, end, samples) windows starting every ``hop`` samples, and
    a last one ending at the end of the stream.

    Every window is ``size`` long: the last one starts ``size`` before the end, overlapping the
    window before it by more than the others overlap (where the hops reach the end exactly, it is
    the next hop's window, cut once). A shorter tail window is heard as a shorter sound, and was reported as a
    long file's best moment more often than its share of the windows (``bench/long_files.py``).
    Only a stream shorter than ``size`` gives a shorter window: one, the whole stream. A window is
    emitted once more audio follows it, so the block sizes change when windows come, not which.
    """
    buffer = np.zeros(0, np.float32)
    buffer_start = start = total = 0
    for block in blocks:
        buffer = np.concatenate([buffer, block])
        total += len(block)
        while start + size < total:
            yield start, start + size, buffer[start - buffer_start : start - buffer_start + size].copy()
            start += hop
        keep = max(total - size, 0)  # the last window starts here or later
        buffer, buffer_start = buffer[keep - buffer_start :], keep
    if total:
        last = max(total - size, 0)
        yield last, total, buffer[last - buffer_start :].copy()
