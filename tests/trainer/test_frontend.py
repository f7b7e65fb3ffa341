"""The front-end head's recipe end to end on a tiny model: features once (resumable), a few
InfoNCE steps, the held-out mixes, and an export the app loads."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("aisfx")

from engine.models.cacophony.backend import CacophonyBackend  # noqa: E402 - imported only once aisfx is known to be installed
from trainer.frontend import main  # noqa: E402 - imported only once aisfx is known to be installed


@pytest.mark.slow
def test_features_train_mixes_export(tiny_checkpoint, tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(12):
        t = np.arange(int(16_000 * (0.5 + i / 8))) / 16_000
        audio = np.sin(2 * np.pi * (200 + 150 * i) * t) * 0.3 if i % 2 else rng.standard_normal(len(t)) * 0.2
        sf.write(tmp_path / f"{i}.wav", audio.astype(np.float32), 16_000)
        rows.append(
            {
                "audio": f"{i}.wav",
                "captions": [f"sound number {i}", "a test sound"],
                "split": "val" if i < 4 else "train",
            }
        )
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    run = tmp_path / "run"
    common = ["--init", str(tiny_checkpoint), "--out", str(run)]

    assert main(["features", *common, "--train", str(manifest)]) == 0
    chunk = next((run / "features").glob("*.npz"))
    stamp = chunk.stat().st_mtime_ns
    assert main(["features", *common, "--train", str(manifest)]) == 0
    assert chunk.stat().st_mtime_ns == stamp  # finished chunks are not computed again
    data = np.load(chunk)
    assert data["val"].sum() == 4 and len(data["lengths"]) == 12 and data["text"].shape[0] == 24

    assert main(["train", *common, "--steps", "3", "--batch", "4"]) == 0
    history = json.loads((run / "history.json").read_text())
    assert history[-1]["step"] == 3 and np.isfinite(history[-1]["loss"])
    assert main(["mixes", *common]) == 0
    mixes = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [m["mix"] for m in mixes][0] == 0.0 and all(0 <= m["t2a/R@10"] <= 1 for m in mixes)

    assert main(["export", *common, "--mix", "0.4", "--dest", str(tmp_path / "exported")]) == 0
    backend = CacophonyBackend.from_checkpoint(tmp_path / "exported")
    assert backend.model.cfg.front_end == "package:aisfx" and backend.model.cfg.front_mix == 0.4
    assert backend.embed_audio([np.zeros(16_000, np.float32) + 0.01]).shape == (1, backend.info.embedding_dim)
