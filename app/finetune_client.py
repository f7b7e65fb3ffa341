"""The app's side of the library fine-tune: launch, watch, cancel, and the swap when it is done.

The training is a process of its own (engine/finetune); this object only asks the engine for the
job's status, once a second while one is going, on a worker (it reads a few small files), and
passes it on as :attr:`FinetuneClient.status_changed`. When a run finishes with a model that
beats the starting one on the held-out folders, the swap starts by itself: the library is
re-embedded in the background (the status bar shows it) while the old model keeps answering.
When the app starts, a run that died with it is continued from its last checkpoint (one the user
paused waits for them: :meth:`FinetuneClient.pause`), and one that finished while it was closed is
swapped in. Each model that becomes active (a swap, a way
back) is followed by a look, since a swap changes what the job says. A switch the page asked for
(the swap, the way back) is said while it runs (:class:`Swap`, :func:`swapping`) and how it ended
after (:attr:`FinetuneClient.switch_ended`).

The status bar says the job in a few words (:func:`status_bar_text`), the whole sentence in its
tooltip, so the results line keeps its room; how a run ended (a failure, a result waiting for a
decision) leaves it once the user has seen it on the Fine-tune page (:meth:`FinetuneClient.mark_read`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from engine.finetune.job import (
    DONE,
    FAILED,
    NONE,
    RUNNING,
    STARTING,
    STOPPED,
    FinetuneStatus,
    plain_change,
    verdict,
)
from engine.plural import counted

if TYPE_CHECKING:
    from engine.finetune import Finetuner

POLL_MS = 1000
# Stop fine-tuning asks first (app.finetune_page.ask_how_to_stop), then pauses the run (Finetuner.pause:
# the trainer is ended and the job kept, to continue from its last checkpoint) or discards it
# (Finetuner.cancel: the job folder is removed). Either way the model that answers searches never changed.
STOPPING = "Stopping… the model in use stays as it is"
STOPPED_BY_USER = "Stopped — the model in use is unchanged; the stopped run is discarded"
# The time left is worked out from the seconds the steps so far took, and a few steps say little:
# until this many are done the line says it is estimating.
ESTIMATE_AFTER_STEPS = 10
ESTIMATING = "estimating the time left…"
# Once its steps are done a run checks the new model on the held-out folders, after teaching the
# UCS bridge's words head the library's names when the model has one: on a busy 2-core CPU that
# took 3 min 49 s, under a step counter frozen at "less than a minute left". The trainer's events
# say it in its own words ("teaching the bridge's words head …"); these say it in a sound designer's.
WORDS_HEAD_EVENT = "words head"  # in the trainer's event for the names stage (trainer/library/run.py)
CHECKING = "checking the new model on the held-out folders…"
LEARNING_NAMES = "learning your library's names from {files}, then checking the new model…"


def describe_status(status: FinetuneStatus, stop: str = "") -> str:
    """One line for the status bar and the Settings page. ``stop`` is what the user's Stop did so
    far (:attr:`FinetuneClient.stop`): "stopping" while the run is ended, "stopped" once it is gone."""
    if stop == "stopped" and status.state == NONE:
        return STOPPED_BY_USER
    if stop == "stopping":
        return STOPPING
    if status.state in (STARTING,) or (status.state == RUNNING and not status.step):
        said = status.message or "starting"
        estimate = status.plan.get("estimate")
        # "training: 57 steps …", or that the result cannot be judged: the page's plan line says it already
        if (estimate and estimate in said) or said == status.cannot_judge:
            said = status.phase
        return f"Fine-tuning: {said}"
    if status.checking:
        return f"Fine-tuning: {finishing(status)}"
    if status.state == RUNNING:
        loss = f" · training loss {status.loss:.2f} (falls as it learns)" if status.loss is not None else ""
        return f"Fine-tuning: step {status.step} of {status.steps}{loss} · {time_left(status)}"
    if status.state == STOPPED:
        reached = f"at step {status.step} of {status.steps}" if status.steps else "while preparing"
        return (
            f"Fine-tuning paused {reached}: Continue picks it up from {status.continues_from}. "
            "The model in use is unchanged."
        )
    if status.needs_minutes:
        return (
            f"Fine-tuning needs at least {status.needs_minutes} minutes on this machine: {status.measured}. "
            f"Choose {status.needs_minutes} minutes or more and start again; the model in use is unchanged."
        )
    if status.state == FAILED and status.resumable:
        return f"Fine-tuning stopped at step {status.step} of {status.steps} by an error: {status.error}"
    if status.state == FAILED:
        return f"Fine-tuning failed: {status.error}"
    if status.state == DONE:
        return f"Fine-tuned: held-out folders' {plain_change(status.result)} ({verdict(status.result)})"
    return ""


def learning_names(status: FinetuneStatus) -> bool:
    """A run whose steps are done is teaching the bridge's words head the library's names (before
    it checks the new model), as its last event says."""
    return status.checking and WORDS_HEAD_EVENT in status.message


def finishing(status: FinetuneStatus) -> str:
    """What a run whose steps are done is doing now (:data:`CHECKING` or :data:`LEARNING_NAMES`)."""
    if not learning_names(status):
        return CHECKING
    return LEARNING_NAMES.format(files=counted(int(status.plan.get("words_head_files", 0)), "file"))


def training_ended(status: FinetuneStatus) -> str:
    """How many of the planned steps a run trained, when its time budget cut it short, else "":
    the plan's "85 training steps" stayed on the page as if done after 12."""
    if not status.cut_short:
        return ""
    return f"Training stopped after {status.step} of {status.steps} steps: the time budget ran out."


@dataclass(frozen=True)
class Swap:
    """A model switch the Fine-tune page asked for (the fine-tuned model swapped in, or the way back),
    while it runs: the models in words, and how far the re-embedding is, as the engine's switch
    reports it once its model is loaded and after each file (0 of 0 while the model loads)."""

    to: str  # the model it switches to
    used: str  # the model searches use until it is done
    from_spec: str  # the active model's spec as it began: a switch that ends in another one has flipped
    done: int = 0  # sounds re-read with the new model so far
    total: int = 0  # of how many; 0 until the switch first reports


def swapping(swap: Swap) -> str:
    """What happens between "Fine-tuned: … (better)" (or a click on Use it anyway, or on the way back)
    and the switch's end (:attr:`FinetuneClient.swap`): the page's Fine-tune on my library stayed
    greyed out through it with nothing to say why, and review 15 read little sign of a switch at all."""
    doing = (
        f"re-reading {swap.done:,} of {counted(swap.total, 'sound')} with it…"
        if swap.total
        else "loading it and re-reading your library's sounds with it…"
    )
    return f"Switching to {swap.to}: {doing} Searches use {swap.used} until it is done; a new fine-tune can start then."


def fine_tuned_name(result: dict) -> str:
    """The fine-tuned model in words ("Sound Effects fine-tune 2026-12-07 11:12"), as its result names it."""
    return result.get("model_display") or "the fine-tuned model"


def time_left(status: FinetuneStatus) -> str:
    """ "about 6 min left", "less than a minute left", or :data:`ESTIMATING` while too few steps
    (or none timed yet) say how long a step takes: a run planned at "Estimated total 9.9 min"
    said "about 6 min left" at step 3 of 225."""
    if status.eta_s is None or status.step < ESTIMATE_AFTER_STEPS:
        return ESTIMATING
    minutes = round(max(status.eta_s, 0.0) / 60)
    return "less than a minute left" if minutes < 1 else f"about {minutes} min left"


def status_bar_text(status: FinetuneStatus) -> str:
    """A few words while a run is going, stopped or failed, or its result waits for a decision; else
    nothing. :func:`describe_status`'s sentence ran to 150 characters in the status bar and squeezed
    the results line to "20 results f…"; it is the tooltip."""
    if status.state == STARTING or (status.state == RUNNING and not status.step):
        return f"Fine-tuning: {status.phase or 'starting'}"
    if status.checking:
        return f"Fine-tuning: {'learning your names' if learning_names(status) else 'checking the new model'}"
    if status.state == RUNNING:
        return f"Fine-tuning: step {status.step} of {status.steps}"
    if status.state == STOPPED:
        return "Fine-tuning paused"
    if status.needs_minutes:
        return "Fine-tune: time budget too short"
    if status.state == FAILED:
        return "Fine-tuning stopped by an error" if status.resumable else "Fine-tuning failed"
    if status.pending:
        return f"Fine-tuned: {'better' if status.better else 'not better'}"
    return ""


def outcome(status: FinetuneStatus) -> bool:
    """How a run ended, which the user reads once: a failure, or a result waiting for a decision."""
    return status.state == FAILED or status.pending


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
        # A switch this page asked for (the swap, the way back) while it runs, else None. The page
        # says it (:func:`swapping`) while its buttons wait for it.
        self.swap: Swap | None = None
        # How the last such switch ended, in a line, and the spec of the model active then: said while
        # that model is still the one in use (another switch since makes it old news).
        self._ended: tuple[str, str] = ("", "")
        self.stop = ""  # what the user's Stop did: "stopping", then "stopped" (see describe_status)
        self.outcome_read = False  # the user saw how the run ended on the Fine-tune page (mark_read)
        client.opened.connect(self.poll)
        client.ready.connect(lambda _info: self._swap_ended())  # a switch ended: a swap is applied now
        client.unavailable.connect(self._swap_ended)  # or it failed: the result still waits
        client.switch_progress.connect(self._swap_progress)
        client.error.connect(self._swap_refused)

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

    def _seen(self, status: FinetuneStatus) -> None:
        first, self._resumed = not self._resumed, True
        self.status = status
        if not outcome(status):  # the next ending is news again
            self.outcome_read = False
        if status.state in (RUNNING, STARTING):
            self._timer.start()
        else:
            self._timer.stop()
        if first and status.state == STOPPED and not status.paused:  # it died with the app: continue it
            self._act(lambda finetuner: finetuner.resume())
        # a better result swaps in by itself; so does one the user chose that a closed app cut short
        # (adopted into the models folder, never applied): review 15 found it offered again, silently
        chosen = status.pending and (status.better or status.adopted)
        if chosen and self._swapped != status.result.get("finished"):
            self.use(force=not status.better)
        self.status_changed.emit(status)

    def mark_read(self) -> None:
        """The Fine-tune page showed the user how the run ended: the status bar lets it go."""
        if outcome(self.status) and not self.outcome_read:
            self.outcome_read = True
            self.status_changed.emit(self.status)

    def start(self, minutes: float, device: str) -> None:
        if self.available:
            self.stop = ""
            self._ended = ("", "")  # a new run: the last switch's end is no longer the news
            model_spec, overrides = self.client.engine.model_spec, list(self.overrides)
            self._act(lambda finetuner: finetuner.start(minutes, model_spec, device, overrides), then=self._started)

    def _started(self) -> None:
        self._resumed = True
        self.poll()
        self._timer.start()

    def resume(self) -> None:
        """Continue a stopped run, or one that failed after planning, from its last checkpoint."""
        self.stop = ""
        self._act(lambda finetuner: finetuner.resume(), then=self._started)

    def pause(self) -> None:
        """End the run and keep it, to continue from its last checkpoint when the user asks (Continue,
        here or after a restart, or ``earmark finetune``); the status says "stopping" until it has
        ended, then that it is paused and where it continues."""
        self._stop_with(lambda finetuner: finetuner.pause())

    def cancel(self) -> None:
        """End the run and forget it (the model in use was never changed); the status says
        "stopping" until it is gone, then "stopped" (:data:`STOPPED_BY_USER`)."""
        self._stop_with(lambda finetuner: finetuner.cancel())

    def _stop_with(self, act: Callable[[Finetuner], object]) -> None:
        if not self.available:
            return
        self._timer.stop()
        self.stop = "stopping"
        self.status_changed.emit(self.status)
        self._act(act, then=self._stopped)

    def _stopped(self) -> None:
        self.stop = "stopped"
        self.poll()

    def _failed(self, message: str) -> None:
        if self.stop == "stopping":  # the stop failed: the run is as it was
            self.stop = ""
        self.client.error.emit(message)
        self.poll()

    def discard(self) -> None:
        """Keep the current model; the fine-tuned one goes with the job."""
        self._act(lambda finetuner: finetuner.decline())

    def use(self, force: bool) -> None:
        """Swap the finished model in (``force``: even though it is not better); the re-embedding
        shows in the status bar like any model switch, and on the page (:attr:`swap`)."""
        result = self.status.result
        self._swapped = result.get("finished")  # one swap per result, however often it is seen
        self._began(Swap(fine_tuned_name(result), result.get("start_model", "the model in use"), self._active()))
        self.client.use_finetuned(force)

    def switch_to(self, spec: str, to: str, used: str) -> None:
        """Switch to the model ``spec`` (``to`` in words; ``used`` answers searches until it is done):
        the page's way back to the model a run started from, or to the fine-tuned one again."""
        self._began(Swap(to, used, self._active()))
        self.client.switch_model(spec)

    def _began(self, swap: Swap) -> None:
        self.swap, self._ended = swap, ("", "")
        self.status_changed.emit(self.status)

    def _active(self) -> str:
        return self.client.active_model_spec or ""

    @property
    def switch_ended(self) -> str:
        """How the last switch the page asked for ended, while the model it left in use still is:
        "Switched: searches now use …", or why it could not; "" otherwise."""
        said, active = self._ended
        return said if said and active == self._active() else ""

    def _swap_progress(self, done: int, total: int) -> None:
        if self.swap is not None:  # another switch (the Model page's) is not this page's to tell
            self.swap = replace(self.swap, done=done, total=total)
            self.status_changed.emit(self.status)

    def _swap_ended(self, failure: str = "") -> None:
        """A model is ready, or none could be: the page's switch, if one ran, ended in its model, or in
        ``failure``, or (another switch asked meanwhile) in neither, which it leaves unsaid."""
        swap, self.swap = self.swap, None
        if swap is not None:
            active = self._active()
            if failure:
                said = f"Could not switch to {swap.to}: {failure}"
            else:
                said = f"Switched: searches now use {swap.to}." if active != swap.from_spec else ""
            self._ended = (said, active)
        self.poll()

    def _swap_refused(self, message: str) -> None:
        """An error before the swap's switch reported anything is its own: the fine-tuned model could
        not be adopted (Finetuner.adopt), and nothing is switching."""
        if self.swap is not None and not self.swap.total:
            self._swap_ended(message)
