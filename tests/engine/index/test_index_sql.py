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


def test_a_typed_tag_finds_its_files_in_any_case_and_a_ucs_tag_by_its_catid_too(store):
    """Review 8, M3: a file tagged FIGHT-IMPACT (what an accept writes) was found by ``--tag
    FIGHT-IMPACT`` alone, not by ``fight-impact`` nor by its CatID FGHTImpt (what ``earmark
    suggestions`` lists as its key); the app's Tag field builds the same filter. A tag only
    holding the typed one is not it."""
    saved = store.upsert_files(
        [
            record("punch.wav", tags=["FIGHT-IMPACT", "mine"]),
            record("creak.wav", tags=["Door"]),
            record("bell.wav", tags=["Doorbell", "FIGHT-IMPACT-ish"]),
            record("untagged.wav"),
        ]
    )
    ids = {r.path.rsplit("/", 1)[1]: r.id for r in saved}

    def found(typed: str) -> set[str]:
        selected = set(store.file_ids(search_where(SearchFilters(tag=typed))).tolist())
        assert selected.isdisjoint(store.file_ids(search_where_not(SearchFilters(tag=typed))).tolist())
        return {name for name, file_id in ids.items() if file_id in selected}

    for typed in ("FIGHT-IMPACT", "fight-impact", "FGHTImpt", "fghtimpt", " Fight-Impact "):
        assert found(typed) == {"punch.wav"}, typed
    assert found("door") == found("DOOR") == {"creak.wav"}
    assert found("MINE") == {"punch.wav"}
    assert found("DOORWood") == found("fight") == set()  # a CatID no file's tag names, a part of a tag
