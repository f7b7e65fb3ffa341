"""Teacher vectors, computed once per audio file and cached as ``.npy``; distillation targets.

CPU teacher inference is slow next to reading a cached log-mel, and the vector of a file
never changes, so every file's vector is stored (float32, keyed like the mel cache by path,
size, mtime and teacher version). ``earmark-train teacher-embed`` fills the cache ahead of a
run; a run fills whatever is still missing before its first step. Finished files are never
recomputed, so an interrupted fill simply continues.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from torch.utils.data import DataLoader, Dataset

from trainer.data.audio import AudioDecodeError, load_mono
from trainer.data.dataset import one_thread_per_worker
from trainer.data.melcache import cache_entry, write_npy
from trainer.teachers import teacher_class

log = logging.getLogger(__name__)


class TeacherVectors:
    """``vector(path)`` -> the teacher's (dim,) float32 clip vector, through the cache."""

    def __init__(self, teacher: str, cache_dir: str | Path):
        self.teacher_type = teacher_class(teacher)
        self.cache_dir = Path(cache_dir)
        self._teacher = None  # built on first use: once per loader worker, never when all is cached

    def load_teacher(self):
        """The teacher network (raises TeacherUnavailable without its package)."""
        if self._teacher is None:
            self._teacher = self.teacher_type()
        return self._teacher

    def entry(self, path: Path) -> Path:
        return cache_entry(self.cache_dir, Path(path), self.teacher_type.name)

    def missing(self, paths: Iterable[Path]) -> list[Path]:
        """The distinct ``paths`` that have no cached vector yet."""
        return [p for p in dict.fromkeys(Path(p) for p in paths) if not self.entry(p).exists()]

    def vector(self, path: Path) -> np.ndarray:
        entry = self.entry(path)
        if entry.exists():
            return np.load(entry)
        rate = self.teacher_type.sample_rate
        vector = self.load_teacher().embed(load_mono(path, rate), rate).astype(np.float32)
        write_npy(entry, vector)
        return vector


class _Missing(Dataset):
    """Files without a cached vector -> (path, error or None); runs in loader workers."""

    def __init__(self, paths: list[Path], vectors: TeacherVectors):
        self.paths, self.vectors = paths, vectors

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[str, str | None]:
        path = self.paths[index]
        try:
            self.vectors.vector(path)
        except (AudioDecodeError, ValueError, OSError) as error:
            return str(path), str(error)
        return str(path), None


def precompute(paths: Iterable[Path], vectors: TeacherVectors, num_workers: int = 0, log_every: int = 200) -> dict:
    """Fill the cache for ``paths`` (each distinct file once); returns what was done."""
    paths = list(dict.fromkeys(Path(p) for p in paths))
    missing = vectors.missing(paths)
    log.info(
        "%s: %d files, %d cached, %d to compute",
        vectors.teacher_type.name,
        len(paths),
        len(paths) - len(missing),
        len(missing),
    )
    if missing:
        vectors.load_teacher()  # fail here, not in a worker, when the teacher's package is missing
    loader = DataLoader(
        _Missing(missing, vectors),
        batch_size=None,
        num_workers=num_workers,
        worker_init_fn=one_thread_per_worker if num_workers else None,
    )
    failed, start = [], time.perf_counter()
    for done, (path, error) in enumerate(loader, start=1):
        if error is not None:
            log.warning("no teacher vector for %s: %s", path, error)
            failed.append(path)
        if done % log_every == 0 or done == len(missing):
            log.info("%d/%d computed (%.1f files/s)", done, len(missing), done / (time.perf_counter() - start))
    return {
        "files": len(paths),
        "cached": len(paths) - len(missing),
        "computed": len(missing) - len(failed),
        "failed": len(failed),
    }


def teacher_targets(paths: Iterable[Path], vectors: TeacherVectors, num_workers: int = 0) -> dict[Path, np.ndarray]:
    """Distillation targets for ``paths`` (filling the cache first): each file's teacher vector
    minus the mean over these files, L2-normalised again.

    Why centred: a teacher like aiSFX ends in ReLU and max-pooling, so all its vectors share
    one large positive direction (cosine 0.58 between white noise and a sine). Against raw
    vectors, a head that ignored the audio and always output that direction would already
    score 1 - cos ~ 0.1; centred, that scores ~1 and only what tells clips apart is left.

    A file the teacher cannot read has no target and is absent from the result (its error is
    logged, naming it), as the fine-tune's data leaves out a clip it cannot read: one damaged
    file among thousands must not stop a run before its first step. None readable is an error."""
    paths = list(dict.fromkeys(Path(p) for p in paths))
    precompute(paths, vectors, num_workers)
    unreadable = set(vectors.missing(paths))
    readable = [p for p in paths if p not in unreadable]
    if not readable:
        raise ValueError(
            f"no {vectors.teacher_type.name} vector for any of the {len(paths)} training files "
            "(their errors are logged above)"
        )
    if unreadable:
        log.warning(
            "%d of %d training files left out of %s distillation (named above)",
            len(unreadable),
            len(paths),
            vectors.teacher_type.name,
        )
    table = np.stack([vectors.vector(p) for p in readable])
    table -= table.mean(axis=0)
    table /= np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-8)
    return dict(zip(readable, table, strict=True))
