"""Running engine calls off the UI thread.

Every slow call (model loading, search, indexing, waveform peaks, region
writing) goes through :func:`submit`: the function runs on a ``QThreadPool``
and its result or a one-line, readable error comes back as a queued signal on
the UI thread. Tracebacks go to the log file, never to the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from engine.logs import described

log = logging.getLogger(__name__)
_SAY_WHAT_WENT_WRONG = (OSError, ValueError, LookupError, RuntimeError)  # messages that need no kind before them
_running: set[Task] = set()  # keeps each task (and its signal object) alive until its answer is delivered


def user_message(exc: BaseException) -> str:
    """One line a sound designer can act on; our own errors already carry such a message."""
    ours = isinstance(exc, _SAY_WHAT_WENT_WRONG) or type(exc).__module__.startswith("engine")
    text = str(exc).strip()
    return text.splitlines()[0] if ours and text else described(exc)


class TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(object)


class Task(QRunnable):
    """``fn(*args, **kwargs)`` on a pool thread; pass ``with_progress=True`` to give it a ``progress`` callback."""

    def __init__(self, fn: Callable[..., Any], *args, with_progress: bool = False, **kwargs):
        super().__init__()
        self.signals = TaskSignals()
        self._call = (fn, args, kwargs, with_progress)

    def run(self) -> None:
        fn, args, kwargs, with_progress = self._call
        if with_progress:
            kwargs = {**kwargs, "progress": self.signals.progress.emit}
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # every failure becomes a message; the UI must survive it
            log.exception("background task %s failed", getattr(fn, "__qualname__", fn))
            self.signals.failed.emit(user_message(exc))
        else:
            self.signals.done.emit(result)


def _while_alive(context: QObject | None, callback: Callable) -> Callable:
    """``callback`` that does nothing once ``context`` (the widget it updates) has been destroyed."""
    if context is None:
        return callback
    return lambda *args: callback(*args) if shiboken6.isValid(context) else None


def submit(
    pool: QThreadPool,
    fn: Callable[..., Any],
    *args,
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[str], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    context: QObject | None = None,
    **kwargs,
) -> Task:
    """Run ``fn`` on ``pool``; the callbacks run on the UI thread, and not at all once ``context`` is gone."""
    task = Task(fn, *args, with_progress=on_progress is not None, **kwargs)
    for signal, callback in (
        (task.signals.done, on_done),
        (task.signals.failed, on_failed),
        (task.signals.progress, on_progress),
    ):
        if callback:
            signal.connect(_while_alive(context, callback))
    task.signals.done.connect(lambda _result: _running.discard(task))
    task.signals.failed.connect(lambda _message: _running.discard(task))
    _running.add(task)
    pool.start(task)
    return task
