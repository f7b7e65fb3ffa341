"""Is the index readable? Telling a damaged index from any other failure, in words.

A disk that filled up, a machine that crashed mid-write or a sync tool that copied
half a file leaves a LanceDB table whose data, index or version files cannot be read.
LanceDB then raises from deep inside a query (``lance error: ... failed to fill whole
buffer``, a Rust panic, "does not appear to be a Lance file"), and sometimes a damaged
scalar index silently answers nothing. :func:`diagnose` reads every table through
(all columns, then one query per index) and names the tables that fail, so the user
hears which part of the index is damaged and how to get out: ``earmark repair``
(engine.index.repair).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.query import MatchQuery

from engine.index.schema import BULK_BATCH_ROWS, EMBEDDINGS_PREFIX, FILES, FOLDERS, META, WORDS_PREFIX
from engine.index.sql import quote
from engine.index.suggestions import PREFIX as SUGGESTIONS_PREFIX
from engine.index.suggestions import REJECTIONS

_STORAGE_WORDS = re.compile(r"lance|panicked|corrupt|protobuf|does not appear to be", re.IGNORECASE)
_RUST_SOURCE = re.compile(r",?\s*/\S+\.rs:\d+:\d+")  # where in LanceDB's source it failed: not for users
_PANICS = {"RustPanic", "PanicException"}


@dataclass(frozen=True)
class TableDamage:
    table: str
    problem: str  # what LanceDB said, shortened


class IndexDamagedError(RuntimeError):
    """Tables of the index cannot be read; ``str()`` says which, and what to do."""

    def __init__(self, damage: list[TableDamage]):
        self.damage = damage
        super().__init__(
            f"{self.summary} Run `earmark repair` to rebuild {_it(damage)} from what is still "
            f"readable and from your files on disk; {REPAIR_KEEPS}."
        )

    @property
    def summary(self) -> str:
        """Which tables are damaged and how, without the way out (the app offers a button)."""
        parts = [f"{describe_table(d.table)} (table '{d.table}') cannot be read: {d.problem}" for d in self.damage]
        return "The index is damaged: " + "; ".join(parts) + "."

    @property
    def plain(self) -> str:
        """Which parts of the index cannot be read, in the user's words alone, for a window: what
        the storage said ("LanceError(IO): ... failed to fill whole buffer") is :attr:`details`."""
        return (
            "The index is damaged: " + "; ".join(f"{describe_table(d.table)} cannot be read" for d in self.damage) + "."
        )

    @property
    def details(self) -> str:
        """What the storage said of each damaged table, one a line: for the log and a details tooltip."""
        return "\n".join(f"table '{d.table}': {d.problem}" for d in self.damage)


REPAIR_KEEPS = "tags and captions are kept wherever they can still be read"


def is_storage_error(exc: BaseException) -> bool:
    """Does ``exc`` come from LanceDB failing to read or write its files (rather than from
    a bad query or bad data of ours)? Only then is it worth diagnosing the index."""
    if type(exc).__name__ in _PANICS:
        return True
    return isinstance(exc, (RuntimeError, OSError, ValueError)) and bool(_STORAGE_WORDS.search(str(exc)))


def damage_of(exc: BaseException, db_path: str | Path) -> IndexDamagedError | None:
    """The IndexDamagedError behind ``exc``, or None when ``exc`` is not about a damaged index."""
    if isinstance(exc, IndexDamagedError):
        return exc
    if not is_storage_error(exc):
        return None
    damage = diagnose(db_path)
    return IndexDamagedError(damage) if damage else None


def diagnose(db_path: str | Path) -> list[TableDamage]:
    """Every table of the index that cannot be read through, with LanceDB's reason."""
    db = lancedb.connect(str(db_path))
    try:
        names = db.list_tables().tables
    except Exception as exc:  # noqa: BLE001 - the folder itself cannot be listed
        return [TableDamage("*", short_reason(exc))]
    damage = []
    for name in sorted(names):
        problem = table_problem(db, name)
        if problem:
            damage.append(TableDamage(name, problem))
    return damage


def table_problem(db, name: str) -> str:
    """ "" when the table opens, every row of every column reads and each index answers;
    otherwise why not. The whole table is read: this runs only once something failed."""
    try:
        table = db.open_table(name)
        expected = table.count_rows()
        read, first, garbled = 0, None, 0
        for batch in table.search().limit(None).to_batches(BULK_BATCH_ROWS):
            read += batch.num_rows
            if first is None and batch.num_rows:
                first = batch.slice(0, 1).to_pylist()[0]
            if name.startswith(EMBEDDINGS_PREFIX):
                garbled += int((~valid_vectors(batch)).sum())
        if read != expected:
            return f"{expected} rows are listed but {read} could be read"
        if garbled:
            return f"{garbled} of its {read} vectors are not unit length: their data was overwritten"
        if first is not None:
            for index in table.list_indices():
                problem = _index_problem(table, index, first)
                if problem:
                    return problem
    except Exception as exc:  # noqa: BLE001 - LanceDB fails in many ways on damaged files
        return short_reason(exc)
    return ""


def valid_vectors(rows) -> np.ndarray:
    """Which rows of a vector table hold what the store writes: finite, unit-length vectors.
    LanceDB keeps no checksums, so data overwritten in place reads back as other numbers;
    this is how such damage shows (a random float vector is practically never unit length)."""
    column = rows.column("vector")
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    dim = column.type.list_size
    with np.errstate(all="ignore"):  # garbage holds NaN and numbers that overflow when squared
        vectors = column.flatten().to_numpy(zero_copy_only=False).reshape(-1, dim).astype(np.float64)
        norms = np.sqrt((vectors * vectors).sum(axis=1))
    return np.isfinite(norms) & (np.abs(norms - 1.0) < UNIT_TOLERANCE)


UNIT_TOLERANCE = 1e-3  # float32 vectors normalised by the store are within 1e-6 of length 1


def _index_problem(table, index, row: dict) -> str:
    """One query answered through ``index``, about a row known to exist; "" when right."""
    column = index.columns[0]
    kind = str(index.index_type).lower()
    value = row.get(column)
    if "fts" in kind or "inverted" in kind:
        word = next(iter(re.findall(r"\w+", value or "")), "a")
        table.search(MatchQuery(word, column), query_type="fts").limit(1).to_arrow()
        return ""
    if "ivf" in kind or "hnsw" in kind:
        table.search(np.zeros(len(value), np.float32)).distance_type("dot").limit(1).to_arrow()
        return ""
    if value is None or isinstance(value, (list, bytes)):
        return ""
    literal = quote(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else repr(value)
    found = table.search().where(f"{column} = {literal}").limit(1).to_arrow().num_rows
    return "" if found else f"its index '{index.name}' does not find rows that exist"


def short_reason(exc: BaseException) -> str:
    """LanceDB's message, first line, without its source locations, at most 200 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = _RUST_SOURCE.sub("", text).removeprefix("lance error: ").strip()
    return text[:200]


def describe_table(name: str) -> str:
    """What a table holds, in the user's words."""
    if name == FILES:
        return "the list of indexed files, with your tags and captions"
    if name == FOLDERS:
        return "the list of library folders"
    if name == META:
        return "the index's own bookkeeping"
    if name.startswith(EMBEDDINGS_PREFIX):
        return f"the sound vectors of model {name.removeprefix(EMBEDDINGS_PREFIX)}"
    if name.startswith(WORDS_PREFIX):
        return f"what the names mean to model {name.removeprefix(WORDS_PREFIX)} (remade by the next index run)"
    if name == REJECTIONS:
        return "the suggestions you rejected"
    if name.startswith(SUGGESTIONS_PREFIX):
        return f"the tags model {name.removeprefix(SUGGESTIONS_PREFIX)} suggested (made again by Suggest)"
    return "a table of the index"


def _it(damage: list[TableDamage]) -> str:
    return "it" if len(damage) == 1 else "them"
