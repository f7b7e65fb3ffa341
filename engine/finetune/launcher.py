"""Launching, watching, stopping and cancelling the library fine-tune, and adopting its model.

The training runs in its own process (``python -m trainer.cli library-finetune``), in its own
session, so neither a crash of the app nor closing it takes the run down; the app finds it
again through the job folder. A run that did die (killed, power cut) is started again with
the same job folder and continues from its last checkpoint.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from engine.finetune.job import DONE, RUNNING, STARTING, STOPPED, FinetuneStatus, JobFolder, key_change, verdict
from engine.paths import AppPaths

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda", "mps")
STOP_TIMEOUT_S = 60.0  # how long a stop waits for the trainer to end before it kills it


class FinetuneUnavailable(ValueError):
    """This installation cannot fine-tune (no trainer), or the request cannot be met now."""


class Finetuner:
    def __init__(self, paths: AppPaths):
        self.paths = paths
        self.job = JobFolder(paths.data / "finetune")
        self._process: subprocess.Popen | None = None

    def status(self) -> FinetuneStatus:
        return self.job.status(process_alive=self._process is not None and self._process.poll() is None)

    def start(self, minutes: float, model_spec: str, device: str = "auto", overrides: Sequence[str] = ()) -> None:
        """Start a new fine-tune of ``model_spec`` (the active model) on the library, for about ``minutes``.
        A finished job is replaced (its model, if adopted, is already in the models folder); an
        unfinished one must be resumed or cancelled first."""
        if device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
        if not minutes > 0:
            raise ValueError(f"the time budget must be more than 0 minutes, not {minutes}")
        status = self.status()
        if status.state in (RUNNING, STARTING):
            raise FinetuneUnavailable("a fine-tune is already running; cancel it first")
        if status.state == STOPPED:
            raise FinetuneUnavailable("an interrupted fine-tune is waiting: resume it or cancel it first")
        self.job.remove()
        if Path(model_spec).expanduser().exists():  # a folder relative to here means the same to the trainer
            model_spec = str(Path(model_spec).expanduser().resolve())
        self._launch(["--minutes", f"{minutes:g}", "--device", device, "--model", model_spec, *_set_args(overrides)])

    def resume(self) -> bool:
        """Continue a stopped (interrupted or killed) run, or one that failed after it planned its
        steps (:attr:`FinetuneStatus.resumable`); False when there is none to continue. From the
        launch on, the job shows the continued run from where it really starts (JobFolder.continue_from),
        not the stopped run's last step."""
        status = self.status()
        if not status.resumable:
            return False
        self.job.unmark("paused")
        self.job.continue_from(status)
        self._launch([])
        return True

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """End the running process, keeping the job: :meth:`resume` continues from the last checkpoint.
        Only a trainer is signalled: the process this app started, or the one holding the job's
        lock (which wrote its pid on taking it). A pid file alone may be a dead run's, whose number
        another process has by now; a trainer still starting (importing torch, the lock not yet
        taken) is this app's own process."""
        asked: set[int] = set()
        deadline = time.monotonic() + timeout
        while (pids := self._trainer_pids()) and time.monotonic() < deadline:
            for pid in pids - asked:
                _terminate(pid)
            asked |= pids
            time.sleep(0.1)
        for pid in self._trainer_pids():
            _kill(pid)
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=10)
            self._process = None

    def pause(self) -> None:
        """Stop the run to continue it later from its last checkpoint (:meth:`resume`, here, after a
        restart, or ``earmark finetune``). Unlike a run that died (killed, a power cut), which the app
        continues on its own when it starts, a paused one waits for the user: they stopped it for a
        reason (the machine was needed). A run that had not begun has nothing to keep."""
        self.stop()
        if self.status().resumable:
            self.job.mark("paused")

    def cancel(self) -> None:
        """Stop the run and forget it; nothing of it stays (the active model is untouched)."""
        self.stop()
        self.job.remove()

    def decline(self) -> None:
        """Keep the current model; the fine-tuned one is dropped with the job."""
        self.job.mark("declined")

    def adopt(self, force: bool = False) -> str:
        """Move the finished model into the models folder and return its spec (an absolute
        folder path) for a model switch. Refused when it is not better than the model it
        started from, unless ``force``. Adopting again returns the same folder."""
        status = self.status()
        if status.state != DONE:
            raise FinetuneUnavailable("there is no finished fine-tune to use")
        if status.adopted:
            return status.adopted
        result = status.result
        if not result.get("better") and not force:
            raise FinetuneUnavailable(
                f"the fine-tuned model is {verdict(result)} (held-out {key_change(result)}), so "
                f"{result['start_model']} stays; use it anyway only if you have your own reasons"
            )
        if not self.job.model_dir.is_dir():
            raise FinetuneUnavailable(f"the fine-tuned model is missing from {self.job.model_dir}")
        target = _free_folder(self.paths.models / result["model_name"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(self.job.model_dir), str(target))
        self.job.write_json(self.job.adopted_file, {"path": str(target)})
        return str(target)

    def mark_applied(self) -> None:
        self.job.mark("applied")

    # -- the process ------------------------------------------------------------------------
    def _launch(self, args: list[str]) -> None:
        if importlib.util.find_spec("trainer") is None:
            raise FinetuneUnavailable(
                "this installation has no trainer: fine-tune from a source install (./run.sh, or `earmark finetune`)"
            )
        self.job.folder.mkdir(parents=True, exist_ok=True)
        self.job.pid_file.unlink(missing_ok=True)  # a dead run's: the new trainer writes its own on taking the lock
        command = [
            sys.executable,  # the desktop bundle's own binary runs ``-m trainer.cli`` too (packaging/launcher.py)
            "-m",
            "trainer.cli",
            "library-finetune",
            "--data",
            str(self.paths.data),
            "--cache",
            str(self.paths.cache),
            "--config",
            str(self.paths.config),
            *args,
        ]
        with self.job.log_file.open("ab") as output:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                cwd=Path(__file__).resolve().parents[2],
                start_new_session=True,
            )  # outlives the app; Ctrl-C in a terminal is ours
        log.info("fine-tune started: pid %d, %s", self._process.pid, " ".join(command))

    def _trainer_pids(self) -> set[int]:
        """The trainer processes alive now (see :meth:`stop`)."""
        pids = {self._process.pid} if self._alive() else set()
        if self.job.is_running():
            with contextlib.suppress(OSError, ValueError):
                pids.add(int(self.job.pid_file.read_text()))
        return pids

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None


def model_folder_name(library: str, when: datetime.datetime) -> str:
    """``sound-effects-2025-06-01-1432``: the library's name and the date, as a folder name."""
    slug = re.sub(r"[^a-z0-9]+", "-", library.lower()).strip("-")[:40] or "library"
    return f"{slug}-{when:%Y-%m-%d-%H%M}"


def _free_folder(folder: Path) -> Path:
    """``folder``, or ``folder-2``, ``-3``... when a model of that name is already there."""
    candidate, number = folder, 1
    while candidate.exists():
        number += 1
        candidate = folder.with_name(f"{folder.name}-{number}")
    return candidate


def _set_args(overrides: Sequence[str]) -> list[str]:
    return [arg for item in overrides for arg in ("--set", item)]


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    except OSError:
        pass
