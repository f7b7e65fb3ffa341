"""Small real rows and vectors for index and search tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.index import FileRecord, LibraryStore, Windows
from engine.models.base import LikenessSpace, ModelInfo

LIB = "/library/sfx"


def model_info(name: str = "test-model", dim: int = 8, likeness: LikenessSpace | None = None) -> ModelInfo:
    return ModelInfo(
        name=name,
        backend="cacophony",
        embedding_dim=dim,
        sample_rate=16_000,
        window_seconds=1.0,
        can_caption=False,
        likeness=likeness,
    )


def record(name: str, folder: str = LIB, **fields) -> FileRecord:
    fields.setdefault("content_hash", "hash-" + name)
    fields.setdefault("size", 1000)
    fields.setdefault("mtime", 1_700_000_000.0)
    return FileRecord(path=f"{folder}/{name}", folder=folder, **fields)


def windows(n: int, dim: int = 8, seed: int = 0, start: float = 0.0, likeness_dim: int = 0) -> Windows:
    """``n`` one-second windows of random vectors, and likeness vectors when ``likeness_dim``."""
    rng = np.random.default_rng(seed)
    starts = start + np.arange(n, dtype=np.float64)
    likeness = rng.standard_normal((n, likeness_dim)) if likeness_dim else None
    return Windows(starts, starts + 1.0, rng.standard_normal((n, dim)), likeness)


def open_store(folder: Path) -> LibraryStore:
    """An empty library database under ``folder`` with the library folder ``LIB`` added."""
    store = LibraryStore(folder / "index.lance")
    store.add_folder(LIB)
    return store
