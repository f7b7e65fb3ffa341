"""What a search may return, besides its words: duration, format, folder, tag, offline files.

A plain dataclass with no imports, so the app's filter bar builds one at start without loading
the index; the store turns it into SQL (:func:`engine.index.sql.search_where`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchFilters:
    """``None`` means any."""

    min_duration_s: float | None = None
    max_duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    format: str | None = None  # "wav", "flac", ... as engine.audio.decode.probe names them
    folder: str | None = None  # this folder or anything below it
    tag: str | None = None  # exact tag
    include_offline: bool = True  # files on unplugged drives: found (marked offline) so you know which to plug in
