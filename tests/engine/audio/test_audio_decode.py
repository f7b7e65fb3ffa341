"""Decoding every supported format to mono at a model's rate, regions, and streamed windows."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from engine.audio.decode import AudioFacts, iter_windows, load_mono, probe
from engine.audio.formats import AUDIO_EXTENSIONS
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk, sparse_wav
from tests.factories import tone, write_audio

# (file name, soundfile format, subtype, our format name, bit depth, lossless)
FORMATS = [
    ("pcm16.wav", "WAV", "PCM_16", "wav", 16, True),
    ("pcm24.wav", "WAV", "PCM_24", "wav", 24, True),
    ("pcm32.wav", "WAV", "PCM_32", "wav", 32, True),
    ("float.wav", "WAV", "FLOAT", "wav", 32, True),
    ("extensible.wav", "WAVEX", "PCM_24", "wav", 24, True),
    ("big.rf64", "RF64", "PCM_24", "wav", 24, True),
    ("pcm16.aiff", "AIFF", "PCM_16", "aiff", 16, True),
    ("pcm24.aif", "AIFF", "PCM_24", "aiff", 24, True),
    ("pcm24.flac", "FLAC", "PCM_24", "flac", 24, True),
    ("vorbis.ogg", "OGG", "VORBIS", "ogg", None, False),
    ("speech.opus", "OGG", "OPUS", "opus", None, False),
    ("lossy.mp3", "MP3", "MPEG_LAYER_III", "mp3", None, False),
    ("logic.caf", "CAF", "PCM_24", "caf", 24, True),
    ("apple-lossless.caf", "CAF", "ALAC_24", "caf", 24, True),
    ("long-take.w64", "W64", "PCM_16", "w64", 16, True),
]


def stereo(seconds: float, sr: int) -> np.ndarray:
    """Left: 440 Hz, right: 660 Hz, so the mono mix is their mean."""
    return np.stack([tone(440, seconds, sr, 0.4), tone(660, seconds, sr, 0.4)], axis=1)


@pytest.mark.parametrize("name,container,subtype,fmt,bits,lossless", FORMATS, ids=[f[0] for f in FORMATS])
def test_every_format_decodes_with_its_facts(tmp_path, name, container, subtype, fmt, bits, lossless):
    audio = stereo(1.5, 48_000)
    path = write_audio(tmp_path / name, audio, sr=48_000, subtype=subtype, format=container)
    assert path.suffix.lower() in AUDIO_EXTENSIONS

    facts = probe(path)
    assert (facts.format, facts.subtype, facts.bit_depth) == (fmt, subtype, bits)
    assert (facts.sample_rate, facts.channels) == (48_000, 2)
    assert facts.duration_s == pytest.approx(1.5, abs=0.01)

    native = load_mono(path, 48_000)
    assert native.dtype == np.float32 and native.ndim == 1
    assert len(native) == facts.frames
    expected = audio.mean(axis=1)
    if lossless:
        np.testing.assert_allclose(native, expected, atol=1e-4)
    else:  # lossy codecs shift and colour the signal; its spectrum must still be the two tones
        spectrum = np.abs(np.fft.rfft(native[4800:52800]))
        assert sorted(np.argsort(spectrum)[-2:]) == [440, 660]  # 1 s of signal: bin k is k Hz

    at_16k = load_mono(path, 16_000)
    assert len(at_16k) == round(facts.frames / 3)


def test_bwf_with_bext_and_ixml_decodes_like_plain_wav(tmp_path):
    audio = stereo(1.0, 48_000)
    plain = write_audio(tmp_path / "plain.wav", audio, sr=48_000, subtype="PCM_24")
    bwf = write_audio(tmp_path / "field.bwf", audio, sr=48_000, subtype="PCM_24", format="WAV")
    append_riff_chunks(bwf, {b"bext": bext_chunk("rain on tin roof"), b"iXML": b"<BWFXML><NOTE>n</NOTE></BWFXML>"})
    assert probe(bwf) == probe(plain)
    np.testing.assert_array_equal(load_mono(bwf, 16_000), load_mono(plain, 16_000))


def test_content_decides_the_format_not_the_extension(tmp_path):
    path = write_audio(tmp_path / "actually_flac.wav", tone(seconds=0.5), format="FLAC")
    assert probe(path).format == "flac"
    assert len(load_mono(path, 16_000)) == 8000


def test_mixdown_is_the_mean_of_the_channels(tmp_path):
    signal = tone(1000, 1.0, 48_000)
    opposite = write_audio(tmp_path / "opposite.wav", np.stack([signal, -signal], axis=1), sr=48_000, subtype="FLOAT")
    assert np.abs(load_mono(opposite, 48_000)).max() < 1e-7
    one_sided = write_audio(tmp_path / "left.wav", np.stack([signal, 0 * signal], axis=1), sr=48_000, subtype="FLOAT")
    np.testing.assert_allclose(load_mono(one_sided, 48_000), signal / 2, atol=1e-7)


@pytest.mark.parametrize("source_sr,target_sr", [(48_000, 16_000), (44_100, 16_000), (8_000, 16_000), (96_000, 32_000)])
def test_resampling_keeps_frequency_and_level(tmp_path, source_sr, target_sr):
    path = write_audio(tmp_path / "tone.wav", tone(1000, 2.0, source_sr, 0.5), sr=source_sr, subtype="FLOAT")
    out = load_mono(path, target_sr)
    assert len(out) == 2 * target_sr
    middle = out[target_sr // 2 : target_sr // 2 + target_sr]  # 1 s away from the filter's edges: bin k is k Hz
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    assert int(np.argmax(spectrum)) == 1000
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def ramp_file(tmp_path, seconds: float, sr: int):
    """Each sample holds its own time in seconds / 100, so a region shows where it came from."""
    ramp = (np.arange(int(seconds * sr)) / sr / 100).astype(np.float32)
    return write_audio(tmp_path / "ramp.wav", ramp, sr=sr, subtype="FLOAT"), ramp


def test_region_is_read_from_the_right_place(tmp_path):
    path, ramp = ramp_file(tmp_path, 20.0, 8_000)
    np.testing.assert_array_equal(load_mono(path, 8_000, start_s=12.5, duration_s=2.0), ramp[100_000:116_000])
    resampled = load_mono(path, 16_000, start_s=12.5, duration_s=2.0)
    assert len(resampled) == 32_000
    assert resampled[16_000] == pytest.approx(0.135, abs=1e-4)  # 13.5 s / 100
    np.testing.assert_array_equal(load_mono(path, 8_000, start_s=19.0), ramp[152_000:])


def test_region_past_the_end_is_empty_and_bad_regions_are_refused(tmp_path):
    path, _ = ramp_file(tmp_path, 1.0, 8_000)
    assert load_mono(path, 16_000, start_s=5.0).shape == (0,)
    with pytest.raises(ValueError):
        load_mono(path, 16_000, start_s=-1.0)
    with pytest.raises(ValueError):
        load_mono(path, 16_000, duration_s=0.0)


def spans(path, sr=8_000, window_s=10.0, hop_s=5.0):
    return [(w.start_s, w.end_s) for w in iter_windows(path, sr, window_s, hop_s)]


@pytest.mark.parametrize(
    "seconds,expected",
    [
        (25.0, [(0, 10), (5, 15), (10, 20), (15, 25)]),
        (22.0, [(0, 10), (5, 15), (10, 20), (12, 22)]),  # the last window is full length too
        (10.0, [(0, 10)]),
        (3.0, [(0, 3)]),
    ],
)
def test_windows_cover_the_file_with_regular_starts(tmp_path, seconds, expected):
    path = write_audio(tmp_path / "w.wav", tone(seconds=seconds, sr=8_000), sr=8_000)
    assert spans(path) == expected


def test_window_samples_match_the_whole_file(tmp_path):
    path = write_audio(tmp_path / "w.wav", stereo(23.3, 44_100), sr=44_100, subtype="FLOAT")
    whole = load_mono(path, 16_000)
    windows = list(iter_windows(path, 16_000, 4.0, 1.5))
    assert windows[-1].end_s == pytest.approx(len(whole) / 16_000)
    for window in windows:
        start, end = round(window.start_s * 16_000), round(window.end_s * 16_000)
        np.testing.assert_array_equal(window.samples, whole[start:end])


def test_windows_need_a_hop_within_the_window(tmp_path):
    path = write_audio(tmp_path / "w.wav", tone(), sr=16_000)
    with pytest.raises(ValueError):
        list(iter_windows(path, 16_000, 2.0, 3.0))
    with pytest.raises(ValueError):
        list(iter_windows(path, 16_000, 2.0, 0.0))


def test_multi_hour_file_streams_in_bounded_memory(tmp_path):
    path = sparse_wav(tmp_path / "two_hours.wav", 2 * 3600, 8_000)
    assert probe(path) == AudioFacts(7200.0, 8_000, 1, 16, "wav", "PCM_16", 7200 * 8_000)
    assert load_mono(path, 16_000, start_s=7000.0, duration_s=3.0).shape == (48_000,)

    tracemalloc.start()
    count = 0
    for window in iter_windows(path, 4_000, 60.0, 60.0):
        count += 1
        last = window
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 120 and (last.start_s, last.end_s) == (7140.0, 7200.0)
    # The whole file as float32 would be 230 MB; one block and one window are about 1.5 MB.
    assert peak < 8_000_000, f"peak {peak / 1e6:.1f} MB"


def test_eight_channels_at_192k(tmp_path):
    channels = np.stack([tone(500 * (c + 1), 1.0, 192_000, 0.1) for c in range(8)], axis=1)
    path = write_audio(tmp_path / "octo.wav", channels, sr=192_000, subtype="PCM_24", format="WAVEX")
    facts = probe(path)
    assert (facts.channels, facts.sample_rate, facts.frames) == (8, 192_000, 192_000)
    mono = load_mono(path, 16_000)
    assert len(mono) == 16_000
    spectrum = np.abs(np.fft.rfft(mono))  # 1 s: bin k is k Hz; 500..4000 Hz survive the 8 kHz Nyquist
    assert sorted(np.argsort(spectrum)[-8:]) == [500 * (c + 1) for c in range(8)]
