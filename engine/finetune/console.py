"""``earmark finetune``: the library fine-tune from a terminal, watched until it ends.

It starts a job (or continues an interrupted one, or one that failed after planning its steps, or
watches one the app started), prints the estimate, a progress line and each check during training,
then the verdict's before and after on the held-out files, in the Fine-tune page's words
(engine/finetune/job.py); a better model becomes the active one (the library is re-embedded with it),
a worse one only with ``--force``. Ctrl-C pauses the run; the next ``earmark finetune`` continues it,
and ``earmark status`` says it is waiting (:func:`waiting_run`, in a line or as JSON fields).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from engine.finetune.job import (
    CHECK,
    DONE,
    FAILED,
    NONE,
    RUNNING,
    STARTING,
    STOPPED,
    FinetuneStatus,
    check_point,
    measures_disagree,
    plain_scores,
    verdict,
    verdict_heading,
)
from engine.finetune.launcher import DEVICES

POLL_SECONDS = 0.5
LOG_SECONDS = 30.0
_TTY = sys.stderr.isatty()
_CLEAR = "\r\033[K" if _TTY else "\n"  # the progress line is rewritten on a terminal only


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--minutes", type=float, default=10.0, help="time budget of a new fine-tune (default 10)")
    command.add_argument(
        "--device", default="auto", choices=DEVICES, help="auto takes a GPU when there is one (default)"
    )
    command.add_argument(
        "--force", action="store_true", help="use the fine-tuned model even if it is not better on the held-out folders"
    )
    command.add_argument("--cancel", action="store_true", help="stop and forget the current fine-tune")
    command.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="training config override (advanced; see trainer/README.md)",
    )


def run(engine, args, stop_requested) -> int:
    """``stop_requested()`` turns true on Ctrl-C."""
    finetuner = engine.finetuner
    if args.cancel:
        if finetuner.status().state == NONE:
            print("there is no fine-tune to cancel")
            return 0
        finetuner.cancel()
        print("fine-tune cancelled; the active model is unchanged")
        return 0
    status = finetuner.status()
    seen = Seen()
    if status.state in (RUNNING, STARTING):
        print("a fine-tune is already running (started elsewhere); watching it", file=sys.stderr)
        seen = Seen(events=finetuner.job.continued_at())
    elif status.resumable:
        print(f"continuing the {waiting_run(status).how} fine-tune from {status.continues_from}", file=sys.stderr)
        finetuner.resume()
        seen = Seen.so_far(finetuner)  # the stopped run's lines were printed when it ran: not again, as if new
    elif status.state == DONE and (status.pending or (args.force and not status.applied)):
        pass  # decide about the finished one below
    else:
        finetuner.start(args.minutes, engine.model_spec, args.device, args.set)
        print(f"fine-tuning {engine.model_spec} on the library for about {args.minutes:g} minutes", file=sys.stderr)
    status = _watch(finetuner, stop_requested, seen)
    if status.state in (RUNNING, STARTING, STOPPED):
        if stop_requested():  # else it was stopped elsewhere (the app, a kill): as that left it
            finetuner.pause()
        print(f"\n{resumable_line(finetuner.status()) or 'stopped'}", file=sys.stderr)
        return 130
    if status.state == FAILED:
        again = resumable_line(status) or "`earmark finetune` starts a new one, reading the library again"
        print(f"earmark: fine-tuning failed: {status.error}\n{again}", file=sys.stderr)
        return 1
    if status.state == NONE:
        print("earmark: the fine-tune was cancelled elsewhere", file=sys.stderr)
        return 1
    return _decide(engine, status, args.force)


@dataclass(frozen=True)
class WaitingRun:
    """A fine-tune that can continue (:attr:`FinetuneStatus.resumable`): which run, how it stopped,
    how far it got, where it continues and the commands to continue or discard it. ``earmark status``
    prints it as :attr:`line` and ``earmark status --json`` as these fields: one reading of the job."""

    stopped: str  # "paused" (by the user), "interrupted" (killed, a power cut) or "failed"
    error: str  # why it failed; "" unless it did
    start_model: str  # the model it fine-tunes; "" before it planned its run
    minutes: float | None  # its time budget; None before it planned its run
    step: int  # the last step it trained
    steps: int  # the steps it planned; 0 while it was preparing
    saved_step: int  # the step of its last checkpoint, where it continues; 0 before the first
    continues_from: str  # the same in words (:attr:`FinetuneStatus.continues_from`)
    continue_command: str = "earmark finetune"
    discard_command: str = "earmark finetune --cancel"

    @property
    def how(self) -> str:
        """ "paused", "interrupted" or "failed (<the error>)"."""
        return f"{self.stopped} ({self.error})" if self.error else self.stopped

    @property
    def line(self) -> str:
        """The run in a line, for ``earmark status`` and for ``earmark finetune`` as it ends. The app's
        page says it with its buttons."""
        run = f" of {self.start_model} ({self.minutes:g}-minute budget)" if self.start_model else ""
        reached = f"at step {self.step} of {self.steps}" if self.steps else "while preparing"
        mended = "once that is mended, " if self.stopped == FAILED else ""
        return (
            f"fine-tune{run} {self.how} {reached}: {mended}`{self.continue_command}` continues it "
            f"from {self.continues_from}; `{self.discard_command}` discards it"
        )


def waiting_run(status: FinetuneStatus) -> WaitingRun | None:
    """The run of ``status`` that can continue, or None when there is none."""
    if not status.resumable:
        return None
    plan = status.plan
    return WaitingRun(
        stopped=FAILED if status.state == FAILED else "paused" if status.paused else "interrupted",
        error=status.error if status.state == FAILED else "",
        start_model=plan.get("start_model", ""),
        minutes=plan.get("minutes"),
        step=status.step,
        steps=status.steps,
        saved_step=status.saved_step,
        continues_from=status.continues_from,
    )


def resumable_line(status: FinetuneStatus) -> str:
    """:attr:`WaitingRun.line` of the run of ``status`` that can continue; "" when there is none."""
    waiting = waiting_run(status)
    return waiting.line if waiting else ""


@dataclass
class Seen:
    """How many of the job's events and checks during training are printed already, or belong to an
    earlier piece of the run: after a Ctrl-C, the next ``earmark finetune`` replayed "reading the
    held-out audio…", "stopped; …" and the stopped run's "step 12/64" before its own "continuing: …",
    which read as if it went on from step 12 when it started over from step 0."""

    events: int = 0
    checks: int = 0

    @classmethod
    def so_far(cls, finetuner) -> Seen:
        return cls(len(finetuner.job.events()), len(finetuner.status().validation))


def _watch(finetuner, stop_requested, seen: Seen) -> FinetuneStatus:
    """Print each event and check during training as it comes (after those ``seen``), and a progress
    line: rewritten in place on a terminal, else a line every :data:`LOG_SECONDS` (a log must not get
    one per poll). The step is the running piece's own: a continued run's starts at its checkpoint."""
    seen_messages, seen_epochs, printed = seen.events, seen.checks, 0.0
    explained = False  # what the checks measure (job.CHECK), said once, before the first one printed
    while True:
        status = finetuner.status()
        events = finetuner.job.events()
        for event in events[seen_messages:]:
            print(f"{_CLEAR}{event['message']}", file=sys.stderr)
        seen_messages = len(events)
        for point in status.validation[seen_epochs:]:
            if not explained:
                print(f"{_CLEAR}{CHECK}", file=sys.stderr)
                explained = True
            print(f"{_CLEAR}{check_line(status, point)}", file=sys.stderr)
        seen_epochs = len(status.validation)
        if status.state in (DONE, FAILED, NONE) or (status.state == STOPPED and seen_messages):
            return status
        if stop_requested():
            return status
        if status.steps and status.step and (_TTY or time.monotonic() - printed > LOG_SECONDS):
            eta = f" · about {status.eta_s / 60:.1f} min left" if status.eta_s is not None else ""
            loss = f" · loss {status.loss:.3f}" if status.loss is not None else ""
            print(
                f"{_CLEAR}step {status.step}/{status.steps} · epoch {status.epoch + 1}/{max(status.epochs, 1):.0f}"
                f"{loss}{eta}",
                end="",
                file=sys.stderr,
                flush=True,
            )
            printed = time.monotonic()
        time.sleep(POLL_SECONDS)


def check_line(status: FinetuneStatus, point: dict) -> str:
    """A check during training in the Fine-tune page's words: its scores in full before training,
    its ranking score after ("check after pass 2: ranking score 0.19 of 1")."""
    when = check_point(int(point["step"]), int(status.plan.get("steps_per_epoch", 1)))
    scores = plain_scores(point if point["step"] == 0 else {"t2a/mAP@10": point["t2a/mAP@10"]}, "t2a")
    return f"check {when}: {scores}"


def _decide(engine, status: FinetuneStatus, force: bool) -> int:
    result = status.result
    print(f"\n{verdict_heading(result)}")
    print(f"  before ({result['start_model']}): {plain_scores(result['before'])}")
    print(f"  after  ({result['model_display']}): {plain_scores(result['after'])}")
    if disagree := measures_disagree(status):
        print(disagree)
    if not result["better"] and not force:
        engine.finetuner.decline()
        print(f"{verdict(result)}: keeping {result['start_model']}. `earmark finetune --force` uses it anyway.")
        return 0
    previous = engine.model_spec
    job = engine.use_finetuned(force=force, progress=_switch_progress)
    job.wait()
    print(file=sys.stderr)
    if job.error:
        print(f"earmark: could not switch to the fine-tuned model: {job.error}", file=sys.stderr)
        return 1
    print(f"now using {engine.model_spec}; the previous model stays available: earmark models --use {previous}")
    return 0


def _switch_progress(job) -> None:
    print(
        f"\rre-embedding the library with the fine-tuned model: {job.done}/{job.total}",
        end="",
        file=sys.stderr,
        flush=True,
    )
