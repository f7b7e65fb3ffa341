"""The app's audio helpers in the engine: waveform peaks, region files, the streaming preview reader."""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf

from engine.audio.files import AudioDecodeError
from engine.audio.peaks import cached_peaks, compute_peaks
from engine.audio.preview import PreviewReader
from engine.audio.region import RegionError, write_region
from tests.factories import noise, tone, write_audio


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_peaks_hold_each_channels_extremes(tmp_path):
    left = np.zeros(16_000, np.float32)
    left[4_000] = 0.9
    right = np.zeros(16_000, np.float32)
    right[12_000] = -0.7
    path = write_audio(tmp_path / "spikes.wav", np.stack([left, right], 1), subtype="FLOAT")
    peaks = compute_peaks(path, buckets=100)
    assert peaks.mins.shape == (2, 100) and peaks.duration_s == 1.0 and peaks.sample_rate == 16_000
    assert peaks.maxs[0].argmax() == 25 and np.isclose(peaks.maxs[0].max(), 0.9)
    assert peaks.mins[1].argmin() == 75 and np.isclose(peaks.mins[1].min(), -0.7)
    assert np.all(peaks.maxs[1] >= 0) and peaks.maxs[1].max() == 0


def test_cached_peaks_are_reused_until_the_file_changes(tmp_path):
    path = write_audio(tmp_path / "a.wav", tone(440, 0.5))
    cache = tmp_path / "cache"
    first = cached_peaks(path, cache, 200)
    entries = list(cache.iterdir())
    assert len(entries) == 1
    assert np.array_equal(cached_peaks(path, cache, 200).maxs, first.maxs)
    write_audio(path, tone(440, 0.5) * 0.1)
    second = cached_peaks(path, cache, 200)
    assert len(list(cache.iterdir())) == 2
    assert second.maxs.max() < 0.1 < first.maxs.max()


def test_peaks_survive_a_cache_that_cannot_be_written(tmp_path):
    path = write_audio(tmp_path / "a.wav", tone(440, 0.5))
    (tmp_path / "not-a-folder").write_text("")
    peaks = cached_peaks(path, tmp_path / "not-a-folder" / "cache", 200)
    assert peaks.maxs.shape == (1, 200)


def test_concurrent_computations_of_one_file_each_get_peaks_and_leave_one_entry(tmp_path):
    path = write_audio(tmp_path / "a.wav", tone(440, 2.0))
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: cached_peaks(path, cache, 4000), range(16)))
    assert all(np.array_equal(r.maxs, results[0].maxs) for r in results)
    assert len(list(cache.iterdir())) == 1


def test_peaks_of_a_broken_file_raise_a_readable_error(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_text("this is not audio")
    with pytest.raises(AudioDecodeError, match="not an audio file"):
        compute_peaks(broken)


@pytest.mark.parametrize("suffix, subtype, dtype", [(".wav", "PCM_24", "int32"), (".aiff", "PCM_16", "int32"),
                                                    (".flac", "PCM_16", "int32"), (".wav", "FLOAT", "float32")])
def test_region_is_bit_identical_and_keeps_format_rate_depth(tmp_path, suffix, subtype, dtype):
    audio = np.stack([noise(2.0, 44_100, seed=1), noise(2.0, 44_100, seed=2)], 1)
    source = write_audio(tmp_path / f"source{suffix}", audio, 44_100, subtype=subtype)
    before = _digest(source)
    region = write_region(source, 0.5, 1.25, tmp_path / "regions")
    info, source_info = sf.info(str(region)), sf.info(str(source))
    assert (info.format, info.subtype, info.samplerate, info.channels) == \
           (source_info.format, subtype, 44_100, 2)
    assert info.frames == round(0.75 * 44_100)
    expected = sf.read(str(source), start=22_050, stop=22_050 + info.frames, dtype=dtype)[0]
    assert np.array_equal(sf.read(str(region), dtype=dtype)[0], expected)
    assert _digest(source) == before  # the original is untouched
    assert region.parent == tmp_path / "regions" and region.suffix == suffix


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


def test_preview_reader_streams_seeks_and_resamples(tmp_path):
    samples = np.arange(48_000, dtype=np.float32) / 48_000
    path = write_audio(tmp_path / "ramp.wav", samples, 48_000, subtype="FLOAT")
    reader = PreviewReader(path)
    assert reader.channels == 1 and reader.duration_s == 1.0
    reader.seek(0.5)
    block = reader.read(100)
    assert block.shape == (100, 1) and np.isclose(block[0, 0], 0.5)
    reader.close()

    resampling = PreviewReader(path, output_rate=44_100)
    total = 0
    while len(block := resampling.read(512)):
        total += len(block)
    assert abs(total - 44_100) <= 2
    resampling.seek(0.25)
    assert np.isclose(resampling.read(2048)[1000:1001, 0], 0.25 + 1000 / 44_100, atol=0.01).all()
    resampling.close()
