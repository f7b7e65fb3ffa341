"""The text columns that keyword search reads, derived from a file's name, folders and metadata.

Keyword search ranks with BM25 over three fields, each its own column and full-text index,
weighed by :data:`TEXT_FIELDS` (the weights come from ``bench/search_quality.py``): the
name is what the sound is called, by the library's author (the file name) and by its user (the
tags they gave it), its folders are the shelf it sits on (shared by many files, so they say
less about each one), and the rest (BWF/iXML/ID3 descriptions, caption) is what someone wrote
about it. Tags sat with the descriptions until a user's own tag was found to weigh a twelfth of
a name word: BM25 counts a field's files and words among the files that hold any, and in a
library of bare file names a handful of tagged files made "gpws" there an ordinary word of
long texts (0.9 against 11.1 for ``gpws-inop.wav``'s name).

``search_text`` folds all three into one line of words, indexed with word positions and no
stemming (the store's phrase index), so quoted phrases and exclusions stay an exact test of
whole consecutive words: "door creak" holds for ``old_door_creak.wav``, not for
``doors_creaking.wav``, and costs an index lookup, not a scan of every file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from engine.fs import folders_below
from engine.search.localized import language_names
from engine.words import (
    describing,
    in_meant_sense,
    name_words,
    titles_whole,
    ucs_origin_words,
    with_abbreviations,
    with_compound_heads,
    without_compound_heads,
    word_lists_fingerprint,
    words,
)

NAME, FOLDER, INFO = "name_text", "folder_text", "info_text"
# BM25 weight of each field, measured on bench/search_quality.py's named library
TEXT_FIELDS = {NAME: 2.0, FOLDER: 1.0, INFO: 1.0}
PHRASE_COLUMN = "search_text"
# Bumped whenever engine.words or the fields change what a file's columns hold (11: "loop" is a
# non-word; 12: descriptions and tags are read with abbreviations and derived forms, as names are;
# 13: a word hidden behind a short prefix, "ralarm", is read beside the name as written; 14: a
# folder's title written with capitals, "OpenSFX", is one word; 15: a listed compound is held with
# its head, "trapdoor door"; 16: a split with a function word at an edge gives way to sound words,
# "stepsnow" is "step snow"; 17: "etc" is a non-word, as "usr" and "share" are; 18: a folder named by
# a language's code holds the language's name, de/ "german");
# a change of the word lists (abbreviations, compounds, derivations, sound words, function words)
# changes it by itself. A library indexed before is re-read from its stored names and metadata when it opens (no
# re-embedding).
TEXT_VERSION = f"18-{word_lists_fingerprint()}"


@dataclass(frozen=True)
class FileText:
    name: str
    folder: str
    info: str

    @property
    def columns(self) -> dict[str, str]:
        padded = " ".join(filter(None, (self.name, self.folder, self.info)))
        return {NAME: self.name, FOLDER: self.folder, INFO: self.info, PHRASE_COLUMN: f" {padded} "}


def folder_words(path: str, library_folder: str, nearest: int | None = None) -> list[str]:
    """Words of the folders between the library folder and the file ("Doors/Wood Heavy"
    -> doors wood heavy), of the ``nearest`` folders only when given (tagging's shelves,
    engine.tagging.evidence); the library folder's own name says where, not what. A folder word
    written as one is kept as one: run together, it is far more often a title ("opencity",
    "netpanzer", "freedroidrpg") than a description, and split into the words it could be read
    as, it made every file below it match "open", "net" or "free" and lengthened the field every
    other word is weighed against (docs/benchmarks.md, "Folder titles"). So is one written with
    capitals that is no word read whole ("OpenSFX": :func:`engine.words.titles_whole`). Capitals
    and separators still split a word's parts ("GunShots", "Body_Falls"), and so do file names."""
    folders = folders_below(path, library_folder) if library_folder else [os.path.basename(os.path.dirname(path))]
    return words(titles_whole(" ".join(folders[-nearest:] if nearest else folders)), compounds=False)


def file_text(path: str, library_folder: str, metadata_text: str, tags: Iterable[str], caption: str) -> FileText:
    """The columns of one file, its tags' words after its name's, a UCS name's CreatorID and
    SourceID with its folders'. Every field is read for what it means (:func:`held`)."""
    info = held(words(" ".join([metadata_text, caption])))
    name, folders = (held(found) for found in (name_words(path), folder_words(path, library_folder)))
    origin = ucs_origin_words(path)  # a UCS name's CreatorID and SourceID: where it comes from, as a folder
    spoken = language_names(folders_below(path, library_folder))  # de/ -> german
    return FileText(" ".join(name + tag_words(tags)), " ".join(folders + origin + spoken), " ".join(info))


def tag_words(tags: Iterable[str]) -> list[str]:
    """The words of a file's tags as its name column holds them, after the name's."""
    return held(words(" ".join(tags)))


def held(found: list[str]) -> list[str]:
    """A field's words as the index holds them, read for what they mean: a sound-library
    abbreviation followed by the word it stands for (``AMB/EXPL_Big_03`` is found by "ambience" and
    "explosion"), a derived form by its idea's head (engine.words.with_abbreviations), and a listed
    compound by its head (engine.words.with_compound_heads: ``trapdoor.wav`` is found by "door"), in
    a description or a tag as in a name (a description "Ambient" is found by "ambience", as
    ``ambient_wind.wav`` is)."""
    return with_compound_heads(with_abbreviations(found))


def meaning_parts(name_text: str, info_text: str, tags: Iterable[str], shelf: Iterable[str] = ()) -> tuple[str, str]:
    """A file's name and its description as what the names mean reads them (engine.index.
    word_vectors.file_texts): the name column less the tags' words :func:`file_text` put after
    the name's, then, for a name that says one thing or nothing, its folder's words it does not
    hold (``shelf``: "track" in ``bgm/`` is a bgm track; review 12, H1: MiniLM put "track" alone
    near "footsteps"), and the tags' words after the description's. A tag is weighed as a name by
    keyword search, but its meaning is its own text, so tagging a file never blurs its name's vector.
    Every name read with its folder cost doors, fire and weather (the folders of game packs say
    "soundfx", "environment"); bench/search_quality.py, named: 0.627 as the name alone, 0.631 with
    every folder, 0.638 with the folders of one-word names. A compound's head the columns hold
    beside it (:func:`held`) is left out: the text tower knows what "seagulls" means, and the
    head only moved a name's vector (bench/search_quality.py: a waves-and-seagulls ambience went
    up the birds' list, a lion's roar off the "wild animal roar" meaning's ten)."""
    tagged = tag_words(tags)
    name = name_text.split()
    name = without_compound_heads(name[: len(name) - len(tagged)])
    if len(describing(name)) <= 1:  # a name of two words or more says what it is on its own
        name += [w for w in dict.fromkeys(shelf) if w not in name]
    described = without_compound_heads([*info_text.split(), *tagged])
    return " ".join(in_meant_sense(name)), " ".join(described)


def shelf_words(path: str, library_folder: str) -> list[str]:
    """The words of the folder a file sits in (none for a file of the library folder itself)."""
    return folder_words(path, library_folder, nearest=1)


def phrase_texts(phrase: str) -> list[str]:
    """``phrase`` as ``search_text`` may hold it, each way the index writes words: a file name's
    compounds split and a folder's kept whole ("netpanzer" is "net panzer" in ``netpanzer.wav``
    and "netpanzer" in ``netpanzer/shot.wav``), with and without what the phrase's abbreviations
    stand for and its compounds' heads (:func:`held`: ``EXPL_Big`` is held as "expl explosion big",
    its metadata as written). A file holding any of them holds the phrase; none when the phrase has
    no word characters."""
    variants = []
    for found in (words(phrase), words(phrase, compounds=False)):
        variants += [" ".join(found), " ".join(held(found))]
    return [text for text in dict.fromkeys(variants) if text]
