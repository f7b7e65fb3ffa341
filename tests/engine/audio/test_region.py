"""Region files dragged into a DAW: a lossless source's format, rate and depth, a lossy one's decoded
samples in a float WAV, a BWF's chunks, a UCS name's blocks; the original untouched."""

from __future__ import annotations

import hashlib
import os
import struct
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf
from wavinfo import WavInfoReader

from engine.audio.region import RegionError, prune_regions, write_region
from engine.audio.riff import chunk_data, iter_chunks, write_wave
from engine.audio.ucs import parse_ucs_filename
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk
from tests.factories import noise, tone, write_audio


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "suffix, subtype, dtype",
    [
        (".wav", "PCM_24", "int32"),
        (".aiff", "PCM_16", "int32"),
        (".flac", "PCM_16", "int32"),
        (".wav", "FLOAT", "float32"),
        (".w64", "PCM_24", "int32"),
        (".caf", "PCM_24", "int32"),
    ],
)
def test_region_is_bit_identical_and_keeps_format_rate_depth(tmp_path, suffix, subtype, dtype):
    audio = np.stack([noise(2.0, 44_100, seed=1), noise(2.0, 44_100, seed=2)], 1)
    source = write_audio(tmp_path / f"source{suffix}", audio, 44_100, subtype=subtype)
    before = _digest(source)
    region = write_region(source, 0.5, 1.25, tmp_path / "regions")
    info, source_info = sf.info(str(region)), sf.info(str(source))
    assert (info.format, info.subtype, info.samplerate, info.channels) == (source_info.format, subtype, 44_100, 2)
    assert info.frames == round(0.75 * 44_100)
    expected = sf.read(str(source), start=22_050, stop=22_050 + info.frames, dtype=dtype)[0]
    assert np.array_equal(sf.read(str(region), dtype=dtype)[0], expected)
    assert _digest(source) == before  # the original is untouched
    assert region.parent.parent == tmp_path / "regions" and region.name == f"source_0.500-1.250s{suffix}"


def test_an_apple_lossless_region_is_the_same_samples_as_pcm_of_its_depth(tmp_path):
    # libsndfile's ALAC encoder changed the first 4,096 frames of such a region cut from mid-file
    audio = np.stack([noise(2.0, 44_100, seed=1), noise(2.0, 44_100, seed=2)], 1)
    source = write_audio(tmp_path / "loop.caf", audio, 44_100, format="CAF", subtype="ALAC_24")
    region = write_region(source, 0.5, 1.25, tmp_path / "regions")
    info = sf.info(str(region))
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("CAF", "PCM_24", 44_100, 2)
    expected = sf.read(str(source), start=22_050, stop=22_050 + info.frames, dtype="int32")[0]
    assert np.array_equal(sf.read(str(region), dtype="int32")[0], expected)


@pytest.mark.parametrize("suffix, container, codec", [(".ogg", "OGG", "VORBIS"), (".mp3", "MP3", "MPEG_LAYER_III")])
def test_a_lossy_region_is_a_float_wav_of_the_decoded_samples(tmp_path, suffix, container, codec):
    """Encoded again it lost a second generation, and Pro Tools imports no Ogg at all."""
    hot = np.stack([tone(440, 1.0, 48_000, amp=0.99) + noise(1.0, 48_000, amp=0.2, seed=k) for k in (1, 2)], 1)
    source = write_audio(tmp_path / f"rain{suffix}", hot, 48_000, format=container, subtype=codec)
    region = write_region(source, 0.2, 0.6, tmp_path / "regions")
    info = sf.info(str(region))
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("WAV", "FLOAT", 48_000, 2)
    assert region.name == "rain_0.200-0.600s.wav" and info.frames == round(0.4 * 48_000)
    decoded = sf.read(str(source), start=9_600, stop=9_600 + info.frames, dtype="float32")[0]
    assert np.abs(decoded).max() > 1  # the decoder's overs...
    assert np.array_equal(sf.read(str(region), dtype="float32")[0], decoded)  # ...kept, and nothing else lost


def _bwf_source(path, time_reference: int) -> tuple:
    """A 24-bit stereo BWF with its bext and iXML after the audio, as some recorders write them."""
    audio = np.stack([noise(1.0, 48_000, seed=1), noise(1.0, 48_000, seed=2)], 1)
    source = write_audio(path, audio, 48_000, subtype="PCM_24")
    bext = bytearray(bext_chunk("Oak door, slow creak", originator="Sound Devices 833", originator_ref="USSDV123"))
    struct.pack_into("<Q", bext, 338, time_reference)  # the TimeReference: frames since midnight
    bext[348:412] = bytes(range(64))  # a UMID
    ixml = b'<?xml version="1.0"?><BWFXML><SCENE>12A</SCENE><TAKE>3</TAKE><NOTE>door</NOTE></BWFXML>'
    return append_riff_chunks(source, {b"bext": bytes(bext), b"iXML": ixml}), bytes(bext), ixml


def _chunks(path) -> dict[bytes, bytes]:
    with open(path, "rb") as handle:
        chunks = list(iter_chunks(handle))
        return {chunk.cid: chunk_data(handle, chunks, chunk.cid) for chunk in chunks}


def test_a_bwf_region_keeps_its_bext_and_ixml_and_lines_up_on_the_timeline(tmp_path):
    one_hour = 3_600 * 48_000
    source, bext, ixml = _bwf_source(tmp_path / "lib" / "door.wav", one_hour)
    before = _digest(source)
    region = write_region(source, 0.25, 0.75, tmp_path / "regions")
    assert _digest(source) == before  # the original is only read
    chunks = _chunks(region)
    assert list(chunks)[:3] == [b"fmt ", b"bext", b"iXML"]  # before the audio, where readers look first
    assert chunks[b"iXML"] == ixml
    bwf = WavInfoReader(str(region)).bext
    assert (bwf.description, bwf.originator, bwf.originator_ref) == (
        "Oak door, slow creak",
        "Sound Devices 833",
        "USSDV123",
    )
    assert bwf.time_reference == one_hour + 12_000  # the source's, plus the region's start frame
    assert chunks[b"bext"][348:412] == bytes(64)  # no UMID: the source's names the source
    assert (
        chunks[b"bext"][:338] + chunks[b"bext"][346:348] + chunks[b"bext"][412:]
        == bext[:338] + bext[346:348] + bext[412:]
    )
    expected = sf.read(str(source), start=12_000, stop=36_000, dtype="int32")[0]
    assert np.array_equal(sf.read(str(region), dtype="int32")[0], expected)


def _ixml_value(ixml: bytes, path: str) -> str | None:
    element = ElementTree.fromstring(ixml).find(path)
    return None if element is None else element.text


def test_a_bwf_regions_ixml_timestamps_move_with_its_bext_and_it_gets_its_own_file_uid(tmp_path):
    """An asset manager matching files by FILE_UID or UMID took the region for its source, and
    iXML's timestamps (which readers favour) kept the source's start."""
    past_32_bits = (1 << 32) - 6_000  # the low half overflows into the high one
    audio = np.stack([noise(1.0, 48_000, seed=1), noise(1.0, 48_000, seed=2)], 1)
    source = write_audio(tmp_path / "lib" / "take.wav", audio, 48_000, subtype="PCM_24")
    bext = bytearray(bext_chunk("Oak door"))
    struct.pack_into("<Q", bext, 338, past_32_bits)
    bext[348:412] = bytes(range(1, 65))  # a UMID
    ixml = (
        "<BWFXML><FILE_UID>SDV0001ABCDEF</FILE_UID><SPEED><TIMESTAMP_SAMPLE_RATE>48000</TIMESTAMP_SAMPLE_RATE>"
        f"<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>0</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>"
        f"<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>{past_32_bits}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO></SPEED>"
        f"<BEXT><BWF_TIME_REFERENCE_LOW>{past_32_bits}</BWF_TIME_REFERENCE_LOW>"
        "<BWF_TIME_REFERENCE_HIGH>0</BWF_TIME_REFERENCE_HIGH></BEXT><NOTE>door</NOTE></BWFXML>"
    ).encode()
    append_riff_chunks(source, {b"bext": bytes(bext), b"iXML": ixml})
    before = _digest(source)
    region = write_region(source, 0.25, 0.75, tmp_path / "regions")
    chunks = _chunks(region)
    moved = past_32_bits + 12_000
    assert WavInfoReader(str(region)).bext.time_reference == moved
    for high, low in (
        ("SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI", "SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO"),
        ("BEXT/BWF_TIME_REFERENCE_HIGH", "BEXT/BWF_TIME_REFERENCE_LOW"),
    ):
        assert int(_ixml_value(chunks[b"iXML"], high)) << 32 | int(_ixml_value(chunks[b"iXML"], low)) == moved
    assert _ixml_value(chunks[b"iXML"], "FILE_UID") not in (None, "SDV0001ABCDEF")
    assert _ixml_value(chunks[b"iXML"], "NOTE") == "door"  # the rest as it was
    assert chunks[b"bext"][348:412] == bytes(64)  # no UMID
    again = _chunks(write_region(source, 0.5, 0.75, tmp_path / "regions"))
    assert _ixml_value(again[b"iXML"], "FILE_UID") != _ixml_value(chunks[b"iXML"], "FILE_UID")
    assert _digest(source) == before
    malformed = b"<BWFXML><FILE_UID>SDV0001</FILE_UID><SPEED>"
    source.write_bytes(source.read_bytes().replace(ixml, malformed.ljust(len(ixml), b" ")))  # same size
    region = write_region(source, 0.25, 0.75, tmp_path / "regions")  # never failed for it...
    assert _chunks(region)[b"iXML"] == malformed.ljust(len(ixml), b" ")  # ...and copied as it was


def _extensible(path, channels: int, mask: int):
    """A 24-bit WAVE_FORMAT_EXTENSIBLE file with the channel mask ``mask`` (libsndfile writes its own)."""
    audio = np.stack([noise(1.0, 48_000, seed=k) for k in range(channels)], 1)
    write_audio(path, audio, 48_000, format="WAVEX", subtype="PCM_24")
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.find(b"fmt ") + 8 + 20, mask)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("channels, mask", [(6, 0x60F), (8, 0x0), (2, 0x0)])
def test_a_multichannel_region_keeps_its_sources_channel_layout(tmp_path, channels, mask):
    """libsndfile wrote its own mask: 5.1 with side surrounds became back surrounds, and an
    8-channel discrete recording 7.1, its channel 4 an LFE to a DAW."""
    source = _extensible(tmp_path / "lib" / f"poly {channels}.wav", channels, mask)
    before = _digest(source)
    region = write_region(source, 0.25, 0.75, tmp_path / "regions")
    assert _chunks(region)[b"fmt "] == _chunks(source)[b"fmt "]
    expected = sf.read(str(source), start=12_000, stop=36_000, dtype="int32")[0]
    assert np.array_equal(sf.read(str(region), dtype="int32")[0], expected)
    assert _digest(source) == before


_NAME_MAX = 255  # bytes


@pytest.mark.parametrize(
    "stem",
    [
        "Very long descriptive name of a wooden door creak recorded in an old barn " * 4,
        "DOORWood_" + "古い納屋の木の扉がゆっくりきしむ音" * 4 + "_JD_MYLIB_close mic take 2 far pair LR",
    ],
)
def test_a_long_name_gives_a_region_with_a_shortened_name_and_its_span(tmp_path, stem):
    """A name near the file system's 255 bytes (UTF-8 bytes count) failed with "File name too long"
    when the span and the temporary name were added."""
    stem = stem[:236] if stem.isascii() else stem
    assert 240 <= len(os.fsencode(stem + ".wav")) <= _NAME_MAX
    source = write_audio(tmp_path / "lib" / f"{stem}.wav", noise(2.0, 44_100), 44_100, subtype="PCM_16")
    first = write_region(source, 0.5, 1.25, tmp_path / "regions")
    second = write_region(source, 0.502, 1.25, tmp_path / "regions")
    assert first != second and first.is_file() and second.is_file()
    for region in (first, second):
        assert len(os.fsencode(region.name)) <= _NAME_MAX and region.suffix == ".wav"
    named = parse_ucs_filename(source.name)
    if named is None:
        assert first.name.endswith("_0.500-1.250s.wav") and stem.startswith(first.name.partition("_0.500")[0])
    else:
        named_region = parse_ucs_filename(first.name)
        assert named_region.fx_name.endswith(" 0.500 to 1.250s")
        assert named.fx_name.startswith(named_region.fx_name.removesuffix(" 0.500 to 1.250s"))
        assert replace(named_region, fx_name=named.fx_name) == named  # CatID, IDs and UserData kept


def test_a_ucs_name_too_long_even_without_its_fx_name_gives_up_its_user_data_too(tmp_path):
    name = f"DOORWood_Creak_JD_MYLIB_{'close mic take ' * 14}.wav"
    source = write_audio(tmp_path / "lib" / name, noise(1.0, 44_100), 44_100, subtype="PCM_16")
    region = write_region(source, 0.5, 0.75, tmp_path / "regions")
    named_region = parse_ucs_filename(region.name)
    assert (named_region.cat_id, named_region.fx_name, named_region.source_id) == (
        "DOORWood",
        "0.500 to 0.750s",
        "MYLIB",
    )
    assert "close mic take close mic" in named_region.user_data


def test_a_recording_cut_short_keeps_its_bext_in_its_regions(tmp_path):
    """A recorder that stopped before finishing its header leaves the data size unwritten
    (0xFFFFFFFF), running past the end: the bext before the audio still counts."""
    plain = write_audio(tmp_path / "plain.wav", noise(1.0, 48_000), 48_000, subtype="PCM_24")
    source = tmp_path / "lib" / "take.wav"
    source.parent.mkdir()
    with open(plain, "rb") as handle, open(source, "wb") as out:
        write_wave(handle, out, list(iter_chunks(handle)), {b"bext": bext_chunk("Rain on a tin roof")})
    with open(source, "r+b") as out:
        data = next(chunk for chunk in iter_chunks(out) if chunk.cid == b"data")
        out.seek(data.offset - 4)
        out.write(struct.pack("<I", 0xFFFFFFFF))
    region = write_region(source, 0.5, 0.75, tmp_path / "regions")
    assert WavInfoReader(str(region)).bext.description == "Rain on a tin roof"
    assert WavInfoReader(str(region)).bext.time_reference == 24_000
    expected = sf.read(str(plain), start=24_000, stop=36_000, dtype="int32")[0]
    assert np.array_equal(sf.read(str(region), dtype="int32")[0], expected)


@pytest.mark.parametrize(
    "name", ["DOORWood_Creak Slow_JD_MYLIB.wav", "DOORWood-Barn_Oak-Creak Slow_JD_MYLIB_take 2_close mic.flac"]
)
def test_a_ucs_region_keeps_its_blocks_with_the_span_in_its_fx_name(tmp_path, name):
    """The span appended to the name was read as the SourceID or UserData (another library), and a
    "-" in the FXName begins a VendorCategory."""
    source = write_audio(tmp_path / "lib" / name, noise(2.0, 44_100), 44_100, subtype="PCM_16")
    region = write_region(source, 0.5, 1.25, tmp_path / "regions")
    named, named_region = parse_ucs_filename(source.name), parse_ucs_filename(region.name)
    assert named_region.fx_name == f"{named.fx_name} 0.500 to 1.250s"
    assert replace(named_region, fx_name=named.fx_name) == named  # CatID, IDs, UserData, categories as they were
    assert region.suffix == source.suffix
    nudged = write_region(source, 0.502, 1.25, tmp_path / "regions")  # a pixel further on a short file
    assert nudged != region and region.is_file()


def test_empty_region_is_refused(tmp_path):
    source = write_audio(tmp_path / "a.wav", tone(440, 1.0))
    with pytest.raises(RegionError, match="empty"):
        write_region(source, 2.0, 3.0, tmp_path / "regions")


def test_files_of_one_name_in_two_folders_give_their_own_regions(tmp_path):
    first = write_audio(tmp_path / "VendorA" / "Door_01.wav", noise(1.0, 44_100, seed=1), 44_100)
    second = write_audio(tmp_path / "VendorB" / "Door_01.wav", noise(1.0, 44_100, seed=2), 44_100)
    regions = [write_region(source, 0.1, 0.5, tmp_path / "regions") for source in (first, second)]
    assert regions[0] != regions[1] and regions[0].name == regions[1].name == "Door_01_0.100-0.500s.wav"
    for region, source in zip(regions, (first, second), strict=True):
        expected = sf.read(str(source), start=4_410, stop=22_050, dtype="int32")[0]
        assert np.array_equal(sf.read(str(region), dtype="int32")[0], expected)
    assert regions[0].is_file()  # the second did not replace the first


DAY = 24 * 3600


def _aged(path, seconds_ago: float):
    """``path`` as if last written ``seconds_ago``."""
    when = time.time() - seconds_ago
    os.utime(path, (when, when))
    return path


def test_age_alone_removes_no_region_but_a_crash_leftover_goes(tmp_path):
    """A DAW project that refers to a dropped region (Reaper does, by default) needs it for as
    long as the project lives: under the size cap nothing of a finished region goes."""
    regions = tmp_path / "regions"
    take = write_audio(tmp_path / "lib" / "take.wav", noise(2.0, 44_100), 44_100)
    creak = write_audio(tmp_path / "lib" / "creak.wav", noise(1.0, 44_100, seed=5), 44_100)
    last_year = _aged(write_region(creak, 0.1, 0.5, regions), 365 * DAY)
    last_week = _aged(write_region(take, 0.0, 0.5, regions), 8 * DAY)
    crash_leftover = last_week.with_name(".take_0.000-0.500s-x1y2.partial")
    crash_leftover.write_bytes(b"half a file")
    _aged(crash_leftover, 9 * DAY)
    session_start = time.time() - 3600  # the app opened an hour ago
    being_written = last_week.with_name(".take_1.000-2.000s-a1b2.partial")  # by this session, now
    being_written.write_bytes(b"half")

    assert prune_regions(regions, session_start) == 1
    assert sorted(p for p in regions.rglob("*") if p.is_file()) == sorted([last_year, last_week, being_written])
    assert sf.info(str(last_year)).frames == 0.4 * 44_100  # whole and readable

    crash_leftover.write_bytes(b"half a file")
    _aged(crash_leftover, 9 * DAY)
    assert prune_regions(regions, session_start, max_bytes=0) == 3  # over the cap: the old go...
    assert [p for p in regions.rglob("*") if p.is_file()] == [being_written]  # ...never this session's
    assert not last_year.parent.exists()  # its folder, left empty, went too


def test_over_the_size_cap_the_oldest_go_first_but_never_this_sessions(tmp_path):
    regions = tmp_path / "regions"
    sources = [write_audio(tmp_path / "lib" / f"hit_{k}.wav", noise(1.0, 44_100, seed=k), 44_100) for k in range(5)]
    hours_ago = [5, 4, 3, 1, 0.1]
    files = [_aged(write_region(s, 0.0, 1.0, regions), h * 3600) for s, h in zip(sources, hours_ago, strict=True)]
    size = files[0].stat().st_size  # each is one second of the same format
    session_start = time.time() - 2 * 3600  # the last two were written this session

    assert prune_regions(regions, session_start, max_bytes=3 * size) == 2  # the two oldest
    assert sorted(p for p in regions.rglob("*") if p.is_file()) == sorted(files[2:])
    assert prune_regions(regions, session_start, max_bytes=size) == 1  # this session's two exceed it, kept
    assert sorted(p for p in regions.rglob("*") if p.is_file()) == sorted(files[3:])


def test_a_region_written_again_this_session_is_young_again(tmp_path):
    regions = tmp_path / "regions"
    source = write_audio(tmp_path / "lib" / "wind.wav", noise(1.0, 44_100), 44_100)
    region = _aged(write_region(source, 0.2, 0.8, regions), 20 * DAY)
    session_start = time.time() - 60
    assert write_region(source, 0.2, 0.8, regions) == region  # the same span selected again
    assert prune_regions(regions, session_start) == 0 and region.is_file()


def test_pruning_a_cache_not_made_yet_removes_nothing(tmp_path):
    assert prune_regions(tmp_path / "regions", time.time()) == 0
