"""Decode any supported sound file to mono float32 at a model's sample rate.

libsndfile (through soundfile) reads every format Earmark indexes; soxr
resamples. Reads stream in blocks, so a region or a window sequence of a
multi-hour recording never holds the whole file in memory. Anything wrong with
a file surfaces as :class:`AudioDecodeError` with a sentence the user can act on.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from engine.audio import formats
from engine.audio.files import AudioDecodeError, PathLike, libsndfile_reason, open_readonly
from engine.audio.stream import Repairs, mono_blocks, resampled, windows
from engine.plural import length_said

__all__ = [
    "AudioDecodeError",
    "AudioFacts",
    "AudioWindow",
    "Repairs",
    "probe",
    "load_mono",
    "iter_windows",
    "open_sound",
]

# libsndfile logs "data : <declared> (should be <present>)" when a WAV/AIFF header promises
# more audio bytes than the file holds; recorders that crash leave 0 or 0xFFFFFFFF there.
_SHORT_CHUNK = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_UNFINISHED_SIZES = {0, 0xFFFFFFFF}
# How much of the audio its header promises a file may lack and still be read as it is: a write
# stopped in its last bytes or a tool that miscounts its data chunk leaves a few ms out; a copy
# stopped half way leaves out far more. Whichever is larger: this many seconds...
_CUT_SHORT_S = 0.05
_CUT_SHORT_FRACTION = 0.01  # ...or this share of the promise
# MP3 frame counts can be estimates (VBR without a Xing header); allow this much shortfall before
# calling a file truncated, because a false alarm would keep a good file out of the index.
_LOSSY_SLACK = 0.05
# ...and an estimate can also fall short: an MP3 may decode to more frames than its header
# said, but never to more than this many times as many (reading stops there: every read is bounded).
_ESTIMATE_BOUND = 2
_SIGNATURES = (b"RIFF", b"RF64", b"BW64", b"FORM", b"fLaC", b"OggS", b"ID3")
_SNIFF_BYTES = 512  # what a file that fails to open is judged by


@dataclass(frozen=True)
class AudioFacts:
    duration_s: float
    sample_rate: int
    channels: int
    bit_depth: int | None
    format: str  # one of formats.FORMATS
    subtype: str  # libsndfile's subtype, e.g. "PCM_24", "FLOAT", "VORBIS"
    frames: int


@dataclass(frozen=True, eq=False)
class AudioWindow:
    start_s: float
    end_s: float
    samples: np.ndarray  # mono float32 at the requested rate


@contextmanager
def open_sound(path: PathLike, repairs: Repairs | None = None) -> Iterator[tuple[sf.SoundFile, AudioFacts]]:
    """Open ``path`` read-only with libsndfile; yields the open file and its facts (those of the
    audio it holds: a file a few ms short of its header's promise opens as it is, and ``repairs``
    is told how much is missing)."""
    with open_readonly(path) as handle:  # a regular file (checked), opened read-only; sniffed on failure
        try:
            sound = sf.SoundFile(**_libsndfile_source(path, handle))
        except sf.LibsndfileError as exc:
            handle.seek(0)
            raise AudioDecodeError(_open_failure(exc, handle), path) from exc
        with sound:
            facts = _facts(sound, path)
            _check_header_complete(sound, facts, path, repairs)
            yield sound, facts


def probe(path: PathLike) -> AudioFacts:
    """Technical facts from the header, without decoding the audio."""
    with open_sound(path) as (_, facts):
        return facts


def load_mono(path: PathLike, target_sr: int, start_s: float = 0.0, duration_s: float | None = None) -> np.ndarray:
    """Mono float32 at ``target_sr`` from ``start_s`` for ``duration_s`` (None: to the end)."""
    if start_s < 0 or (duration_s is not None and duration_s <= 0):
        raise ValueError(f"bad region: start {start_s} s, duration {duration_s} s")
    with open_sound(path) as (sound, facts):
        start = min(round(start_s * facts.sample_rate), facts.frames)
        frames = _bounded(facts) - start if duration_s is None else round(duration_s * facts.sample_rate)
        sound.seek(start)
        blocks = _counted(mono_blocks(sound, frames), facts, start, frames, path)
        parts = list(resampled(blocks, facts.sample_rate, target_sr))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def iter_windows(
    path: PathLike, target_sr: int, window_s: float, hop_s: float, repairs: Repairs | None = None
) -> Iterator[AudioWindow]:
    """Overlapping mono windows over the whole file, streamed; a short file gives one window.
    ``repairs`` counts what was mended on the way (non-finite samples read as silence)."""
    size, hop = round(window_s * target_sr), round(hop_s * target_sr)
    if not 0 < hop <= size:
        raise ValueError(f"need 0 < hop_s <= window_s, got window {window_s} s, hop {hop_s} s")
    with open_sound(path, repairs) as (sound, facts):
        blocks = _counted(mono_blocks(sound, _bounded(facts), repairs), facts, 0, None, path)
        for start, end, samples in windows(resampled(blocks, facts.sample_rate, target_sr), size, hop):
            yield AudioWindow(start / target_sr, end / target_sr, samples)


def _libsndfile_source(path: PathLike, handle) -> dict:
    """SoundFile's arguments: on POSIX the descriptor open_readonly checked, so libsndfile
    reads exactly the regular file that was checked (a path opened again could meanwhile
    name a pipe); on Windows, whose C runtimes do not share descriptors, the wide-char name."""
    if os.name == "posix":
        return {"file": handle.fileno(), "closefd": False}  # the handle closes it
    return {"file": os.fsdecode(path)}


def _facts(sound: sf.SoundFile, path: PathLike) -> AudioFacts:
    name = formats.format_name(sound.format, sound.subtype)
    if name is None:
        raise AudioDecodeError(f"unsupported audio format: {sound.format_info}", path)
    if sound.frames <= 0:
        raise AudioDecodeError("file contains no audio (0 frames)", path)
    return AudioFacts(
        duration_s=sound.frames / sound.samplerate,
        sample_rate=sound.samplerate,
        channels=sound.channels,
        bit_depth=formats.bit_depth(sound.subtype),
        format=name,
        subtype=sound.subtype,
        frames=sound.frames,
    )


def _check_header_complete(sound: sf.SoundFile, facts: AudioFacts, path: PathLike, repairs: Repairs | None) -> None:
    """Refuse a WAV or AIFF cut off well short of the audio its header promises (a copy that
    stopped half way), so that it is never indexed as if whole; a file a few ms short (a write
    stopped in its last bytes, a sloppy tool: 61 of 240 files of review 13) is read as it is,
    what is missing told to ``repairs``. libsndfile reads the audio that is there either way."""
    match = _SHORT_CHUNK.search(sound.extra_info)
    if match is None:
        return
    declared, present = int(match[1]), int(match[2])
    if declared <= present or declared in _UNFINISHED_SIZES:
        return
    missing_bytes = declared - present
    missing_s = facts.duration_s * missing_bytes / present  # present > 0: a file with no frames was refused
    promised_s = facts.duration_s + missing_s
    if missing_s > max(_CUT_SHORT_S, _CUT_SHORT_FRACTION * promised_s):
        raise AudioDecodeError(
            f"file is truncated: the header promises {length_said(promised_s)} of audio, "
            f"only {length_said(facts.duration_s)} are present: "
            f"{missing_bytes:,} bytes ({length_said(missing_s)}) are missing",
            path,
        )
    if repairs is not None:
        repairs.missing_bytes, repairs.missing_s = missing_bytes, missing_s


def _shortfall_allowed(facts: AudioFacts) -> int:
    """How many frames fewer than its header said a file may decode to and still be whole: an
    MP3's count may be an estimate (:data:`_LOSSY_SLACK`); an Ogg's is read from its pages'
    granule positions, and where the first audio page's is below 0 (samples the encoder trims off
    the start) libsndfile counts them and, read from a descriptor as here, does not decode them:
    three of hyperrogue-music's Vorbis tracks decode 104 frames (2.4 ms) short and were refused
    as truncated (review 18). An Ogg may fall as short as a WAV's header (:data:`_CUT_SHORT_S`)."""
    if facts.format == "mp3":
        return int(_LOSSY_SLACK * facts.frames)
    if facts.format in ("ogg", "opus"):
        return int(max(_CUT_SHORT_S * facts.sample_rate, _CUT_SHORT_FRACTION * facts.frames))
    return 0


def _bounded(facts: AudioFacts) -> int:
    """The most frames a file may yield: its header's count, or a multiple of an MP3's estimate."""
    return facts.frames * (_ESTIMATE_BOUND if facts.format == "mp3" else 1)


def _counted(
    blocks: Iterator[np.ndarray], facts: AudioFacts, start: int, frames: int | None, path: PathLike
) -> Iterator[np.ndarray]:
    """Pass blocks through; at the end, fail if the file held fewer frames than its header said."""
    read = 0
    for block in blocks:
        read += len(block)
        yield block
    expected = facts.frames - start if frames is None else min(frames, facts.frames - start)
    slack = _shortfall_allowed(facts)
    if read < expected - slack:
        raise AudioDecodeError(
            f"file is truncated: the header promises {length_said(facts.duration_s)} of audio, "
            f"decoding stopped at {length_said((start + read) / facts.sample_rate)} "
            f"({length_said((expected - read) / facts.sample_rate)} missing)",
            path,
        )


def _open_failure(exc: sf.LibsndfileError, handle) -> str:
    head = handle.read(_SNIFF_BYTES)
    if _has_audio_signature(head) and len(head) < _SNIFF_BYTES and exc.code == 1:  # 1: SF_ERR_UNRECOGNISED_FORMAT
        # "RIFF" and nothing more (a copy cut short) read as "it contains text"
        return f"damaged audio header: the file ends after {len(head)} bytes"
    # libsndfile's MP3 prober can report odd errors on arbitrary bytes, so judge the content too.
    if exc.code == 1 or not _has_audio_signature(head):
        return "not an audio file: " + ("it contains text" if _looks_like_text(head) else "format not recognised")
    if exc.code == 3:  # SF_ERR_MALFORMED_FILE
        return "damaged audio file: the format is recognised but the file is malformed (truncated or corrupt)"
    if exc.code == 4:  # SF_ERR_UNSUPPORTED_ENCODING
        return "unsupported audio encoding"
    return f"damaged audio header: {libsndfile_reason(exc)}"


def _has_audio_signature(head: bytes) -> bool:
    """The magic bytes every container we index starts with; MPEG audio may start with a bare frame sync."""
    return head.startswith(_SIGNATURES) or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 and printable; the incremental decoder forgives a character cut at the 512-byte edge."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch.isspace() for ch in text)
