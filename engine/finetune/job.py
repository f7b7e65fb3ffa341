"""The fine-tuning job's folder: what the trainer process writes and the app and CLI read.

``<data>/finetune/``:

- ``plan.json``: what the run will do, measured before it starts (start model, device, batch,
  steps, seconds a step, the estimate); written once, so a resumed run keeps its schedule;
- ``events.jsonl``: phases and milestones, one JSON object a line, appended by the trainer (and
  one by the launcher as a stopped run continues, :meth:`JobFolder.continue_from`); the one that
  splits the library carries what it holds out (``held_out_files``, ``held_out_folders``,
  ``held_out_by``), known seconds into a run, long before the plan;
- ``run/``: the trainer's run folder; ``run/last`` is the resumable checkpoint and
  ``run/log.jsonl`` has the steps and the validations;
- ``model/``: the fine-tuned checkpoint, until it is adopted into the models folder;
- ``result.json``: before and after on the held-out folders, and whether it is better
  (:func:`verdict` says it in words);
- ``applied`` / ``declined``: what became of the result;
- ``paused``: the user stopped the run to continue it later (:meth:`Finetuner.pause`), which the
  app then leaves for the user to continue rather than continuing it on its own at start;
- ``adopted.json``: the models folder the fine-tuned model was moved into, once it was used;
- ``lock``: held by the running trainer process; the OS releases it when the process dies, so
  a crash or a kill can never look like a run in progress;
- ``pid``, ``trainer.log``: the trainer process's id and its output.

Every JSON file is written beside and renamed into place, so a reader never sees half of one.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engine.fs import atomic_file
from engine.models.folders import CONFIG_FILE
from engine.plural import counted

if TYPE_CHECKING:
    from filelock import FileLock

# Job states, as the app and the CLI show them.
NONE, STARTING, RUNNING, STOPPED, FAILED, DONE = "none", "starting", "running", "stopped", "failed", "done"
# Phases the trainer process reports (events.jsonl "phase").
PREPARING, MEASURING, TRAINING, EVALUATING, FINISHED, ERROR, PAUSED = (
    "preparing",
    "measuring",
    "training",
    "evaluating",
    "finished",
    "failed",
    "paused",
)
CONTINUING = "continuing"  # the launcher's, as a stopped run starts again (JobFolder.continue_from)
# What decides whether a fine-tune is better: each distinct caption of the held-out files asked as
# a search, every held-out file that carries it a right answer (trainer/library/run.py). The
# validation after each epoch measures each file against its own captions ("t2a/"), which a
# library's variations named alike turn into chance among the takes.
KEY_METRIC = "search/mAP@10"
SHOWN = ("R@1", "R@10", "mAP@10")
# Fewer held-out folders cannot tell a better model (trainer/library/run.py): a bootstrap over four
# folders that all gain finds no resampling without a gain, yet four folders all gaining by chance
# happens one time in sixteen.
MIN_HELD_OUT_FOLDERS = 5


class BudgetTooShort(ValueError):
    """Not even a run's fewest steps fit its time budget (trainer/library/budget.py's plan_steps):
    the run had to prepare and time this machine to know. It names the budget that would do and
    what was measured, which :meth:`JobFolder.failed` writes beside the sentence for the app."""

    def __init__(self, message: str, minutes: int, measured: str):
        super().__init__(message)
        self.minutes, self.measured = minutes, measured


@dataclass
class FinetuneStatus:
    state: str = NONE
    phase: str = ""
    message: str = ""  # the latest event's sentence
    step: int = 0  # the last step logged, or the last checkpoint's when that is later (a continued run starts there)
    steps: int = 0
    loss: float | None = None
    epoch: int = 0
    epochs: float = 0.0
    eta_s: float | None = None
    plan: dict = field(default_factory=dict)
    validation: list[dict] = field(default_factory=list)  # {"step", "epoch", "t2a/mAP@10", ...} after each epoch
    result: dict = field(default_factory=dict)  # {"before", "after", "better", "model_name", ...}
    applied: bool = False
    declined: bool = False
    paused: bool = False  # stopped by the user to continue later (Finetuner.pause), not by a crash or a kill
    saved_step: int = 0  # the step of the run's last checkpoint, where it continues; 0 before the first
    # The models folder the fine-tuned model was moved into (adopted.json), "" until then or once
    # that folder is gone: the page offers it again after a way back, so it must still be there.
    adopted: str = ""
    error: str = ""
    # Failed for a budget this machine cannot fit (BudgetTooShort): the least one that would do, and
    # what was measured ("preparing took 35 s, a training step takes 1.4 s and evaluating 20 s"); 0
    # and "" otherwise. A budget is advice to follow, not a fault: the app says it so and offers no less.
    needs_minutes: int = 0
    measured: str = ""
    # What the run holds out to judge its result, from the moment it has split the library (its
    # first seconds of preparing): files, and the folders the verdict resamples (in a library of one
    # folder, groups of files named alike, ``held_out_by`` "caption"). 0 until then.
    held_out_files: int = 0
    held_out_folders: int = 0
    held_out_by: str = "folder"

    @property
    def cannot_judge(self) -> str:
        """Why this run's result cannot be told better, once its split says so (:func:`too_few_held_out`); else ""."""
        if not self.held_out_folders:
            return ""
        return too_few_held_out(self.held_out_files, self.held_out_folders, self.held_out_by)

    @property
    def better(self) -> bool | None:
        return self.result.get("better") if self.result else None

    @property
    def resumable(self) -> bool:
        """Stopped (killed, or the app closed), or failed once it had planned its run (a training
        file's drive unplugged before the last evaluation, a full disk): it continues from its last
        checkpoint once the cause is mended. A run that failed while it prepared has nothing to continue."""
        return self.state == STOPPED or (self.state == FAILED and bool(self.plan))

    @property
    def continues_from(self) -> str:
        """Where a resumed run picks up, in words: its last checkpoint, or the start of its training,
        or of its preparing, before it has one. A pause during training saves the step it stops at
        (trainer.loop.STOP), so a run still training picks up from there; a run ended otherwise (killed,
        a power cut) from its last checkpoint of those saved about once a minute, training the steps
        after it again."""
        if self.state == RUNNING and self.phase == TRAINING:
            return "the step it is paused at"
        if self.saved_step:
            return f"step {self.saved_step} of {self.steps}, its last checkpoint"
        if self.plan:
            return (
                "the start of its training (it ended before saving a checkpoint: a pause saves one where it "
                "stops; otherwise the first comes after about a minute of training)"
            )
        return "the start (it had not yet planned its steps)"

    @property
    def pending(self) -> bool:
        """Finished, and neither adopted nor turned down yet."""
        return self.state == DONE and not self.applied and not self.declined

    @property
    def checking(self) -> bool:
        """The run's steps are done and it is checking its new model (teaching the bridge its
        names first, when it has one): its step says nothing of what is left."""
        return self.state == RUNNING and self.phase == EVALUATING

    @property
    def trained(self) -> bool:
        """Training is over: the run is checking its new model, or has finished. The last step
        logged is then the last step trained (trainer.loop logs the step a run ends at)."""
        return self.state == DONE or self.checking

    @property
    def cut_short(self) -> bool:
        """Training ended before the planned steps. Only the time budget ends it early
        (trainer.schedule.paced_step keeps a slower machine to the clock), and the plan's steps
        would otherwise read as done (a 2-minute budget on a busy CPU stopped one run at step 12 of 85)."""
        return self.trained and 0 < self.step < self.steps


def verdict(result: dict) -> str:
    """What a finished fine-tune came to, in words: "better", "not better", or, for a higher
    held-out score that too few held-out folders or resampling them does not bear out, which and
    how often they show no gain (trainer/library/run.py decides; this only says it)."""
    if result.get("better"):
        return "better"
    chance = result.get("no_gain_chance")
    if chance is None or result["after"].get(KEY_METRIC, 0.0) <= result["before"].get(KEY_METRIC, 0.0):
        return "not better"
    folders = result["searched_folders"]
    if folders < MIN_HELD_OUT_FOLDERS:
        held = f"{folders} held-out folder" + ("s" if folders != 1 else "")
        return f"not clearly better: only {held}, too few to tell (it takes {MIN_HELD_OUT_FOLDERS})"
    return f"not clearly better: resampling its {folders} held-out folders shows no gain {chance:.0%} of the time"


def held_out_units(folders: int, by: str = "folder") -> str:
    """ "1 held-out folder", "6 held-out folders", or in a library of one folder "3 held-out groups of
    files named alike": what a run holds out whole, and its verdict resamples."""
    if by == "folder":
        return counted(folders, "held-out folder")
    return f"{counted(folders, 'held-out group')} of files named alike"


SHOWN_HELD_OUT = 2  # held-out folders named on the page, the rest counted: the line stays short


def training_files(plan: dict) -> str:
    """What a planned run learns from, in a line: the files it trains on, those held out to judge it
    (the first few folders named), and those it leaves out and why. The page never said what it
    trained on, and 199 of the review's 410 files were left out, with names like ``17-0.wav`` and no
    other words: one of those is named, as the plan recorded it (a fixed "Take_017" read as an example
    of somebody else's library). "" for a plan written before it recorded these (trainer/library/run.py
    writes them)."""
    if "train_files" not in plan:
        return ""
    held = plan.get("held_out_folders", [])
    by = plan.get("held_out_by", "folder")
    names = held_out_names(held, by)
    more = len(names) - SHOWN_HELD_OUT
    named = ", ".join(names[:SHOWN_HELD_OUT]) + (f" and {more} more" if more > 0 else "")
    left_out = []
    if plan.get("says_nothing"):  # trainer/library/pairs.py: no name, description, tags nor caption to learn
        example = plan.get("says_nothing_name") or "Take_017"  # one of the library's own; a plan before named none
        left_out.append(f"{counted(plan['says_nothing'], 'file')} with no words of their own (names like {example})")
    if plan.get("long_files"):
        left_out.append(f"{plan['long_files']:,} too long")
    return (
        f"Learns from {counted(plan['train_files'], 'file')}, judged on {plan['held_out_files']:,} others in "
        f"{held_out_units(len(held), by)} ({named})."
        + (f" Left out, still searchable: {', '.join(left_out)}." if left_out else "")
    )


def held_out_names(held_out: list[str], by: str = "folder") -> list[str]:
    """The held-out folders short, each below the folders' common parent and, deeper than two, its
    first and last folder ("ceferino-data/…/sounds"); in a library of one folder, the words each
    held-out group of files is named by, quoted."""
    if by != "folder":
        return [f'"{words}"' for words in held_out]
    if len(held_out) == 1:
        return [Path(held_out[0]).name]
    try:
        parent = os.path.commonpath(held_out)
    except ValueError:  # no common parent (folders on different drives)
        return [Path(folder).name for folder in held_out]
    short = []
    for folder in held_out:
        parts = Path(os.path.relpath(folder, parent)).parts
        short.append("/".join(parts) if len(parts) <= 2 else f"{parts[0]}/…/{parts[-1]}")
    return short


def too_few_held_out(files: int, folders: int, by: str = "folder") -> str:
    """Why a run that holds out ``files`` in ``folders`` cannot be told better, or "" when it can:
    fewer than :data:`MIN_HELD_OUT_FOLDERS` held-out folders never make a verdict of "better", so
    its model never replaces the current one by itself. Said as soon as the library is split: a
    small library's run spent its whole budget before the verdict said so, and its "Only 1 held
    out" read as one file of the 18 held out."""
    if folders >= MIN_HELD_OUT_FOLDERS:
        return ""
    return (
        f"Only {held_out_units(folders, by)} ({counted(files, 'file')}): telling whether the fine-tuned model "
        f"is better takes {held_out_units(MIN_HELD_OUT_FOLDERS, by)}, so with this library it cannot be judged "
        "better and will not replace the current model by itself (you can still choose to use it when it is "
        "done). More folders of sounds would let it."
    )


def key_scores(result: dict) -> tuple[str, float, float]:
    """The held-out score the verdict weighs, its kind and its mAP@10 before and after: "search",
    or for a result written by an earlier version, which lacks it, its per-file "t2a"."""
    kind = "search" if KEY_METRIC in result["after"] else "t2a"
    before, after = (result[when][f"{kind}/mAP@10"] for when in ("before", "after"))
    return kind, before, after


def key_change(result: dict) -> str:
    """ "search mAP@10 0.264 -> 0.303": :func:`key_scores` in a line."""
    kind, before, after = key_scores(result)
    return f"{kind} mAP@10 {before:.3f} -> {after:.3f}"


def scores_line(values: dict, kind: str = "search", separator: str = ", ") -> str:
    """ "R@1 0.083, R@10 0.833, mAP@10 0.244" of one ``kind`` of held-out score ("search" decides,
    "t2a" is the validation after each epoch); what a result written by an earlier version lacks
    is left out."""
    return separator.join(f"{name} {values[f'{kind}/{name}']:.3f}" for name in SHOWN if f"{kind}/{name}" in values)


# -- the scores in words, for the Fine-tune page and `earmark finetune` alike ---------------------
# The review read "R@1 0.056, R@10 0.193, mAP@10 0.084" in the CLI, and on the page "right sound first
# 3 % -> 5 %" under the verdict beside "ranking score 0.08 -> 0.08" under the check during training, with
# nothing to say why the two differ nor that 3 % measures hearing alone, not a search that is broken.
# Each score in words, with its metric's name (kept for the page's tooltips): R@1 is how often the
# right sound comes first, R@10 how often it is in the first ten, mAP@10 how high the right sounds
# rank in the first ten (0 to 1).
SCORE_WORDS = (
    ("R@1", "right sound first", "percent"),
    ("R@10", "in the top 10", "percent"),
    ("mAP@10", "ranking score", "score"),
)
SCORES_EXPLAINED = (
    "R@1: how often the right sound comes first · R@10: how often it is in the top 10 · "
    "mAP@10: how high the right sounds rank in the top 10, from 0 to 1"
)
# What the verdict measures (KEY_METRIC and its kin, "search/"): what decides, said before its scores.
VERDICT = (
    "Verdict (it decides which model is used): the names of the {files} files kept out of training, each "
    "searched among those {files} sounds by sound alone, with the whole model as Earmark searches; any file "
    "named alike counts as right. No file name helps here, as names do in your searches, so the numbers "
    "run low: they compare the two models, not how often a search finds your sound. Higher is better."
)
# What the check during training measures (the validation after each pass, "t2a/"), said before its points.
CHECK = (
    "Checked during training, to see that it stays on course (it does not decide): each held-out file's own "
    "name must find that very file, not one named alike, heard only by the part of the model that training "
    "changes. Stricter than the verdict and blind to what the whole model adds, it scores the starting model "
    "its own way, not as the verdict does, and can stay level while the verdict rises. Higher is better."
)


def plain_scores(values: dict, kind: str = "search", separator: str = " · ") -> str:
    """ "right sound first: 10 % · in the top 10: 50 % · ranking score 0.23 of 1" (its scale said:
    "0.07" alone read as nothing to a sound designer), what :func:`scores_line` says with metric
    names; a score a result lacks is left out."""
    said = []
    for name, words, how in SCORE_WORDS:
        value = values.get(f"{kind}/{name}")
        if value is not None:
            said.append(f"{words}: {value * 100:.0f} %" if how == "percent" else f"{words} {value:.2f} of 1")
    return separator.join(said)


def plain_change(result: dict) -> str:
    """The held-out score the verdict weighs, before and after, in words: "ranking score 0.26 → 0.30"
    (a result written by an earlier version, which lacks the search score, gets its per-file one)."""
    _, before, after = key_scores(result)
    return f"ranking score {before:.2f} → {after:.2f}"


def verdict_heading(result: dict) -> str:
    """:data:`VERDICT` for ``result``: said above its before and after."""
    return VERDICT.format(files=result["held_out_files"])


def check_point(step: int, steps_per_epoch: int) -> str:
    """When a check during training was made, in words: "before training", "after pass 2", or, for a
    run's last check, made inside a pass (its time was spent), "at the end (step 120)"."""
    if step == 0:
        return "before training"
    per_epoch = max(steps_per_epoch, 1)
    return f"after pass {step // per_epoch}" if step % per_epoch == 0 else f"at the end (step {step})"


def check_start(status: FinetuneStatus) -> float | None:
    """The check during training's ranking score of the starting model (its point before the first
    step), or None before it has one."""
    start = next((point for point in status.validation if point["step"] == 0 and "t2a/mAP@10" in point), None)
    return None if start is None else start["t2a/mAP@10"]


def check_change(status: FinetuneStatus) -> tuple[float, float] | None:
    """The check during training's ranking score before the first step and at its last point, or
    None before it has both."""
    points = [point for point in status.validation if "t2a/mAP@10" in point]
    start = check_start(status)
    if start is None or points[-1]["step"] == 0:
        return None
    return start, points[-1]["t2a/mAP@10"]


def measures_disagree(status: FinetuneStatus) -> str:
    """Why the check during training and the verdict disagree, when they do: on the starting model,
    or on where training took it; else "". Two measures by design (:data:`KEY_METRIC`): the check hears
    with the part of the model that training changes and asks each held-out file's own name for that
    very file; the verdict searches with the whole model as Earmark does, UCS bridge included, whose
    words head learns the library's names after the steps (README: most of a fine-tune's gain), and
    counts any file named alike as right. So the one starting model reads two "before" scores: review
    15's page showed 0.11 under the check and 0.13 under the verdict, with nothing to say they were
    not a change in the model. Where they moved is told by directions, as shown to two places, not by
    the verdict's "better", which also asks that resampling bear a gain out: the review's page read a
    check level at 0.08 and "(better)" a few lines on, and a later one "rose (0.11 → 0.13) while the
    verdict: not clearly better" of a verdict that rose too, 0.13 → 0.14."""
    start = check_start(status)
    if not status.result or start is None:
        return ""
    _, before, after = key_scores(status.result)
    said = []
    if round(start, 2) != round(before, 2):
        said.append(
            f"The starting model reads {start:.2f} in the check during training and {before:.2f} in the verdict: "
            "one model measured two ways, not a change in it."
        )
    change = check_change(status)
    if change is not None and (check_moved := _moved(*change)) != (verdict_moved := _moved(before, after)):
        said.append(
            f"The check during training {check_moved} ({change[0]:.2f} → {change[1]:.2f}) while the verdict "
            f"{verdict_moved}."
        )
    if not said:
        return ""
    names = ", after it learnt your library's names" if status.result.get("words_head_files") else ""
    return " ".join(
        [
            *said,
            "They listen differently: the check asks each held-out file's own name for that very file, with "
            "only the part of the model that training changes; the verdict counts any file named alike as "
            f"right and searches as Earmark does, with the whole model{names}. The verdict decides which "
            "model is used.",
        ]
    )


def _moved(before: float, after: float) -> str:
    """ "rose", "fell" or "stayed level", as the two scores read to two places (a change the page
    does not show is no direction to explain)."""
    before, after = round(before, 2), round(after, 2)
    return "rose" if after > before else "fell" if after < before else "stayed level"


class JobFolder:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    # -- layout ---------------------------------------------------------------------------
    plan_file = property(lambda self: self.folder / "plan.json")
    events_file = property(lambda self: self.folder / "events.jsonl")
    run_dir = property(lambda self: self.folder / "run")
    model_dir = property(lambda self: self.folder / "model")
    result_file = property(lambda self: self.folder / "result.json")
    log_file = property(lambda self: self.folder / "trainer.log")
    pid_file = property(lambda self: self.folder / "pid")
    adopted_file = property(lambda self: self.folder / "adopted.json")

    def lock(self) -> FileLock:
        from filelock import FileLock  # here, not at the top: the app reads job states at start

        self.folder.mkdir(parents=True, exist_ok=True)
        return FileLock(self.folder / "lock")

    def is_running(self) -> bool:
        """A trainer process holds the lock (checked by trying to take it, never by a pid alone)."""
        if not (self.folder / "lock").exists():
            return False
        from filelock import Timeout

        probe = self.lock()
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        probe.release()
        return False

    def exists(self) -> bool:
        return self.folder.is_dir() and any(self.folder.iterdir())

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- writing (the trainer process) ----------------------------------------------------
    def write_json(self, path: Path, data: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as partial, open(partial, "w") as handle:
            json.dump(data, handle, indent=2)

    def event(self, phase: str, message: str, **data) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.events_file.open("a") as handle:
            handle.write(json.dumps({"time": time.time(), "phase": phase, "message": message, **data}) + "\n")

    def failed(self, error: Exception) -> None:
        """The run ended with ``error``: its sentence, and for a budget too short what would do."""
        if isinstance(error, BudgetTooShort):
            self.event(ERROR, str(error), needs_minutes=error.minutes, measured=error.measured)
        else:
            self.event(ERROR, str(error))

    def continue_from(self, status: FinetuneStatus) -> None:
        """Before a stopped run (``status``) is launched again: its log keeps only what the continued
        run starts from, and an event says where that is. The progress after the last checkpoint is
        trained again (all of it, before the first; none after a pause, whose checkpoint is the step it
        stopped at), and a page showed the stopped run's "step 6 of 550 · training loss 4.03" for
        seconds after Continue, as the new trainer started, although the run restarted from step 0. A
        run stopped before its plan prepares again: its log goes whole."""
        kept_to = status.saved_step if status.plan else -1
        log = self.run_dir / "log.jsonl"
        if log.is_file():
            kept = [record for record in _json_lines(log) if record.get("step", 0) <= kept_to]
            with atomic_file(log) as partial:
                partial.write_text("".join(json.dumps(record) + "\n" for record in kept))
        self.event(CONTINUING, f"continuing from {status.continues_from}")

    def mark(self, name: str) -> None:
        """``applied``, ``declined`` or ``paused``."""
        (self.folder / name).write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))

    def unmark(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)

    # -- reading ----------------------------------------------------------------------------
    def read_json(self, path: Path) -> dict:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {}

    def events(self) -> list[dict]:
        return _json_lines(self.events_file)

    def continued_at(self) -> int:
        """The index of the event that began the run's latest piece (:data:`CONTINUING`), 0 for a run
        never continued: what came before was an earlier piece's, stopped since."""
        events = self.events()
        return next((i for i in reversed(range(len(events))) if events[i].get("phase") == CONTINUING), 0)

    def status(self, process_alive: bool = False) -> FinetuneStatus:
        """What the job is doing now. ``process_alive``: the caller launched a process that has
        not exited yet (it may not hold the lock yet while it imports torch)."""
        if not self.exists():
            return FinetuneStatus(state=STARTING if process_alive else NONE)
        events = self.events()
        last = events[-1] if events else {}
        status = FinetuneStatus(
            phase=last.get("phase", ""),
            message=last.get("message", ""),
            plan=self.read_json(self.plan_file),
            result=self.read_json(self.result_file),
            applied=(self.folder / "applied").exists(),
            declined=(self.folder / "declined").exists(),
            paused=(self.folder / "paused").exists(),
            adopted=self._adopted_folder(),
            saved_step=self.saved_step(),
        )
        split = next((event for event in reversed(events) if "held_out_folders" in event), {})
        status.held_out_files = split.get("held_out_files", 0)
        status.held_out_folders = split.get("held_out_folders", 0)
        status.held_out_by = split.get("held_out_by", "folder")
        running = process_alive or self.is_running()
        if status.result:
            status.state = DONE
        elif status.phase == ERROR and not running:
            status.state, status.error = FAILED, status.message
            status.needs_minutes, status.measured = last.get("needs_minutes", 0), last.get("measured", "")
        elif running:
            status.state = RUNNING if events else STARTING
        elif not events:  # it ended before it began (an import error, a bad argument): not resumable
            status.state, status.error = FAILED, self._last_words() or "the trainer ended before it began"
        else:
            status.state = STOPPED
        self._progress(status)
        return status

    def saved_step(self) -> int:
        """The step of the last checkpoint (``run/last``, or ``run/last.old`` when a save stopped between
        its renames, which the trainer puts back: engine.fs.recovered_folder); 0 when there is none."""
        for folder in (self.run_dir / "last", self.run_dir / "last.old"):
            step = self.read_json(folder / CONFIG_FILE).get("step")
            if step is not None:
                return int(step)
        return 0

    def _adopted_folder(self) -> str:
        """Where the fine-tuned model went in the models folder, if it is still there; else ""."""
        folder = self.read_json(self.adopted_file).get("path", "")
        return folder if folder and Path(folder).is_dir() else ""

    def _last_words(self) -> str:
        """The last line the trainer printed (its traceback ends with the exception), or ""."""
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return next((line.strip() for line in reversed(lines) if line.strip()), "")

    def _progress(self, status: FinetuneStatus) -> None:
        """Step, loss, epoch and ETA from the trainer's log and the plan's measured timings."""
        plan = status.plan
        status.steps = int(plan.get("steps", 0))
        per_epoch = max(int(plan.get("steps_per_epoch", 1)), 1)
        status.epochs = status.steps / per_epoch if status.steps else 0.0
        step_s = plan.get("step_seconds")
        trained_s = None
        for record in _json_lines(self.run_dir / "log.jsonl"):
            if "val/t2a/mAP@10" in record:
                status.validation.append(
                    {
                        "step": record["step"],
                        "epoch": record["step"] / per_epoch,
                        **{k.removeprefix("val/"): v for k, v in record.items() if k.startswith("val/")},
                    }
                )
            elif "loss" in record:
                status.step, status.loss = int(record["step"]), float(record["loss"])
                trained_s = record.get("trained_s", trained_s)
                if record.get("samples_per_s"):
                    step_s = plan.get("batch_size", 1) / record["samples_per_s"]
        status.step = max(status.step, status.saved_step)  # a continued run starts at its checkpoint
        status.epoch = status.step // per_epoch
        if status.state in (RUNNING, STOPPED) and status.steps and step_s:
            left = status.steps - status.step
            evaluations = math.ceil(status.steps / per_epoch) - status.step // per_epoch
            status.eta_s = (
                left * step_s + evaluations * plan.get("validation_seconds", 0.0) + plan.get("final_seconds", 0.0)
            )
            budget_s = plan.get("config", {}).get("time_budget_s")
            if budget_s and trained_s is not None:  # training ends when its time is spent, steps left or not
                status.eta_s = min(status.eta_s, max(0.0, budget_s - trained_s) + plan.get("final_seconds", 0.0))


def _json_lines(path: Path) -> list[dict]:
    """Every complete JSON line of an append-only log (a line being written is skipped)."""
    try:
        text = path.read_text()
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
