"""Tags and caption written into a *copy* of a WAV file, in its BWF ``bext`` and ``iXML`` chunks.

Opt-in only, and never into the original: the user names a new file, which must not exist.
The copy gets the caption as the ``bext`` Description (256 bytes at most) and as the iXML
``NOTE``, and the tags in the iXML ``USER`` block as ``KEYWORDS=...`` lines, with the UCS
``CATID``/``CATEGORY``/``SUBCATEGORY`` of a UCS tag (the block Soundminer-style databases read).
Every other chunk is copied as it is; an existing ``bext`` keeps all but its Description, and an
existing iXML document keeps all but those two elements.

RF64/BW64 files (and anything that would reach 4 GiB) are refused: users report large files
damaged by tools that rewrote them with 32-bit sizes, and a RIFF size field cannot hold them.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

from engine.audio.riff import RiffError, chunk_data, is_riff_wave, iter_chunks, ixml_data, parse_ixml, write_wave
from engine.tagging.rename import RenameError, move
from engine.tagging.vocabulary import Vocabulary

BEXT_FIXED = 602  # bytes of a version-1 bext chunk before its coding history
DESCRIPTION = 256


class BwfWriteError(ValueError):
    """A file that is not written into; the message names it and says why."""


def write_tagged_copy(
    source: str | os.PathLike,
    target: str | os.PathLike,
    tags: Sequence[str],
    caption: str,
    vocabulary: Vocabulary | None = None,
) -> Path:
    """Copy ``source`` (a RIFF WAV) to ``target`` with ``tags`` and ``caption`` in its BWF chunks."""
    source, target = Path(source), Path(target)
    if target.exists() or target.resolve() == source.resolve():
        raise BwfWriteError(f"{target} already exists: the tagged copy goes to a new file")
    with source.open("rb") as handle:
        head = handle.read(12)
        if head[:4] in (b"RF64", b"BW64"):
            raise BwfWriteError(f"{source} is an RF64 file (over 4 GB): Earmark does not rewrite those")
        if not is_riff_wave(head):
            raise BwfWriteError(f"{source} is not a WAV file: only WAV carries bext and iXML chunks")
        try:
            chunks = list(iter_chunks(handle))
        except RiffError as exc:
            raise BwfWriteError(f"{source}: {exc}") from None
        bext = _bext(chunk_data(handle, chunks, b"bext"), caption)
        ixml = _ixml(chunk_data(handle, chunks, b"iXML"), tags, caption, vocabulary)
        fd, temporary = tempfile.mkstemp(prefix=".earmark-", suffix=".wav", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                write_wave(handle, out, chunks, {b"bext": bext, b"iXML": ixml})
            shutil.copystat(source, temporary)
            move(temporary, str(target))  # never over a file that appeared meanwhile
        except RiffError as exc:
            raise BwfWriteError(f"{source}: {exc}") from None
        except RenameError as exc:
            raise BwfWriteError(str(exc)) from None
        finally:
            if os.path.lexists(temporary):
                os.unlink(temporary)
    return target


def _description(caption: str) -> bytes:
    """The caption in 256 bytes, cut at a character boundary, NUL padded."""
    raw = caption.encode("utf-8")[:DESCRIPTION]
    return raw.decode("utf-8", "ignore").encode("utf-8").ljust(DESCRIPTION, b"\0")


def _bext(existing: bytes | None, caption: str) -> bytes:
    if existing is not None and len(existing) >= BEXT_FIXED:
        return _description(caption) + existing[DESCRIPTION:]
    originator = b"Earmark".ljust(32, b"\0")
    rest = originator + b"\0" * (32 + 10 + 8 + 8) + struct.pack("<H", 1) + b"\0" * (64 + 10 + 180)
    return _description(caption) + rest


def _ixml(existing: bytes | None, tags: Sequence[str], caption: str, vocabulary: Vocabulary | None) -> bytes:
    root = parse_ixml(existing)
    if root is None:  # none, or an unreadable one: replaced (in the copy only)
        root = ElementTree.Element("BWFXML")
        ElementTree.SubElement(root, "IXML_VERSION").text = "2.10"
    lines = [f"KEYWORDS={', '.join(tags)}"] if tags else []
    if caption:
        lines.append(f"DESCRIPTION={caption}")
    by_tag = {t.tag: t for t in vocabulary.terms} if vocabulary is not None else {}
    ucs = next((by_tag[t] for t in tags if t in by_tag and by_tag[t].is_ucs), None)
    if ucs is not None:
        lines += [
            f"CATID={ucs.key}",
            f"CATEGORY={ucs.category}",
            f"SUBCATEGORY={ucs.subcategory}",
            f"CATEGORYFULL={ucs.tag}",
        ]
    for name, text in (("NOTE", caption), ("USER", "\n".join(lines))):
        element = root.find(name)
        if element is None:
            element = ElementTree.SubElement(root, name)
        element.text = text
    return ixml_data(root)
