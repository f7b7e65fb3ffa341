"""Every way a file can be unreadable ends in AudioDecodeError with its own sentence, never a crash."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from engine.audio.decode import AudioDecodeError, AudioFacts, Repairs, _counted, iter_windows, load_mono, probe
from engine.audio.metadata import read_metadata
from engine.library.scanner import content_hash
from tests.engine.audio.conftest import wav_header
from tests.factories import tone, write_audio


def good(tmp_path, name="good.wav", **kwargs):
    return write_audio(tmp_path / name, tone(440, 1.0, 48_000), sr=48_000, **kwargs)


def cut(path, keep: float):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def written(path, data: bytes):
    path.write_bytes(data)
    return path


def patched(path, offset: int, fmt: str, value: int):
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    path.write_bytes(bytes(data))
    return path


def bound_socket(path):
    """A Unix socket file (what a running program leaves in a folder); closing keeps the file."""
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
    return path


# Failures visible in the header: probe already refuses the file.
OPEN_FAILURES = {
    "zero_byte": (lambda d: written(d / "empty.wav", b""), "file is empty (0 bytes)"),
    # Two-byte characters from byte 5 on: the 512-byte sniff ends inside one.
    "text_renamed": (
        lambda d: written(d / "notes.wav", ("Mix: " + "éèà" * 100 + "\n").encode()),
        "not an audio file: it contains text",
    ),
    "random_bytes": (
        lambda d: written(d / "noise.mp3", np.random.default_rng(0).bytes(4000)),
        "not an audio file: format not recognised",
    ),
    "truncated_wav_data": (lambda d: cut(good(d), 0.5), "file is truncated: the header promises 1.00 s"),
    "truncated_aiff_data": (lambda d: cut(good(d, "a.aiff"), 0.5), "file is truncated: the header promises 1.00 s"),
    "truncated_wav_header": (lambda d: cut(good(d), 0.0003), "damaged audio header"),
    "wav_cut_after_riff": (lambda d: written(d / "stub.wav", b"RIFF"), "damaged audio header: the file ends after 4"),
    "truncated_ogg": (lambda d: cut(good(d, "t.ogg"), 0.5), "damaged audio file"),
    "header_zero_channels": (lambda d: patched(good(d), 22, "<H", 0), "damaged audio header: channel count is zero"),
    "header_unknown_codec": (lambda d: patched(good(d), 20, "<H", 0x99), "damaged audio header"),
    "header_promises_more_data": (lambda d: patched(good(d), 40, "<I", 50_000_000), "file is truncated"),
    "header_says_no_data": (lambda d: patched(good(d), 40, "<I", 0), "file contains no audio (0 frames)"),
    "unsupported_container": (lambda d: good(d, "sun.wav", format="AU"), "unsupported audio format: AU"),
    "missing": (lambda d: d / "gone.wav", "file not found"),
    "folder": (lambda d: (d / "dir.wav").mkdir() or d / "dir.wav", "is a folder, not a file"),
    "fifo": (lambda d: os.mkfifo(d / "pipe.wav") or d / "pipe.wav", "not a regular file: a named pipe (FIFO)"),
    "socket": (lambda d: bound_socket(d / "socket.wav"), "not a regular file: a socket"),
    "link_to_dev_zero": (
        lambda d: os.symlink("/dev/zero", d / "zero.wav") or d / "zero.wav",
        "not a regular file: a link to /dev/zero, a character device",
    ),
    "link_to_dev_urandom": (
        lambda d: os.symlink("/dev/urandom", d / "random.wav") or d / "random.wav",
        "not a regular file: a link to /dev/urandom, a character device",
    ),
    "symlink_loop": (lambda d: os.symlink(d / "loop.wav", d / "loop.wav") or d / "loop.wav", "symbolic link loop"),
}


@pytest.mark.parametrize("case", OPEN_FAILURES)
@pytest.mark.parametrize(
    "reader",
    [probe, lambda p: load_mono(p, 16_000), lambda p: list(iter_windows(p, 16_000, 1, 1))],
    ids=["probe", "load_mono", "iter_windows"],
)
def test_bad_file_gives_its_own_message(tmp_path, case, reader):
    make, message = OPEN_FAILURES[case]
    with pytest.raises(AudioDecodeError) as raised:
        reader(make(tmp_path))
    assert str(raised.value).startswith(message), str(raised.value)


NOT_FILES = ("missing", "folder", "fifo", "socket", "link_to_dev_zero", "link_to_dev_urandom", "symlink_loop")


@pytest.mark.timeout(30)  # opening a FIFO used to wait for a writer, reading /dev/zero never ended
@pytest.mark.parametrize("case", NOT_FILES)
@pytest.mark.parametrize("reader", [read_metadata, content_hash], ids=["read_metadata", "content_hash"])
def test_every_reader_refuses_what_is_not_a_regular_file_without_opening_it(tmp_path, case, reader):
    make, message = OPEN_FAILURES[case]
    with pytest.raises(AudioDecodeError) as raised:
        reader(make(tmp_path))
    assert str(raised.value).startswith(message), str(raised.value)


# Failures only decoding can find: the header is fine, the audio data is not.
@pytest.mark.parametrize(
    "name,keep,message",
    [
        ("cut.flac", 0.5, "damaged audio data near"),
        ("cut.mp3", 0.4, "file is truncated: the header promises 1.00 s of audio, decoding stopped at"),
    ],
)
def test_damage_inside_the_data_is_found_while_decoding(tmp_path, name, keep, message):
    path = cut(good(tmp_path, name), keep)
    assert probe(path).duration_s == pytest.approx(1.0, abs=0.01)
    for read in (lambda: load_mono(path, 16_000), lambda: list(iter_windows(path, 16_000, 0.25, 0.25))):
        with pytest.raises(AudioDecodeError, match=message):
            read()


def test_unfinished_recording_placeholder_size_still_decodes(tmp_path):
    """A recorder that died mid-take leaves 0xFFFFFFFF as the data size; the audio that is there is fine."""
    samples = (tone(440, 1.0, 8_000) * 32767).astype("<i2").tobytes()
    path = tmp_path / "crashed_take.wav"
    path.write_bytes(wav_header(8_000, 1, 16, 0xFFFFFFFF - 36)[:40] + struct.pack("<I", 0xFFFFFFFF) + samples)
    assert probe(path).duration_s == pytest.approx(1.0)
    assert len(load_mono(path, 16_000)) == 16_000


def run_as_nobody(function, path) -> str:
    """Call ``function(path)`` in a child that dropped root, because root reads any file; returns the error."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        message = "no error"
        try:
            os.setgid(65534)
            os.setuid(65534)
            function(path)
        except AudioDecodeError as error:
            message = str(error)
        except BaseException as error:  # noqa: BLE001 - anything else is reported to the parent as a failure
            message = f"unexpected {error!r}"
        os.write(write_end, message.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(child, 0)
    return message


@pytest.fixture
def locked_file():
    """An unreadable WAV in a folder anyone may enter, so a non-root child reaches the file itself."""
    folder = Path(tempfile.mkdtemp(prefix="earmark-locked-"))
    folder.chmod(0o711)
    path = write_audio(folder / "locked.wav", tone(), sr=16_000)
    path.chmod(0o000)
    yield path
    shutil.rmtree(folder)


@pytest.mark.parametrize(
    "reader", [probe, lambda p: load_mono(p, 16_000), read_metadata], ids=["probe", "load_mono", "read_metadata"]
)
def test_no_read_permission(locked_file, reader):
    if os.geteuid() == 0:  # root reads anything: ask as nobody
        message = run_as_nobody(reader, locked_file)
    else:
        with pytest.raises(AudioDecodeError) as raised:
            reader(locked_file)
        message = str(raised.value)
    assert message == "permission denied"


def test_non_utf8_names_read_as_bytes_and_as_str(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9_\xff\xfe_rain.wav"
    with open(raw, "wb") as out:
        sf.write(out, tone(440, 2.0, 16_000), 16_000, format="WAV", subtype="PCM_16")
    for path in (raw, os.fsdecode(raw)):
        assert probe(path).duration_s == pytest.approx(2.0)
        assert len(load_mono(path, 16_000)) == 32_000
        assert [(w.start_s, w.end_s) for w in iter_windows(path, 16_000, 1.5, 1.0)] == [(0, 1.5), (0.5, 2.0)]
        assert read_metadata(path).ucs is None
    with pytest.raises(AudioDecodeError, match="file not found"):
        probe(os.fsencode(tmp_path) + b"/missing_\xff.wav")


def shortened(path, missing_bytes: int):
    """The file with its last ``missing_bytes`` cut off, as an interrupted write leaves it."""
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - missing_bytes)
    return path


@pytest.mark.parametrize("name", ["take.wav", "take.aiff"])
def test_a_file_a_few_bytes_short_is_read_as_it_is_and_said_cut_short(tmp_path, name):
    """Review 13: 61 of 240 files 117 bytes or so short of their headers' promise were refused,
    "the header promises 2.74 s of audio, only 2.74 s are present". The audio that is there is
    read (half a frame left over), and how much is missing is told for the file's record."""
    stereo = np.stack([tone(440, 1.0, 48_000), tone(660, 1.0, 48_000)], axis=1)  # 192,000 bytes a second
    path = shortened(write_audio(tmp_path / name, stereo, sr=48_000), 117)
    assert probe(path).frames == 48_000 - 30  # 117 bytes: 29.25 frames
    assert len(load_mono(path, 48_000)) == 48_000 - 30
    repairs = Repairs()
    windows = list(iter_windows(path, 48_000, 0.5, 0.5, repairs))
    assert windows[-1].end_s == pytest.approx((48_000 - 30) / 48_000)
    assert (repairs.missing_bytes, round(repairs.missing_s * 1000, 1)) == (117, 0.6)
    assert repairs.warning() == (
        "cut short: 117 bytes (0.6 ms) of the audio its header promises are missing; what is there was indexed"
    )
    complete = Repairs()
    list(iter_windows(write_audio(tmp_path / f"whole-{name}", stereo, sr=48_000), 48_000, 0.5, 0.5, complete))
    assert complete.warning() == ""


# A mono 16-bit WAV at 8 kHz: 16 bytes a millisecond. Up to 50 ms, or 1 % of a long file, is read.
@pytest.mark.parametrize(
    "seconds,missing_ms,refused",
    [
        (1.0, 40, None),
        (1.0, 60, "the header promises 1.00 s of audio, only 940 ms are present: 960 bytes (60 ms) are missing"),
        (0.2, 100, "the header promises 200 ms of audio, only 100 ms are present: 1,600 bytes (100 ms) are missing"),
        (10.0, 90, None),
        (10.0, 110, "the header promises 10.00 s of audio, only 9.89 s are present: 1,760 bytes (110 ms) are missing"),
        (3.0, 1500, "the header promises 3.00 s of audio, only 1.50 s are present: 24,000 bytes (1.50 s) are missing"),
    ],
)
def test_a_file_missing_more_than_a_few_ms_is_refused_saying_how_much(tmp_path, seconds, missing_ms, refused):
    path = shortened(write_audio(tmp_path / "take.wav", tone(440, seconds, 8_000), sr=8_000), 16 * missing_ms)
    if refused is None:
        assert probe(path).duration_s == pytest.approx(seconds - missing_ms / 1000)
        return
    for read in (probe, lambda p: load_mono(p, 8_000), lambda p: list(iter_windows(p, 8_000, 1, 1))):
        with pytest.raises(AudioDecodeError) as raised:
            read(path)
        assert str(raised.value) == f"file is truncated: {refused}"


def test_an_ogg_decoding_a_few_ms_short_of_its_header_is_whole():
    """Review 18: three of hyperrogue-music's Vorbis tracks (their first page's granule position
    -104) report 104 frames more than libsndfile decodes from the file's descriptor, 2.4 ms of
    62 s, and were refused as truncated. An Ogg a few ms short is read as it is; one a second
    short, or a WAV a few ms short of what its header said, still is not."""
    track = AudioFacts(62.31, 44_100, 2, None, "ogg", "VORBIS", 2_747_873)

    def decoded(facts: AudioFacts, frames: int) -> int:
        return sum(len(b) for b in _counted(iter([np.zeros(frames, np.float32)]), facts, 0, None, "hr.ogg"))

    assert decoded(track, 2_747_769) == 2_747_769
    for facts, frames in ((track, 2_747_873 - 44_100), (replace(track, format="wav", subtype="PCM_16"), 2_747_769)):
        with pytest.raises(AudioDecodeError, match="file is truncated"):
            decoded(facts, frames)
