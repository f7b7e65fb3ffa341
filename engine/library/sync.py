"""Decide what a rescan must do: compare what is on disk with what the index holds.

Two passes, so hashing (the only reading of file contents) happens only where size
or mtime moved, the path is new, or the watcher saw that very file written (a tool that
rewrites audio in place may restore the size and mtime: only its bytes tell):

1. :func:`triage` (stat only): unchanged rows, rows to re-check, new paths, vanished rows.
2. :func:`resolve` (with content hashes): a re-checked file with the same hash was only
   touched (or, same stat too, not changed at all); a new path whose hash matches a vanished
   row, or a row of a library folder that is unreachable now (a renamed root), is that file,
   moved; what is left is new or deleted.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from engine.index.records import ERROR, OK, FileState
from engine.library.scanner import ScannedFile, ScanResult

_MTIME_SLACK = 1e-5  # stored as float seconds: allow float round-off, not a real edit


@dataclass
class Triage:
    unchanged: list[FileState] = field(default_factory=list)
    # size/mtime moved, never read, or a file the watcher saw written
    recheck: list[tuple[FileState, ScannedFile]] = field(default_factory=list)
    new: list[ScannedFile] = field(default_factory=list)
    vanished: list[FileState] = field(default_factory=list)
    duplicates: list[FileState] = field(default_factory=list)  # extra rows for one path (a crash mid-upsert)


@dataclass
class Plan:
    touched: list[tuple[FileState, ScannedFile]] = field(default_factory=list)  # same content, new size/mtime
    changed: list[tuple[FileState, ScannedFile, str]] = field(default_factory=list)  # re-embed; str = new hash
    moved: list[tuple[FileState, ScannedFile]] = field(default_factory=list)  # keep the row (and vectors), new path
    added: list[tuple[ScannedFile, str]] = field(default_factory=list)
    deleted: list[FileState] = field(default_factory=list)
    confirmed: list[FileState] = field(default_factory=list)  # re-checked with the same stat: read, as it was


def triage(scan: ScanResult, known: list[FileState], written: Collection[str] = frozenset()) -> Triage:
    """Sort rows and scanned files without reading any file contents. ``written``: paths the
    watcher saw written, re-checked whatever their stat says (a folder's path among them
    re-checks nothing below it: an event on a folder is no write to each file in it)."""
    out = Triage()
    by_path: dict[str, FileState] = {}
    for row in sorted(known, key=lambda r: r.indexed_at or 0.0, reverse=True):  # newest row wins a path
        if row.path in by_path:
            out.duplicates.append(row)
        else:
            by_path[row.path] = row
    seen = set()
    for item in scan.files:
        seen.add(item.path)
        row = by_path.get(item.path)
        if row is None:
            out.new.append(item)
        elif item.path in written or not same_stat(row, item) or (row.status == ERROR and not row.content_hash):
            out.recheck.append((row, item))  # an unreadable file is retried: permissions may have changed
        else:
            out.unchanged.append(row)
    # a file under a folder the scan could not list is not gone, only unseen
    out.vanished = [row for path, row in by_path.items() if path not in seen and scan.covers(path)]
    return out


def resolve(tri: Triage, hashes: dict[str, str], offline: Iterable[FileState] = ()) -> Plan:
    """Turn the triage into actions, given the content hash of every re-checked and new path
    (``""`` for a file that could not be read). ``offline``: rows of library folders that are
    unreachable now (a root renamed, moved or unplugged); a new path with one's bytes, that no
    vanished row of its own folder claims, is that file moved here, its tags with it."""
    plan = Plan()
    for row, item in tri.recheck:
        digest = hashes[item.path]
        if not digest or digest != row.content_hash or row.status == ERROR:
            plan.changed.append((row, item, digest))
        elif same_stat(row, item):
            plan.confirmed.append(row)  # a watched write left it as it was: nothing to store
        else:
            plan.touched.append((row, item))
    vanished_by_hash = _by_hash(row for row in tri.vanished if row.status == OK)
    offline_by_hash = _by_hash(offline)
    relinked = set()
    for item in tri.new:
        digest = hashes[item.path]
        row = _claim(vanished_by_hash, digest, item) or _claim(offline_by_hash, digest, item)
        if row is not None:
            relinked.add(row.id)
            plan.moved.append((row, item))
        else:
            plan.added.append((item, digest))
    plan.deleted = [row for row in tri.vanished if row.id not in relinked] + tri.duplicates
    return plan


def _by_hash(rows: Iterable[FileState]) -> dict[str, list[FileState]]:
    by_hash: dict[str, list[FileState]] = defaultdict(list)
    for row in rows:
        if row.content_hash:
            by_hash[row.content_hash].append(row)
    return by_hash


def _claim(candidates_by_hash: dict[str, list[FileState]], digest: str, item: ScannedFile) -> FileState | None:
    """Take the row ``item`` is, moved, out of the candidates with its bytes (None if none): of
    several copies, the one whose path ends most like the new one, so a renamed root's
    ``a/hit.wav`` and ``b/hit.wav`` each keep their own tags."""
    candidates = candidates_by_hash.get(digest) if digest else None
    if not candidates:
        return None
    best = max(range(len(candidates)), key=lambda i: (_shared_tail(candidates[i].path, item.path), i))
    return candidates.pop(best)


def _shared_tail(one: str, other: str) -> int:
    """How many trailing path components two paths share."""
    shared = 0
    for mine, theirs in zip(reversed(one.split(os.sep)), reversed(other.split(os.sep)), strict=False):
        if mine != theirs:
            break
        shared += 1
    return shared


def same_stat(row: FileState, item: ScannedFile) -> bool:
    return row.size == item.size and abs(row.mtime - item.mtime) <= _MTIME_SLACK
