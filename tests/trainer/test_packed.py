"""The GPU pack's recipe end to end on a tiny model, on the CPU: pack (a bad file left out),
both arms' stages, a merge the app loads with only the audio side replaced."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
import torch
from safetensors.torch import load_file

from engine.audio.decode import load_mono
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.model import LogMel
from trainer.packed import PACK_FILE, audio_model, contrastive_step, load_corpus, main


def write_manifest(folder, name, indices):
    rng = np.random.default_rng(0)
    rows = []
    for i in indices:
        t = np.arange(int(16_000 * (0.5 + i / 6))) / 16_000
        audio = np.sin(2 * np.pi * (200 + 150 * i) * t) * 0.3 if i % 2 else rng.standard_normal(len(t)) * 0.2
        sf.write(folder / f"{i}.wav", audio.astype(np.float32), 44_100 if i % 3 else 16_000)
        rows.append({"audio": f"{i}.wav", "captions": [f"sound number {i}", "a test sound"]})
    manifest = folder / f"{name}.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    return manifest


@pytest.mark.slow
def test_pack_train_merge(tiny_checkpoint, tmp_path, caplog):
    train = write_manifest(tmp_path, "train", range(4, 14))
    val = write_manifest(tmp_path, "val", range(4))
    # as a corpus's manifest.jsonl does, the training manifest lists the held-out clips too, split "val"
    held_rows = [json.loads(row) | {"split": "val"} for row in val.read_text().splitlines()]
    train.write_text(train.read_text() + "\n" + "\n".join(json.dumps(r) for r in held_rows))
    (tmp_path / "13.wav").write_bytes(b"RIFF not really a wave")
    pack = tmp_path / "pack"
    assert (
        main(
            [
                "pack",
                "--train",
                str(train),
                "--val",
                str(val),
                "--init",
                str(tiny_checkpoint),
                "--out",
                str(pack),
                "--seconds",
                "1.5",
            ]
        )
        == 0
    )
    data = np.load(pack / PACK_FILE)
    assert len(data["image_sizes"]) == 13 and data["held_out"].sum() == 4  # 13.wav left out, named
    assert "13.wav" in caplog.text
    assert data["text"].shape[0] == 1 + 13 and data["captions_per_clip"].tolist() == [2] * 13

    corpus = load_corpus(pack, torch.device("cpu"))
    heard = [min(sf.info(tmp_path / f"{i}.wav").duration, 1.5) * 100 for i in [*range(4, 13), *range(4)]]
    assert np.abs(corpus.lengths.numpy() - heard).max() <= 1  # 10 ms frames of each clip's first 1.5 s
    wave = load_mono(tmp_path / "4.wav", 16_000)  # 0.42 s
    exact = LogMel()(torch.from_numpy(wave)[None])[0, : len(wave) // 160]
    # Close to the log-mel (white noise is the hardest image to code; a wrong level map errs by 0.5 and more)
    assert (corpus.mels[: len(exact)].float() - exact).abs().mean() < 0.08

    stages = {
        "mae": {"steps": 3, "batch": 4, "lr": 1e-3, "crop_frames": 64, "warmup": 1},
        "scratch": {"steps": 4, "batch": 4, "lr": 1e-3, "crop_frames": 64, "warmup": 1, "saves": [0.5, 1.0]},
        "continue": {"steps": 2, "batch": 4, "lr": 1e-3, "crop_frames": 64, "warmup": 1, "saves": [1.0]},
    }
    (tmp_path / "stages.json").write_text(json.dumps(stages))
    out = tmp_path / "out"
    assert (
        main(
            [
                "train",
                "--pack",
                str(pack),
                "--init",
                str(tiny_checkpoint),
                "--out",
                str(out),
                "--stages",
                str(tmp_path / "stages.json"),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out.glob("*.safetensors")) == [
        "continue-2.safetensors",
        "scratch-2.safetensors",
        "scratch-4.safetensors",
    ]
    history = json.loads((out / "history.json").read_text())
    assert [(h["arm"], h["step"]) for h in history] == [
        ("continue", 0),
        ("continue", 2),
        ("mae", 3),
        ("scratch", 2),
        ("scratch", 4),
    ]
    assert all(np.isfinite(h["loss"]) for h in history[1:]) and "t2a/mAP@10" in history[-1]

    dest = tmp_path / "merged"
    assert (
        main(
            [
                "merge",
                "--init",
                str(tiny_checkpoint),
                "--weights",
                str(out / "scratch-4.safetensors"),
                "--dest",
                str(dest),
            ]
        )
        == 0
    )
    merged, before, trained = (
        load_file(p)
        for p in (dest / "model.safetensors", tiny_checkpoint / "model.safetensors", out / "scratch-4.safetensors")
    )
    assert torch.equal(merged["audio_proj.weight"], trained["audio_proj.weight"].to(before["audio_proj.weight"].dtype))
    assert not torch.equal(merged["audio_proj.weight"], before["audio_proj.weight"])
    assert torch.equal(merged["text_proj.weight"], before["text_proj.weight"])  # the text side stays locked
    backend = CacophonyBackend.from_checkpoint(dest)
    assert backend.embed_audio([np.zeros(16_000, np.float32) + 0.01]).shape == (1, backend.info.embedding_dim)


def test_takes_named_alike_are_not_negatives(tiny_checkpoint, tmp_path):
    """With every clip under one caption only the positive is left in each row: the loss is 0."""
    train = write_manifest(tmp_path, "train", range(4, 8))
    rows = [json.loads(line) | {"captions": ["a door"]} for line in train.read_text().splitlines()]
    train.write_text("\n".join(json.dumps(r) for r in rows))
    pack = tmp_path / "pack"
    assert main(["pack", "--train", str(train), "--init", str(tiny_checkpoint), "--out", str(pack)]) == 0
    with pytest.raises(SystemExit):  # train names its missing arguments rather than failing on None
        main(["train", "--pack", str(pack), "--init", str(tiny_checkpoint), "--out", str(tmp_path / "out")])
    model = audio_model(tiny_checkpoint, torch.device("cpu"))
    corpus = load_corpus(pack, torch.device("cpu"))
    generator = torch.Generator().manual_seed(0)
    clips = torch.arange(4)
    mel, frames = corpus.crops(clips, 64, generator)
    loss = contrastive_step(model, corpus, clips, mel.float(), frames, np.random.default_rng(0), generator)
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
