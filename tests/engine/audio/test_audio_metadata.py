"""Descriptive metadata round-trips from every place sound libraries keep it, and reading never writes."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct

import numpy as np
import pytest
import soundfile as sf
from mutagen.aiff import AIFF, AIFFFile
from mutagen.id3 import COMM, TIT2, TPE1, TXXX
from mutagen.mp3 import MP3
from mutagen.wave import WAVE

from engine.audio.decode import AudioDecodeError, iter_windows, load_mono, probe
from engine.audio.metadata import described, read_metadata
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk
from tests.factories import tone, write_audio

IXML = b"""<?xml version="1.0" encoding="UTF-8"?>
<BWFXML><IXML_VERSION>2.10</IXML_VERSION><PROJECT>Harbour Nights</PROJECT><SCENE>12A</SCENE><TAKE>3</TAKE>
<TAPE>DAY04</TAPE><NOTE>gulls overhead, distant foghorn</NOTE><USER>mic=MKH416 location=pier</USER>
<FILE_SET><FAMILY_NAME>12A-3</FAMILY_NAME></FILE_SET>
<TRACK_LIST><TRACK_COUNT>2</TRACK_COUNT><TRACK><CHANNEL_INDEX>1</CHANNEL_INDEX><NAME>Boom</NAME></TRACK>
<TRACK><CHANNEL_INDEX>2</CHANNEL_INDEX><NAME>Lav</NAME></TRACK></TRACK_LIST></BWFXML>"""


def info_list(**fields: str) -> bytes:
    """A RIFF LIST/INFO payload, e.g. info_list(IKEY="door; wood")."""
    body = b"INFO"
    for ident, text in fields.items():
        value = text.encode() + b"\0"
        body += ident.encode() + struct.pack("<I", len(value)) + value + b"\0" * (len(value) % 2)
    return body


def bwf(path, container="WAV"):
    write_audio(path, np.zeros((4800, 2), np.float32), sr=48_000, subtype="PCM_24", format=container)
    return append_riff_chunks(
        path,
        {
            b"bext": bext_chunk("Harbour ambience at night", "Sound Devices 833", "SD833"),
            b"iXML": IXML,
            b"LIST": info_list(INAM="Harbour night", IKEY="harbour; gulls, night"),
        },
    )


@pytest.mark.parametrize("container,name", [("WAV", "take.wav"), ("RF64", "take.rf64")])
def test_bwf_bext_ixml_and_info_round_trip(tmp_path, container, name):
    meta = read_metadata(bwf(tmp_path / name, container))
    assert meta.description == "Harbour ambience at night"
    assert meta.fields["bext.originator"] == "Sound Devices 833"
    assert meta.title == "Harbour night"
    assert meta.keywords == ["harbour", "gulls", "night"]
    assert meta.comment == "gulls overhead, distant foghorn"  # iXML NOTE
    expected_ixml = {
        "ixml.project": "Harbour Nights",
        "ixml.scene": "12A",
        "ixml.take": "3",
        "ixml.tape": "DAY04",
        "ixml.user": "mic=MKH416 location=pier",
        "ixml.family_name": "12A-3",
        "ixml.track_names": "Boom Lav",
    }
    assert {k: meta.fields.get(k) for k in expected_ixml} == expected_ixml
    for words in ("Harbour ambience at night", "Harbour Nights", "MKH416", "Boom Lav", "gulls overhead"):
        assert words in meta.text
    # the recorder and the slate (scene, take, tape) are kept as fields, not read as words
    assert not {"Sound Devices", "12A", "DAY04"} & set(meta.text.split("\n"))


def test_latin1_bext_from_older_recorders(tmp_path):
    path = write_audio(tmp_path / "old.wav", tone(), sr=16_000)
    append_riff_chunks(path, {b"bext": bext_chunk("Café terrace, Paris", encoding="latin-1")})
    assert read_metadata(path).description == "Café terrace, Paris"


def test_a_riff_size_that_ends_before_the_data_is_said_in_words(tmp_path, caplog):
    """madbomber's WAVs give their RIFF size as 36 bytes, the header alone: wavinfo stops looking
    before the data chunk and the log said only "StopIteration"; the audio itself reads whole."""
    path = write_audio(tmp_path / "highscore.wav", tone(), sr=16_000)
    with open(path, "r+b") as handle:
        handle.seek(4)
        handle.write(struct.pack("<I", 36))
    with caplog.at_level(logging.WARNING):
        assert read_metadata(path).description == ""
    assert "highscore.wav" in caplog.text and "RIFF header's size ends before its data chunk" in caplog.text
    assert "StopIteration" not in caplog.text
    assert len(load_mono(path, 16_000)) == len(tone())


def test_damaged_chunk_is_skipped_and_other_sources_still_read(tmp_path, caplog):
    """wavinfo gives up on the whole RIFF when one chunk is bad; the ID3 that mutagen reads survives."""
    path = write_audio(tmp_path / "broken.wav", tone(), sr=16_000)
    append_riff_chunks(path, {b"bext": b"too short to be a bext chunk"})
    tagged = WAVE(path)
    tagged.add_tags()
    tagged.tags.add(TIT2(encoding=3, text="kept title"))
    tagged.save()
    with caplog.at_level(logging.WARNING):
        meta = read_metadata(path)
    assert meta.title == "kept title"
    assert "bext.description" not in meta.fields
    assert "skipping unreadable _wav_fields" in caplog.text
    # the file and the kind of failure are named, even when the parser's message is empty
    assert re.search(r"broken\.wav': struct\.error: unpack", caplog.text), caplog.text


def test_wav_info_written_by_soundfile(tmp_path):
    with sf.SoundFile(tmp_path / "info.wav", "w", 16_000, 1) as sound:
        sound.title, sound.artist, sound.comment = "Kettle whistle", "J. Recordist", "steam rising"
        sound.write(tone())
    meta = read_metadata(tmp_path / "info.wav")
    assert (meta.title, meta.artist, meta.comment) == ("Kettle whistle", "J. Recordist", "steam rising")


def test_info_values_end_at_their_first_nul(tmp_path):
    """An INFO value is a C string: what a writer left after its NUL is not a word of the file
    (FlightGear's engstart.wav stores its title as "wave\\0i" and was titled "wave i")."""
    path = write_audio(tmp_path / "engstart.wav", tone(), sr=16_000)
    body = b"INFO"
    for ident, value in ((b"INAM", b"wave\0i"), (b"ICMT", b"starter motor \0\0"), (b"IKEY", b"engine; start\0x")):
        body += ident + struct.pack("<I", len(value)) + value + b"\0" * (len(value) % 2)
    append_riff_chunks(path, {b"LIST": body})
    meta = read_metadata(path)
    assert (meta.title, meta.comment, meta.keywords) == ("wave", "starter motor", ["engine", "start"])
    assert meta.fields["info.title"] == "wave"
    assert meta.text.split("\n") == ["wave", "starter motor", "engine; start"]


def test_id3_in_mp3(tmp_path):
    path = write_audio(tmp_path / "door.mp3", tone(), sr=16_000)
    audio = MP3(path)
    audio.add_tags()
    for frame in (
        TIT2(encoding=3, text="Barn door"),
        TPE1(encoding=3, text="Field Kit"),
        COMM(encoding=3, lang="eng", desc="", text="rusty hinge, slow"),
        TXXX(encoding=3, desc="DESCRIPTION", text="old barn door creaks open"),
        TXXX(encoding=3, desc="KEYWORDS", text="door, creak, hinge"),
        TXXX(encoding=3, desc="replaygain_track_gain", text="-3.2 dB"),
    ):
        audio.tags.add(frame)
    audio.save()
    meta = read_metadata(path)
    assert (meta.title, meta.artist, meta.comment) == ("Barn door", "Field Kit", "rusty hinge, slow")
    assert meta.description == "old barn door creaks open"
    assert meta.keywords == ["door", "creak", "hinge"]
    assert "-3.2 dB" not in meta.text


@pytest.mark.parametrize(
    "name,container,subtype,sr",
    [
        ("rain.ogg", "OGG", "VORBIS", 16_000),
        ("rain.opus", "OGG", "OPUS", 48_000),
        ("rain.flac", "FLAC", "PCM_16", 16_000),
    ],
)
def test_vorbis_comments(tmp_path, name, container, subtype, sr):
    import mutagen

    path = write_audio(tmp_path / name, tone(sr=sr), sr=sr, subtype=subtype, format=container)
    tagged = mutagen.File(path)
    tagged["TITLE"], tagged["ARTIST"] = "Rain on tin roof", "Field Kit"
    tagged["DESCRIPTION"], tagged["KEYWORDS"] = "steady rain, metal roof", "rain; roof; tin"
    tagged["ENCODER"] = "libsndfile"
    # a BWF file converted to Ogg by a tool that copies its bext chunk, DAW and IDs included
    tagged["ORIGINATOR"], tagged["ORIGREFERENCE"], tagged["ORIGDATE"] = "Pro Tools", "micQnbGa9SfaaaGk", "2012-04-04"
    tagged["TIMEREFERENCE"], tagged["SOFTWARE"] = "88200", "FL Studio 8"
    tagged.save()
    meta = read_metadata(path)
    assert (meta.title, meta.artist, meta.description) == ("Rain on tin roof", "Field Kit", "steady rain, metal roof")
    assert meta.keywords == ["rain", "roof", "tin"]
    for technical in ("libsndfile", "Pro Tools", "micQnbGa9SfaaaGk", "2012", "88200", "FL Studio"):
        assert technical not in meta.text
    # in the file's order, whatever the process's hash seed (mutagen's as_dict() goes through a set)
    assert list(meta.fields) == ["vorbis.title", "vorbis.artist", "vorbis.description", "vorbis.keywords"]


def test_aiff_text_chunks_and_id3(tmp_path):
    path = write_audio(tmp_path / "bell.aiff", tone(), sr=16_000, subtype="PCM_16")
    with open(path, "r+b") as fixture:
        chunks = AIFFFile(fixture)
        chunks.insert_chunk("NAME", b"Church bell")
        chunks.insert_chunk("AUTH", b"Field Kit")
        chunks.insert_chunk("ANNO", b"single toll,")
        chunks.insert_chunk("ANNO", b"long decay")
    tagged = AIFF(path)
    tagged.add_tags()
    tagged.tags.add(TXXX(encoding=3, desc="DESCRIPTION", text="bronze bell in a stone tower"))
    tagged.save()
    meta = read_metadata(path)
    assert (meta.title, meta.artist, meta.comment) == ("Church bell", "Field Kit", "single toll, long decay")
    assert meta.description == "bronze bell in a stone tower"


def test_ucs_name_joins_the_text(tmp_path):
    path = write_audio(tmp_path / "DOORWood-INT_Barn Door Creak_TN_FARM_take2.wav", tone(), sr=16_000)
    meta = read_metadata(path)
    assert meta.ucs is not None and meta.ucs.cat_id == "DOORWood"
    assert {"DOORS", "WOOD", "INT"} <= set(meta.text.split("\n"))


def test_what_a_file_says_of_itself_is_its_metadata_without_its_ucs_names_category_words(tmp_path):
    """The results' Description: the file's own title, comment, description, in one line; not the
    category words the index adds for a UCS name, which the name shows already."""
    name = "DOORWood-INT_Barn Door Creak_TN_FARM.wav"
    with sf.SoundFile(tmp_path / name, "w", 16_000, 1) as sound:
        sound.title, sound.comment = "Barn door", "slow creak, rusty hinge"
        sound.write(tone())
    meta = read_metadata(tmp_path / name)
    assert "DOORS" in meta.text
    assert described(meta.text, name) == "Barn door · slow creak, rusty hinge"
    assert described("", name) == "" and described("gravel", "bang.wav") == "gravel"


def test_files_without_tags_or_audio_give_empty_metadata(tmp_path):
    plain = read_metadata(write_audio(tmp_path / "plain.wav", tone(), sr=16_000))
    assert (plain.fields, plain.keywords, plain.text) == ({}, [], "")
    (tmp_path / "notes.wav").write_text("not audio")
    assert read_metadata(tmp_path / "notes.wav").text == ""
    with pytest.raises(AudioDecodeError, match="file not found"):
        read_metadata(tmp_path / "missing.wav")


def test_reading_never_changes_a_file(tmp_path):
    bwf(tmp_path / "bwf.wav")
    write_audio(tmp_path / "multi.flac", np.zeros((16_000, 6), np.float32), sr=48_000)
    for name, container in (("a.ogg", "OGG"), ("a.mp3", "MP3"), ("a.aiff", "AIFF")):
        write_audio(tmp_path / name, tone(), sr=16_000, format=container)
    (tmp_path / "text.wav").write_text("hello")
    (tmp_path / "half.wav").write_bytes((tmp_path / "bwf.wav").read_bytes()[:300])
    files = sorted(tmp_path.iterdir())
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns) for p in files}
    for path in files:
        for read in (
            probe,
            read_metadata,
            lambda p: load_mono(p, 16_000, 0.01, 0.02),
            lambda p: list(iter_windows(p, 16_000, 0.05, 0.02)),
        ):
            try:
                read(path)
            except AudioDecodeError:
                pass
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns) for p in files}
    assert after == before and sorted(tmp_path.iterdir()) == files
