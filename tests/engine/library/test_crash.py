"""kill -9 during `earmark index` at several points, then let a run finish: the index must
equal a clean run's (no duplicate records or windows, nothing lost, nothing stale)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.index.store import LibraryStore
from engine.library.indexer import Indexer
from tests.engine.library.helpers import REPO, assert_same_index, checksums, snapshot
from tests.factories import noise, tone, write_audio

CHILD = Path(__file__).with_name("crash_child.py")
pytestmark = pytest.mark.slow


def run_child(home: Path, checkpoint: Path, point: str, nth: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), str(home), str(checkpoint), point, str(nth)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"PYTHONPATH": str(REPO)},
    )


def build_library(folder: Path, n: int = 24) -> None:
    for i in range(n):
        sub = folder / ("sub" if i % 3 == 0 else "")
        write_audio(sub / f"clip{i:02d}.wav", tone(150 + 40 * i, 0.8 + (i % 4) * 0.6))
    (folder / "broken.wav").write_text("not audio")


def clean_run(library: Path, model, where: Path) -> dict:
    store = LibraryStore(where)
    store.add_folder(str(library))
    Indexer(store, model).index()
    return snapshot(store, model.info.name)


def assert_equal_to_clean(home: Path, library: Path, model, tmp_path: Path, name: str) -> None:
    store = LibraryStore(home / "data" / "index.lance")
    got = snapshot(store, model.info.name)
    assert_same_index(got, clean_run(library, model, tmp_path / name))
    table = store.embeddings(model.info)
    assert table.count() == sum(len(entry[-1]) for entry in got.values()), "orphaned or doubled windows"


def kill_at(home, checkpoint, point, nth):
    result = run_child(home, checkpoint, point, nth)
    assert result.returncode == -signal.SIGKILL, (point, nth, result.returncode, result.stderr[-2000:])


def test_first_index_killed_four_times_ends_like_a_clean_run(tmp_path, tiny_checkpoint, tiny_model):
    library, home = tmp_path / "library", tmp_path / "home"
    build_library(library)
    before = checksums(library)
    assert main(["--home", str(home), "--model", str(tiny_checkpoint), "add-folder", str(library)]) == 0
    kill_at(home, tiny_checkpoint, "after-commit", 2)  # between two batches
    kill_at(home, tiny_checkpoint, "vectors-not-records", 2)  # a batch's windows written, its records not
    kill_at(home, tiny_checkpoint, "delete-not-append", 2)  # inside a file's window replacement
    for milliseconds in (150, 400):  # anywhere, LanceDB's own writes included (or the run may finish first)
        assert run_child(home, tiny_checkpoint, "timer", milliseconds).returncode in (0, -signal.SIGKILL)
    finished = run_child(home, tiny_checkpoint, "none")
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "broken.wav: not an audio file" in finished.stdout
    assert checksums(library) == before
    assert_equal_to_clean(home, library, tiny_model, tmp_path, "clean.lance")


def test_update_killed_midway_ends_like_a_clean_run_of_the_new_state(tmp_path, tiny_checkpoint, tiny_model):
    library, home = tmp_path / "library", tmp_path / "home"
    build_library(library, 12)
    assert main(["--home", str(home), "--model", str(tiny_checkpoint), "add-folder", str(library)]) == 0
    assert run_child(home, tiny_checkpoint, "none").returncode == 0
    for i in (1, 2, 4):  # changed content: their old windows are replaced
        write_audio(library / f"clip{i:02d}.wav", noise(1.5, seed=i))
    os.rename(library / "clip05.wav", library / "sub" / "moved05.wav")
    os.remove(library / "clip07.wav")
    for i in range(3):
        write_audio(library / "new" / f"fresh{i}.wav", tone(900 + 50 * i, 1.0))
    kill_at(home, tiny_checkpoint, "delete-not-append", 2)  # a changed file has lost its old windows only
    kill_at(home, tiny_checkpoint, "after-commit", 1)
    finished = run_child(home, tiny_checkpoint, "none")
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert_equal_to_clean(home, library, tiny_model, tmp_path, "clean.lance")
