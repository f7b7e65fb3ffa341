"""The app's one door to the engine: every facade call runs on a worker, answers come back as signals.

Three pools keep the kinds of work from queueing behind each other: searches
(one at a time, stale ones skipped), indexing (one long job that pauses by
waiting inside its ``should_stop`` callback), and everything else.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.workers import submit
from engine.paths import AppPaths


def _pool(threads: int) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    return pool


def _open_engine(paths: AppPaths, model_spec: str | None):
    from engine.facade import Engine

    return Engine(paths, model_spec)


class EngineClient(QObject):
    ready = Signal(object)  # the model's ModelInfo
    unavailable = Signal(str)  # the engine could not start: a sentence for the user
    results = Signal(str, list, float)  # query, hits, seconds
    similar_results = Signal(str, list, float)  # path, hits, seconds
    folders_changed = Signal(list)
    failures_changed = Signal(list)
    index_progress = Signal(object)
    index_finished = Signal(object)
    library_changed = Signal()  # the watcher saw files change (any thread)
    edited = Signal()  # tags or caption were saved
    error = Signal(str)

    def __init__(self, paths: AppPaths, model_spec: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.paths = paths
        self.model_spec = model_spec
        self.engine = None
        self.search_pool, self.index_pool, self.work_pool = _pool(1), _pool(1), _pool(2)
        self._search_generation = 0
        self._resume = threading.Event()
        self._resume.set()
        self._cancel = threading.Event()
        self.indexing = False

    def _submit(self, pool: QThreadPool, fn, *args, **kwargs):
        return submit(pool, fn, *args, context=self, **kwargs)

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Open the library and load the model off the UI thread (importing torch alone takes seconds)."""
        self._submit(self.work_pool, _open_engine, self.paths, self.model_spec, on_done=self._started,
               on_failed=self.unavailable)

    def _started(self, engine) -> None:
        self.engine = engine
        engine.start_watching(lambda *_change: self.library_changed.emit())
        self.ready.emit(engine.model_info)
        self.refresh_library()

    def shutdown(self) -> None:
        self._cancel.set()
        self._resume.set()
        for pool in (self.search_pool, self.index_pool, self.work_pool):
            pool.waitForDone(10_000)
        if self.engine is not None:
            self.engine.stop_watching()
            self.engine.close()
            self.engine = None

    # -- searching -----------------------------------------------------------------------------
    def search(self, query: str, filters, limit: int) -> None:
        self._search_generation += 1
        generation = self._search_generation

        def run():
            if generation != self._search_generation:  # typed on since: skip the stale query
                return None
            started = time.perf_counter()
            hits = self.engine.search(query, filters=filters, limit=limit)
            return hits, time.perf_counter() - started

        self._submit(self.search_pool, run, on_failed=self.error,
               on_done=lambda answer: answer and generation == self._search_generation
               and self.results.emit(query, answer[0], answer[1]))

    def similar(self, path: str, limit: int) -> None:
        self._search_generation += 1
        generation = self._search_generation

        def run():
            started = time.perf_counter()
            hits = self.engine.similar(path, limit=limit)
            return hits, time.perf_counter() - started

        self._submit(self.search_pool, run, on_failed=self.error,
               on_done=lambda answer: generation == self._search_generation
               and self.similar_results.emit(path, answer[0], answer[1]))

    # -- the library ---------------------------------------------------------------------------
    def refresh_library(self) -> None:
        self._submit(self.work_pool, self.engine.folders, on_done=self.folders_changed, on_failed=self.error)
        self._submit(self.work_pool, self.engine.failed_files, on_done=self.failures_changed, on_failed=self.error)

    def add_folder(self, path: str) -> None:
        self._then_index(self.engine.add_folder, path)

    def remove_folder(self, path: str) -> None:
        self._submit(self.work_pool, self.engine.remove_folder, path, on_done=lambda _: self.refresh_library(),
               on_failed=self.error)

    def _then_index(self, call: Callable, *args) -> None:
        def after(_result) -> None:
            self.refresh_library()
            self.index()
        self._submit(self.work_pool, call, *args, on_done=after, on_failed=self.error)

    def index(self) -> None:
        """Scan every folder (incremental); a second call while one runs is ignored."""
        if self.indexing or self.engine is None:
            return
        self.indexing = True
        self._cancel.clear()
        self._resume.set()

        def finished(report) -> None:
            self.indexing = False
            self.refresh_library()
            self.index_finished.emit(report)

        def failed(message: str) -> None:
            self.indexing = False
            self.error.emit(message)
            self.index_finished.emit(None)

        self._submit(self.index_pool, self.engine.index, progress=self.index_progress.emit,
               should_stop=self._should_stop, on_done=finished, on_failed=failed)

    def set_paused(self, paused: bool) -> None:
        self._resume.clear() if paused else self._resume.set()

    def _should_stop(self) -> bool:
        """Indexer thread: blocks while paused, so pause keeps the scan's place and counts."""
        self._resume.wait()
        return self._cancel.is_set()

    # -- editing -----------------------------------------------------------------------------------
    def set_tags(self, tags_by_path: dict[str, list[str]]) -> None:
        groups: dict[tuple[str, ...], list[str]] = {}
        for path, tags in tags_by_path.items():
            groups.setdefault(tuple(tags), []).append(path)

        def run():
            for tags, paths in groups.items():
                self.engine.set_tags(paths, list(tags))

        self._submit(self.work_pool, run, on_done=lambda _: self.edited.emit(), on_failed=self.error)

    def set_caption(self, paths: list[str], caption: str) -> None:
        def run():
            for path in paths:
                self.engine.set_caption(path, caption)

        self._submit(self.work_pool, run, on_done=lambda _: self.edited.emit(), on_failed=self.error)