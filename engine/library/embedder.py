"""Embed whole files as overlapping windows, batching windows across files.

A library is mostly short files (one window each), so a model call per file would
waste most of its time on overhead; windows from consecutive files share a batch
instead, each with windows of about its length: a batch is padded to its longest window,
and fifteen one-shots beside one full window cost what sixteen full windows do (4.4 times
sixteen one-shots alone, with the builtin model). A file is finished when its last
window has a vector; a file whose decoding fails halfway is dropped whole (its error is
kept, never half its vectors).

Each file is read in its own thread (engine.library.deadline), so a file that cannot be
read in its time budget fails alone and a stop request is heard while it is read. A
batch the model refuses is retried file by file, so one file's audio fails that file only.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from engine.audio.decode import AudioDecodeError, AudioFacts, AudioWindow, Repairs, iter_windows, load_mono, probe
from engine.audio.metadata import FileMetadata, read_metadata
from engine.index.vectors import Windows
from engine.library.deadline import BackgroundReader, FileBudget, Stopped
from engine.logs import described
from engine.models.base import AudioTextModel

log = logging.getLogger(__name__)

DEFAULT_BUDGET = FileBudget()
# Windows are batched with others up to these lengths (seconds; then the rest): one-shots
# under the UCS bridge's 2.3 s block, short takes, full windows.
LENGTH_BOUNDS_S: tuple[float, ...] = (2.5, 5.0)
WAITING_FILES = 64  # files read but not yet handed over before part-filled batches are embedded


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
    likeness: list[np.ndarray] = field(default_factory=list)  # when the model has a likeness space
    error: str = ""
    warning: str = ""  # what was mended to index it (stored on its record)
    _pending: int = 0
    _queued_all: bool = False

    @property
    def done(self) -> bool:
        return self._queued_all and self._pending == 0

    def windows(self, dim: int) -> Windows:
        vectors = np.stack(self.vectors).astype(np.float32) if self.vectors else np.zeros((0, dim), np.float32)
        likeness = np.stack(self.likeness) if self.likeness else None
        return Windows(self.starts, self.ends, vectors, likeness)


Queued = tuple[EmbeddedFile, float, float, np.ndarray]  # a window waiting for its batch: file, start, end, samples


@dataclass
class StageTimes:
    """Seconds spent per stage, for the benchmark and the log."""

    decode: float = 0.0
    model: float = 0.0
    audio_seconds: float = 0.0


class WindowEmbedder:
    def __init__(
        self,
        model: AudioTextModel,
        hop_fraction: float = 0.5,
        batch_size: int = 16,
        budget: FileBudget = DEFAULT_BUDGET,
        length_bounds_s: tuple[float, ...] = LENGTH_BOUNDS_S,
    ):
        self.model = model
        self.window_s = model.info.window_seconds
        self.hop_s = self.window_s * hop_fraction
        self.batch_size = batch_size
        self.budget = budget
        self.length_bounds_s = length_bounds_s
        self.times = StageTimes()

    def run(
        self,
        jobs: Iterable[FileJob],
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[EmbeddedFile]:
        """Yield every job once, finished (vectors) or failed (error), in the order of ``jobs``
        (a file waits for the files before it).

        Stops when ``should_stop()`` (asked between batches and several times a second while
        a file is read); unfinished files are then not yielded. A file that keeps the run
        waiting past its budget fails with an error saying so.
        """
        queues: list[list[Queued]] = [[] for _ in range(len(self.length_bounds_s) + 1)]
        started: list[EmbeddedFile] = []
        for job in jobs:
            if should_stop():
                return
            item = EmbeddedFile(job)
            started.append(item)
            reader = BackgroundReader(functools.partial(self._windows, item), name="earmark-decode")
            try:
                while not item.error:
                    try:
                        window = reader.next(
                            lambda item=item: self.budget.for_audio(item.facts and item.facts.duration_s), should_stop
                        )
                    except Stopped:
                        return
                    except Exception as exc:  # noqa: BLE001 - one bad file must not end the run
                        self._fail(item, exc)
                        for queue in queues:
                            queue[:] = [entry for entry in queue if entry[0] is not item]
                        break
                    if window is None:
                        break
                    queue = queues[self._length_group(window.samples)]
                    queue.append((item, window.start_s, window.end_s, window.samples))
                    item._pending += 1
                    if len(queue) >= self.batch_size:
                        self._embed_all([queue])
                        yield from self._finished(started)
                        if should_stop():
                            return
            finally:
                reader.close()  # done, failed, stopped or closed at a yield: the producer ends, the file closes
            item._queued_all = True
            if len(started) > WAITING_FILES:  # a rare length holds the oldest file back: let it go
                self._embed_all(queues)
            yield from self._finished(started)
        self._embed_all(queues)
        yield from self._finished(started)

    def _length_group(self, samples: np.ndarray) -> int:
        """Which of the length groups (``length_bounds_s``) a window is batched in."""
        seconds = len(samples) / self.model.info.sample_rate
        return sum(seconds > bound for bound in self.length_bounds_s)

    def _embed_all(self, queues: list[list[Queued]]) -> None:
        """Embed each non-empty queue as one batch and empty it."""
        for queue in queues:
            if queue:
                self._embed(queue)
                queue.clear()

    def example_windows(self, path: str, max_windows: int) -> Windows:
        """At most ``max_windows`` windows of any audio file, to search by its sound: the
        file's windows as indexing cuts them, or, for a longer file, ``max_windows`` of them
        spread evenly over it, decoding only those."""
        duration = probe(path).duration_s
        rate = self.model.info.sample_rate
        if duration <= self.window_s + self.hop_s * (max_windows - 1):
            windows = list(iter_windows(path, rate, self.window_s, self.hop_s))
            starts, clips = [w.start_s for w in windows], [w.samples for w in windows]
        else:
            starts = np.linspace(0, duration - self.window_s, max_windows)
            clips = [load_mono(path, rate, float(start), self.window_s) for start in starts]
        vectors, likeness = self.model.embed_audio_and_likeness(clips)
        starts = np.asarray(starts, dtype=np.float64)
        return Windows(starts, np.minimum(starts + self.window_s, duration), vectors, likeness)

    @staticmethod
    def _fail(item: EmbeddedFile, exc: Exception) -> None:
        if isinstance(exc, AudioDecodeError):
            item.error = str(exc)
        else:
            log.error("unexpected failure decoding %r", item.job.path, exc_info=exc)
            item.error = f"unexpected error while decoding: {described(exc)}"
        item._pending = 0
        item.starts, item.ends, item.vectors, item.likeness = [], [], [], []

    def _windows(self, item: EmbeddedFile) -> Iterator[AudioWindow]:
        """The file's windows; runs in the reader's thread (facts, metadata and the warning
        are set on ``item`` before the windows that follow them are handed over)."""
        tic = time.perf_counter()
        item.facts = probe(item.job.path)
        item.metadata = _metadata(item.job.path)
        self.times.decode += time.perf_counter() - tic
        repairs = Repairs()
        windows = iter_windows(item.job.path, self.model.info.sample_rate, self.window_s, self.hop_s, repairs)
        while True:
            tic = time.perf_counter()
            window = next(windows, None)
            self.times.decode += time.perf_counter() - tic
            if window is None:
                self.times.audio_seconds += item.facts.duration_s
                item.warning = repairs.warning()
                return
            yield window

    def _embed(self, queue: list[Queued]) -> None:
        tic = time.perf_counter()
        try:
            vectors, likeness = self.model.embed_audio_and_likeness([samples for *_, samples in queue])
        except Exception as exc:  # noqa: BLE001 - find out whether one file or the model is at fault
            self._embed_file_by_file(queue, exc)
        else:
            self._keep(queue, vectors, likeness)
        self.times.model += time.perf_counter() - tic

    def _embed_file_by_file(self, queue: list[Queued], batch_error: Exception) -> None:
        """A batch the model refused: if it cannot embed silence either, the model is broken
        and the run must stop (raise); otherwise each file is tried alone and those the
        model refuses fail on their own."""
        try:
            self.model.embed_audio([np.zeros(round(self.window_s * self.model.info.sample_rate), np.float32)])
        except Exception:
            raise batch_error from None
        for item in dict.fromkeys(entry[0] for entry in queue):
            mine = [entry for entry in queue if entry[0] is item]
            try:
                vectors, likeness = self.model.embed_audio_and_likeness([samples for *_, samples in mine])
            except Exception as exc:  # noqa: BLE001 - this file's audio is what the model refuses
                log.warning("the model refused %r: %s", item.job.path, exc)
                self._model_failed(item, described(exc))
                continue
            self._keep(mine, vectors, likeness)

    def _keep(
        self,
        queue: list[Queued],
        vectors: np.ndarray,
        likeness: np.ndarray | None,
    ) -> None:
        for position, ((item, start, end, _), vector) in enumerate(zip(queue, vectors, strict=True)):
            if item.error:
                continue
            liked = None if likeness is None else likeness[position]
            if not np.isfinite(vector).all() or (liked is not None and not np.isfinite(liked).all()):
                # audio far outside any real range overflows the model
                self._model_failed(
                    item, "its audio gave vectors that are not numbers (samples far outside the normal range)"
                )
                continue
            item.starts.append(start)
            item.ends.append(end)
            item.vectors.append(vector)
            if liked is not None:
                item.likeness.append(liked)
            item._pending -= 1

    @staticmethod
    def _model_failed(item: EmbeddedFile, reason: str) -> None:
        item.error = f"the model could not embed this file: {reason}"
        item._pending = 0
        item.starts, item.ends, item.vectors, item.likeness = [], [], [], []

    @staticmethod
    def _finished(started: list[EmbeddedFile]) -> Iterator[EmbeddedFile]:
        while started and started[0].done:
            yield started.pop(0)


def _metadata(path: str) -> FileMetadata:
    """The file's words, best effort: a parser failing on them costs the file its metadata
    text (logged), never its place in the index. Unreadable files still raise."""
    try:
        return read_metadata(path)
    except AudioDecodeError:
        raise
    except Exception:  # noqa: BLE001 - tags are optional; the audio is what is indexed
        log.exception("could not read the metadata of %r; indexing it without", path)
        return FileMetadata()
