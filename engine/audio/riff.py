"""RIFF/WAVE chunks: listing a WAV file's top-level chunks, reading one, and writing a WAV that
is another's chunks with some replaced.

The two writers of BWF chunks share these, and the parsing and writing of an iXML document: a
tagged copy (:mod:`engine.tagging.bwf`) and a region dragged into a DAW
(:mod:`engine.audio.region`). Reading tags goes through wavinfo
(:mod:`engine.audio.tag_sources`) instead. Only 32-bit RIFF is handled: RF64/BW64 keep their sizes
in a ``ds64`` chunk, and Wave64 names its chunks by GUID.
"""

from __future__ import annotations

import os
import struct
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO, NamedTuple

RIFF_LIMIT = 0xFFFFFFFF  # the largest size a RIFF header can state
COPY_BLOCK = 1 << 20
FORMAT_CHUNK = b"fmt "


class RiffError(ValueError):
    """Chunks that cannot be read or written; the message says why, the caller names the file."""


class Chunk(NamedTuple):
    cid: bytes
    offset: int  # of its data, just past its 8-byte header
    size: int  # of its data, without the pad byte


def is_riff_wave(head: bytes) -> bool:
    """Whether a file's first 12 bytes open a 32-bit RIFF WAVE file."""
    return head[:4] == b"RIFF" and head[8:12] == b"WAVE"


def is_rf64_wave(head: bytes) -> bool:
    """Whether a file's first 12 bytes open a 64-bit WAVE file (RF64, or BW64 as EBU names it)."""
    return head[:4] in (b"RF64", b"BW64") and head[8:12] == b"WAVE"


def iter_chunks(handle: BinaryIO) -> Iterator[Chunk]:
    """Every top-level chunk of the RIFF file ``handle`` in order; :class:`RiffError` at one that
    runs past the end of the file (the chunks before it were yielded: a recording cut short
    keeps what it wrote before its audio)."""
    end = os.fstat(handle.fileno()).st_size
    position = 12
    while position + 8 <= end:
        handle.seek(position)
        cid, size = struct.unpack("<4sI", handle.read(8))
        if position + 8 + size > end:
            raise RiffError(f"chunk {cid!r} runs past the end of the file (damaged)")
        yield Chunk(cid, position + 8, size)
        position += 8 + _padded(size)


def chunk_data(handle: BinaryIO, chunks: Sequence[Chunk], cid: bytes) -> bytes | None:
    """The data of the first chunk ``cid`` among ``chunks``; None if there is none."""
    for chunk in chunks:
        if chunk.cid == cid:
            handle.seek(chunk.offset)
            return handle.read(chunk.size)
    return None


def write_wave(handle: BinaryIO, out: BinaryIO, chunks: Sequence[Chunk], replacing: Mapping[bytes, bytes]) -> None:
    """Write to ``out`` a RIFF WAVE file of ``handle``'s ``chunks`` where every chunk named in
    ``replacing`` is dropped and ``replacing``'s data is written, in its order, right after the
    ``fmt`` chunk (where readers look for BWF chunks first); a ``fmt`` in ``replacing`` takes the
    first ``fmt`` chunk's place. :class:`RiffError` before a byte is written when there is no
    ``fmt`` chunk or the result would pass what a RIFF size can state."""
    if not any(chunk.cid == FORMAT_CHUNK for chunk in chunks):
        raise RiffError("no fmt chunk: not a WAV file Earmark can copy")
    body = 4 + sum(8 + _padded(chunk.size) for chunk in chunks if chunk.cid not in replacing)
    body += sum(8 + _padded(len(data)) for data in replacing.values())
    if body > RIFF_LIMIT:
        raise RiffError("the new file would pass 4 GB, which a WAV cannot state")
    out.write(b"RIFF" + struct.pack("<I", body) + b"WAVE")
    inserted = False
    for chunk in chunks:
        if chunk.cid == FORMAT_CHUNK and not inserted:
            if FORMAT_CHUNK in replacing:
                _write_chunk(out, FORMAT_CHUNK, replacing[FORMAT_CHUNK])
            else:
                _copy_chunk(handle, out, chunk)
            for cid, data in replacing.items():
                if cid != FORMAT_CHUNK:
                    _write_chunk(out, cid, data)
            inserted = True
        elif chunk.cid not in replacing:
            _copy_chunk(handle, out, chunk)


def parse_ixml(data: bytes | None) -> ElementTree.Element | None:
    """The document of an iXML chunk's ``data`` (recorders pad it with NULs); None when there is
    none or it does not parse."""
    if not data:
        return None
    try:
        return ElementTree.fromstring(data.rstrip(b"\0"))
    except ElementTree.ParseError:
        return None


def ixml_data(root: ElementTree.Element) -> bytes:
    """An iXML document as a chunk's data: UTF-8, with its XML declaration."""
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _padded(size: int) -> int:
    return size + (size & 1)


def _write_chunk(out: BinaryIO, cid: bytes, data: bytes) -> None:
    out.write(cid + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1))


def _copy_chunk(handle: BinaryIO, out: BinaryIO, chunk: Chunk) -> None:
    out.write(chunk.cid + struct.pack("<I", chunk.size))
    handle.seek(chunk.offset)
    left = _padded(chunk.size)
    while left:
        block = handle.read(min(COPY_BLOCK, left))
        if not block:
            out.write(b"\0" * left)  # a missing pad byte at the very end
            break
        out.write(block)
        left -= len(block)
