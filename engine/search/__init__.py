"""Hybrid text/audio search over the library index, and query by example.

Importing the package loads nothing: ``engine.search.filters`` (SearchFilters) is light, so the
app builds filters at start without loading LanceDB; each name below is imported from its
module on first use.
"""

from importlib import import_module

_HOMES = {
    "Searcher": "searcher",
    "SearchHit": "searcher",
    "describe_hit": "explain",
    "SearchFilters": "filters",
    "ParsedQuery": "query",
    "parse_query": "query",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
