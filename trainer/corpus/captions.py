"""Captions from the names sound files already carry.

A game's ``sounds/weapons/shotgun_fire02.ogg`` says "shotgun fire"; its folders add context
("weapons"), except the ones that only say where data lives ("usr", "share", "sounds").
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from engine.words import without_numbers, words

# Folder and file words that carry no meaning about the sound itself.
GENERIC_WORDS = frozenset(
    """
usr share games game data sound sounds snd sfx fx audio samples sample ogg wav flac mp3 opus
doc docs media assets res resources base packages package default common misc other effects
effect files file tmp new old final master mono stereo techs megapack factions units
commondata tilesets pak civ
""".split()
)


VOICE_FOLDERS = frozenset({"voices", "voice", "speech", "vo"})


# A take, version or sequence marker: "take 3", "tk 2", "t 02", "v 2", "var 3", "alt"
_TAKE = re.compile(r"^(?:take|tk|t|v|ver|version|var|alt)$")


def clean_words(text: str) -> list[str]:
    """Caption words of one path part: the one tokeniser's words, without generic ones, bare
    numbers, or the take marker that ends a name ("Wind_take3" -> wind)."""
    found = without_numbers(words(text))
    while found and _TAKE.match(found[-1]):
        found.pop()
    return [w for w in found if w not in GENERIC_WORDS]


def path_caption(
    relative_path: str,
    package_words: set[str] = frozenset(),
    context_folders: int = 2,
) -> tuple[str, list[str]]:
    """(sound name, context words) from a path inside a package. The name comes from the file
    stem, or from the nearest meaningful folder when the stem is only a number ("3.ogg").
    Package words ("supertuxkart") are dropped: they name the game, not the sound. Context is
    the nearest ``context_folders`` folders, plus any further up that say the sound is a voice
    line ("voices/pirate/angry/arr.ogg"), so :func:`sound_captions` can tell."""
    path = PurePosixPath(relative_path)
    folders = [clean_words(part) for part in path.parent.parts]
    folders = [[w for w in words if w not in package_words] for words in folders]
    folders = [words for words in folders if words]
    name = [w for w in clean_words(path.stem) if w not in package_words]
    if not name and folders:
        name = folders.pop()
    context: list[str] = []
    for folder_words in reversed(folders):
        phrase = " ".join(folder_words)
        if phrase in context or phrase == " ".join(name):
            continue
        if len(context) < context_folders or VOICE_FOLDERS & set(folder_words):
            context.append(phrase)
    return " ".join(name), context


def sound_captions(name: str, context: list[str]) -> list[str]:
    """Captions for one game sound, most specific first. Voice-pack lines are what a
    character says ("uh oh"), so they become "a cartoon voice saying ..."."""
    if any(set(c.split()) & VOICE_FOLDERS for c in context):
        return [f'a cartoon voice saying "{name}"', name, "a game character's voice"]
    if any("music" in c.split() for c in context):
        return [f"{name}, game music", "game music", "music"]
    return [name] + [f"{name}, {c}" for c in context[:1]] + [f"{name}, game sound effect"]


def package_words(package: str) -> set[str]:
    """Words of a Debian package name that name the game, split as names are ("supertuxkart-data"
    -> super tux kart, "lincity-ng-data" -> lin city ng)."""
    name = package.removesuffix("-data")
    return set(words(name)) | set(words(name.replace("-", "")))
