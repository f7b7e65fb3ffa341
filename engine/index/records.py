"""Python-side rows of the library tables and their conversion to and from Arrow.

Paths are ``str`` as the OS gives them, which on Linux may carry lone surrogates for
bytes that are not UTF-8 (``os.fsdecode``). Arrow strings must be UTF-8, so a row keeps
a printable key (``path_key``) for lookups and SQL, and the exact bytes to give back.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields

import pyarrow as pa

from engine.index.schema import FILES_SCHEMA, FOLDERS_SCHEMA
from engine.index.status import ERROR, OFFLINE, OK, PENDING  # noqa: F401 - re-exported beside the rows
from engine.index.text import file_text


def path_key(path: str | os.PathLike) -> str:
    """The UTF-8 text a path is stored and looked up under: the path itself, except
    that undecodable bytes read as ``\\xff`` escapes."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", "backslashreplace")


@dataclass
class FileRecord:
    """A file in the library; ``status`` is one of :mod:`engine.index.status`."""

    path: str
    folder: str
    content_hash: str = ""
    size: int = 0
    mtime: float = 0.0
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    bit_depth: int | None = None
    format: str | None = None
    metadata_text: str = ""
    tags: list[str] = field(default_factory=list)
    caption: str = ""
    status: str = OK
    error: str = ""
    indexed_at: float | None = None
    id: int | None = None  # assigned by the store

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def warning(self) -> str:
        """What indexing had to mend or do without in a file it did index (audio cut short, samples
        that are not numbers: engine.audio.stream.Repairs), kept in ``error`` beside a status that
        is not ERROR; "" when there is none or the file failed (``error`` then says why)."""
        return "" if self.status == ERROR else self.error


@dataclass(frozen=True)
class FileState:
    """What an incremental rescan compares with the disk: no metadata, no text."""

    id: int
    path: str
    folder: str
    content_hash: str
    size: int
    mtime: float
    status: str
    error: str
    indexed_at: float | None


@dataclass(frozen=True)
class FolderRecord:
    path: str
    added_at: float
    online: bool
    device: int | None = None  # st_dev where it was last seen (None: not yet seen since an upgrade)


FILE_FIELDS = tuple(f.name for f in fields(FileRecord))
STATE_FIELDS = tuple(f.name for f in fields(FileState))
FOLDER_FIELDS = tuple(f.name for f in fields(FolderRecord))
STATE_COLUMNS = [name for name in STATE_FIELDS if name != "path"] + ["path_bytes"]


def files_to_arrow(records: list[FileRecord]) -> pa.Table:
    rows = []
    for record in records:
        row = asdict(record)
        row["path"] = path_key(record.path)
        row["path_bytes"] = os.fsencode(record.path)
        row["folder"] = path_key(record.folder)
        row.update(file_text(record.path, record.folder, record.metadata_text, record.tags, record.caption).columns)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=FILES_SCHEMA)


def arrow_to_files(table: pa.Table) -> list[FileRecord]:
    return [FileRecord(**_with_os_path(row, FILE_FIELDS)) for row in table.to_pylist()]


def arrow_to_states(table: pa.Table) -> list[FileState]:
    return [FileState(**_with_os_path(row, STATE_FIELDS)) for row in table.to_pylist()]


def folders_to_arrow(folders: list[FolderRecord]) -> pa.Table:
    rows = [{**asdict(f), "path": path_key(f.path), "path_bytes": os.fsencode(f.path)} for f in folders]
    return pa.Table.from_pylist(rows, schema=FOLDERS_SCHEMA)


def arrow_to_folders(table: pa.Table) -> list[FolderRecord]:
    return [FolderRecord(**_with_os_path(row, FOLDER_FIELDS)) for row in table.to_pylist()]


def _with_os_path(row: dict, names: tuple[str, ...]) -> dict:
    """Keep ``names``; ``path`` comes back from its exact bytes when stored."""
    out = {name: row[name] for name in names if name in row}
    if row.get("path_bytes") is not None:
        out["path"] = os.fsdecode(row["path_bytes"])
    if out.get("tags") is None and "tags" in names:
        out["tags"] = []
    return out
