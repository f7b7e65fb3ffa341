"""Names holding the opposite of a word typed, on a real LanceDB (engine.search.opposites)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.search import Searcher, describe_hit
from engine.search.fusion import FusionWeights
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import at_cosine

NEUTRAL = replace(FusionWeights(), opposite=1.0)  # no meaning cut


def names(hits) -> list[str]:
    return [h.name for h in hits]


def test_a_name_holding_the_opposite_of_a_word_typed_gains_no_meaning(store, tiny_model):
    """Review 17, "door open": door_close meant nearly the query to the words space and came
    above the gate that opens and closes (its words hold "open" itself)."""
    query = tiny_model.embed_words(["door open"])[0]
    close, gate, creak = store.upsert_files(
        [record("door_close.wav"), record("gate_open_close.wav"), record("door_creak.wav")]
    )
    store.word_vectors(tiny_model.info.name, dim=len(query)).put(
        {close.id: ("door close",), gate.id: ("gate open close",), creak.id: ("door creak",)},
        {
            "door close": at_cosine(query, 0.9, seed=1),
            "gate open close": at_cosine(query, 0.6, seed=2),
            "door creak": at_cosine(query, 0.5, seed=3),
        },
    )
    before = Searcher(store, tiny_model, weights=NEUTRAL).search("door open")
    assert names(before)[0] == "door_close.wav"
    hits = Searcher(store, tiny_model).search("door open")
    assert names(hits)[0] == "gate_open_close.wav"
    closing = hits[names(hits).index("door_close.wav")]
    assert closing.opposed and closing.meaning_rank is None and closing.text_rank is not None
    assert "the opposite of a word typed" in describe_hit(closing)
    assert not hits[0].opposed and hits[0].meaning_score == pytest.approx(0.6, abs=1e-5)
    assert not any(h.opposed for h in Searcher(store, tiny_model).search("door open close"))  # both typed


def test_a_slam_is_a_close_and_not_an_open(store, tiny_model):
    """Review 19, "door slam": 11_DoorOpen.ogg tied 10_DoorClose.ogg and came first; a slam is a
    hard close, so a name saying "open" gains no meaning from it, and one saying "close" keeps its."""
    query = tiny_model.embed_words(["door slam"])[0]
    opening, closing = store.upsert_files([record("11_DoorOpen.ogg"), record("10_DoorClose.ogg")])
    store.word_vectors(tiny_model.info.name, dim=len(query)).put(
        {opening.id: ("door open",), closing.id: ("door close",)},
        {"door open": at_cosine(query, 0.7, seed=1), "door close": at_cosine(query, 0.6, seed=2)},
    )
    assert names(Searcher(store, tiny_model, weights=NEUTRAL).search("door slam"))[:2] == [
        "11_DoorOpen.ogg",
        "10_DoorClose.ogg",
    ]
    hits = Searcher(store, tiny_model).search("door slam")
    assert names(hits)[:2] == ["10_DoorClose.ogg", "11_DoorOpen.ogg"]
    assert hits[1].opposed and not hits[0].opposed
