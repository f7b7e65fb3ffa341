"""Cut a time region out of a file into a new file a DAW imports.

Dragging a selection of a lossless file into a DAW must give the DAW what the library holds: the
same container, sample rate, channel count and sample format. PCM samples are copied as integers
and float samples as doubles, so the region is bit-identical to the source frames. Apple Lossless
is the one exception to "the same sample format": libsndfile (1.2.2) encodes some ALAC
regions wrongly (the first 4,096 frames of a noise burst cut from mid-file came back changed),
so an ALAC CAF gives a CAF of plain PCM at the same depth, the same samples exactly.
A lossy source (MP3, Vorbis, Opus) gives a 32-bit float WAV of its decoded samples at its rate
and channel count: encoding them again would be a second generation of loss, decoded overs would
clip in integer PCM, and Pro Tools, among others, imports no Ogg or Opus at all.

A WAV's region (a WAV, not RF64 or Wave64, whose chunk layouts :mod:`engine.audio.riff` does not
write) carries the source's own ``fmt`` chunk: libsndfile writes a WAVE_FORMAT_EXTENSIBLE channel
mask of its own (a 5.1 with side surrounds became one with back surrounds, an 8-channel discrete
recording 7.1 with an LFE). Its BWF ``bext`` and ``iXML`` chunks go in too, as a DAW bouncing a
region keeps them: the same description, originator and iXML, and the bext TimeReference and iXML
timestamps advanced by the region's start frame so that the region still lines up on a timeline.
The region is a new file, not the source: the bext UMID is cleared and the iXML FILE_UID made anew
(the iXML spec's unique id of a file, which asset managers and conforming DAWs match files by;
dropped, the region would have none).

The region's name is the source's with the span: ``Door_01_1.250-2.500s.wav``. A Universal Category
System name gets the span inside its FXName (``DOORWood_Creak Slow 1.250 to 2.500s_JD_MYLIB.wav``):
appended, it lands where UCS readers take the SourceID and UserData, and a ``-`` in the FXName
begins a VendorCategory, so the span says "to". A long name is shortened (a UCS name's FXName,
then its UserData) to leave room for the temporary names the region is written under within the
file system's 255 bytes; the span and suffix stay whole, so two spans never share a name.

The source is opened read-only; only the new file is written.

Region files pile up in the cache, one per selection dragged, so :func:`prune_regions`
keeps them under a size cap, the oldest going first; never one of the running session, which a
DAW may still be reading.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import threading
import uuid
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import soundfile as sf

from engine.audio.decode import AudioFacts, open_sound
from engine.audio.files import AudioDecodeError, libsndfile_reason, open_readonly
from engine.audio.formats import LOSSY_SUBTYPES
from engine.audio.riff import (
    FORMAT_CHUNK,
    Chunk,
    RiffError,
    chunk_data,
    is_riff_wave,
    iter_chunks,
    ixml_data,
    parse_ixml,
    write_wave,
)
from engine.audio.ucs import UcsName, parse_ucs_shaped
from engine.fs import PARTIAL_SUFFIX, atomic_file

_FLOAT_OR_LOSSY = LOSSY_SUBTYPES | {"FLOAT", "DOUBLE"}  # read as doubles, the rest as integers
_DECODED = {"format": "WAV", "subtype": "FLOAT", "endian": "FILE"}  # what a lossy source's region is
_WRITTEN_AS = {"ALAC_16": "PCM_16", "ALAC_20": "PCM_24", "ALAC_24": "PCM_24", "ALAC_32": "PCM_32"}
_SOURCE_CHUNKS = (FORMAT_CHUNK, b"bext", b"iXML")
# A bext chunk's TimeReference (frames since midnight, 64 bits) follows its Description (256
# bytes), Originator (32), OriginatorReference (32), OriginationDate (10) and OriginationTime (8);
# its UMID (64 bytes, all zero for none: EBU Tech 3285) follows it and the Version (2).
_TIME_REFERENCE_AT = 256 + 32 + 32 + 10 + 8
_TIME_REFERENCE = struct.Struct("<Q")
_UMID_AT, _UMID_SIZE = _TIME_REFERENCE_AT + 8 + 2, 64
# iXML's copies of the timestamp, each a 64-bit count split into two 32-bit halves (high, low),
# and the rate it counts at where that need not be the file's.
_IXML_TIMESTAMPS = (
    (
        "SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI",
        "SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO",
        "SPEED/TIMESTAMP_SAMPLE_RATE",
    ),
    ("BEXT/BWF_TIME_REFERENCE_HIGH", "BEXT/BWF_TIME_REFERENCE_LOW", None),  # the bext's: the file's rate
)
# The WAVE format fields that say how samples are laid out: channels, sample rate, byte rate, block
# align and bits per sample, after the format tag; an extensible format's real tag opens its GUID.
_FORMAT_FIELDS = struct.Struct("<HHIIHH")
_EXTENSIBLE, _SUBFORMAT_AT = 0xFFFE, 24
# A region's name leaves room, within the file system's limit, for the names it is written under:
# atomic_file's "." + stem + "-" + tempfile's 8 random characters + PARTIAL_SUFFIX, which _write
# may set aside with _SET_ASIDE before PARTIAL_SUFFIX.
_NAME_BYTES = 255  # ext4, XFS, Btrfs, APFS (HFS+ and NTFS count 255 UTF-16 units, never more than the bytes)
_SET_ASIDE = ".plain"
_STEM_BYTES = _NAME_BYTES - (len(".-") + 8 + len(_SET_ASIDE) + len(PARTIAL_SUFFIX))
MAX_REGIONS_BYTES = 2 * 1024**3  # beyond this the oldest go first, however young (never this session's)
# Timestamps some file systems keep are coarse (FAT: 2 s): a file written just after the session
# began may carry a time just before it.
_MTIME_SLACK_NS = 2_000_000_000
# Held while a region's folder is made and its file written, and while the pruner removes a file
# or an empty folder: it never removes a folder a writer has just made, nor a file just rewritten.
_CACHE_LOCK = threading.Lock()


class RegionError(Exception):
    """A region that cannot be written; the message is meant for the user."""


def region_file_name(source: Path, start_s: float, end_s: float, suffix: str) -> str:
    """The source's name with the span, to the millisecond: across the waveform a selection of a
    one-second one-shot moves by a few milliseconds a pixel, and two spans given one name would
    share one file. A UCS name gets the span at the end of its FXName, every other block as it was.

    A name that would leave no room for its temporary names is shortened at a character boundary
    (UTF-8 bytes count): a UCS name's FXName first, then its UserData; the span and suffix stay whole."""
    room = min(_STEM_BYTES, _NAME_BYTES - _size(suffix))
    ucs = parse_ucs_shaped(source.name)
    if ucs is not None and (stem := _ucs_stem(ucs, f"{start_s:.3f} to {end_s:.3f}s", room)) is not None:
        return stem + suffix
    span = f"_{start_s:.3f}-{end_s:.3f}s"
    return _cut(source.stem, room - _size(span)) + span + suffix


def _ucs_stem(ucs: UcsName, span: str, room: int) -> str | None:
    """A UCS name's blocks with ``span`` ending its FXName, in ``room`` bytes; None when even its
    CatID and IDs with the span pass it."""
    head = f"{ucs.cat_id}-{ucs.user_category}" if ucs.user_category else ucs.cat_id

    def joined(fx_name: str, user_data: str) -> str:
        blocks = [head, f"{fx_name} {span}".lstrip(), ucs.creator_id, ucs.source_id, user_data]
        while not blocks[-1]:  # the optional blocks the name did not have
            blocks.pop()
        return "_".join(blocks)

    fx_name = _cut(ucs.fx_name, room - _size(joined("", ucs.user_data)) - 1).rstrip()  # 1: its space
    user_data = _cut(ucs.user_data, room - _size(joined(fx_name, "")) - 1).rstrip(" _")  # 1: its "_"
    stem = joined(fx_name, user_data)
    return stem if _size(stem) <= room else None


def _size(text: str) -> int:
    """The bytes ``text`` takes in a file name."""
    return len(os.fsencode(text))


def _cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` bytes of a file name, cut at a character boundary."""
    while text and _size(text) > room:
        text = text[:-1]
    return text


def source_folder(source: Path) -> str:
    """The folder a source's regions go in, one per file and version (its path, size and
    modification time): two libraries' ``Door_01.wav`` share a region's name, never its file,
    and a file rendered again in place gives new regions. The file name the DAW shows stays the
    source's, with the span."""
    info = source.stat()
    key = f"{source.resolve()}\0{info.st_size}\0{info.st_mtime_ns}"
    return hashlib.blake2b(os.fsencode(key), digest_size=8).hexdigest()


def write_region(source: str | os.PathLike, start_s: float, end_s: float, out_dir: Path) -> Path:
    """Write frames [start_s, end_s) of ``source`` to a new file in ``out_dir`` (in the
    source's own folder there, :func:`source_folder`); returns its path.

    Raises :class:`AudioDecodeError` when the source cannot be read and
    :class:`RegionError` when the region is empty or cannot be written.
    """
    source = Path(source)
    with open_sound(source) as (sound, facts):
        start = max(0, round(min(start_s, end_s) * facts.sample_rate))
        stop = min(facts.frames, round(max(start_s, end_s) * facts.sample_rate))
        if stop <= start:
            raise RegionError("The selected region is empty.")
        sound.seek(start)
        try:
            frames = sound.read(
                stop - start, dtype="float64" if facts.subtype in _FLOAT_OR_LOSSY else "int32", always_2d=True
            )
        except sf.LibsndfileError as exc:
            raise AudioDecodeError(f"damaged audio data: {libsndfile_reason(exc)}", source) from exc
        encoding, suffix = _written_as(sound, source)
    source_chunks = _source_chunks(source, start, facts.sample_rate)
    out_dir = Path(out_dir) / source_folder(source)
    span = (start / facts.sample_rate, (start + len(frames)) / facts.sample_rate)
    target = out_dir / region_file_name(source, *span, suffix)
    if target.resolve() == source.resolve():
        raise RegionError("Refusing to overwrite the source file with its own region.")
    # Through a temporary name: a DAW reading a region while the same span is written again sees
    # the old file or the new one, never half of one.
    try:
        with _CACHE_LOCK:
            out_dir.mkdir(parents=True, exist_ok=True)
            with atomic_file(target) as partial:
                _write(partial, frames, facts, encoding, source_chunks)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise RegionError(f"Cannot write a region of {source.name}: {exc}") from exc
    return target


def _written_as(sound: sf.SoundFile, source: Path) -> tuple[dict[str, str], str]:
    """The region's container, sample format and byte order, and its file name's suffix."""
    if sound.subtype in LOSSY_SUBTYPES:
        return _DECODED, ".wav"
    subtype = _WRITTEN_AS.get(sound.subtype, sound.subtype)
    return {"format": sound.format, "subtype": subtype, "endian": sound.endian}, source.suffix


def _source_chunks(source: Path, start_frame: int, sample_rate: int) -> dict[bytes, bytes]:
    """The source's ``fmt``, its ``bext`` and ``iXML`` made the region's (:func:`_region_bext`,
    :func:`_region_ixml`), those it has; none when it is not a RIFF WAV."""
    with open_readonly(source) as handle:
        if not is_riff_wave(handle.read(12)):
            return {}
        chunks: list[Chunk] = []
        try:
            for chunk in iter_chunks(handle):
                chunks.append(chunk)
        except RiffError:
            pass  # a recording cut short, its data chunk running past the end: the chunks before it count
        found = {cid: data for cid in _SOURCE_CHUNKS if (data := chunk_data(handle, chunks, cid)) is not None}
    if b"bext" in found:
        found[b"bext"] = _region_bext(found[b"bext"], start_frame)
    if b"iXML" in found:
        found[b"iXML"] = _region_ixml(found[b"iXML"], start_frame, sample_rate)
    return found


def _region_bext(bext: bytes, frames: int) -> bytes:
    """``bext`` with its TimeReference moved on by ``frames`` and no UMID (the source's names the
    source); one too short to hold a TimeReference, as it is."""
    end = _TIME_REFERENCE_AT + _TIME_REFERENCE.size
    if len(bext) < end:
        return bext
    (reference,) = _TIME_REFERENCE.unpack_from(bext, _TIME_REFERENCE_AT)
    moved = (reference + frames) % (1 << 64)  # a damaged reference wraps instead of failing the region
    umid_end = min(len(bext), _UMID_AT + _UMID_SIZE)
    cleared = bytes(max(0, umid_end - _UMID_AT))
    return bext[:_TIME_REFERENCE_AT] + _TIME_REFERENCE.pack(moved) + bext[end:_UMID_AT] + cleared + bext[umid_end:]


def _region_ixml(ixml: bytes, frames: int, sample_rate: int) -> bytes:
    """``ixml`` with its timestamps moved on by ``frames`` (the SPEED one counted at its own
    TIMESTAMP_SAMPLE_RATE) and a new FILE_UID, those it has; one that does not parse, or has
    none of them, as it is."""
    root = parse_ixml(ixml)
    if root is None:
        return ixml
    changed = False
    for high_path, low_path, rate_path in _IXML_TIMESTAMPS:
        rate = (_whole_number(root.find(rate_path)) if rate_path else None) or sample_rate
        changed |= _advance_split(root.find(high_path), root.find(low_path), round(frames * rate / sample_rate))
    file_uid = root.find("FILE_UID")
    if file_uid is not None:
        file_uid.text = uuid.uuid4().hex.upper()
        changed = True
    return ixml_data(root) if changed else ixml


def _advance_split(high: ElementTree.Element | None, low: ElementTree.Element | None, frames: int) -> bool:
    """Move the 64-bit count iXML splits into ``high`` and ``low`` 32-bit halves on by ``frames``;
    whether it did (not when either is missing or not a number)."""
    halves = (_whole_number(high), _whole_number(low))
    if high is None or low is None or None in halves:
        return False
    moved = ((halves[0] << 32 | halves[1]) + frames) % (1 << 64)
    high.text, low.text = str(moved >> 32), str(moved & 0xFFFFFFFF)
    return True


def _whole_number(element: ElementTree.Element | None) -> int | None:
    """The non-negative whole number ``element`` holds; None for none or other text."""
    text = (element.text or "").strip() if element is not None else ""
    return int(text) if text.isdigit() and text.isascii() else None


def _write(partial: Path, frames: np.ndarray, facts: AudioFacts, encoding: dict, chunks: dict[bytes, bytes]) -> None:
    """Encode ``frames`` into ``partial``; with a WAV source's ``chunks``, rewrite it with them
    in when they differ from libsndfile's (it writes no bext, and a channel mask of its own)."""
    _encode(partial, frames, facts, encoding)
    if not chunks:
        return
    with partial.open("rb") as handle:
        written = list(iter_chunks(handle))
        replacing = _replacing(chunks, chunk_data(handle, written, FORMAT_CHUNK))
    if not replacing:
        return  # the source's fmt is libsndfile's and it has no BWF chunks: no second copy
    plain = partial.with_name(f"{partial.stem}{_SET_ASIDE}{PARTIAL_SUFFIX}")  # a crash's leftover is pruned
    os.replace(partial, plain)
    try:
        with plain.open("rb") as handle, partial.open("wb") as out:
            write_wave(handle, out, written, replacing)
    finally:
        plain.unlink(missing_ok=True)


def _replacing(chunks: dict[bytes, bytes], written_format: bytes | None) -> dict[bytes, bytes]:
    """The source's ``chunks`` to put into the encoded region: its ``fmt`` only where it lays the
    samples out as libsndfile's ``written_format`` does (its channel mask and all) and differs."""
    replacing = {cid: data for cid, data in chunks.items() if cid != FORMAT_CHUNK}
    source_format = chunks.get(FORMAT_CHUNK)
    if source_format is None or written_format is None or source_format == written_format:
        return replacing
    if _sample_layout(source_format) is not None and _sample_layout(source_format) == _sample_layout(written_format):
        return {FORMAT_CHUNK: source_format, **replacing}
    return replacing


def _sample_layout(fmt: bytes) -> tuple[int, ...] | None:
    """A ``fmt`` chunk's sample encoding (an extensible one's subformat tag), channels, rate,
    block align and bits per sample; None when it is too short to say."""
    if len(fmt) < _FORMAT_FIELDS.size:
        return None
    tag, channels, rate, _byte_rate, block_align, bits = _FORMAT_FIELDS.unpack_from(fmt)
    if tag == _EXTENSIBLE:
        if len(fmt) < _SUBFORMAT_AT + 2:
            return None
        (tag,) = struct.unpack_from("<H", fmt, _SUBFORMAT_AT)
    return tag, channels, rate, block_align, bits


def _encode(path: Path, frames: np.ndarray, facts: AudioFacts, encoding: dict) -> None:
    with sf.SoundFile(str(path), "w", samplerate=facts.sample_rate, channels=facts.channels, **encoding) as out:
        out.write(frames)


def prune_regions(regions_dir: Path, session_start: float, max_bytes: int = MAX_REGIONS_BYTES) -> int:
    """Keep the region files in ``regions_dir`` under ``max_bytes`` together, the oldest going
    first, and remove what a crash left half-written; return how many went. Folders left
    empty go too.

    Age alone removes nothing: a DAW that refers to a dropped file instead of copying it into
    its project (Reaper's default) needs it as long as the project lives, so a region goes only
    once the folder has grown past the cap. None written since ``session_start`` (a
    :func:`time.time`) is touched, whatever the size. Writing a region again (selecting the same
    span) makes it young again."""
    root = Path(regions_dir)
    if not root.is_dir():
        return 0
    files = []
    for folder, _subfolders, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path, follow_symlinks=False)
            except OSError:
                continue  # removed meanwhile
            files.append((info.st_mtime_ns, info.st_size, path))
    files.sort()  # oldest first
    this_session = int(session_start * 1e9) - _MTIME_SLACK_NS
    total = sum(size for _, size, _ in files)
    removed = 0
    for mtime, size, path in files:
        if mtime >= this_session:
            break  # this file and every younger one stay
        if (path.endswith(PARTIAL_SUFFIX) or total > max_bytes) and _remove_unless_rewritten(path, mtime):
            removed += 1
            total -= size
    for folder, _subfolders, _names in os.walk(root, topdown=False):
        if folder != str(root):
            with _CACHE_LOCK, contextlib.suppress(OSError):  # not empty: a region is in it
                os.rmdir(folder)
    return removed


def _remove_unless_rewritten(path: str, mtime_ns: int) -> bool:
    """Remove ``path`` unless it was written again since it was seen (so is this session's)."""
    with _CACHE_LOCK:
        try:
            if os.stat(path, follow_symlinks=False).st_mtime_ns != mtime_ns:
                return False
            os.remove(path)
        except OSError:
            return False
    return True
