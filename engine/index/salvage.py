"""Reading what can still be read from a damaged LanceDB table.

Damage is local: one data file of one fragment truncated or overwritten, one version's
manifest garbled. So a table is read in chunks of rows, and a chunk that fails is
narrowed down to the rows that fail: a damaged fragment is a run of consecutive rows,
found by galloping to its end, so a table with a million rows costs a few hundred reads,
not a million. Earlier versions of the table (LanceDB keeps them for a few minutes after
every write, and the data files they point to) hold rows that the damaged version lost;
:func:`salvage` reads them newest first, keeping for each key the newest row it finds,
and stops at the first version that reads completely.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger(__name__)

CHUNK_ROWS = 4096
MAX_VERSIONS = 500  # older versions read at most, newest first


@dataclass
class Salvage:
    rows: pa.Table | None = None  # None when nothing could be read at all
    claimed: int | None = None  # rows the newest version that opens says it has
    versions: list[int] = field(default_factory=list)  # versions rows were taken from, newest first
    complete: bool = False  # the newest version read through: nothing was lost
    set_aside: list[str] = field(default_factory=list)  # manifests moved out of the way to open the table

    @property
    def kept(self) -> int:
        return 0 if self.rows is None else self.rows.num_rows


def open_newest_readable(db, name: str, table_dir: Path, aside: Path) -> tuple[object | None, list[str]]:
    """Open ``name`` at its newest version whose manifest LanceDB can read. Unreadable newer
    manifests are moved into ``aside`` (kept, not deleted), so the table opens at the
    version before them, as LanceDB itself does when a write never finished."""
    moved: list[str] = []
    manifests = _manifests_newest_first(table_dir)
    while True:
        try:
            return db.open_table(name), moved
        except Exception as exc:  # noqa: BLE001 - the newest manifest is unreadable
            if not manifests:
                log.warning("table %s: no version can be opened (%s)", name, exc)
                return None, moved
            version, path = manifests.pop(0)
            target = aside / name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), str(target))
            moved.append(f"version {version}")
            hint = table_dir / "_versions" / "latest_version_hint.json"
            if hint.exists():
                hint.unlink()  # it names the version just moved; LanceDB finds the latest without it


def salvage(table, key: str, versions: bool = True) -> Salvage:
    """The readable rows of ``table``: its current version's, then (when ``versions``) rows
    of earlier versions whose ``key`` the newer ones did not yield, until a version reads
    completely."""
    out = Salvage()
    found: list[pa.Table] = []
    seen = pa.array([], type=table.schema.field(key).type)
    history = sorted((v["version"] for v in table.list_versions()), reverse=True)[:MAX_VERSIONS]
    for number, version in enumerate(history):
        try:
            table.checkout(version)
            total = table.count_rows()
        except Exception as exc:  # noqa: BLE001 - this version's files are gone or damaged
            log.info("version %d cannot be read: %s", version, exc)
            continue
        if out.claimed is None:
            out.claimed = total
        keys, keys_whole = readable(table, np.arange(total), [key])
        wanted = np.concatenate(
            [offsets[~pc.is_in(part[key], seen).to_numpy(zero_copy_only=False)] for offsets, part in keys]
            or [np.zeros(0, np.int64)]
        )
        rows, rows_whole = readable(table, wanted, None)
        if rows:
            taken = pa.concat_tables([part for _, part in rows])
            found.append(taken)
            seen = pa.concat_arrays([seen, taken[key].combine_chunks()])
            out.versions.append(version)
        whole = keys_whole and rows_whole
        if number == 0:
            out.complete = whole
        if whole or not versions:
            break
    table.checkout_latest()
    if found:
        out.rows = pa.concat_tables(found, promote_options="default")
    return out


def readable(
    table, offsets: np.ndarray, columns: Sequence[str] | None
) -> tuple[list[tuple[np.ndarray, pa.Table]], bool]:
    """The rows at ``offsets`` (ascending) that can be read, as (offsets, rows) parts, and
    whether all of them could. A failing run of rows is skipped whole: its first row is
    found by halving the chunk, its end by galloping and halving again."""
    parts: list[tuple[np.ndarray, pa.Table]] = []
    whole = True
    at = 0
    while at < len(offsets):
        chunk = offsets[at : at + CHUNK_ROWS]
        rows = _take(table, chunk, columns)
        if rows is not None:
            parts.append((chunk, rows))
            at += len(chunk)
            continue
        whole = False
        good = _longest_readable_prefix(table, chunk, columns)  # chunk[good] is the first row that fails
        if good:
            parts.append((chunk[:good], _take(table, chunk[:good], columns)))
        at = _next_readable(table, offsets, at + good, columns)
    return parts, whole


def _longest_readable_prefix(table, chunk: np.ndarray, columns) -> int:
    low, high = 0, len(chunk) - 1  # chunk[:low] reads; chunk[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if _take(table, chunk[:middle], columns) is not None:
            low = middle
        else:
            high = middle - 1
    return low


def _next_readable(table, offsets: np.ndarray, bad: int, columns) -> int:
    """Index of the first readable row after the failing one at ``bad`` (len when none),
    assuming failing rows come in runs (a damaged fragment)."""
    step, last_bad = 1, bad
    while bad + step < len(offsets) and _take(table, offsets[bad + step : bad + step + 1], columns) is None:
        last_bad = bad + step
        step *= 2
    low, high = last_bad, min(bad + step, len(offsets))  # offsets[low] fails; offsets[high] reads (or is the end)
    while high - low > 1:
        middle = (low + high) // 2
        if _take(table, offsets[middle : middle + 1], columns) is None:
            low = middle
        else:
            high = middle
    return high


def _take(table, offsets: np.ndarray, columns) -> pa.Table | None:
    if not len(offsets):
        return None
    query = table.take_offsets([int(o) for o in offsets])
    if columns is not None:
        query = query.select(list(columns))
    try:
        rows = query.to_arrow()
    except Exception:  # noqa: BLE001 - LanceDB raises (or panics) in many ways on damaged files
        return None
    return rows if rows.num_rows == len(offsets) else None


def _manifests_newest_first(table_dir: Path) -> list[tuple[int, Path]]:
    """(version, path) of each manifest. LanceDB names them by version, or (its newer
    scheme) by 2**64 - 1 - version so that the newest sorts first."""
    found = []
    for path in (table_dir / "_versions").glob("*.manifest"):
        try:
            number = int(path.stem)
        except ValueError:
            continue
        found.append((2**64 - 1 - number if number > 2**63 else number, path))
    return sorted(found, reverse=True)


def move_aside(path: Path, aside: Path) -> None:
    """Keep a damaged table's folder for inspection instead of deleting it."""
    aside.mkdir(parents=True, exist_ok=True)
    os.replace(path, aside / path.name)
