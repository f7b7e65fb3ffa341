"""Word overlap, the calibrated softmax, its fitting and the reliability table, on hand-made evidence."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.audio.metadata import described
from engine.index.records import FileRecord
from engine.tagging.calibration import (
    DEFAULT,
    Calibration,
    Weights,
    fit_weights,
    load_calibration,
    reliability,
    save_calibration,
    softmax,
)
from engine.tagging.evidence import SPOKEN_WORDS, Evidence, VoiceTerms, file_words
from engine.tagging.lexicon import Lexicon
from engine.tagging.vocabulary import shipped_ucs
from engine.words import words


@pytest.fixture(scope="module")
def ucs():
    vocabulary = shipped_ucs()
    return vocabulary, Lexicon(vocabulary.terms)


@pytest.mark.parametrize(
    "name, expected, category",
    [
        ("Door_Wood_Creak_03", "DOORWood", "DOORS"),
        ("glass smash", "GLASBrk", "GLASS"),
        ("FootstepsGravel", "FEETHmn", "FOOTSTEPS"),
        ("dog barking", "ANMLDog", "ANIMALS"),
        ("heavy rain on tin roof", "RAINMetl", "RAIN"),
    ],
)
def test_word_overlap_ranks_the_named_term_near_the_top(ucs, name, expected, category):
    vocabulary, lexicon = ucs
    scores = lexicon.scores(words(name))
    top = [vocabulary.terms[i] for i in np.argsort(-scores)[:5]]
    assert expected in [t.key for t in top] and top[0].category == category, top
    assert lexicon.knows(words(name))


def test_names_that_say_nothing_have_no_words(ucs):
    _, lexicon = ucs
    for name in ("Take_017", "sfx_001 final mix", "audio 44k stereo"):
        assert not lexicon.knows(words(name)) and not lexicon.scores(words(name)).any()


def test_file_words_keep_what_the_file_sounds_like_not_how_it_was_kept():
    """The text tower reads these words: "sound effects processed by" pulled names towards
    DESIGNED, so the words of how a file was made or kept go, as in the word overlap."""
    record = FileRecord(
        path="/lib/Sounds/SFX/Door_Creak_Take2_final.wav",
        folder="/lib",
        metadata_text="Sound effect of an old door 2019",
        tags=["wood"],
    )
    # name, folders below the library (both "Sounds" and "SFX" say nothing), metadata, tags
    assert file_words(record) == ["door", "creak", "effect", "of", "an", "door", "wood"]


def test_a_folder_named_by_a_word_no_dictionary_knows_is_a_title_and_says_nothing(ucs):
    """A game's folder ("mirrormagic") is left out of the words tagging reads, not split into
    "mirror magic", which named a whole game's sounds MAGIC-SPELL. A file's own run-together
    name still splits ("doorcreak"), and folders named in words, or in the UCS list's own
    sound words ("Bodyfall"), are read as they are written."""
    _, lexicon = ucs
    game = FileRecord(path="/lib/mirrormagic/snd/lachen.wav", folder="/lib")
    assert file_words(game) == ["lachen"] and not lexicon.knows(file_words(game))
    shelf = FileRecord(path="/lib/Magic Spells/doorcreak.wav", folder="/lib")
    assert file_words(shelf) == ["door", "creak", "magic", "spells"]
    vendor = FileRecord(path="/lib/Soundmorph/Bodyfall/hit_03.wav", folder="/lib")
    assert file_words(vendor) == ["hit", "bodyfall"]


def test_a_pack_named_with_capitals_and_sfx_is_a_title_and_says_nothing():
    """A pack's name written as one word with capitals and "SFX" is a title as "mirrormagic" is:
    OpenSFX's "open" made its sounds AIRCRAFT to the words classifier (review 13). A shelf named
    with capitals ("GunShots") is read as its words, and a folder's other words stay."""
    monorail = FileRecord(path="/lib/OpenSFX/71 Monorail train station departure.wav", folder="/lib")
    assert file_words(monorail) == ["monorail", "train", "station", "departure"]
    shelf = FileRecord(path="/lib/Weapons/GunShots/rifle_03.wav", folder="/lib")
    assert file_words(shelf) == ["rifle", "weapons", "gun", "shots"]
    beside = FileRecord(path="/lib/Doors_OpenSFX Wood/creak.wav", folder="/lib")
    assert file_words(beside) == ["creak", "doors", "wood"]


def test_a_sound_library_abbreviation_is_read_as_the_word_it_stands_for(ucs):
    """``EXPL_03`` alone names no UCS term; read as "expl explosion" it names EXPLOSIONS, as an
    ``AMB`` folder names AMBIENCE (netpanzer's ``expl_1``: CREATURES first before)."""
    vocabulary, lexicon = ucs
    record = FileRecord(path="/lib/AMB/EXPL_03.wav", folder="/lib")
    assert file_words(record) == ["expl", "explosion", "amb", "ambience"]
    assert not lexicon.knows(["expl", "amb"])
    name_only = file_words(FileRecord(path="/lib/EXPL_03.wav", folder="/lib"))
    assert vocabulary.terms[int(np.argmax(lexicon.scores(name_only)))].category == "EXPLOSIONS"


def test_a_sound_word_names_what_it_stands_for(ucs):
    """ "blub" is a UCS synonym the word overlap reads, but the text tower (MiniLM) reads nothing
    in it, and marsshooter's toon/blub*.wav went to CARTOON: the file's words now say "bubble"."""
    vocabulary, lexicon = ucs
    blub = file_words(FileRecord(path="/lib/toon/blub.wav", folder="/lib"))
    assert blub == ["blub", "bubble", "toon"]
    best = vocabulary.terms[int(np.argmax(lexicon.scores(blub)))]
    assert (best.category, best.subcategory) == ("WATER", "BUBBLES")


def test_metadata_says_what_it_sounds_like_not_where_it_came_from():
    record = FileRecord(
        path="/lib/casket.wav",
        folder="/lib",
        metadata_text="Creaky Casket\nqubodup@gmail.com\nMix of CC0 sounds https://freesound.org/people/x/sounds/1/\n"
        "License: CC-BY-SA 3.0, GPLv2+\nPublic Domain/WTFPL\nProcessed by SoX",
    )
    assert file_words(record) == ["casket", "creaky", "casket", "of"]  # "mix" and "sounds" are NON_WORDS


@pytest.mark.parametrize(
    ("stamp", "marks"),
    [
        ("Edited with Audacity", {"audacity"}),
        ("Encoded by LAME 3.99", {"lame"}),
        ("Copyright (c) 2004 Bart", {"copyright", "c"}),
        ("Made with Linux MultiMedia Studio", {"linux", "multi", "media", "studio"}),
    ],
)
def test_tagging_reads_no_stamp_the_description_leaves_out(stamp, marks):
    """One rule list says what metadata tells of a file's making (engine.audio.metadata.PROVENANCE):
    the words of a tool's stamp or a copyright the Description hides name no category to tagging
    ("studio", "lame")."""
    assert described(stamp, "kettle.wav") == ""
    found = file_words(FileRecord(path="/lib/kettle.wav", folder="/lib", metadata_text=f"Kettle boiling\n{stamp}"))
    assert found[:3] == ["kettle", "kettle", "boiling"] and not marks & set(found)


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("the_lab_s_been_destroyed.wav", True),
        ("WeVeWon_02.wav", True),
        ("VO_you_are_late.wav", True),
        ("door_creak_slow.wav", False),
        ("swing_then_hit_1.ogg", False),
        ("we_02.wav", False),  # two words: no sentence
    ],
)
def test_a_name_that_is_a_sentence_is_read_as_a_spoken_line(name, spoken):
    """Voice lines are named by what they say; read as words, the lab's destruction was DESTRUCTION."""
    found = file_words(FileRecord(path=f"/lib/Game/{name}", folder="/lib"))
    assert (found[-len(SPOKEN_WORDS) :] == SPOKEN_WORDS) is spoken
    assert "game" in found  # the folder's words are still read


def evidence(n: int, right: int, strength: float, rng, exact=None, has_words=True) -> Evidence:
    sound = rng.normal(0, 0.1, n)
    sound[right] += strength
    lexical = np.zeros(n)
    return Evidence(sound, None, lexical, has_words, exact)


def test_exact_catid_is_certain_and_rivals_share_the_mass():
    rng = np.random.default_rng(0)
    e = evidence(10, 3, 0.5, rng, exact=7)
    assert DEFAULT.probabilities(e).tolist() == [0.0] * 7 + [1.0] + [0.0] * 2
    plain = evidence(3, 0, 0.2, rng)
    alone, against = DEFAULT.probabilities(plain), DEFAULT.probabilities(plain, rivals=np.full(50, 2.0))
    assert alone.sum() == pytest.approx(1.0) and against.sum() < 0.5 and np.argmax(against) == 0


def test_a_files_own_words_share_out_the_category_all_its_words_give():
    """The folder's "animals" names ANIMALS-MISC as its own name does, the file's "frog" ANIMALS-
    AMPHIBIAN: with its own words counted apart, the category keeps what all the words give it, to
    the last digit (the sound alone says too), and the own words say which of its terms."""
    categories = np.array([0, 0, 1])  # ANIMALS-MISC, ANIMALS-AMPHIBIAN, BIRDS-FOWL
    own = Evidence(np.array([0.3, 0.2, 0.1]), None, np.array([0.0, 0.8, 0.0]), True, None)
    whole = Evidence(own.sound, None, np.array([0.9, 0.6, 0.0]), True, None, own=own, term_categories=categories)
    shared, before = DEFAULT.probabilities(whole), DEFAULT.probabilities(replace(whole, own=None))
    assert before[0] > before[1] and shared[1] > shared[0]
    assert shared[:2].sum() == pytest.approx(before[:2].sum()) and shared[2] == pytest.approx(before[2])


def test_fitting_recovers_the_temperature_of_data_drawn_from_it():
    """Labels drawn from softmax(12 * sound): the fit finds about 12 from an overconfident (100)
    or underconfident (1) start alike, and its confidences are calibrated where theirs are not."""
    rng = np.random.default_rng(1)
    samples, labels = [], []
    for _ in range(600):
        e = Evidence(rng.normal(0, 0.15, 20), None, np.zeros(20), False, None)
        samples.append(e)
        labels.append([int(rng.choice(20, p=softmax(12.0 * e.sound)))])
    fitted = fit_weights(samples, labels, ("sound",))
    assert fitted.text == 0 and fitted.lexical == 0 and fitted.sound == pytest.approx(12.0, rel=0.25)
    errors = {
        w: reliability(*confidences(Calibration(DEFAULT.with_words, Weights(w, 0, 0)), samples, labels))[1]
        for w in (fitted.sound, 100.0, 1.0)
    }
    assert errors[fitted.sound] < 0.06 and errors[fitted.sound] < min(errors[100.0], errors[1.0])
    rows, _ = reliability(*confidences(Calibration(DEFAULT.with_words, fitted), samples, labels))
    assert sum(r.count for r in rows) == 600 and all(0 <= r.low < r.high <= 1 for r in rows)


def test_fitting_through_the_voice_rule_keeps_the_words_weight_announcements_would_cut():
    """Files labelled by their words (softmax(10 * text)) and announcements whose sound hears a
    voice while their words name another category (a game's "camera.completed"), labelled VOICES.
    Fitted without the rule the text weight falls to make up for the announcements; fitted as
    Calibration.as_spoken scores them it stays near the words' own, and scores them as voices."""
    rng = np.random.default_rng(2)
    terms = 12  # term 0 is VOICES, the rest categories of their own
    categories = np.arange(terms)
    voice = VoiceTerms(voices=categories == 0, vocal=categories == 0)
    samples, labels = [], []
    for _ in range(300):
        e = Evidence(rng.normal(0, 0.05, terms), rng.normal(0, 0.15, terms), np.zeros(terms), True, None)
        e.term_categories = categories
        samples.append(e)
        labels.append([int(rng.choice(terms, p=softmax(10.0 * e.text)))])
    sound_only = Weights(sound=10.0, text=0.0, lexical=0.0)
    for _ in range(80):
        sound, text = rng.normal(0, 0.05, terms), rng.normal(0, 0.05, terms)
        sound[0] += 0.5  # it hears a voice ...
        text[1 + int(rng.integers(terms - 1))] += 0.6  # ... named by what it says
        samples.append(
            Evidence(sound, text, np.zeros(terms), True, None, term_categories=categories, heard_voice=voice)
        )
        labels.append([0])
    plain = fit_weights(samples, labels, ("sound", "text"))
    through = fit_weights(samples, labels, ("sound", "text"), sound_only=sound_only)
    assert through.text > 1.3 * plain.text and through.text == pytest.approx(10.0, rel=0.3), (plain, through)
    spoken = Calibration(through, sound_only)
    assert all(int(np.argmax(spoken.probabilities(e))) == 0 for e in samples[300:])


def confidences(calibration, samples, labels):
    probabilities = [calibration.probabilities(e) for e in samples]
    return [p.max() for p in probabilities], [
        int(np.argmax(p)) == y[0] for p, y in zip(probabilities, labels, strict=True)
    ]


def test_calibrations_are_kept_per_model(tmp_path):
    path = tmp_path / "calibration.json"
    assert load_calibration("m1", path) == DEFAULT
    mine = Calibration(Weights(1.0, 2.0, 3.0), Weights(4.0, 0.0, 0.0), caption_threshold=0.4, fitted="test")
    save_calibration("m1", mine, path)
    save_calibration("m2", DEFAULT, path)
    assert load_calibration("m1", path) == mine and load_calibration("m2", path) == DEFAULT
    assert load_calibration("m3", path) == DEFAULT


def test_tagging_reads_no_packagers_note_nor_a_licence_spelled_out():
    """Review 19: rockdodger's drip.wav says "Modified from Debian package gnome-media-common.";
    read as words, "debian package gnome media common" made it a voice (VOICES-MISC 97 % on the
    review's opaque library) and UI-MOTION in its folder, WATER-DRIP 5 %."""
    note = "Modified from Debian package gnome-media-common."
    assert file_words(FileRecord(path="/lib/drip.wav", folder="/lib", metadata_text=note)) == ["drip"]
    licensed = "Coins clinking\nCreative Commons Attribution-ShareAlike 3.0"
    gold = FileRecord(path="/lib/pickup-gold.ogg", folder="/lib", metadata_text=licensed)
    assert file_words(gold) == ["pickup", "gold", "coins", "clinking"]
