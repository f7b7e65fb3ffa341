"""Switching the active model without stopping search.

The library is embedded with the new model a slice of files at a time, in a thread of its own;
searches keep using the old model and its table meanwhile. Each slice holds the engine's write
lock, so an index run or a watcher batch never interleaves with it, and a file indexed with the
old model between two slices is embedded by the new one in a later slice. When a slice finds
nothing left to embed, the flip happens under that same lock, so no file can slip in between.
A cancelled or failed switch changes nothing; the vectors it finished stay and are reused if the
same model is picked again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from engine.library.indexer import Indexer, StopCheck
from engine.models.base import AudioTextModel

log = logging.getLogger(__name__)

SWITCH_SLICE = 256  # files embedded per hold of the write lock


@dataclass(frozen=True)
class SwitchState:
    """Where a switch stands: plain data, for a status report or a JSON document."""

    spec: str
    done: int  # files embedded (or failed) with the new model so far
    total: int  # files the new model had to embed when the switch started
    finished: bool  # flipped, failed or cancelled
    error: str  # why it failed ("" if it did not)
    failed: tuple[str, ...]  # files the new model could not embed


class ModelSwitch:
    """One background switch to the model ``spec``. ``progress`` hears the switch (from its
    thread) once the model is loaded, after each file and each slice, and once more when it has
    finished."""

    def __init__(self, spec: str, progress: Callable[[ModelSwitch], None] | None = None):
        self.spec = spec
        self.done = 0
        self.total = 0
        self.finished = False
        self.error = ""
        self.failed: list[str] = []
        self._progress = progress or (lambda _: None)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(
        self,
        load: Callable[[], AudioTextModel],
        indexer_for: Callable[[AudioTextModel], Indexer],
        write_lock: AbstractContextManager,
        interrupted: StopCheck,
        flip: Callable[[AudioTextModel], None],
    ) -> None:
        """Run in the background: ``load`` the model, embed what its table lacks through
        ``indexer_for(model)`` a slice at a time under ``write_lock`` (stopping early when
        ``interrupted()``, to give the lock up), and ``flip`` to it once nothing is missing."""
        self._thread = threading.Thread(
            target=self._run,
            args=(load, indexer_for, write_lock, interrupted, flip),
            name="earmark-model-switch",
            daemon=True,
        )
        self._thread.start()

    def end_at_once(self, flip: Callable[[], None]) -> None:
        """End without a thread, for the model already active (loaded, every vector there):
        ``flip`` saves the choice, and ``progress`` hears the end once, as after a run."""
        flip()
        self.finished = True
        self._progress(self)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the switch has ended (flipped, failed or cancelled)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.finished

    @property
    def state(self) -> SwitchState:
        return SwitchState(self.spec, self.done, self.total, self.finished, self.error, tuple(self.failed))

    def _run(
        self,
        load: Callable[[], AudioTextModel],
        indexer_for: Callable[[AudioTextModel], Indexer],
        write_lock: AbstractContextManager,
        interrupted: StopCheck,
        flip: Callable[[AudioTextModel], None],
    ) -> None:
        try:
            model = load()
            indexer = indexer_for(model)
            self.total = len(indexer.store.files_missing_embeddings(model.info))
            self._progress(self)  # loaded: how many files it must hear, said before the first slice ends
            failed_ids: set[int] = set()
            while not self.cancelled:
                with write_lock:
                    before = self.done
                    report = indexer.embed_missing(
                        progress=lambda heard, before=before: self._heard(before + heard.done),
                        limit=SWITCH_SLICE,
                        skip=failed_ids,
                        should_stop=lambda: interrupted() or self.cancelled,
                    )
                    failed_ids.update(report.failed_ids)
                    self.failed += [e.path for e in report.errors]
                    self.done = before + report.embedded + len(report.errors)
                    if report.embedded == 0 and not report.errors and not report.stopped:
                        flip(model)  # nothing is missing, and nothing can be added now
                        break
                self._progress(self)
        except Exception as exc:  # noqa: BLE001 - reported to the caller through the switch
            log.exception("switching to model %r failed", self.spec)
            self.error = str(exc)
        finally:
            self.finished = True
            self._progress(self)

    def _heard(self, done: int) -> None:
        """A file of the slice heard: review 15's page read "loading it" through most of a 35-second
        switch, which reported only once a slice of :data:`SWITCH_SLICE` files had been read."""
        self.done = done
        self._progress(self)
