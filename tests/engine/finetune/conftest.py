"""A named library indexed with the tiny model under its own Earmark home, and waiting for the
real fine-tuning process the tests launch."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from engine.facade import Engine
from engine.finetune.job import JobFolder
from engine.paths import AppPaths, app_paths
from engine.settings import Settings
from tests.finetune_library import write_named_library

# A few real steps of the tiny model: enough to learn the six kinds of sound in seconds.
FAST = ["lr=0.003", "distill_weight=0.3"]
PROCESS_TIMEOUT_S = 600  # a fresh Python importing torch, transformers and LanceDB on a busy 2-core machine


def indexed_home(root: Path, model: Path, folders_per_kind: int = 3, files_per_folder: int = 2) -> AppPaths:
    """An Earmark home whose saved model is ``model``, with the named library added and indexed."""
    paths = app_paths(root / "home").ensure()
    Settings(model_spec=str(model)).save(paths.settings_file)
    library = write_named_library(root / "Library", folders_per_kind, files_per_folder)
    with Engine(paths) as engine:
        engine.add_folder(library)
        report = engine.index()
    assert not report.errors
    return paths


def wait_for(condition, timeout: float = PROCESS_TIMEOUT_S, what: str = "", job: JobFolder | None = None) -> None:
    """Wait for ``condition``; a timeout says what the trainer of ``job`` last wrote."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}{trainer_said(job) if job else ''}")
        time.sleep(0.2)


def trainer_said(job: JobFolder, lines: int = 40) -> str:
    """The end of the job's trainer log and its last events: what a timed-out wait failed on (a
    continued run that never resumed, in one CI run out of several, left nothing else to go by)."""
    log = job.log_file.read_text(errors="replace").splitlines() if job.log_file.is_file() else []
    events = [json.dumps(event) for event in job.events()[-8:]]
    return "\n-- trainer log (end) --\n" + "\n".join(log[-lines:]) + "\n-- events (last) --\n" + "\n".join(events)


@pytest.fixture(scope="package", autouse=True)
def one_thread_trainers():
    """The trainer processes these tests launch use one thread: on a machine whose cores other jobs
    keep busy, OpenMP's waiting threads make a two-thread step several times slower than one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")
        yield


@pytest.fixture
def library_home(tmp_path, tiny_checkpoint) -> AppPaths:
    return indexed_home(tmp_path, tiny_checkpoint)
