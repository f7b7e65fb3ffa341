"""The app's side of the library fine-tune: launch, watch, cancel, and the swap when it is done.

The training is a process of its own (engine/finetune); this object only asks the engine for the
job's status, once a second while one is going, on a worker (it reads a few small files), and
passes it on as :attr:`FinetuneClient.status_changed`. When a run finishes with a model that
beats the starting one on the held-out folders, the swap starts by itself: the library is
re-embedded in the background (the status bar shows it) while the old model keeps answering.
When the app starts, a run that died with it is continued from its last checkpoint, and one
that finished while it was closed is swapped in. Each model that becomes active (a swap, a way
back) is followed by a look, since a swap changes what the job says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from engine.finetune.job import DONE, FAILED, RUNNING, STARTING, STOPPED, FinetuneStatus, key_change, verdict

if TYPE_CHECKING:
    from engine.finetune import Finetuner

POLL_MS = 1000


def describe_status(status: FinetuneStatus) -> str:
    """One line for the status bar and the Settings page."""
    if status.state in (STARTING,) or (status.state == RUNNING and not status.step):
        return f"Fine-tuning: {status.message or 'starting'}"
    if status.state == RUNNING:
        eta = f", about {max(status.eta_s, 0) / 60:.0f} min left" if status.eta_s is not None else ""
        loss = f", loss {status.loss:.3f}" if status.loss is not None else ""
        return f"Fine-tuning: step {status.step} of {status.steps}{loss}{eta}"
    if status.state == STOPPED:
        return f"Fine-tuning paused at step {status.step} of {status.steps}"
    if status.state == FAILED and status.resumable:
        return f"Fine-tuning stopped at step {status.step} of {status.steps} by an error: {status.error}"
    if status.state == FAILED:
        return f"Fine-tuning failed: {status.error}"
    if status.state == DONE:
        return f"Fine-tuned: held-out {key_change(status.result)} ({verdict(status.result)})"
    return ""


def status_bar_text(status: FinetuneStatus) -> str:
    """While a run is going, stopped or failed, or its result waits for a decision; else nothing."""
    return describe_status(status) if status.state in (RUNNING, STARTING, STOPPED, FAILED) or status.pending else ""


class FinetuneClient(QObject):
    status_changed = Signal(object)  # FinetuneStatus

    def __init__(self, client):
        super().__init__(client)
        self.client = client
        self.status = FinetuneStatus()
        self.overrides: list[str] = []  # earmark-train --set overrides for the runs it starts (advanced)
        self._timer = QTimer(self, interval=POLL_MS, timeout=self.poll)
        self._resumed = False  # only the first look after the app starts resumes a stopped run on its own
        self._swapped: str | None = None  # the result (its finish time) whose swap this session started
        client.opened.connect(self.poll)
        client.ready.connect(lambda _info: self.poll())  # a switch ended: a swap is applied now
        client.unavailable.connect(lambda _message: self.poll())  # or it failed: the result still waits

    @property
    def available(self) -> bool:
        """The library is open: fine-tuning needs it (closed while opening, after a failure, during a repair)."""
        return self.client.engine is not None

    def poll(self) -> None:
        if self.available:
            self.client._submit(
                self.client.work_pool,
                self.client.engine.finetuner.status,
                on_done=self._seen,
                on_failed=self.client.error.emit,
            )

    def _act(self, act: Callable[[Finetuner], object], then: Callable[[], None] | None = None) -> None:
        """``act`` on the engine's finetuner on a worker, then ``then`` (a poll by default); a failure
        is said and polled too, so the page shows again what can be done (a click disables its button)."""
        if not self.available:
            return
        self.client._submit(
            self.client.work_pool,
            act,
            self.client.engine.finetuner,
            on_done=lambda _: (then or self.poll)(),
            on_failed=self._failed,
        )

    def _failed(self, message: str) -> None:
        self.client.error.emit(message)
        self.poll()

    def _seen(self, status: FinetuneStatus) -> None:
        first, self._resumed = not self._resumed, True
        self.status = status
        if status.state in (RUNNING, STARTING):
            self._timer.start()
        else:
            self._timer.stop()
        if first and status.state == STOPPED:  # it died with the app: continue it
            self._act(lambda finetuner: finetuner.resume())
        if status.pending and status.better and self._swapped != status.result.get("finished"):
            self.use(force=False)
        self.status_changed.emit(status)

    def start(self, minutes: float, device: str) -> None:
        if self.available:
            model_spec, overrides = self.client.engine.model_spec, list(self.overrides)
            self._act(lambda finetuner: finetuner.start(minutes, model_spec, device, overrides), then=self._started)

    def _started(self) -> None:
        self._resumed = True
        self.poll()
        self._timer.start()

    def resume(self) -> None:
        """Continue a stopped run, or one that failed after planning, from its last checkpoint."""
        self._act(lambda finetuner: finetuner.resume(), then=self._started)

    def cancel(self) -> None:
        self._timer.stop()
        self._act(lambda finetuner: finetuner.cancel())

    def discard(self) -> None:
        """Keep the current model; the fine-tuned one goes with the job."""
        self._act(lambda finetuner: finetuner.decline())

    def use(self, force: bool) -> None:
        """Swap the finished model in (``force``: even though it is not better); the re-embedding
        shows in the status bar like any model switch."""
        self._swapped = self.status.result.get("finished")  # one swap per result, however often it is seen
        self.client.use_finetuned(force)
