"""Run ``earmark index`` and SIGKILL this very process at a chosen point of it.

    python crash_child.py HOME CHECKPOINT POINT N

POINT: ``after-commit`` (the Nth batch fully written), ``vectors-not-records`` (the Nth
batch's vectors written, its records not), ``delete-not-append`` (a file's old windows
deleted, the new ones not added), ``timer`` (N milliseconds into the run: anywhere,
inside LanceDB writes included), ``none`` (run to the end). Small batches make many
commits, so the kill points fall between and inside them.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading

from engine import facade
from engine.cli import main
from engine.index.store import LibraryStore
from engine.index.vectors import EmbeddingTable
from engine.library.indexer import Indexer, IndexerOptions


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_after_call(owner: type, name: str, nth: int) -> None:
    original = getattr(owner, name)
    calls = 0

    @functools.wraps(original)
    def wrapped(*args, **kwargs):
        nonlocal calls
        result = original(*args, **kwargs)
        calls += 1
        if calls == nth:
            die()
        return result

    setattr(owner, name, wrapped)


def kill_after_delay(milliseconds: int) -> None:
    original = Indexer.index

    def timed(self, *args, **kwargs):
        threading.Timer(milliseconds / 1000, die).start()
        return original(self, *args, **kwargs)

    Indexer.index = timed


if __name__ == "__main__":
    home, checkpoint, point, nth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    facade.Engine._indexer = lambda self, model: Indexer(
        self.store, model, IndexerOptions(batch_size=3, commit_every=2), self._row_lock
    )
    if point == "after-commit":
        kill_after_call(LibraryStore, "commit_embedded", nth)
    elif point == "vectors-not-records":
        kill_after_call(EmbeddingTable, "replace", nth)
    elif point == "delete-not-append":
        kill_after_call(EmbeddingTable, "delete", nth)
    elif point == "timer":
        kill_after_delay(nth)
    sys.exit(main(["--home", home, "--model", checkpoint, "index"]))
