"""Bringing a database written by an older Earmark up to the current schema.

A migration moves the data to ``version``; they run in ascending order when the store
opens, and ``schema_version`` is bumped after each one. A crash inside a migration
re-runs that migration on the next open, so each must be safe to run twice (LanceDB
commits each step atomically, so it is enough to check whether the step is done).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lancedb.db import DBConnection
from lancedb.table import Table

from engine.index.meta import Meta
from engine.index.records import arrow_to_files, files_to_arrow
from engine.index.schema import FILES, FOLDERS, read_all
from engine.index.suggestions import move_rejections_out_of_model_tables
from engine.index.text import PHRASE_COLUMN, TEXT_FIELDS

VERSION_KEY = "schema_version"


class SchemaVersionError(RuntimeError):
    """The database cannot be used by this version of Earmark."""


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version the database is at once this has run
    description: str
    apply: Callable[[DBConnection], None]


def split_keyword_fields(db: DBConnection) -> None:
    """Version 2: keyword search ranks name, folder and description words as separate
    fields (engine.index.text), so every row gains the three columns, computed from what
    it holds; the old single full-text index goes."""
    files = db.open_table(FILES)
    missing = {column: "CAST(NULL AS STRING)" for column in TEXT_FIELDS if column not in files.schema.names}
    if missing:
        files.add_columns(missing)
    for index in files.list_indices():
        if index.columns == [PHRASE_COLUMN]:
            files.drop_index(index.name)
    refresh_keyword_fields(files)


def refresh_keyword_fields(files: Table) -> None:
    """Recompute every row's derived text columns from what it holds (name, folder,
    metadata, tags, caption): after a schema change, or a tokeniser change (TEXT_VERSION)."""
    rows = read_all(files.search().limit(None))
    if rows.num_rows:
        files.merge_insert("id").when_matched_update_all().execute(files_to_arrow(arrow_to_files(rows)))


def remember_folder_devices(db: DBConnection) -> None:
    """Version 3: each library folder keeps the device it was last seen on, to tell a folder
    moved or deleted from a drive unplugged (engine.library.roots); unknown (NULL) until the
    next index run sees the folder."""
    if FOLDERS in db.list_tables().tables:
        folders = db.open_table(FOLDERS)
        if "device" not in folders.schema.names:
            folders.add_columns({"device": "CAST(NULL AS BIGINT)"})


# Append Migration(n, ...) here together with the schema change it describes.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "keyword search fields: name, folder, description", split_keyword_fields),
    Migration(3, "library folders remember their device", remember_folder_devices),
    Migration(4, "rejections hold whatever model suggests later", move_rejections_out_of_model_tables),
)


def migrate(db: DBConnection, meta: Meta, target: int, migrations: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    """Run the migrations between the stored version and ``target``; return those run."""
    current = meta.get(VERSION_KEY)
    if current > target:
        raise SchemaVersionError(
            f"the library database is at schema version {current}, newer than this "
            f"Earmark understands ({target}); update Earmark to open it"
        )
    steps = sorted((m for m in migrations if current < m.version <= target), key=lambda m: m.version)
    if [m.version for m in steps] != list(range(current + 1, target + 1)):
        raise SchemaVersionError(f"no migration path from schema version {current} to {target}")
    for step in steps:
        step.apply(db)
        meta.set(f"migration:{step.version}", {"description": step.description, "applied_at": time.time()})
        meta.set(VERSION_KEY, step.version)
    return steps
