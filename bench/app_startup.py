"""App cold start: seconds from launching ``earmark-app`` to its first window, to its library shown,
to the last query's results on screen and to its model ready, for several versions of Earmark
measured in the same run, alternating, on the same machine.

    python bench/app_startup.py [REV ...] [--runs 7] [--sounds 50]

Each REV is a git revision, or ``.`` for the working tree (the default): ``python
bench/app_startup.py HEAD~3 .`` compares the working tree with three commits ago.

Each run is a fresh Python process (offscreen Qt) that calls ``app.main`` the way ``earmark-app``
does, on a copy of one Earmark home made at the start: ``--sounds`` short WAVs in five folders,
indexed by the working tree's ``earmark index`` with the builtin model, "door" as the last query
typed. The child prints a line at each moment, and the time is taken by this process, from
spawning the child to reading that line, so interpreter start and every import count:

- first window: Qt's event loop first runs with the window shown;
- library shown: the Library panel lists the library's folder;
- results shown: the results list holds the last query's answer (its words alone while the model
  loads, where the version searches before the model is ready);
- model ready: the model is loaded and searches hear the sounds.

The operating system's file cache is warm after the first run of each tree (runs alternate between
the trees, so none is favoured). A revision is its tracked files, unpacked with ``git archive`` into
a temporary folder and run with the same Python environment. Lower is better; the numbers are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
MOMENTS = ("first window", "library shown", "results shown", "model ready")
LAST_QUERY = "door"
_NAMES = ("door_creak", "dog_bark", "rain_on_glass", "footsteps_gravel", "explosion", "wind_howl", "glass_break")

# Run in the child, with the tree under test first on sys.path (its cwd). It reads the window
# only through what every version has: the Library panel's tree, the results model, the client.
CHILD = """
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([sys.argv[0]])
said = set()

def say(moment):
    if moment not in said:
        said.add(moment)
        print(moment, flush=True)

def look():
    window = next((w for w in app.topLevelWidgets() if w.isVisible() and hasattr(w, "client")), None)
    if window is None:
        return
    if window.library.folders.topLevelItemCount():
        say("library shown")
    if window.model.rowCount():
        say("results shown")
    if window.client.model_info is not None:
        say("model ready")
    if len(said) == 4:
        os._exit(0)

QTimer.singleShot(0, lambda: say("first window"))
ticker = QTimer(interval=5)
ticker.timeout.connect(look)
ticker.start()
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


def indexed_home(home: Path, sounds: int) -> Path:
    """An Earmark home whose library (``sounds`` 1.5 s WAVs in five folders) is indexed, with
    :data:`LAST_QUERY` as the query the window restores."""
    rng = np.random.default_rng(0)
    folders = ("Doors", "Animals", "Weather", "Impacts", "Vehicles")
    rate = 22_050
    seconds = np.arange(int(1.5 * rate)) / rate
    for number in range(sounds):
        folder = home.parent / "library" / folders[number % len(folders)]
        folder.mkdir(parents=True, exist_ok=True)
        tone = 0.3 * np.sin(2 * np.pi * (200 + 40 * number) * seconds) + 0.1 * rng.standard_normal(seconds.size)
        sf.write(folder / f"{_NAMES[number % len(_NAMES)]}_{number:02d}.wav", tone.astype(np.float32), rate)
    earmark = [sys.executable, "-m", "engine.cli", "--home", str(home)]
    subprocess.run([*earmark, "add-folder", str(home.parent / "library")], cwd=REPO, check=True, capture_output=True)
    subprocess.run([*earmark, "index"], cwd=REPO, check=True, capture_output=True)
    (home / "config" / "app.ini").write_text(f"[search]\nlast_query={LAST_QUERY}\n")
    return home


def time_moments(tree: Path, home: Path, timeout_s: float = 120.0) -> dict[str, float]:
    """Seconds from spawning the app on ``tree`` to each of :data:`MOMENTS`."""
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
    seen: dict[str, float] = {}
    try:
        for line in child.stdout:
            if line.strip() in MOMENTS:
                seen[line.strip()] = time.perf_counter() - started
            if len(seen) == len(MOMENTS):
                return seen
        raise RuntimeError(f"{tree}: the app exited having shown only {list(seen)}:\n{child.stderr.read()[-2000:]}")
    finally:
        child.kill()
        child.wait(timeout_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="*", default=["."], help="git revisions, '.' for the working tree")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sounds", type=int, default=50, help="sounds in the library the app opens")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="earmark-startup-") as scratch:
        template = indexed_home(Path(scratch) / "library-home" / "home", args.sounds)
        trees = {
            rev: REPO if rev == "." else unpack(rev, Path(scratch) / f"tree-{i}") for i, rev in enumerate(args.revs)
        }
        times: dict[str, dict[str, list[float]]] = {name: {m: [] for m in MOMENTS} for name in trees}
        for run in range(args.runs + 1):  # run 0 warms the file cache and is not counted
            for number, (name, tree) in enumerate(trees.items()):
                home = shutil.copytree(template, Path(scratch) / f"home-{run}-{number}")
                seen = time_moments(tree, home)
                for moment, seconds in seen.items():
                    if run:
                        times[name][moment].append(seconds)
    print(
        f"app cold start, {args.sounds} sounds indexed, {args.runs} runs each "
        f"(load average {os.getloadavg()[0]:.1f}): median (min-max) seconds to"
    )
    print(f"  {'':<20}" + "".join(f"{moment:>22}" for moment in MOMENTS))
    for name, by_moment in times.items():
        cells = [
            f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})" for values in by_moment.values()
        ]
        print(f"  {name[:20]:<20}" + "".join(f"{cell:>22}" for cell in cells))


if __name__ == "__main__":
    main()
