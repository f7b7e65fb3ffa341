"""Voice lines in a folder per language follow the sound their words name (review 16, H1), on a
real LanceDB, keywords only (no model: the names' words alone order the hits)."""

from __future__ import annotations

from engine.search import Searcher
from engine.search.localized import is_language_folder, language_names, localized_folders
from tests.engine.index.index_factories import record

# the piano itself, its name longer, so BM25 weighs its "piano" below a voice line's
SOUND = "noises/piano_grand_chord_01.wav"
FILLER = [f"noises/{word}_{i}.wav" for i, word in enumerate(["rain", "wind", "engine", "door", "click"] * 4)]


def names(hits) -> list[str]:
    return [h.path.split("/sfx/", 1)[1] for h in hits]


def voice_lines(*languages: str) -> list[str]:
    return [f"abcs/{language}/sounds/words/piano.ogg" for language in languages]


def test_language_folders_are_codes_with_or_without_a_region():
    assert all(is_language_folder(name) for name in ("de", "FR", "en_gb", "pt-BR", "zh_Hans", "en_US"))
    assert not any(is_language_folder(name) for name in ("all", "noises", "xx", "english", "eng", "de_", "sfx"))


def test_only_a_parent_of_three_language_folders_localizes_them():
    folders = ["/l/abcs/de", "/l/abcs/en_gb", "/l/abcs/fr", "/l/abcs/all", "/l/impacts/hi", "/l/impacts/lo"]
    folders += ["/l/impacts/mid", "/l/game/it", "/l/game/sfx"]
    assert localized_folders(folders) == ["/l/abcs/de", "/l/abcs/en_gb", "/l/abcs/fr"]


def test_a_word_spoken_in_several_languages_follows_the_sound_it_names(store):
    store.upsert_files([record(p) for p in [SOUND, *voice_lines("de", "en_gb", "fr"), *FILLER]])
    searcher = Searcher(store, None)
    found = names(searcher.search("piano"))
    assert found[0] == SOUND and set(found[1:4]) == set(voice_lines("de", "en_gb", "fr"))
    # asked for what is said, the spoken words keep the place their words earn
    assert names(searcher.search("piano spoken"))[3] == SOUND
    assert names(searcher.search("piano word"))[3] == SOUND


def test_two_language_folders_are_no_localization_and_a_third_is_seen_once_added(store):
    store.upsert_files([record(p) for p in [*voice_lines("de", "en"), *FILLER]])
    searcher = Searcher(store, None)
    assert set(names(searcher.search("piano"))) == set(voice_lines("de", "en"))
    store.upsert_files([record(SOUND)])
    assert names(searcher.search("piano"))[2] == SOUND  # "de" and "en" alone: any two folders
    store.upsert_files([record(p) for p in voice_lines("ru")])  # a third language: seen once it is added
    found = names(searcher.search("piano"))
    assert found[0] == SOUND and set(found[1:]) == set(voice_lines("de", "en", "ru"))


def test_a_folder_named_by_a_language_code_is_found_by_the_language(store):
    """Review 19, M5: kajongg's German voice lines sit in voices/de/, its English ones in voices/;
    "german female voice" said no file says "german" and listed both alike."""
    english = [f"kajongg/voices/female2/{tile}.ogg" for tile in ("b1", "ww", "s3")]
    german = [f"kajongg/voices/de/female2/{tile}.ogg" for tile in ("b1", "ww", "s3")]
    store.upsert_files([record(p) for p in [*english, *german, *FILLER]])
    searcher = Searcher(store, None)
    assert set(names(searcher.search("german female voice"))[:3]) == set(german)
    assert set(names(searcher.search("german"))) == set(german)
    assert language_names(["sounds", "de", "pt-BR", "it", "hi", "DE"]) == ["german", "portuguese"]
