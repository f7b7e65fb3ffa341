"""Run ``earmark tag FOLDER`` and SIGKILL this very process at a chosen point of it.

    python tag_crash_child.py HOME CHECKPOINT FOLDER POINT N

POINT: ``after-batch`` (the Nth batch's suggestions fully written), ``inside-batch`` (the Nth
batch's old suggestions deleted, its new ones not written), ``none`` (run to the end). Batches
of 3 files make several commits in a small library.
"""

from __future__ import annotations

import functools
import os
import signal
import sys

from engine.cli import main
from engine.index.suggestions import SuggestionTable
from engine.tagging import jobs


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_after_replace(nth: int) -> None:
    original = SuggestionTable.replace
    calls = 0

    @functools.wraps(original)
    def replace(self, file_ids, rows):
        nonlocal calls
        original(self, file_ids, rows)
        calls += 1
        if calls == nth:
            die()

    SuggestionTable.replace = replace


def kill_before_append(nth: int) -> None:
    original = SuggestionTable.__init__
    appends = 0

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        add = self.table.add

        def counted_add(*a, **k):
            nonlocal appends
            appends += 1
            if appends == nth:
                die()  # the batch's delete has happened, its append never will
            return add(*a, **k)

        self.table.add = counted_add

    SuggestionTable.__init__ = init


if __name__ == "__main__":
    home, checkpoint, folder, point, nth = sys.argv[1:6]
    jobs.BATCH = 3
    if point == "after-batch":
        kill_after_replace(int(nth))
    elif point == "inside-batch":
        kill_before_append(int(nth))
    sys.exit(main(["--home", home, "--model", checkpoint, "tag", folder]))
