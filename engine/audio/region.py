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

A WAV's BWF ``bext`` and ``iXML`` chunks go into its region (a WAV, not RF64 or Wave64, whose
chunk layouts :mod:`engine.audio.riff` does not write), as a DAW bouncing a region keeps them: the
same description, originator and iXML, and a TimeReference advanced by the region's start frame so
that the region still lines up on a timeline.

The region's name is the source's with the span: ``Door_01_1.250-2.500s.wav``. A Universal Category
System name gets the span inside its FXName (``DOORWood_Creak Slow 1.250 to 2.500s_JD_MYLIB.wav``):
appended, it lands where UCS readers take the SourceID and UserData, and a ``-`` in the FXName
begins a VendorCategory, so the span says "to".

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
from pathlib import Path

import numpy as np
import soundfile as sf

from engine.audio.decode import AudioFacts, open_sound
from engine.audio.files import AudioDecodeError, libsndfile_reason, open_readonly
from engine.audio.riff import Chunk, RiffError, chunk_data, is_riff_wave, iter_chunks, write_wave
from engine.audio.ucs import parse_ucs_shaped
from engine.fs import PARTIAL_SUFFIX, atomic_file

_LOSSY = frozenset({"VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"})
_FLOAT_OR_LOSSY = _LOSSY | {"FLOAT", "DOUBLE"}  # read as doubles, the rest as integers
_DECODED = {"format": "WAV", "subtype": "FLOAT", "endian": "FILE"}  # what a lossy source's region is
_WRITTEN_AS = {"ALAC_16": "PCM_16", "ALAC_20": "PCM_24", "ALAC_24": "PCM_24", "ALAC_32": "PCM_32"}
_BWF_CHUNKS = (b"bext", b"iXML")
# A bext chunk's TimeReference (frames since midnight, 64 bits) follows its Description (256
# bytes), Originator (32), OriginatorReference (32), OriginationDate (10) and OriginationTime (8).
_TIME_REFERENCE_AT = 256 + 32 + 32 + 10 + 8
_TIME_REFERENCE = struct.Struct("<Q")
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
    share one file. A UCS name gets the span at the end of its FXName, every other block as it was."""
    ucs = parse_ucs_shaped(source.name)
    if ucs is None:
        return f"{source.stem}_{start_s:.3f}-{end_s:.3f}s{suffix}"
    head = f"{ucs.cat_id}-{ucs.user_category}" if ucs.user_category else ucs.cat_id
    blocks = [head, f"{ucs.fx_name} {start_s:.3f} to {end_s:.3f}s", ucs.creator_id, ucs.source_id, ucs.user_data]
    while not blocks[-1]:  # the optional blocks the name did not have
        blocks.pop()
    return "_".join(blocks) + suffix


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
    bwf_chunks = _bwf_chunks(source, start)
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
                _write(partial, frames, facts, encoding, bwf_chunks)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise RegionError(f"Cannot write a region of {source.name}: {exc}") from exc
    return target


def _written_as(sound: sf.SoundFile, source: Path) -> tuple[dict[str, str], str]:
    """The region's container, sample format and byte order, and its file name's suffix."""
    if sound.subtype in _LOSSY:
        return _DECODED, ".wav"
    subtype = _WRITTEN_AS.get(sound.subtype, sound.subtype)
    return {"format": sound.format, "subtype": subtype, "endian": sound.endian}, source.suffix


def _bwf_chunks(source: Path, start_frame: int) -> dict[bytes, bytes]:
    """The source's ``bext`` (its TimeReference advanced by ``start_frame``) and ``iXML`` chunks,
    those it has; none when it is not a RIFF WAV."""
    with open_readonly(source) as handle:
        if not is_riff_wave(handle.read(12)):
            return {}
        chunks: list[Chunk] = []
        try:
            for chunk in iter_chunks(handle):
                chunks.append(chunk)
        except RiffError:
            pass  # a recording cut short, its data chunk running past the end: the chunks before it count
        found = {cid: data for cid in _BWF_CHUNKS if (data := chunk_data(handle, chunks, cid)) is not None}
    if b"bext" in found:
        found[b"bext"] = _advanced(found[b"bext"], start_frame)
    return found


def _advanced(bext: bytes, frames: int) -> bytes:
    """``bext`` with its TimeReference moved on by ``frames``; one too short to hold it, as it is."""
    end = _TIME_REFERENCE_AT + _TIME_REFERENCE.size
    if len(bext) < end:
        return bext
    (reference,) = _TIME_REFERENCE.unpack_from(bext, _TIME_REFERENCE_AT)
    moved = (reference + frames) % (1 << 64)  # a damaged reference wraps instead of failing the region
    return bext[:_TIME_REFERENCE_AT] + _TIME_REFERENCE.pack(moved) + bext[end:]


def _write(partial: Path, frames: np.ndarray, facts: AudioFacts, encoding: dict, chunks: dict[bytes, bytes]) -> None:
    """Encode ``frames`` into ``partial``; with ``chunks``, encode them beside it and copy that
    WAV's chunks into ``partial`` with ``chunks`` after its fmt chunk (libsndfile writes no bext)."""
    if not chunks:
        _encode(partial, frames, facts, encoding)
        return
    plain = partial.with_name(f"{partial.stem}.plain{PARTIAL_SUFFIX}")  # a crash's leftover is pruned
    try:
        _encode(plain, frames, facts, encoding)
        with plain.open("rb") as handle, partial.open("wb") as out:
            write_wave(handle, out, list(iter_chunks(handle)), chunks)
    finally:
        plain.unlink(missing_ok=True)


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
