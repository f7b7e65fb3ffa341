"""Typos in a query searched as the library words they misspell, on a real LanceDB."""

from __future__ import annotations

import numpy as np

from engine.search import Searcher
from engine.search.explain import describe_respellings
from engine.search.respell import common_word, respelled, respellings
from engine.search.searcher import SOUND
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import one_window


def names(hits) -> list[str]:
    return [h.name for h in hits]


def library(store) -> None:
    store.upsert_files(
        [
            record("Thunder_Storm_Distant.wav"),
            record("footsteps_gravel.wav"),
            record("wooden_door_creak.wav"),
            record("netpanzer/tank_move.wav"),
            record("Cow/field.wav"),
            record("shares.wav"),
            record("Horse_Gallop.wav"),
            record("car_crash.wav"),
            record("cash_register.wav"),
            record("big_explosion.wav"),
        ]
    )
    store.optimize()  # LanceDB's fuzzy match reads the FTS index, which rows join at optimize


def test_a_typo_is_searched_as_the_library_word_it_misspells(store):
    library(store)
    searcher = Searcher(store, None)
    hits = searcher.search("thundr")
    assert names(hits) == ["Thunder_Storm_Distant.wav"] and hits.respelled == {"thundr": "thunder"}
    hits = searcher.search("wodden dor")  # "dor" is too short to be read as a typo; "wooden" finds the file
    assert names(hits) == ["wooden_door_creak.wav"] and hits.respelled == {"wodden": "wooden"}
    # three edits from "footstep" as typed, two once stemmed as the index is ("foosttep")
    hits = searcher.search("foostteps")
    assert names(hits) == ["footsteps_gravel.wav"] and hits.respelled == {"foostteps": "footsteps"}
    assert names(Searcher(store, None, respell=False).search("thundr")) == []  # as typed, nothing
    # two letters swapped: "hrose" is three edits from the index's "hors", and "carsh" as near
    # "cash" as "crash" for the fuzzy match; a swap that makes a word the library holds is taken
    assert respellings(store, "hrose carsh") == {"hrose": "horse", "carsh": "crash"}
    # a letter dropped before the suffix: one edit from "explosion", four from its stem "explos";
    # as typed, the tokeniser split it into words the library might hold ("expl", "sion")
    hits = searcher.search("explsion")
    assert names(hits) == ["big_explosion.wav"] and hits.respelled == {"explsion": "explosion"}
    quoted = searcher.search('"thundr"')  # quoted: exactly as written, which no file holds
    assert names(quoted) == [] and quoted.respelled == {}


def test_known_words_and_library_words_are_left_as_typed(store):
    library(store)
    # a dictionary word the library lacks, a name the library holds, a word it holds run together
    for query in ("bow", "bowl", "netpanzer", "cowfield"):
        assert respellings(store, query) == {}, query
    assert names(Searcher(store, None).search("netpanzer")) == ["tank_move.wav"]


def test_a_typo_nothing_is_spelled_like_stays_as_typed(store):
    library(store)
    assert store.words_spelled_like("shrqxz", "shrqxz", 2) == [] and respellings(store, "shrqxz") == {}
    # "tbnq" is two edits from "tank", but half its letters are not what was meant
    assert "tank" in store.words_spelled_like("tbnq", "tbnq", 2) and respellings(store, "tbnq") == {}


def test_a_typo_no_library_word_is_near_is_read_as_the_common_word_it_misspells(store):
    """Review 16: its library named no file "explosion", and "explsion" found one file in ten, by
    its sound alone; "explosion" found four by what their names mean ("rocketboom", "boom")."""
    store.upsert_files([record("rocketboom.wav"), record("rain.wav")])
    store.optimize()
    hits = Searcher(store, None).search("explsion rain")
    assert hits.respelled == {"explsion": "explosion"} and names(hits) == ["rain.wav"]
    assert describe_respellings(hits.respelled) == "searched “explosion” for “explsion”"
    # a library word near it is still the one read ("thundr" -> the library's "thunder", above)
    assert respellings(store, "raim") == {"raim": "rain"}


def test_a_typo_is_read_as_the_commonest_word_a_typists_slip_makes_of_it():
    # a letter added, dropped or doubled, two swapped, a key's neighbour hit for it
    slips = {"explsion": "explosion", "hrose": "horse", "ttain": "train", "butning": "burning"}
    # before another letter for one ("crawling", "buying"), which is mostly another word
    slips |= {"crakling": "crackling", "buzing": "buzzing"}
    # two slips in a long word; none in a short one, a slip from too many words
    slips |= {"exploshun": "explosion", "thndr": None}
    # never another first letter ("back"), nor a word far from it
    slips |= {"qack": None, "shrqxz": None}
    assert {typo: common_word(typo) for typo in slips} == slips


def test_the_models_hear_the_common_word_a_typo_misspells(store, tiny_model):
    sounding_like(store, tiny_model, {"boom_big.wav": "explosion", "rain.wav": "explsion"})
    hits = Searcher(store, tiny_model).search("explsion", rankings=frozenset({SOUND}))
    assert names(hits)[0] == "boom_big.wav" and hits.respelled == {"explsion": "explosion"}


def test_respelled_replaces_whole_words_in_any_case():
    assert respelled("Thundr far thundring", {"thundr": "thunder"}) == "thunder far thundring"
    # wherever the tokeniser reads it as a word, the query's other characters as typed
    typo = {"thnuder": "thunder"}
    assert respelled('thnuder_rumble ThnuderRoll thnuder3 -"far thnuder"', typo) == (
        'thunder_rumble thunderRoll thunder3 -"far thunder"'
    )


def sounding_like(store, model, heard: dict[str, str]) -> None:
    """A library of one-window files, each sounding to ``model`` like the text it is given
    ({file name: text}), as the query's text is heard."""
    vectors = model.embed_query(list(heard.values()))
    store.commit_embedded(
        model.info,
        [(record(name), one_window(v / np.linalg.norm(v))) for name, v in zip(heard, vectors, strict=True)],
    )
    store.optimize()


def test_the_respelling_is_what_the_model_hears(store, tiny_model):
    """The sound half embeds the respelled query: of two files, one sounding like "thunder" and
    one like "thundr" to the model, the first wins with respelling and the second without."""
    sounding_like(store, tiny_model, {"Thunder_Storm_Distant.wav": "thunder", "rain.wav": "thundr"})
    sound = frozenset({SOUND})
    assert names(Searcher(store, tiny_model).search("thundr", rankings=sound))[0] == "Thunder_Storm_Distant.wav"
    assert names(Searcher(store, tiny_model, respell=False).search("thundr", rankings=sound))[0] == "rain.wav"


def misspelt_library(store, *names: str) -> None:
    """A library whose names spell some words their own way, as a game's may (fillets-ng's
    "sp-bubles", review 12)."""
    store.upsert_files([record(name) for name in ("sp-bubles_01.wav", "sp-bubles_02.wav", "rain.wav", *names)])
    store.optimize()


def test_a_word_the_library_holds_only_misspelt_is_searched_as_its_misspelling(store):
    misspelt_library(store)
    hits = Searcher(store, None).search("bubbles")
    assert sorted(names(hits)) == ["sp-bubles_01.wav", "sp-bubles_02.wav"]
    assert hits.respelled == {"bubbles": "bubles"}
    assert describe_respellings(hits.respelled) == "searched “bubles” for “bubbles”"
    # beside a word the library holds, and typed singular: one slip from the misspelling's stem
    hits = Searcher(store, None).search("bubble rain")
    assert sorted(names(hits)) == ["rain.wav", "sp-bubles_01.wav", "sp-bubles_02.wav"]
    assert hits.respelled == {"bubble": "bubles"}


def test_a_dictionary_word_is_never_respelled_as_another(store):
    # "cow" beside the library's "bow"; "bottle" one slip from its "battle", a word too
    misspelt_library(store, "bow_release.wav", "battle_cry.wav")
    assert respellings(store, "cow bottle") == {}
    assert names(Searcher(store, None).search("bottle")) == []


def test_a_word_the_library_holds_is_not_searched_as_its_misspelling(store):
    misspelt_library(store, "Bubbles_Underwater.wav")
    assert respellings(store, "bubbles") == {}
    assert names(Searcher(store, None).search("bubbles")) == ["Bubbles_Underwater.wav"]


def test_a_name_one_slip_from_a_word_is_no_misspelling_of_it(store):
    """What the bench's and review 12's libraries hold one slip from a sound word is mostly
    another word: past the first letter only, of five letters or more, one slip."""
    misspelt_library(store, "eline_theme.wav", "sfx_rdar.wav", "artil_fire.wav")
    assert respellings(store, "feline roar martial") == {}


def test_the_models_hear_the_word_the_library_misspells_as_typed(store, tiny_model):
    """The names are searched for the library's "thundr", the sound for "thunder", the word the
    model knows: of two files, one sounding like "thunder" to the model and one like "thundr",
    the first wins (the tiny model hears "bubbles" and "bubles" alike)."""
    sounding_like(store, tiny_model, {"sfx_thundr_01.wav": "thundr", "rain.wav": "thunder"})
    hits = Searcher(store, tiny_model).search("thunder", rankings=frozenset({SOUND}))
    assert names(hits)[0] == "rain.wav" and hits.respelled == {"thunder": "thundr"}
