"""Search filters, turned into one SQL ``where`` over the files table.

The same clause prefilters the full-text search and selects which files' windows the
vector search may return, so both halves of a hybrid query see the same library.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.fs import folder_prefix
from engine.index.records import OFFLINE, OK, path_key
from engine.index.sql import all_of, quote
from engine.index.text import phrase_pattern


@dataclass(frozen=True)
class SearchFilters:
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    format: str | None = None  # "wav", "flac", ... as engine.audio.decode.probe names them
    folder: str | None = None  # this folder or anything below it
    tag: str | None = None  # exact tag
    include_offline: bool = True  # files on unplugged drives: found (marked offline) so you know which to plug in

    def where(self) -> str:
        statuses = f"status IN ({quote(OK)}, {quote(OFFLINE)})" if self.include_offline else f"status = {quote(OK)}"
        clauses = [statuses]
        if self.min_duration_s is not None:
            clauses.append(f"duration_s >= {float(self.min_duration_s)!r}")
        if self.max_duration_s is not None:
            clauses.append(f"duration_s <= {float(self.max_duration_s)!r}")
        if self.sample_rate is not None:
            clauses.append(f"sample_rate = {int(self.sample_rate)}")
        if self.channels is not None:
            clauses.append(f"channels = {int(self.channels)}")
        if self.format:
            clauses.append(f"format = {quote(self.format.lower().lstrip('.'))}")
        if self.folder:
            clauses.append(f"starts_with(path, {quote(folder_prefix(path_key(self.folder)))})")
        if self.tag:
            clauses.append(f"array_has(tags, {quote(self.tag.strip())})")
        return all_of(*clauses)


def contains_clause(phrase: str, negate: bool = False) -> str | None:
    """``search_text`` holds ``phrase`` as whole consecutive words (or does not)."""
    pattern = phrase_pattern(phrase)
    if pattern is None:
        return None
    return f"search_text {'NOT ' if negate else ''}LIKE {quote(pattern)}"
