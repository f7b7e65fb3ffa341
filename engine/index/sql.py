"""Building LanceDB ``where`` clauses (DataFusion SQL) from Python values safely.

Every SQL string of Earmark is written here or in the store: the rest of the engine asks the
store in Python terms (a folder, a status, :class:`SearchFilters`) and passes clauses on unread.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.fs import folder_prefix
from engine.index.records import path_key
from engine.index.status import OFFLINE, OK
from engine.index.text import PHRASE_COLUMN, phrase_pattern

if TYPE_CHECKING:
    from engine.search.filters import SearchFilters


def quote(value: str) -> str:
    """A SQL string literal; a quote inside is doubled, which is all DataFusion needs."""
    return "'" + value.replace("'", "''") + "'"


def in_list(column: str, ids: Iterable[int]) -> str:
    """``column IN (1, 2, 3)``; an empty list becomes a clause that is always false."""
    values = ", ".join(str(int(i)) for i in ids)
    return f"{column} IN ({values})" if values else "false"


def all_of(*clauses: str | None) -> str | None:
    """AND of the non-empty clauses, each parenthesised; None when there are none."""
    parts = [f"({c})" for c in clauses if c]
    return " AND ".join(parts) if parts else None


def file_where(folder: str | os.PathLike | None = None, status: str | None = None) -> str | None:
    """The file rows of one library folder (its own rows, as the indexer filed them), of one
    status, or both; None selects every row."""
    return all_of(
        f"folder = {quote(path_key(folder))}" if folder is not None else None,
        f"status = {quote(status)}" if status is not None else None,
    )


def search_where(filters: SearchFilters, phrases: Iterable[str] = (), excludes: Iterable[str] = ()) -> str | None:
    """The files a search may return: those passing ``filters``, holding every quoted phrase and
    none of the excluded ones. The same clause prefilters the full-text search and selects which
    files' windows the vector search may return, so both halves of a hybrid query see the same
    library."""
    clauses = [_searchable(filters.include_offline)]
    if filters.min_duration_s is not None:
        clauses.append(f"duration_s >= {float(filters.min_duration_s)!r}")
    if filters.max_duration_s is not None:
        clauses.append(f"duration_s <= {float(filters.max_duration_s)!r}")
    if filters.sample_rate is not None:
        clauses.append(f"sample_rate = {int(filters.sample_rate)}")
    if filters.channels is not None:
        clauses.append(f"channels = {int(filters.channels)}")
    if filters.format:
        clauses.append(f"format = {quote(filters.format.lower().lstrip('.'))}")
    if filters.folder:
        clauses.append(f"starts_with(path, {quote(folder_prefix(path_key(filters.folder)))})")
    if filters.tag:
        clauses.append(f"array_has(tags, {quote(filters.tag.strip())})")
    clauses += [_contains(phrase) for phrase in phrases]
    clauses += [_contains(phrase, negate=True) for phrase in excludes]
    return all_of(*clauses)


def searchable_under(paths: Iterable[str]) -> str | None:
    """Searchable files (online or offline) whose path is one of ``paths`` or lies below one;
    None when there are no paths."""
    keys = [path_key(path) for path in paths]
    if not keys:
        return None
    under = " OR ".join(f"path = {quote(key)} OR starts_with(path, {quote(folder_prefix(key))})" for key in keys)
    return all_of(_searchable(include_offline=True), under)


def _searchable(include_offline: bool) -> str:
    return f"status IN ({quote(OK)}, {quote(OFFLINE)})" if include_offline else f"status = {quote(OK)}"


def _contains(phrase: str, negate: bool = False) -> str | None:
    """``search_text`` holds ``phrase`` as whole consecutive words (or does not); None when the
    phrase has no words at all."""
    pattern = phrase_pattern(phrase)
    if pattern is None:
        return None
    return f"{PHRASE_COLUMN} {'NOT ' if negate else ''}LIKE {quote(pattern)}"
