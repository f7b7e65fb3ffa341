"""The teacher-vector cache: filled once through ``earmark-train teacher-embed``, resumed
without redoing finished files, and turned into centred distillation targets; a file the
teacher cannot read is left out, naming it, and the run goes on without it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from engine.models.cacophony.checkpoint import WEIGHTS_FILE
from tests.factories import noise, tone, write_audio
from trainer.cli import main
from trainer.data.audio import load_mono
from trainer.data.dataset import CropDataset
from trainer.data.manifest import read_manifest
from trainer.data.melcache import MelSource
from trainer.teachers.cache import TeacherVectors, teacher_targets


@pytest.fixture
def clips(tmp_path):
    paths = [
        write_audio(tmp_path / "a" / "hum.wav", tone(120.0, seconds=1.5)),
        write_audio(tmp_path / "a" / "beep.wav", tone(2500.0, seconds=0.8)),
        write_audio(tmp_path / "a" / "hiss.wav", noise(seconds=2.0)),
    ]
    manifest = tmp_path / "clips.jsonl"
    manifest.write_text("".join(json.dumps({"audio": str(p), "captions": ["x"]}) + "\n" for p in paths))
    return manifest, paths


def embed(args, capsys) -> dict:
    assert main(["teacher-embed", *args, "--set", "num_workers=0"]) == 0
    return json.loads(capsys.readouterr().out)


def test_precompute_fills_the_run_cache_and_resumes_without_redoing(tmp_path, clips, capsys):
    manifest, paths = clips
    out = tmp_path / "run"
    first = embed(["--train", str(manifest), "--out", str(out)], capsys)
    assert first["computed"] == 3 and first["cache"] == str(out / "teacher-cache")
    vectors = TeacherVectors("aisfx", out / "teacher-cache")
    entries = [vectors.entry(p) for p in paths]
    stamps = [e.stat().st_mtime_ns for e in entries]
    expected = vectors.load_teacher().embed(load_mono(paths[1], 44_100), 44_100)
    np.testing.assert_allclose(vectors.vector(paths[1]), expected, atol=1e-6)

    entries[1].unlink()  # as if interrupted before the second file
    second = embed(["--train", str(manifest), "--out", str(out)], capsys)
    assert (second["cached"], second["computed"]) == (2, 1)
    assert [entries[0].stat().st_mtime_ns, entries[2].stat().st_mtime_ns] == [stamps[0], stamps[2]]


def test_unreadable_files_are_reported_not_fatal_to_the_rest(tmp_path, clips, capsys):
    manifest, paths = clips
    paths[0].write_bytes(b"RIFF not really a wave file")
    assert (
        main(
            [
                "teacher-embed",
                "--train",
                str(manifest),
                "--set",
                f"teacher_cache={tmp_path / 'c'}",
                "--set",
                "num_workers=0",
            ]
        )
        == 1
    )
    counts = json.loads(capsys.readouterr().out)
    assert (counts["computed"], counts["failed"]) == (2, 1)


@pytest.fixture
def with_a_broken_file(tmp_path, clips) -> tuple[Path, list[Path], Path]:
    """The clips' manifest plus a file named like audio whose bytes are not: (manifest, good, broken)."""
    manifest, paths = clips
    broken = tmp_path / "a" / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio at all" * 8)
    with_broken = tmp_path / "with-broken.jsonl"
    rows = [*paths[:2], broken, paths[2]]
    with_broken.write_text("".join(json.dumps({"audio": str(p), "captions": ["a low tone"]}) + "\n" for p in rows))
    return with_broken, paths, broken


def test_a_file_the_teacher_cannot_read_is_left_out_naming_it(tmp_path, with_a_broken_file, caplog):
    manifest, good, broken = with_a_broken_file
    items = read_manifest(manifest)
    with caplog.at_level(logging.WARNING):
        targets = teacher_targets([item.audio for item in items], TeacherVectors("aisfx", tmp_path / "c"))
    assert list(targets) == good  # in their order, the broken one absent
    table = np.stack(list(targets.values()))
    np.testing.assert_allclose(np.linalg.norm(table, axis=1), 1.0, rtol=1e-5)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(w.startswith(f"no teacher vector for {broken}: damaged audio header") for w in warnings), warnings
    assert "1 of 4 training files left out of aisfx-v1 distillation (named above)" in warnings
    assert not any(str(p) in w for w in warnings for p in good)

    # The fine-tune's data, given these targets, trains on the readable clips only, each with its target.
    dataset = CropDataset(items, MelSource(16_000, 64), crop_frames=50, teacher=targets)
    assert [item.audio for item in dataset.items] == good
    for index, path in enumerate(good):
        np.testing.assert_array_equal(dataset[(0, index)]["teacher"].numpy(), targets[path])


def test_no_readable_file_at_all_is_an_error(tmp_path):
    broken = [tmp_path / f"broken{i}.wav" for i in range(2)]
    for path in broken:
        path.write_bytes(b"not audio")
    with pytest.raises(ValueError, match="no aisfx-v1 vector for any of the 2 training files"):
        teacher_targets(broken, TeacherVectors("aisfx", tmp_path / "c"))


@pytest.mark.slow
def test_a_distillation_run_goes_on_without_the_unreadable_file(tmp_path, with_a_broken_file, run_stage, caplog):
    manifest, _, broken = with_a_broken_file
    out = tmp_path / "run"
    teacher = {"teacher": "aisfx", "teacher_weight": 1.0, "teacher_cache": str(tmp_path / "c")}
    with caplog.at_level(logging.WARNING):
        final = run_stage("stage2", out, manifest=manifest, steps=2, batch_size=2, sam=False, log_every=1, **teacher)
    assert (final / WEIGHTS_FILE).is_file()
    logged = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in logged if "teacher" in r] == [1, 2]
    assert any(str(broken) in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_targets_are_centred_unit_vectors_per_file(tmp_path, clips):
    _, paths = clips
    vectors = TeacherVectors("aisfx", tmp_path / "cache")
    targets = teacher_targets([*paths, paths[0]], vectors)  # a file listed twice counts once
    assert list(targets) == paths
    table = np.stack(list(targets.values()))
    np.testing.assert_allclose(np.linalg.norm(table, axis=1), 1.0, rtol=1e-5)
    raw = np.stack([vectors.vector(p) for p in paths])
    assert (raw @ raw.T).min() > 0.3  # uncentred, every pair shares the positive direction
    assert (table @ table.T)[~np.eye(3, dtype=bool)].max() < 0  # centred, three clips point apart
