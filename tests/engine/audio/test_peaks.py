"""Waveform overviews: per-channel extremes, the on-disk cache and its pruning."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from engine.audio.files import AudioDecodeError
from engine.audio.peaks import cached_peaks, compute_peaks, prune_peaks
from tests.factories import tone, write_audio


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


def test_pruning_keeps_the_most_recently_used_overviews(tmp_path):
    cache = tmp_path / "cache"
    paths = [write_audio(tmp_path / f"{i}.wav", tone(220 * (i + 1), 0.2)) for i in range(4)]
    for age, path in enumerate(paths):
        cached_peaks(path, cache, 50)
        entry = max(cache.glob("*.npz"), key=lambda p: p.stat().st_mtime_ns)
        os.utime(entry, ns=(10**18 + age * 10**9,) * 2)  # computed one second apart, oldest first
    cached_peaks(paths[0], cache, 50)  # previewed again: now the most recent
    assert prune_peaks(cache, keep=2) == 2
    assert len(list(cache.glob("*.npz"))) == 2
    before = {p.name for p in cache.iterdir()}
    for kept in (paths[0], paths[3]):
        cached_peaks(kept, cache, 50)  # served from the cache: no new entry appears
    assert {p.name for p in cache.iterdir()} == before
    assert prune_peaks(tmp_path / "no-cache-yet") == 0
