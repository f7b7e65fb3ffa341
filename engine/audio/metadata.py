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
# were read as words).
METADATA_VERSION = 3

# The first present field wins each role; keys are "<source>.<field>", lower-case.
_ROLES = {
    "title": ("info.title", "id3.tit2", "vorbis.title", "aiff.name"),
    "artist": ("info.artist", "id3.tpe1", "vorbis.artist", "aiff.auth"),
    "comment": ("info.comment", "id3.comm", "vorbis.comment", "aiff.anno", "ixml.note"),
    "description": ("bext.description", "vorbis.description", "id3.txxx:description", "info.subject"),
}
_KEYWORD_FIELDS = ("info.keywords", "vorbis.keywords", "id3.txxx:keywords")


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
        stores and tagging reads (not the recorder, dates or IDs: :func:`describes`)."""
        parts = [value for key, value in self.fields.items() if describes(key)]
        if self.ucs is not None:
            parts += [self.ucs.category, self.ucs.subcategory, self.ucs.user_category, self.ucs.vendor_category]
        return "\n".join(dict.fromkeys(p for p in parts if p))


def described(metadata_text: str, name: str) -> str:
    """What a file's own metadata says of it, in one line ("gravel · footsteps on a garden path"):
    its :attr:`FileMetadata.text` less the category words a UCS name adds there for the index
    (the name says them already). A library's BWF descriptions and titles were searched and never
    shown: "footsteps gravel" listed bang.wav, whose title is "gravel", for no reason one could see."""
    ucs = parse_ucs_filename(name)
    added = {ucs.category, ucs.subcategory, ucs.user_category, ucs.vendor_category} if ucs else set()
    return " · ".join(line for line in metadata_text.splitlines() if line.strip() and line not in added)


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
