"""Embed whole files as overlapping windows, batching windows across files.

A library is mostly short files (one window each), so a model call per file would
waste most of its time on overhead; windows from consecutive files share a batch
instead. A file is finished when its last window has a vector; a file whose decoding
fails halfway is dropped whole (its error is kept, never half its vectors).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from engine.audio.decode import AudioDecodeError, AudioFacts, iter_windows, probe
from engine.audio.metadata import FileMetadata, read_metadata
from engine.models.base import AudioTextModel

log = logging.getLogger(__name__)


@dataclass
class FileJob:
    """One file to (re-)embed; ``context`` rides along untouched for the caller."""
    path: str
    context: object = None


@dataclass
class EmbeddedFile:
    job: FileJob
    facts: AudioFacts | None = None
    metadata: FileMetadata | None = None
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    error: str = ""
    _pending: int = 0
    _queued_all: bool = False

    @property
    def done(self) -> bool:
        return self._queued_all and self._pending == 0

    def matrix(self, dim: int) -> np.ndarray:
        return np.stack(self.vectors).astype(np.float32) if self.vectors else np.zeros((0, dim), np.float32)


@dataclass
class StageTimes:
    """Seconds spent per stage, for the benchmark and the log."""
    decode: float = 0.0
    model: float = 0.0
    audio_seconds: float = 0.0


class WindowEmbedder:
    def __init__(self, model: AudioTextModel, hop_fraction: float = 0.5, batch_size: int = 16):
        self.model = model
        self.window_s = model.info.window_seconds
        self.hop_s = self.window_s * hop_fraction
        self.batch_size = batch_size
        self.times = StageTimes()

    def run(self, jobs: Iterable[FileJob], should_stop: Callable[[], bool] = lambda: False,
            ) -> Iterator[EmbeddedFile]:
        """Yield every job once, finished (vectors) or failed (error), in completion order.

        Stops between batches when ``should_stop()``; unfinished files are then not yielded.
        """
        queue: list[tuple[EmbeddedFile, float, float, np.ndarray]] = []
        started: list[EmbeddedFile] = []
        for job in jobs:
            if should_stop():
                return
            item = EmbeddedFile(job)
            started.append(item)
            windows = self._windows(item)
            while True:
                try:
                    window = next(windows, None)
                except Exception as exc:  # noqa: BLE001 - one bad file must not end the run
                    self._fail(item, exc)
                    queue = [entry for entry in queue if entry[0] is not item]
                    break
                if window is None:
                    break
                queue.append((item, window.start_s, window.end_s, window.samples))
                item._pending += 1
                if len(queue) >= self.batch_size:
                    self._embed(queue)
                    queue = []
                    yield from self._finished(started)
                    if should_stop():
                        return
            item._queued_all = True
            yield from self._finished(started)
        if queue:
            self._embed(queue)
        yield from self._finished(started)

    @staticmethod
    def _fail(item: EmbeddedFile, exc: Exception) -> None:
        if isinstance(exc, AudioDecodeError):
            item.error = str(exc)
        else:
            log.exception("unexpected failure decoding %r", item.job.path)
            item.error = f"unexpected error while decoding: {type(exc).__name__}: {exc}"
        item._pending = 0
        item.starts, item.ends, item.vectors = [], [], []

    def _windows(self, item: EmbeddedFile):
        tic = time.perf_counter()
        item.facts = probe(item.job.path)
        item.metadata = read_metadata(item.job.path)
        self.times.decode += time.perf_counter() - tic
        windows = iter_windows(item.job.path, self.model.info.sample_rate, self.window_s, self.hop_s)
        while True:
            tic = time.perf_counter()
            window = next(windows, None)
            self.times.decode += time.perf_counter() - tic
            if window is None:
                self.times.audio_seconds += item.facts.duration_s
                return
            yield window

    def _embed(self, queue: list[tuple[EmbeddedFile, float, float, np.ndarray]]) -> None:
        tic = time.perf_counter()
        vectors = self.model.embed_audio([samples for *_, samples in queue])
        self.times.model += time.perf_counter() - tic
        for (item, start, end, _), vector in zip(queue, vectors):
            item.starts.append(start)
            item.ends.append(end)
            item.vectors.append(vector)
            item._pending -= 1

    @staticmethod
    def _finished(started: list[EmbeddedFile]) -> Iterator[EmbeddedFile]:
        while started and started[0].done:
            yield started.pop(0)
