"""The teacher-vector cache: filled once through ``earmark-train teacher-embed``, resumed
without redoing finished files, and turned into centred distillation targets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.factories import noise, tone, write_audio
from trainer.cli import main
from trainer.data.audio import load_mono
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
    with pytest.raises(ValueError, match="no aisfx-v1 vector for 1 of the training files"):
        teacher_targets(paths, TeacherVectors("aisfx", tmp_path / "c"))


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
