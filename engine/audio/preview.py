"""Streaming, seekable reading of a file for audition.

An audio callback asks for a few hundred frames at a time at the output
device's rate, so the file is never decoded whole (a multi-hour field
recording previews as quickly as a one-shot). When the device cannot run at
the file's rate, frames are resampled on the fly with a streaming soxr.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from engine.audio.decode import open_sound


class PreviewReader:
    """Raises :class:`AudioDecodeError` (a sentence for the user) when ``path`` cannot be opened."""

    def __init__(self, path: str | os.PathLike, output_rate: int | None = None):
        self.path = Path(path)
        self._open = ExitStack()
        self._file, facts = self._open.enter_context(open_sound(self.path))
        self.file_rate = facts.sample_rate
        self.channels = facts.channels
        self.frames = facts.frames
        self.duration_s = facts.duration_s
        self.sample_rate = output_rate or self.file_rate
        self._resampler = None
        self._reset_resampler()

    def _reset_resampler(self) -> None:
        self._carry = np.zeros((0, self.channels), np.float32)  # resampled frames not yet handed out
        self._flushed = False  # the resampler has been told the file ended
        if self.sample_rate != self.file_rate:
            self._resampler = soxr.ResampleStream(self.file_rate, self.sample_rate, self.channels, dtype="float32")

    def seek(self, seconds: float) -> None:
        self._file.seek(min(int(np.clip(seconds, 0.0, self.duration_s) * self.file_rate), self.frames))
        self._reset_resampler()

    def tell(self) -> float:
        """Position in seconds of the next frame read from the file."""
        return self._file.tell() / self.file_rate

    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` float32 frames of shape (n, channels); fewer only at the end of the file.

        A damaged stretch of audio ends the stream early rather than raising
        inside an audio callback.
        """
        try:
            return self._read(frames)
        except sf.LibsndfileError:
            return np.zeros((0, self.channels), np.float32)

    def _read(self, frames: int) -> np.ndarray:
        if self._resampler is None:
            return self._file.read(frames, dtype="float32", always_2d=True)
        wanted = max(1, round(frames * self.file_rate / self.sample_rate))
        parts, have = [self._carry], len(self._carry)
        while have < frames and not self._flushed:
            block = self._file.read(wanted, dtype="float32", always_2d=True)
            self._flushed = len(block) < wanted
            out = self._resampler.resample_chunk(block, last=self._flushed)
            parts.append(out)
            have += len(out)
        joined = np.concatenate(parts)
        self._carry = joined[frames:]
        return joined[:frames]

    def close(self) -> None:
        self._open.close()
