"""The one object the app and the CLI talk to: folders, indexing, search, watching, models.

Threads: searches may run from any thread at any time. Everything that writes to the
index (an indexing run, a watcher batch, a slice of a model switch) holds one lock,
so two writers never interleave their read-compare-write steps. Removing a folder, or
adding one that swallows others, asks a running index to stop at its next safe point
rather than wait hours for it (its report then says ``stopped``; run it again).
Tag and caption edits rewrite whole rows, so they share a second, short lock with the
indexer's row commits: two edits at once never drop one, and an edit made during a long
index waits for one commit, not for the run (the indexer re-reads tags and caption right
before it writes a row, so the edit survives). A model switch re-embeds the library in
the background while searches keep the old model (:mod:`engine.library.switch`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from engine.audio.decode import AudioDecodeError, AudioFacts, probe
from engine.audio.metadata import FileMetadata, read_metadata
from engine.finetune import Finetuner
from engine.fs import absolute_path, is_inside
from engine.index.records import ERROR, OFFLINE, OK, FileRecord, FolderRecord, path_key
from engine.index.store import LibraryStore
from engine.index.word_vectors import sync_word_vectors
from engine.library.indexer import Indexer, IndexerOptions, StopCheck
from engine.library.report import IndexProgress, IndexReport, ProgressCallback
from engine.library.roots import RootProbe
from engine.library.switch import ModelSwitch, SwitchState
from engine.library.watcher import LibraryWatcher
from engine.models.base import LIKENESS_SPACES, AudioTextModel, DownloadProgress, ModelInfo
from engine.models.registry import ModelLoadError, load_model
from engine.paths import AppPaths
from engine.search.filters import BY_PATH, BrowseOrder, SearchFilters
from engine.search.searcher import MAX_EXAMPLE_WINDOWS, NotEmbeddedError, Searcher, SearchHit, SearchResults
from engine.settings import Settings

if TYPE_CHECKING:
    from engine.tagging.service import Tagging

log = logging.getLogger(__name__)

# A watcher batch's progress as it runs, then None once it has ended (Engine.start_watching)
BatchProgress = Callable[[IndexProgress | None], None]
RETRY_LOAD_SECONDS = 60.0  # a model that failed to load is not tried again sooner (Engine.model)
MODEL_NOT_LOADED = "the model is not loaded yet"  # why a search that did not wait for it matched words only


@dataclass(frozen=True)
class FolderStatus:
    path: str
    online: bool
    files: int  # searchable ("ok")
    errors: int
    offline: int
    added_at: float
    # offline, and gone from a drive that is still there (moved, renamed or deleted: add its new
    # place, or remove it) rather than on a drive that is not connected (engine.library.roots)
    missing: bool = False


@dataclass(frozen=True)
class EngineStatus:
    data_dir: str
    model_spec: str
    model_name: str | None  # None until the model is loaded
    model_error: str  # why the model could not be loaded ("" if it could)
    folders: list[FolderStatus]
    files: int
    errors: int
    offline: int
    indexed_models: dict[str, int]  # model name -> vector size, every model with a vector table
    likeness_spaces: list[str]  # the vector tables of likeness spaces (find similar's), not of models
    watching: bool
    switching: SwitchState | None  # the model switch running or last run, as plain data


@dataclass(frozen=True)
class FileInfo:
    path: str
    record: FileRecord | None  # None: not in the library
    facts: AudioFacts | None  # read from the file now (None if it cannot be read)
    metadata: FileMetadata | None
    windows: int  # stored windows for the active model
    error: str = ""  # why the file cannot be read now
    copies: tuple[str, ...] = ()  # other library files with exactly these bytes


class Engine:
    def __init__(
        self, paths: AppPaths, model_spec: str | None = None, *, download_progress: DownloadProgress | None = None
    ):
        self.paths = paths.ensure()  # logging is the entry point's (engine.logs), never the engine's
        self.settings = Settings.load(paths.settings_file)
        self.store = LibraryStore(paths.index)
        self.model_spec = model_spec or self.settings.model_spec
        self.download_progress = download_progress
        self.model_error = ""
        self._model: AudioTextModel | None = None
        self._model_device = ""  # the device self._model was loaded on
        self._model_lock = threading.Lock()
        self._retry_load_at = 0.0  # time.monotonic() after which a failed model load is tried again
        self._write_lock = threading.RLock()  # one index run, model switch slice or folder removal at a time
        self._row_lock = threading.Lock()  # short: each read-modify-write of file rows
        self._interrupt = threading.Event()
        self._watcher: LibraryWatcher | None = None
        self.root_probe = RootProbe()  # how index runs and the watcher check folders (a test swaps in a hanging check)
        self._switch: ModelSwitch | None = None
        # Sounds in formats Earmark cannot read (.m4a, .wv), as the scans last found them: they have
        # no row in the index, so they are kept here for the failed-files list to name
        self._unreadable: frozenset[str] = frozenset()
        self._tagging: Tagging | None = None
        self._tagging_lock = threading.Lock()
        self.finetuner = Finetuner(paths)  # the library fine-tune, a process of its own (engine/finetune)

    @property
    def tagging(self) -> Tagging:
        """Suggested tags and captions, vocabularies, UCS renames (engine.tagging.service), made on
        first use: its modules import torch, a second or more that opening the library (its
        folders, a words search) must not wait for."""
        with self._tagging_lock:
            if self._tagging is None:
                from engine.tagging.service import Tagging

                self._tagging = Tagging(
                    self.store,
                    lambda: self.model,
                    self.paths,
                    self.settings,
                    self._row_lock,
                    self._write_lock,
                    self._sync_word_vectors,
                )
            return self._tagging

    # -- model --------------------------------------------------------------------------

    @property
    def model(self) -> AudioTextModel:
        """The active model, loaded on first use. Raises ModelLoadError (also kept in ``model_error``).
        A load that failed is not tried again for :data:`RETRY_LOAD_SECONDS`: the app searches as
        the user types, and each try may re-read a damaged checkpoint or wait on the hub (a switch
        to a model tries at once)."""
        with self._model_lock:
            if self._model is None:
                if self.model_error and time.monotonic() < self._retry_load_at:
                    raise ModelLoadError(self.model_error)
                device = self.settings.device
                try:
                    self._model = self._load(self.model_spec, device)
                except ModelLoadError as exc:
                    self.model_error = str(exc)
                    self._retry_load_at = time.monotonic() + RETRY_LOAD_SECONDS
                    raise
                self._model_device, self.model_error = device, ""
            return self._model

    @property
    def model_info(self) -> ModelInfo:
        return self.model.info

    def switch_model(self, spec: str, progress: Callable[[ModelSwitch], None] | None = None) -> ModelSwitch:
        """Start using ``spec``: embed the library with it in the background, then flip.

        Searches use the current model until the new one covers every file; the choice
        is saved in the settings when the flip happens. A switch already running is
        cancelled (its finished vectors stay and are reused if it is picked again).

        ``spec`` already active on the device the settings name (the settings dialog's OK
        with the model unchanged, ``earmark models --use`` with the active one) only saves
        the choice: loading it again would hold a second copy of the model in memory for
        nothing. The switch returned has then finished, and ``progress`` hears it once."""
        if self._switch is not None and not self._switch.finished:
            self._switch.cancel()
            self._switch.wait()
        device = self.settings.device  # the load below uses this one, even if the settings change meanwhile
        self._switch = ModelSwitch(spec, progress)
        with self._model_lock:
            active = self._model if (spec, device) == (self.model_spec, self._model_device) else None
        if active is not None:
            self._switch.end_at_once(lambda: self._flip(active, spec, device))
            return self._switch
        self._switch.start(
            lambda: self._load(spec, device),
            self._indexer,
            self._write_lock,
            self._interrupt.is_set,
            lambda model: self._flip(model, spec, device),
        )
        return self._switch

    def use_finetuned(
        self,
        force: bool = False,
        progress: Callable[[ModelSwitch], None] | None = None,
    ) -> ModelSwitch:
        """Switch to the finished fine-tune's model (re-embedding in the background, as any switch),
        which must beat the model it started from on the held-out folders unless ``force``. The
        previous model stays where it was, so switching back is a plain switch."""
        spec = self.finetuner.adopt(force)
        report = progress or (lambda _: None)

        def watch(job: ModelSwitch) -> None:
            if job.finished and self.model_spec == spec:
                self.finetuner.mark_applied()
            report(job)

        return self.switch_model(spec, watch)

    def _flip(self, model: AudioTextModel, spec: str, device: str) -> None:
        with self._model_lock:
            self._model, self.model_spec, self._model_device, self.model_error = model, spec, device, ""
        self.settings.model_spec = spec
        self.settings.save(self.paths.settings_file)
        log.info("active model is now %s (%s on %s)", model.info.name, spec, device)

    def _load(self, spec: str, device: str) -> AudioTextModel:
        """The model ``spec`` names, loaded; the log says how long that took (5-14 s of each search
        started from the shell: review 16, M8)."""
        started = time.monotonic()
        model = load_model(spec, device, models_dir=self.paths.models, progress=self.download_progress)
        log.info("loaded model %s (%s on %s) in %.1f s", model.info.name, spec, device, time.monotonic() - started)
        return model

    # -- folders ------------------------------------------------------------------------

    def folders(self) -> list[FolderStatus]:
        """Each library folder and its counts; an offline one is looked for on disk (within the
        root probe's timeout) to say whether it is missing or its drive is not connected."""
        counts = self.store.counts_by_folder()
        records = sorted(self.store.folders(), key=lambda f: f.path)
        missing = self._missing([f for f in records if not f.online])
        out = []
        for folder in records:
            count = counts.get(path_key(folder.path), {})
            out.append(
                FolderStatus(
                    folder.path,
                    folder.online,
                    count.get(OK, 0),
                    count.get(ERROR, 0),
                    count.get(OFFLINE, 0),
                    folder.added_at,
                    folder.path in missing,
                )
            )
        return out

    def _missing(self, offline: list[FolderRecord]) -> set[str]:
        """Those of the ``offline`` folders gone from a device that is still there (moved, renamed
        or deleted), as against those whose drive or share is not connected."""
        known = [f for f in offline if f.device is not None]
        states = self.root_probe.probe(f.path for f in known) if known else {}
        return {f.path for f in known if states[f.path].missing_from(f.device)}

    def _note_devices(self, report: IndexReport) -> None:
        """Keep the device each online folder is on, for :meth:`_missing`: one not known yet (an
        index from before it was kept) and one back online (a drive may come back as another
        device number). Called under the write lock, after a run."""
        folders = [f for f in self.store.folders() if f.online and (f.device is None or f.path in report.back_online)]
        states = self.root_probe.probe(f.path for f in folders) if folders else {}
        for folder in folders:
            identity = states[folder.path].identity
            if identity is not None and identity[0] != folder.device:
                self.store.set_folder_device(folder.path, identity[0])

    def subfolders(self, folder: str | os.PathLike) -> dict[str, int]:
        """{folder below the library folder ``folder``: its searchable sounds, itself and below},
        only folders that hold one. Read from the index alone (no disk access: the drive may be
        unplugged), for the library panel's tree and the folder filter; a search filtered to one
        of these folders, or a tagging job given one, takes the same files."""
        return self.store.subfolder_counts(absolute_path(folder))

    def holds_descriptions(self) -> bool:
        """Whether any searchable sound of the library says something of itself in its metadata (a
        BWF or iXML description, a title), read from the index alone: the app shows the results'
        Description column by it, whichever page of results is shown."""
        return self.store.holds_descriptions()

    def add_folder(self, path: str | os.PathLike) -> FolderStatus:
        """Add a library folder (indexed by the next :meth:`index`). A folder inside one
        already in the library is refused; one that contains library folders takes them
        over, their files and vectors included."""
        folder = absolute_path(path)
        if not os.path.isdir(folder):
            raise ValueError(f"{folder} is not a folder")
        existing = [f.path for f in self.store.folders()]
        for other in existing:
            if is_inside(folder, other):
                raise ValueError(f"{folder} is already in the library (as part of {other})")
        children = [other for other in existing if is_inside(other, folder)]
        device = os.stat(folder).st_dev
        if not children:
            self.store.add_folder(folder, device)  # one write; a running index picks it up next time
        else:
            with self._exclusive(), self._row_lock:  # no tag edit between a row's read and its rewrite
                self.store.add_folder(folder, device)
                for child in children:
                    moved = [replace(r, folder=folder) for r in self.store.files_in_folder(child)]
                    self.store.upsert_files(moved)
                    self.store.remove_folder(child)  # holds no files any more: drops only its row
        self._refresh_watch()
        return next(f for f in self.folders() if f.path == folder)

    def remove_folder(self, path: str | os.PathLike) -> int:
        """Forget a folder and its files (the files on disk are untouched); returns how many."""
        folder = absolute_path(path)
        if folder not in {f.path for f in self.store.folders()}:
            raise ValueError(f"{folder} is not a library folder")
        with self._exclusive(), self._row_lock:
            removed = self.store.remove_folder(folder)
            self._unreadable = frozenset(p for p in self._unreadable if not is_inside(p, folder))
        self._refresh_watch()
        return removed

    def edited_file_count(self, path: str | os.PathLike) -> int:
        """How many files of the library folder ``path`` carry the user's tags or caption, which
        live in the file rows :meth:`remove_folder` deletes: what a removal would forget."""
        return self.store.count_edited(absolute_path(path))

    # -- indexing -----------------------------------------------------------------------

    def index(self, progress: ProgressCallback | None = None, should_stop: StopCheck | None = None) -> IndexReport:
        """Scan every folder and bring the index up to date with the active model. Stopping
        (``should_stop`` returning True) keeps what is done; the next run resumes."""
        model = self.model
        with self._write_lock:
            report = self._indexer(model).index(None, progress, self._stop_check(should_stop))
            self._found_unreadable(report)
            self._note_devices(report)
        self._refresh_watch()  # a folder may have come back online
        return report

    def failed_files(self) -> list[FileRecord]:
        return sorted(self.store.failed_files(), key=lambda r: r.path)

    def warned_files(self) -> list[FileRecord]:
        """The searchable files indexed with a warning (a WAV cut short: engine.audio.stream.Repairs),
        by path: each run's report names those it indexed, and this keeps them for a list the user
        can go through (the app's Failed files) until they are mended and indexed again."""
        return sorted(self.store.warned_files(), key=lambda r: r.path)

    def unreadable_files(self) -> list[str]:
        """The library's sounds in formats Earmark cannot read (``.m4a``, ``.wv``), as the last scan
        of their folder found them: each index run's report names them once, and this keeps them
        for a list the user can go through (the app's Failed files) until they are converted."""
        return sorted(self._unreadable)

    def _found_unreadable(self, report: IndexReport, scanned: Iterable[str] | None = None) -> bool:
        """What a run's scan of ``scanned`` (files or folders; None: the whole library) found in
        formats Earmark cannot read replaces what was known there, but in the folders it could not
        reach (offline, unreadable), whose sounds are still there for all it knows. Whether the
        list changed. Called under the write lock."""
        unreached = [*report.offline_folders, *report.unreadable_dirs]
        scanned = None if scanned is None else list(scanned)

        def kept(path: str) -> bool:
            looked = scanned is None or any(is_inside(path, s) for s in scanned)
            return not looked or any(is_inside(path, folder) for folder in unreached)

        before = self._unreadable
        self._unreadable = frozenset([*filter(kept, before), *report.unreadable_formats])
        return self._unreadable != before

    def start_watching(
        self, on_change: Callable[[IndexReport], None] | None = None, progress: BatchProgress | None = None
    ) -> None:
        """Index changes in the library folders as they happen (debounced), and follow their
        drives: a folder that cannot be reached is marked offline within seconds (nothing is
        deleted), one that comes back is rescanned. ``on_change`` hears each batch's report,
        and each folder that went offline as a report naming it, from the watcher's threads.
        ``progress`` hears each batch's progress as an index run's (a pack of 1,500 files dropped
        into a folder is minutes of work), then None once the batch has ended, whatever it found."""
        self.model  # noqa: B018 - load it now, so a bad model fails here and not in the watcher thread

        def handle(paths: set[str]) -> bool:
            """Index a batch; False when it stopped early (the watcher is stopping, or a folder
            removal asked for the lock), so the watcher hands the batch over again later."""
            try:
                with self._write_lock:
                    offline_before = {f.path for f in self.store.folders() if not f.online}
                    stop = self._stop_check(lambda: watcher.stopping)
                    report = self._indexer(self.model).index(paths, progress, stop)
                    listed_anew = self._found_unreadable(report, paths)  # a sound deleted or converted leaves it
                    self._note_devices(report)
                report.offline_folders = [f for f in report.offline_folders if f not in offline_before]  # news only
                news = report.changed_anything or report.offline_folders or report.back_online or listed_anew
                if on_change is not None and news:
                    on_change(report)
                return not report.stopped
            finally:
                if progress is not None:
                    progress(None)

        def unreachable(folder: str, reason: str) -> None:
            if self._mark_offline(folder, reason) and on_change is not None:
                on_change(IndexReport(offline_folders=[folder]))

        self.stop_watching()
        watcher = LibraryWatcher(
            handle, debounce_s=self.settings.watch_debounce_s, on_unreachable=unreachable, probe=self.root_probe
        )
        self._watcher = watcher
        watcher.start(f.path for f in self.store.folders())

    def _mark_offline(self, folder: str, reason: str) -> bool:
        """Mark a library folder the watcher cannot reach offline now, reading nothing on disk
        (it may hang) and under the short row lock only, so a long index run does not delay it.
        False when it is not (or no longer) an online library folder."""
        with self._row_lock:
            record = next((f for f in self.store.folders() if f.path == folder), None)
            if record is None or not record.online:
                return False
            self.store.set_folder_online(folder, False)
        log.info("library folder %r is unreachable (%s): marked offline, its files kept", folder, reason)
        return True

    def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    @property
    def watching(self) -> bool:
        return self._watcher is not None

    def _refresh_watch(self) -> None:
        if self._watcher is not None:
            self._watcher.set_folders(f.path for f in self.store.folders())

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """The write lock, taken by asking whoever holds it to stop at the next safe point."""
        self._interrupt.set()
        try:
            with self._write_lock:
                self._interrupt.clear()
                yield
        finally:
            self._interrupt.clear()

    def _stop_check(self, should_stop: StopCheck | None) -> StopCheck:
        return lambda: self._interrupt.is_set() or (should_stop is not None and should_stop())

    def _indexer(self, model: AudioTextModel) -> Indexer:
        """The one place an indexer is made: an index run, a watcher batch, a model switch and
        query by example all cut windows and batch them the same way (the settings'), and every
        row write shares the short row lock with tag and caption edits."""
        options = IndexerOptions(
            hop_fraction=self.settings.window_hop_fraction, batch_size=self.settings.embed_batch_size
        )
        return Indexer(self.store, model, options, self._row_lock, self.root_probe)

    # -- search -------------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: SearchFilters = SearchFilters(),
        limit: int = 100,
        *,
        load_model: bool = True,
        order: BrowseOrder = BY_PATH,
    ) -> SearchResults:
        """Hybrid search; if the model cannot be loaded, words only, and the results' ``text_only``
        says why. Without ``load_model`` a model not loaded yet is neither loaded nor waited for
        here (words only, "not loaded yet"): the app loads it on a worker of its own and lets the
        user search the words in the seconds that takes. ``order``: how a query with no words to
        rank by (a browse) lists its files (:class:`BrowseOrder`); a search with words keeps its ranking."""
        model = self._model_or_none() if load_model else self._model
        results = Searcher(self.store, model).search(query, filters, limit, order=order)
        results.text_only = "" if model is not None else self.model_error or MODEL_NOT_LOADED
        return results

    def warm_up(self) -> None:
        """One search, its results dropped, so the first the user types does not pay for the
        tables' first reads and the word lists' first loads (``python -m bench.first_search``;
        0.74 s at 48,000 files in review 7). Whatever goes wrong is left for that first search to
        say: it is the one the user asked for."""
        try:
            self.search("wooden door creak", limit=1)
        except Exception:  # noqa: BLE001 - a warm-up must not stand in for the search that reports
            log.warning("warming the search up failed", exc_info=True)

    def similar(
        self,
        path: str | os.PathLike,
        limit: int = 50,
        filters: SearchFilters = SearchFilters(),
    ) -> list[SearchHit]:
        """Files that sound like ``path``: its stored windows when it is in the library and
        embedded, else its audio embedded now (any file, in the library or not)."""
        model = self.model
        searcher = Searcher(self.store, model)
        path = absolute_path(path)
        record = self.store.get_file(path)
        if record is not None and record.status in (OK, OFFLINE):  # an unplugged file's windows are kept
            try:
                return searcher.similar(path, limit, filters)
            except NotEmbeddedError:  # in the library, not embedded yet: heard now, as any other file
                pass
        example = self._indexer(model).embedder.example_windows(path, MAX_EXAMPLE_WINDOWS)
        return searcher.similar(example, limit, filters, exclude_path=path)

    def _model_or_none(self) -> AudioTextModel | None:
        try:
            return self.model
        except ModelLoadError:
            log.warning("model %r unavailable, searching text only: %s", self.model_spec, self.model_error)
            return None

    # -- files --------------------------------------------------------------------------

    def file_info(self, path: str | os.PathLike) -> FileInfo:
        """What the index holds about ``path`` and what the file says now (any audio file)."""
        path = absolute_path(path)
        record = self.store.get_file(path)
        facts = metadata = None
        error = ""
        try:
            facts, metadata = probe(path), read_metadata(path)
        except AudioDecodeError as exc:
            error = str(exc)
        windows = 0
        if record is not None and self._model_or_none() is not None:
            windows = len(self.store.embeddings(self.model.info).windows(record.id))
        copies = ()
        if record is not None:
            found = self.store.paths_by_content([record.content_hash]).get(record.content_hash, [])
            copies = tuple(p for p in found if p != record.path)
        return FileInfo(path, record, facts, metadata, windows, error, copies)

    def set_tags(self, paths: Iterable[str | os.PathLike], tags: list[str]) -> None:
        """Replace the tags of these library files (they become searchable words)."""
        with self._row_lock:  # read-modify-write of whole rows: concurrent edits would drop one
            ids = [self._record(p).id for p in paths]
            self.store.set_tags(ids, tags)
        self._sync_word_vectors(ids)

    def set_caption(self, path: str | os.PathLike, text: str) -> None:
        with self._row_lock:
            file_id = self._record(path).id
            self.store.set_caption(file_id, text)
        self._sync_word_vectors([file_id])

    def _sync_word_vectors(self, file_ids: list[int]) -> None:
        """An edited description is searchable by meaning at once, not after the next index run.
        (Beside a run's own sync a file's rows may be written twice; the next sync sees it and
        writes them once.)"""
        model = self._model_or_none()
        if model is not None:
            sync_word_vectors(self.store, model.info.name, model.embed_words, file_ids)

    def _record(self, path: str | os.PathLike) -> FileRecord:
        record = self.store.get_file(absolute_path(path))
        if record is None:
            raise KeyError(f"{path} is not in the library")
        return record

    # -- status and shutdown ------------------------------------------------------------

    def status(self) -> EngineStatus:
        folders = self.folders()
        tables = self.store.models()
        likeness = {space.name for space in LIKENESS_SPACES} & tables.keys()
        return EngineStatus(
            data_dir=str(self.paths.data),
            model_spec=self.model_spec,
            model_name=self._model.info.name if self._model is not None else None,
            model_error=self.model_error,
            folders=folders,
            files=sum(f.files for f in folders),
            errors=sum(f.errors for f in folders),
            offline=sum(f.offline for f in folders),
            indexed_models={name: dim for name, dim in tables.items() if name not in likeness},
            likeness_spaces=sorted(likeness),
            watching=self.watching,
            switching=self._switch.state if self._switch is not None else None,
        )

    def close(self) -> None:
        self.stop_watching()
        if self._switch is not None:
            self._switch.cancel()
            self._switch.wait()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
