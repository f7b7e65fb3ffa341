"""Watch library folders with watchdog and hand changed paths over in debounced batches.

Copying a folder of sounds raises several events per file; indexing after each would
re-read half-written files and thrash. Events only collect paths into a set; a worker
thread waits until the folders have been quiet for ``debounce_s`` (or ``max_wait_s``
has passed since the first unhandled event, so a never-ending stream is still
handled) and passes the whole set on. A set cannot lose a path however many events
arrive; the consumer rescans the paths (and the folders named), so what matters is
the state on disk when it looks, not the order of events.

inotify says nothing useful when a drive is unmounted (the watch just goes quiet) or
when a watched folder is renamed away (the watch follows it, under its old name), so a
monitor thread also checks every root's presence and (device, inode) every
``check_every_s``, through a :class:`RootProbe` that never waits longer than its
timeout (a hung network share included). A root that cannot be reached is reported to
``on_unreachable`` (which marks it offline without touching the disk); a root that is
back, or is now another folder (a remounted drive, the empty mount point left by an
unmounted one), gets a fresh watch and goes into the next batch as a path, so the
consumer rescans that folder and decides from what is there now.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from engine.library.roots import Identity, RootProbe, RootState

log = logging.getLogger(__name__)

# Events that change nothing: reading a file (which the indexer itself does) opens and
# closes it, and a folder is "modified" whenever a file inside it comes or goes.
_IGNORED = (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)

# Handles a batch of changed paths; returns False when it stopped before the end (the watcher
# was stopping, or something that must write first interrupted it): the batch is then kept and
# handed over again with the next one, unless the watcher is stopping.
ChangeHandler = Callable[[set[str]], bool | None]
UnreachableHandler = Callable[[str, str], None]  # (root, why it cannot be reached)


@dataclass(frozen=True)
class _Root:
    identity: Identity | None  # None: unreachable
    watch: ObservedWatch | None  # None: unreachable, or the OS refused the watch


class LibraryWatcher:
    def __init__(
        self,
        on_change: ChangeHandler,
        debounce_s: float = 1.0,
        max_wait_s: float = 15.0,
        *,
        on_unreachable: UnreachableHandler | None = None,
        check_every_s: float = 1.0,
        probe: RootProbe | None = None,
    ):
        self.on_change = on_change
        self.on_unreachable = on_unreachable
        self.debounce_s = debounce_s
        self.max_wait_s = max_wait_s
        self.check_every_s = check_every_s
        self.probe = probe or RootProbe()
        self._pending: set[str] = set()
        self._first_event = self._last_event = 0.0
        self._lock = threading.Condition()
        self._running = False
        self._observer = None
        self._collector = _Collector(self._add)
        self._worker: threading.Thread | None = None
        self._monitor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._roots_lock = threading.Lock()  # the monitor and set_folders() arm and disarm watches
        self._wanted: list[str] = []
        self._roots: dict[str, _Root] = {}
        # start() and stop() one at a time: a stop() (the engine closing, for a repair) while start()
        # still armed its roots joined a thread start() had made but not yet started, and failed
        self._lifecycle = threading.RLock()

    def start(self, folders: Iterable[str]) -> None:
        """Watch ``folders``; the reachable ones are watched when this returns (after at most
        the probe's timeout, however many roots hang)."""
        with self._lifecycle:
            self._start(folders)

    def _start(self, folders: Iterable[str]) -> None:
        if self._running:
            self.stop()
        self._running = True
        self._stopping.clear()
        self._observer = Observer()
        # Started before scheduling: on a running observer each schedule() starts that folder's
        # watch at once, so a folder the OS refuses fails alone instead of failing start() for all.
        self._observer.start()
        self._worker = threading.Thread(target=self._run, name="earmark-watcher", daemon=True)
        self._worker.start()
        self.set_folders(folders)
        self._monitor = threading.Thread(target=self._watch_roots, name="earmark-root-monitor", daemon=True)
        self._monitor.start()

    def set_folders(self, folders: Iterable[str]) -> None:
        """Watch exactly these folders now (after a folder is added or removed). Roots already
        watched keep their watches, so a folder the OS refused is not retried (and no watch
        restarted) after each batch; a refused one is retried when it comes back or changes."""
        self._wanted = list(folders)
        if self._running:
            self._check_roots()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` has been called: a handler asks it to end a long batch early."""
        return self._stopping.is_set()

    def stop(self) -> None:
        """Stop watching; a start() under way finishes first (at most the probe's timeout)."""
        with self._lifecycle:
            self._stop()

    def _stop(self) -> None:
        with self._lock:
            self._running = False
            self._lock.notify_all()
        self._stopping.set()
        for thread in (self._monitor, self._worker):
            if thread is not None and thread is not threading.current_thread():
                thread.join()
        self._monitor = self._worker = None
        with self._roots_lock:  # a set_folders() from another thread finishes first, or does nothing
            if self._observer is not None:
                self._observer.stop()
                self._observer.join()
                self._observer = None
            self._roots = {}

    # -- roots ------------------------------------------------------------------------

    def _watch_roots(self) -> None:
        while not self._stopping.wait(self.check_every_s):
            try:
                self._check_roots()
            except Exception:  # noqa: BLE001 - one failed round is logged; the next one tries again
                log.exception("checking the library folders failed")

    def _check_roots(self) -> None:
        with self._roots_lock:
            if not self._running:
                return
            wanted = list(self._wanted)
            states = self.probe.probe(wanted)
            for root in set(self._roots) - set(wanted):
                self._disarm(self._roots.pop(root))
            for root in wanted:
                self._update(root, states[root])

    def _update(self, root: str, state: RootState) -> None:
        known = self._roots.get(root)
        if known is not None and known.identity == state.identity:
            return
        if known is not None:
            self._disarm(known)
        self._roots[root] = _Root(state.identity, self._arm(root) if state.reachable else None)
        if not state.reachable:
            log.info("library folder %r is unreachable: %s", root, state.reason)
            if self.on_unreachable is not None:
                try:
                    self.on_unreachable(root, state.reason)
                except Exception:  # noqa: BLE001 - logged; the next index run marks it offline too
                    log.exception("handling unreachable folder %r failed", root)
        elif known is not None:  # back, or another folder now: rescan it as it is
            log.info("library folder %r is reachable again (or changed): rescanning it", root)
            self._add([root])

    def _arm(self, root: str) -> ObservedWatch | None:
        try:
            return self._observer.schedule(self._collector, root, recursive=True)
        except OSError as exc:  # the inotify watch limit, or a folder that vanished just now
            log.warning("not watching %r: %s (its changes show at the next rescan)", root, exc)
            return None

    def _disarm(self, root: _Root) -> None:
        if root.watch is not None:
            with contextlib.suppress(KeyError, OSError):  # a watch whose drive is gone may be half closed
                self._observer.unschedule(root.watch)

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
                finished = self.on_change(batch)
            except Exception:  # noqa: BLE001 - a failed batch is logged; the next full index repairs it
                log.exception("handling %d changed paths failed", len(batch))
                continue
            if finished is False and not self.stopping:
                self._add(batch)


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
