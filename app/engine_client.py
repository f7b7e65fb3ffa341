"""The app's one door to the engine: every facade call runs on a worker, answers come back as signals.

Separate pools keep the kinds of work from queueing behind each other:
searches (one at a time, stale ones skipped), indexing (one long job), tag and
caption edits (one at a time), and everything else. Pausing stops the indexing run (the engine keeps what it
finished and
holds no lock while paused, so edits and the watcher go on); resuming starts
an incremental run that picks up where it stopped. The engine
opens without its model: its index first (the folders and words searches work
within a second or two), then the rest of it; the model loads next, and when
it cannot, the window says why and searches text only.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.finetune_client import FinetuneClient
from app.tagging_client import TaggingClient
from app.workers import submit
from engine.paths import AppPaths
from engine.plural import counted
from engine.search.filters import BY_PATH, BrowseOrder, SearchFilters
from engine.settings import Settings


def _pool(threads: int) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    return pool


def _open_engine(paths: AppPaths, model_spec: str | None, download_progress):
    """Worker: open the library's index (importing LanceDB, a second or so). Neither torch nor the
    model is loaded here: the window shows the folders and searches words as soon as this returns."""
    from engine.facade import Engine

    return Engine(paths, model_spec, download_progress=download_progress)


def _import_torch() -> None:
    """Worker of :attr:`EngineClient.torch_pool` alone. torch's first import binds pybind11's
    thread state to the thread doing it, and a pool thread's Python thread state ends with its
    task: a later task on that thread whose torch call takes pybind11's GIL (the model load's
    first tensor) used the freed state and crashed the app. The thread that imports torch runs
    nothing else; again (a repaired library reopening) the import is only a lookup."""
    from engine.models.base import import_runtime

    import_runtime()


def _open_tagging(engine):
    """Worker: make the engine's tagging (its modules import torch, seconds on a cold start)
    here rather than on the UI thread at its first use: the rename menu reads it as soon as the
    library is :attr:`EngineClient.opened`."""
    engine.tagging  # noqa: B018 - made on first use
    return engine


def _load_model(engine, on_change, progress):
    """Worker: load the model (a hub model downloads here), start the watcher, which needs it,
    and warm the search up, so the first one the user types is as quick as the rest."""
    info = engine.model_info
    engine.start_watching(on_change, progress)
    engine.warm_up()
    return info


def builtin_model_installed() -> bool:
    from engine.models.folders import is_checkpoint
    from engine.models.registry import BUILTIN_DIR

    return is_checkpoint(BUILTIN_DIR)


def describe_report(report) -> str:
    """An indexing run in one status-bar line; "" for a run that saw no sound and did nothing (no
    folders yet, or none with a sound in it): a library of nothing is not "up to date"."""
    parts = [report.summary(zeros=False, where_listed=" (see Failed files)"), *_folder_news(report)]
    if not report.scanned and not report.stopped and not any(parts):
        return ""
    summary = ", ".join(filter(None, parts)) or "no changes"
    return f"{'Indexing paused' if report.stopped else 'Library up to date'}: {summary} · {report.seconds:.1f} s"


def describe_watched(report) -> str:
    """What a batch the folder watcher indexed, or a folder it saw go, says in the status bar: only
    what the user must know, a file that failed ("broken.wav could not be indexed (see Failed
    files)"), files found again under a folder's new name ("18 files moved from “C renamed”": a
    renamed folder's files, tags and all, followed), a folder offline or back, sounds in a format
    Earmark cannot read; "" for a batch that went well (the results say the rest)."""
    parts = []
    if errors := report.errors:
        failed = os.path.basename(errors[0].path) if len(errors) == 1 else counted(len(errors), "file")
        parts.append(f"{failed} could not be indexed (see Failed files)")
    if report.moved_from:
        moved = counted(sum(report.moved_from.values()), "file")
        parts.append(f"{moved} moved from {_folders_said(list(report.moved_from))}")
    return ", ".join(filter(None, [*parts, *_folder_news(report)]))


def _folder_news(report) -> list[str]:
    """What a run says of the library's folders and of the sounds it cannot read ("" where nothing):
    a folder by its name ("“SFX Drive” offline"; "1 folder offline" left the user to find which),
    several by their count, listed by :func:`folder_news_details`."""
    parts = []
    if report.offline_folders:
        parts.append(f"{_folders_said(report.offline_folders)} offline")
    if report.back_online:  # its files found as they are again: said, as going offline is
        parts.append(f"{_folders_said(report.back_online)} back online")
    return [*parts, report.unreadable_formats_line()]


def _folders_said(folders: list[str]) -> str:
    return f"“{os.path.basename(folders[0]) or folders[0]}”" if len(folders) == 1 else counted(len(folders), "folder")


def folder_news_details(report) -> str:
    """The folders a run's line names or counts, each by its whole path (the status bar's tooltip
    over the line): "Offline: /Volumes/SFX Drive", one a line, those its files moved from first
    ("Moved from: /Volumes/C renamed (18 files)": "21 files moved from 2 folders" named none of
    them); "" when there are none."""
    moved = [f"Moved from: {folder} ({counted(n, 'file')})" for folder, n in report.moved_from.items()]
    said = [("Offline", report.offline_folders), ("Back online", report.back_online)]
    return "\n".join([*moved, *(f"{what}: {folder}" for what, folders in said for folder in folders)])


BUILTIN_MISSING = (
    "The builtin model is not installed in this copy of Earmark. Until you pick another "
    "model in Settings, search matches names, metadata, tags and captions only."
)
# A watcher batch shows its progress once it has run this long: a file saved is indexed in a blink
WATCH_SHOWN_AFTER_S = 1.0
LIBRARY_CLOSED = "The library is not open yet: try again in a moment."


def model_problem(message: str, spec: str | None) -> str:
    """Why there is no model, said for a window rather than a terminal."""
    if spec in (None, "", "builtin") and not builtin_model_installed():
        return BUILTIN_MISSING
    return f"The model could not be loaded: {message} Search matches names and metadata only until it is fixed."


class EngineClient(QObject):
    index_opened = Signal()  # the index can be read: the folders, words searches (the rest of the library opens next)
    opened = Signal()  # the library is open (with or without a model); the model loads next
    ready = Signal(object)  # the model's ModelInfo
    unavailable = Signal(str)  # no model: a sentence for the user
    results = Signal(str, object, float)  # query, SearchResults (the hits and what the search read), seconds
    similar_results = Signal(str, list, float)  # path, hits, seconds
    folders_changed = Signal(list)
    descriptions_held = Signal(bool)  # whether a sound of the library says what it is (the results' Description)
    folder_edits_counted = Signal(str, int)  # a library folder, how many of its files carry the user's tags or caption
    folder_added = Signal(str)  # a library folder, once folders_changed has listed it (its indexing starts)
    folder_removed = Signal(str)
    # the failed files' records, the sounds in formats it cannot read, the records of files indexed with a warning
    failures_changed = Signal(list, list, list)
    index_progress = Signal(object)
    similar_failed = Signal(str, str)  # the file whose likes were asked for, what went wrong
    index_finished = Signal(object)  # IndexReport, or None when the run failed
    index_paused = Signal()
    library_changed = Signal(object)  # the watcher's IndexReport of what it indexed (emitted from its thread)
    # A watcher batch's IndexProgress, as index_progress, once the batch has run WATCH_SHOWN_AFTER_S;
    # then None when it ends (a batch that ended sooner says nothing: saving one file flashed a bar)
    watch_progress = Signal(object)
    # Byte counts travel as Python objects: a Qt int is 32-bit and model files pass 2 GiB.
    download_progress = Signal(str, object, object)  # what, bytes done, bytes total or None
    switch_progress = Signal(int, int)  # files re-embedded for a new model, of how many
    edited = Signal()  # tags or caption were saved
    error = Signal(str)
    # the index cannot be read: which parts, in words (repair() is the way out), then what the storage said
    damaged = Signal(str, str)
    repaired = Signal(object)  # a RepairReport, once the index is rebuilt and open again
    _switch_done = Signal(str)  # from the switch thread: error text, "" when the new model is active

    def __init__(self, paths: AppPaths, model_spec: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.paths = paths
        self.model_spec = model_spec
        self.engine = None
        self.model_info = None
        self.model_failure = ""  # why the model could not load, in words; "" while it loads or once it has
        self.search_pool, self.index_pool, self.work_pool = _pool(1), _pool(1), _pool(2)
        # Edits run one at a time: two concurrent read-modify-writes of one file row lose one of them.
        self.edit_pool = _pool(1)
        # Model switches too, in the order asked: starting one cancels and waits for the last, which
        # may wait for a long index run's lock, so never on the UI thread.
        self.switch_pool = _pool(1)
        self.torch_pool = _pool(1)  # imports torch and does nothing else (see _import_torch)
        self._search_generation = 0
        self._cancel = threading.Event()  # the app is closing
        self._repairing = threading.Event()  # the engine is closed for a repair
        self.damage = ""  # why the index cannot be read, while it cannot
        self.paused = False
        self.indexing = False
        self._index_again = False
        self._index_so_far = None  # the IndexReport of the runs the one in work follows back to back, as one
        self._batch_started: float | None = None  # when the watcher's batch in work began (its thread's alone)
        self._batch_shown = False  # whether watch_progress has shown the batch in work
        self._switch_done.connect(self._switch_finished)
        self.damaged.connect(self._remember_damage)
        self.finetune = FinetuneClient(self)  # the library fine-tune (a process of its own) and its swap
        self.tagging = TaggingClient(self)  # suggested tags and captions: jobs, accepting, rejecting

    def _submit(self, pool: QThreadPool, fn, *args, **kwargs):
        return submit(pool, self._telling_damage(fn), *args, context=self, **kwargs)

    def _telling_damage(self, fn):
        """``fn``, which also says when it failed because the index is damaged (any call can
        be the first to read a damaged file): ``damaged`` is emitted before the failure."""

        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                from engine.index.health import damage_of

                damage = damage_of(exc, self.paths.index)
                if damage is None:
                    raise
                self.damaged.emit(damage.plain, damage.details)
                raise damage from exc

        return run

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Open the library off the UI thread (importing the engine alone takes seconds): its index
        first, then the rest of it, then the model."""
        self._submit(
            self.work_pool,
            _open_engine,
            self.paths,
            self.model_spec,
            self._report_download,
            on_done=self._index_opened,
            on_failed=self._open_failed,
        )

    def _remember_damage(self, summary: str, _details: str) -> None:
        self.damage = summary

    def _open_failed(self, message: str) -> None:
        if not self.damage:  # a damaged index has its own banner, with the repair button
            self.unavailable.emit(message)

    def _report_download(self, what: str, done: int, total: int | None) -> None:
        self.download_progress.emit(what, done, total)

    def _index_opened(self, engine) -> None:
        """The index can be read: the window shows the folders and searches words, while torch is
        imported, then the rest of the engine opens, then the model loads."""
        self.engine = engine
        self.refresh_library()  # first: the search the window asks as the index opens shows by what it reads
        self.index_opened.emit()
        self._submit(
            self.torch_pool, _import_torch, on_done=lambda _: self._torch_imported(engine), on_failed=self._open_failed
        )

    def _torch_imported(self, engine) -> None:
        self._submit(self.work_pool, _open_tagging, engine, on_done=self._opened, on_failed=self._open_failed)

    def _opened(self, engine) -> None:
        if engine is not self.engine:  # closed for a repair meanwhile: the library opens again by itself
            return
        self.opened.emit()
        self._load_model()

    def _load_model(self) -> None:
        self.model_failure = ""  # loading again (a switch that finished): an earlier failure no longer holds
        self._submit(
            self.work_pool,
            _load_model,
            self.engine,
            self._watcher_saw_changes,
            self._watcher_progress,
            on_done=self._model_ready,
            on_failed=self._model_failed,
        )

    def _model_ready(self, info) -> None:
        self.model_info, self.model_failure = info, ""
        # The imports and the model stay for the process's life (some 450,000 objects with torch and
        # LanceDB): every full collection walked them all, a 0.3 s pause of the UI thread while the
        # user typed (bench/gc_pause.py). Frozen, a collection looks only at what came after.
        gc.freeze()
        self.ready.emit(info)
        self.index()  # catch up with whatever changed while the app was closed

    def _model_failed(self, message: str) -> None:
        self.model_info = None
        self._unavailable_model(message)

    def _unavailable_model(self, message: str) -> None:
        self.model_failure = model_problem(message, self.engine.model_spec)
        self.unavailable.emit(self.model_failure)

    def _watcher_saw_changes(self, report) -> None:
        self.library_changed.emit(report)

    def _watcher_progress(self, progress) -> None:
        """The watcher's thread: a batch's progress, said as an index run's once the batch has run
        :data:`WATCH_SHOWN_AFTER_S` (a pack dropped into a folder indexed for minutes in silence),
        and its end (None) where it was said."""
        if progress is None:
            if self._batch_shown:
                self.watch_progress.emit(None)
            self._batch_started, self._batch_shown = None, False
            return
        if self._batch_started is None:
            self._batch_started = time.monotonic()
        if self._batch_shown or time.monotonic() - self._batch_started >= WATCH_SHOWN_AFTER_S:
            self._batch_shown = True
            self.watch_progress.emit(progress)

    def shutdown(self) -> None:
        self._cancel.set()
        self.tagging.shutdown()  # a tagging job stops at its next batch
        for pool in (
            self.search_pool,
            self.index_pool,
            self.work_pool,
            self.edit_pool,
            self.switch_pool,
            self.torch_pool,
        ):
            pool.waitForDone(30_000)
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    # -- settings and models ---------------------------------------------------------------------
    def settings(self) -> Settings:
        return dataclasses.replace(self.engine.settings) if self.engine else Settings.load(self.paths.settings_file)

    def save_settings(self, settings: Settings) -> None:
        """Persist everything but the model choice, which the engine saves once the new model is active."""
        current = self.engine.settings if self.engine else Settings.load(self.paths.settings_file)
        for field in dataclasses.fields(Settings):
            if field.name != "model_spec":
                setattr(current, field.name, getattr(settings, field.name))
        current.save(self.paths.settings_file)

    @property
    def active_model_spec(self) -> str:
        """The model the engine runs (a ``--model`` given at start, a fine-tune swapped in), which the
        saved settings need not name; with the library closed, the one it opens with next."""
        if self.engine is not None:
            return self.engine.model_spec
        return self.model_spec or Settings.load(self.paths.settings_file).model_spec

    def switch_model(self, spec: str) -> None:
        """Use ``spec`` (on the saved device): the library is re-embedded in the background, then it
        flips. With the library closed (opening, failed, being repaired) the choice is saved, and
        the next opening uses it."""
        if self.engine is None:
            self._save_model_choice(spec)
            return
        self._submit(self.switch_pool, self.engine.switch_model, spec, self._switch_progress, on_failed=self.error.emit)

    def _save_model_choice(self, spec: str) -> None:
        settings = Settings.load(self.paths.settings_file)
        settings.model_spec = spec
        settings.save(self.paths.settings_file)
        self.model_spec = spec  # over a --model given at start: the user chose since

    def use_finetuned(self, force: bool = False) -> None:
        """Swap in the finished fine-tune's model, re-embedding like any switch (Engine.use_finetuned);
        one that is not better than the model it started from only with ``force``."""
        if self.engine is not None:
            self._submit(
                self.switch_pool, self.engine.use_finetuned, force, self._switch_progress, on_failed=self.error.emit
            )

    def _switch_progress(self, job) -> None:  # the engine's switch thread
        self.switch_progress.emit(job.done, job.total)
        if job.finished:
            self._switch_done.emit(job.error)

    def _switch_finished(self, error: str) -> None:
        """A switch ended (``error``: why it failed). Its signal can arrive after :meth:`shutdown`
        closed the engine (the window closed as it ended): there is then nothing to load or tell,
        and loading raised AttributeError on the UI thread."""
        if self.engine is None:
            return
        if error:
            self._unavailable_model(error)
        else:
            self._load_model()

    def compute_devices(self) -> list[tuple[str, str]]:
        from engine.models.devices import available_devices

        return available_devices()

    # -- searching -----------------------------------------------------------------------------
    def search(self, query: str, filters: SearchFilters, limit: int, order: BrowseOrder = BY_PATH) -> None:
        """Search with the model once it is loaded; until then the words alone (the window asks
        again when the model is :attr:`ready`). ``order``: how a browse (no words) lists its files."""
        self._ask(
            lambda: self.engine.search(query, filters, limit, load_model=False, order=order),
            lambda *answer: self.results.emit(query, *answer),
        )

    def similar(self, path: str, limit: int, filters: SearchFilters | None = None) -> None:
        """The sounds like ``path``, within ``filters`` (none: every file); :attr:`similar_failed`
        when ``path`` cannot be heard (a damaged file dropped on the window)."""
        filters = filters if filters is not None else SearchFilters()
        self._ask(
            lambda: self.engine.similar(path, limit, filters),
            lambda *answer: self.similar_results.emit(path, *answer),
            lambda message: self.similar_failed.emit(path, message),
        )

    def _ask(
        self, ask: Callable[[], list], show: Callable[[list, float], None], failed: Callable[[str], None] | None = None
    ) -> None:
        """Run a search or a find-similar off the UI thread and ``show`` its hits and seconds,
        only if nothing was asked since: a query typed on, or another sound's likes, makes it
        stale, and a stale one not yet started is skipped. A failure goes to ``failed`` when one is
        given (if it is still the newest question), else to :attr:`error`."""
        self._search_generation += 1
        generation = self._search_generation

        def run():
            if generation != self._search_generation:
                return None
            started = time.perf_counter()
            hits = ask()
            return hits, time.perf_counter() - started

        self._submit(
            self.search_pool,
            run,
            on_failed=(lambda text: generation == self._search_generation and failed(text))
            if failed
            else self.error.emit,
            on_done=lambda answer: answer and generation == self._search_generation and show(*answer),
        )

    # -- the library ---------------------------------------------------------------------------
    def refresh_library(self, added: str = "") -> None:
        """Read the folders, the failed files (and those indexed with a warning) and whether the
        library holds a description again; with ``added`` (a folder just added), :attr:`folder_added`
        follows the folder list that holds it. The descriptions are read on the search pool, before
        any search asked after this, so the results' columns are set before a page they change for is shown."""
        if self.engine is None:
            return

        def listed(folders: list) -> None:
            self.folders_changed.emit(folders)
            if added:
                self.folder_added.emit(added)

        self._submit(self.work_pool, self.engine.folders, on_done=listed, on_failed=self.error.emit)
        engine = self.engine
        self._submit(
            self.work_pool,
            lambda: (engine.failed_files(), engine.unreadable_files(), engine.warned_files()),
            on_done=lambda failed: self.failures_changed.emit(*failed),
            on_failed=self.error.emit,
        )
        self._submit(
            self.search_pool, engine.holds_descriptions, on_done=self.descriptions_held.emit, on_failed=self.error.emit
        )

    def add_folder(self, path: str) -> None:
        """Add ``path`` to the library and index it; :attr:`folder_added` follows the folder list that
        holds it, so what the window says of the library can change as soon as the folder is in."""

        def added(_status) -> None:
            self.refresh_library(added=path)
            self.index()

        self._submit(self.work_pool, self.engine.add_folder, path, on_done=added, on_failed=self.error.emit)

    def count_folder_edits(self, path: str) -> None:
        """Ask how many of ``path``'s files carry the user's tags or caption (what removing it
        forgets); the answer is :attr:`folder_edits_counted`."""
        if self._library_open():
            self._submit(
                self.work_pool,
                self.engine.edited_file_count,
                path,
                on_done=lambda edited: self.folder_edits_counted.emit(path, edited),
                on_failed=self.error.emit,
            )

    def remove_folder(self, path: str) -> None:
        def removed(_files) -> None:
            self.refresh_library()
            self.folder_removed.emit(path)

        if self._library_open():
            self._submit(self.work_pool, self.engine.remove_folder, path, on_done=removed, on_failed=self.error.emit)

    def _library_open(self) -> bool:
        """Whether the engine is open; when it is not (still opening, failed, being repaired), the user is told."""
        if self.engine is None:
            self.error.emit(LIBRARY_CLOSED)
        return self.engine is not None

    def index(self) -> None:
        """Scan every folder (incremental). Asked during a run, it runs once more afterwards (the
        folder added meanwhile is scanned), and :attr:`index_finished` says the two as one run: the
        rerun alone said "no changes · 0.1 s" of three minutes' embedding (review 16, M7). Paused
        or without a model, it does nothing."""
        if self.paused or self.engine is None or self.model_info is None:
            return
        if self.indexing:
            self._index_again = True
            return
        self.indexing = True
        self._index_again = False

        def finished(report) -> None:
            self.indexing = False
            self.refresh_library()
            so_far = report if self._index_so_far is None else self._index_so_far.then(report)
            self._index_so_far = None
            if self.paused and (report.stopped or self._index_again):
                self.index_paused.emit()  # what is left waits for Resume
            elif self._index_again or (report.stopped and not self._should_stop()):
                self.index()  # asked again meanwhile, or stopped for a folder removal: it goes on
                self._index_so_far = so_far if self.indexing else None
            else:
                self.paused = False  # it ended before a late Pause could stop it: nothing is left to resume
                self.index_finished.emit(so_far)

        def failed(message: str) -> None:
            self._index_so_far = None
            self.indexing = self.paused = False  # nothing is left to resume: the next Rescan starts afresh
            self.error.emit(f"Indexing stopped: {message}")
            self.index_finished.emit(None)

        self._submit(
            self.index_pool,
            self.engine.index,
            progress=self.index_progress.emit,
            should_stop=self._should_stop,
            on_done=finished,
            on_failed=failed,
        )

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self.index()

    def _should_stop(self) -> bool:
        """Indexer thread: asked between files."""
        return self.paused or self._cancel.is_set() or self._repairing.is_set()

    # -- repair --------------------------------------------------------------------------------------
    def repair(self) -> None:
        """Rebuild the damaged tables (engine.index.repair) with the engine closed, so nothing
        writes meanwhile, then open the library again: its start-up index run finds on disk
        the files whose records or vectors the damage took."""
        engine, self.engine = self.engine, None
        names = [self.model_info.name] if self.model_info is not None else []
        self.model_info = None
        self._repairing.set()
        self.tagging.cancel()  # a tagging job writes suggestion tables: it stops at its next batch (resumable)

        def run():
            from engine.index.repair import repair_index

            for pool in (self.index_pool, self.search_pool, self.edit_pool, self.switch_pool, self.tagging.pool):
                pool.waitForDone(60_000)
            if engine is not None:
                engine.close()
            return repair_index(self.paths.index, names)

        def failed(message: str) -> None:
            self._repairing.clear()
            self.error.emit(f"The index could not be repaired: {message}")

        self._submit(self.work_pool, run, on_done=self._repaired, on_failed=failed)

    def _repaired(self, report) -> None:
        self._repairing.clear()
        self.damage = ""
        self.repaired.emit(report)
        self.start()

    # -- editing -----------------------------------------------------------------------------------
    def set_tags(self, tags_by_path: dict[str, list[str]]) -> None:
        groups: dict[tuple[str, ...], list[str]] = {}
        for path, tags in tags_by_path.items():
            groups.setdefault(tuple(tags), []).append(path)

        def run():
            for tags, paths in groups.items():
                self.engine.set_tags(paths, list(tags))

        self._submit(self.edit_pool, run, on_done=lambda _: self.edited.emit(), on_failed=self.error.emit)

    def set_caption(self, paths: list[str], caption: str) -> None:
        def run():
            for path in paths:
                self.engine.set_caption(path, caption)

        self._submit(self.edit_pool, run, on_done=lambda _: self.edited.emit(), on_failed=self.error.emit)
