"""kill -9 a process writing to the store at random moments: no file may end with a
doubled or mixed set of windows, and recover() leaves no vectors without a record."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.index import LibraryStore
from tests.engine.index.index_factories import model_info
from tests.engine.index.store_crash_writer import FILES

ROOT = Path(__file__).resolve().parents[3]


def run_until_killed(db_path: Path, first_round: int, rng: random.Random) -> int:
    """Start the writer, let it finish two rounds, kill it at a random moment; the last round it finished."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.index.store_crash_writer", str(db_path), str(first_round)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        finished = [int(proc.stdout.readline()) for _ in range(2)]
        time.sleep(rng.uniform(0.0, 0.4))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finished += [int(line) for line in proc.stdout.read().split()]
    return finished[-1]


def check_consistent(store: LibraryStore) -> None:
    table = store.embeddings(model_info()).table.to_arrow()
    starts_by_file: dict[int, list[float]] = {}
    for file_id, start in zip(table["file_id"].to_pylist(), table["start_s"].to_pylist(), strict=False):
        starts_by_file.setdefault(file_id, []).append(start)
    for file_id, starts in starts_by_file.items():
        rounds = {int(s // 100) for s in starts}
        assert len(rounds) == 1, f"file {file_id} mixes windows of rounds {rounds}"
        r = rounds.pop()
        assert sorted(starts) == [r * 100.0 + i for i in range(r % 3 + 1)], f"file {file_id}: {sorted(starts)}"
    records = store.find_files()
    assert len({r.path for r in records}) == len(records), "two rows for one path"
    assert {r.id for r in records} >= set(starts_by_file), "vectors without a record after recover()"


@pytest.mark.slow
def test_killed_writer_never_leaves_doubled_or_mixed_windows(tmp_path):
    rng = random.Random(1234)
    db_path = tmp_path / "index.lance"
    next_round = 0
    for _ in range(3):
        next_round = run_until_killed(db_path, next_round, rng) + 2  # skip the round that may be half done
        store = LibraryStore(db_path)
        store.recover()
        check_consistent(store)
        assert store.count_files() >= FILES
