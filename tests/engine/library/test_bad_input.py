"""Files that are not what they claim: each gets a clear error in the index, the run goes
on, and no user file is ever written to."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from engine.index.records import ERROR, OK
from engine.library.deadline import FileBudget
from engine.library.indexer import Indexer, IndexerOptions
from tests.engine.audio.conftest import sparse_wav, wav_header
from tests.engine.library.helpers import checksums, python_args, run_as_user
from tests.factories import tone, write_audio

PCM = (tone(440, 1.0) * 32767).astype("<i2").tobytes()


def bad_library(folder):
    """{file name: words its error must contain} for broken files, plus good neighbours."""
    whole = write_audio(folder / "whole.flac", tone(300, 3.0), format="FLAC").read_bytes()
    (folder / "truncated.flac").write_bytes(whole[: len(whole) // 2])
    wav = write_audio(folder / "whole.wav", tone(300, 3.0)).read_bytes()
    (folder / "truncated.wav").write_bytes(wav[: len(wav) // 2])
    (folder / "zero.wav").write_bytes(b"")
    (folder / "lying-length.wav").write_bytes(wav_header(16_000, 1, 16, 10 * len(PCM)) + PCM)
    (folder / "lying-format.wav").write_bytes(wav_header(16_000, 1, 16, len(PCM), format_tag=0x1234) + PCM)
    (folder / "lying-channels.wav").write_bytes(wav_header(16_000, 0, 16, len(PCM)) + PCM)
    (folder / "text.wav").write_text("Title: not really a sound\n")
    (folder / "noise.mp3").write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    os.symlink(folder / "loop-b.wav", folder / "loop-a.wav")
    os.symlink(folder / "loop-a.wav", folder / "loop-b.wav")
    os.symlink(folder, folder / "loop-dir")
    os.symlink(folder / "nowhere.wav", folder / "dangling.wav")
    write_audio(
        folder / "eight-channels-192k.wav",
        np.stack([tone(200 * (c + 1), 0.5, 192_000) for c in range(8)], 1),
        sr=192_000,
        subtype="PCM_24",
    )
    raw = os.fsencode(folder) + b"/caf\xe9-\xff.wav"
    os.rename(write_audio(folder / "latin1.wav", tone(600, 1.0)), raw)
    return {
        "truncated.flac": "damaged audio data",
        "truncated.wav": "truncated",
        "zero.wav": "empty (0 bytes)",
        "lying-length.wav": "header promises 10.00 s",
        "lying-format.wav": "malformed",
        "lying-channels.wav": "channel count is zero",
        "text.wav": "not an audio file: it contains text",
        "noise.mp3": "audio",
        "loop-a.wav": "symbolic link loop",
        "loop-b.wav": "symbolic link loop",
        "dangling.wav": "file not found",
    }


def test_each_bad_file_gets_its_own_error_and_the_rest_index(library, store, indexer):
    expected = bad_library(library)
    before = checksums(library)
    report = indexer.index()
    assert checksums(library) == before
    reported = {os.path.basename(e.path): e.error for e in report.errors}
    assert set(reported) == set(expected)
    for name, words in expected.items():
        row = store.get_file(str(library / name))
        assert row.status == ERROR and row.error == reported[name], (name, row.error)
        assert words.lower() in row.error.lower(), (name, row.error)
    good = {os.path.basename(r.path): r for r in store.find_files() if r.status == OK}
    assert set(good) == {"whole.flac", "whole.wav", "eight-channels-192k.wav", os.fsdecode(b"caf\xe9-\xff.wav")}
    eight = good["eight-channels-192k.wav"]
    assert (eight.channels, eight.sample_rate, eight.bit_depth) == (8, 192_000, 24)
    latin = store.get_file(os.fsdecode(os.fsencode(library) + b"/caf\xe9-\xff.wav"))
    assert latin.status == OK and os.path.exists(latin.path)
    # a rescan leaves unchanged broken files alone, except those it could not read at all (retried: cheap)
    again = {os.path.basename(e.path) for e in indexer.index().errors}
    assert again == {"loop-a.wav", "loop-b.wav", "dangling.wav"}


@pytest.mark.slow
def test_multi_hour_file_indexes_in_windows_to_its_end(library, store, model):
    path = sparse_wav(library / "one-hour-8k.wav", 3600, 8_000)
    before = checksums(library)
    report = Indexer(store, model, IndexerOptions(hop_fraction=1.0, batch_size=64)).index()
    assert report.errors == [] and checksums(library) == before
    row = store.get_file(str(path))
    windows = store.embeddings(model.info).windows(row.id)
    assert row.duration_s == 3600 and windows.ends[-1] == 3600
    assert len(windows) == int(np.ceil(3600 / model.info.window_seconds))


@pytest.mark.slow
def test_unreadable_file_is_an_error_then_indexed_once_readable(library, store, indexer, tiny_checkpoint, tmp_path):
    """chmod 000 as the user sees it: the CLI runs in a child that cannot override permissions."""
    locked = write_audio(library / "locked.wav", tone(500, 1.0))
    write_audio(library / "open.wav", tone(700, 1.0))
    before = checksums(library)
    store.folders()  # the store exists; the child opens the same home
    home = tmp_path / "home"
    os.chmod(locked, 0)
    try:
        code = (
            "import sys; from engine.cli import main; "
            f"sys.exit(main(['--home', {str(home)!r}, '--model', {str(tiny_checkpoint)!r}, 'add-folder', "
            f"{str(library)!r}]) or main(['--home', {str(home)!r}, '--model', {str(tiny_checkpoint)!r}, 'index']))"
        )
        result = run_as_user(python_args(code), timeout=300)
    finally:
        os.chmod(locked, stat.S_IRUSR | stat.S_IWUSR)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{locked}: permission denied" in result.stdout
    from engine.index.store import LibraryStore

    child_store = LibraryStore(home / "data" / "index.lance")
    assert child_store.get_file(str(locked)).error == "permission denied"
    assert child_store.get_file(str(library / "open.wav")).status == OK
    assert Indexer(child_store, indexer.model).index().added == 1  # readable now: retried, searchable at last
    assert child_store.get_file(str(locked)).status == OK
    assert checksums(library) == before


def test_a_file_that_keeps_the_run_waiting_past_its_budget_fails_alone(library, store, model):
    """A minute of 8-channel 192 kHz audio takes seconds to decode here; with a budget of
    0.3 s it is given up and said so, and the short file beside it indexes as usual."""
    slow = library / "slow.wav"
    with open(slow, "wb") as out:  # sparse: no disk, but every sample is decoded and resampled
        out.write(wav_header(192_000, 8, 16, 60 * 192_000 * 8 * 2))
        out.truncate(44 + 60 * 192_000 * 8 * 2)
    quick = write_audio(library / "quick.wav", tone(500, 1.0))
    budget = FileBudget(base_s=0.3, per_audio_second_s=0.0)
    report = Indexer(store, model, IndexerOptions(file_budget=budget)).index()
    assert [(os.path.basename(e.path), e.error.split(",")[0]) for e in report.errors] == [
        ("slow.wav", "reading took longer than 0.3 s")
    ]
    assert "the limit for this file" in store.get_file(str(slow)).error
    assert store.get_file(str(quick)).status == OK


def test_audio_the_model_cannot_embed_fails_that_file_only(library, store, indexer):
    """Finite float samples near the float32 limit overflow the model's spectrogram:
    the vectors are not numbers, so the file is an error, not the run."""
    extreme = np.full((16_000, 1), 3e38, np.float32)
    extreme[::2] = -3e38
    write_audio(library / "extreme.wav", extreme, subtype="FLOAT")
    write_audio(library / "fine.wav", tone(300, 1.0))
    report = indexer.index()
    assert [os.path.basename(e.path) for e in report.errors] == ["extreme.wav"]
    assert report.errors[0].error.startswith(
        "the model could not embed this file: its audio gave vectors that are not numbers"
    )
    assert store.get_file(str(library / "fine.wav")).status == OK


def test_a_file_cut_a_few_bytes_short_is_searchable_with_a_warning_and_half_a_file_is_not(library, store, indexer):
    """Review 13: a file 117 bytes short of its header's promise was refused. It is indexed with
    the audio that is there, the run and its record saying it was cut short; a copy that stopped
    half way is still refused, so it is never indexed as if whole."""
    whole = write_audio(library / "wind.wav", tone(300, 2.0)).read_bytes()
    (library / "wind.wav").write_bytes(whole[:-117])
    (library / "half.wav").write_bytes(whole[: len(whole) // 2])
    report = indexer.index()
    cut_short = "cut short: 117 bytes (3.7 ms) of the audio its header promises are missing; what is there was indexed"
    assert [(os.path.basename(w.path), w.error) for w in report.warnings] == [("wind.wav", cut_short)]
    wind = store.get_file(str(library / "wind.wav"))
    assert (wind.status, wind.error, wind.duration_s) == (OK, cut_short, (32_000 - 59) / 16_000)
    assert [os.path.basename(e.path) for e in report.errors] == ["half.wav"]
    assert store.get_file(str(library / "half.wav")).error.endswith("bytes (1.00 s) are missing")
