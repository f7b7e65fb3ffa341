"""Reading one file never holds up an indexing run for long, nor a request to stop it.

A file is read (hashed, or decoded into windows) in a daemon thread that hands what it
makes to the run over a small queue. The run waits for each item in short slices, so
it notices a stop request (Ctrl-C, pause, a folder removed) within a fraction of a
second, and it counts how long it has waited for the file: past the file's budget
(:class:`FileBudget`) the file is given up and reported, and its thread is told to stop
at its next step. Only regular files are ever opened (engine.audio.files), so what can
still take long is a slow or stuck disk or network share, or a pathological file; a
read stuck in the kernel leaves one daemon thread behind instead of a hung run.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from engine.audio.files import AudioDecodeError

T = TypeVar("T")

WAIT_SLICE_S = 0.1  # how often a waiting run looks at its stop request
_AHEAD = 4  # items a reader may make before the run takes them


@dataclass(frozen=True)
class FileBudget:
    """How long the run may wait for one file, in all: a base, plus a share of the audio's
    length (decoding runs hundreds of times faster than real time, so 0.1 s per second
    of audio only trips on a file that is really stuck) or of its size, for hashing."""

    base_s: float = 60.0
    per_audio_second_s: float = 0.1
    per_megabyte_s: float = 0.1  # 10 MB/s: slower than any working disk or share

    def for_audio(self, duration_s: float | None) -> float:
        return self.base_s + self.per_audio_second_s * (duration_s or 0.0)

    def for_bytes(self, size: int) -> float:
        return self.base_s + self.per_megabyte_s * max(size, 0) / 1e6


class OverBudget(AudioDecodeError):
    """The file kept the run waiting longer than its budget."""

    def __init__(self, budget_s: float, path: str | None = None):
        super().__init__(
            f"reading took longer than {budget_s:.3g} s, the limit for this file "
            f"(a stuck disk or network share, or a pathological file); skipped",
            path,
        )


class Stopped(Exception):
    """The run was asked to stop while it waited for a file."""


_END = object()


class BackgroundReader(Generic[T]):
    """The items ``produce()`` yields, made in a daemon thread and handed over one by one."""

    def __init__(self, produce: Callable[[], Iterator[T]], name: str = "earmark-reader"):
        self._items: queue.Queue = queue.Queue(_AHEAD)
        self._cancelled = threading.Event()
        self.waited_s = 0.0  # time the caller has spent waiting in next()
        threading.Thread(target=self._run, args=(produce,), name=name, daemon=True).start()

    def next(self, budget_s: Callable[[], float], should_stop: Callable[[], bool]) -> T | None:
        """The next item, or None at the end. Raises what the producer raised, OverBudget once
        the caller has waited more than ``budget_s()`` for this reader in all (asked again at
        every slice: a budget may grow once the file's length is known), or Stopped."""
        while True:
            if should_stop():
                self.close()
                raise Stopped
            started = time.monotonic()
            try:
                kind, value = self._items.get(timeout=WAIT_SLICE_S)
            except queue.Empty:
                kind = None
            self.waited_s += time.monotonic() - started
            if kind == "error":
                raise value
            budget = budget_s()
            if self.waited_s > budget:  # also when items keep coming, each a little late
                self.close()
                raise OverBudget(budget)
            if kind == "item":
                return value
            if kind == "end":
                return None

    def close(self) -> None:
        """Tell the producer to stop at its next step; never waits for it."""
        self._cancelled.set()

    def _run(self, produce: Callable[[], Iterator[T]]) -> None:
        try:
            items = produce()
            try:
                for item in items:
                    if not self._put(("item", item)):
                        return
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()  # a generator's with-blocks (the open file) end here, in its own thread
            self._put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who decides
            self._put(("error", exc))

    def _put(self, entry: tuple) -> bool:
        """Queue ``entry`` unless the reader was closed meanwhile; False when it was."""
        while not self._cancelled.is_set():
            try:
                self._items.put(entry, timeout=WAIT_SLICE_S)
                return True
            except queue.Full:
                continue
        return False


def call_within(function: Callable[[], T], budget_s: float, should_stop: Callable[[], bool]) -> T:
    """``function()`` run in a daemon thread; OverBudget or Stopped when it is not back in time."""
    reader = BackgroundReader(lambda: iter([function()]))
    value = reader.next(lambda: budget_s, should_stop)
    reader.close()
    return value
