"""The folded search text and the whole-word patterns read from it."""
from __future__ import annotations

from engine.index.text import name_words, phrase_pattern, search_text, tokens


def test_search_text_folds_name_metadata_tags_and_caption():
    text = search_text("/lib/DOOR_WoodCreak-Slow 01.wav", "Recorded: Zoom H6; 'old barn'", ["Foley", "UCS"],
                       "A door creaks.")
    assert text == " door wood creak slow 01 recorded zoom h6 old barn foley ucs a door creaks "


def test_name_words_drop_the_extension_and_split_camel_case():
    assert name_words("/x/y/GlassBreak_Big.final.flac") == "Glass Break_Big.final"


def test_tokens_keep_letters_of_any_script_and_digits():
    assert tokens("Café_Tür-3 ÉCLAT") == ["café", "tür", "3", "éclat"]


def test_phrase_pattern_matches_whole_words_only():
    pattern = phrase_pattern('Door  "Creak"')
    assert pattern == "% door creak %"
    assert phrase_pattern(" -- ") is None
