"""Building LanceDB ``where`` clauses (DataFusion SQL) from Python values safely."""
from __future__ import annotations

from collections.abc import Iterable


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

