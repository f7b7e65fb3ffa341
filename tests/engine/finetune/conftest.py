"""A named library indexed with the tiny model under its own Earmark home, and waiting for the
real fine-tuning process the tests launch."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.facade import Engine
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


def wait_for(condition, timeout: float = PROCESS_TIMEOUT_S, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.2)


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
