"""The SQL a search filters by, on a real LanceDB: what it selects and what its complement does."""

from __future__ import annotations

import pytest

from engine.index import ERROR, OFFLINE
from engine.index.sql import search_where, search_where_not
from engine.search.filters import SearchFilters
from tests.engine.index.index_factories import record


@pytest.mark.parametrize(
    "filters",
    [SearchFilters(), SearchFilters(min_duration_s=1.0, tag="door"), SearchFilters(include_offline=True, format="wav")],
    ids=["no filters", "duration and tag", "offline and format"],
)
def test_the_complement_of_a_search_is_every_other_file_nulls_included(store, filters):
    """A file whose filtered column is NULL (no duration, no format: it never decoded) fails a
    clause and its NOT alike; the complement must still hold it, or it would slip through."""
    saved = store.upsert_files(
        [
            record("door_long.wav", duration_s=3.0, format="wav", tags=["door"]),
            record("door_short.wav", duration_s=0.5, format="wav", tags=["door"]),
            record("no_duration.wav", duration_s=None, format=None, tags=["door"]),
            record("failed.wav", duration_s=None, format=None, status=ERROR, error="not audio"),
            record("unplugged.wav", duration_s=3.0, format="wav", tags=["door"], status=OFFLINE),
            record("untagged.wav", duration_s=3.0, format="wav"),
        ]
    )
    selected = set(store.file_ids(search_where(filters)).tolist())
    dropped = set(store.file_ids(search_where_not(filters)).tolist())
    assert selected and dropped
    assert selected | dropped == {r.id for r in saved} and not selected & dropped
