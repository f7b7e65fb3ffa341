"""Tags and caption written into a *copy* of a FLAC, Ogg Vorbis, Opus, MP3 or AIFF file, in the
metadata its own format carries (WAV copies are :mod:`engine.tagging.bwf`'s); the fields every
copy carries, whatever its format; and the one way a copy is put in place.

Every format gets the same fields, under the names the iXML ``USER`` block gives them (the block
Soundminer-style databases read from a BWF file): ``KEYWORDS`` (the tags, comma separated),
``DESCRIPTION`` (the caption) and, for the first UCS tag, ``CATID``, ``CATEGORY``,
``SUBCATEGORY`` and ``CATEGORYFULL``. Only the fields there is something for are written: a file
without a caption keeps the description it has.

- FLAC, Ogg Vorbis and Opus: Vorbis comments of those names, and the caption as ``COMMENT`` too
  (the field players and DAW browsers show).
- MP3 and AIFF (its ``ID3`` chunk): ID3v2.3 ``TXXX`` frames of those names, and the caption as
  the ``COMM`` comment too; v2.3 rather than 2.4, which some Windows tools do not read.

Other comments and frames are kept as they are. mutagen rewrites only the metadata: the audio
frames are copied byte for byte (an Ogg file's pages are renumbered around its longer comment
header, their packets unchanged). CAF, Wave64 and Ogg FLAC are refused, naming the file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import mutagen
from mutagen.aiff import AIFF
from mutagen.flac import FLAC
from mutagen.id3 import COMM, ID3, TXXX
from mutagen.mp3 import MP3
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from engine.tagging.rename import RenameError, move
from engine.tagging.vocabulary import Vocabulary

WRITTEN_FORMATS = "WAV, FLAC, Ogg Vorbis, Opus, MP3 and AIFF"
_MUTAGEN_KINDS = (FLAC, OggVorbis, OggOpus, MP3, AIFF)
_UTF16 = 1  # ID3v2.3 has no UTF-8 text encoding


class CopyError(ValueError):
    """A tagged copy that is not written; the message names the file and says why."""


def tag_fields(tags: Sequence[str], caption: str, vocabulary: Vocabulary | None) -> dict[str, str]:
    """{field: text} a copy of a file with ``tags`` and ``caption`` carries, in every format; the
    UCS fields of its first tag that is a UCS category of ``vocabulary``."""
    fields = {"KEYWORDS": ", ".join(tags)} if tags else {}
    if caption:
        fields["DESCRIPTION"] = caption
    by_tag = {t.tag: t for t in vocabulary.terms} if vocabulary is not None else {}
    ucs = next((by_tag[t] for t in tags if t in by_tag and by_tag[t].is_ucs), None)
    if ucs is not None:
        fields |= {"CATID": ucs.key, "CATEGORY": ucs.category, "SUBCATEGORY": ucs.subcategory, "CATEGORYFULL": ucs.tag}
    return fields


@contextmanager
def new_file(source: Path, target: Path) -> Iterator[str]:
    """A temporary path beside ``target`` to write the copy of ``source`` to; when the block ends
    without an exception it takes ``source``'s times and becomes ``target``, never over a file
    (one already there is refused before anything is written, one that appears meanwhile when it
    would be put in place). It is removed whatever happens."""
    if os.path.lexists(target) or target.resolve() == source.resolve():
        raise CopyError(f"{target} already exists: the tagged copy goes to a new file")
    fd, temporary = tempfile.mkstemp(prefix=".earmark-", suffix=source.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield temporary
        shutil.copystat(source, temporary)
        move(temporary, str(target))
    except RenameError as exc:
        raise CopyError(str(exc)) from None
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def write_tagged_copy(
    source: str | os.PathLike,
    target: str | os.PathLike,
    tags: Sequence[str],
    caption: str,
    vocabulary: Vocabulary | None = None,
) -> Path:
    """Copy ``source`` (FLAC, Ogg Vorbis, Opus, MP3 or AIFF) to ``target`` with ``tags`` and
    ``caption`` in its own metadata; :class:`CopyError` naming it for any other format."""
    source, target = Path(source), Path(target)
    kind = _kind(source)
    fields = tag_fields(tags, caption, vocabulary)
    with new_file(source, target) as temporary:
        shutil.copyfile(source, temporary)
        try:
            audio = kind(temporary)
            if audio.tags is None:
                audio.add_tags()
            if isinstance(audio.tags, ID3):
                _id3(audio.tags, fields, caption)
                audio.save(v2_version=3)
            else:
                _vorbis(audio.tags, fields, caption)
                audio.save()
        except mutagen.MutagenError as exc:
            raise CopyError(f"{source}: its tags cannot be written ({exc})") from None
    return target


def _kind(source: Path) -> type[mutagen.FileType]:
    try:
        audio = mutagen.File(source, options=_MUTAGEN_KINDS)
    except mutagen.MutagenError as exc:
        raise CopyError(f"{source}: its tags cannot be read ({exc})") from None
    if audio is None:
        raise CopyError(f"{source} is not in a format Earmark writes tags into ({WRITTEN_FORMATS})")
    return type(audio)


def _vorbis(comments, fields: dict[str, str], caption: str) -> None:
    for name, text in fields.items():
        comments[name] = [text]
    if caption:
        comments["COMMENT"] = [caption]


def _id3(frames: ID3, fields: dict[str, str], caption: str) -> None:
    for name, text in fields.items():
        frames.setall(f"TXXX:{name}", [TXXX(encoding=_UTF16, desc=name, text=[text])])
    if caption:
        frames.setall("COMM::eng", [COMM(encoding=_UTF16, lang="eng", desc="", text=[caption])])
