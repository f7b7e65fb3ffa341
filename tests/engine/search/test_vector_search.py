"""nearest_files against numpy brute force, through both filter strategies and the ANN index."""

from __future__ import annotations

import numpy as np
import pytest

from engine.index import AnnPolicy, LibraryStore, Windows
from engine.index.sql import in_list
from engine.index.text import TEXT_FIELDS
from engine.index.vectors import EmbeddingTable
from engine.search import vector_search
from engine.search.vector_search import matching_files, nearest_files, passing_files
from tests.engine.index.index_factories import model_info, open_store, record

DIM, FILES, WINDOWS = 8, 200, 3
MODEL = model_info(dim=DIM)


@pytest.fixture(scope="module", params=[False, True], ids=["exact", "ivf"])
def library(request, tmp_path_factory):
    policy = AnnPolicy(min_rows=100, rows_per_partition=50) if request.param else AnnPolicy()
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
    [(0.04, 100), (0.04, 0), (0.5, 0), (1.0, 0)],
    ids=["prefilter", "postfilter-narrow", "postfilter", "unfiltered"],
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
        got = nearest_files(
            store, store.embeddings(MODEL), query, 5, passing_files(store, in_list("id", allowed)), exclude=excluded
        )
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
    got = nearest_files(store, store.embeddings(MODEL), query, 40, passing_files(store, in_list("id", allowed)))
    assert [m.file_id for m in got] == brute_force(ids, vectors, query, allowed, 40)


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
    where = "search_text NOT LIKE '% metal %'"
    passing = passing_files(store, where)
    assert len(passing) == 90 and {r.id for r in records} > set(passing.tolist())
    want_ids, _ = store.full_text("wooden door", where, 20)  # (BM25 inside a prefilter scores on another scale)
    got = matching_files(store, "wooden door", 20, passing, TEXT_FIELDS)
    assert [m.file_id for m in got] == want_ids.tolist()
    assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)
