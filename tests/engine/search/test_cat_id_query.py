"""A UCS CatID typed as a query ("AMBForst", as sound designers search), on a real LanceDB: read as
its category's words by every ranking, and never respelled."""

from __future__ import annotations

import numpy as np

from engine.search import Searcher
from engine.search.respell import respellings
from engine.search.searcher import MEANING, SOUND
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import one_window


def names(hits) -> list[str]:
    return [h.name for h in hits]


def library(store) -> None:
    """Forest and spell sounds among others, one of them named by a word a CatID's half is a
    typo of ("forst" is "forts" with two letters swapped)."""
    store.upsert_files(
        [
            record("forest_birds.wav"),
            record("spell_cast.wav"),
            record("forts_siege.wav"),
            record("car_horn.wav"),
            record("door_slam.wav"),
            record("rain_on_roof.wav"),
        ]
    )
    store.optimize()  # the respeller's fuzzy match reads the FTS index, which rows join at optimize


def test_a_catid_is_searched_as_its_category_and_subcategory_words(store):
    library(store)
    searcher = Searcher(store, None)
    for query, expected in [("AMBForst", "forest_birds.wav"), ("ambforst", "forest_birds.wav")]:
        hits = searcher.search(query)
        assert names(hits) == [expected] and hits.respelled == {}, query
    hits = searcher.search("MAGSpel")
    assert names(hits) == ["spell_cast.wav"] and hits.respelled == {}


def test_a_catids_halves_are_never_respelled(store):
    library(store)
    assert respellings(store, "AMBForst MAGSpel ambforst") == {}
    assert respellings(store, "forst") == {"forst": "forts"}  # typed alone, it is a typo like any


def test_files_named_or_tagged_by_the_catid_are_still_found_first(store):
    """The CatID's own halves are still asked for: the file named by it matches them and its
    category's words, before a file named "forest" alone; a take tagged AMBIENCE-FOREST matches too."""
    named, plain, tagged, _car = store.upsert_files(
        [record("AMBForst_Morning.wav"), record("forest_birds.wav"), record("Take_001.wav"), record("car_horn.wav")]
    )
    store.set_tags([tagged.id], ["AMBIENCE-FOREST"])
    found = names(Searcher(store, None).search("AMBForst"))
    assert found[0] == "AMBForst_Morning.wav" and set(found) == {named.name, plain.name, tagged.name}


def test_the_models_hear_a_catid_as_its_category_words(store, tiny_model):
    """Of two files, one the models place at "ambience forest" and one at "AMBForst" as typed,
    the sound and the meaning both rank the first above the second."""
    heard = tiny_model.embed_query(["ambience forest", "AMBForst"])
    meant = tiny_model.embed_words(["ambience forest", "AMBForst"])
    forest, typed = store.commit_embedded(
        tiny_model.info,
        [(record(f"take_{n}.wav"), one_window(v / np.linalg.norm(v))) for n, v in enumerate(heard, 1)],
    )
    store.word_vectors(tiny_model.info.name, dim=meant.shape[1]).put(
        {forest.id: ("forest",), typed.id: ("typed",)}, {"forest": meant[0], "typed": meant[1]}
    )
    store.optimize()
    searcher = Searcher(store, tiny_model)
    for ranking in (SOUND, MEANING):
        assert names(searcher.search("AMBForst", rankings=frozenset({ranking})))[0] == "take_1.wav", ranking
