"""The keyword fields and the whole-word patterns read from them."""

from __future__ import annotations

from engine.index.text import file_text, folder_words, meaning_parts, phrase_texts, shelf_words
from tests.engine.index.index_factories import record


def test_fields_hold_name_and_tags_folder_and_description_words_apart():
    text = file_text(
        "/lib/Doors/Old Barn/DOOR_WoodCreak-Slow 01.wav",
        "/lib",
        "Recorded: Zoom H6; 'old barn'",
        ["Foley", "UCS"],
        "A door creaks.",
    )
    assert (text.name, text.folder) == (
        "door wood creak slow 01 foley ucs",
        "doors old barn",
    )  # tags: what it is called
    assert text.info == "recorded zoom h 6 old barn a door creaks"
    assert text.columns["search_text"] == f" {text.name} {text.folder} {text.info} "


def test_meaning_reads_the_tags_apart_from_the_name():
    """Keyword search weighs tags as the name; what the names mean keeps them a text of their own."""
    text = file_text("/lib/Door_Creak.wav", "/lib", "Recorded at night", ["Wood, Slow"], "A door.")
    assert text.name == "door creak wood slow"
    assert meaning_parts(text.name, text.info, ["Wood, Slow"]) == ("door creak", "recorded at night a door wood slow")
    assert meaning_parts("door creak", "", []) == ("door creak", "")


def test_a_names_meaning_is_read_with_its_folders_words():
    """Review 12, H1: neverball's ``bgm/track6.ogg`` meant "track" alone, which MiniLM puts near
    "footsteps" (0.475); in its folder it is a bgm track. The folder's words follow a name that
    says one thing or nothing, once each; a name of two words says what it is on its own, and a
    file of the library folder itself has no folder to read."""
    path = "/lib/neverball/usr/share/games/neverball/bgm/track6.ogg"
    assert shelf_words(path, "/lib") == ["bgm"]
    assert meaning_parts("track 6", "", [], shelf_words(path, "/lib")) == ("track 6 bgm", "")
    assert meaning_parts("take 17", "", [], ["rain", "rain"]) == ("take 17 rain", "")
    assert meaning_parts("door creak", "", [], ["doors"]) == ("door creak", "")
    assert shelf_words("/lib/track6.ogg", "/lib") == []


def test_a_names_meaning_reads_a_weight_word_as_its_weight():
    """ "light" beside "impact" is how heavy the impact is (engine.words.in_meant_sense); the
    keyword columns keep it as written, so "light impact" still finds the file by name."""
    text = file_text("/lib/share/sp-impact_light_01.ogg", "/lib", "", [], "")
    assert text.name == "sp impact light 01"
    assert meaning_parts(text.name, text.info, []) == ("sp impact lightweight 01", "")
    assert meaning_parts("light switch", "", []) == ("light switch", "")


def test_a_description_and_a_tag_are_read_for_what_they_mean_as_a_name_is():
    """Review 9, M1: "Ambient · Waves and seagulls" was held as written, so "ambience" missed it
    where it found ``ambient_wind.wav`` (a name's derived forms are held with their head)."""
    tags = ["amb", "Exploding"]
    text = file_text("/lib/warehouse.ogg", "/lib", "Ambient · Waves and seagulls", tags, "")
    assert text.info == "ambient ambience waves and seagulls gulls"  # a compound with its head, too
    assert text.name == "warehouse amb ambience exploding explosion"
    assert meaning_parts(text.name, text.info, tags) == (
        "warehouse",
        "ambient ambience waves and seagulls amb ambience exploding explosion",  # the head is the keywords' only
    )


def test_folder_words_start_below_the_library_folder():
    assert folder_words("/media/SFX Drive/Weapons/GunShots/shot.wav", "/media/SFX Drive") == ["weapons", "gun", "shots"]
    # a title written with capitals is one word, as one written in one case is ("netpanzer"):
    # OpenSFX's sounds matched "open" (review 13)
    assert folder_words("/lib/OpenSFX/71 Monorail.wav", "/lib") == ["opensfx"]
    assert folder_words("/lib/SevenKingdoms/Units/a.wav", "/lib") == ["seven", "kingdoms", "units"]  # no sign
    assert folder_words("/lib/Doors_OpenSFX Wood/a.wav", "/lib") == ["doors", "opensfx", "wood"]
    assert folder_words("/media/SFX Drive/shot.wav", "/media/SFX Drive") == []
    assert folder_words("/elsewhere/Impacts/hit.wav", "/media/SFX Drive") == []  # not under it: no guess


def test_a_folder_word_written_as_one_stays_one_word_where_a_name_splits():
    # "netpanzer" and "opencity" are games, not a net and a city: split, every sound of the game
    # matched "open" and "net"; the title itself is still a word to search by
    text = file_text("/lib/opencity-data/sounds/netpanzer/gameover.wav", "/lib", "", [], "")
    assert text.folder == "opencity data sounds netpanzer"
    assert text.name == "game over"
    assert folder_words("/lib/Weapons/GunShots/shot.wav", "/lib") == ["weapons", "gun", "shots"]  # capitals still split
    assert folder_words("/lib/..Misc/Doors/a.wav", "/lib") == ["misc", "doors"]  # a name, not the folder above
    assert folder_words("/other/Doors/a.wav", "/lib") == folder_words("/lib/a.wav", "/lib") == []


def test_a_phrase_is_read_each_way_the_index_writes_words():
    assert phrase_texts('Door  "Creak"') == ["door creak"]
    assert phrase_texts("DoorCreak03") == ["door creak 03"]  # capitals and digits split as names and folders do
    assert phrase_texts("netpanzer shot") == ["net panzer shot", "netpanzer shot"]  # a name's split, a folder's whole
    assert phrase_texts("expl big") == ["expl big", "expl explosion big"]  # as written, and as the index expands it
    assert phrase_texts(" -- ") == []


def test_a_listed_compound_is_held_with_its_head():
    """Review 16, M5: "door" found no ``bambam/trapdoor.wav``, a word of its own to the tokeniser."""
    assert file_text("/lib/bambam/trapdoor.wav", "/lib", "", ["Doorbell"], "A thunderstorm").columns == {
        "name_text": "trapdoor door doorbell bell",
        "folder_text": "bambam",
        "info_text": "a thunderstorm storm",
        "search_text": " trapdoor door doorbell bell bambam a thunderstorm storm ",
    }
    assert file_text("/lib/footsteps_steps.wav", "/lib", "", [], "").name == "footsteps steps"  # said already
    # not where a search for the head alone means another sound: a ship is a boat, fire flames
    assert file_text("/lib/Spaceship/gunfire.wav", "/lib", "", [], "").columns["search_text"] == " gunfire spaceship "
    assert phrase_texts("trapdoor creak") == ["trapdoor creak", "trapdoor door creak"]
    # what the names mean reads them as written: the text tower knows a trapdoor, and the head only
    # moved the vectors (a waves-and-seagulls ambience up the list of "birds")
    text = file_text("/lib/bambam/trapdoor.wav", "/lib", "Seagulls", ["Doorbell"], "")
    assert meaning_parts(text.name, text.info, ["Doorbell"], ["bambam"]) == ("trapdoor bambam", "seagulls doorbell")


def test_a_search_for_a_compounds_head_finds_the_compound(store):
    store.upsert_files([record(name) for name in ("trapdoor_creak.wav", "spaceship_hum.wav", "rain.wav")])

    def named(ids) -> list[str]:
        return [f.name for f in store.get_files(ids).values()]

    assert named(store.full_text("door", None, 10)[0]) == ["trapdoor_creak.wav"]
    assert named(store.full_text("ship", None, 10)[0]) == []
    # a phrase across the compound, as written or by its head
    assert named(store.files_with_phrase("trapdoor creak")) == named(store.files_with_phrase("door creak"))
    assert named(store.files_with_phrase("door creak")) == ["trapdoor_creak.wav"]
