"""kill -9 during `earmark tag` over a folder, twice, then run it again: the job resumes where it
stopped and ends with exactly the suggestions of a run that was never interrupted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.index.suggestions import RUN, TAG
from tests.engine.library.helpers import REPO
from tests.engine.tagging.conftest import NAMED, tiny_engine, write_named_library

CHILD = Path(__file__).with_name("tag_crash_child.py")
pytestmark = pytest.mark.slow


def run_child(home: Path, checkpoint: Path, folder: Path, point: str, nth: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), str(home), str(checkpoint), str(folder), point, str(nth)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"PYTHONPATH": str(REPO)},
    )


def suggestions_by_name(engine) -> dict[str, list[tuple[str, float]]]:
    table = engine.tagging.table()
    records = {r.id: os.path.basename(r.path) for r in engine.store.find_files()}
    found = table.for_files(list(records), kinds=(TAG,))
    return {records[i]: sorted((s.key, round(s.confidence, 5)) for s in items) for i, items in found.items()}


def test_a_killed_tagging_job_resumes_and_ends_like_a_clean_run(tmp_path, tiny_checkpoint, tiny_term_cache):
    library, home = write_named_library(tmp_path / "library"), tmp_path / "home"
    shutil.copytree(tiny_term_cache, home / "cache" / "tagging")
    cli = ["--home", str(home), "--model", str(tiny_checkpoint)]
    assert main([*cli, "add-folder", str(library)]) == 0 and main([*cli, "index"]) == 0

    killed = run_child(home, tiny_checkpoint, library, "after-batch", 2)  # 6 of 12 files done
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    again = run_child(home, tiny_checkpoint, library, "inside-batch", 1)  # dies inside its first batch
    assert again.returncode == -signal.SIGKILL, again.stderr[-2000:]
    assert "resuming the unfinished job" in again.stderr
    finished = run_child(home, tiny_checkpoint, library, "none")
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "resuming the unfinished job" in finished.stderr and "6 done before" in finished.stdout

    with tiny_engine(home, tiny_checkpoint, tiny_term_cache) as engine:
        assert engine.tagging.pending_job() is None
        table = engine.tagging.table()
        runs = table.for_files(engine.store.file_ids().tolist(), kinds=(RUN,))
        assert sorted(len(items) for items in runs.values()) == [1] * len(NAMED)  # one run row each, one job
        assert len({items[0].job for items in runs.values()}) == 1
        got = suggestions_by_name(engine)
    clean_library = write_named_library(tmp_path / "clean" / "library")
    with tiny_engine(tmp_path / "clean" / "home", tiny_checkpoint, tiny_term_cache) as clean:
        clean.add_folder(clean_library)
        clean.index()
        clean.tagging.tag([clean_library])
        want = suggestions_by_name(clean)
    assert sorted(got) == sorted(want) == sorted(os.path.basename(n) for n in NAMED)
    for name in want:
        assert [k for k, _ in got[name]] == [k for k, _ in want[name]], (name, got[name], want[name])
        np.testing.assert_allclose([c for _, c in got[name]], [c for _, c in want[name]], atol=1e-4)
