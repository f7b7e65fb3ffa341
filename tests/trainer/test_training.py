"""End-to-end runs of the real loop on real (synthetic) audio files, single CPU process."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import soundfile as sf
from safetensors import safe_open

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.checkpoint import WEIGHTS_FILE, load_checkpoint
from tests.factories import VOCAB, write_audio
from trainer.cli import main
from trainer.config import TrainConfig
from trainer.data.manifest import read_manifest
from trainer.evaluation.retrieval import evaluate_backend, zero_shot_accuracy
from trainer.state import STATE_TENSORS

pytestmark = pytest.mark.slow  # real training runs, a minute or more each


def read_log(out):
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def write_tone_set(folder, count=24, seconds=2.0) -> str:
    """Harmonic tones at random pitches: spectrogram patches a MAE can infer from their rows."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * 16_000)) / 16_000
    rows = []
    for i in range(count):
        f0 = rng.uniform(150, 1500)
        audio = 0.3 * sum(np.sin(2 * np.pi * f0 * k * t) / k for k in (1, 2, 3))
        rows.append({"audio": str(write_audio(folder / f"tone-{i}.wav", audio.astype(np.float32)))})
    (folder / "tones.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(folder / "tones.jsonl")


def test_stage1_mae_loss_falls(tmp_path, run_stage):
    out = tmp_path / "s1"
    final = run_stage(
        "stage1",
        out,
        manifest=write_tone_set(tmp_path / "tones"),
        steps=60,
        lr=3e-3,
        warmup_steps=10,
        log_every=1,
        crop_seconds=1.5,
        **{
            "model_overrides.decoder_width": 64,
            "model_overrides.decoder_mlp_dim": 128,
            "model_overrides.decoder_heads": 4,
        },
    )
    losses = [r["loss"] for r in read_log(out) if "loss" in r]
    # Predicting each patch's mean scores 1.0 on normalised targets: below it is real reconstruction.
    assert np.mean(losses[-10:]) < 0.85 * np.mean(losses[:3]) and np.mean(losses[-10:]) < 0.9, losses
    model, _, meta = load_checkpoint(final)
    assert model.mae_decoder is None and meta["name"] == "tiny-stage1"  # final drops the decoder
    resumable, _, _ = load_checkpoint(out / "last")
    assert resumable.mae_decoder is not None  # last keeps it for resuming


def test_stage2_learns_retrieval_and_app_backend_matches(tmp_path, run_stage, synthetic_manifest):
    s1 = run_stage("stage1", tmp_path / "s1", steps=20, lr=2e-3, crop_seconds=2.0)
    out = tmp_path / "s2"
    final = run_stage("stage2", out, "--init", str(s1), steps=150, lr=2e-3, sam=False, log_every=25, eval_every=75)
    log = read_log(out)
    train = [r for r in log if "con" in r]
    # Chance levels: ln(batch) for InfoNCE, ln(vocabulary) for the next token.
    assert train[-1]["con"] < 0.6 * math.log(12), train
    assert train[-1]["caption"] < 0.6 * math.log(len(VOCAB)), train
    assert all(r["samples_per_s"] > 0 and r["tflops_per_s"] > 0 for r in train)

    # Held-out clips: 12 audios, each caption shared by the 2 clips of its class, so t2a R@1
    # can reach 0.5; chance is 1/12 for R@1 and ~0.24 for mAP@10.
    assert [r["step"] for r in log if "val/t2a/R@1" in r] == [75, 150]  # the last step's validation once
    val = [r for r in log if "val/t2a/R@1" in r][-1]
    assert val["val/t2a/R@1"] > 0.3 and val["val/t2a/mAP@10"] > 0.5, val

    # The app's backend on the same checkpoint: identical embeddings to the trainer's model.
    backend = CacophonyBackend.from_checkpoint(final)
    model, tokenizer, _ = load_checkpoint(final)
    items = [i for i in read_manifest(synthetic_manifest) if i.split == "val"]
    clips = [sf.read(i.audio, dtype="float32")[0] for i in items[:4]]
    import torch

    from engine.models.cacophony.backend import pad_batch

    with torch.no_grad():
        wave, lengths = pad_batch(clips, "cpu")
        direct, _, _ = model.embed_audio(wave, lengths)
        tokens = tokenizer(["white noise", "a high sine tone"], padding=True, return_tensors="pt")
        direct_text, _, _ = model.embed_text(tokens["input_ids"], tokens["attention_mask"])
    np.testing.assert_allclose(backend.embed_audio(clips), direct.numpy(), atol=1e-6)
    np.testing.assert_allclose(backend.embed_text(["white noise", "a high sine tone"]), direct_text.numpy(), atol=1e-6)

    # And `earmark-train eval`'s backend path agrees with the in-training evaluation.
    metrics = evaluate_backend(backend, items)
    assert abs(metrics["t2a/mAP@10"] - val["val/t2a/mAP@10"]) < 0.15
    # Zero-shot by class-name prompts (first tags: tone, noise, click, sweep; chance 1/4).
    zero_shot = zero_shot_accuracy(backend, items)
    assert zero_shot["zero_shot/classes"] == 4 and zero_shot["zero_shot/accuracy"] >= 0.4  # measured 0.5


def test_resume_continues_where_it_stopped(tmp_path, run_stage):
    out = tmp_path / "s2"
    run_stage("stage2", out, steps=6, save_every=3, sam=True)
    steps = [r["step"] for r in read_log(out) if "con" in r]
    # what a continuation killed after its last save (step 6) had logged: trained again on resume
    with (out / "log.jsonl").open("a") as log:
        log.writelines(json.dumps({"step": s, "con": 9.9, "val/t2a/mAP@10": 0.0}) + "\n" for s in (7, 8))
    run_stage("stage2", out, steps=9)  # resumes from last (step 6)
    after = [r["step"] for r in read_log(out) if "con" in r]
    assert after[len(steps) :] == [9]
    logged = [r["step"] for r in read_log(out)]
    assert logged == sorted(logged) and 9.9 not in [r.get("con") for r in read_log(out)]  # the killed steps forgotten
    _, _, meta = load_checkpoint(out / "final")
    assert meta["step"] == 9


def test_stop_after_ends_early_on_the_full_runs_schedule(tmp_path, run_stage):
    full, cut = tmp_path / "full", tmp_path / "cut"
    run_stage("stage2", full, steps=8, log_every=1, sam=False)
    run_stage("stage2", cut, steps=8, stop_after=4, log_every=1, sam=False)

    def lrs(out):
        return [r["lr"] for r in read_log(out) if "con" in r]

    assert lrs(cut) == lrs(full)[:4]  # the same warm-up and cosine, cut at step 4
    assert load_checkpoint(cut / "final")[2]["step"] == 4
    run_stage("stage2", cut, steps=8, log_every=1, sam=False)  # resumed mid-way: the rest of the same schedule
    assert lrs(cut) == lrs(full)
    assert lrs(full)[-1] == TrainConfig.min_lr  # the last step lands on the schedule's floor


def test_a_time_budget_ends_the_run_on_time_with_its_learning_rate_decayed(tmp_path, run_stage):
    """Planned for far more steps than the budget allows (a machine slower than measured): the run
    stops when its seconds are spent, its schedule having followed the clock to the end; resumed,
    it has nothing left to do."""
    out = tmp_path / "s2"
    budget, lr = 4.0, 1e-3
    run_stage("stage2", out, steps=10_000, time_budget_s=budget, lr=lr, min_lr=0, log_every=1, sam=False)
    log = [r for r in read_log(out) if "con" in r]
    step = load_checkpoint(out / "final")[2]["step"]
    assert 2 <= step < 10_000 and log[-1]["step"] == step
    assert budget <= log[-1]["trained_s"] < budget + 5  # within a step (and its logging) of the budget
    assert log[-1]["lr"] < 0.25 * lr < log[len(log) // 4]["lr"]  # cosine by the clock, not by 10,000 steps
    run_stage("stage2", out, steps=10_000, time_budget_s=budget, lr=lr, min_lr=0, log_every=1, sam=False)
    assert [r for r in read_log(out) if "con" in r] == log  # resumed: the budget was spent
    assert load_checkpoint(out / "final")[2]["step"] == step


def test_teacher_distillation_learns_resumes_and_stays_out_of_checkpoints(tmp_path, run_stage, teacher_cache):
    out = tmp_path / "s2"
    teacher = {"teacher": "aisfx", "teacher_weight": 1.0, "teacher_cache": str(teacher_cache)}
    run_stage("stage2", out, steps=60, lr=2e-3, sam=False, log_every=1, **teacher)
    log = [r for r in read_log(out) if "teacher" in r]
    first, last = np.mean([r["teacher"] for r in log[:3]]), np.mean([r["teacher"] for r in log[-5:]])
    # Targets are centred: the best constant prediction scores 0.96 here, so falling well below
    # it means the head reads the audio (measured: 0.99 -> 0.47; class means would score 0.13).
    assert first > 0.9 and last < 0.7, [r["teacher"] for r in log]
    assert log[0]["loss"] == pytest.approx(log[0]["con"] + log[0]["teacher"] + log[0]["caption"], rel=1e-4)

    # The head is trainer state: in last/'s optimizer file, not in any model weights.
    with safe_open(out / "last" / STATE_TENSORS, "pt") as f:
        assert any("teacher_head" in k for k in f.keys())
    # Resuming restores it: the loss carries on from where it was, not from a fresh head.
    run_stage("stage2", out, steps=62, lr=2e-3, sam=False, log_every=1, **teacher)
    resumed = [r["teacher"] for r in read_log(out) if "teacher" in r][len(log) :]
    assert len(resumed) == 2 and max(resumed) < 0.7, resumed

    exported = tmp_path / "app-model"
    assert main(["export", str(out), str(exported), "--half"]) == 0
    with safe_open(exported / WEIGHTS_FILE, "pt") as f:
        keys = set(f.keys())
    backend = CacophonyBackend.from_checkpoint(exported)  # rejects unexpected keys
    assert not any("teacher" in k for k in keys)
    assert keys <= set(backend.model.state_dict())
    assert backend.embed_audio([np.zeros(16_000, np.float32)]).shape == (1, backend.info.embedding_dim)
