"""One model's window vectors: writing a file's set whole, and nearest-window search.

Vectors are L2-normalised and compared by dot product (cosine). Small tables are
searched exactly; past ``AnnPolicy.min_rows`` an IVF_FLAT index is built. IVF_FLAT was
measured against IVF_PQ and IVF_HNSW_SQ (bench/bench_search.py): on 2 CPU cores it
trains in seconds where those take minutes at 200k rows, and it keeps the exact vectors,
so within the probed partitions scores are exact and recall stays near 1. Rows added
after training are still found (LanceDB scans unindexed rows too) until ``optimize``
folds them in; the index is retrained when the table has doubled since training.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pyarrow as pa
from lancedb.db import DBConnection
from lancedb.index import BTree, IvfFlat

from engine.index.meta import Meta
from engine.index.rows import ROW_ID, RowLookup, sorted_positions
from engine.index.schema import embeddings_schema, embeddings_table_name, open_or_create, read_all
from engine.index.sql import in_list
from engine.models.base import l2_normalise

log = logging.getLogger(__name__)

VECTOR_INDEX = "vector_idx"


@dataclass(frozen=True)
class AnnPolicy:
    min_rows: int = 50_000  # below this an exact scan answers within tens of ms
    rows_per_partition: int = 1_000
    probe_fraction: float = 0.02  # of the partitions, per query
    min_probes: int = 8
    retrain_growth: float = 2.0


@dataclass
class Windows:
    """All the windows of one file for one model."""

    starts: np.ndarray  # (n,) seconds
    ends: np.ndarray  # (n,)
    vectors: np.ndarray  # (n, dim)
    likeness: np.ndarray | None = None  # (n, d): the same windows in the model's likeness space, if any

    def __post_init__(self):
        self.starts = np.asarray(self.starts, dtype=np.float64).reshape(-1)
        self.ends = np.asarray(self.ends, dtype=np.float64).reshape(-1)
        self.vectors = np.asarray(self.vectors, dtype=np.float32)
        if self.likeness is not None:
            self.likeness = np.asarray(self.likeness, dtype=np.float32)
        n = len(self.starts)
        for name, vectors in (("vectors", self.vectors), ("likeness vectors", self.likeness)):
            if vectors is None:
                continue
            if vectors.ndim != 2 or len(vectors) != n or len(self.ends) != n:
                raise ValueError(
                    f"{n} starts, {len(self.ends)} ends and {name} of shape {vectors.shape} "
                    f"do not describe the same windows"
                )
            if not np.isfinite(vectors).all():
                raise ValueError(f"window {name} contain NaN or infinity")

    def __len__(self) -> int:
        return len(self.starts)

    def in_likeness(self) -> Windows:
        """These windows with their likeness vectors as their vectors (none when they have none)."""
        if self.likeness is None:
            return Windows(self.starts[:0], self.ends[:0], np.zeros((0, 0), np.float32))
        return Windows(self.starts, self.ends, self.likeness)


@dataclass
class WindowMatches:
    """Nearest windows, best first."""

    file_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    scores: np.ndarray  # cosine similarity

    def __len__(self) -> int:
        return len(self.file_ids)

    def subset(self, rows: np.ndarray | slice) -> WindowMatches:
        """These rows only (a mask, indices or a slice), in their order."""
        return WindowMatches(self.file_ids[rows], self.starts[rows], self.ends[rows], self.scores[rows])


class EmbeddingTable:
    META_PREFIX = "embeddings:"  # the meta key of each table: its model, size and ANN bookkeeping
    ROWS_PER_FILE = 4  # a first guess, for how many rows to fetch per file wanted (a few windows each)

    def __init__(self, db: DBConnection, meta: Meta, model_name: str, dim: int, policy: AnnPolicy = AnnPolicy()):
        self.model_name = model_name
        self.dim = dim
        self.name = self.table_name(model_name)
        self.meta = meta
        self.policy = policy
        self._meta_key = f"{self.META_PREFIX}{self.name}"
        stored = meta.get(self._meta_key)
        if stored is not None and stored["dim"] != dim:
            raise ValueError(
                f"model {model_name!r} has {dim}-d vectors but the index holds {stored['dim']}-d ones "
                f"under that name; give the model a different name"
            )
        self.table = open_or_create(db, self.name, self.schema(dim))
        if stored is None:
            self.table.create_index("file_id", config=BTree())
            meta.set(self._meta_key, {"model": model_name, "dim": dim, "ann_rows": 0})
        self.has_vector_index = any(i.name == VECTOR_INDEX for i in self.table.list_indices())
        self._partitions = (stored or {}).get("partitions", 1)
        self.rows = RowLookup(self.table, ["file_id", "start_s", "end_s"])  # each row's window, by row id
        self._sample: tuple[int, np.ndarray] | None = None  # (table version, vectors): :meth:`sample`

    @staticmethod
    def table_name(model_name: str) -> str:
        return embeddings_table_name(model_name)

    @staticmethod
    def schema(dim: int) -> pa.Schema:
        return embeddings_schema(dim)

    # -- writing ---------------------------------------------------------------------

    def replace(self, windows: dict[int, Windows]) -> None:
        """Make these files' windows exactly the given ones: one delete, then one append.

        LanceDB commits each atomically, so after a crash a file has its old set, none, or
        the new set, never a mix or a doubled set. The store writes the file's record only
        after this returns (see LibraryStore.commit_embedded)."""
        for file_id, item in windows.items():
            if len(item) and item.vectors.shape[1] != self.dim:
                raise ValueError(
                    f"file {file_id}: {item.vectors.shape[1]}-d vectors for the {self.dim}-d model {self.model_name!r}"
                )
        self.delete(list(windows))
        batch = {file_id: item for file_id, item in windows.items() if len(item)}
        if not batch:
            return
        vectors = l2_normalise(np.concatenate([item.vectors for item in batch.values()]))
        self.table.add(
            pa.table(
                {
                    "file_id": np.concatenate(
                        [np.full(len(item), file_id, np.int64) for file_id, item in batch.items()]
                    ),
                    "start_s": np.concatenate([item.starts for item in batch.values()]),
                    "end_s": np.concatenate([item.ends for item in batch.values()]),
                    "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), self.dim),
                },
                schema=self.table.schema,
            )
        )

    def delete(self, file_ids: list[int]) -> None:
        if file_ids:
            self.table.delete(in_list("file_id", file_ids))

    def delete_except(self, keep_ids: np.ndarray) -> int:
        """Drop windows whose file is not in ``keep_ids`` (orphans of a crash); returns how many."""
        stored = self.file_ids()
        orphans = np.setdiff1d(stored, keep_ids)
        self.delete(orphans.tolist())
        return len(orphans)

    # -- reading ---------------------------------------------------------------------

    def count(self) -> int:
        return self.table.count_rows()

    def file_ids(self) -> np.ndarray:
        """Distinct ids of the files that have windows here (read-only; kept until the table
        changes: find similar asks on every call whether its likeness table covers the library)."""
        return self.rows.current().distinct("file_id")

    def window_counts(self, file_ids: np.ndarray) -> np.ndarray:
        """How many windows each of ``file_ids`` has here (0 for a file without), from the row
        columns kept in memory: no query."""
        held, counts = self.rows.current().counted("file_id")
        at = sorted_positions(held, np.asarray(file_ids, np.int64))
        return np.where(at >= 0, counts[at.clip(min=0)] if len(counts) else 0, 0)

    def sample(self, size: int) -> np.ndarray:
        """The vectors of at most ``size`` windows spread evenly over the table's rows, read once
        per table version: how a query's scores spread over the library's windows is estimated
        from them (engine.search.many_windows)."""
        rows = self.rows.current()
        if self._sample is None or self._sample[0] != rows.version:
            picked = rows.row_ids[np.linspace(0, len(rows) - 1, min(size, len(rows))).astype(np.int64)]
            vectors = np.empty((0, self.dim), np.float32)
            if len(picked):
                found = self.table.take_row_ids(picked.tolist()).select(["vector"]).to_arrow()
                vectors = found["vector"].combine_chunks().flatten().to_numpy().reshape(-1, self.dim)
            self._sample = (rows.version, vectors)
        return self._sample[1]

    def windows(self, file_id: int) -> Windows:
        return self.windows_of([file_id])[file_id]

    def windows_of(self, file_ids: Sequence[int]) -> dict[int, Windows]:
        """Each file's windows in time order (none for a file without), in one query: a tagging
        batch read its 32 files' windows one query each, 5 ms a file, as long as scoring them."""
        wanted = [int(i) for i in file_ids]
        if not wanted:
            return {}
        rows = read_all(self.table.search().where(in_list("file_id", wanted)).limit(None))
        owners = rows["file_id"].to_numpy()
        order = np.lexsort((rows["start_s"].to_numpy(), owners))  # by file, then by start
        owners, starts, ends = owners[order], rows["start_s"].to_numpy()[order], rows["end_s"].to_numpy()[order]
        vectors = rows["vector"].combine_chunks().flatten().to_numpy().reshape(-1, self.dim)[order]
        first, last = np.searchsorted(owners, wanted, side="left"), np.searchsorted(owners, wanted, side="right")
        return {
            file_id: Windows(starts[lo:hi], ends[lo:hi], vectors[lo:hi])
            for file_id, lo, hi in zip(wanted, first, last, strict=True)
        }

    def nearest(self, vector: np.ndarray, k: int, only_files: np.ndarray | None = None) -> WindowMatches:
        """The ``k`` windows nearest to ``vector``. ``only_files`` restricts the search to those
        files' windows, scored exactly (the ids' rows are looked up in the ``file_id`` index and
        no partition is probed): an IVF search filtered to a few files probes partition after
        partition until it finds k of their rows, 2 s at 1M windows when the files all sit far from
        the query. With an index and no filter, at least enough partitions to hold 2k windows are
        probed, so a large ``k`` (a caller filtering afterwards) really gets k candidates; LanceDB
        returns their row ids, and their windows are read from :attr:`rows` (engine.index.rows)."""
        vector = np.asarray(vector, dtype=np.float32)
        if only_files is not None:
            query = self.table.search(vector).distance_type("dot").limit(k)
            query = query.where(in_list("file_id", only_files), prefilter=True).bypass_vector_index()
            rows = read_all(query.select(["file_id", "start_s", "end_s", "_distance"]))
            return WindowMatches(
                rows["file_id"].to_numpy(),
                rows["start_s"].to_numpy(),
                rows["end_s"].to_numpy(),
                1.0 - rows["_distance"].to_numpy().astype(np.float64),
            )
        query = self.table.search(vector).distance_type("dot").limit(k).select(["_distance"]).with_row_id(True)
        if self.has_vector_index:
            query = query.nprobes(max(self.nprobes, math.ceil(2 * k / self.policy.rows_per_partition)))
        rows = read_all(query)
        window, found = self.rows.look_up(rows[ROW_ID].to_numpy())
        return WindowMatches(
            window["file_id"],
            window["start_s"],
            window["end_s"],
            1.0 - rows["_distance"].to_numpy().astype(np.float64)[found],
        )

    # -- upkeep ----------------------------------------------------------------------

    def optimize(self, cleanup_older_than: timedelta) -> None:
        """Compact, fold new rows into the indices, and (re)train the ANN index when due."""
        self.table.optimize(cleanup_older_than=cleanup_older_than)
        rows = self.count()
        trained = self.meta.get(self._meta_key)["ann_rows"]
        if rows >= self.policy.min_rows and (not self.has_vector_index or rows >= trained * self.policy.retrain_growth):
            self.build_ann_index()

    def build_ann_index(self) -> None:
        rows = self.count()
        partitions = max(1, rows // self.policy.rows_per_partition)
        started = time.perf_counter()
        self.table.create_index(
            "vector", config=IvfFlat(distance_type="dot", num_partitions=partitions), name=VECTOR_INDEX, replace=True
        )
        log.info(
            "%s: IVF_FLAT index over %d windows, %d partitions, built in %.1fs",
            self.name,
            rows,
            partitions,
            time.perf_counter() - started,
        )
        self.has_vector_index = True
        self._partitions = partitions
        self.meta.set(
            self._meta_key, {"model": self.model_name, "dim": self.dim, "ann_rows": rows, "partitions": partitions}
        )

    @property
    def nprobes(self) -> int:
        """IVF partitions searched per query."""
        return max(self.policy.min_probes, math.ceil(self._partitions * self.policy.probe_fraction))
