"""Hybrid text/audio search over the library index, and query by example."""
from engine.search.filters import SearchFilters
from engine.search.query import ParsedQuery, parse_query
from engine.search.searcher import Searcher, SearchHit, describe_hit

__all__ = ["Searcher", "SearchHit", "SearchFilters", "ParsedQuery", "parse_query", "describe_hit"]
