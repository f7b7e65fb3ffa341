"""Voice lines kept in a folder per language: their names are what they say.

Software ships what it says once per language, each language in a folder named by its code
(``abcs/de/sounds/words/piano.ogg``, ``abcs/fr/...``, ``sound/en_US/...``): a learning game's
spoken words, a game's voice-over. Such a file is named for the word it speaks, not for how it
sounds, so "piano" found the German, French and English word "piano" as well as the piano, and
what the name means put the spoken words first (review 16, H1). A folder is a language folder
when its name is an ISO 639-1 code, alone or with a region or script (``de``, ``en_gb``,
``pt-BR``, ``zh_Hans``), and only beside at least :data:`MIN_LANGUAGES` such folders: one folder
called ``it`` or two called ``hi`` and ``lo`` (high and low takes) are no localisation. Sound
libraries name languages in words ("Walla/French"), and their walla is the sound it is named for,
so only codes count.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from engine.words import words

if TYPE_CHECKING:  # the app reads is_language_folder without loading LanceDB
    from engine.index.store import LibraryStore

# ISO 639-1
LANGUAGE_CODES = frozenset(
    """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
vo wa wo xh yi yo za zh zu
""".split()
)
_LOCALE = re.compile(r"([a-z]{2})(?:[_-][a-z]{2,4})?")  # the language, then a region or script
MIN_LANGUAGES = 3  # language folders of one parent that make each of them a language's
# words of a query that asks for what is said: a localized file's name is then what it asks for
SPEECH_WORDS = frozenset(
    """
speech speak speaks speaking spoke spoken say says saying said voice voices voiced vocal vocals vo voiceover
word words talk talks talking dialog dialogue narration narrator pronounce pronounced pronunciation
language languages
""".split()
)


# the English name of each language a folder's code names, for the codes that are no English word
# as well ("it", "no", "hi", "he", "id", "am", "be"... are left out: a folder so named is as often
# the word): a folder ``de/`` holds German ("german female voice" found nothing of kajongg's
# voices/de/female2, the English lines under voices/female2 tied with them; review 19, M5)
LANGUAGE_NAMES = {
    "ar": "arabic", "bg": "bulgarian", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian",
    "fi": "finnish", "fr": "french", "gl": "galician", "hr": "croatian", "hu": "hungarian", "ja": "japanese",
    "ko": "korean", "lt": "lithuanian", "lv": "latvian", "nb": "norwegian", "nl": "dutch", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sk": "slovak", "sl": "slovenian", "sr": "serbian",
    "sv": "swedish", "th": "thai", "tr": "turkish", "uk": "ukrainian", "vi": "vietnamese", "zh": "chinese",
}  # fmt: skip


def language_names(folders: Iterable[str]) -> list[str]:
    """The English names of the languages whose codes the folders' names are (:data:`LANGUAGE_NAMES`,
    with or without a region: ``de``, ``pt-BR``), each once, in order."""
    found = (_LOCALE.fullmatch(name.casefold()) for name in folders)
    return list(dict.fromkeys(LANGUAGE_NAMES[f.group(1)] for f in found if f and f.group(1) in LANGUAGE_NAMES))


def is_language_folder(name: str) -> bool:
    """Whether a folder's name is a language's code (:data:`LANGUAGE_CODES`), with or without a region."""
    found = _LOCALE.fullmatch(name.casefold())
    return found is not None and found.group(1) in LANGUAGE_CODES


def localized_folders(folders: Iterable[str]) -> list[str]:
    """The folders of ``folders`` (paths) that are language folders beside at least
    :data:`MIN_LANGUAGES` - 1 others of the same parent."""
    by_parent: dict[str, list[str]] = defaultdict(list)
    for folder in folders:
        parent, name = os.path.split(folder)
        if is_language_folder(name):
            by_parent[parent].append(folder)
    return sorted(f for languages in by_parent.values() if len(languages) >= MIN_LANGUAGES for f in languages)


def asks_for_speech(text: str) -> bool:
    """Whether a query's words ask for something said (:data:`SPEECH_WORDS`): "piano word"."""
    return not SPEECH_WORDS.isdisjoint(words(text))


# with each store, the files table's version and the ids of its localized files then
_KNOWN: WeakKeyDictionary[LibraryStore, tuple[int, frozenset[int]]] = WeakKeyDictionary()


def localized_ids(store: LibraryStore) -> frozenset[int]:
    """The searchable files lying under a language folder (:func:`localized_folders`), worked out
    from every folder that holds a file and kept until the files table changes."""
    version = store.files.version
    known = _KNOWN.get(store)
    if known is not None and known[0] == version:
        return known[1]
    folders = [folder for root in store.folders() for folder in store.subfolder_counts(root.path)]
    localized = localized_folders(folders)
    ids = frozenset(store.searchable_ids_under(localized).tolist()) if localized else frozenset()
    _KNOWN[store] = (version, ids)
    return ids
