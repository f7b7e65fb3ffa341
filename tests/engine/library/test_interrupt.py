"""Ctrl-C (a real SIGINT to a real process) during a long index run: the CLI and the app
stop within seconds at a safe point, keep what they finished, and the next run completes
the index without doing anything twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import lancedb
import pytest

from engine.cli import INTERRUPTED, main
from engine.index.store import LibraryStore
from tests.engine.library.helpers import REPO, snapshot
from tests.factories import tone, write_audio

pytestmark = pytest.mark.slow
EARMARK = Path(sys.executable).with_name("earmark")
FILES = 300
STOP_BOUND_S = 60  # the run ends this long after Ctrl-C at most (it takes seconds)


def long_library(folder: Path) -> Path:
    """Many files, and a named pipe among them (opening it used to block the run, and Ctrl-C with it)."""
    for i in range(FILES):
        write_audio(folder / f"clip_{i:03d}.wav", tone(100 + 7 * i, 2.0))
    os.mkfifo(folder / "daw_pipe.wav")
    return folder


def indexed_files(home: Path) -> int:
    """Searchable files the running process has committed so far (read without creating anything)."""
    db = lancedb.connect(str(home / "data" / "index.lance"))
    return db.open_table("files").count_rows("status = 'ok'") if "files" in db.list_tables().tables else 0


def interrupt_once_some_are_indexed(process: subprocess.Popen, home: Path) -> tuple[int, float]:
    """SIGINT as soon as the first batch is committed; (files indexed then, seconds to exit)."""
    deadline = time.monotonic() + 600
    while indexed_files(home) == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no file was indexed in 10 minutes"
        time.sleep(0.2)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.wait(STOP_BOUND_S)  # raises TimeoutExpired if Ctrl-C is not heard
    return indexed_files(home), time.monotonic() - sent


def finish_and_check(home: Path, checkpoint: Path, library: Path, first: int, tiny_model) -> None:
    code = main(["--home", str(home), "--model", str(checkpoint), "index"])
    assert code == 0
    store = LibraryStore(home / "data" / "index.lance")
    files = snapshot(store, tiny_model.info.name)  # asserts one record per path
    assert {path for path, entry in files.items() if entry[1] != "ok"} == {str(library / "daw_pipe.wav")}
    assert len(files) == FILES + 1
    table = store.embeddings(tiny_model.info)
    assert table.count() == sum(len(entry[-1]) for entry in files.values()), "doubled or orphaned windows"
    assert 0 < first < FILES


def test_ctrl_c_stops_earmark_index_and_the_next_run_resumes(tmp_path, tiny_checkpoint, tiny_model, capsys):
    library, home = long_library(tmp_path / "library"), tmp_path / "home"
    assert main(["--home", str(home), "--model", str(tiny_checkpoint), "add-folder", str(library)]) == 0
    process = subprocess.Popen(
        [str(EARMARK), "--home", str(home), "--model", str(tiny_checkpoint), "index"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first, seconds = interrupt_once_some_are_indexed(process, home)
    out, err = process.communicate()
    with capsys.disabled():  # the number, for whoever runs this with -s
        print(f"\nearmark index stopped {seconds:.1f} s after Ctrl-C, with {first} of {FILES} files indexed")
    assert process.returncode == INTERRUPTED, err[-2000:]
    assert "stopping at the next safe point" in err and "stopped early; run `earmark index` again" in out
    finish_and_check(home, tiny_checkpoint, library, first, tiny_model)
    assert f"{FILES - first} added, 0 updated" in capsys.readouterr().out  # nothing done twice


def test_ctrl_c_closes_the_app_while_it_indexes_and_the_next_run_resumes(tmp_path, tiny_checkpoint, tiny_model, capsys):
    library, home = long_library(tmp_path / "library"), tmp_path / "home"
    assert main(["--home", str(home), "--model", str(tiny_checkpoint), "add-folder", str(library)]) == 0
    app = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--home", str(home), "--model", str(tiny_checkpoint)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)},
    )
    first, seconds = interrupt_once_some_are_indexed(app, home)
    out, err = app.communicate()
    with capsys.disabled():
        print(f"\nthe app closed {seconds:.1f} s after Ctrl-C, with {first} of {FILES} files indexed")
    assert app.returncode == 0, err[-2000:]
    finish_and_check(home, tiny_checkpoint, library, first, tiny_model)
    assert f"{FILES - first} added, 0 updated" in capsys.readouterr().out
