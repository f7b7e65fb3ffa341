"""How long the first search after the model loads takes, with and without the app's warm-up
search (``Engine.warm_up``, called by app/engine_client.py once the model is loaded), against the
searches after it. Each start is a fresh process (the word lists and table handles it warms live
as long as the process), the two kinds taking turns. Prints numbers; asserts nothing.

    python -m bench.first_search [--home DIR] [--model SPEC] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from engine.facade import Engine
from engine.paths import app_paths

QUERIES = ("wooden door creak", "explosion long", "footsteps on gravel", "laser")


def one_start(home: str | None, model: str | None, warm: bool) -> list[float]:
    """The milliseconds of :data:`QUERIES`, searched in order once the model is loaded."""
    with Engine(app_paths(home), model) as engine:
        engine.model  # noqa: B018 - loaded, as the app has it before the user types
        if warm:
            engine.warm_up()
        took = []
        for query in QUERIES:
            tic = time.perf_counter()
            engine.search(query, limit=500)
            took.append((time.perf_counter() - tic) * 1000)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="an Earmark home with a library (default: $EARMARK_HOME or the user's)")
    parser.add_argument("--model", help="model spec (default: the home's setting, else builtin)")
    parser.add_argument("--rounds", type=int, default=3, help="starts of each kind")
    parser.add_argument("--one", choices=("cold", "warm"), help=argparse.SUPPRESS)  # a child process's start
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_start(args.home, args.model, args.one == "warm")))
        return

    def start(kind: str) -> list[float]:
        command = [sys.executable, "-m", "bench.first_search", "--one", kind, "--rounds", "1"]
        command += [f"--{name}={value}" for name, value in (("home", args.home), ("model", args.model)) if value]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    runs: dict[str, list[list[float]]] = {"cold": [], "warm": []}
    for _ in range(args.rounds):
        for kind in runs:
            runs[kind].append(start(kind))
    print("| start | first search (median ms) | later searches (median ms) | first / later |")
    print("|---|---|---|---|")
    for kind, took in runs.items():
        first = statistics.median(t[0] for t in took)
        later = statistics.median(x for t in took for x in t[1:])
        label = "cold (no warm-up)" if kind == "cold" else "after Engine.warm_up()"
        print(f"| {label} | {first:.0f} | {later:.0f} | {first / later:.2f} |")
    print(f"\n{args.rounds} starts of each kind; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
