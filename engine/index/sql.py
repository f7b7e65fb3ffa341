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
from engine.tags import tag_spellings

if TYPE_CHECKING:
    from engine.search.filters import SearchFilters


def quote(value: str) -> str:
    """A SQL string literal; a quote inside is doubled, which is all DataFusion needs."""
    return "'" + value.replace("'", "''") + "'"


def in_list(column: str, ids: Iterable[int]) -> str:
    """``column IN (1, 2, 3)``; an empty list becomes a clause that is always false."""
    values = ", ".join(str(int(i)) for i in ids)
    return f"{column} IN ({values})" if values else "false"


def texts_in(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', 'b')``; an empty list becomes a clause that is always false."""
    quoted = ", ".join(quote(v) for v in values)
    return f"{column} IN ({quoted})" if quoted else "false"


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


TAGGED = "array_length(tags) > 0"  # rows the user tagged
EDITED = f"{TAGGED} OR caption != ''"  # rows the user tagged or captioned
_TAG_JOIN = quote("\x1f")  # joins a file's tags for lower(): a unit separator, white space to parse_tags


def search_where(filters: SearchFilters) -> str:
    """The files a search may return by status and ``filters`` (quoted phrases and exclusions
    are looked up in the phrase index: engine.search.vector_search.passing_files). The same files
    are the candidates of every ranking, so the halves of a hybrid query see the same library."""
    return all_of(_searchable(filters.include_offline), *_filter_clauses(filters))


def search_where_not(filters: SearchFilters) -> str:
    """The files :func:`search_where` drops. The status column is never NULL, so its clause is
    negated with NOT, which the status index answers (10 ms at 250k files against 27 ms for a scan);
    a filter's column may be NULL (a file that failed to decode has no duration), and a NULL fails
    both a clause and its NOT, so each filter is tested IS NOT TRUE."""
    parts = [f"NOT ({_searchable(filters.include_offline)})"]
    parts += [f"({clause}) IS NOT TRUE" for clause in _filter_clauses(filters)]
    return " OR ".join(parts)


def is_not_true(where: str) -> str:
    """The rows ``where`` does not select, including those where it is NULL (a NULL duration
    fails ``duration_s >= 1`` and, negated with NOT, would fail that too)."""
    return f"({where}) IS NOT TRUE"


def _filter_clauses(filters: SearchFilters) -> list[str]:
    clauses = []
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
    if filters.tag and filters.tag.strip():
        clauses.append(_tagged(filters.tag))
    return clauses


def _tagged(typed: str) -> str:
    """The files carrying a tag the tag ``typed`` names (engine.tags.tag_spellings: in any case, a
    UCS category by its CatID or its name). DataFusion has no lower() of a list's items, so the
    tags are joined by a character no tag holds (white space: parse_tags splits it off), lowered
    and split again, which costs some 30-45 ms more than an exact array_has over 250k files (107
    against 77 ms at best; ILIKE and LIKE of the joined tags cost more), only while a tag filters."""
    spellings = ", ".join(quote(s) for s in sorted(tag_spellings(typed)))
    lowered = f"string_to_array(lower(array_to_string(tags, {_TAG_JOIN})), {_TAG_JOIN})"
    return f"array_has_any({lowered}, make_array({spellings}))"


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
