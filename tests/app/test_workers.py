"""Work off the UI thread: a failure reaches the UI as one line a sound designer can act on."""

from __future__ import annotations

import struct

import pytest
from PySide6.QtCore import QThreadPool

from app.workers import submit


def _raise(exc: BaseException) -> None:
    raise exc


@pytest.mark.parametrize(
    "exc, shown",
    [
        (OSError(28, "No space left on device"), "[Errno 28] No space left on device"),  # says it all: no kind
        (ZeroDivisionError("division by zero"), "ZeroDivisionError: division by zero"),  # a bug: named by its kind
        (struct.error(), "struct.error"),  # nothing to say but its kind
    ],
)
def test_a_failed_task_reports_one_line(qtbot, exc, shown):
    pool = QThreadPool()
    messages: list[str] = []
    submit(pool, _raise, exc, on_failed=messages.append)  # connected before the task starts
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages == [shown]
    pool.waitForDone()
