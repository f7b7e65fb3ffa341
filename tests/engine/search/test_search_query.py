"""Parsing the Soundminer-style syntax (its effect on results is in test_searcher)."""

from __future__ import annotations

from engine.search.query import LONGER, SHORTER, Term, length_fit, parse_query


def test_plain_words_are_one_alternative():
    parsed = parse_query("  wooden door   creak ")
    assert [alt.text for alt in parsed.alternatives] == ["wooden door creak"]
    assert parsed.excludes == () and not parsed.is_empty


def test_quoted_phrases_keep_their_words_together():
    [alt] = parse_query('slow "door  creak" heavy').alternatives
    assert alt.terms == (Term("slow"), Term("door creak", phrase=True), Term("heavy"))
    assert alt.phrases == ("door creak",)
    assert alt.text == "slow door creak heavy"  # what the model embeds: operators removed


def test_excludes_words_and_phrases():
    parsed = parse_query('door -metal -"car door" hi-hat')
    assert parsed.excludes == ("metal", "car door")
    assert parsed.alternatives[0].text == "door hi-hat"  # an inner hyphen is part of the word


def test_or_splits_alternatives_and_only_in_upper_case():
    parsed = parse_query('dog bark OR "cat meow" OR bird -wind')
    assert [alt.text for alt in parsed.alternatives] == ["dog bark", "cat meow", "bird"]
    assert parsed.excludes == ("wind",)
    assert [alt.text for alt in parse_query("dog or cat").alternatives] == ["dog or cat"]


def test_sloppy_input_never_fails():
    assert [alt.text for alt in parse_query("OR dog OR OR cat OR").alternatives] == ["dog", "cat"]
    assert parse_query('door "creak slow').alternatives[0].phrases == ("creak slow",)  # closes at the end
    assert parse_query('- "" -"" OR').is_empty
    assert parse_query("-metal").is_empty and parse_query("-metal").excludes == ("metal",)
    assert parse_query("").is_empty


def test_a_length_typed_among_the_words_is_read_and_stays_a_word():
    parsed = parse_query("big explosion LONG")
    assert parsed.length == LONGER and parsed.alternatives[0].text == "big explosion LONG"
    assert parse_query("short beep OR brief blip").length == SHORTER
    for no_length in ("door creak slow", "quick footsteps", '"long" whoosh', "long or short", "longsword"):
        assert parse_query(no_length).length is None, no_length


def test_a_length_fits_the_sounds_of_it_more_the_further_they_go():
    durations = [None, 0.3, 1.0, 2.0, 3.0, 5.0, 30.0]
    longer = [length_fit(d, LONGER) for d in durations]
    assert longer[:3] == [0.0, 0.0, 0.0] and longer[-2:] == [1.0, 1.0]
    assert longer[2] < longer[3] < longer[4] < longer[5]
    shorter = [length_fit(d, SHORTER) for d in durations]
    assert shorter[0] == 0.0  # a duration never read fits no length
    assert shorter[1:] == [1.0 - fit for fit in longer[1:]]


def test_the_words_before_a_qualifier_name_the_sound():
    """Review 9, M2: in "footsteps on gravel" the footsteps are the sound and the gravel is where."""

    def head(text: str) -> str | None:
        return parse_query(text).alternatives[0].head

    assert head("footsteps on gravel") == "footsteps"
    assert head("heavy rain on a tin roof") == "heavy rain"
    assert head("Knock AT door") == "Knock"  # any case
    assert head('"glass shatter" on concrete') == "glass shatter"  # a phrase before it names the sound too
    assert head("footsteps") is None and head("sound of rain") is None  # "of": the rain is the sound
    assert head("fade in") is None and head("in the rain") is None  # nothing after it, or before it
    assert head('"rain on roof"') is None  # a quoted phrase is words as written
    assert [alt.head for alt in parse_query("rain on roof OR thunder").alternatives] == ["rain", None]
