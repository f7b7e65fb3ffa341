"""App cold start: seconds from launching ``earmark-app`` to its first window, for several versions
of Earmark measured in the same run, alternating, on the same machine.

    python bench/app_startup.py [REV ...] [--runs 7]

Each REV is a git revision, or ``.`` for the working tree (the default): ``python
bench/app_startup.py HEAD~3 .`` compares the working tree with three commits ago.

Each run is a fresh Python process (offscreen Qt, an empty Earmark home) that calls ``app.main``
the way ``earmark-app`` does and prints a line when Qt's event loop first runs with the window shown;
the time is taken by this process, from spawning the child to reading that line, so interpreter
start and every import count. The operating system's file cache is warm after the first run of
each tree (runs alternate between the trees, so none is favoured). A revision is its tracked
files, unpacked with ``git archive`` into a temporary folder and run with the same Python
environment. Lower is better; the numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run in the child, with the tree under test first on sys.path (its cwd).
CHILD = """
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([sys.argv[0]])
QTimer.singleShot(0, lambda: (print("first window", flush=True), os._exit(0)))
from app.main import main
main(["--home", sys.argv[1]])
"""


def unpack(rev: str, into: Path) -> Path:
    """The tracked files of ``rev`` in ``into`` (nothing of the working tree, no git state changed)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev], check=True, capture_output=True
    ).stdout
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def time_to_window(tree: Path, home: Path, timeout_s: float = 120.0) -> float:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home)],
        cwd=tree,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for line in child.stdout:
            if line.strip() == "first window":
                return time.perf_counter() - started
        raise RuntimeError(f"{tree}: the app exited without a window:\n{child.stderr.read()[-2000:]}")
    finally:
        child.kill()
        child.wait(timeout_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="*", default=["."], help="git revisions, '.' for the working tree")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="earmark-startup-") as scratch:
        trees = {
            rev: REPO if rev == "." else unpack(rev, Path(scratch) / f"tree-{i}") for i, rev in enumerate(args.revs)
        }
        times: dict[str, list[float]] = {name: [] for name in trees}
        for run in range(args.runs + 1):  # run 0 warms the file cache and is not counted
            for name, tree in trees.items():
                seconds = time_to_window(tree, Path(scratch) / f"home-{run}-{len(times[name])}")
                if run:
                    times[name].append(seconds)
    print(f"app cold start to the first window, {args.runs} runs each (load average {os.getloadavg()[0]:.1f}):")
    for name, values in times.items():
        print(
            f"  {name[:20]:<20} median {statistics.median(values):.2f} s   "
            f"min {min(values):.2f} s   max {max(values):.2f} s"
        )


if __name__ == "__main__":
    main()
