"""``earmark finetune``: the library fine-tune from a terminal, watched until it ends.

It starts a job (or continues an interrupted one, or one that failed after planning its steps, or
watches one the app started), prints the
estimate, a progress line and each validation, then before/after on the
held-out folders; a better model becomes the active one (the library is re-embedded with it),
a worse one only with ``--force``. Ctrl-C pauses the run; the next ``earmark finetune`` continues it,
and ``earmark status`` says it is waiting (:func:`waiting_run`, in a line or as JSON fields).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from engine.finetune.job import DONE, FAILED, NONE, RUNNING, STARTING, STOPPED, FinetuneStatus, scores_line, verdict
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
    if status.state in (RUNNING, STARTING):
        print("a fine-tune is already running (started elsewhere); watching it", file=sys.stderr)
    elif status.resumable:
        print(f"continuing the {waiting_run(status).how} fine-tune from {status.continues_from}", file=sys.stderr)
        finetuner.resume()
    elif status.state == DONE and (status.pending or (args.force and not status.applied)):
        pass  # decide about the finished one below
    else:
        finetuner.start(args.minutes, engine.model_spec, args.device, args.set)
        print(f"fine-tuning {engine.model_spec} on the library for about {args.minutes:g} minutes", file=sys.stderr)
    status = _watch(finetuner, stop_requested)
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


def _watch(finetuner, stop_requested) -> FinetuneStatus:
    """Print each event and validation as it comes, and a progress line: rewritten in place on a
    terminal, else a line every :data:`LOG_SECONDS` (a log must not get one per poll)."""
    seen_messages, seen_epochs, printed = 0, 0, 0.0
    while True:
        status = finetuner.status()
        events = finetuner.job.events()
        for event in events[seen_messages:]:
            print(f"{_CLEAR}{event['message']}", file=sys.stderr)
        seen_messages = len(events)
        for point in status.validation[seen_epochs:]:
            print(f"{_CLEAR}validation at step {point['step']}: " + scores_line(point, "t2a"), file=sys.stderr)
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


def _decide(engine, status: FinetuneStatus, force: bool) -> int:
    result = status.result
    print(
        f"\nheld-out folders ({result['held_out_files']} files), content only: their captions searched by sound, "
        "any file named alike right"
    )
    print(f"  before ({result['start_model']}): {scores_line(result['before'])}")
    print(f"  after  ({result['model_display']}): {scores_line(result['after'])}")
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
