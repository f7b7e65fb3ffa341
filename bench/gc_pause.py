"""How long a full garbage collection pauses a process that holds the app's engine, its model and
a search's worth of objects, before and after ``gc.freeze()`` (which the app calls once its model
is loaded: app/engine_client.py). Python's collector walks every tracked object at a full
collection, and torch, transformers, LanceDB and the model hold some 450,000 that live as long as
the process; the pause stops every thread, the UI's included. Prints numbers; asserts nothing.

    python -m bench.gc_pause [--home DIR] [--model SPEC]
"""

from __future__ import annotations

import argparse
import gc
import os
import time

from engine.facade import Engine
from engine.paths import app_paths


def full_collection_ms(repeat: int = 3) -> float:
    """The shortest of ``repeat`` full collections, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        tic = time.perf_counter()
        gc.collect()
        best = min(best, time.perf_counter() - tic)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="an Earmark home with a library (default: $EARMARK_HOME or the user's)")
    parser.add_argument("--model", help="model spec (default: the home's setting, else builtin)")
    args = parser.parse_args()
    import PySide6.QtWidgets  # noqa: F401 - the app's own imports hold objects too

    engine = Engine(app_paths(args.home), args.model)
    engine.model  # noqa: B018 - loaded, as the app has it before the user types
    engine.search("wooden door creak")
    tracked = len(gc.get_objects())
    before = full_collection_ms()
    gc.freeze()
    after = full_collection_ms()
    engine.search("metal footsteps")
    searched = full_collection_ms()
    print(
        f"{tracked:,} objects tracked; a full collection: {before:.0f} ms before gc.freeze(), {after:.1f} ms after "
        f"({gc.get_freeze_count():,} frozen), {searched:.1f} ms after one more search; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
