"""The earmark-train commands end to end: finetune (with fusion), distill, eval, export, config."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.checkpoint import load_checkpoint
from tests.factories import noise
from trainer.cli import main
from trainer.config import TrainConfig, load_config


def read_log(out):
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def test_config_file_and_overrides(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"batch_size": 64, "model_overrides": {"width": 48}, "train": ["a.jsonl"]}))
    cfg = load_config(
        "stage1", path, ["steps=7", "sam=true", "model_overrides.depth=3", "out=runs/x", "betas=[0.9,0.95]"]
    )
    assert isinstance(cfg, TrainConfig) and cfg.stage == "stage1" and cfg.lr == 2e-4  # the stage-1 preset
    assert cfg.batch_size == 64 and cfg.steps == 7 and cfg.sam is True and cfg.out == "runs/x"
    assert cfg.model_overrides == {"width": 48, "depth": 3} and cfg.betas == (0.9, 0.95)
    with pytest.raises(ValueError, match="unknown training config keys"):
        load_config("stage2", None, ["batchsize=3"])
    with pytest.raises(ValueError, match="key=value"):
        load_config("stage2", None, ["steps"])


def test_teacher_keys_are_checked_up_front():
    cfg = load_config("finetune", None, ["teacher=aisfx", "teacher_weight=0.5", "out=runs/x"])
    assert cfg.teacher_weight == 0.5 and str(cfg.teacher_cache_dir) == "runs/x/teacher-cache"
    with pytest.raises(ValueError, match="needs a teacher"):
        load_config("stage2", None, ["teacher_weight=0.5"])
    with pytest.raises(ValueError, match="teacher must be one of"):
        load_config("stage2", None, ["teacher=panns", "teacher_weight=0.5"])
    with pytest.raises(ValueError, match="stage1"):
        load_config("stage1", None, ["teacher=aisfx", "teacher_weight=0.5"])


def test_cli_reports_bad_input_without_a_traceback(tmp_path, capsys):
    assert main(["stage2", "--out", str(tmp_path / "x")]) == 2
    assert "no training data" in capsys.readouterr().err
    assert main(["finetune", "--train", str(tmp_path / "none.jsonl")]) == 2
    assert "needs init" in capsys.readouterr().err


@pytest.mark.slow
def test_finetune_with_fusion_then_export_and_app_load(tmp_path, run_stage, tiny_checkpoint):
    out = tmp_path / "ft"
    final = run_stage(
        "finetune", out, "--init", str(tiny_checkpoint), steps=6, lr=1e-3, **{"model_overrides.fusion": True}
    )
    model, _, _ = load_checkpoint(final)
    assert model.fusion is not None and model.cfg.fusion
    assert any("con" in r for r in read_log(out))
    exported = tmp_path / "app-model"
    assert main(["export", str(out), str(exported), "--half", "--name", "my-sounds"]) == 0
    backend = CacophonyBackend.from_checkpoint(exported)
    assert backend.info.name == "my-sounds"
    vectors = backend.embed_audio([noise(seconds=6.0), noise(seconds=0.5)])  # 6 s > the 1.28 s window: fused
    assert vectors.shape == (2, backend.info.embedding_dim) and np.all(np.isfinite(vectors))


@pytest.mark.slow
def test_distill_from_an_ensemble(tmp_path, run_stage, tiny_checkpoint):
    teacher_b = run_stage("finetune", tmp_path / "other", "--init", str(tiny_checkpoint), steps=3, lr=1e-3)
    out = tmp_path / "distill"
    run_stage(
        "distill",
        out,
        "--init",
        str(tiny_checkpoint),
        steps=4,
        distill_weight=0.5,
        log_every=1,
        teachers=json.dumps([str(tiny_checkpoint), str(teacher_b)]),
    )
    log = [r for r in read_log(out) if "distill" in r]
    assert len(log) == 4 and all(r["distill"] > 0 for r in log)
    assert log[0]["loss"] == pytest.approx(0.5 * log[0]["con"] + 0.5 * log[0]["distill"] + log[0]["caption"], rel=1e-4)


def test_eval_command_scores_any_checkpoint(tmp_path, tiny_checkpoint, synthetic_manifest, capsys):
    assert (
        main(["eval", str(tiny_checkpoint), "--manifest", str(synthetic_manifest), "--split", "val", "--zero-shot"])
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert results["items"] == 12
    for key in ("t2a/R@1", "t2a/R@5", "t2a/R@10", "t2a/mAP@10", "a2t/R@1", "a2t/mAP@10", "zero_shot/accuracy"):
        assert 0.0 <= results[key] <= 1.0, key
    assert results["t2a/R@10"] >= results["t2a/R@5"] >= results["t2a/R@1"]
