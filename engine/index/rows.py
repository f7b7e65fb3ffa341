"""What LanceDB's row ids stand for, kept in memory per table version.

A search asks LanceDB for row ids and scores only and reads what those rows hold here: fetching
the columns of the rows a query found costs more than finding them (bench/bench_search.py, 1 M
windows: the 400 nearest windows 14 ms with their columns against 5 ms without, 4,000 rows 15
against 7 ms; a phrase held by 15,600 of 250 k files 19.5 against 12.8 ms, the lookup included).
A row id names one row for good (a changed file's windows and a rewritten file record are new
rows, a compaction gives every row it moves a new id), so what was read at an earlier version is
right for every row it knows, and a row it does not know is newer: reading the table's columns
again finds it. Reading costs about 30 ms for 1 M windows and 5 ms for 250 k files' ids, once per
table version.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from lancedb.table import Table

from engine.index.schema import read_all

ROW_ID = "_rowid"


def sorted_positions(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where each of ``values`` is in ``sorted_values`` (ascending), -1 where it is not: a binary
    search each, far cheaper than ``np.isin`` for the few thousand values a search looks up."""
    if not len(sorted_values):
        return np.full(len(values), -1)
    at = np.searchsorted(sorted_values, values).clip(max=len(sorted_values) - 1)
    return np.where(sorted_values[at] == values, at, -1)


class RowColumns:
    """Some columns of every row of a table at one version, looked up by row id."""

    def __init__(self, version: int, rows: pa.Table):
        row_ids = rows[ROW_ID].to_numpy()
        order = np.argsort(row_ids, kind="stable")
        self.version = version
        self.row_ids = row_ids[order]
        self.columns = {name: rows[name].to_numpy()[order] for name in rows.column_names if name != ROW_ID}
        self._counted: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.row_ids)

    def distinct(self, name: str) -> np.ndarray:
        """The distinct values of column ``name``, sorted and read-only (worked out once)."""
        return self.counted(name)[0]

    def counted(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values of column ``name``, sorted, and how many rows hold each; read-only,
        worked out once."""
        found = self._counted.get(name)
        if found is None:
            found = np.unique(self.columns[name], return_counts=True)
            for array in found:
                array.setflags(write=False)
            self._counted[name] = found
        return found

    def positions(self, row_ids: np.ndarray) -> np.ndarray:
        """Where each of ``row_ids`` is held here; -1 for a row not known here."""
        return sorted_positions(self.row_ids, row_ids)


class RowLookup:
    """``columns`` of ``table``'s rows by row id, read again only once the table has changed.
    Safe to share between threads: the columns are replaced in one assignment."""

    def __init__(self, table: Table, columns: list[str]):
        self.table = table
        self.names = columns
        self._rows: RowColumns | None = None

    def current(self) -> RowColumns:
        """The columns of the table's current version."""
        version = self.table.version
        if self._rows is None or self._rows.version != version:
            query = self.table.search().select(self.names).with_row_id(True).limit(None)
            self._rows = RowColumns(version, read_all(query))
        return self._rows

    def look_up(self, row_ids: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The columns of the rows ``row_ids`` names, and which of them were found (a mask over
        ``row_ids``): a row still unknown after reading the table again was written while the
        query ran, and the next query sees it."""
        rows = self.current()
        at = rows.positions(row_ids)
        if (at < 0).any():  # written since the columns were read (by this process or another)
            rows = self.current()
            at = rows.positions(row_ids)
        found = at >= 0
        return {name: column[at[found]] for name, column in rows.columns.items()}, found
