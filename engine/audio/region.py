"""Cut a time region out of a file into a new file of the same kind.

Dragging a selection into a DAW must give the DAW what the library holds: the
same container, sample rate, channel count and sample format. PCM samples are
copied as integers and float samples as doubles, so the region is bit-identical
to the source frames; only lossy formats (MP3, Vorbis, Opus) are re-encoded. Apple Lossless
is the one exception to "the same sample format": libsndfile (1.2.2) encodes some ALAC
regions wrongly (the first 4,096 frames of a noise burst cut from mid-file came back changed),
so an ALAC CAF gives a CAF of plain PCM at the same depth, the same samples exactly.
The source is opened read-only through the decoder; only the new file is written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import soundfile as sf

from engine.audio.decode import open_sound
from engine.audio.files import AudioDecodeError, libsndfile_reason
from engine.fs import atomic_file

_FLOAT_OR_LOSSY = {"FLOAT", "DOUBLE", "VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"}
_WRITTEN_AS = {"ALAC_16": "PCM_16", "ALAC_20": "PCM_24", "ALAC_24": "PCM_24", "ALAC_32": "PCM_32"}


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
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / region_file_name(source, start / facts.sample_rate, (start + len(frames)) / facts.sample_rate)
    if target.resolve() == source.resolve():
        raise RegionError("Refusing to overwrite the source file with its own region.")
    # A unique temporary name: two writers of the same region (a background pre-write and a
    # drag that could not wait) each finish a whole file, and the rename keeps one of them.
    try:
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
