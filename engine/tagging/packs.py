"""A word that (nearly) every file of a folder holds in its name: a pack's name, or what they all are.

KDE's Oxygen theme names each of its 49 sounds ``Oxygen-…`` (``Oxygen-Sys-Special``,
``Oxygen-Im-Contact-Out``): the theme's name, which says nothing of how each sounds, and the words
evidence read it as the gas (AIR-MISC 64 % for Sys-Special, 38 % the first guess for Sys-Question,
AIR among the first three of 47 of the 49 files). Sound libraries do the same all the time: a
vendor's prefix on every file (``BOOM_``, ``SSE_``), a game's name on every one of its sounds. But a
folder whose every file is named ``door_…`` is all doors, and flare's ``steps/step_metal1.ogg`` are
footsteps, not metal: a word every file shares cannot tell the files apart, yet it may describe
them all. Neither the word (both are real words, "oxygen" a UCS synonym as "step" is) nor the
folder's name (a pack's folder is named after it as often as a shelf after what it holds) tells the
two apart; the sound does. The folder's files heard together (their calibrated sound-only
probabilities, averaged) find what the word alone says (its calibrated words-only probabilities)
likelier than chance, or not: on bench/tagging.py's library, flare's 16 ``step_*`` files FOOTSTEPS
7.3 times chance, its 12 ``inventory_*`` OBJECTS 2.1 times, Oxygen's 49 files AIR 0.40 times. So a
shared word counts for each file as any word does where the folder's sound agrees with it, and not
at all where the sound disagrees (:func:`disagreeing`; engine.tagging.evidence.pack_words reads
both, engine.tagging.evidence.file_words leaves the word out). Without a sound to hear (no model,
too few files embedded) a shared word counts as before.

bench/tagging.py, one run each on one index (2026-12-06): the library as one job 79.2 % -> 79.4 %
top-1, 88.6 % -> 88.3 % top-3; each file alone 72.1 % -> 73.5 % / 85.9 % -> 86.7 %; Oxygen's 23
files with a ground truth 22 -> 23 right as one job, 18 -> 23 alone. Leaving out every shared word
whatever the sound: 75.8 % / 85.9 % as one job, flare's footsteps read as cloth, leather and metal
(its 71 files 55 -> 41 right). The shipped calibration was refitted on the new evidence (with words:
sound 14.2 -> 12.6, text 12.4 -> 13.1: the sound had been making up for the pack's word).

A folder of :data:`MIN_FILES` files at least, a word in :data:`SHARED` of them: below eight files a
word shared by all is as often what a handful of files are about (Bos Wars' folder of each unit,
five or six files named after it: ``medic_die``, ``medic.ready``), and their sound, averaged over so
few files by a model right a quarter of the time from the sound alone, says little, while a word
left out wrongly costs each file its name. At five: 79.7 % / 88.8 % as one job, 73.3 % / 86.3 %
alone, two or three files from eight's either way.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.index.records import FileRecord
from engine.tagging.lexicon import stems
from engine.words import file_stem, name_words, ucs_category_of, without_numbers

MIN_FILES = 8  # files in a folder, heard by the model, before a word they all share is weighed
SHARED = 0.8  # the share of a folder's files whose names hold a word for it to be the folder's


@dataclass(frozen=True)
class Shared:
    """The files of one folder, and the words (nearly) all of their names hold: {stem: the word as
    the names write it most}, the form the text tower reads."""

    records: list[FileRecord]
    words: dict[str, str]


def name_stems(record: FileRecord) -> dict[str, str]:
    """{stem: word} of the words of a file's name (numbers and words that describe nothing left out,
    as :func:`engine.tagging.lexicon.stems` leaves them)."""
    return {stem: word for word in without_numbers(name_words(record.path)) for stem in stems([word])}


def shared_words(records: Sequence[FileRecord]) -> dict[str, Shared]:
    """{folder: its files and their shared words} of the folders holding :data:`MIN_FILES` of
    ``records`` at least whose names share a word; the others are left out. A file named with a
    UCS CatID is not counted: the CatID decides its category whatever its words, and a folder of
    ``DOORWood_…`` files all share the words of their CatID (``engine.words.name_words``)."""
    by_folder: dict[str, list[FileRecord]] = {}
    for record in records:
        if ucs_category_of(file_stem(record.path)) is None:
            by_folder.setdefault(os.path.dirname(record.path), []).append(record)
    out = {}
    for folder, members in by_folder.items():
        if len(members) < MIN_FILES:
            continue
        named = [name_stems(r) for r in members]
        held = Counter(stem for found in named for stem in found)
        common = [stem for stem, files in held.items() if files >= SHARED * len(members)]
        if common:
            written = {stem: Counter(found[stem] for found in named if stem in found) for stem in common}
            out[folder] = Shared(members, {stem: forms.most_common(1)[0][0] for stem, forms in written.items()})
    return out


def disagreeing(said: Mapping[str, np.ndarray], heard: np.ndarray) -> frozenset[str]:
    """The stems of ``said`` ({stem: (categories,) what the word alone says}) whose categories the
    folder's sound (``heard``, (categories,): its files' mean) finds less likely than chance: the
    expected probability of the word's categories under the sound below one in as many categories
    as there are."""
    chance = 1.0 / len(heard)
    return frozenset(stem for stem, categories in said.items() if float(categories @ heard) < chance)
