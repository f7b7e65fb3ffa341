"""The reader thread: a producer that never answers costs the caller its budget, not its run."""

from __future__ import annotations

import threading
import time

import pytest

from engine.library.deadline import BackgroundReader, FileBudget, OverBudget, Stopped, call_within


def hangs(forever: threading.Event):
    forever.wait()  # like a read on a dead network share: never returns
    yield "never"


def test_a_producer_that_hangs_is_given_up_after_its_budget():
    forever = threading.Event()
    reader = BackgroundReader(lambda: hangs(forever))
    started = time.monotonic()
    with pytest.raises(OverBudget, match="reading took longer than"):
        reader.next(lambda: 0.3, lambda: False)
    assert 0.3 <= reader.waited_s < 30 and time.monotonic() - started < 30
    forever.set()  # let the stuck thread end


def test_a_stop_request_is_heard_while_waiting():
    forever = threading.Event()
    asked = time.monotonic() + 0.3
    with pytest.raises(Stopped):
        call_within(lambda: forever.wait() and "never", 3600, lambda: time.monotonic() > asked)
    forever.set()


def test_items_errors_and_the_end_come_through_in_order():
    def produce():
        yield 1
        yield 2
        raise ValueError("damaged at 2")

    reader = BackgroundReader(produce)
    assert [reader.next(lambda: 60, lambda: False) for _ in range(2)] == [1, 2]
    with pytest.raises(ValueError, match="damaged at 2"):
        reader.next(lambda: 60, lambda: False)
    assert call_within(lambda: "hash", 60, lambda: False) == "hash"
    done = BackgroundReader(lambda: iter(()))
    assert done.next(lambda: 60, lambda: False) is None


def test_a_closed_reader_stops_its_producer_and_closes_its_generator():
    closed = threading.Event()

    def produce():
        try:
            yield from range(10**9)
        finally:
            closed.set()  # a decoder's with-block: the open file is closed in its own thread

    reader = BackgroundReader(produce)
    assert reader.next(lambda: 60, lambda: False) == 0
    reader.close()
    assert closed.wait(10)


def test_a_budget_grows_with_the_audio_and_the_bytes():
    budget = FileBudget(base_s=60, per_audio_second_s=0.1, per_megabyte_s=0.1)
    assert budget.for_audio(None) == 60 and budget.for_audio(3600) == pytest.approx(420)
    assert budget.for_bytes(100_000_000) == pytest.approx(70)
