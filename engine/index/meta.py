"""Key/value facts about the database itself (schema version, applied migrations,
vector-index bookkeeping), stored as JSON text in the ``meta`` table."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from lancedb.table import Table

from engine.index.schema import META_SCHEMA, read_all
from engine.index.sql import quote


class Meta:
    def __init__(self, table: Table):
        self.table = table

    def get(self, key: str, default: Any = None) -> Any:
        rows = read_all(self.table.search().where(f"key = {quote(key)}").select(["value"])).to_pylist()
        return json.loads(rows[0]["value"]) if rows else default

    def has(self, key: str) -> bool:
        """Whether ``key`` holds a value: a count, its value (maybe large) neither read nor parsed."""
        return self.table.count_rows(f"key = {quote(key)}") > 0

    def set(self, key: str, value: Any) -> None:
        """One atomic write (merge on key), so a crash leaves the old value or the new."""
        row = pa.table({"key": [key], "value": [json.dumps(value)]}, schema=META_SCHEMA)
        self.table.merge_insert("key").when_matched_update_all().when_not_matched_insert_all().execute(row)

    def delete(self, key: str) -> None:
        self.table.delete(f"key = {quote(key)}")

    def items(self, prefix: str = "") -> dict[str, Any]:
        rows = read_all(self.table.search()).to_pylist()
        return {r["key"]: json.loads(r["value"]) for r in rows if r["key"].startswith(prefix)}
