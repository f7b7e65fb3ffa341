"""Tags and caption written into a *copy* of a WAV file, in its BWF ``bext`` and ``iXML`` chunks.

Opt-in only, and never into the original: the user names a new file, which must not exist.
The copy gets the caption as the ``bext`` Description (256 bytes at most) and as the iXML
``NOTE``, and :func:`engine.tagging.embedded.tag_fields` (the tags as ``KEYWORDS``, the caption
as ``DESCRIPTION``, the UCS ``CATID``/``CATEGORY``/``SUBCATEGORY`` of a UCS tag) as ``NAME=text``
lines of the iXML ``USER`` block, the block Soundminer-style databases read. Every other chunk is
copied as it is; an existing ``bext`` keeps all but its Description, an existing iXML document all
but those two elements, and its ``USER`` block every line naming a field not written. Without a
caption the Description, ``NOTE`` and ``DESCRIPTION`` the file has are kept.

RF64/BW64 files (and anything that would reach 4 GiB) are refused: users report large files
damaged by tools that rewrote them with 32-bit sizes, and a RIFF size field cannot hold them.
"""

from __future__ import annotations

import os
import struct
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

from engine.audio.riff import RiffError, chunk_data, is_riff_wave, iter_chunks, ixml_data, parse_ixml, write_wave
from engine.tagging.embedded import CopyError, new_file, tag_fields
from engine.tagging.vocabulary import Vocabulary

BEXT_FIXED = 602  # bytes of a version-1 bext chunk before its coding history
DESCRIPTION = 256


class BwfWriteError(CopyError):
    """A WAV file that is not written into; the message names it and says why."""


def write_tagged_copy(
    source: str | os.PathLike,
    target: str | os.PathLike,
    tags: Sequence[str],
    caption: str,
    vocabulary: Vocabulary | None = None,
) -> Path:
    """Copy ``source`` (a RIFF WAV) to ``target`` with ``tags`` and ``caption`` in its BWF chunks."""
    source, target = Path(source), Path(target)
    with source.open("rb") as handle:
        head = handle.read(12)
        if head[:4] in (b"RF64", b"BW64"):
            raise BwfWriteError(f"{source} is an RF64 file (over 4 GB): Earmark does not rewrite those")
        if not is_riff_wave(head):
            raise BwfWriteError(f"{source} is not a WAV file: only WAV carries bext and iXML chunks")
        try:
            chunks = list(iter_chunks(handle))
            bext = _bext(chunk_data(handle, chunks, b"bext"), caption)
            ixml = _ixml(chunk_data(handle, chunks, b"iXML"), tag_fields(tags, caption, vocabulary), caption)
            with new_file(source, target) as temporary, open(temporary, "wb") as out:
                write_wave(handle, out, chunks, {b"bext": bext, b"iXML": ixml})
        except RiffError as exc:
            raise BwfWriteError(f"{source}: {exc}") from None
    return target


def _description(caption: str) -> bytes:
    """The caption in 256 bytes, cut at a character boundary, NUL padded."""
    raw = caption.encode("utf-8")[:DESCRIPTION]
    return raw.decode("utf-8", "ignore").encode("utf-8").ljust(DESCRIPTION, b"\0")


def _bext(existing: bytes | None, caption: str) -> bytes:
    if existing is not None and len(existing) >= BEXT_FIXED:
        return (_description(caption) if caption else existing[:DESCRIPTION]) + existing[DESCRIPTION:]
    originator = b"Earmark".ljust(32, b"\0")
    rest = originator + b"\0" * (32 + 10 + 8 + 8) + struct.pack("<H", 1) + b"\0" * (64 + 10 + 180)
    return _description(caption) + rest


def _ixml(existing: bytes | None, fields: dict[str, str], caption: str) -> bytes:
    root = parse_ixml(existing)
    if root is None:  # none, or an unreadable one: replaced (in the copy only)
        root = ElementTree.Element("BWFXML")
        ElementTree.SubElement(root, "IXML_VERSION").text = "2.10"
    kept = [line for line in (root.findtext("USER") or "").splitlines() if line.partition("=")[0] not in fields]
    texts = {"USER": "\n".join([f"{name}={text}" for name, text in fields.items()] + kept)}
    if caption:
        texts["NOTE"] = caption
    for name, text in texts.items():
        element = root.find(name)
        if element is None:
            element = ElementTree.SubElement(root, name)
        element.text = text
    return ixml_data(root)
