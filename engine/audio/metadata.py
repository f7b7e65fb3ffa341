"""Descriptive metadata of a sound file, merged into one text for full-text search.

Sound libraries keep their words in different places: BWF ``bext`` and iXML in
WAV (read with wavinfo), RIFF INFO, ID3 in MP3 (and sometimes WAV/AIFF), Vorbis
comments in FLAC/Ogg/Opus and text chunks in AIFF (read with mutagen), plus
the UCS file name. Every source is best-effort: a damaged tag is logged and
skipped, it never costs the file its place in the index.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field

from engine.audio.files import PathLike, open_readonly
from engine.audio.tag_sources import describes, read_fields
from engine.audio.ucs import UcsName, parse_ucs_filename

log = logging.getLogger(__name__)

# Bumped whenever what FileMetadata.text holds changes: a library indexed before has its files'
# headers read again by the next full index run (engine.library.indexer; no audio decoded).
# 2: the recorder, dates, IDs and the iXML slate are no longer read as words; Vorbis comments in
# the file's order. 3: a RIFF INFO value ends at its first NUL (the bytes a writer left after it
# were read as words). 4: the credits (artist, engineer…) last, after an empty line (the same words).
METADATA_VERSION = 4

# The first present field wins each role; keys are "<source>.<field>", lower-case.
_ROLES = {
    "title": ("info.title", "id3.tit2", "vorbis.title", "aiff.name"),
    "artist": ("info.artist", "id3.tpe1", "vorbis.artist", "aiff.auth"),
    "comment": ("info.comment", "id3.comm", "vorbis.comment", "aiff.anno", "ixml.note"),
    "description": ("bext.description", "vorbis.description", "id3.txxx:description", "info.subject"),
}
_KEYWORD_FIELDS = ("info.keywords", "vorbis.keywords", "id3.txxx:keywords")
# The fields that say who made the sound, not what it is: searchable like the rest ("qubodup" finds
# their files), shown beside what a file says of its sound, never as all it says (described).
_CREDIT_FIELDS = frozenset(
    {*_ROLES["artist"], "info.engineer", "id3.tpe2", "id3.tcom", "aiff.copyright"}
    | {"vorbis.performer", "vorbis.composer", "vorbis.author", "vorbis.organization", "vorbis.copyright"}
)
_CREDITS_APART = "\n\n"  # in FileMetadata.text: the credits follow an empty line

# What a file's metadata says of where the file came from rather than of its sound: the stamp of a
# tool that wrote it (SoX writes "Processed by SoX" into every file it makes: 165 of a game
# library's 1,035 sounds said only that), a packager's note (rockdodger's "Modified from Debian
# package gnome-media-common.": its words made drip.wav a voice), a licence (CC BY, "Licensed
# under…", "Public Domain/WTFPL/CC0", "License: GPLv2+", "Attribution-ShareAlike 3.0"), a link or
# an address ("freesound.org/people/..."). The
# Description leaves out a part of a line holding one (:func:`of_the_sound`: "electric kettle on
# the boil. CC-BY-SA" keeps its first sentence); tagging leaves out the matches themselves
# (engine.tagging.evidence.file_words), so a match spans the whole stamp ("processed by sox").
PROVENANCE = re.compile(
    "|".join(
        (
            r"\b(?:processed by )?sox\b|\baudacity\b|\blmms\b|linux multimedia studio|\bfl studio\b|\bgoldwave\b"
            r"|\bsound ?forge\b|\bffmpeg\b|\blav[fc] ?\d|\blame ?\d|\blibvorbis\b|\blibsndfile\b",
            r"\b(?:(?:modified|taken|adapted|derived|converted|copied) )?(?:from )?(?:the )?(?:debian|ubuntu) package\b"
            r"(?: [\w.+-]+)?|\b(?:modified|taken|adapted|derived|converted|copied) from (?:the )?package [\w.+-]+",
            r"\blicen[cs]e[ds]?\b *(?::|under\b)?"
            r"|\bcreative commons\b(?:[- ](?:licen[cs]e|\d(?:\.\d)?|unported|international))*"
            r"|\battribution(?:[- ](?:share ?alike|non ?commercial|no ?deriv(?:s|atives)?))+\b(?: ?\d(?:\.\d)?)?"
            r"|\bcc[- ]?(?:by(?:[- ]sa)?(?: ?\d(?:\.\d)?)?|0|zero)\b|\bpublic domain\b|\bwtfpl\b|\bl?gpl(?: ?v?\d)?\b"
            r"|\bart libre\b|\ball rights reserved\b|\bcopyright\b|©|\(c\) *\d{4}|\bown recording\b",
            r"(?:https?://|www\.)\S+|\S+@\S+|\b[\w-]+\.(?:com|org|net)\b",
        )
    ),
    re.IGNORECASE,
)
_PARTS = re.compile(r"((?<=[.!?])\s+|\s*[|;]\s*)")  # where a line's sentences and listed parts end


@dataclass
class FileMetadata:
    title: str = ""
    artist: str = ""
    comment: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # every text field found, e.g. "bext.originator"
    ucs: UcsName | None = None

    @property
    def text(self) -> str:
        """All the words about the sound, each distinct value once: what the full-text index
        stores and tagging reads (not the recorder, dates or IDs: :func:`describes`). The credits
        (:data:`_CREDIT_FIELDS`) come last, after an empty line: the same words, and the
        Description tells who made a sound from what the file says of it (:func:`described`)."""
        parts = [value for key, value in self.fields.items() if describes(key) and key not in _CREDIT_FIELDS]
        if self.ucs is not None:
            parts += [self.ucs.category, self.ucs.subcategory, self.ucs.user_category, self.ucs.vendor_category]
        about = list(dict.fromkeys(p for p in parts if p))
        credits = [value for key, value in self.fields.items() if key in _CREDIT_FIELDS and value not in about]
        return "\n".join(about) + (_CREDITS_APART + "\n".join(dict.fromkeys(credits)) if credits else "")


def described(metadata_text: str, name: str) -> str:
    """What a file's own metadata says of its sound, in one line ("gravel · footsteps on a garden
    path"): its :attr:`FileMetadata.text` less the category words a UCS name adds there for the
    index (the name says them already), less what says where the file came from rather than how
    it sounds (:func:`of_the_sound`: a tool's stamp, a licence, a link), and with its credits only
    beside something else: a bare "BartK" or "Processed by SoX" filled a game library's column
    with noise. A library's BWF descriptions and titles were searched and never shown: "footsteps
    gravel" listed bang.wav, whose title is "gravel", for no reason one could see. A text indexed
    before its credits were set apart (METADATA_VERSION 4) reads them as the rest."""
    about, _, credits = metadata_text.partition(_CREDITS_APART)
    ucs = parse_ucs_filename(name)
    added = {ucs.category, ucs.subcategory, ucs.user_category, ucs.vendor_category} if ucs else set()
    said = [of_the_sound(line) for line in about.splitlines() if line.strip() and line not in added]
    said += [of_the_sound(line) for line in credits.splitlines()] if any(said) else []
    return " · ".join(line for line in said if line)


def of_the_sound(line: str) -> str:
    """``line`` without its parts (its sentences, or what "|" and ";" list) that say where the file
    came from rather than what it sounds like (:data:`PROVENANCE`); "" when that is all."""
    parts = _PARTS.split(line)  # a part, then what ends it, ..., the last part
    kept = "".join(
        part + end for part, end in zip(parts[::2], [*parts[1::2], ""], strict=True) if not PROVENANCE.search(part)
    )
    return kept.strip(" |;")


def read_metadata(path: PathLike) -> FileMetadata:
    """Read every text field a file carries; raises AudioDecodeError only if it cannot be opened."""
    with open_readonly(path) as handle:
        fields = read_fields(handle)
    roles = {role: next((fields[k] for k in keys if fields.get(k)), "") for role, keys in _ROLES.items()}
    keywords = [word.strip() for key in _KEYWORD_FIELDS for word in re.split(r"[,;]", fields.get(key, ""))]
    name = os.fsdecode(os.path.basename(os.fspath(path)))
    return FileMetadata(
        **roles, keywords=list(dict.fromkeys(k for k in keywords if k)), fields=fields, ucs=parse_ucs_filename(name)
    )
