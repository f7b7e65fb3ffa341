"""Watch library folders with watchdog and hand changed paths over in debounced batches.

Copying a folder of sounds raises several events per file; indexing after each would
re-read half-written files and thrash. Events only collect paths into a set; a worker
thread waits until the folders have been quiet for ``debounce_s`` (or ``max_wait_s``
has passed since the first unhandled event, so a never-ending stream is still
handled) and passes the whole set on. A set cannot lose a path however many events
arrive; the consumer rescans the paths (and the folders named), so what matters is
the state on disk when it looks, not the order of events.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from watchdog.events import (DirModifiedEvent, FileClosedNoWriteEvent, FileOpenedEvent, FileSystemEvent,
                             FileSystemEventHandler)
from watchdog.observers import Observer

log = logging.getLogger(__name__)

# Events that change nothing: reading a file (which the indexer itself does) opens and
# closes it, and a folder is "modified" whenever a file inside it comes or goes.
_IGNORED = (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)

ChangeHandler = Callable[[set[str]], None]


class LibraryWatcher:
    def __init__(self, on_change: ChangeHandler, debounce_s: float = 1.0, max_wait_s: float = 15.0):
        self.on_change = on_change
        self.debounce_s = debounce_s
        self.max_wait_s = max_wait_s
        self._pending: set[str] = set()
        self._first_event = self._last_event = 0.0
        self._lock = threading.Condition()
        self._running = False
        self._observer = None
        self._worker: threading.Thread | None = None
        self._asked: list[str] = []  # the reachable folders last asked for, watched or refused

    def start(self, folders: Iterable[str]) -> None:
        if self._running:
            self.stop()
        self._running = True
        self._worker = threading.Thread(target=self._run, name="earmark-watcher", daemon=True)
        self._worker.start()
        self._observe(folders)

    def set_folders(self, folders: Iterable[str]) -> None:
        """Watch exactly these folders now (after a folder is added, removed or back online);
        nothing is restarted when the reachable ones are those last asked for, so a folder the
        OS refused is not retried (and every watch restarted) after each batch."""
        reachable = [f for f in folders if os.path.isdir(f)]
        if self._running and reachable != self._asked:
            self._observe(reachable)

    def stop(self) -> None:
        with self._lock:
            self._running = False
            self._lock.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join()
        self._worker = None

    def _observe(self, folders: Iterable[str]) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
        # Started before scheduling: on a running observer each schedule() starts that folder's
        # watch at once, so a folder the OS refuses fails alone instead of failing start() for all.
        observer = Observer()
        observer.start()
        handler = _Collector(self._add)
        self._asked = []
        for folder in folders:
            if not os.path.isdir(folder):
                log.info("not watching %r: it is not reachable", folder)
                continue
            self._asked.append(folder)
            try:
                observer.schedule(handler, folder, recursive=True)
            except OSError as exc:  # the inotify watch limit, or a folder that vanished just now
                log.warning("not watching %r: %s (its changes show at the next rescan)", folder, exc)
                continue
        self._observer = observer

    def _add(self, paths: Iterable[str]) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._pending:
                self._first_event = now
            self._pending.update(paths)
            self._last_event = now
            self._lock.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._running and not self._pending:
                    self._lock.wait()
                if not self._running:
                    return
                now = time.monotonic()
                wait = min(self._last_event + self.debounce_s, self._first_event + self.max_wait_s) - now
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                batch, self._pending = self._pending, set()
            try:
                self.on_change(batch)
            except Exception:  # noqa: BLE001 - a failed batch is logged; the next full index repairs it
                log.exception("handling %d changed paths failed", len(batch))


class _Collector(FileSystemEventHandler):
    def __init__(self, add: Callable[[Iterable[str]], None]):
        self.add = add

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, _IGNORED):
            return
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", ""):
            paths.append(os.fsdecode(event.dest_path))
        self.add(paths)
