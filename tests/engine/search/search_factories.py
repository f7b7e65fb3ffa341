"""Vectors placed at a chosen cosine to a real query embedding, to test ranking exactly."""

from __future__ import annotations

import numpy as np

from engine.index import Windows


def at_cosine(query: np.ndarray, cosine: float, seed: int = 0) -> np.ndarray:
    """A unit vector whose dot product with the unit vector ``query`` is ``cosine``."""
    rng = np.random.default_rng(seed)
    other = rng.standard_normal(query.shape).astype(np.float64)
    other -= other.dot(query) * query
    other /= np.linalg.norm(other)
    return (cosine * query + np.sqrt(1 - cosine**2) * other).astype(np.float32)


def one_window(vector: np.ndarray, start: float = 0.0, length: float = 1.0) -> Windows:
    return Windows([start], [start + length], vector[None, :])
