"""The one tokeniser, on names from real libraries, game folders and UCS."""

from __future__ import annotations

import pytest

from engine.words import (
    abbreviations,
    asked_words,
    cat_id_block,
    common_words,
    compound_heads,
    derivations,
    describing,
    file_stem,
    held_heads,
    idea_head,
    in_meant_sense,
    is_title,
    keyword_query_words,
    known_words,
    name_words,
    read_cat_ids,
    titles_whole,
    ucs_category_of,
    ucs_origin_words,
    with_abbreviations,
    with_compound_heads,
    without_compound_heads,
    word_spans,
    words,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Door03_Creak", "door 03 creak"),
        ("UZIRapid_Fire", "uzi rapid fire"),
        ("explosion1", "explosion 1"),
        ("LRBark_1", "lr bark 1"),
        ("DoorCreak_Slow_03", "door creak slow 03"),
        ("METAL-Impact-Big_tk2", "metal impact big tk 2"),
        ("01 Rain on roof v2", "01 rain on roof v 2"),
        ("Glass.Break.Small", "glass break small"),
        ("44Magnum", "44 magnum"),
        ("Boeing747_Takeoff_Far", "boeing 747 takeoff far"),
        ("footstep_gravel-run#4", "footstep gravel run 4"),
        ("café_Tür ÉCLAT", "café tür éclat"),
        ("gameover", "game over"),  # compounds written as one word
        ("refwhistle01", "ref whistle 01"),
        ("powerup_levelup", "power up level up"),
        ("jackhammer", "jackhammer"),  # one word already
        ("eline", "eline"),  # "e line" would be a guess
        ("zzzap", "zzzap"),
        ("HTTPRequest", "http request"),
        ("wolfGrowl", "wolf growl"),
        ("", ""),
    ],
)
def test_words_split_names_as_a_person_reads_them(text, expected):
    assert " ".join(words(text)) == expected


@pytest.mark.parametrize(
    "path,expected",
    [
        # CreatorID and SourceID say where a sound comes from, not what it is: not name words
        ("/lib/DOORWood_Creak Heavy_ACME_PRJ.wav", "door wood creak heavy doors"),
        ("/lib/GUNAuto_Uzi 9mm Rapid Fire_TN_DORY.flac", "gun auto uzi 9 mm rapid fire guns automatic"),
        ("/lib/DOORWood-Mine_Creak_JD_ACME_take 2.wav", "door wood mine creak take 2 doors"),  # UserData describes it
        ("/lib/RAIN_Heavy On Roof.wav", "rain heavy on roof"),  # category RAIN, subcategory GENERAL: nothing to add
        ("/lib/sounds/fire1.ogg", "fire 1"),  # folders are not part of the name
        ("/lib/Door.Creak.Slow.WAV", "door creak slow"),
        ("/lib/notes.v2", "notes v 2"),  # not an audio extension: the dot part stays a word
    ],
)
def test_name_words_add_the_ucs_category(path, expected):
    assert " ".join(name_words(path)) == expected


def test_a_ucs_names_creator_and_source_are_where_it_comes_from():
    assert ucs_origin_words("/lib/DOORWood_Creak Heavy_JD_ACME Horror.wav") == ["jd", "acme", "horror"]
    assert ucs_origin_words("/lib/DOORWood_Creak Heavy.wav") == []
    assert ucs_origin_words("/lib/door_creak_JD_ACME.wav") == []  # no CatID: no UCS name


@pytest.mark.parametrize(
    ("stem", "block"),
    [
        ("DOORWood-Int_Creak Slow_JD_TOWN", "DOORWood"),
        ("door_creak", "door"),  # where the CatID would go; the vocabulary in use says if it is one
        ("RAIN", ""),  # a word: no FX name follows
        ("TEST_", ""),
        ("WIND_ _JD", ""),
    ],
)
def test_the_catid_block_needs_an_fx_name_after_it(stem, block):
    assert cat_id_block(stem) == block


def test_only_an_exact_catid_at_the_head_is_a_category():
    assert ucs_category_of("RAIN") is None  # RAIN.WAV is a word, not a UCS name
    assert ucs_category_of("RAIN_Heavy").cat_id == "RAIN"
    assert ucs_category_of("DOORWood-INT_Creak").cat_id == "DOORWood"
    assert ucs_category_of("doorwood_creak") is None  # CatIDs are case sensitive in the convention
    assert ucs_category_of("Creak_DOORWood") is None
    assert file_stem("a/b/c.d.flac") == "c.d"


def test_word_spans_are_where_words_finds_each_word():
    for text in ("UZIRapid_Fire-03", "gameover1", "ThnuderRoll thnuder_rumble", "Café—crème 12dB", " -- "):
        assert [text[a:b].casefold() for a, b in word_spans(text)] == words(text, compounds=False)
    assert word_spans("ThnuderRoll x") == [(0, 7), (7, 11), (12, 13)]


def test_a_sound_compound_in_a_query_also_asks_for_its_head():
    assert keyword_query_words("metal footsteps") == ["metal", "footsteps", "steps"]
    assert keyword_query_words("footsteps steps") == ["footsteps", "steps"]  # asked already
    assert keyword_query_words("fireball") == ["fireball"]  # "ball" alone is another sound
    assert keyword_query_words("WTHRThun") == ["wthr", "thun", "weather", "thunder"]  # a CatID, as names are read


def test_a_pack_named_with_capitals_and_a_word_like_sfx_is_one_word():
    """OpenSFX's "open" swung tagging to AIRCRAFT and matched a search for "open" (review 13): a pack
    or brand named so is a title as "netpanzer" is, in a folder and typed alike; other runs with
    capitals, descriptions as often as titles, split as before."""
    assert titles_whole("OpenSFX/SoundMorph Doors") == "opensfx/soundmorph Doors"
    for split in ("GunShots", "BodyFalls", "SevenKingdoms", "WTHRThun", "SFX Drive"):
        assert titles_whole(split) == split
    assert keyword_query_words("OpenSFX") == ["open", "sfx", "opensfx"]  # as "opensfx" typed asks
    assert keyword_query_words("OpenSFX door", held=lambda w: w == "opensfx") == ["opensfx", "door"]


def test_a_catid_typed_in_a_query_is_read_as_its_category_words():
    assert read_cat_ids("AMBForst birds") == "ambience forest birds"
    assert read_cat_ids("CREAMnstr-GUNAuto") == "creatures monster-guns automatic"
    assert read_cat_ids("ambforst") == "ambience forest"  # in any case, as it is no word of its own
    # its own halves are still asked for, which a file named by the CatID holds
    assert keyword_query_words("AMBForst") == ["amb", "forst", "ambience", "forest"]
    assert keyword_query_words("ambforst") == ["ambforst", "ambience", "forest"]
    # mixed-case names that are no CatID, and CatIDs that are words of their own, are as typed
    for text in ("ThunderRoll", "GlassBreak02", "TEST", "wind"):
        assert read_cat_ids(text) == text
    assert keyword_query_words("TEST") == ["test"]  # not the archived TEST category's words
    assert keyword_query_words("ThunderRoll") == ["thunder", "roll"]


def test_a_word_run_together_in_a_query_is_also_asked_for_as_written():
    # as a folder's words are indexed: "netpanzer" is a game's folder, not a net and a panzer
    assert keyword_query_words("netpanzer gameover") == ["net", "panzer", "game", "over", "netpanzer", "gameover"]


def test_two_query_words_that_run_together_into_a_word_also_ask_for_it():
    # asked twice: a file holding it holds both words typed
    assert keyword_query_words("sea gull") == ["sea", "gull", "seagull", "seagull"]
    assert keyword_query_words("pick up health")[:5] == ["pick", "up", "health", "pickup", "pickup"]
    assert keyword_query_words("door creak") == ["door", "creak"]  # "doorcreak" is no word


def test_a_title_the_index_holds_stands_for_itself_alone():
    asked = []

    def held(word: str) -> bool:
        asked.append(word)
        return word in {"netpanzer", "doorbell"}

    assert keyword_query_words("netpanzer gameover tank", held) == ["netpanzer", "game", "over", "tank", "gameover"]
    # only titles run together are looked up: an English word ("doorbell") or one word is not
    assert keyword_query_words("doorbell", held) == keyword_query_words("doorbell") == ["doorbell", "bell"]
    assert asked == ["netpanzer", "gameover"]


def test_every_listed_compound_is_one_word_to_the_tokeniser():
    # a compound the tokeniser splits already finds its parts; listing it would only say so twice
    for compound, head in compound_heads().items():
        assert words(compound) == [compound], compound
        assert compound.endswith(head) or compound.startswith(head), compound


def test_a_compound_is_held_with_its_head_where_a_search_for_the_head_means_it():
    """Review 16, M5: "door" found no ``trapdoor.wav``; the index holds what a query of the head
    should find, not a spaceship for "ship" (a boat) nor gunfire for "fire" (flames)."""
    assert with_compound_heads(["trapdoor", "creak", "doorbell"]) == ["trapdoor", "door", "creak", "doorbell", "bell"]
    assert with_compound_heads(["door", "trapdoor"]) == ["door", "trapdoor"]  # said already
    held = ["trapdoor", "door", "creak", "doorbell", "bell"]
    assert without_compound_heads(held) == ["trapdoor", "creak", "doorbell"]  # as written, for the meaning
    assert with_compound_heads(["spaceship", "gunfire", "chainsaw"]) == ["spaceship", "gunfire", "chainsaw"]
    # a line marked "query" is the query's only: "spaceship" still asks for "ship"
    assert keyword_query_words("spaceship") == ["spaceship", "ship"]
    import engine.words

    marks = {tuple(fields[2:]) for fields in engine.words._listed(engine.words.COMPOUNDS)}
    assert marks == {(), ("query",)}  # no other mark, which would be read as none
    assert set(held_heads()) < set(compound_heads()) and held_heads()["trapdoor"] == "door"


@pytest.mark.parametrize(
    "word, title",
    [
        ("mirrormagic", True),  # a game
        ("soundmorph", True),  # a vendor
        ("sand", False),  # English, though wordninja would split it ("s and")
        ("footsteps", False),
        ("swooshes", False),  # no dictionary's, but a UCS category's
        ("bodyfall", False),  # a UCS subcategory
        ("take2", False),  # not letters alone: numbers and takes are for describing() to drop
    ],
)
def test_a_word_no_dictionary_or_ucs_list_knows_is_a_title(word, title):
    assert is_title(word) is title


def test_common_words_are_the_ucs_lists_then_the_frequent_english():
    """What a typo may be read as where the library holds no word like it (engine.search.respell)."""
    common = common_words()
    assert {"explosion", "whoosh", "crackle", "harbour", "something"} <= common.keys()
    # the sound words first, though an encyclopedia seldom writes them ("whoosh": 118,000th)
    assert common["explosion"] < common["whoosh"] < common["something"] < common["harbour"]
    # far down wordninja's list, words as near a typo as the word meant
    assert {"stegodon", "rodinia"} <= known_words() and not {"stegodon", "rodinia"} & common.keys()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("EXPL_Big_03", "expl explosion big 03"),
        ("explos", "explos explosion"),  # LibreOffice's gallery explos.wav (review 19, M2)
        ("explosive", "explosive"),
        ("AMB_Forest_Dawn", "amb ambience forest dawn"),
        ("UI_Click_Soft", "ui user interface click soft"),
        ("vo_pain_short-01", "vo voice pain short 01"),  # a game's voice-over lines
        ("WHSH_Fast whoosh", "whsh fast whoosh"),  # the name says it already: nothing added
        ("Magnum_Mag_Insert", "magnum mag insert"),  # a word of its own (a magazine) is not expanded
        ("expl expl", "expl explosion expl"),
        # UCS's own subcategory halves, in names that follow it only in part (a review's library)
        ("FOOTConc_Heels Walk", "foot conc concrete heels walk"),
        ("MNSTRGrowl_Big", "mnstr monster growl big"),
        ("concert_hall", "concert hall"),  # a word of its own: not "conc" + "ert"
    ],
)
def test_a_sound_library_abbreviation_is_read_with_its_word(text, expected):
    assert " ".join(with_abbreviations(words(text))) == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        ("foley_dbljump-01.wav", "foley dbl double jump 01"),  # wordninja alone: "d bl jump"
        ("DBL_Jump.wav", "dbl double jump"),
        ("whshbig.wav", "whsh whoosh big"),
        ("explobig.wav", "explo explosion big"),  # the longest abbreviation: not "expl" + "obig"
        ("ambush.wav", "ambush"),  # a word of its own, not "amb" + "ush"
        ("battle_mg1.wav", "battle mg machine gun 1"),  # netpanzer's machine gun: FIRE first before
    ],
)
def test_an_abbreviation_run_into_a_word_is_read_as_both(name, expected):
    assert " ".join(with_abbreviations(name_words(name))) == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        ("blub.wav", "blub bubble"),  # marsshooter's and funnyboat's bubbles: CARTOON and AMBIENCE first before
        ("whiff.wav", "whiff whoosh"),  # pygame's and bambam's swing through the air (review 19, M3)
        ("blubPop.wav", "blub bubble pop"),
        ("wroum.wav", "wroum engine"),  # opencity's car
        ("clic_02.wav", "clic click 02"),
        ("kikeriki.ogg", "kikeriki rooster"),  # a listed word is whole: wordninja cut it into "kike riki"
        ("Cat_Meow.wav", "cat meow"),  # an English sound word the text tower knows is left as it is
        ("swish.wav", "swish whoosh"),  # the kin of "whoosh", which MiniLM reads as "who" + "osh"
        ("swing_then_hit_2.ogg", "swing whoosh then hit 2"),  # freedroidrpg's sword: UCS lists it under SWISH
    ],
)
def test_a_sound_word_is_read_with_the_word_it_stands_for(name, expected):
    assert " ".join(with_abbreviations(name_words(name))) == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        ("ralarm.wav", "ralarm alarm"),  # tecnoballz's alarm: wordninja's "r alarm" had a part too short
        ("hevidle.wav", "hevidle idle"),  # netpanzer's heavy vehicle idling: "he v idle"
        ("wscream.wav", "wscream scream"),  # freedink
        ("banger.wav", "banger"),  # a word of its own (UCS's), not "b anger"
        ("ballRespawn.wav", "ball respawn"),  # a prefix that is a word ("re") makes a word of its own
        ("influencer.wav", "influencer"),  # a piece after the word is no prefix: not "influence r"
        ("move_movout.wav", "move movout"),  # "m ov out": a word under four letters is a guess
        ("maille.wav", "maille"),  # wordninja reads "mail le": no word after a prefix
    ],
)
def test_a_word_behind_a_short_prefix_is_found_beside_the_name_as_written(name, expected):
    assert " ".join(name_words(name)) == expected


def test_a_name_hiding_a_word_behind_a_prefix_is_asked_for_as_typed_and_the_word():
    # the index holds "ralarm alarm" for ralarm.wav: typed, the name finds it before alarm.wav
    assert keyword_query_words("ralarm") == ["ralarm", "alarm"]


def test_a_loop_says_how_a_file_was_cut_not_what_it_sounds_like():
    assert describing(words("open_fire_loop")) == ["open", "fire"]
    assert words("open_fire_loop") == ["open", "fire", "loop"]  # keyword search still finds "loop"


def test_every_listed_abbreviation_run_into_a_sound_word_is_split_off():
    for abbreviation in abbreviations():
        for sound in ("jump", "click", "impact"):
            if abbreviation + sound not in known_words():
                assert words(abbreviation + sound) == [abbreviation, sound], abbreviation + sound


def test_a_weapons_report_is_asked_for_by_each_of_its_words():
    # "wp_gun_fire.wav" and "Pistol_Shot.wav" are the same sound named two ways
    assert keyword_query_words("gun shot") == ["gun", "shot", "gunshot", "gunshot", "shoot", "fire", "gunfire"]
    assert set(keyword_query_words("rifle firing")) >= {"shot", "shoot", "fire"}
    assert set(keyword_query_words("gunfire")) >= {"shot", "shoot"}
    # without a weapon "fire" is flames, and a weapon alone is not its report
    assert keyword_query_words("fire crackling") == ["fire", "crackling"]
    assert keyword_query_words("laser gun") == ["laser", "gun"]


def test_a_query_is_judged_held_word_by_word_as_typed():
    asked = asked_words("AMBForst machine gun on gravel", ignored={"on"})
    assert list(asked.lookups) == ["AMBForst", "machine", "gun", "gravel"]  # a CatID whole, no stop word
    assert asked.modifiers == {"machine": "gun"}  # a machine gun's "machine" is held beside its "gun"
    assert asked_words("washing machine").modifiers == {"washing": "machine"}
    assert asked_words("machine").modifiers == asked_words("gun machine").modifiers == {}
    assert asked_words("pick up health").joined == (("pick", "up"),)  # held by "pickup"
    # a weapon's report is held by any word it is named by, as the keyword query asks for each
    assert set(asked_words("rifle shot").lookups["shot"].split()) == {"shot", "shoot", "fire", "gunshot", "gunfire"}
    assert asked_words("fire crackling").lookups["fire"] == "fire"


def test_every_listed_abbreviation_is_one_word_to_the_tokeniser_and_no_title():
    listed = abbreviations()
    assert len(listed) > 40 and all(listed.values())
    for abbreviation, meaning in listed.items():
        assert words(abbreviation) == [abbreviation]
        assert not is_title(abbreviation), abbreviation  # kept in folder names, not dropped as a game's name
        assert all(words(w) == [w] for w in meaning), abbreviation


def test_each_listed_word_is_listed_once():
    """A word listed twice keeps only its last line; a slip once turned "fwoosh whoosh" into "fswish
    whoosh" and listed swoosh and woosh twice."""
    import engine.words

    lists = (engine.words.ABBREVIATIONS, engine.words.SOUND_WORDS, engine.words.COMPOUNDS)
    for path in lists:
        entries = [fields[0] for fields in engine.words._listed(path)]
        assert len(entries) == len(set(entries)), path.name
    assert len(abbreviations()) == sum(len(engine.words._listed(path)) for path in lists[:2])  # none in both


def test_false_friends_share_the_index_stem_and_a_query_of_both_keeps_both():
    """A listed pair the stemmer already keeps apart would be a line that does nothing."""
    from engine.words import _false_friend_lines, english_stemmer, false_friends

    for one, other in _false_friend_lines():
        assert len({english_stemmer().stemWord(w) for w in one + other}) == 1, one
    (friends,) = false_friends(["engines", "idle"])
    assert (friends.others, friends.rest) == (("engineer", "engineers", "engineering"), ("idle",))
    assert false_friends(["engine", "engineer"]) == [] and false_friends(["door"]) == []


def test_the_word_lists_fingerprint_follows_the_lists(tmp_path, monkeypatch):
    import engine.words

    before = engine.words.word_lists_fingerprint()
    edited = tmp_path / "abbreviations.txt"
    edited.write_text(engine.words.ABBREVIATIONS.read_text(encoding="utf-8") + "sg shotgun\n", encoding="utf-8")
    monkeypatch.setattr(engine.words, "ABBREVIATIONS", edited)
    engine.words.word_lists_fingerprint.cache_clear()
    try:
        assert engine.words.word_lists_fingerprint() != before  # an index re-reads its names on open
        derived = tmp_path / "derivations.txt"
        derived.write_text(engine.words.DERIVATIONS.read_text(encoding="utf-8") + "rumble rumbly\n", encoding="utf-8")
        edited_before = engine.words.word_lists_fingerprint()
        monkeypatch.setattr(engine.words, "DERIVATIONS", derived)
        engine.words.word_lists_fingerprint.cache_clear()
        assert engine.words.word_lists_fingerprint() != edited_before  # the index holds each form's head
        split = tmp_path / "function-words.txt"
        split.write_text(engine.words.FUNCTION_WORDS.read_text(encoding="utf-8") + "whom\n", encoding="utf-8")
        edited_before = engine.words.word_lists_fingerprint()
        monkeypatch.setattr(engine.words, "FUNCTION_WORDS", split)
        engine.words.word_lists_fingerprint.cache_clear()
        assert engine.words.word_lists_fingerprint() != edited_before  # they decide how a name is split
    finally:
        engine.words.word_lists_fingerprint.cache_clear()


def test_the_forms_of_one_idea_the_stemmer_keeps_apart_are_read_with_its_head():
    """Snowball stems "explosion" to explos and "explode" to explod, so keyword search did not see
    shipExplode.wav as an explosion: the name holds the idea's head after the form, and a query
    that types a form asks for the head too, so the two are one word to BM25."""
    assert with_abbreviations(words("shipExplode")) == ["ship", "explode", "explosion"]
    assert with_abbreviations(words("corpse_exploding_02")) == ["corpse", "exploding", "explosion", "02"]
    assert with_abbreviations(words("creaky_door_creak")) == ["creaky", "door", "creak"]  # said already
    assert with_abbreviations(words("EXPL_Explode")) == ["expl", "explosion", "explode"]  # once
    assert keyword_query_words("explosion") == ["explosion"]  # the head finds every form held with it
    assert keyword_query_words("exploding barrel") == ["exploding", "barrel", "explosion"]
    assert keyword_query_words("creaky door") == ["creaky", "door", "creak"]
    assert with_abbreviations(words("goblin_die")) == ["goblin", "die", "death"]  # found by "death cry"
    assert idea_head("collide") == "collision" and idea_head("collision") is None and idea_head("door") is None


def test_every_listed_derivation_is_a_form_the_stemmer_keeps_apart_from_its_head():
    import Stemmer

    stem = Stemmer.Stemmer("english").stemWord
    listed = derivations()
    assert {"explod": "explosion", "collid": "collision", "creaki": "creak"}.items() <= listed.items()
    for form_stem, head in listed.items():
        assert words(head) == [head] and form_stem != stem(head), head  # alike stems need no line
        assert idea_head(head) is None, head  # a head is no other idea's form


def test_ambience_and_the_forms_a_description_writes_it_in_are_one_idea():
    """Review 9, M1: Snowball keeps "ambient" (ambient), "ambiance" (ambianc) and "ambience"
    (ambienc) apart, so "ambience" did not find a file described "Ambient"."""
    assert with_abbreviations(words("ambient_wind")) == ["ambient", "ambience", "wind"]
    assert with_abbreviations(words("AmbianceCity")) == ["ambiance", "ambience", "city"]
    assert keyword_query_words("ambient") == ["ambient", "ambience"]
    assert keyword_query_words("ambiences") == ["ambiences"]  # stemmed as the head is: its files hold the head


@pytest.mark.parametrize(
    "name, read",
    [
        (["sp", "impact", "light"], ["sp", "impact", "lightweight"]),
        (["footsteps", "light"], ["footsteps", "lightweight"]),
        (["light", "switch"], ["light", "switch"]),  # MECHANICAL-SWITCH lists "light"
        (["light", "beam"], ["light", "beam"]),  # LASERS-BEAM
        (["light", "tank"], ["light", "tank"]),  # GUNS-ARTILLERY: a light tank's gun
        (["lights"], ["lights"]),
    ],
)
def test_a_weight_word_is_read_in_the_sense_the_name_means_it(name, read):
    """Review 12, H3: MiniLM reads "light" as a lamp's, and ``sp-impact_light`` was tagged
    LASERS-IMPACT; beside a word the UCS list gives its other senses with, it keeps them."""
    assert in_meant_sense(name) == read


@pytest.mark.parametrize(
    "name,expected",
    [
        # review 17: berusky2's footsteps on snow and on sand were "steps now" and "steps and"
        ("stepsnow2", "step snow 2"),
        ("stepsand", "step sand"),
        ("stepswood", "steps wood"),  # no function word: as wordninja reads it
        # a function word between two words is a sentence run together, and one beside no sound
        # word no reading to replace ("form ant" is no better a "formant" than "for mant")
        ("carsandtrucks", "cars and trucks"),
        ("rainonroof", "rain on roof"),
        ("formant", "for mant"),
        ("thedoor", "the door"),  # no split into sound words
        ("gameover", "game over"),  # a particle is no function word
    ],
)
def test_a_run_together_name_is_read_as_sound_words_before_a_function_word(name, expected):
    assert " ".join(words(name)) == expected


def test_a_particle_is_held_only_beside_the_word_it_finishes():
    """Review 17: "power up pickup" listed pull-up.wav, up.wav and 60 "Gminor_UP" strums as holding
    a third of it. A particle typed after a word, last or in a listed compound, is held beside that
    word; a power alone is no power-up either (resources/search/two-word-compounds.txt)."""
    assert asked_words("power up pickup").modifiers == {"power": "up", "up": "power"}
    assert asked_words("scroll up").modifiers == {"up": "scroll"}
    assert asked_words("power ups").modifiers == {"power": "ups", "ups": "power"}  # as the index stems them
    assert asked_words("car doors").modifiers == {"car": "doors"}
    assert asked_words("up arrow").modifiers == asked_words("up down").modifiers == {}  # nothing to finish
    assert asked_words("walking up stairs").modifiers == {}  # stairs_up.wav: the stairs' "up"
    assert asked_words("fade in and out", ignored={"in", "and"}).modifiers == {}  # "and" is held by no file
    # typed run together, the term is read as its words, its particle held as when typed apart
    assert list(asked_words("powerup").lookups) == ["power", "up"]
    assert asked_words("powerup").modifiers == {"power": "up", "up": "power"}
    assert list(asked_words("gameover netpanzer").lookups) == ["gameover", "netpanzer"]


def test_a_term_of_game_audio_asks_for_the_words_libraries_name_it_by():
    """Review 17: no file named for "power up pickup" held its words; njam's and noiz2sa's
    bonus.wav are power-ups. The kin are asked once and every other word twice, so a file named
    by the term comes first (resources/search/kin.txt)."""
    for typed in ("power up", "power-up", "powerup", "Power Ups"):
        asked = keyword_query_words(typed)
        assert {"bonus", "upgrade", "pickup", "collect"} <= set(asked), typed
        assert asked.count("power") == 2 and asked.count("bonus") == 1, typed
    assert keyword_query_words("power up pickup") == [*["power", "up", "pickup"] * 2, "bonus", "upgrade", "collect"]
    assert keyword_query_words("pickups")[-2:] == ["bonus", "collect"]
    assert keyword_query_words("pick up")[-2:] == ["bonus", "collect"]  # "pickup" run together
    assert keyword_query_words("power station") == ["power", "station"]
    assert keyword_query_words("level up") == ["level", "up"]
    # each word of the term is held by a file holding a kin
    lookups = asked_words("power up pickup").lookups
    assert lookups["power"] == "power bonus upgrade pickup collect"
    assert lookups["up"] == "up bonus upgrade pickup collect"
    assert lookups["pickup"] == "pickup bonus collect"


def test_each_kin_is_one_word_the_index_holds_whole():
    """A kin the tokeniser splits ("powerup": power up) would ask for its particle alone."""
    from engine.words import _kin_terms

    for term, kin in _kin_terms().items():
        assert kin and all(words(word) == [word] for word in kin), term
