"""Writing an indexing run's finished files to the store, in batches, one bad file at a time.

Files are buffered and written together (vectors, then records: see engine.index.store),
because one LanceDB commit per file would make thousands of tiny fragments. A batch the
store refuses for what is in it (text it cannot encode, say) is written again file by
file, so only the file at fault is affected: it is stored without its metadata words
(with a warning saying so) or, failing that, as an error. A failure of the index itself
(damaged, disk full) is no file's fault and ends the run.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from dataclasses import replace

from engine.index.health import is_storage_error
from engine.index.records import ERROR, FileRecord
from engine.index.store import LibraryStore
from engine.index.vectors import Windows
from engine.models.base import AudioTextModel

log = logging.getLogger(__name__)


class Committer:
    """Buffers finished files and writes them in batches. A record's ``error`` text on an
    embedded file is a warning: it is stored on the searchable ("ok") record."""

    def __init__(
        self,
        store: LibraryStore,
        model: AudioTextModel,
        commit_every: int,
        commit_interval_s: float,
        row_lock: AbstractContextManager,
    ):
        self.store, self.model, self.row_lock = store, model, row_lock
        self.commit_every, self.commit_interval_s = commit_every, commit_interval_s
        self.ok: list[tuple[FileRecord, Windows]] = []
        self.errors: list[FileRecord] = []
        self.last = time.monotonic()

    def embedded(self, record: FileRecord, windows: Windows) -> None:
        self.ok.append((record, windows))
        self._maybe_flush()

    def failed(self, record: FileRecord) -> None:
        self.errors.append(record)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if (
            len(self.ok) + len(self.errors) >= self.commit_every
            or time.monotonic() - self.last >= self.commit_interval_s
        ):
            self.flush()

    def flush(self) -> None:
        with self.row_lock:
            try:
                self._write(self.ok, self.errors)
            except Exception as exc:
                if is_storage_error(exc) or len(self.ok) + len(self.errors) == 1:
                    raise
                log.warning(
                    "a batch of %d files could not be stored (%s); storing them one by one",
                    len(self.ok) + len(self.errors),
                    exc,
                )
                self._write_one_by_one()
        self.ok, self.errors, self.last = [], [], time.monotonic()

    def _write(self, ok: list[tuple[FileRecord, Windows]], errors: list[FileRecord]) -> None:
        if ok:
            records = self._keep_user_fields([record for record, _ in ok])
            stored = self.store.commit_embedded(
                self.model.info, [(r, w) for r, (_, w) in zip(records, ok, strict=True)]
            )
            warned = [
                replace(done, error=asked.error) for done, asked in zip(stored, records, strict=True) if asked.error
            ]
            if warned:  # commit_embedded clears the text; a warning goes on the searchable record
                self.store.upsert_files(warned)
        if errors:
            self.store.upsert_files(self._keep_user_fields(errors))

    def _write_one_by_one(self) -> None:
        for record, windows in self.ok:
            self._store_alone(record, windows)
        for record in self.errors:
            self._store_failed_alone(record)

    def _store_alone(self, record: FileRecord, windows: Windows) -> None:
        """As it is; else without its metadata text (a warning says so); else as an error. What
        the store refuses even then is the index's problem: raised."""
        try:
            self._write([(record, windows)], [])
            return
        except Exception as exc:  # noqa: BLE001 - sorted out below
            if is_storage_error(exc):
                raise
            problem = exc
        try:
            self._write([(replace(record, metadata_text="", error=_without_words(problem)), windows)], [])
        except Exception as exc:  # noqa: BLE001 - sorted out below
            if is_storage_error(exc):
                raise
            self._write(
                [],
                [replace(record, metadata_text="", status=ERROR, error=f"could not be stored in the index: {problem}")],
            )

    def _store_failed_alone(self, record: FileRecord) -> None:
        try:
            self._write([], [record])
        except Exception as exc:  # noqa: BLE001 - sorted out below
            if is_storage_error(exc):
                raise
            self._write([], [replace(record, metadata_text="")])

    def _keep_user_fields(self, records: list[FileRecord]) -> list[FileRecord]:
        """Tags and caption are the user's and survive a content change; read right before
        writing, so one set while the file was being embedded is not lost."""
        current = self.store.get_files([r.id for r in records if r.id is not None])
        return [
            replace(r, tags=list(current[r.id].tags), caption=current[r.id].caption) if r.id in current else r
            for r in records
        ]

    def __enter__(self) -> Committer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.flush()  # what is finished is kept, whatever ended the run


def _without_words(exc: Exception) -> str:
    return f"its metadata text could not be stored in the index ({exc}); it is indexed without it"
