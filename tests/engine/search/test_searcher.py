"""Searcher on a real LanceDB with the real tiny Cacophony model.

Query vectors always come from the model; stored window vectors are either the model's
own embeddings or vectors placed at a chosen cosine to a query embedding, so that the
expected ranking is known exactly.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from engine.index import ERROR, OFFLINE, OK, FileRecord, Windows
from engine.models.base import LikenessSpace
from engine.search import Searcher, SearchFilters, describe_hit, vector_search
from engine.search.fusion import FusionWeights
from engine.search.searcher import MIN_CANDIDATES
from tests.engine.index.index_factories import LIB, record
from tests.engine.search.search_factories import at_cosine, one_window
from tests.factories import noise, tone


def names(hits) -> list[str]:
    return [h.name for h in hits]


def embed(model, text: str) -> np.ndarray:
    return model.embed_text([text])[0]


def test_text_matches_name_metadata_tag_and_caption(store):
    a, b, c, d = store.upsert_files(
        [
            record("zebra_crossing.wav"),
            record("x1.wav", metadata_text="quokka field"),
            record("x2.wav"),
            record("x3.wav"),
        ]
    )
    store.set_tags([c.id], ["narwhal"])
    store.set_caption(d.id, "an axolotl splashing")
    searcher = Searcher(store, None)
    for query, expected in [
        ("zebra", "zebra_crossing.wav"),
        ("quokka", "x1.wav"),
        ("narwhal", "x2.wav"),
        ("axolotl splashes", "x3.wav"),
    ]:  # stemmed: splashes ~ splashing
        [hit] = searcher.search(query)
        assert (hit.name, hit.text_rank, hit.vector_rank) == (expected, 1, None)
        assert hit.text_score > 0 and hit.best_start_s is None


def test_a_users_tag_weighs_like_a_name_word(store):
    """A library of bare names where the user tagged two takes "gpws callout": the tagged files
    follow the one file named so, not far below it (BM25 counts a field's files among those that
    hold any words, so as descriptions a few tags read as common words of long texts: a twelfth
    of the name's score), and above a file that holds only one of the words in its folder."""
    named, *others = store.upsert_files(
        [record("gpws_inop.wav"), record("callouts/chime.wav")]
        + [record(f"{word}_{i}.wav") for i, word in enumerate(["rain", "wind", "engine", "door", "click"] * 6)]
        + [record("Take_001.wav"), record("Take_002.wav")]
    )
    tagged = others[-2:]
    store.set_tags([t.id for t in tagged], ["voice, male, gpws callout"])
    hits = Searcher(store, None).search("gpws callout")
    assert [h.name for h in hits][:3] in (
        ["gpws_inop.wav", "Take_001.wav", "Take_002.wav"],
        ["gpws_inop.wav", "Take_002.wav", "Take_001.wav"],
        ["Take_001.wav", "Take_002.wav", "gpws_inop.wav"],
        ["Take_002.wav", "Take_001.wav", "gpws_inop.wav"],
    )
    assert min(h.text_score for h in hits[:3]) > 0.5 * max(h.text_score for h in hits[:3])


def test_a_ucs_catid_typed_as_a_query_finds_its_tag_and_its_names(store):
    """A sound designer types CatIDs: "WTHRThun" finds the take tagged WEATHER-THUNDER (an accepted
    UCS suggestion), the file named by that CatID and the one named "thunder", not the rain."""
    tagged, named, plain, rain = store.upsert_files(
        [record("Take_004.wav"), record("WTHRThun_Distant Roll.wav"), record("thunder_01.wav"), record("rain.wav")]
    )
    store.set_tags([tagged.id], ["WEATHER-THUNDER"])
    assert {h.name for h in Searcher(store, None).search("WTHRThun")} == {
        "Take_004.wav",
        "WTHRThun_Distant Roll.wav",
        "thunder_01.wav",
    }


def test_keyword_ranking_counts_every_matched_word_stemmed(store):
    store.upsert_files(
        [
            record("glass_shatter_big.wav"),
            record("GlassBreak02.wav"),
            record("window.wav"),
            record("breaking_news.wav"),
            record("Doors/creak.wav"),
            record("fire1.ogg"),
            record("Glass/tinkle.wav"),
        ]
    )
    searcher = Searcher(store, None)
    hits = searcher.search("glass breaking")  # neither name holds both words as typed
    assert names(hits)[0] == "GlassBreak02.wav"  # both words, stemmed (breaking ~ break), camel case split
    assert set(names(hits)) == {"GlassBreak02.wav", "glass_shatter_big.wav", "breaking_news.wav", "tinkle.wav"}
    assert names(hits).index("glass_shatter_big.wav") < names(hits).index("tinkle.wav")  # name outweighs folder
    assert names(searcher.search("doors")) == ["creak.wav"]  # folder words count; doors ~ door
    assert names(searcher.search("fire crackling")) == ["fire1.ogg"]  # "fire1" is fire + 1


def test_a_folder_title_is_one_word_to_search_by_not_the_words_it_runs_together(store):
    store.upsert_files([record("opencity/traffic.wav"), record("door_open.wav"), record("Open Air/birds.wav")])
    searcher = Searcher(store, None)
    assert set(names(searcher.search("open"))) == {"door_open.wav", "birds.wav"}  # not the game OpenCity's traffic
    # typed as one word, the title stands for itself: not door_open.wav, whose name weighs twice a folder
    assert names(searcher.search("opencity")) == ["traffic.wav"]
    # a word run together that no folder holds is still read as its parts
    assert set(names(searcher.search("opendoor"))) == {"door_open.wav", "birds.wav"}


def test_two_words_typed_apart_find_the_word_they_run_together_into(store):
    # "pickup" is an English word of its own, so the tokeniser keeps sfx_pickup_gun.wav's whole
    store.upsert_files([record("sfx_pickup_gun.wav"), record("gun_fire.wav"), record("up_arrow.wav")])
    searcher = Searcher(store, None)
    # the up arrow's "up" finishes no "pick" (engine.words.PARTICLES)
    assert names(searcher.search("pick up")) == ["sfx_pickup_gun.wav"]


def test_a_gun_shot_finds_the_gun_firing_before_a_shorter_name_that_only_holds_gun(store):
    store.upsert_files([record("sfx_pickup_gun.wav"), record("wp_gun_fire-01.wav"), record("campfire_crackle.wav")])
    searcher = Searcher(store, None)
    assert names(searcher.search("gun shot")) == ["wp_gun_fire-01.wav", "sfx_pickup_gun.wav"]


def test_a_file_holding_one_of_two_words_is_half_a_keyword_match(store):
    """Review 8, M7: "baby cry" listed warcry.ogg first at 77, read "war cry": BM25 weighed the rare
    "cry" of its short name above a longer name holding both words, and the best keyword match is
    100 whatever it holds."""
    both = "baby_crying_in_the_kitchen_while_mother_talks_01.wav"
    store.upsert_files(
        [record("warcry.ogg"), record(f"nursery/{both}")]
        + [record(f"baby_{word}.wav") for word in ("laugh", "coo", "giggle", "babble", "sneeze", "burp")]
        + [record(f"{word}.wav") for word in ("rain", "wind", "door")]
    )
    searcher = Searcher(store, None)
    hits = searcher.search("baby cry")
    assert names(hits)[:2] == [both, "warcry.ogg"]
    assert hits[1].score == pytest.approx(50.0) and "holds 50% of the words" in describe_hit(hits[1])
    assert "of the words" not in describe_hit(hits[0])
    assert names(searcher.search("cry")) == ["warcry.ogg", both]  # one word: as BM25 weighs it


def test_birdsong_finds_the_files_named_for_the_birds(store):
    """Review 13, L1: "birdsong" said "No file is named so" over a list of BIRDS*.wav (found by what
    their names mean): a library names a song by the bird."""
    store.upsert_files([record("BIRDS04.wav"), record("Bird_chirp_2.ogg"), record("song_intro.ogg")])
    assert set(names(Searcher(store, None).search("birdsong"))) == {"BIRDS04.wav", "Bird_chirp_2.ogg"}


def test_a_word_of_how_big_alone_finds_no_file_by_its_words(store):
    """Review 13, H1: "big cat growl" listed BIG_EXPL.wav and "19 Big crash.wav" as its two
    results, the lion's roar below them: "big" says which sound, not what sound. Beside a word
    of the query that says what, it counts ("big explosion"), and a query of such words alone
    finds files by them."""
    store.upsert_files([record("BIG_EXPL.wav"), record("19 Big crash.wav"), record("cat_growl_low.wav")])
    searcher = Searcher(store, None)
    assert names(searcher.search("big cat growl")) == ["cat_growl_low.wav"]
    assert names(searcher.search("big explosion")) == ["BIG_EXPL.wav"]
    assert set(names(searcher.search("big"))) == {"BIG_EXPL.wav", "19 Big crash.wav"}
    assert names(searcher.search("heavy rain")) == []


def test_a_length_word_a_name_holds_alone_finds_no_file_by_its_words(store):
    """Review 18, M6: "short click" listed the spoken shorts.ogg and patate_short.wav among its
    first rows, each holding "short" alone; a name's length word counts beside a word of what the
    sound is."""
    store.upsert_files(
        [record("shorts.ogg"), record("patate_short.wav"), record("click_short.wav"), record("click.wav")]
    )
    searcher = Searcher(store, None)
    assert set(names(searcher.search("short click"))) == {"click_short.wav", "click.wav"}
    assert names(searcher.search("short click"))[0] == "click_short.wav"
    assert set(names(searcher.search("short"))) == {"shorts.ogg", "patate_short.wav", "click_short.wav"}


def test_a_word_of_how_a_sound_is_kept_finds_no_file_alone_beside_other_words(store):
    """Review 16 (seen by the lead): "sound061" listed its six copies and read "the first 409 of
    1,930 results", every file holding "sound" counted. A word of how a sound is kept or counted
    ("sound", "loop", a bare number) holds a file only beside a word that says what the sound is,
    or, in a query of such words only, beside another of them; the count agrees with the list,
    also where the matches fill more than the words ranking holds."""
    many = MIN_CANDIDATES + 10
    store.upsert_files(
        [record(f"lang/{code}/sound061.ogg", folder=f"{LIB}/lang/{code}") for code in ("de", "fr", "en")]
        + [record(f"sound{number:03d}.ogg") for number in range(100, 100 + many)]
        + [record(name) for name in ("voice061.ogg", "rain_loop.wav", "wind_loop.wav", "rain_heavy.wav")]
    )
    searcher = Searcher(store, None)
    named = searcher.search("sound061", limit=10)
    assert names(named) == ["sound061.ogg"] * 3 and named.total == 3
    raining = searcher.search("rain loop")
    assert set(names(raining)) == {"rain_loop.wav", "rain_heavy.wav"} and raining.total == 2
    assert names(raining)[0] == "rain_loop.wav"
    assert len(searcher.search("loop")) == 2  # alone, as typed
    assert searcher.search("sound", limit=10).total == many + 3


def test_a_search_says_which_of_its_words_no_file_holds(store):
    """Review 10, L7: "baby cry" in a library with a war cry and no baby listed warcry.ogg first,
    with nothing to say that no file is of a baby. A word no file holds is named; a word the hits
    hold run together ("pick up": pickup), a length word and a word some file beyond the ranked
    hits holds are not; under a filter, the files it leaves out hold nothing."""
    many = MIN_CANDIDATES + 10  # more bells, and more laughs, than the words ranking holds
    store.upsert_files(
        [record(name) for name in ("warcry.ogg", "coin_pickup.wav", "rain.wav", "door_slam_long.wav")]
        + [record(f"bells/bell_{number:03d}.wav") for number in range(many)]
        + [record(f"people/laugh_of_a_crowd_in_a_large_hall_{number:03d}.wav") for number in range(many)]
    )
    searcher = Searcher(store, None)
    assert searcher.search("alien cry").unheld == ("alien",)
    assert searcher.search("alien cry tiny").unheld == ("alien", "tiny")
    assert searcher.search("pick up coin").unheld == ()
    assert searcher.search("door slam short").unheld == ()  # its length is what holds "short"
    assert searcher.search("cry").unheld == ()  # one word: found, or no file is named so
    ringing = searcher.search("bell laugh", limit=10)  # its words ranking holds the first 100, all bells
    assert all("bell_" in hit.name for hit in ringing) and ringing.unheld == ()
    assert searcher.search("bell laugh", SearchFilters(folder=f"{LIB}/bells")).unheld == ("laugh",)


def test_the_first_word_of_a_two_word_compound_counts_only_beside_the_second(store):
    """Review 8, M7: "machine gun burst" listed Washing-machine.ogg third, its "machine" read alone.
    A washing machine is no machine gun; a gun is a kind of one."""
    store.upsert_files(
        [record(name) for name in ("Washing-machine.ogg", "gun_shot_01.wav", "machine_gun_burst.wav")]
        + [record(name) for name in ("machine_room_hum.wav", "rain.wav", "door.wav")]
    )
    searcher = Searcher(store, None)
    for query in ("machine gun", "machine gun burst"):
        found = searcher.search(query)
        assert names(found) == ["machine_gun_burst.wav", "gun_shot_01.wav"], query
        assert found.total == 2, query  # the washing machine its words matched is no result (review 10, M1)
    assert names(searcher.search("washing machine"))[0] == "Washing-machine.ogg"
    assert len(searcher.search("machine")) == 3  # alone, every machine


def test_an_abbreviation_run_into_a_word_finds_the_file_by_both(store):
    store.upsert_files([record("foley_dbljump-01.wav"), record("double_door.wav"), record("foley_land-01.wav")])
    searcher = Searcher(store, None)
    assert names(searcher.search("double jump"))[0] == "foley_dbljump-01.wav"
    assert names(searcher.search("jump")) == ["foley_dbljump-01.wav"]


def test_a_whoosh_finds_a_swish(store):
    """A user typed "whoosh" and got dammit.wav and wahoo.wav first (MiniLM reads "who" + "osh"),
    swish.wav 415th: a swish is named with its kin, so the words find it."""
    store.upsert_files([record("toon/swish.wav"), record("dammit.wav"), record("wahoo.wav"), record("swoosh_02.wav")])
    assert set(names(Searcher(store, None).search("whoosh"))) == {"swish.wav", "swoosh_02.wav"}


def test_the_forms_of_one_idea_are_one_word_to_search_by(store):
    """The stemmer keeps "explosion" (explos) and "explode" (explod) apart: a search for
    "explosion" ranked shipExplode.wav, planetExplode.wav and corpse_explode.wav (ranks 23-29)
    below unrelated files. A name holds the idea's head after its form, so they are one word."""
    store.upsert_files(
        [
            record("shipExplode.wav"),
            record("corpse_explode.wav"),
            record("explosion_big.wav"),
            record("door_creak.wav"),
            record("creaky_floor.wav"),
            record("explorer_theme.wav"),
        ]
    )
    searcher = Searcher(store, None)
    exploding = {"shipExplode.wav", "corpse_explode.wav", "explosion_big.wav"}
    assert set(names(searcher.search("explosion"))) == set(names(searcher.search("exploding"))) == exploding
    scores = {h.name: h.text_score for h in searcher.search("explosion")}
    # one word, weighed as one: the rarer form does not outrank the idea's own name
    assert scores["explosion_big.wav"] == pytest.approx(scores["shipExplode.wav"], rel=0.2)
    assert set(names(searcher.search("creaky door"))) == {"door_creak.wav", "creaky_floor.wav"}
    assert names(searcher.search("creaky door"))[0] == "door_creak.wav"  # both ideas
    assert names(searcher.search('"ship explode"')) == ["shipExplode.wav"]  # a phrase as written


def test_a_description_or_a_tag_in_another_form_of_the_idea_is_found_by_it(store):
    """Review 9, M1: "ambience" found no file by its words, and warehouse.ogg, described "Ambient ·
    Waves and seagulls", came 25th by its sound alone, where "ambient" listed it first."""
    tagged, *_ = store.upsert_files(
        [
            record("take_01.wav"),
            record("warehouse.ogg", metadata_text="Ambient · Waves and seagulls"),
            record("AMB/forest_dawn.wav"),
            record("ambiance_city.wav"),
            record("door_creak.wav"),
            record("ball_sinks.wav"),
        ]
    )
    store.set_tags([tagged.id], ["Ambient"])
    searcher = Searcher(store, None)
    every = {"take_01.wav", "warehouse.ogg", "forest_dawn.wav", "ambiance_city.wav"}
    for query in ("ambience", "ambient", "ambiance", "ambiences"):
        assert set(names(searcher.search(query))) == every, query
    assert names(searcher.search('"ambient waves"')) == ["warehouse.ogg"]  # a phrase as written


def test_a_file_named_only_for_where_a_sound_happens_follows_the_sound_named(store):
    """Review 9, M2: "footsteps on gravel" listed trigger-rally's gravel.wav (a car's tyres) first
    and the footsteps third and below: BM25 weighed the rare "gravel" far above the common "steps"."""
    steps = [f"step_{kind}{i}.ogg" for kind in ("metal", "cloth", "leather", "echo") for i in (1, 2)]
    store.upsert_files(
        [record(f"soundfx/steps/{name}") for name in steps]
        + [record("sounds/gravel.wav"), record("sounds/bang.wav", metadata_text="gravel")]
        + [record("footsteps_gravel_01.wav")]
        + [record(f"sounds/{word}_{i}.wav") for i, word in enumerate(["engine", "horn", "wind", "door", "click"] * 4)]
    )
    searcher = Searcher(store, None)
    hits = searcher.search("footsteps on gravel")
    found = names(hits)
    assert found[0] == "footsteps_gravel_01.wav"  # both
    assert set(found[1:9]) == set(steps) and found[9:] == ["gravel.wav", "bang.wav"]
    assert "text #2 bm25=" in describe_hit(hits[9]) and "(the qualifier's words alone)" in describe_hit(hits[9])
    assert "qualifier" not in describe_hit(hits[0]) + describe_hit(hits[1])
    assert names(searcher.search("gravel"))[:2] == ["gravel.wav", "footsteps_gravel_01.wav"]  # its own word
    assert names(searcher.search("gravel footsteps"))[1] == "gravel.wav"  # no qualifier: as BM25 weighs
    assert names(searcher.search("car on gravel"))[0] == "gravel.wav"  # no file named for the sound: no cut


def test_a_file_named_for_where_a_sound_happens_that_sounds_like_the_query_keeps_its_place(store, tiny_model):
    """The sound tells a qualifier's name apart: gravel_walk.wav sounds like footsteps on gravel,
    more than the footsteps do; gravel.wav (tyres) less, on a page of 20 or of 500."""
    query = embed(tiny_model, "footsteps on gravel")
    store.commit_embedded(
        tiny_model.info,
        [
            (record("gravel_walk.wav"), one_window(at_cosine(query, 0.9, seed=1))),
            (record("gravel.wav"), one_window(at_cosine(query, 0.3, seed=2))),  # ranked, below the footsteps
        ]
        + [(record(f"steps/step_{i}.ogg"), one_window(at_cosine(query, 0.4, seed=10 + i))) for i in range(4)]
        + [(record(f"other_{i}.wav"), one_window(at_cosine(query, 0.1, seed=20 + i))) for i in range(12)],
    )
    searcher = Searcher(store, tiny_model)
    for limit in (20, 500):
        found = names(searcher.search("footsteps on gravel", limit=limit, rankings=frozenset({"words", "sound"})))
        assert found[0] == "gravel_walk.wav"
        assert set(found[1:5]) == {f"step_{i}.ogg" for i in range(4)} and found[5] == "gravel.wav"


def test_a_pages_first_hits_are_the_same_however_long_the_page(store, tiny_model):
    """Review 11: the CLI's first ten ("--limit 10") were not the window's first ten (500 results),
    scores about 3 apart: a deeper page's weaker weakest sound candidate squeezed every sound score
    up. The sound's scores are read from its first MIN_CANDIDATES, whatever the page's length."""
    query = embed(tiny_model, "door creak")
    cosines = np.linspace(0.9, -0.6, 3 * MIN_CANDIDATES)
    store.commit_embedded(
        tiny_model.info,
        [(record(f"door_{i}.wav"), one_window(at_cosine(query, 0.2 + 0.1 * i, seed=i))) for i in range(5)]
        + [(record(f"take_{i:03d}.wav"), one_window(at_cosine(query, c, seed=100 + i))) for i, c in enumerate(cosines)],
    )
    searcher = Searcher(store, tiny_model)
    rankings = frozenset({"words", "sound"})
    short, long = (searcher.search("door creak", limit=limit, rankings=rankings) for limit in (10, 500))
    assert len(long) > 2 * MIN_CANDIDATES
    assert [(h.name, round(h.score, 6)) for h in short] == [(h.name, round(h.score, 6)) for h in long[:10]]


def test_a_length_typed_among_the_words_puts_the_sounds_of_that_length_first(store):
    """Review 8, M7: "big explosion long" listed four 1-second big explosions first. The length
    reorders the word matches and drops none; a name holding the length word alone is no match of
    them (review 18, M6: "short click" listed a spoken shorts.ogg)."""
    store.upsert_files(
        [
            record("sound_big_explosion_1.wav", duration_s=1.2),
            record("sound_big_explosion_2.wav", duration_s=0.8),
            record("explosion1.ogg", duration_s=6.0),
            record("door_creak_long.wav", duration_s=0.5),
            record("rain_loop.wav", duration_s=60.0),
        ]
        + [record(f"{word}_{i}.wav", duration_s=2.0) for i, word in enumerate(["wind", "engine", "click"] * 8)]
    )
    searcher = Searcher(store, None)
    big, long_one = {"sound_big_explosion_1.wav", "sound_big_explosion_2.wav"}, "explosion1.ogg"
    found = names(searcher.search("big explosion"))
    assert set(found[:2]) == big and found[2] == long_one
    assert names(searcher.search("big explosion long")) == [  # rain_loop: no word found it
        long_one,
        "sound_big_explosion_1.wav",  # 1.2 s, a little longer than _2
        "sound_big_explosion_2.wav",
    ]
    assert names(searcher.search("big explosion short")) == [
        "sound_big_explosion_2.wav",
        "sound_big_explosion_1.wav",
        long_one,
    ]


def test_a_ucs_names_creator_and_source_are_searched_as_its_folders_are(store):
    store.upsert_files([record("FOLYFeet_Foot Left_JD_ACME.wav"), record("foot_left_acme.wav")])
    searcher = Searcher(store, None)
    # the IDs do not lengthen the name its words are weighed against: both names match as equals
    scores = {h.name: h.text_score for h in searcher.search("foot left")}
    assert scores["FOLYFeet_Foot Left_JD_ACME.wav"] == pytest.approx(scores["foot_left_acme.wav"], rel=0.2)
    # still found by who made it, as a folder's word: below a name that says it
    assert names(searcher.search("acme")) == ["foot_left_acme.wav", "FOLYFeet_Foot Left_JD_ACME.wav"]


def test_fusion_ranks_files_strong_in_both_lists_first(store, tiny_model):
    query = embed(tiny_model, "door")
    store.commit_embedded(
        tiny_model.info,
        [
            (record("door.wav"), one_window(at_cosine(query, 0.90, seed=1))),  # vector #2, text #1
            (record("rumble.wav"), one_window(at_cosine(query, 0.95, seed=2))),  # vector #1, no text
            (record("door ambience with many other words.wav"), one_window(at_cosine(query, 0.20, seed=3))),  # v3 t2
            (record("unrelated.wav"), one_window(at_cosine(query, -0.5, seed=4))),  # vector #4 only
        ],
    )
    hits = Searcher(store, tiny_model).search("door")
    assert names(hits) == ["door.wav", "door ambience with many other words.wav", "rumble.wav", "unrelated.wav"]
    assert [(h.vector_rank, h.text_rank) for h in hits] == [(2, 1), (3, 2), (1, None), (4, None)]
    # keyword score relative to the best, plus the sound's place between the weakest and best cosine
    sound = FusionWeights().sound
    assert hits[0].score == pytest.approx(100 * (1 + sound * 1.40 / 1.45) / (1 + sound), abs=1e-3)
    assert hits[2].score == pytest.approx(100 * sound / (1 + sound), abs=1e-3)
    assert [h.vector_score for h in hits] == pytest.approx([0.90, 0.20, 0.95, -0.5], abs=1e-5)
    assert hits[0].text_score > hits[1].text_score > 0
    line = describe_hit(hits[0])
    assert "vector #2 cos=0.900" in line and "text #1" in line and "door.wav" in line


def test_best_window_is_the_reported_moment(store, tiny_model):
    query = embed(tiny_model, "bird chirp")
    vectors = np.stack([at_cosine(query, c, seed=i) for i, c in enumerate([0.1, 0.3, 0.92, 0.4])])
    forest = Windows([0.0, 5.0, 10.0, 15.0], [10.0, 15.0, 20.0, 25.0], vectors)
    store.commit_embedded(
        tiny_model.info,
        [(record("forest ambience.wav"), forest), (record("street.wav"), one_window(at_cosine(query, 0.5, seed=9)))],
    )
    hits = Searcher(store, tiny_model).search("bird chirp")
    assert names(hits) == ["forest ambience.wav", "street.wav"]
    assert (hits[0].best_start_s, hits[0].best_end_s) == (10.0, 20.0)
    # its best window's cosine, less the luck of four windows (engine.search.many_windows)
    assert hits[0].vector_score + hits[0].vector_lost == pytest.approx(0.92, abs=1e-5)


def test_a_moment_the_sound_did_not_earn_is_not_shown(store, tiny_model):
    """A 3-minute ambience found by its description that the sound ranks below the files it finds
    (its first MIN_CANDIDATES) shows no window as the match, on a page of 20 hits or of 500 (which
    ranks the sound deeper, only to fill the page); a file listed by its sound alone keeps its
    window however far down, since that window is why it is listed."""
    query = embed(tiny_model, "horn")
    starts = np.arange(0.0, 175.0, 5.0)
    street = Windows(starts, starts + 10.0, np.stack([at_cosine(query, -0.2, seed=i) for i in range(len(starts))]))
    rumble = Windows(
        [0.0, 10.0], [10.0, 20.0], np.stack([at_cosine(query, c, seed=s) for s, c in enumerate((-0.6, -0.5), 900)])
    )
    takes = [
        (record(f"take_{i:03d}.wav"), one_window(at_cosine(query, 0.6 - 0.002 * i, seed=100 + i)))
        for i in range(MIN_CANDIDATES + 10)
    ]
    store.commit_embedded(
        tiny_model.info,
        [(record("street.wav", metadata_text="a car horn honks at 1:30"), street), (record("rumble.wav"), rumble)]
        + takes,
    )
    searcher = Searcher(store, tiny_model)
    for limit in (20, 500):
        hit = searcher.search("horn", limit=limit)[0]
        assert (hit.name, hit.text_rank, hit.best_start_s, hit.best_end_s) == ("street.wav", 1, None, None)
    by_name = {h.name: h for h in searcher.search("horn", limit=500)}
    assert by_name["street.wav"].vector_rank == MIN_CANDIDATES + 11  # ranked by the sound, far down
    # --explain names its sound rank and says no moment (it formatted the missing window and failed)
    explained = describe_hit(by_name["street.wav"])
    assert f"vector #{MIN_CANDIDATES + 11} cos=" in explained and "@" not in explained
    assert "@10.0-20.0s" in describe_hit(by_name["rumble.wav"])
    assert by_name["take_000.wav"].best_start_s == 0.0  # the sound's first: its moment
    deep = by_name["rumble.wav"]
    assert (deep.vector_rank, deep.text_rank, deep.best_start_s, deep.best_end_s) == (
        MIN_CANDIDATES + 12,
        None,
        10.0,
        20.0,
    )


def test_quoted_phrase_must_appear_as_consecutive_words(store, tiny_model):
    query = embed(tiny_model, "wooden door")
    store.commit_embedded(
        tiny_model.info,
        [
            (record("door_wooden_old.wav"), one_window(at_cosine(query, 0.99, seed=1))),  # best vector, wrong order
            (record("x.wav", metadata_text="a Wooden Door, closing"), one_window(at_cosine(query, 0.5, seed=2))),
            (record("wooden_box.wav"), one_window(at_cosine(query, 0.7, seed=3))),
        ],
    )
    searcher = Searcher(store, tiny_model)
    assert names(searcher.search('"wooden door"')) == ["x.wav"]
    assert set(names(searcher.search("wooden door"))) == {"door_wooden_old.wav", "x.wav", "wooden_box.wav"}


def test_exclusion_drops_files_from_both_rankings(store, tiny_model):
    query = embed(tiny_model, "door")
    store.commit_embedded(
        tiny_model.info,
        [
            (record("metal door slam.wav"), one_window(at_cosine(query, 0.99, seed=1))),
            (record("door creak.wav"), one_window(at_cosine(query, 0.5, seed=2))),
            (record("gate.wav", caption="heavy metal gate"), one_window(at_cosine(query, 0.4, seed=3))),
            (record("rain.wav"), one_window(at_cosine(query, 0.1, seed=4))),
        ],
    )
    searcher = Searcher(store, tiny_model)
    assert "metal door slam.wav" in names(searcher.search("door"))
    assert names(searcher.search("door -metal")) == ["door creak.wav", "rain.wav"]
    assert names(searcher.search('-"metal door"')) == ["door creak.wav", "gate.wav", "rain.wav"]  # browse


def test_phrases_and_exclusions_read_words_as_the_index_writes_them(store):
    store.upsert_files(
        [record("netpanzer/shot.wav"), record("net_panzer_01.wav"), record("EXPL_Big_03.wav"), record("big_expl.wav")]
    )
    searcher = Searcher(store, None)
    # a folder keeps a title whole, a file name splits it: an exclusion drops both
    assert set(names(searcher.search("-netpanzer"))) == {"big_expl.wav", "EXPL_Big_03.wav"}
    # an abbreviation is held with what it stands for after it, and is still a phrase as written
    assert names(searcher.search('"expl big"')) == ["EXPL_Big_03.wav"]
    assert names(searcher.search('"explosion big"')) == ["EXPL_Big_03.wav"]


def test_or_searches_each_alternative_on_its_own(store, tiny_model):
    dog, cat, both = (embed(tiny_model, t) for t in ("dog bark", "cat meow", "dog bark cat meow"))
    store.commit_embedded(
        tiny_model.info,
        [
            (record("canine.wav", metadata_text="dog bark"), one_window(dog)),
            (record("feline.wav", metadata_text="cat meow"), one_window(cat)),
            (record("pets.wav", metadata_text="cat bark"), one_window(both)),
        ],
    )
    searcher = Searcher(store, tiny_model)
    alternatives = searcher.search("dog bark OR cat meow")
    assert sorted(h.vector_rank for h in alternatives if h.name != "pets.wav") == [1, 2]  # cos 1 to own alternative
    by_text = sorted((h.text_rank, h.name) for h in alternatives)
    assert [name for _, name in by_text][2] == "pets.wav"  # half of either alternative: below both whole ones
    joined = searcher.search("dog bark cat meow")
    assert all(h.text_rank for h in joined)  # any of the words is a keyword match
    # two words each, but pets.wav holds the two common ones: the words lead, the sound cannot overturn that
    assert names(joined)[2] == "pets.wav" and joined[2].vector_rank == 1
    assert set(names(searcher.search('"dog bark" OR "cat meow"'))) == {"canine.wav", "feline.wav"}
    assert searcher.search('"dog bark" "cat meow"') == []


FILTER_LIBRARY = [  # name, folder, duration, rate, channels, format, tags
    ("a.wav", LIB, 1.0, 44_100, 1, "wav", ["foley"]),
    ("b.wav", LIB, 5.0, 48_000, 2, "wav", []),
    ("c.flac", LIB, 12.0, 96_000, 2, "flac", ["foley", "door"]),
    ("d.wav", f"{LIB}/ambience", 60.0, 48_000, 6, "wav", []),
    ("e.mp3", f"{LIB}/ambience/city", 30.0, 44_100, 2, "mp3", ["city"]),
] + [(f"filler{i}.wav", "/other", 2.0, 22_050, 1, "wav", []) for i in range(7)]


@pytest.fixture(params=[2_000, 0], ids=["prefilter", "postfilter"])
def filter_library(request, store, tiny_model, monkeypatch):
    monkeypatch.setattr(vector_search, "PREFILTER_MAX_FILES", request.param)
    query = embed(tiny_model, "door")
    store.add_folder("/other")
    store.commit_embedded(
        tiny_model.info,
        [
            (
                FileRecord(
                    path=f"{folder}/{name}",
                    folder=LIB if folder.startswith(LIB) else folder,
                    content_hash=name,
                    duration_s=duration,
                    sample_rate=rate,
                    channels=channels,
                    format=fmt,
                    tags=tags,
                ),
                one_window(at_cosine(query, 0.9 - 0.05 * i, seed=i)),
            )
            for i, (name, folder, duration, rate, channels, fmt, tags) in enumerate(FILTER_LIBRARY)
        ],
    )
    return Searcher(store, tiny_model)


@pytest.mark.parametrize(
    "filters, expected",
    [
        (SearchFilters(min_duration_s=5, max_duration_s=30), {"b.wav", "c.flac", "e.mp3"}),
        (SearchFilters(max_duration_s=1.5), {"a.wav"}),
        (SearchFilters(sample_rate=48_000), {"b.wav", "d.wav"}),
        (SearchFilters(channels=2), {"b.wav", "c.flac", "e.mp3"}),
        (SearchFilters(format="FLAC"), {"c.flac"}),
        (SearchFilters(folder=f"{LIB}/ambience/"), {"d.wav", "e.mp3"}),
        (SearchFilters(folder=f"{LIB}/amb"), set()),  # a folder, not a string prefix
        (SearchFilters(tag="foley"), {"a.wav", "c.flac"}),
        (SearchFilters(tag="foley", sample_rate=96_000), {"c.flac"}),
    ],
)
def test_each_filter_applies_to_vector_text_and_browse(filter_library, filters, expected):
    by_vector = filter_library.search("zzz", filters)  # no text match anywhere: vector ranking alone
    assert set(names(by_vector)) == expected and all(h.vector_rank for h in by_vector)
    assert set(names(filter_library.search("", filters))) == expected
    with_text = filter_library.search("foley", filters)
    assert {h.name for h in with_text if h.text_rank} == expected & {"a.wav", "c.flac"}


def test_offline_files_are_found_with_their_status_and_failed_ones_are_not(store, tiny_model):
    """A file on an unplugged drive is still a sound the user has: found, saying it is offline."""
    store.add_folder("/drive")
    query = embed(tiny_model, "door")
    store.commit_embedded(
        tiny_model.info,
        [
            (record("door.wav", folder="/drive"), one_window(query)),
            (record("door2.wav"), one_window(at_cosine(query, 0.3))),
        ],
    )
    store.upsert_files([record("door3.wav", status=ERROR, error="unreadable")])
    store.set_folder_online("/drive", False)
    searcher = Searcher(store, tiny_model)
    hits = searcher.search("door")
    assert [(h.name, h.status, h.folder) for h in hits] == [("door.wav", OFFLINE, "/drive"), ("door2.wav", OK, LIB)]
    assert hits[0].vector_rank == 1 and hits[0].text_rank is not None  # both halves still see it
    assert [(h.name, h.status) for h in searcher.search("")] == [("door.wav", OFFLINE), ("door2.wav", OK)]
    online_only = SearchFilters(include_offline=False)
    assert names(searcher.search("door", online_only)) == names(searcher.search("", online_only)) == ["door2.wav"]
    store.set_folder_online("/drive", True)
    assert [h.status for h in searcher.search("door", online_only)] == [OK, OK]


def test_similar_to_a_library_file_excludes_itself(store, tiny_model):
    rng = np.random.default_rng(0)
    base = tiny_model.embed_audio([tone(440.0, 1.0), noise(1.0)])
    near = base + 0.05 * rng.standard_normal(base.shape).astype(np.float32)
    source, twin, other = store.commit_embedded(
        tiny_model.info,
        [
            (record("tone.wav"), Windows([0.0, 1.0], [1.0, 2.0], base)),
            (record("tone copy.wav"), Windows([0.0, 1.0], [1.0, 2.0], near)),
            (record("other.wav"), one_window(-base[0])),
        ],
    )
    searcher = Searcher(store, tiny_model)
    by_path = searcher.similar(source.path, limit=5)
    assert names(by_path) == ["tone copy.wav", "other.wav"]
    assert by_path[0].score > 90 and by_path[0].vector_rank == 1 and by_path[0].text_rank is None
    by_vectors = searcher.similar(base, limit=5, exclude_path=source.path)
    assert names(by_vectors) == names(by_path)
    assert names(searcher.similar(base, limit=1)) == ["tone.wav"]


def test_copies_of_one_sound_are_one_hit_naming_the_others(store, tiny_model):
    """The same bytes in two folders (a library gathered over years) show once, naming the other
    copy; sounds like one copy never offer the other, which is the same sound."""
    query = embed(tiny_model, "door")
    first, second, creak, knock = store.commit_embedded(
        tiny_model.info,
        [
            (record("door_slam.wav", content_hash="same-bytes"), one_window(query)),
            (record("door_slam.wav", folder="/backup/sfx", content_hash="same-bytes"), one_window(query)),
            (record("door_creak.wav"), one_window(at_cosine(query, 0.5))),
            (record("door_knock.wav"), one_window(at_cosine(query, 0.2))),
        ],
    )
    searcher = Searcher(store, tiny_model)
    hits = searcher.search("door")
    assert [h.path for h in hits[1:]] == [creak.path, knock.path] and hits[1].copies == ()
    assert {hits[0].path, *hits[0].copies} == {first.path, second.path} and len(hits[0].copies) == 1
    assert len(searcher.search("door", limit=2)) == 2  # two sounds, though the copy ranked second
    assert [h.path for h in searcher.similar(first.path, limit=5)] == [creak.path, knock.path]
    assert [h.path for h in searcher.similar(query, limit=5, exclude_path=second.path)] == [creak.path, knock.path]
    outside = searcher.similar(query, limit=2)  # a clip from outside: the sound itself is a result, once
    assert len(outside) == 2 and outside[1].path == creak.path and len(outside[0].copies) == 1


def test_copies_scored_apart_by_rounding_only_are_listed_under_one_path(store, tiny_model):
    """Copies whose windows differ by float rounding match a query alike, but each query's
    rounding ranked a different copy first, and the copy listed changed with the query: the
    shortest path is listed for every query."""
    wind, gust = embed(tiny_model, "wind"), embed(tiny_model, "wind gust")
    sound = at_cosine(wind, 0.6)
    lean = 1e-6 / (1 - wind.dot(gust)) * (wind - gust)  # cosines 2e-6 apart: towards "wind", away from "gust"
    short, long = store.commit_embedded(
        tiny_model.info,
        [
            (record("wind.wav", content_hash="same-bytes"), one_window(sound + lean)),
            (record("wind.wav", folder=f"{LIB}/backup", content_hash="same-bytes"), one_window(sound - lean)),
        ],
    )
    searcher = Searcher(store, tiny_model)
    for query, rank in ((wind, 1), (gust, 2)):  # the listed copy ranked first, then second: rounding
        [hit] = searcher.similar(query, limit=5)
        assert (hit.path, hit.copies, hit.vector_rank) == (short.path, (long.path,), rank)


def test_similar_to_a_clip_outside_the_library(store, tiny_model, tmp_path):
    clips = {"low.wav": tone(220.0), "high.wav": tone(3000.0), "hiss.wav": noise(seed=3)}
    vectors = tiny_model.embed_audio(list(clips.values()))
    store.commit_embedded(tiny_model.info, [(record(n), one_window(v)) for n, v in zip(clips, vectors, strict=False)])
    outside = tiny_model.embed_audio([tone(3000.0, amp=0.5)])  # same sound, a file the library lacks
    hits = Searcher(store, tiny_model).similar(outside, limit=3)
    assert hits[0].name == "high.wav" and hits[0].score == pytest.approx(100.0, abs=1e-2)
    with pytest.raises(LookupError, match="not in the library"):
        Searcher(store, tiny_model).similar(tmp_path / "elsewhere.wav")
    with pytest.raises(LookupError, match="needs an audio-text model"):
        Searcher(store, None).similar(outside)


def test_similar_ranks_in_the_likeness_space_once_every_file_has_windows_there(store, tiny_model):
    """Placed so the two spaces disagree: in the audio-text space the door sounds like the
    example, in the likeness space the gate does."""
    model = copy.copy(tiny_model)
    model.info = replace(tiny_model.info, likeness=LikenessSpace("like-v1", unrelated=0.5))
    dim = model.info.embedding_dim
    example = at_cosine(np.eye(dim, dtype=np.float32)[0], 0.0, seed=1)
    like = np.eye(6, dtype=np.float32)[0]

    def file(vector_cosine: float, likeness_cosine: float, seed: int) -> Windows:
        return Windows(
            [0.0], [1.0], at_cosine(example, vector_cosine, seed)[None], at_cosine(like, likeness_cosine, seed)[None]
        )

    source, door, gate = store.commit_embedded(
        model.info,
        [
            (record("example.wav"), file(1.0, 1.0, 0)),
            (record("door.wav"), file(0.9, 0.6, 1)),
            (record("gate.wav"), file(0.2, 0.8, 2)),
        ],
    )
    searcher = Searcher(store, model)
    hits = searcher.similar(source.path, limit=5)
    assert names(hits) == ["gate.wav", "door.wav"]
    assert [h.score for h in hits] == pytest.approx([60.0, 20.0], abs=1e-3)  # 0.5 is unrelated: 0
    outside = Windows([0.0], [1.0], example[None], like[None])  # a clip's windows, embedded by the caller
    assert names(searcher.similar(outside, limit=5, exclude_path=source.path)) == ["gate.wav", "door.wav"]
    assert names(searcher.similar(example[None], limit=2)) == ["example.wav", "door.wav"]  # bare vectors: no likeness
    # a file embedded before the model had its likeness space: until it is re-embedded, the
    # audio-text space ranks, so that no file is left out
    (old,) = store.upsert_files([record("old.wav")])
    store.embeddings(model.info).replace({old.id: one_window(at_cosine(example, 0.5, 3))})
    hits = searcher.similar(source.path, limit=5)
    assert names(hits) == ["door.wav", "old.wav", "gate.wav"]
    assert hits[0].score == pytest.approx(90.0, abs=1e-3)


def test_meaning_finds_a_name_without_the_query_word_and_filters_apply_to_it(store, tiny_model):
    """ "whoosh" is in no name; the words table says sword_slash means it (cosines placed)."""
    query = tiny_model.embed_words(["whoosh"])[0]
    slash, rain, blade = store.upsert_files(
        [record("sword_slash.wav"), record("rain_loop.wav"), record("blade_swipe.wav", status=OFFLINE)]
    )
    table = store.word_vectors(tiny_model.info.name, dim=len(query))
    table.put(
        {slash.id: ("sword slash",), rain.id: ("rain loop",), blade.id: ("blade swipe",)},
        {
            "sword slash": at_cosine(query, 0.8, seed=1),
            "rain loop": at_cosine(query, 0.1, seed=2),
            "blade swipe": at_cosine(query, 0.7, seed=3),
        },
    )
    searcher = Searcher(store, tiny_model)
    hits = searcher.search("whoosh")
    assert names(hits) == ["sword_slash.wav", "blade_swipe.wav"]  # rain's meaning is below the floor
    assert (hits[0].meaning_rank, hits[0].text_rank, hits[0].vector_rank) == (1, None, None)
    assert hits[0].meaning_score == pytest.approx(0.8, abs=1e-5)
    assert "meaning #1 cos=0.800" in describe_hit(hits[0])
    assert names(searcher.search("whoosh -sword")) == ["blade_swipe.wav"]  # exclusions apply to meaning too
    assert names(searcher.search("whoosh", SearchFilters(include_offline=False))) == ["sword_slash.wav"]


def test_browsing_lists_the_first_passing_files_in_path_order(store):
    names_written = [f"{word}_{i}.wav" for i, word in enumerate(["rain", "door", "bell", "wind"] * 5)]
    store.upsert_files([record(name) for name in names_written[::-1]])  # not written in path order
    searcher = Searcher(store, None)
    assert names(searcher.search("", limit=6)) == sorted(names_written)[:6]
    assert names(searcher.search("-bell -door", limit=4)) == sorted(n for n in names_written if n[0] in "rw")[:4]
