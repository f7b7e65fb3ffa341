"""Copies of one sound are embedded once.

Libraries gathered over years hold the same file in several folders (a vendor pack copied into
each project, a backup beside the original). Bytes that are the same decode to the same audio
and the same header, so a copy takes the vectors, audio facts and metadata of a file the index
holds already, or of the first file of this run with those bytes, instead of decoding and
embedding them again. What is the user's own (tags, caption) is never copied: the committer
keeps each row's own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import replace

from engine.index.records import FileRecord
from engine.index.status import PENDING
from engine.index.store import IN_LIST_CHUNK, LibraryStore
from engine.index.vectors import Windows
from engine.library.embedder import EmbeddedFile, FileJob
from engine.library.scanner import ScannedFile
from engine.models.base import ModelInfo


def stored_copies(
    store: LibraryStore, model: ModelInfo, digests: Iterable[str]
) -> dict[str, tuple[FileRecord, Windows]]:
    """{content hash: a file the index holds with those bytes, and its windows for ``model``}:
    only files with windows for this model (and in its likeness space, when it has one), as a
    file indexed before a model switch may not have them yet."""
    likeness_table = store.likeness(model) if model.likeness is not None else None
    if model.likeness is not None and likeness_table is None:
        return {}
    held = store.embedded_with_content(digests)
    found: dict[str, tuple[FileRecord, Windows]] = {}
    for start in range(0, len(held), IN_LIST_CHUNK):
        chunk = [r for r in held[start : start + IN_LIST_CHUNK] if r.content_hash not in found]
        ids = [r.id for r in chunk]
        windows = store.embeddings(model).windows_of(ids)
        likeness = likeness_table.windows_of(ids) if likeness_table is not None else {}
        for record in chunk:
            stored = windows.get(record.id)
            if record.content_hash in found or stored is None or not len(stored):
                continue
            if likeness_table is not None:
                alike = likeness.get(record.id)
                if alike is None or len(alike) != len(stored):
                    continue
                stored = Windows(stored.starts, stored.ends, stored.vectors, alike.vectors)
            found[record.content_hash] = (record, stored)
    return found


def copied_record(source: FileRecord, scanned: ScannedFile, folder: str, file_id: int | None) -> FileRecord:
    """The record of a copy of ``source`` found at ``scanned``: its audio facts and metadata
    words, its own place, none of the user's words (the committer keeps a row's own)."""
    return replace(
        source,
        id=file_id,
        path=scanned.path,
        folder=folder,
        size=scanned.size,
        mtime=scanned.mtime,
        tags=[],
        caption="",
        status=PENDING,
        indexed_at=time.time(),
    )


def embedded_once(
    jobs: list[FileJob],
    digest_of: Callable[[FileJob], str],
    held: Collection[str],
    embed: Callable[[list[FileJob]], Iterator[EmbeddedFile]],
) -> Iterator[tuple[FileJob, EmbeddedFile | None, bool]]:
    """Each job's result once, as ``(job, result, copy)``: first ``(job, None, True)`` for each
    copy of a sound the index holds (its content in ``held``: the caller has its vectors), then
    what ``embed`` makes of the first file of every other content, each followed by the later
    files of the run with the same bytes, which take its result (an error too: the same bytes
    fail the same way) and are copies when it is not an error."""
    for job in jobs:
        if digest_of(job) in held:
            yield job, None, True
    first: list[FileJob] = []
    later: dict[str, list[FileJob]] = {}
    for job in jobs:
        digest = digest_of(job)
        if digest in held:
            continue
        if digest and digest in later:
            later[digest].append(job)
        else:
            first.append(job)
            if digest:
                later[digest] = []
    for item in embed(first):
        yield item.job, item, False
        for job in later.get(digest_of(item.job), ()):
            yield job, replace(item, job=job), not item.error
