"""nearest_files against numpy brute force, through both filter strategies and the ANN index."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.index import AnnPolicy, LibraryStore, Windows
from engine.index.sql import in_list
from engine.index.text import TEXT_FIELDS
from engine.index.vectors import EmbeddingTable
from engine.search import vector_search
from engine.search.vector_search import Passing, matching_files, nearest_files, passing_files
from tests.engine.index.index_factories import model_info, open_store, record

DIM, FILES, WINDOWS = 8, 200, 3
MODEL = model_info(dim=DIM)


@pytest.fixture(scope="module", params=[False, True], ids=["exact", "ivf"])
def library(request, tmp_path_factory):
    # The IVF library probes all of its 12 partitions: these tests check what is fetched, filtered and
    # ordered through the index's query path, which must then equal brute force exactly; how much an
    # approximate probe of fewer partitions recalls is measured in bench/bench_search.py, not asserted.
    partitions = FILES * WINDOWS // 50
    policy = AnnPolicy(min_rows=100, rows_per_partition=50, min_probes=partitions) if request.param else AnnPolicy()
    store = LibraryStore(tmp_path_factory.mktemp("db") / "index.lance", ann_policy=policy)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((FILES, WINDOWS, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=-1, keepdims=True)
    saved = store.commit_embedded(
        MODEL,
        [(record(f"f{i}.wav"), Windows(np.arange(WINDOWS), np.arange(WINDOWS) + 1, vectors[i])) for i in range(FILES)],
    )
    store.optimize()
    assert store.embeddings(MODEL).has_vector_index == request.param
    return store, np.array([r.id for r in saved]), vectors


def brute_force(ids, vectors, query, allowed, n):
    best = (vectors @ query).max(axis=1)
    order = [i for i in np.argsort(-best) if ids[i] in allowed]
    return [int(ids[i]) for i in order[:n]]


@pytest.mark.parametrize(
    "share, prefilter_max",
    [(0.04, 100), (0.04, 0), (0.5, 0), (0.8, 0), (1.0, 0)],
    ids=["prefilter", "postfilter-narrow", "postfilter", "postfilter-blocked", "unfiltered"],
)
def test_same_files_as_brute_force(library, share, prefilter_max, monkeypatch):
    monkeypatch.setattr(vector_search, "PREFILTER_MAX_FILES", prefilter_max)
    store, ids, vectors = library
    rng = np.random.default_rng(1)
    allowed = set(rng.choice(ids, int(share * FILES), replace=False).tolist())
    excluded = sorted(allowed)[:2]
    for _ in range(3):
        query = rng.standard_normal(DIM).astype(np.float32)
        query /= np.linalg.norm(query)
        passing = passing_files(store, in_list("id", allowed)).without(excluded)
        got = nearest_files(store.embeddings(MODEL), query, 5, passing)
        assert [m.file_id for m in got] == brute_force(ids, vectors, query, allowed - set(excluded), 5)
        assert [m.score for m in got] == pytest.approx(sorted((m.score for m in got), reverse=True))


@pytest.mark.parametrize("prefilter_max", [1000, 0])
def test_fetches_more_windows_until_enough_files_pass(library, prefilter_max, monkeypatch):
    store, ids, vectors = library
    monkeypatch.setattr(vector_search, "PREFILTER_MAX_FILES", prefilter_max)
    monkeypatch.setattr(EmbeddingTable, "ROWS_PER_FILE", 1)  # first fetch finds too few passing files
    monkeypatch.setattr(vector_search, "MARGIN", 1.0)
    allowed = set(ids[::2].tolist())
    query = vectors[1, 0]  # nearest window belongs to a file the filter drops
    got = nearest_files(store.embeddings(MODEL), query, 40, passing_files(store, in_list("id", allowed)))
    assert [m.file_id for m in got] == brute_force(ids, vectors, query, allowed, 40)


def test_a_capped_ranking_is_shorter_never_wrong(library, monkeypatch):
    """Under a filter the query disagrees with, a search ranking reads at most ``max_rows``
    windows: fewer files than asked, but exactly the best passing ones, in order."""
    store, ids, vectors = library
    monkeypatch.setattr(vector_search, "PREFILTER_MAX_FILES", 0)
    allowed = set(ids[::3].tolist())
    query = vectors[1, 0]
    capped = nearest_files(store.embeddings(MODEL), query, 40, passing_files(store, in_list("id", allowed)), 60)
    assert 0 < len(capped) < 40
    assert [m.file_id for m in capped] == brute_force(ids, vectors, query, allowed, len(capped))


def test_a_filter_that_leaves_most_files_is_read_as_the_few_it_drops(tmp_path):
    store = open_store(tmp_path)
    kept = store.upsert_files([record(f"door_{i}.wav", duration_s=2.0) for i in range(6)])
    short = store.upsert_files([record("tick.wav", duration_s=0.5), record("broken.wav", duration_s=None)])
    passing = passing_files(store, "duration_s >= 1.0")
    assert passing.allowed is None
    assert set(passing.blocked.tolist()) == {r.id for r in short}  # a NULL duration does not pass either
    assert passing.keep(np.array([r.id for r in kept + short])).tolist() == [True] * 6 + [False, False]
    narrow = passing_files(store, "duration_s < 1.0")
    assert set(narrow.allowed.tolist()) == {short[0].id} and narrow.blocked.size == 0
    (later,) = store.upsert_files([replace(kept[0], duration_s=0.2)])  # the few are read again after a write
    assert set(passing_files(store, "duration_s >= 1.0").blocked.tolist()) == {r.id for r in short} | {later.id}


def test_phrases_and_exclusions_are_exact_whole_words_including_rows_written_since_the_index(tmp_path):
    store = open_store(tmp_path)
    indexed = store.upsert_files([record("old_door_creak.wav"), record("doors_creaking.wav"), record("door.wav")])
    store.optimize()
    fresh = store.upsert_files([record("door_creak_2.wav"), record("creak_door.wav")])  # not in the index yet
    by_name = {r.path.rsplit("/", 1)[1]: r.id for r in indexed + fresh}
    assert set(store.files_with_phrase('"Door Creak"').tolist()) == {
        by_name["old_door_creak.wav"],
        by_name["door_creak_2.wav"],
    }
    assert store.files_with_phrase(" -- ") is None
    passing = passing_files(store, None, phrases=["door"], excludes=["creak"])
    assert set(passing.allowed.tolist()) == {by_name["door.wav"]}


@pytest.mark.parametrize("prefilter_max", [1000, 0])
def test_keyword_matches_under_a_filter_are_those_of_the_filtered_full_text_search(
    tmp_path, prefilter_max, monkeypatch
):
    """Both ways (an id prefilter, or more matches fetched and filtered) give what BM25 with
    the filter inside it gives; fetching grows until enough files pass."""
    monkeypatch.setattr(vector_search, "PREFILTER_MAX_FILES", prefilter_max)
    monkeypatch.setattr(vector_search, "MARGIN", 1.0)
    store = open_store(tmp_path)
    records = store.upsert_files(
        [record(f"door_{i:03d}_{'wood' if i % 3 else 'metal'}.wav") for i in range(90)]
        + [record(f"gate_{i:03d}.wav") for i in range(30)]
    )
    passing = passing_files(store, None, excludes=["metal"])
    assert passing.allowed is None and len(passing.blocked) == 30
    assert set(passing.blocked.tolist()) == {r.id for r in records if "metal" in r.path}
    want_ids, _ = store.full_text(
        "wooden door", "search_text NOT LIKE '% metal %'", 20
    )  # (BM25 inside a prefilter scores on another scale)
    got = matching_files(store, "wooden door", 20, passing, TEXT_FIELDS)
    assert [m.file_id for m in got] == want_ids.tolist()
    assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)


def test_the_files_passing_are_those_of_set_arithmetic_over_random_ids():
    """Passing keeps its ids sorted and tells membership by binary search: with the store's random
    63-bit ids in any order, it must agree with plain set arithmetic."""
    rng = np.random.default_rng(3)
    library = rng.integers(0, 2**63 - 1, 2_000, dtype=np.int64)
    phrase, excluded, failed = (rng.choice(library, size, replace=False) for size in (600, 300, 20))
    expected_allowed = (set(phrase.tolist()) - set(failed.tolist())) - set(excluded.tolist())
    passing = Passing(None, failed, len(library)).only(phrase).without(excluded)
    assert passing.allowed is not None and set(passing.allowed.tolist()) == expected_allowed
    assert passing.keep(library).tolist() == [i in expected_allowed for i in library.tolist()]
    blocking = Passing(None, failed, len(library)).without(excluded)
    blocked = set(failed.tolist()) | set(excluded.tolist())
    assert blocking.keep(library).tolist() == [i not in blocked for i in library.tolist()]
    assert blocking.share == pytest.approx(1 - len(blocked) / len(library))
    assert not Passing(np.empty(0, np.int64), total=5).keep(library[:3]).any()
