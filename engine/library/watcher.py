"""Watch library folders with watchdog and hand changed paths over in debounced batches.

Copying a folder of sounds raises several events per file; indexing after each would
re-read half-written files and thrash. Events only collect paths into a set; a worker
thread waits until no new path has joined it for ``debounce_s`` (or ``max_wait_s`` has
passed since the first unhandled event, so a never-ending stream is still handled) and
passes the whole set on. A set cannot lose a path however many events arrive; the
consumer rescans the paths (and the folders named), so what matters is the state on disk
when it looks, not the order of events.

A file still being written (a big take copied from a slow drive or a NAS) keeps raising
events, so ``max_wait_s`` would hand it over half copied, to be reported "truncated" and
then silently indexed once complete. A path with an event in the last ``settle_s`` is
therefore held back, with every pending folder it lies in (rescanning the folder would read
it too), until it has been quiet that long: the rest of the batch goes on without it. A file
written for longer than ``max_hold_s`` (a recording, a log) is handed over as it is, and held
again with its next events. A file that is quiet and still broken is handed over, and its
failure reported, as before.

So the debounce waits for paths to stop arriving, not for each path to stop changing: that is
the settle rule's work. A file growing for minutes raises a write every few hundred
milliseconds; had its writes restarted the debounce, every finished file beside it would wait
for ``max_wait_s`` although it settled long before.

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
import math
import os
import threading
import time
import warnings
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


@dataclass
class _Pending:
    """When a path's first unhandled event came, and its latest one that wrote (monotonic)."""

    first: float
    last_write: float


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
        settle_s: float | None = None,
        max_hold_s: float = 300.0,
    ):
        """``settle_s``: how long a path must have had no event to count as written (None:
        twice ``debounce_s``); ``max_hold_s``: how long a path that keeps changing is held
        back at most, counted from its first event."""
        self.on_change = on_change
        self.on_unreachable = on_unreachable
        self.debounce_s = debounce_s
        self.max_wait_s = max_wait_s
        self.settle_s = 2 * debounce_s if settle_s is None else settle_s
        self.max_hold_s = max_hold_s
        self.check_every_s = check_every_s
        self.probe = probe or RootProbe()
        self._pending: dict[str, _Pending] = {}
        self._first_event = self._last_arrival = 0.0  # the first unhandled event; the last path new to the set
        self._held_until = 0.0  # paths held back as still written are looked at again then, together
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
        _quiet_watchdog_bookkeeping()
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
            self._add([root], written=False)

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

    def _add(self, paths: Iterable[str], written: bool = True) -> None:
        """Collect ``paths`` for the next batch; ``written`` is False for a path to rescan that
        no write touched (a root that came back, a batch handed over again), never held back.
        Only a path new to the set restarts the debounce: another write to a pending path only
        holds that path longer (see :meth:`_settled`), so a file still growing does not keep the
        settled ones beside it waiting."""
        now = time.monotonic()
        with self._lock:
            if not self._pending:
                self._first_event = now
            for path in paths:
                pending = self._pending.get(path)
                if pending is None:
                    pending = self._pending[path] = _Pending(now, -math.inf)
                    self._last_arrival = now
                if written:
                    pending.last_write = now
            self._lock.notify_all()

    def _settled(self, now: float) -> tuple[set[str], float]:
        """The pending paths to hand over now, and when the last held-back path is due (those a
        burst of writes left busy go on together, not one batch each as they settle): a path
        written in the last ``settle_s`` (for no longer than ``max_hold_s``) is held, and so is
        every pending folder above it, whose rescan would read the half-written file too."""
        busy = {
            path: min(pending.last_write + self.settle_s, pending.first + self.max_hold_s)
            for path, pending in self._pending.items()
            if now - pending.last_write < self.settle_s and now - pending.first < self.max_hold_s
        }
        held = set()
        for path in busy:
            while path not in held:
                held.add(path)
                path = os.path.dirname(path)
        return set(self._pending) - held, max(busy.values(), default=now)

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._running and not self._pending:
                    self._lock.wait()
                if not self._running:
                    return
                now = time.monotonic()
                due = min(self._last_arrival + self.debounce_s, self._first_event + self.max_wait_s)
                due = max(due, self._held_until)
                if due > now:
                    self._lock.wait(due - now)
                    continue
                batch, self._held_until = self._settled(now)
                if not batch:
                    continue
                for path in batch:
                    del self._pending[path]
                self._first_event = now  # for the paths held back: they wait for their own quiet
            try:
                finished = self.on_change(batch)
            except Exception:  # noqa: BLE001 - a failed batch is logged; the next full index repairs it
                log.exception("handling %d changed paths failed", len(batch))
                continue
            if finished is False and not self.stopping:
                self._add(batch, written=False)


def _quiet_watchdog_bookkeeping() -> None:
    """Keep watchdog's inotify backend from warning about its own watches. A folder moved inside a
    watched one (``mv krank/space moved/space`` just after ``mkdir moved``) is walked under its new
    name before the move's event is read, so watchdog registers its callback on that folder's watch
    a second time: "Callback with id ... already exists for watch ... It will be Overwritten", a
    RuntimeWarning with every watched folder's path in it, thousands of characters on the user's
    terminal (review 16, L12). The callback is overwritten by itself and the watches stay right
    (the move reaches the batch, as a delete and a create, and the index follows the files by their
    bytes), so the warning says nothing the user can act on; the batch's index run is logged in one
    line as any is. Set at each start: the filters are the process's, and a caller (a test's
    ``catch_warnings``) may have put them back since."""
    warnings.filterwarnings("ignore", r"Callback with id '\d+' ", RuntimeWarning, r"watchdog\.")


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
