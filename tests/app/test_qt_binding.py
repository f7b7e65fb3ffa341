"""The Qt binding the set-up installs must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 drops a reference to ``True`` at every signal emitted: after some
thousands of emits (a playhead emits 30 a second) ``True`` is freed and the app crashes, in CI as
a segmentation fault in whatever test ran then. On Python 3.12 and later ``True`` is immortal, so
the count would not move there either way."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QCoreApplication, QObject, Signal


class _Emitter(QObject):
    said = Signal(object)
    counted = Signal(int, int, object)


def test_emitting_signals_leaves_the_reference_counts_of_true_and_false_as_they_were(qtbot):
    emitter, heard = _Emitter(), []
    emitter.said.connect(heard.append)
    emitter.counted.connect(lambda *args: heard.append(args))
    emits = 100  # few enough that a binding losing one per emit fails here rather than freeing True
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(emits):  # delivered at once, on this thread
        emitter.said.emit(n)
        emitter.counted.emit(n, n, None)
    worker = threading.Thread(target=lambda: [emitter.said.emit(n) for n in range(emits)])  # queued to this thread
    worker.start()
    worker.join()
    QCoreApplication.processEvents()
    assert len(heard) == 3 * emits
    # A few references come and go with the objects made on the way; one lost per emit is 300.
    lost = before[0] - sys.getrefcount(True), before[1] - sys.getrefcount(False)
    assert max(lost) < 50, lost
