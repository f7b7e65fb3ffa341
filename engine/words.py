"""The one tokeniser: the words a person would search for in a name, a description or a query.

Library names are written for sorting, not reading: ``DoorCreak_Slow_03``, ``METAL-Impact-Big``,
``UZIRapid_Fire``, ``explosion1``, ``DOORWood_Creak Heavy_ACME_PRJ``. The full-text index, the
query parser, tag suggestion and the trainer's caption cleaning all read them through
:func:`words` (any text) or :func:`name_words` (a file name, with its UCS category), so a
query word and an indexed word can never disagree about where a word ends.

Stemming is not done here: the full-text index stems both sides itself (LanceDB's English
analyser), and whole-word phrase and exclusion tests want the words as written. Only the forms
of one idea that the stemmer keeps apart are read with their idea's head (:func:`idea_head`).
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path, PurePath

import Stemmer
import wordninja

from engine.audio.formats import AUDIO_EXTENSIONS

UCS_LIST = Path(__file__).resolve().parents[1] / "resources" / "ucs" / "ucs-8.2.1-en.json"
COMPOUNDS = Path(__file__).resolve().parents[1] / "resources" / "search" / "compounds.txt"
ABBREVIATIONS = Path(__file__).resolve().parents[1] / "resources" / "search" / "abbreviations.txt"
DERIVATIONS = Path(__file__).resolve().parents[1] / "resources" / "search" / "derivations.txt"
SOUND_WORDS = Path(__file__).resolve().parents[1] / "resources" / "search" / "sound-words.txt"
TWO_WORD_COMPOUNDS = Path(__file__).resolve().parents[1] / "resources" / "search" / "two-word-compounds.txt"
FALSE_FRIENDS = Path(__file__).resolve().parents[1] / "resources" / "search" / "false-friends.txt"
FUNCTION_WORDS = Path(__file__).resolve().parents[1] / "resources" / "search" / "function-words.txt"
KIN = Path(__file__).resolve().parents[1] / "resources" / "search" / "kin.txt"

# lower→Upper ("doorCreak"), ACRONYM→Word ("UZIRapid", "DOORWood"), letter↔digit ("Door03", "44Magnum")
_BOUNDARIES = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; "_", "-", ".", spaces separate
# UCS subcategory names that say nothing about the sound
_VAGUE_SUBCATEGORIES = frozenset({"misc", "general"})
# Compounds written as one lower-case word ("gameover", "refwhistle", "doorcreak") are split into
# their words when every part has three letters or is one of these short words; shorter words and
# any part shorter than that stay whole (a split of "eline" into "e line" is a guess, not a reading).
_MIN_COMPOUND = 6
_SHORT_PARTS = frozenset("up go me we on in of to it is at no ok uh oh".split())
# A split that holds a function word ("stepsnow": steps now) gives way to one into sound words
# ("step snow"; :func:`_sound_word_split`), of these many letters or more each.
_MIN_SOUND_PART = 3
# ... but a word of four letters or more behind a letter, or two or three that are no word, is
# found beside the name as written ("ralarm", "hevidle": heavy-vehicle idle; :func:`_behind_prefix`).
_MAX_PREFIX = 3
_MIN_HIDDEN = 4
# A weapon's report is named "shot", "shoot" or "fire" ("Pistol_Shot", "rifle_shoot", "wp_gun_fire",
# "GunFire"): a keyword query that names a weapon and one of these asks for each of them, so
# "gun shot" finds the gun firing before a shorter name that only holds "gun" (a gun pickup).
# Without the weapon, "fire" is flames and "shot" a photo or a glass.
_WEAPONS = frozenset(
    f"{w}{s}"
    for w in "gun pistol rifle shotgun revolver cannon musket sniper blaster laser weapon".split()
    for s in ("", "s")
)
_SHOOTING = ("shot", "shoot", "fire", "gunshot", "gunfire")
_SHOOTING_FORMS = frozenset([*_SHOOTING, "shots", "shoots", "shooting", "fires", "firing", "gunshots"])
# Words that finish a verb ("power up", "slow down", "fade out", "switch off"): typed after another
# word at the end of a keyword query, or as the second word of a listed two-word compound ("power
# up pickup"), such a particle is held by a file only beside that word (AskedWords.modifiers).
# Alone it names no sound: review 17's "power up pickup" listed pull-up.wav, "push up 1.wav", a
# pinball's up.wav and 60 guitar strums "Gminor_UP" as holding a third of it, and no power-up
# among its first 30. Followed by another word it may be that word's preposition ("walking up
# stairs": stairs_up.wav). "in", "on" and the other prepositions are the index's stop words or
# open a qualifier (engine.search.query.QUALIFYING).
PARTICLES = frozenset("up down off out away".split())


@dataclass(frozen=True)
class UcsCategory:
    cat_id: str  # e.g. "DOORWood"
    category: str  # e.g. "DOORS"
    subcategory: str  # e.g. "WOOD"
    explanation: str
    synonyms: tuple[str, ...]

    @property
    def category_full(self) -> str:
        """ "DOORS-WOOD": the form database tools build from a CatID, which an accepted suggestion
        writes into a file's tags."""
        return f"{self.category}-{self.subcategory}"

    @property
    def words(self) -> list[str]:
        """Search words of the category and subcategory: DOORS / WOOD -> ["doors", "wood"]."""
        found = words(self.category)
        return found + [w for w in words(self.subcategory) if w not in found and w not in _VAGUE_SUBCATEGORIES]


# Words of file and folder names that say how a file was made or kept, not what it sounds like;
# some are UCS synonyms ("take", "sound", "audio"), which would make Take_017.wav look named. A
# loop is a file cut to repeat seamlessly, fire or an engine as often as an ambience: "loop"
# made flare's open_fire_loop.ogg AMBIENCE first (bench/tagging.py).
NON_WORDS = frozenset(
    """
take takes tk alt var version ver v final edit edited mix master copy new old untitled rec recording
loop loops looped looping loopable
sound sounds snd sfx fx audio data misc other stereo mono wav wave aif aiff flac ogg mp3 opus bwf usr share etc
""".split()
)


def without_numbers(found: Iterable[str]) -> list[str]:
    """The words less bare numbers: in a name they count takes, variations and versions."""
    return [w for w in found if not w.isdigit()]


def describing(found: Iterable[str]) -> list[str]:
    """The words that can say what a sound is: bare numbers (:func:`without_numbers`) and
    :data:`NON_WORDS` dropped. What a file means to tagging and to the meaning ranking of search
    is read from these; keyword search keeps every word ("0017" still finds ``0017.wav``)."""
    return [w for w in without_numbers(found) if w not in NON_WORDS]


@cache
def ucs_categories() -> dict[str, UcsCategory]:
    """CatID -> category, from the UCS list shipped in ``resources/ucs`` (CC0)."""
    entries = json.loads(UCS_LIST.read_text(encoding="utf-8"))
    return {
        e["CatID"]: UcsCategory(
            e["CatID"], e["Category"], e["SubCategory"], e.get("Explanations", ""), tuple(e.get("Synonyms", ()))
        )
        for e in entries
    }


@cache
def cat_ids_folded() -> dict[str, UcsCategory]:
    """Case-folded CatID -> category, for the CatIDs no other one folds to (a CatID typed in any
    case names one category or none): how a CatID a user types is read, in a query
    (:func:`typed_cat_id`) and as a tag (engine.tags.tag_spellings) alike."""
    folded: dict[str, list[UcsCategory]] = {}
    for category in ucs_categories().values():
        folded.setdefault(category.cat_id.casefold(), []).append(category)
    return {fold: only for fold, (only, *others) in folded.items() if not others}


def typed_cat_id(word: str) -> UcsCategory | None:
    """The UCS category a query word names, else None. Sound designers search by CatID
    ("AMBForst", "MAGSpel"), as UCS writes it or in any other case ("ambforst"). One that is also
    a word ("wind", "TEST", "whsh": the CatIDs WIND, TEST and WHSH) is read as that word, unless it
    is typed as the list writes it, subcategory in lower case ("BIRDSong", "GAMEBoard")."""
    category = cat_ids_folded().get(word.casefold())
    if category is None:
        return None
    as_listed = word == category.cat_id and not word.isupper()
    return category if as_listed or word.casefold() not in known_words() else None


def typed_cat_ids(text: str) -> dict[str, UcsCategory]:
    """{word as typed: its UCS category} for each word of ``text`` that names a CatID
    (:func:`typed_cat_id`); a query's words here are split on spaces and ``_ - .`` only, as a
    CatID is one word ("AMBForst_Morning" holds the CatID AMBForst)."""
    return {word: category for word in _WORD.findall(text) if (category := typed_cat_id(word)) is not None}


def read_cat_ids(text: str) -> str:
    """``text`` with each CatID typed in it replaced by its category's words ("AMBForst birds" ->
    "ambience forest birds"; :func:`typed_cat_id`), the rest as typed: what the models read of a
    query. Split into its halves, "AMBForst" is "amb" and "forst", which the models read as no
    forest, and which the respeller "corrected" to "forts"."""

    def read(match: re.Match[str]) -> str:
        category = typed_cat_id(match.group())
        return match.group() if category is None else " ".join(category.words)

    return _WORD.sub(read, text)


def words(text: str, compounds: bool = True) -> list[str]:
    """Lower-case words of any text: split on ``_ - .`` and spaces, camelCase, capitals before a
    capitalised word, letter–digit boundaries, and (unless ``compounds`` is False) English
    compounds written as one word. ``"UZIRapid_Fire-03"`` -> uzi rapid fire 03; ``"gameover1"``
    -> game over 1."""
    found = _WORD.findall(_BOUNDARIES.sub(" ", text).casefold())
    return [part for word in found for part in _compound(word)] if compounds else found


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of ``text`` is, by the rules :func:`words` splits by (compounds whole): the
    spans a respelling replaces in the query as typed ("thnuder_rumble", "ThnuderRoll"). words()
    keeps its one regex pass, twice as fast as slicing these spans, for it reads every name and
    description the index and tagging see; tests/engine/test_words.py holds the two to agreeing."""
    cuts = [m.start() for m in _BOUNDARIES.finditer(text)]  # ascending: each word's are a slice
    spans = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        inside = cuts[bisect_right(cuts, start) : bisect_left(cuts, end)]
        spans += zip([start, *inside], [*inside, end], strict=True)
    return spans


@lru_cache(maxsize=65_536)
def _compound(word: str) -> tuple[str, ...]:
    """A word's parts when it is English words run together (wordninja's segmentation by
    Wikipedia word frequencies) or a listed abbreviation run into a word, else the word itself,
    with the word a short prefix hides, if any (:func:`_behind_prefix`). A listed abbreviation or
    sound word is whole ("kikeriki", not wordninja's "kike riki"), and a split into sound words is
    taken over one holding a function word (:func:`_sound_word_split`)."""
    if len(word) < _MIN_COMPOUND or not (word.isascii() and word.isalpha()) or word in abbreviations():
        return (word,)
    if abbreviated := _after_abbreviation(word):
        return abbreviated
    parts = wordninja.split(word)
    if len(parts) > 1 and all(len(p) >= 3 or p in _SHORT_PARTS for p in parts):
        return _sound_word_split(word, parts) or tuple(parts)
    return _behind_prefix(word, parts) or (word,)


def _sound_word_split(word: str, parts: list[str]) -> tuple[str, ...] | None:
    """``word`` split into sound words (:func:`_sound_words`), the fewest parts and of those the
    most frequent words (the sum of the log of each one's place in wordninja's list, as wordninja
    weighs them), where wordninja's split (``parts``) is sound words and a function word at either
    end, which its frequencies favour where a sound designer reads sound words: berusky2's
    ``stepsnow2`` was "steps now 2" and ``stepsand`` "steps and" (a stop word, so the index held
    "steps" alone), ranked below the footsteps on grass and wood by "footsteps snow" (review 17).
    None where no such split exists, and for a function word between two words ("cars and
    trucks", "rain on roof": a sentence run together) or beside no sound word ("for mant" is no
    reading of "formant", nor is "form ant")."""
    function, sound, place = function_words(), _sound_words(), _english_places()
    if not {parts[0], parts[-1]} & function or not all(p in function or p in sound for p in parts):
        return None
    unknown = len(place)
    best: list[tuple[int, float, tuple[str, ...]] | None] = [None] * len(word) + [(0, 0.0, ())]
    for start in range(len(word) - _MIN_SOUND_PART, -1, -1):
        options = [
            (rest[0] + 1, rest[1] + math.log(place.get(part, unknown) + 1), (part, *rest[2]))
            for end in range(start + _MIN_SOUND_PART, len(word) + 1)
            if (part := word[start:end]) in sound and (rest := best[end]) is not None
        ]
        best[start] = min(options, default=None)
    return best[0][2] if best[0] is not None else None


@cache
def _sound_words() -> frozenset[str]:
    """The words a run-together name may be split into instead of a split with a function word:
    the UCS list's words of :data:`_MIN_SOUND_PART` letters or more, less the function words its
    synonyms hold ("rock and roll")."""
    return frozenset(w for w in _ucs_words() if len(w) >= _MIN_SOUND_PART and w.isalpha()) - function_words()


@cache
def _english_places() -> dict[str, int]:
    """Each word of wordninja's English list -> its place, the most frequent first."""
    return {word: i for i, word in enumerate(_english_words())}


@cache
def function_words() -> frozenset[str]:
    """The words listed in ``resources/search/function-words.txt``: how a sentence's words hang
    together, not what a sound is."""
    return frozenset(w for line in _listed(FUNCTION_WORDS) for w in line)


def _behind_prefix(word: str, parts: list[str]) -> tuple[str, str] | None:
    """The word as written and the word wordninja finds after a prefix (``parts``, its cut of
    ``word``), else None: tecnoballz's ``ralarm`` ("r alarm") and netpanzer's ``hevidle`` ("he v
    idle") were whole, found by no search for "alarm" or "idle". What the prefix means no list
    says, so the name stays a word of its own (a search for "ralarm" finds it first) and the prefix
    is dropped. The prefix is a letter or up to :data:`_MAX_PREFIX` that are no word: one that is
    a word makes a word of its own more likely ("lachen" is no "la chen", "respawn" no "re spawn").
    Only for a word that is none of its own ("banger" is not "b anger") and a hidden word of
    :data:`_MIN_HIDDEN` letters or more."""
    *pieces, hidden = parts
    prefix = "".join(pieces)
    if not prefix or len(prefix) > _MAX_PREFIX or len(hidden) < _MIN_HIDDEN:
        return None
    if len(prefix) > 1 and prefix in known_words():
        return None
    return (word, hidden) if hidden in known_words() and word not in known_words() else None


def _after_abbreviation(word: str) -> tuple[str, str] | None:
    """A listed sound-library abbreviation run into a word ("dbljump", "atmoswind"): the two, else
    None. wordninja knows no shorthand, so it cut "dbljump" into "d bl jump" (and the name stayed
    whole, found by neither "double" nor "jump") and "atmoswind" into "at mos wind". Only for a
    word that is none of its own, and the longest abbreviation first ("explo" before "expl")."""
    if word in known_words():
        return None
    for abbreviation in _longest_first():
        rest = word.removeprefix(abbreviation)
        if rest != word and len(rest) >= 3 and rest in known_words():
            return abbreviation, rest
    return None


@cache
def _longest_first() -> tuple[str, ...]:
    """The listed abbreviations and sound words, longest first ("explo" before "expl")."""
    return tuple(sorted(abbreviations(), key=len, reverse=True))


@cache
def known_words() -> frozenset[str]:
    """The words a description is written in: wordninja's English list (126,000 words by their
    Wikipedia frequency, the list :func:`words` splits compounds by) and every word of the UCS
    list (categories, subcategories and synonyms, many of them sound words no encyclopedia
    uses: "bodyfall", "swooshes", "airgun"), and the listed sound-library abbreviations (a
    folder "WHSH" is a shelf, not a game's title)."""
    return frozenset(_english_words()).union(_ucs_words(), abbreviations())


# wordninja's most frequent words that count as common (:func:`common_words`); further down its
# list names and fragments crowd the words ("stegodon", "rodinia", "yalova" at 50,000), and the
# sound words it ranks low ("whoosh" 118,000, "crackle" 106,000) the UCS list holds
COMMON_ENGLISH = 30_000


@cache
def common_words() -> dict[str, int]:
    """The words a typo may be read as where the library holds none like it (engine.search.respell),
    each with its place, the commonest first: the UCS list's words of letters (what a sound library
    is searched for), then wordninja's :data:`COMMON_ENGLISH` most frequent. Not every word
    :func:`known_words` knows: its Wikipedia list runs to names and fragments ("sokka", "ur", "ba"),
    each as near a typo as the word meant."""
    english, place = _english_words(), _english_places()
    sound = sorted((w for w in _ucs_words() if w.isalpha()), key=lambda w: place.get(w, len(english)))
    ordered = dict.fromkeys([*sound, *english[:COMMON_ENGLISH]])
    return {word: i for i, word in enumerate(ordered)}


@cache
def _english_words() -> tuple[str, ...]:
    """wordninja's English list, the most frequent word in Wikipedia first."""
    with gzip.open(Path(wordninja.__file__).with_name("wordninja") / "wordninja_words.txt.gz", "rt") as handle:
        return tuple(handle.read().split())


@cache
def _ucs_words() -> frozenset[str]:
    """Every word of the UCS list's categories, subcategories and synonyms."""
    return frozenset(
        w
        for c in ucs_categories().values()
        for text in (c.category, c.subcategory, *c.synonyms)
        for w in words(text, compounds=False)
    )


def is_title(word: str) -> bool:
    """Whether a word of letters is missing from :func:`known_words`: then it is a name (a
    game's, a pack's, a vendor's: "mirrormagic", "netpanzer", "soundmorph"), not a description."""
    return word.isalpha() and word not in known_words()


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def titles_whole(name: str) -> str:
    """``name`` with each run of letters that its capitals split into words, one of them a word
    for how sounds are kept rather than what they are (:data:`NON_WORDS`: "sfx", "sound",
    "audio"), written whole in lower case where read whole it is no word (:func:`is_title`):
    "OpenSFX" -> opensfx, "SoundMorph" -> soundmorph. Such a run names a pack or a brand, a title
    as one written in one case is ("netpanzer"), not the words it runs together: OpenSFX's "open"
    swung tagging's words classifier to AIRCRAFT for all 71 of its sounds ("monorail train station
    departure" TRAINS 23 %, AIRCRAFT 16 %; with "open" AIRCRAFT 59 %; review 13), and matched a
    search for "open". Other runs split as before: a shelf named with capitals ("BodyFalls",
    "GunShots") is a description as often as a title is, and a UCS CatID ("AMBMisc") is read
    as its category."""

    def read(run: re.Match[str]) -> str:
        written = run.group()
        whole, parts = written.casefold(), words(written, compounds=False)
        if len(parts) < 2 or not NON_WORDS.intersection(parts) or not is_title(whole) or typed_cat_ids(written):
            return written
        return whole

    return _LETTER_RUN.sub(read, name)


def keyword_query_words(text: str, held: Callable[[str], bool] | None = None) -> list[str]:
    """The words a keyword query asks for: its :func:`words`, the head of each sound compound
    written as one word (``resources/search/compounds.txt``: "metal footsteps" also asks for
    "steps", so ``step_metal_01.wav`` matches both of the query's sounds instead of losing to
    ``metal.wav``), and a word run together as written too ("netpanzer" also asks for
    "netpanzer"), which is how the index keeps a folder's words (engine.index.text.folder_words).
    A title run together (:func:`is_title`) that the index holds (``held``) stands for itself
    alone: "soundmorph" asks for the pack's folder, not for every file named "sound" or "morph",
    which BM25 ranked above the pack's own files (a name's words weigh twice a folder's). A listed
    sound-library abbreviation asks for what it stands for too, as the index holds a name's
    (:func:`with_abbreviations`), and a CatID typed as one word asks for its category's words
    (:func:`typed_cat_ids`), as the index holds a UCS name's: "AMBForst" finds the files tagged
    AMBIENCE-FOREST, those named "forest" and those named by the CatID (``AMBForst_Morning``), and
    "WTHRThun", no CatID but two listed abbreviations, those tagged WEATHER-THUNDER. Two words
    typed apart that are one English word run together ask for it too, twice, as it stands for
    both: "pick up" finds ``sfx_pickup_gun.wav`` (the tokeniser keeps "pickup" whole, a word of its
    own) as a file holding both words, before ``up_arrow.wav``. A weapon's report asks for each
    word it is named by (:func:`_shooting`). A derived form asks for its idea's head as the index
    holds it (:func:`idea_head`: "exploding" asks for "explosion" too). A listed term of game
    audio asks for its kin (:func:`kin_of`: "power up" for "bonus", "upgrade"...), and then every
    other word twice, which BM25 weighs twice: a file named by the term comes before one named by
    its kin (asked once, "pickup" found bonus.wav above the longer name sfx_pickup_gun.wav). Only
    the query grows; the index keeps the compound as written. A title typed with capitals is read
    as the index reads it (:func:`titles_whole`): "OpenSFX" asks for the pack's folder as
    "opensfx" does."""
    written = words(titles_whole(text), compounds=False)
    itself = {w for w in written if held is not None and is_title(w) and len(_compound(w)) > 1 and held(w)}
    query_words = [part for w in written for part in ((w,) if w in itself else _compound(w))]
    heads, listed = compound_heads(), abbreviations()
    joined = [a + b for a, b in run_together(written)]
    added = [heads[w] for w in query_words if w in heads] + written + [a for w in written for a in listed.get(w, ())]
    added += [w for category in typed_cat_ids(text).values() for w in category.words]
    added += [head for w in written if (head := idea_head(w)) is not None]
    asked = query_words + [w for w in dict.fromkeys(added) if w not in query_words]
    asked += [w for w in dict.fromkeys(joined) if w not in asked for _ in range(2)]
    asked += [w for w in _shooting(asked) if w not in asked]
    kin = [w for found in (query_words, *([w] for w in joined)) for related in kin_of(found).values() for w in related]
    kin = [w for w in dict.fromkeys(kin) if w not in asked]
    return asked * 2 + kin if kin else asked


def run_together(written: list[str]) -> list[tuple[str, str]]:
    """Each two words typed one after the other that are one English word run together ("pick
    up" -> ("pick", "up"), which is "pickup")."""
    return [(a, b) for a, b in itertools.pairwise(written) if a + b in known_words()]


@dataclass(frozen=True)
class AskedWords:
    """The words a keyword query typed, and what a file holds to hold each: how many of them a
    keyword hit holds weighs its match (engine.search.fusion.HeldWords). BM25 adds a score per
    word, weighed by how rare the word is, and a search's best match is its 100, so a file holding
    the rarer of two words read as a full match: "baby cry" found ``warcry.ogg`` (a war cry,
    "war" and "cry" to the tokeniser) at 77, and "machine gun burst" ``Washing-machine.ogg``."""

    # typed word -> the keyword query whose matches hold it: the word, a CatID typed as one
    # word whole, in a weapon's report every word the report is named by (:func:`_shooting`),
    # and in a term of game audio its kin (:func:`kin_of`: "power" of "power up" is held by bonus.wav)
    lookups: dict[str, str]
    # typed word -> the typed word it is held only beside: the first word of each listed two-word
    # compound -> its second (:func:`two_word_compounds`), a particle -> the word it follows (:data:`PARTICLES`)
    modifiers: dict[str, str]
    # two typed words that are one word run together, held by a file holding that word
    joined: tuple[tuple[str, str], ...]


def asked_words(text: str, ignored: Collection[str] = ()) -> AskedWords:
    """The :class:`AskedWords` of a keyword query, the words of ``ignored`` (the index's stop
    words, which no file holds) left out."""
    written = [w for token in _WORD.findall(text) for w in ([token] if typed_cat_id(token) else _as_typed(token))]
    folded = [w.casefold() for w in written]
    shooting = _shooting(keyword_query_words(text))
    related = kin_of(folded)
    lookups = {
        word: " ".join(dict.fromkeys((word, *(shooting if word in _SHOOTING_FORMS else ()), *related.get(at, ()))))
        for at, word in enumerate(written)
        if word not in ignored
    }
    pairs = [(a, b, stem(a), stem(b)) for a, b in itertools.pairwise(folded)]  # "car doors", "power ups"
    listed = two_word_compounds()
    modifiers = {a: b for a, b, first, second in pairs if (first, second) in listed}
    finishing = [
        (a, b)
        for at, (a, b, first, second) in enumerate(pairs, 2)
        if second in PARTICLES and first not in PARTICLES and (at == len(folded) or (first, second) in listed)
    ]
    modifiers |= {b: a for a, b in finishing if a not in ignored}
    return AskedWords(lookups, modifiers, tuple(run_together(folded)))


def _as_typed(token: str) -> list[str]:
    """The words of ``token`` (no CatID) as a keyword query's are held (:class:`AskedWords`): as
    typed, but a word run together that ends in a particle in its parts ("powerup", "levelup"),
    so the particle is held only beside its verb as when typed apart (:data:`PARTICLES`)."""
    found = []
    for word in words(token, compounds=False):
        parts = _compound(word)
        found += parts if len(parts) > 1 and stem(parts[-1]) in PARTICLES else [word]
    return found


@cache
def _kin_terms() -> dict[tuple[str, ...], tuple[str, ...]]:
    """The stems of each term of ``resources/search/kin.txt`` -> its kin."""
    terms = {}
    for line in _listed(KIN):
        bar = line.index("|")
        terms[tuple(stem(w) for w in line[:bar])] = tuple(line[bar + 1 :])
    return terms


def kin_of(found: list[str]) -> dict[int, tuple[str, ...]]:
    """{place in ``found`` of each word of a listed term of game audio it holds, the term's words one
    after the other in any form the index's stemmer folds together ("power ups"): the term's kin}
    (``resources/search/kin.txt``: "power up" -> bonus, upgrade, pickup, collect)."""
    stems = [stem(w) for w in found]
    related: dict[int, tuple[str, ...]] = {}
    for term, kin in _kin_terms().items():
        for start in range(len(stems) - len(term) + 1):
            if tuple(stems[start : start + len(term)]) == term:
                for at in range(start, start + len(term)):
                    related[at] = tuple(dict.fromkeys((*related.get(at, ()), *kin)))
    return related


@cache
def two_word_compounds() -> frozenset[tuple[str, str]]:
    """The two-word names whose first word alone names another sound
    (``resources/search/two-word-compounds.txt``), each word stemmed as the index stems it."""
    return frozenset((stem(first), stem(second)) for first, second in _listed(TWO_WORD_COMPOUNDS))


@cache
def english_stemmer() -> Stemmer.Stemmer:
    """Snowball's English stemmer (PyStemmer), the one the full-text index stems both sides with:
    tagging's word overlap and the derived forms here stem as the index does."""
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """``word``'s Snowball English stem, as the full-text index stems it."""
    return english_stemmer().stemWord(word)


# Words a designer types for how big, heavy, strong, far or fast a sound is ("big cat growl",
# "heavy metal door slam"): they say which of the sounds asked for, not what sound. A file named by
# one alone is another sound: review 13's "big cat growl" listed BIG_EXPL.wav and "19 Big
# crash.wav" as its two results, the lion's roar after them (engine.search.fusion.HeldWords).
# Not "close" (a door's close), nor the lengths (engine.search.query.LENGTH_WORDS).
DEGREE_WORDS = frozenset(
    """big bigger small smaller large little tiny huge giant massive heavy light hard soft loud quiet
    strong weak gentle distant far fast slow quick""".split()
)

# Words a sound's name uses for how heavy the sound is, which the text tower (MiniLM) reads in
# another sense first, and the word that says the name's sense: fillets-ng's sp-impact_light was
# tagged LASERS-IMPACT at 65-75 %, "light" read as a lamp's (review 12, H3).
WEIGHT_WORDS = {"light": "lightweight"}


@cache
def _other_senses(word: str) -> frozenset[str]:
    """The words of every UCS category that lists ``word`` (its name or a synonym): beside one of
    them, ``word`` means what that category means ("light switch", "light beam", "light rail")."""
    listed = [
        words(" ".join([c.category, c.subcategory, *c.synonyms]), compounds=False) for c in ucs_categories().values()
    ]
    return frozenset(w for found in listed if word in found for w in found) - {word}


def in_meant_sense(found: list[str]) -> list[str]:
    """``found`` (a name's words) as the text tower should read them: a word of
    :data:`WEIGHT_WORDS` is replaced by its weight sense unless another word of the name is one
    the UCS list says it beside in its other senses (``impact_light`` -> impact lightweight,
    ``light_switch`` unchanged). For what a name means (tagging's words, the meaning ranking of
    search); keyword search keeps the word as written."""
    said = set(found)
    return [WEIGHT_WORDS[w] if w in WEIGHT_WORDS and said.isdisjoint(_other_senses(w)) else w for w in found]


def _shooting(found: list[str]) -> tuple[str, ...]:
    """The words a gun's report is named by (:data:`_SHOOTING`) when ``found`` names a weapon
    and one of them: "gun shot" also asks for "fire" and "shoot", "gunfire" for "shot"."""
    said = set(found)
    shooting = said & _SHOOTING_FORMS
    return _SHOOTING if shooting and (said & _WEAPONS or shooting & {"gunshot", "gunshots", "gunfire"}) else ()


@cache
def compound_heads() -> dict[str, str]:
    """Compound -> head, as listed in ``resources/search/compounds.txt``."""
    return {fields[0]: fields[1] for fields in _listed(COMPOUNDS)}


@cache
def held_heads() -> dict[str, str]:
    """Compound -> head, for the compounds a search for the head alone means: those of
    ``resources/search/compounds.txt`` not marked "query" (a "ship" is a boat, not a spaceship)."""
    return {fields[0]: fields[1] for fields in _listed(COMPOUNDS) if "query" not in fields[2:]}


def with_compound_heads(found: list[str]) -> list[str]:
    """The words with the head of each listed compound among them right after it
    (:func:`held_heads`: ``bambam/trapdoor.wav`` -> trapdoor door), unless the words already say
    it: how the index holds a file's words, so a search for "door" finds the trapdoor, which the
    tokeniser keeps whole as the English word it is (review 16). Not applied by :func:`name_words`
    itself, for the reason :func:`with_abbreviations` is not."""
    heads = held_heads()
    out: list[str] = []
    for word in found:
        out.append(word)
        head = heads.get(word)
        if head is not None and head not in found and head not in out:
            out.append(head)
    return out


def without_compound_heads(found: list[str]) -> list[str]:
    """The words less each head :func:`with_compound_heads` put after its compound: the words as
    the index read them, for what they mean (engine.index.text.meaning_parts)."""
    heads = held_heads()
    return [word for i, word in enumerate(found) if not (i and heads.get(found[i - 1]) == word)]


@cache
def abbreviations() -> dict[str, tuple[str, ...]]:
    """Abbreviation or sound word -> the words it stands for, as listed in
    ``resources/search/abbreviations.txt`` ("expl" -> explosion) and ``sound-words.txt`` ("blub" ->
    bubble): both are read alike, the word kept and what it stands for after it."""
    return {fields[0]: tuple(fields[1:]) for path in (ABBREVIATIONS, SOUND_WORDS) for fields in _listed(path)}


@cache
def derivations() -> dict[str, str]:
    """Stem -> the head of its idea, for each form but the head listed in
    ``resources/search/derivations.txt`` (a line's first word is its head: "explosion explode"
    gives explod -> explosion)."""
    return {stem(form): line[0] for line in _listed(DERIVATIONS) for form in line[1:]}


@dataclass(frozen=True)
class FalseFriends:
    """A keyword query's word that the index's stem shares with a word of another meaning
    (``resources/search/false-friends.txt``): a file holding only the other word is scored as if the
    query had asked for ``rest``."""

    own: tuple[str, ...]  # the forms of the query's word
    others: tuple[str, ...]  # the forms of the word it is not
    rest: tuple[str, ...]  # the query's words but those of the shared stem

    def hold_only_others(self, text: str) -> bool:
        """Whether ``text``, words as written between spaces (``search_text``), holds a form of
        the other word and none of the query's."""

        def holds(forms: tuple[str, ...]) -> bool:
            return any(f" {form} " in text for form in forms)

        return holds(self.others) and not holds(self.own)


@cache
def _false_friend_lines() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    pairs = []
    for line in _listed(FALSE_FRIENDS):
        bar = line.index("|")
        pairs.append((tuple(line[:bar]), tuple(line[bar + 1 :])))
    return pairs


def false_friends(query_words: list[str]) -> list[FalseFriends]:
    """The listed false friends of ``query_words`` (:func:`keyword_query_words`); none for a line
    the query asks both sides of ("engine engineer" wants both)."""
    asked = set(query_words)
    found = []
    for one, other in _false_friend_lines():
        for own, others in ((one, other), (other, one)):
            if asked & set(own) and not asked & set(others):
                own_stem = stem(own[0])
                found.append(FalseFriends(own, others, tuple(w for w in query_words if stem(w) != own_stem)))
    return found


@cache
def word_lists_fingerprint() -> str:
    """8 hex digits that change whenever a word list of ``resources/search`` does: what an index's
    keyword columns hold depends on them (engine.index.text.TEXT_VERSION)."""
    digest = hashlib.blake2b(digest_size=4)
    for path in (COMPOUNDS, ABBREVIATIONS, DERIVATIONS, SOUND_WORDS, FUNCTION_WORDS):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _listed(path: Path) -> list[list[str]]:
    """The entries of one of the word lists in ``resources/search``: a line's words, blank lines
    and ``#`` comments left out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def with_abbreviations(found: list[str]) -> list[str]:
    """The words with what each sound-library abbreviation among them stands for right after it
    (``EXPL_Big_03`` -> expl explosion big 03), and the head of each derived form's idea
    (``shipExplode`` -> ship explode explosion), unless the words already say it. Applied where a
    name is read for what it means (the index's text columns, tagging's words), not by
    :func:`name_words` itself, so a benchmark's ground truth read from names stays the names as
    written."""
    listed = abbreviations()
    said = {stem(w) for w in found}
    out: list[str] = []
    for word in found:
        out.append(word)
        out += [w for w in listed.get(word, ()) if w not in found and w not in out]
        head = idea_head(word)
        if head is not None and stem(head) not in said and head not in out:
            out.append(head)
    return out


def idea_head(word: str) -> str | None:
    """The head of the idea ``word`` is a derived form of, as listed in
    ``resources/search/derivations.txt`` ("shipExplode"'s "explode" -> explosion), else None.
    The full-text index stems words (Snowball's English stemmer, which :func:`_stem` is), and
    stemming does not undo a derivation: "explosion" is "explos" and ``shipExplode.wav``
    "explod", so a search for "explosion" ranked shipExplode, planetExplode and corpse_explode
    below unrelated files. Held with its head, a form is one word with it, and weighs as one:
    asked for as a second query word instead, the rarer form outranked the idea's own name
    (granatier's ``explode.wav`` above ``explosion.wav`` for "big explosion")."""
    return derivations().get(stem(word))


def file_stem(path: str | PurePath) -> str:
    """The file name without an audio extension ("Door.Creak.wav" -> "Door.Creak"; a dotted
    name with no audio extension is kept whole)."""
    name = PurePath(path).name
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and f".{suffix.lower()}" in AUDIO_EXTENSIONS else name


def cat_id_block(stem: str) -> str:
    """Where a UCS name holds its CatID: the first ``_`` block, less a ``-UserCategory``
    (``DOORWood-MyCat_Creak`` -> DOORWood); "" when no FX name follows it. The FX name is the
    convention's one other requirement, and without it a word is only a word: ``RAIN.WAV`` or
    ``TEST.wav`` names the sound, not the CatID RAIN or TEST."""
    head, _, rest = stem.partition("_")
    if not rest.partition("_")[0].strip():
        return ""
    return head.partition("-")[0].strip()


def ucs_category_of(stem: str) -> UcsCategory | None:
    """The UCS category a name starts with: an exact CatID where :func:`cat_id_block` says."""
    return ucs_categories().get(cat_id_block(stem))


def ucs_blocks(stem: str) -> tuple[str, str, str, str, str] | None:
    """A UCS name's blocks, ``CatID(-UserCategory)``, FXName, CreatorID, SourceID and UserData
    ("" where absent); None for a name that is not UCS (:func:`ucs_category_of`)."""
    return None if ucs_category_of(stem) is None else name_blocks(stem)


def name_blocks(stem: str) -> tuple[str, str, str, str, str]:
    """A name's ``_`` blocks as :func:`ucs_blocks` gives them, for a name already known to be UCS."""
    blocks = [block.strip() for block in stem.split("_")]
    head, fx, creator, source = (blocks[:4] + ["", ""])[:4]
    return head, fx, creator, source, "_".join(blocks[4:])


def name_words(path: str | PurePath) -> list[str]:
    """Words of a file name (extension dropped); a UCS CatID at its head adds its category
    and subcategory words: ``DOORWood_Creak Heavy_JD_ACME.wav`` -> door wood creak heavy doors.
    A UCS name's CreatorID and SourceID say who made it and for what, not what it sounds like
    (:func:`ucs_origin_words`): "root" and "audio" in ``FOLYFeet_Foot Left_root_audio.wav``
    lengthened the name every word of it is weighed against."""
    stem = file_stem(path)
    category = ucs_category_of(stem)
    if category is None:
        return words(stem)
    head, fx, _creator, _source, user_data = name_blocks(stem)
    found = words(" ".join([head, fx, user_data]))
    return found + [w for w in category.words if w not in found]


def ucs_origin_words(path: str | PurePath) -> list[str]:
    """The words of a UCS name's CreatorID and SourceID (none for other names): searchable as a
    folder's words are, since like a folder they say where a sound comes from."""
    blocks = ucs_blocks(file_stem(path))
    return words(" ".join(blocks[2:4])) if blocks else []
