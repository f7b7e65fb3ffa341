"""Region files dragged into a DAW: same format, rate and depth; the original untouched."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import soundfile as sf

from engine.audio.region import RegionError, write_region
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


def test_lossy_regions_are_reencoded_in_the_same_format(tmp_path):
    source = write_audio(tmp_path / "rain.ogg", noise(1.0, 48_000), 48_000, format="OGG", subtype="VORBIS")
    region = write_region(source, 0.2, 0.6, tmp_path / "regions")
    info = sf.info(str(region))
    assert (info.format, info.subtype, info.samplerate) == ("OGG", "VORBIS", 48_000)
    assert abs(info.duration - 0.4) < 0.02


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
