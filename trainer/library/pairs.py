"""Audio-caption pairs from the user's indexed library: the text it already holds about each file.

Every text goes through the one tokeniser (engine/words.py):

- the file name: a UCS name gives its FX name plus its CatID's category words; any other name
  gives its words without bare numbers, take markers and generic words
  (:func:`trainer.corpus.captions.clean_words`);
- its nearest two folders below the library folder, as context after the name (as the corpus
  captions have it): ``Vendor/Doors/Wood/Creak_Heavy_03.wav`` -> "creak heavy, doors wood";
- the descriptive metadata fields (BWF description and title, and their ID3/Vorbis/RIFF
  equivalents; comments are mostly what a tool or a licence says). ``record.metadata_text``
  merges every field that holds words, comments, artists and licences included, so those roles
  are read from the file's header instead;
- the user's tags and the file's metadata keywords, which become keyword-to-caption text at
  training time (laion-clap.txt §3.5, ``trainer/data/keywords.py``);
- the user's caption, as written.

A name that says nothing about the sound (``Take_017``, ``ZOOM0001``, ``Audio 01``) gives no
text. A file left with no text of its own is not a training pair: its folder alone would give
every file in it the same caption. It stays in the library and searchable as before.

The held-out part is whole folders (:func:`split_by_folder`): a folder's files are variations
of one sound, and one of them in training would make its siblings easy to find.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.audio.decode import AudioDecodeError
from engine.audio.metadata import FileMetadata, read_metadata
from engine.audio.ucs import parse_ucs_filename
from engine.fs import folders_below
from engine.index.records import FileRecord
from engine.words import file_stem, ucs_categories
from trainer.corpus.captions import clean_words
from trainer.data.keywords import keyword_caption
from trainer.data.manifest import Item

log = logging.getLogger(__name__)

# Words that recorders, phones, cameras and DAWs put in the names they make up. A name of only
# these, numbers, take markers and single letters says nothing about the sound; in a name that
# does say something they stay ("Race_Track_Ambience"). Words that also name a sound (shot,
# roll, clip, voice, mic, camera, record) are not here: "Shot_01" is a gunshot.
DEVICE_WORDS = frozenset(
    """
zoom tascam dr ste rec recording recordings take track audio untitled memo bounce bounced
export exported render rendered session scene sc slate dsc img mvi vid video mov marantz pmd
roland sony icd ls mixpre sd zaxcom
""".split()
)
MAX_DESCRIPTION_WORDS = 40  # a long description is mostly notes about the recording, not the sound
CONTEXT_FOLDERS = 2  # as the corpus captions (trainer/corpus/captions.py)


def says_nothing(name: str) -> bool:
    """True when a file name holds no word about the sound: ``Take_017.wav``, ``ZOOM0001.WAV``,
    ``STE-003.wav``, ``Audio 01.aif``, ``New Recording 12.m4a``, ``2021-03-04 10.22.wav``."""
    return _says_nothing(file_stem(name))


def _says_nothing(text: str) -> bool:
    return not [w for w in clean_words(text) if len(w) > 1 and w not in DEVICE_WORDS]


def name_caption_words(path: str) -> list[str]:
    """The words of a file name that describe its sound (empty when the name says nothing)."""
    name = os.path.basename(path)
    ucs = parse_ucs_filename(name)
    if ucs is not None:  # the FX name (unless it is a recorder's), then the category words of the CatID
        found = [] if _says_nothing(ucs.fx_name) else clean_words(ucs.fx_name)
        return found + [w for w in ucs_categories()[ucs.cat_id].words if w not in found]
    return [] if says_nothing(name) else clean_words(file_stem(name))


def folder_caption_words(path: str, library_folder: str, folders: int = CONTEXT_FOLDERS) -> list[str]:
    """Words of the nearest ``folders`` folders below the library folder that say something
    (generic words and numbers dropped, each word once): ``Vendor/Doors/Wood Heavy/x.wav`` ->
    doors wood heavy. Further up, folders name collections and vendors more than sounds."""
    found: list[str] = []
    saying = [part for part in map(clean_words, folders_below(path, library_folder)) if part]
    for part in saying[-folders:]:
        found += [w for w in part if w not in found]
    return found


def descriptions(metadata: FileMetadata | None, name_words: list[str]) -> list[str]:
    """The descriptive fields a person wrote (description and title; comments are mostly what a
    tool or a licence says: "Processed by SoX"), each once, without the ones that only repeat
    the file name or say nothing (a recorder's "ZOOM0001" title), shortened to
    :data:`MAX_DESCRIPTION_WORDS` words."""
    if metadata is None:
        return []
    found: dict[str, str] = {}
    for text in (metadata.description, metadata.title):
        key = " ".join(clean_words(text))
        if key and key not in found and key != " ".join(name_words) and not _says_nothing(text):
            found[key] = " ".join(text.split()[:MAX_DESCRIPTION_WORDS])
    return list(found.values())


@dataclass
class LibraryPairs:
    """The training and held-out items, and what was left out of the text side."""

    train: list[Item]
    val: list[Item]
    says_nothing: list[str] = field(default_factory=list)  # paths: no text of their own
    val_folders: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return self.train + self.val


def record_item(record: FileRecord, metadata: FileMetadata | None) -> Item | None:
    """The training item of one library file, or None when it has no text of its own."""
    name = name_caption_words(record.path)
    captions = []
    if name:
        context = [w for w in folder_caption_words(record.path, record.folder) if w not in name]
        captions.append(" ".join(name) + (", " + " ".join(context) if context else ""))
    captions += descriptions(metadata, name)
    if record.caption.strip():
        captions.append(" ".join(record.caption.split()))
    keywords = metadata.keywords if metadata is not None else []
    tags = list(dict.fromkeys(t.strip() for t in [*record.tags, *keywords] if t.strip()))
    if not captions and not tags:
        return None
    return Item(Path(record.path), list(dict.fromkeys(captions)), tags)


def _metadata(path: str) -> FileMetadata | None:
    try:
        return read_metadata(path)
    except (AudioDecodeError, OSError) as error:  # the audio may still be fine: train on the rest
        log.warning("%s: metadata not readable (%s); its name, tags and caption still count", path, error)
        return None


def library_pairs(
    records: Iterable[FileRecord],
    val_fraction: float = 0.15,
    max_val: int = 300,
    min_train: int = 32,
    min_val: int = 8,
    seed: int = 0,
) -> LibraryPairs:
    """Pairs of the library's searchable files, split into training and held-out folders.
    Raises ValueError, saying what the library lacks, when there is too little to learn from."""
    items, silent = [], []
    for record in sorted(records, key=lambda r: r.path):
        item = record_item(record, _metadata(record.path))
        if item is None:
            silent.append(record.path)
        else:
            items.append(item)
    train, val, val_folders = split_by_folder(items, val_fraction, max_val, seed)
    if len(train) < min_train or len(val) < min_val:
        raise ValueError(
            f"too little to learn from: {len(items)} files have a name, description, tags or caption that "
            f"describe them ({len(silent)} more have names that say nothing, like Take_017), giving {len(train)} "
            f"to train on and {len(val)} in held-out folders; fine-tuning needs at least {min_train} and {min_val}. "
            "Tag or caption more files, or add folders with descriptive names."
        )
    return LibraryPairs(train, val, silent, val_folders)


def split_by_folder(
    items: list[Item], val_fraction: float = 0.15, max_val: int = 300, seed: int = 0
) -> tuple[list[Item], list[Item], list[str]]:
    """(train, held out, held-out folders): whole folders, picked in a seeded order that depends
    only on their paths below the library (a resumed or repeated run, or the same library mounted
    elsewhere, holds out the same ones), until about ``val_fraction`` of the items (at most
    ``max_val``) are held out. A library in one folder is split by name instead, all the files
    whose names give one caption together ("door creak 01", "Door_Creak_v2", "door creak take 3")."""
    by_folder = splits_by_folder(items)
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[split_unit(item, by_folder)].append(item)
    hashed = _relative_to_common_parent(list(groups)) if by_folder else {key: key for key in groups}
    order = sorted(groups, key=lambda key: hashlib.sha1(f"{seed}|{hashed[key]}".encode()).hexdigest())
    target = min(round(len(items) * val_fraction), max_val)
    held: list[str] = []
    held_count = 0
    for key in order[:-1]:  # at least one group stays for training
        if held_count >= target:
            break
        if held_count + len(groups[key]) > max_val:
            continue
        held.append(key)
        held_count += len(groups[key])
    held_set = set(held)
    train = [item for key in sorted(groups) if key not in held_set for item in groups[key]]
    # a held-out file with tags only is scored against its keyword caption
    val = [
        Item(item.audio, item.captions or [keyword_caption(item.tags)], item.tags, "val")
        for key in sorted(held)
        for item in groups[key]
    ]
    return train, val, sorted(held)


def splits_by_folder(items: list[Item]) -> bool:
    """Whether a library of these items is split (and judged) by folder: it has two or more."""
    return len({item.audio.parent for item in items}) >= 2


def split_unit(item: Item, by_folder: bool) -> str:
    """What :func:`split_by_folder` holds out whole, and the verdict resamples: the file's folder,
    or in a library of one folder the words its caption is made of, so no held-out caption is also
    trained on ("Door_Creak_v2" and "door creak 01" together)."""
    return str(item.audio.parent) if by_folder else " ".join(name_caption_words(str(item.audio)))


def _relative_to_common_parent(folders: list[str]) -> dict[str, str]:
    """Each folder as a path below the folders' common parent, so that where the library is
    mounted (another drive letter or mount point, a test's temporary folder) never changes which
    folders are held out."""
    try:
        root = os.path.commonpath(folders)
    except ValueError:  # no common parent (folders on different drives)
        return {folder: folder for folder in folders}
    return {folder: Path(os.path.relpath(folder, root)).as_posix() for folder in folders}
