"""A browse (no words to rank by) ordered by a field over every file that passes, not only those it
lists: sorting a folder of 3,000 sounds by duration showed the shortest of the first 500 by path
(scale review: the results list holds 500 rows)."""

from __future__ import annotations

import pytest

from engine.search import Searcher, SearchFilters
from engine.search.filters import BrowseOrder
from tests.engine.index.index_factories import LIB, record

FILES = 30
LIMIT = 5


def names(hits) -> list[str]:
    return [h.name for h in hits]


@pytest.fixture
def lengths_by_path(store) -> None:
    """``FILES`` sounds, each longer than the one before it by path (the longest last), and two whose
    duration is not known."""
    store.upsert_files(
        [record(f"take_{k:02}.wav", duration_s=0.5 + k) for k in range(FILES)]
        + [record(f"unread_{k}.wav", duration_s=None) for k in range(2)]
    )


def test_a_browse_ordered_by_duration_lists_the_longest_files_of_the_whole_library(store, lengths_by_path):
    browser = Searcher(store, None)
    longest = browser.search("", limit=LIMIT, order=BrowseOrder("duration", descending=True))
    assert names(longest) == [f"take_{k:02}.wav" for k in range(FILES - 1, FILES - 1 - LIMIT, -1)]
    assert longest.total == FILES + 2  # every file passing, as a browse by path counts them
    # a length not known comes first shortest first and last longest first, as the results table sorts it
    shortest = browser.search("", limit=LIMIT, order=BrowseOrder("duration"))
    assert names(shortest) == ["unread_0.wav", "unread_1.wav", "take_00.wav", "take_01.wav", "take_02.wav"]
    every = browser.search("", limit=100, order=BrowseOrder("duration", descending=True))
    assert names(every)[-2:] == ["unread_0.wav", "unread_1.wav"]  # ties by path, either way
    assert names(browser.search("", limit=3)) == ["take_00.wav", "take_01.wav", "take_02.wav"]  # by path as ever


def test_a_browse_by_name_orders_file_names_in_any_case_not_paths_and_ties_by_path(store):
    store.add_folder("/other")
    store.upsert_files(
        [
            record("a/beta.wav"),
            record("z/Alpha.wav"),
            record("b/alpha.wav"),
            record("gamma.wav", folder="/other"),
            record("c/delta.wav"),
        ]
    )
    browser = Searcher(store, None)
    by_name = browser.search("", limit=3, order=BrowseOrder("name"))
    assert [h.path for h in by_name] == [f"{LIB}/b/alpha.wav", f"{LIB}/z/Alpha.wav", f"{LIB}/a/beta.wav"]
    backwards = browser.search("", limit=4, order=BrowseOrder("name", descending=True))
    assert names(backwards) == ["gamma.wav", "delta.wav", "beta.wav", "alpha.wav"]  # the two alphas by path
    assert names(browser.search("", limit=1)) == ["beta.wav"]  # "/library/sfx/a/beta.wav": first by path


def test_an_ordered_browse_keeps_the_filters_and_exclusions_and_counts_what_passes(store):
    store.add_folder(f"{LIB}/Air")
    store.upsert_files(
        [record(f"Air/whoosh_{k}.wav", folder=f"{LIB}/Air", duration_s=1.0 + k) for k in range(8)]
        + [record(f"Air/wind_{k}.wav", folder=f"{LIB}/Air", duration_s=20.0 + k) for k in range(3)]
        + [record(f"door_{k}.wav", duration_s=50.0 + k) for k in range(3)]
    )
    air = SearchFilters(folder=f"{LIB}/Air")
    longest = Searcher(store, None).search("-wind", air, limit=2, order=BrowseOrder("duration", descending=True))
    assert names(longest) == ["whoosh_7.wav", "whoosh_6.wav"]
    assert longest.total == 8


def test_a_search_with_words_keeps_its_ranking_whatever_the_browse_order(store, lengths_by_path):
    searcher = Searcher(store, None)
    ranked = searcher.search("take", limit=LIMIT)
    ordered = searcher.search("take", limit=LIMIT, order=BrowseOrder("duration", descending=True))
    assert names(ordered) == names(ranked)


def test_a_browse_order_is_one_the_engine_can_sort_by():
    with pytest.raises(ValueError, match="tags"):
        BrowseOrder("tags")
