"""How many files a search found in all, where its list stops at the limit: a list of 500 read as
"500 results" while the words matched 3,221 files (review 7, finding 1)."""

from __future__ import annotations

from engine.search import Searcher, SearchFilters
from engine.search.searcher import MIN_CANDIDATES
from tests.engine.index.index_factories import LIB, record

MANY = MIN_CANDIDATES + 30  # more whooshes than the words ranking ranks, so they must be counted


def whoosh_library(store) -> None:
    """``MANY`` whooshes, ten of them in a folder of their own, and a few other sounds."""
    store.add_folder(f"{LIB}/Air")
    store.upsert_files(
        [record(f"whoosh_{k:03}.wav") for k in range(MANY - 10)]
        + [record(f"whoosh_fast_{k}.wav", folder=f"{LIB}/Air") for k in range(10)]
        + [record(f"door_{k}.wav") for k in range(5)]
    )


def test_a_search_cut_at_its_limit_counts_every_file_its_words_match(store):
    whoosh_library(store)
    searcher = Searcher(store, None)
    cut = searcher.search("whoosh", limit=5)
    assert (len(cut), cut.total) == (5, MANY)
    assert searcher.search("whoosh -fast", limit=5).total == MANY - 10  # exclusions apply to the count
    assert searcher.search("whoosh OR door", limit=5).total == MANY + 5  # a file once, whichever found it
    in_air = searcher.search("whoosh", SearchFilters(folder=f"{LIB}/Air"), limit=3)
    assert (len(in_air), in_air.total) == (3, 10)  # and filters
    assert searcher.search("door", limit=50).total == 5  # a list holding every match counts itself


def test_a_browse_cut_at_its_limit_counts_the_files_it_lists_from(store):
    whoosh_library(store)
    folder = Searcher(store, None).search("", SearchFilters(folder=f"{LIB}/Air"), limit=4)
    assert (len(folder), folder.total) == (4, 10)


def test_copies_of_one_sound_count_once_as_the_list_folds_them(store):
    """ "the first 8 of 14 results" where all 8 were listed and the other 6 were copies, folded
    into rows as "+1 copy" (review 8, M1): the total counts what the list shows."""
    store.add_folder("/backup/sfx")
    store.upsert_files(
        [
            record("door_creak.wav", content_hash="creak-bytes"),
            record("door_creak.wav", folder="/backup/sfx", content_hash="creak-bytes"),
            record("door_creak_copy.wav", content_hash="creak-bytes"),
            record("door_slam.wav"),
            record("door_knock.wav"),
            record("rain.wav", content_hash="rain-bytes"),
            record("rain.wav", folder="/backup/sfx", content_hash="rain-bytes"),
        ]
    )
    searcher = Searcher(store, None)
    listed = searcher.search("door", limit=50)
    assert (len(listed), listed.total) == (3, 3)
    cut = searcher.search("door", limit=2)
    assert (len(cut), cut.total) == (2, 3)  # a cut list counts the same way
    assert searcher.search("door OR rain", limit=50).total == 4
    assert searcher.search("door_creak", SearchFilters(folder="/backup/sfx"), limit=50).total == 1
