"""Cut a time region out of a file into a new file of the same kind.

Dragging a selection into a DAW must give the DAW what the library holds: the
same container, sample rate, channel count and sample format. PCM samples are
copied as integers and float samples as doubles, so the region is bit-identical
to the source frames; only lossy formats (MP3, Vorbis, Opus) are re-encoded. Apple Lossless
is the one exception to "the same sample format": libsndfile (1.2.2) encodes some ALAC
regions wrongly (the first 4,096 frames of a noise burst cut from mid-file came back changed),
so an ALAC CAF gives a CAF of plain PCM at the same depth, the same samples exactly.
The source is opened read-only through the decoder; only the new file is written.

Region files pile up in the cache, one per selection dragged, so :func:`prune_regions`
keeps them under a size cap, the oldest going first; never one of the running session, which a
DAW may still be reading.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

import soundfile as sf

from engine.audio.decode import open_sound
from engine.audio.files import AudioDecodeError, libsndfile_reason
from engine.fs import PARTIAL_SUFFIX, atomic_file

_FLOAT_OR_LOSSY = {"FLOAT", "DOUBLE", "VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"}
_WRITTEN_AS = {"ALAC_16": "PCM_16", "ALAC_20": "PCM_24", "ALAC_24": "PCM_24", "ALAC_32": "PCM_32"}
MAX_REGIONS_BYTES = 2 * 1024**3  # beyond this the oldest go first, however young (never this session's)
# Timestamps some file systems keep are coarse (FAT: 2 s): a file written just after the session
# began may carry a time just before it.
_MTIME_SLACK_NS = 2_000_000_000
# Held while a region's folder is made and its file written, and while the pruner removes a file
# or an empty folder: it never removes a folder a writer has just made, nor a file just rewritten.
_CACHE_LOCK = threading.Lock()


class RegionError(Exception):
    """A region that cannot be written; the message is meant for the user."""


def region_file_name(source: Path, start_s: float, end_s: float) -> str:
    return f"{source.stem}_{start_s:.3f}-{end_s:.3f}s{source.suffix}"


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
        container, endian = sound.format, sound.endian
    out_dir = Path(out_dir) / source_folder(source)
    target = out_dir / region_file_name(source, start / facts.sample_rate, (start + len(frames)) / facts.sample_rate)
    if target.resolve() == source.resolve():
        raise RegionError("Refusing to overwrite the source file with its own region.")
    # Through a temporary name: a DAW reading a region while the same span is written again sees
    # the old file or the new one, never half of one.
    try:
        with _CACHE_LOCK:
            out_dir.mkdir(parents=True, exist_ok=True)
            with (
                atomic_file(target) as partial,
                sf.SoundFile(
                    str(partial),
                    "w",
                    samplerate=facts.sample_rate,
                    channels=facts.channels,
                    subtype=_WRITTEN_AS.get(facts.subtype, facts.subtype),
                    endian=endian,
                    format=container,
                ) as out,
            ):
                out.write(frames)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise RegionError(f"Cannot write a region of {source.name}: {exc}") from exc
    return target


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
