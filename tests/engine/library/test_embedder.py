"""Window embedding across files: same vectors as one file at a time, failures dropped whole."""

from __future__ import annotations

import os
import threading
import time

import numpy as np

from engine.library import embedder
from engine.library.embedder import FileJob, WindowEmbedder
from tests.factories import noise, tone, write_audio


def test_batching_across_files_gives_the_vectors_of_one_file_at_a_time(tmp_path, model):
    paths = [write_audio(tmp_path / f"{i}.wav", tone(200 + 150 * i, 0.5 + i)) for i in range(4)]
    jobs = [FileJob(str(p)) for p in paths]
    together = {e.job.path: e for e in WindowEmbedder(model, batch_size=5).run(jobs)}
    assert list(together) == [str(p) for p in paths]  # completion order is input order
    for job in jobs:
        (alone,) = WindowEmbedder(model, batch_size=1).run([job])
        np.testing.assert_allclose(together[job.path].windows(16).vectors, alone.windows(16).vectors, atol=1e-5)
        assert together[job.path].starts == alone.starts


def test_windows_are_batched_with_windows_of_about_their_length(tmp_path, model):
    """A batch is padded to its longest window: one-shots never wait on a long take's window,
    and each file still gets the vectors it gets alone, in the order the files came."""
    rate, window = model.info.sample_rate, model.info.window_seconds
    seconds = [0.3, 0.4, window * 3, 0.3, 0.35, 0.45, window * 2, 0.4]
    paths = [write_audio(tmp_path / f"{i}.wav", noise(s, seed=i)) for i, s in enumerate(seconds)]
    jobs = [FileJob(str(p)) for p in paths]
    done = list(WindowEmbedder(model, batch_size=3, length_bounds_s=(0.5,)).run(jobs))
    assert [d.job.path for d in done] == [str(p) for p in paths]
    assert all(max(batch) <= 0.5 * rate or min(batch) > 0.5 * rate for batch in model.batches)
    assert sum(map(len, model.batches)) == sum(len(d.vectors) for d in done)
    for item, job in zip(done, jobs, strict=True):
        (alone,) = WindowEmbedder(model, batch_size=1).run([job])
        np.testing.assert_allclose(item.windows(16).vectors, alone.windows(16).vectors, atol=1e-5)


def test_a_file_of_a_rare_length_is_not_held_back_for_long(tmp_path, model, monkeypatch):
    """Its group's batch may never fill: once too many files wait behind it, part-filled
    batches are embedded, so it is handed over (and committed) long before the run ends."""
    monkeypatch.setattr(embedder, "WAITING_FILES", 3)
    window = model.info.window_seconds
    paths = [write_audio(tmp_path / "short.wav", noise(0.3))]
    paths += [write_audio(tmp_path / f"long{i}.wav", noise(window * 2, seed=i)) for i in range(12)]
    read = []

    def jobs():
        for path in paths:
            read.append(path)
            yield FileJob(str(path))

    results = WindowEmbedder(model, batch_size=4, length_bounds_s=(0.5,)).run(jobs())
    assert next(results).job.path == str(paths[0]) and len(read) < len(paths)
    assert len(list(results)) == len(paths) - 1


def test_windows_follow_the_models_window_and_hop(tmp_path, model):
    window = model.info.window_seconds
    path = write_audio(tmp_path / "long.wav", noise(window * 4))
    (done,) = WindowEmbedder(model, hop_fraction=0.5).run([FileJob(str(path))])
    assert np.allclose(done.starts, np.arange(len(done.starts)) * window / 2)
    assert done.ends[-1] == done.facts.duration_s and len(done.vectors) == 7
    np.testing.assert_allclose(np.linalg.norm(done.windows(16).vectors, axis=1), 1, atol=1e-5)


def test_a_file_failing_midway_is_dropped_whole_and_the_run_goes_on(tmp_path, model):
    good = write_audio(tmp_path / "good.wav", tone(300, 1.0))
    whole = write_audio(tmp_path / "cut.flac", noise(model.info.window_seconds * 6), format="FLAC").read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole[: len(whole) * 2 // 3])  # decodes for a while, then fails
    results = list(WindowEmbedder(model, batch_size=2).run([FileJob(str(cut)), FileJob(str(good))]))
    assert [bool(r.error) for r in results] == [True, False]
    assert results[0].vectors == [] and ("damaged" in results[0].error or "truncated" in results[0].error)
    assert len(results[1].vectors) >= 1


def test_stop_between_batches_yields_only_finished_files(tmp_path, model):
    paths = [write_audio(tmp_path / f"{i}.wav", tone(300 + i, 1.0)) for i in range(6)]
    embedder = WindowEmbedder(model, batch_size=2)
    seen = []
    results = embedder.run([FileJob(str(p)) for p in paths], should_stop=lambda: len(seen) >= 2)
    for item in results:
        seen.append(item)
    assert 2 <= len(seen) < 6 and all(len(s.vectors) == len(s.starts) > 0 for s in seen)


def _reading(path) -> bool:
    """Whether this process still has ``path`` open."""
    return any(os.path.realpath(f"/proc/self/fd/{fd}") == str(path) for fd in os.listdir("/proc/self/fd"))


def _decoding() -> bool:
    return any(t.name == "earmark-decode" and t.is_alive() for t in threading.enumerate())


def test_a_run_left_midway_through_a_long_file_ends_its_reading_thread_and_closes_it(tmp_path, model):
    short = write_audio(tmp_path / "short.wav", tone(300, 0.5))
    long = write_audio(tmp_path / "long.wav", noise(model.info.window_seconds * 40))
    results = WindowEmbedder(model, batch_size=2).run([FileJob(str(short)), FileJob(str(long))])
    assert next(results).job.path == str(short)  # handed over while the long file is being read
    results.close()  # the caller stops listening (a pause, a folder removed)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (_reading(long) or _decoding()):
        time.sleep(0.05)
    assert not _reading(long) and not _decoding()
