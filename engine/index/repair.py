"""``earmark repair``: rebuild the damaged tables of an index from what can still be read.

Each damaged table (engine.index.health names them) is read with engine.index.salvage
(its newest version that opens, damaged rows skipped, rows the damage took found in
earlier versions where those are intact) and written back as a new version of the same
table, one atomic LanceDB overwrite each, so a repair that is interrupted leaves every
table either as it was or repaired, and running it again finishes the job. Indices are
rebuilt by the store when it next opens. What can be recomputed is left to the next
index run, which compares the index with the files on disk: a file whose record was lost
is found and indexed again, one whose vectors were lost is embedded again. What cannot
be recomputed, the user's tags and captions and their rejections of suggestions, is kept
wherever any version still holds it.

Nothing is deleted: manifests that cannot be read are moved into a folder next to the
index (``index.lance.damaged-<time>``), and the damaged data files stay referenced by the
old versions until LanceDB's usual clean-up of old versions.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import BTree

from engine.index.health import TableDamage, diagnose, valid_vectors
from engine.index.meta import Meta
from engine.index.migrations import VERSION_KEY, SchemaVersionError
from engine.index.records import (
    OFFLINE,
    OK,
    FileRecord,
    FolderRecord,
    arrow_to_files,
    arrow_to_folders,
    files_to_arrow,
    folders_to_arrow,
    path_key,
)
from engine.index.salvage import Salvage, move_aside, open_newest_readable, salvage
from engine.index.schema import (
    EMBEDDINGS_PREFIX,
    FILES,
    FILES_SCHEMA,
    FOLDERS,
    FOLDERS_SCHEMA,
    META,
    META_SCHEMA,
    SCHEMA_VERSION,
    embeddings_schema,
    embeddings_table_name,
    read_all,
)
from engine.index.suggestions import REJECTIONS, REJECTIONS_SCHEMA, holds_rejections_per_model, model_tables
from engine.plural import counted

log = logging.getLogger(__name__)

_WINDOW_SLACK_S = 1e-3  # float round-off between a file's duration and its last window's end


@dataclass
class TableRepair:
    table: str
    problem: str
    claimed: int | None  # rows the table said it had (None: it could not be opened at all)
    kept: int
    versions: list[int] = field(default_factory=list)  # versions rows came from, newest first
    set_aside: list[str] = field(default_factory=list)  # unreadable versions moved out of the way
    note: str = ""  # what the next index run will redo, in words


@dataclass
class RepairReport:
    tables: list[TableRepair] = field(default_factory=list)
    aside: str = ""  # folder holding what was moved out of the way ("" when nothing was)
    tags_kept: int = 0  # files that still have tags or a caption

    @property
    def repaired(self) -> bool:
        return bool(self.tables)


def repair_index(db_path: str | Path, model_names: Iterable[str] = ()) -> RepairReport:
    """Repair every damaged table of the index at ``db_path``; an undamaged index is left
    alone. ``model_names`` help to re-register a vector table whose bookkeeping was lost."""
    db_path = Path(db_path)
    damage = {d.table: d for d in diagnose(db_path)}
    if not damage:
        return RepairReport()
    if "*" in damage:
        raise OSError(f"the index folder {db_path} cannot be read: {damage['*'].problem}")
    return _Repair(db_path, damage, list(model_names)).run()


class _Repair:
    def __init__(self, db_path: Path, damage: dict[str, TableDamage], model_names: list[str]):
        self.db_path, self.damage, self.model_names = db_path, damage, model_names
        self.db = lancedb.connect(str(db_path))
        self.aside = db_path.with_name(f"{db_path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        self.report = RepairReport()

    def run(self) -> RepairReport:
        meta = self._meta_entries()
        stored_version = meta.get(VERSION_KEY)
        if stored_version is not None and stored_version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the index was written by a newer Earmark (schema {stored_version}); update Earmark to repair it"
            )
        folders = self._folders()
        files = self._files(folders)
        rebuilt_vectors = [name for name in self.damage if name.startswith(EMBEDDINGS_PREFIX)]
        for name in rebuilt_vectors:
            self._vectors(name, files)
        if REJECTIONS in self.damage:
            self._rejections(files)
        self._write_meta(meta, rebuilt_vectors)
        self.report.tags_kept = sum(1 for r in files.values() if r.tags or r.caption)
        if self.aside.exists():
            self.report.aside = str(self.aside)
        for name in set(self.damage) - {META, FOLDERS, FILES, REJECTIONS} - set(rebuilt_vectors):
            self._set_aside_unknown(name)
        return self.report

    # -- tables -----------------------------------------------------------------------------

    def _meta_entries(self) -> dict:
        if META not in self.damage:
            return Meta(self.db.open_table(META)).items()
        found = self._salvage(META, "key")
        rows = found.rows.to_pylist() if found.rows is not None else []
        entries = {}
        for row in rows:
            try:
                entries[row["key"]] = json.loads(row["value"])
            except (TypeError, ValueError):
                continue
        return entries

    def _folders(self) -> dict[str, FolderRecord]:
        if FOLDERS not in self.damage:
            return {path_key(f.path): f for f in arrow_to_folders(read_all(self.db.open_table(FOLDERS).search()))}
        found = self._salvage(FOLDERS, "path")
        return {path_key(f.path): f for f in (arrow_to_folders(found.rows) if found.rows is not None else [])}

    def _files(self, folders: dict[str, FolderRecord]) -> dict[int, FileRecord]:
        """Repaired (or read) file records, by id. When the folders table was damaged, the
        folders the records name come back too; records of folders that are not in the
        library (rows of a removed folder, from an old version) are left out."""
        if FILES not in self.damage:
            records = arrow_to_files(read_all(self.db.open_table(FILES).search().limit(None)))
        else:
            found = self._salvage(FILES, "id")
            records = arrow_to_files(found.rows) if found.rows is not None else []
        if FOLDERS in self.damage:
            for record in records:
                folders.setdefault(path_key(record.folder), FolderRecord(record.folder, time.time(), True))
            self._write(FOLDERS, folders_to_arrow(list(folders.values())), FOLDERS_SCHEMA)
            repair = self._repair_of(FOLDERS)
            repair.note = (
                f"{len(folders)} library folders ({len(folders) - repair.kept} found again from the file records)"
            )
            repair.kept = len(folders)
        by_id, paths = {}, set()
        for record in records:  # newest first: a path's newest row wins
            if path_key(record.folder) in folders and record.path not in paths and record.id not in by_id:
                by_id[record.id] = record
                paths.add(record.path)
        if FILES in self.damage:
            self._write(FILES, files_to_arrow(list(by_id.values())), FILES_SCHEMA)
            repair = self._repair_of(FILES)
            repair.kept = len(by_id)
            lost = (repair.claimed or 0) - len(by_id)
            repair.note = f"{len(by_id)} file records kept" + (
                f", {lost} lost: the next index run finds those files on disk again" if lost > 0 else ""
            )
        return by_id

    def _vectors(self, name: str, files: dict[int, FileRecord]) -> None:
        """A model's windows, kept per file only when the file's whole set was read (its windows
        cover the file without a gap) and belongs to the file's current content."""
        found = self._salvage(name, "file_id", versions=False)
        try:
            table = self.db.open_table(name)
        except Exception:  # noqa: BLE001 - no version opens
            table = None
        dim = _vector_size(table.schema if table is not None else None)
        if dim is None:
            self._set_aside_unknown(name)
            return
        written_at = _version_time(table, found.versions[0]) if found.versions else 0.0
        had = (
            len(set(np.unique(found.rows["file_id"].to_numpy()).tolist()) & files.keys())
            if found.rows is not None
            else 0
        )
        if found.rows is not None:  # overwritten rows read back as other numbers: as good as lost
            found.rows = found.rows.filter(pa.array(valid_vectors(found.rows)))
        keep = _complete_files(found.rows, files, written_at) if found.rows is not None else set()
        rows = found.rows.filter(pa.array(np.isin(found.rows["file_id"].to_numpy(), list(keep)))) if keep else None
        self._write(name, rows, embeddings_schema(dim))
        self.db.open_table(name).create_index("file_id", config=BTree())
        repair = self._repair_of(name)
        repair.kept = 0 if rows is None else rows.num_rows
        repair.note = f"the windows of {len(keep)} files kept" + (
            f", {had - len(keep)} files' windows incomplete or out of date: the next index run embeds them again"
            if had > len(keep)
            else ""
        )

    def _rejections(self, files: dict[int, FileRecord]) -> None:
        """The user's rejections of suggestions, kept like their tags: every one any version still
        holds, of the files still in the library."""
        found = self._salvage(REJECTIONS, "file_id")
        rows = found.rows
        if rows is not None:
            rows = rows.filter(pa.array(np.isin(rows["file_id"].to_numpy(), list(files))))
        self._write(REJECTIONS, rows, REJECTIONS_SCHEMA)
        self.db.open_table(REJECTIONS).create_index("file_id", config=BTree())
        repair = self._repair_of(REJECTIONS)
        repair.kept = 0 if rows is None else rows.num_rows
        repair.note = f"{counted(repair.kept, 'rejected suggestion')} kept"

    def _version_of_tables(self) -> int:
        """The schema version the tables' columns show: the keyword fields came with version 2,
        the folders' device with 3, the rejections' own table with 4: before it, the models'
        suggestion tables held them (engine.index.migrations); opening the index migrates the rest."""

        def holds(table: str, schema) -> bool:
            return set(schema.names) <= set(self.db.open_table(table).schema.names)

        if not holds(FILES, FILES_SCHEMA):
            return 1
        if not holds(FOLDERS, FOLDERS_SCHEMA):
            return 2
        readable = [name for name in model_tables(self.db) if name not in self.damage]
        return 3 if holds_rejections_per_model(self.db, readable) else SCHEMA_VERSION

    def _write_meta(self, entries: dict, rebuilt_vectors: list[str]) -> None:
        """Bookkeeping that matches the repaired tables: the schema version, and an entry for
        every vector table (a rebuilt one has no vector index yet: ann_rows 0)."""
        entries = dict(entries)
        if VERSION_KEY not in entries:  # lost with the meta table: the tables' columns tell it
            entries[VERSION_KEY] = self._version_of_tables()
        tables = set(self.db.list_tables().tables)
        for key in [k for k in entries if k.startswith("embeddings:")]:
            if key.removeprefix("embeddings:") not in tables:
                del entries[key]
        for name in sorted(t for t in tables if t.startswith(EMBEDDINGS_PREFIX)):
            key = f"embeddings:{name}"
            if key not in entries:
                entry = self._unregistered_vectors(name)
                if entry is None:
                    continue
                entries[key] = entry
            if name in rebuilt_vectors:
                entries[key] = {k: v for k, v in entries[key].items() if k != "partitions"} | {"ann_rows": 0}
        if META in self.damage:
            rows = pa.table(
                {"key": list(entries), "value": [json.dumps(v) for v in entries.values()]}, schema=META_SCHEMA
            )
            self._write(META, rows, META_SCHEMA)
            self._repair_of(META).kept = len(entries)
        else:
            meta = Meta(self.db.open_table(META))
            for key, value in entries.items():
                if key.startswith("embeddings:") and key.removeprefix("embeddings:") in rebuilt_vectors:
                    meta.set(key, value)

    def _unregistered_vectors(self, name: str) -> dict | None:
        """A vector table the bookkeeping lost: registered again when its model is known
        (a name that maps to it), otherwise moved aside (its model re-embeds when chosen)."""
        dim = _vector_size(self.db.open_table(name).schema)
        model = next(
            (m for m in [*self.model_names, name.removeprefix(EMBEDDINGS_PREFIX)] if embeddings_table_name(m) == name),
            None,
        )
        if model is None or dim is None:
            self._set_aside_unknown(name)
            return None
        return {"model": model, "dim": dim, "ann_rows": 0}

    # -- helpers ----------------------------------------------------------------------------

    def _salvage(self, name: str, key: str, versions: bool = True) -> Salvage:
        table, set_aside = open_newest_readable(self.db, name, self.db_path / f"{name}.lance", self.aside)
        found = salvage(table, key, versions) if table is not None else Salvage()
        found.set_aside = set_aside
        self.report.tables.append(
            TableRepair(name, self.damage[name].problem, found.claimed, found.kept, found.versions, set_aside)
        )
        log.info(
            "repair %s: %s of %s rows readable, from versions %s; set aside: %s",
            name,
            found.kept,
            found.claimed,
            found.versions,
            set_aside,
        )
        return found

    def _write(self, name: str, rows: pa.Table | None, schema: pa.Schema) -> None:
        """Replace the table's contents in one atomic commit (a new version), or make it anew
        when no version of it could be opened."""
        table_dir = self.db_path / f"{name}.lance"
        if table_dir.exists():
            try:
                self.db.open_table(name)
            except Exception:  # noqa: BLE001 - no version opens: keep the folder aside, start over
                move_aside(table_dir, self.aside)
        if rows is not None and rows.num_rows:
            self.db.create_table(name, data=rows.select(schema.names).cast(schema), mode="overwrite")
        else:
            self.db.create_table(name, schema=schema, mode="overwrite")

    def _repair_of(self, name: str) -> TableRepair:
        return next(t for t in self.report.tables if t.table == name)

    def _set_aside_unknown(self, name: str) -> None:
        path = self.db_path / f"{name}.lance"
        if path.exists():
            move_aside(path, self.aside)
        if not any(t.table == name for t in self.report.tables):
            self.report.tables.append(TableRepair(name, self.damage.get(name, TableDamage(name, "")).problem, None, 0))
        self._repair_of(name).note = (
            f"set aside in {self.aside}: it could not be rebuilt (its model is not "
            f"known here); that model embeds the library again when it is used"
        )


def _vector_size(schema: pa.Schema | None) -> int | None:
    if schema is None or "vector" not in schema.names:
        return None
    kind = schema.field("vector").type
    return kind.list_size if isinstance(kind, pa.FixedSizeListType) else None


def _version_time(table, version: int) -> float:
    """When ``version`` of ``table`` was written (seconds since the epoch)."""
    for entry in table.list_versions():
        if entry["version"] == version:
            return entry["timestamp"].timestamp()
    return 0.0


def _complete_files(rows: pa.Table, files: dict[int, FileRecord], written_at: float) -> set[int]:
    """Ids whose windows run from 0 to the file's end without a gap (none lost to the
    damage), of files that are searchable and were not embedded again after these
    windows were written (an older version holds an older content's vectors)."""
    if not rows.num_rows:
        return set()
    ids = rows["file_id"].to_numpy()
    starts, ends = rows["start_s"].to_numpy(), rows["end_s"].to_numpy()
    order = np.lexsort((starts, ids))
    ids, starts, ends = ids[order], starts[order], ends[order]
    bounds = np.flatnonzero(np.diff(ids)) + 1
    keep = set()
    for part_ids, part_starts, part_ends in zip(
        np.split(ids, bounds), np.split(starts, bounds), np.split(ends, bounds), strict=True
    ):
        record = files.get(int(part_ids[0]))
        if record is None or record.status not in (OK, OFFLINE) or record.duration_s is None:
            continue
        if record.indexed_at is not None and record.indexed_at > written_at + _WINDOW_SLACK_S:
            continue
        whole = (
            part_starts[0] <= _WINDOW_SLACK_S
            and abs(part_ends[-1] - record.duration_s) <= _WINDOW_SLACK_S
            and np.all(part_starts[1:] <= part_ends[:-1] + _WINDOW_SLACK_S)
        )
        if whole:
            keep.add(int(part_ids[0]))
    return keep
