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

from engine.index.meta import Meta

VERSION_KEY = "schema_version"


class SchemaVersionError(RuntimeError):
    """The database cannot be used by this version of Earmark."""


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version the database is at once this has run
    description: str
    apply: Callable[[DBConnection], None]


# Schema version 1 is the first released schema: nothing to migrate from yet. Append
# Migration(2, ...) here together with the schema change it describes.
MIGRATIONS: tuple[Migration, ...] = ()


def migrate(db: DBConnection, meta: Meta, target: int,
            migrations: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    """Run the migrations between the stored version and ``target``; return those run."""
    current = meta.get(VERSION_KEY)
    if current > target:
        raise SchemaVersionError(f"the library database is at schema version {current}, newer than this "
                                 f"Earmark understands ({target}); update Earmark to open it")
    steps = sorted((m for m in migrations if current < m.version <= target), key=lambda m: m.version)
    if [m.version for m in steps] != list(range(current + 1, target + 1)):
        raise SchemaVersionError(f"no migration path from schema version {current} to {target}")
    for step in steps:
        step.apply(db)
        meta.set(f"migration:{step.version}", {"description": step.description, "applied_at": time.time()})
        meta.set(VERSION_KEY, step.version)
    return steps
