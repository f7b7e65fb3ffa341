"""Running engine calls off the UI thread.

Every slow call (model loading, search, indexing, waveform peaks, region
writing) goes through :func:`submit`: the function runs on a ``QThreadPool``
and its result or a one-line, readable error comes back as a queued signal on
the UI thread. Tracebacks go to the log file, never to the user.

The answers travel through one signal object that lives on the UI thread for
the app's whole life. A signal object per task would have to be deleted once
its answer arrived, and a Qt object must be deleted on its own thread: the
last reference to a task is often dropped on the pool's thread, and Python's
cycle collector runs on whichever thread happens to allocate.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from engine.logs import described

log = logging.getLogger(__name__)
_SAY_WHAT_WENT_WRONG = (OSError, ValueError, LookupError, RuntimeError)  # messages that need no kind before them
_DONE, _FAILED, _PROGRESS = range(3)


def user_message(exc: BaseException) -> str:
    """One line a sound designer can act on; our own errors already carry such a message."""
    ours = isinstance(exc, _SAY_WHAT_WENT_WRONG) or type(exc).__module__.startswith("engine")
    text = str(exc).strip()
    return text.splitlines()[0] if ours and text else described(exc)


@dataclass
class _Waiting:
    """What the UI thread does with a task's answers, kept until its result or failure arrives."""

    callbacks: tuple[Callable | None, Callable | None, Callable | None]  # on_done, on_failed, on_progress
    context: QObject | None

    def deliver(self, kind: int, payload: Any) -> None:
        callback = self.callbacks[kind]
        if callback is not None and (self.context is None or shiboken6.isValid(self.context)):
            callback(payload)


class _Answers(QObject):
    """Carries every task's answers to the UI thread, where it was made."""

    answered = Signal(int, int, object)  # task number, _DONE/_FAILED/_PROGRESS, result or message or progress

    def __init__(self):
        super().__init__()
        self.waiting: dict[int, _Waiting] = {}
        self.numbers = itertools.count()
        self.answered.connect(self._deliver)

    def _deliver(self, number: int, kind: int, payload: Any) -> None:
        waiting = self.waiting.get(number) if kind == _PROGRESS else self.waiting.pop(number, None)
        if waiting is not None:
            waiting.deliver(kind, payload)


_answers: _Answers | None = None


def _the_answers() -> _Answers:
    global _answers
    if _answers is None:  # made on first use, on the UI thread that submits
        _answers = _Answers()
    return _answers


class Task(QRunnable):
    """``fn(*args, **kwargs)`` on a pool thread, its answers sent as task ``number``; with
    ``with_progress`` it is given a ``progress`` callback."""

    def __init__(self, answers: _Answers, number: int, fn: Callable[..., Any], args, kwargs, with_progress: bool):
        super().__init__()
        self._answers, self._number = answers, number
        self._call = (fn, args, kwargs, with_progress)

    def run(self) -> None:
        fn, args, kwargs, with_progress = self._call
        answer = self._answers.answered.emit
        if with_progress:
            kwargs = {**kwargs, "progress": lambda value: answer(self._number, _PROGRESS, value)}
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # every failure becomes a message; the UI must survive it
            log.exception("background task %s failed", getattr(fn, "__qualname__", fn))
            answer(self._number, _FAILED, user_message(exc))
        else:
            answer(self._number, _DONE, result)


def submit(
    pool: QThreadPool,
    fn: Callable[..., Any],
    *args,
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[str], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    context: QObject | None = None,
    **kwargs,
) -> None:
    """Run ``fn`` on ``pool`` (call this on the UI thread); the callbacks run on the UI thread, and
    not at all once ``context`` (the widget they update) has been destroyed."""
    answers = _the_answers()
    number = next(answers.numbers)
    answers.waiting[number] = _Waiting((on_done, on_failed, on_progress), context)
    pool.start(Task(answers, number, fn, args, kwargs, with_progress=on_progress is not None))
