"""Run by test_index_crash: rewrite files' windows round after round until killed.

Round r gives every file (r % 3) + 1 windows starting at r * 100 seconds, and adds one
new file, so a kill can land between any two LanceDB commits of a round.
"""

from __future__ import annotations

import sys

import numpy as np

from engine.index import LibraryStore, Windows
from tests.engine.index.index_factories import model_info, record

FILES = 12


def windows_for_round(r: int) -> Windows:
    n = r % 3 + 1
    starts = r * 100.0 + np.arange(n)
    return Windows(starts, starts + 1.0, np.random.default_rng(r).standard_normal((n, 8)))


def main(db_path: str, first_round: int) -> None:
    store = LibraryStore(db_path, optimize_every=7)  # compactions and index updates get killed too
    model = model_info()
    for r in range(first_round, first_round + 10_000):
        names = [f"f{i}.wav" for i in range(FILES)] + [f"new{r}.wav"]
        store.commit_embedded(model, [(record(name), windows_for_round(r)) for name in names])
        print(r, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
