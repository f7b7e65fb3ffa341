"""A category sure as a whole where none of its kinds is: offered as its catch-all term, at the
category's probability, said to leave the subcategory unsure (engine/tagging/tagger.py, rank)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.index.records import FileRecord
from engine.tagging.calibration import DEFAULT
from engine.tagging.evidence import Evidence
from engine.tagging.tagger import SUBCATEGORY_UNSURE, rank
from engine.tagging.vocabulary import Vocabulary, shipped_ucs, user_term

SURE_AT = 0.3
DOOR = FileRecord(path="/library/door-opening.wav", folder="/library")


@pytest.fixture(scope="module")
def ucs():
    return shipped_ucs()


def spread(vocabulary, shares: dict[str, float], rest: dict[str, float] | None = None) -> np.ndarray:
    """Term probabilities: each category of ``shares`` holding that much, shared evenly among its
    terms, save the terms of ``rest`` ({key: probability}), which hold theirs."""
    rest = rest or {}
    out = np.zeros(len(vocabulary.terms))
    for category, total in shares.items():
        indices = vocabulary.category_terms[category]
        fixed = [i for i in indices if vocabulary.terms[i].key in rest]
        for i in fixed:
            out[i] = rest[vocabulary.terms[i].key]
        others = [i for i in indices if i not in fixed]
        out[others] = (total - out[fixed].sum()) / len(others)
    return out


def ranked(vocabulary, probabilities, rejected=frozenset(), record=DOOR, sure_at=SURE_AT):
    evidence = Evidence(None, None, np.zeros(len(vocabulary.terms)), True, None)
    return rank(vocabulary, evidence, probabilities, DEFAULT, record, set(rejected), sure_at)


def first(result) -> tuple[str, float, bool]:
    return result.keys[0], round(result.confidences[0], 6), result.whole[0]


def test_a_door_of_no_known_kind_is_offered_as_doors_misc_at_the_chance_it_is_a_door(ucs):
    """flightgear's door-opening.wav: DOORS 92 %, shared among its 22 kinds, DOORS-MISC 29 % the
    likeliest; nothing reached 30 % and nothing was shown."""
    probabilities = spread(ucs, {"DOORS": 0.92, "AIRCRAFT": 0.05, "SCIFI": 0.03}, {"DOORMisc": 0.29})
    result = ranked(ucs, probabilities)
    assert first(result) == ("DOORMisc", 0.92, True)
    assert result.tags[0] == "DOORS-MISC"
    assert result.evidence_of(0) == f"words; {SUBCATEGORY_UNSURE}"
    # the categories not sure either stay as they were: their best term at its own probability
    assert not any(result.whole[1:]) and result.evidence_of(1) == "words"
    assert max(result.confidences[1:]) < 0.05


def test_a_term_sure_itself_keeps_its_own_probability(ucs):
    """A frog ANIMALS-AMPHIBIAN is 55 % sure of stays ANIMALS-AMPHIBIAN 55 %, not ANIMALS-MISC 95 %."""
    probabilities = spread(ucs, {"ANIMALS": 0.95, "BIRDS": 0.05}, {"ANMLAmph": 0.55})
    assert first(ranked(ucs, probabilities)) == ("ANMLAmph", 0.55, False)


def test_a_category_under_the_threshold_is_offered_as_its_best_term_alone(ucs):
    probabilities = spread(ucs, {"DOORS": 0.25, "WIND": 0.75}, {"DOORMetl": 0.1})
    result = ranked(ucs, probabilities)
    doors = result.keys.index("DOORMetl")
    assert (round(result.confidences[doors], 6), result.whole[doors]) == (0.1, False)


def test_the_threshold_decides_what_is_sure(ucs):
    probabilities = spread(ucs, {"DOORS": 0.92, "AIRCRAFT": 0.08}, {"DOORMisc": 0.29})
    assert first(ranked(ucs, probabilities, sure_at=0.2)) == ("DOORMisc", 0.29, False)
    assert first(ranked(ucs, probabilities, sure_at=0.95)) == ("DOORMisc", 0.29, False)


def test_a_rejected_catch_all_is_never_offered_back(ucs):
    """The user said DOORS-MISC is not this file's tag: its door kinds are offered as they are."""
    probabilities = spread(ucs, {"DOORS": 0.92, "AIRCRAFT": 0.08}, {"DOORMisc": 0.29, "DOORMetl": 0.13})
    result = ranked(ucs, probabilities, rejected={"DOORMisc"})
    assert "DOORMisc" not in result.keys
    assert first(result) == ("DOORMetl", 0.13, False)


def test_a_category_the_file_is_tagged_with_is_not_offered_whole(ucs):
    tagged = FileRecord(path=DOOR.path, folder=DOOR.folder, tags=["DOORS-WOOD"])
    probabilities = spread(ucs, {"DOORS": 0.92, "AIRCRAFT": 0.08}, {"DOORMisc": 0.29})
    assert all(ucs.term(key).category != "DOORS" for key in ranked(ucs, probabilities, record=tagged).keys)


def test_a_group_without_a_catch_all_offers_its_best_term_alone():
    """A user's vocabulary (and UCS SWOOSHES) has no MISC term to say a group without a kind: its
    best term is not offered at the group's probability, which would say that kind is sure."""
    terms = tuple(user_term({"tag": tag, "group": "door"}, "test") for tag in ("door wood", "door metal", "door glass"))
    mine = Vocabulary("mine", terms + (user_term("wind", "test"),))
    result = ranked(mine, np.array([0.26, 0.25, 0.24, 0.25]))
    assert first(result) == ("door wood", 0.26, False)


def test_a_file_judged_by_its_sound_alone_is_offered_no_category_whole(ucs):
    """``Take_017.wav``: no name says the category, and the sound's guess at one is no tag to accept."""
    probabilities = spread(ucs, {"DOORS": 0.92, "AIRCRAFT": 0.08}, {"DOORMisc": 0.29})
    heard = Evidence(np.zeros(len(ucs.terms)), None, np.zeros(len(ucs.terms)), False, None)
    result = rank(ucs, heard, probabilities, DEFAULT, DOOR, set(), SURE_AT)
    assert first(result) == ("DOORMisc", 0.29, False) and result.evidence_of(0) == "sound"
