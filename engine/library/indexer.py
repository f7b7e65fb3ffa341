"""Bring the index in line with the library folders on disk, for one model.

A run: recover what a killed run left (:meth:`LibraryStore.recover`), check each
folder is reachable (an unreachable one is marked offline, never emptied), scan,
compare with the index (:mod:`engine.library.sync`), apply the cheap changes (moves,
touches, deletions; a new file with the bytes of a row of an unreachable folder, a root
renamed or moved, is that row moved, the user's tags with it), then embed new and changed
files in windows and commit them in batches. Every write is one atomic LanceDB commit and
the store orders them so that a kill -9 at any point leaves a state the next run completes
to what a clean run gives.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace

from engine.audio.files import AudioDecodeError
from engine.audio.metadata import METADATA_VERSION, read_metadata
from engine.fs import is_inside
from engine.index.records import FileRecord, FileState, FolderRecord
from engine.index.status import ERROR, OFFLINE, OK, PENDING
from engine.index.store import LibraryStore
from engine.index.vectors import Windows
from engine.index.word_vectors import sync_word_vectors
from engine.library.committer import Committer
from engine.library.copies import copied_record, embedded_once, stored_copies
from engine.library.deadline import FileBudget, OverBudget, Stopped, call_within
from engine.library.embedder import LENGTH_BOUNDS_S, EmbeddedFile, FileJob, WindowEmbedder
from engine.library.report import FileError, IndexProgress, IndexReport, ProgressCallback
from engine.library.roots import RootProbe
from engine.library.scanner import ScannedFile, ScanResult, content_hash, is_hidden_below, scan
from engine.library.sync import Plan, resolve, triage
from engine.models.base import AudioTextModel

log = logging.getLogger(__name__)

METADATA_VERSION_KEY = "metadata_version"
REREAD_PHASE = "reading metadata"
REREAD_CHUNK = 2_048  # files whose records are read and written at once when their headers are read again

StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class IndexerOptions:
    hop_fraction: float = 0.5  # of the model's window
    batch_size: int = 16  # windows per model call
    commit_every: int = 32  # files per commit: fewer, larger LanceDB fragments
    commit_interval_s: float = 10.0  # ...or this often, so a slow model still saves its work
    file_budget: FileBudget = FileBudget()  # how long one file may keep the run waiting
    length_bounds_s: tuple[float, ...] = LENGTH_BOUNDS_S  # windows are batched with others of about their length


@dataclass
class _Target:
    """A reachable library folder and what to rescan in it (its root, or watched paths)."""

    folder: FolderRecord
    roots: list[str]


class Indexer:
    def __init__(
        self,
        store: LibraryStore,
        model: AudioTextModel,
        options: IndexerOptions = IndexerOptions(),
        row_lock: AbstractContextManager | None = None,
        probe: RootProbe | None = None,
    ):
        """``row_lock`` is held only around each write of file rows, never while decoding or
        embedding: a caller that edits rows itself (tags, captions) shares it, so its edits
        wait for one commit rather than for a run that can take hours. ``probe`` asks whether a
        library folder answers, with a timeout (the engine's, shared with its watcher)."""
        self.store = store
        self.probe = probe or RootProbe()
        self.model = model
        self.options = options
        self.row_lock = row_lock or nullcontext()
        self.embedder = WindowEmbedder(
            model, options.hop_fraction, options.batch_size, options.file_budget, options.length_bounds_s
        )

    def index(
        self,
        paths: Iterable[str] | None = None,
        progress: ProgressCallback | None = None,
        should_stop: StopCheck | None = None,
    ) -> IndexReport:
        """Update the index from disk: every folder, or only ``paths`` (files or folders
        inside library folders, e.g. what the watcher saw change). A full run compares size
        and mtime only (reading every file each run is too slow); a file ``paths`` names is
        read again whatever its stat says: the watcher saw it written, perhaps by a tool that
        put the mtime back."""
        started = time.monotonic()
        paths = None if paths is None else [os.path.abspath(path) for path in paths]
        progress = progress or (lambda _: None)
        should_stop = should_stop or (lambda: False)
        report = IndexReport()
        self.store.recover()
        progress(IndexProgress("scanning", 0, 0))
        targets = self._reachable_targets(paths, report)
        scanned, known, folder_of = self._scan(targets)
        report.scanned = len(scanned.files)
        report.unreadable_dirs = dict(scanned.unreadable_dirs)
        report.unreadable_formats = sorted(scanned.unreadable_formats)
        sorted_out = triage(scanned, known, written=frozenset(paths or ()))
        report.unchanged = len(sorted_out.unchanged)
        hashes, too_slow = self._hashes(
            [item for _, item in sorted_out.recheck] + sorted_out.new, progress, should_stop
        )
        if hashes is None:
            report.stopped = True
            return self._finish(report, started)
        plan = resolve(sorted_out, hashes, self._offline_rows([hashes[item.path] for item in sorted_out.new], report))
        report.unchanged += len(plan.confirmed)
        self._apply_cheap_changes(plan, folder_of, report)
        if paths is None:
            kept = [row.id for row in sorted_out.unchanged] + [row.id for row, _ in plan.moved + plan.touched]
            self._read_metadata_again(kept, report, progress, should_stop)
        jobs = [FileJob(item.path, (row, item, digest)) for row, item, digest in plan.changed] + [
            FileJob(item.path, (None, item, digest)) for item, digest in plan.added
        ]
        self._embed_and_commit(jobs, folder_of, report, progress, should_stop, too_slow)
        if paths is None and not report.stopped:
            self._embed_missing(report, progress, should_stop)
        return self._finish(report, started, None if paths is None else self._ids_under(targets, known))

    def embed_missing(
        self,
        progress: ProgressCallback | None = None,
        should_stop: StopCheck | None = None,
        limit: int | None = None,
        skip: set[int] = frozenset(),
    ) -> IndexReport:
        """Give "ok" files that have no vectors for this model some (after a model switch):
        at most ``limit`` of them, leaving out ``skip`` (ids that failed before).

        Writes vectors only, never records, so it may run beside searches of another model."""
        started = time.monotonic()
        report = IndexReport()
        self._embed_missing(report, progress or (lambda _: None), should_stop or (lambda: False), limit, skip)
        return self._finish(report, started)

    # -- steps ------------------------------------------------------------------------

    def _reachable_targets(self, paths: list[str] | None, report: IndexReport) -> list[_Target]:
        folders = self.store.folders()
        if paths is None:
            wanted = {f.path: [f.path] for f in folders}
        else:
            wanted = {}
            for path in paths:
                folder = _folder_containing(path, folders)
                if folder is not None and not is_hidden_below(path, folder.path):
                    wanted.setdefault(folder.path, []).append(path)
        targets = []
        for folder in folders:
            if folder.path not in wanted:
                continue
            online = self._is_reachable(folder)
            if online != folder.online or (online and self._has_offline_files(folder)):
                self.store.set_folder_online(folder.path, online)  # idempotent: also finishes a crashed flip
            if online and not folder.online:
                report.back_online.append(folder.path)
            if online:
                roots = wanted[folder.path]
                targets.append(_Target(folder, [folder.path] if folder.path in roots else roots))
            else:
                report.offline_folders.append(folder.path)
                log.info("library folder %r is unreachable: marked offline, its files kept", folder.path)
        return targets

    def _scan(self, targets: list[_Target]) -> tuple[ScanResult, list[FileState], dict[str, str]]:
        """What is on disk under the targets, what the index holds there, and each found
        path's library folder."""
        scanned = ScanResult()
        known: list[FileState] = []
        folder_of: dict[str, str] = {}
        library = self._library_identities()
        for target in targets:
            result = scan(target.roots, library)
            if not self._is_reachable(target.folder):
                # the drive went between the check and the walk (its mount point is empty now):
                # what was found is unknown, not deleted
                log.info("library folder %r became unreachable during the scan: its files kept", target.folder.path)
                result = ScanResult(unreadable_dirs={target.folder.path: "unreachable (unplugged during the scan)"})
            scanned.files += result.files
            scanned.unreadable_dirs |= result.unreadable_dirs
            scanned.unreadable_formats += result.unreadable_formats
            folder_of |= {item.path: target.folder.path for item in result.files}
            rows = self.store.folder_files(target.folder.path)
            known += rows if target.roots == [target.folder.path] else _under(rows, target.roots)
        return scanned, known, folder_of

    def _library_identities(self) -> dict[str, tuple[int, int]]:
        """(device, inode) of each reachable library folder, asked with the probe's timeout."""
        states = self.probe.probe([f.path for f in self.store.folders()])
        return {path: state.identity for path, state in states.items() if state.identity is not None}

    def _is_reachable(self, folder: FolderRecord) -> bool:
        """A folder that is gone, does not answer in time (a dead network share, whose ``stat``
        can block for minutes: the run goes on without it), or is now empty when the index knew
        files in it (the empty mount point of an unplugged drive), is unreachable rather than
        emptied."""
        state = self.probe.probe([folder.path])[folder.path]
        if not state.reachable:
            log.info("library folder %r: %s", folder.path, state.reason)
            return False
        try:
            with os.scandir(folder.path) as entries:
                empty = next(entries, None) is None
        except OSError:
            return False
        return not (empty and self.store.count(folder.path) > 0)

    def _has_offline_files(self, folder: FolderRecord) -> bool:
        return self.store.count(folder.path, OFFLINE) > 0

    def _hashes(
        self, items: list[ScannedFile], progress: ProgressCallback, should_stop: StopCheck
    ) -> tuple[dict[str, str] | None, dict[str, str]]:
        """Content hashes by path ("" for a file that cannot be read: decoding says why, in
        words), or None when stopped; and the files whose reading ran out of time, with why
        (they are not read again in this run)."""
        hashes, too_slow = {}, {}
        for done, item in enumerate(items, 1):
            try:
                hashes[item.path] = call_within(
                    functools.partial(content_hash, item.path),
                    self.options.file_budget.for_bytes(item.size),
                    should_stop,
                )
            except Stopped:
                return None, too_slow
            except OverBudget as exc:
                hashes[item.path], too_slow[item.path] = "", str(exc)
            except (AudioDecodeError, OSError):
                hashes[item.path] = ""
            progress(IndexProgress("hashing", done, len(items), item.path))
        return hashes, too_slow

    def _offline_rows(self, digests: list[str], report: IndexReport) -> list[FileState]:
        """The rows of unreachable library folders holding any of these contents, which the new
        files with them may be (a root renamed or moved: its old path is offline). Only of folders
        unreachable now, a folder this run did not check being asked again: a file of a drive that
        is plugged in is never taken, and one with the same bytes is a copy."""
        rows = self.store.offline_with_content(digests) if any(digests) else []
        folders = {folder.path: folder for folder in self.store.folders()}
        unreachable = {
            path
            for path in {row.folder for row in rows}
            if path in report.offline_folders or (path in folders and not self._is_reachable(folders[path]))
        }
        return [row for row in rows if row.folder in unreachable]

    def _apply_cheap_changes(self, plan: Plan, folder_of: dict[str, str], report: IndexReport) -> None:
        # moves and touches keep each row's id (so its vectors, tags and caption) and change where
        # and when: one commit; a row moved from an unreachable folder is found where it is now
        with self.row_lock:
            records = self.store.get_files([row.id for row, _ in plan.moved + plan.touched])

            def placed(row: FileState, item: ScannedFile, **changes) -> FileRecord:
                where = {"path": item.path, "folder": folder_of[item.path], "size": item.size, "mtime": item.mtime}
                return replace(records[row.id], **where, **changes)

            self.store.upsert_files(
                [placed(row, item) for row, item in plan.touched]
                + [placed(row, item, status=OK) for row, item in plan.moved]
            )
            self.store.delete_files([row.id for row in plan.deleted])
        report.moved, report.touched, report.removed = len(plan.moved), len(plan.touched), len(plan.deleted)
        report.moved_from = dict(Counter(row.folder for row, _ in plan.moved if row.status == OFFLINE))

    def _read_metadata_again(
        self, file_ids: list[int], report: IndexReport, progress: ProgressCallback, should_stop: StopCheck
    ) -> None:
        """After the metadata reader changed (``METADATA_VERSION``), the kept files' headers are
        read again and their text updated, no audio decoded: "Pro Tools" stops being a word of
        every file a library indexed before. Done once, on a full run that reached every folder
        and was not stopped; the files this run embeds are read anew anyway."""
        if self.store.meta.get(METADATA_VERSION_KEY) == METADATA_VERSION:
            return

        def write(texts: dict[int, str]) -> None:
            with self.row_lock:  # the rows as they are now: a tag typed meanwhile is kept
                current = self.store.get_files(texts)
                updated = [replace(current[i], metadata_text=text) for i, text in texts.items() if i in current]
                self.store.upsert_files(updated)
            report.reread += len(updated)

        changed: dict[int, str] = {}
        for done, record in enumerate(self._records(file_ids, REREAD_CHUNK), 1):
            progress(IndexProgress(REREAD_PHASE, done, len(file_ids), record.path))
            if should_stop():
                return  # not marked done: the next full run reads them again
            if record.status != OK:
                continue
            try:
                text = read_metadata(record.path).text
            except Exception as exc:  # noqa: BLE001 - a file that moved or broke keeps its text; the scan says so
                log.info("kept the stored metadata of %r: %s", record.path, exc)
                continue
            if text != record.metadata_text:
                changed[record.id] = text
            if len(changed) >= REREAD_CHUNK:
                write(changed)
                changed = {}
        write(changed)
        if not report.offline_folders:
            self.store.meta.set(METADATA_VERSION_KEY, METADATA_VERSION)

    def _embed_and_commit(
        self,
        jobs: list[FileJob],
        folder_of: dict[str, str],
        report: IndexReport,
        progress: ProgressCallback,
        should_stop: StopCheck,
        too_slow: dict[str, str],
    ) -> None:
        with Committer(
            self.store, self.model, self.options.commit_every, self.options.commit_interval_s, self.row_lock
        ) as committer:

            def stored(record: FileRecord, windows: Windows, row: FileState | None, copy: bool) -> None:
                committer.embedded(record, windows)
                report.embedded += 1
                report.copies += copy
                if row is None or row.status == ERROR:  # failed before: searchable now for the first time
                    report.added += 1
                else:
                    report.updated += 1

            given_up = [
                (job, EmbeddedFile(job, error=too_slow[job.path]), False) for job in jobs if job.path in too_slow
            ]
            rest = [job for job in jobs if job.path not in too_slow]
            held = stored_copies(self.store, self.model.info, map(_digest, rest))
            embedded = embedded_once(rest, _digest, held, lambda first: self._embedded(first, report, should_stop))
            filling = frozenset(folder_of[job.path] for job in jobs)
            for done, (job, item, copy) in enumerate(itertools.chain(given_up, embedded), 1):
                row, scanned, digest = job.context
                folder, file_id = folder_of[scanned.path], row.id if row else None
                if item is None:  # a copy of a sound the index holds: its vectors, nothing decoded
                    source, windows = held[digest]
                    stored(copied_record(source, scanned, folder, file_id), windows, row, True)
                elif item.error:
                    report.errors.append(FileError(job.path, item.error))
                    committer.failed(self._record(item, scanned, digest, folder, file_id))
                else:
                    if item.warning:
                        report.warnings.append(FileError(job.path, item.warning))
                    stored(self._record(item, scanned, digest, folder, file_id), self._windows(item), row, copy)
                progress(IndexProgress("embedding", done, len(jobs), job.path, len(report.errors), filling))

    def _embed_missing(
        self,
        report: IndexReport,
        progress: ProgressCallback,
        should_stop: StopCheck,
        limit: int | None = None,
        skip: set[int] = frozenset(),
    ) -> None:
        ids = [i for i in self.store.files_missing_embeddings(self.model.info) if i not in skip][:limit]
        pending: dict[int, Windows] = {}
        content_of = self.store.copies()  # copies of one sound are embedded once here too

        def digest(job: FileJob) -> str:
            return content_of.get(job.context, "")

        def commit(file_id: int, windows: Windows) -> None:
            nonlocal pending
            pending[file_id] = windows
            report.embedded += 1
            report.embedded_again += 1
            if len(pending) >= self.options.commit_every:
                self.store.replace_windows(self.model.info, pending)
                pending = {}

        jobs, folders = [], set()
        for record in self._records(ids):
            jobs.append(FileJob(record.path, record.id))
            folders.add(record.folder)
        filling = frozenset(folders)
        held = stored_copies(self.store, self.model.info, map(digest, jobs))
        embedded = embedded_once(jobs, digest, held, lambda first: self._embedded(first, report, should_stop))
        for done, (job, item, copy) in enumerate(embedded, 1):
            if item is None:  # a copy of a sound this model has embedded already
                commit(job.context, held[digest(job)][1])
            elif item.error:  # kept out of the index: the next rescan looks at the file again
                report.errors.append(FileError(job.path, item.error))
                report.failed_ids.append(job.context)
            else:
                commit(job.context, self._windows(item))
            report.copies += copy
            progress(IndexProgress("embedding", done, len(ids), job.path, len(report.errors), filling))
        self.store.replace_windows(self.model.info, pending)

    def _records(self, ids: list[int], chunk: int = 256) -> Iterator[FileRecord]:
        """The records of these file ids, read a chunk at a time."""
        for start in range(0, len(ids), chunk):
            yield from self.store.get_files(ids[start : start + chunk]).values()

    def _embedded(self, jobs: list[FileJob], report: IndexReport, should_stop: StopCheck) -> Iterator[EmbeddedFile]:
        def stop() -> bool:
            report.stopped = report.stopped or should_stop()
            return report.stopped

        audio_before = self.embedder.times.audio_seconds
        yield from self.embedder.run(jobs, stop)
        report.audio_seconds += self.embedder.times.audio_seconds - audio_before

    def _ids_under(self, targets: list[_Target], before: list[FileState]) -> list[int]:
        """The files a run over part of the library (a watcher batch) may have changed: those
        under its roots before it and after it."""
        now = [row for t in targets for row in _under(self.store.folder_files(t.folder.path), t.roots)]
        return sorted({row.id for row in before} | {row.id for row in now})

    def _finish(self, report: IndexReport, started: float, scope: list[int] | None = None) -> IndexReport:
        """``scope``: the files whose meaning to bring up to date (None: every file; a watcher batch
        of one file then reads one file's texts, not the whole library's)."""
        if not report.stopped:  # a stop leaves what the names mean to the next run
            sync_word_vectors(self.store, self.model.info.name, self.model.embed_words, scope)
        if report.changed_anything:
            with self.row_lock:  # compaction rewrites the fragments an edit would update
                self.store.optimize()
        report.seconds = time.monotonic() - started
        log.info("index run: %s", report)
        return report

    # -- records ----------------------------------------------------------------------

    def _windows(self, item: EmbeddedFile) -> Windows:
        return item.windows(self.model.info.embedding_dim)

    @staticmethod
    def _record(
        item: EmbeddedFile,
        scanned: ScannedFile,
        digest: str,
        folder: str,
        file_id: int | None,
    ) -> FileRecord:
        facts, metadata = item.facts, item.metadata
        return FileRecord(
            id=file_id,
            path=scanned.path,
            folder=folder,
            content_hash=digest,
            size=scanned.size,
            mtime=scanned.mtime,
            duration_s=facts.duration_s if facts else None,
            sample_rate=facts.sample_rate if facts else None,
            channels=facts.channels if facts else None,
            bit_depth=facts.bit_depth if facts else None,
            format=facts.format if facts else None,
            metadata_text=metadata.text if metadata else "",
            status=ERROR if item.error else PENDING,
            error=item.error or item.warning,
            indexed_at=time.time(),
        )


def _digest(job: FileJob) -> str:
    """The content hash of an indexing job's file ("" when it could not be read)."""
    return job.context[2]


def _folder_containing(path: str, folders: list[FolderRecord]) -> FolderRecord | None:
    inside = [f for f in folders if is_inside(path, f.path)]
    return max(inside, key=lambda f: len(f.path), default=None)


def _under(rows: list[FileState], roots: list[str]) -> list[FileState]:
    """The rows at or below any of ``roots`` (walking up each row's parents: cheap for many roots)."""
    wanted = set(roots)
    out = []
    for row in rows:
        path = row.path
        while True:
            if path in wanted:
                out.append(row)
                break
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
    return out
