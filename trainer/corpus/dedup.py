"""De-duplication by decoded content: the same sound shipped twice (in two packages, or under
two names in one) would otherwise be counted twice in an evaluation, or sit on both sides of a
train/evaluation split.

Two files are the same sound when their decoded audio (16 kHz mono, silence trimmed at both
ends, quantised to 16 bits) is identical: a copy, a renamed copy or one padded with silence
matches; a re-encoded take (even losslessly: encoders round differently by a bit) or an edited
one does not.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

SILENCE = 1 / 32768  # below one 16-bit step


def content_key(samples: np.ndarray) -> str:
    """Hash of the decoded audio with leading and trailing silence trimmed."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    trimmed = samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]
    quantised = np.clip(np.round(trimmed * 32767), -32768, 32767).astype("<i2")
    return hashlib.sha1(quantised.tobytes()).hexdigest()


class ContentIndex:
    """Keys seen so far and the file that brought each one."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def claim(self, key: str, name: str) -> str | None:
        """Record ``name`` under ``key``; returns the earlier file's name if the key was taken."""
        earlier = self._first.setdefault(key, name)
        return None if earlier == name else earlier


def index_of_manifest(path: Path | None) -> ContentIndex:
    """The content keys of an out-of-distribution manifest (``bench/ood``'s ``manifest.json``,
    entries with ``key`` and ``named``), so a training corpus can leave that audio out."""
    index = ContentIndex()
    if path is not None:
        for entry in json.loads(Path(path).read_text(encoding="utf-8")):
            index.claim(entry["key"], f"evaluation file {entry['named']}")
    return index
