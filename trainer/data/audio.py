"""Decoding for training goes through the engine's decoder: one code path with the app
(soundfile + soxr, streaming regions, readable errors)."""

from __future__ import annotations

from pathlib import Path

from engine.audio.decode import AudioDecodeError, load_mono, probe

__all__ = ["AudioDecodeError", "duration_seconds", "load_mono"]


def duration_seconds(path: str | Path) -> float:
    return probe(path).duration_s
