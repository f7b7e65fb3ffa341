"""The front-end head's recipe end to end on a tiny model: features once (resumable), a few
InfoNCE steps, the held-out mixes, and an export the app loads; feature chunks survive a kill
mid-write, follow a rebuilt manifest, and hear a clip the same at any sample rate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from engine.models.cacophony.backend import CacophonyBackend  # noqa: E402 - imported only once aisfx is known to be installed
from trainer.frontend import Features, main  # noqa: E402 - imported only once aisfx is known to be installed


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


def tones(folder, count: int, rate: int = 16_000) -> list[dict]:
    """``count`` one-second tones written at ``rate``, as manifest rows (the first two held out)."""
    rows = []
    for i in range(count):
        t = np.arange(rate) / rate
        sf.write(
            folder / f"tone{i}-{rate}.wav", (0.3 * np.sin(2 * np.pi * (300 + 200 * i) * t)).astype(np.float32), rate
        )
        rows.append({"audio": f"tone{i}-{rate}.wav", "captions": [f"tone {i}"], "split": "val" if i < 2 else "train"})
    return rows


def write_manifest(path, rows: list[dict]):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.mark.slow
def test_a_chunk_killed_mid_write_is_computed_again(tiny_checkpoint, tmp_path):
    manifest = write_manifest(tmp_path / "manifest.jsonl", tones(tmp_path, 4))
    run = tmp_path / "run"
    features = ["features", "--init", str(tiny_checkpoint), "--out", str(run), "--train", str(manifest)]
    # A process that may write files of 4 kB at most, killed (SIGXFSZ) when it writes past them:
    # everything before the chunk is smaller, the chunk is not.
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AT_4_KB, *features],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr[-2000:]
    assert list((run / "features").glob(".*.partial"))  # killed while writing the chunk...
    assert not list((run / "features").glob("*.npz"))  # ...which left no half chunk to take for a finished one

    assert main(features) == 0
    assert len(Features(run).val) == 4


KILLED_AT_4_KB = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it; a kill is what this stands for
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from trainer.frontend import main
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_a_rebuilt_manifest_replaces_its_chunks(tiny_checkpoint, tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    run = tmp_path / "run"
    features = ["features", "--init", str(tiny_checkpoint), "--out", str(run), "--train", str(manifest)]
    rows = tones(tmp_path, 5)
    write_manifest(manifest, rows)
    assert main(features) == 0
    write_manifest(manifest, rows[:4])  # the corpus rebuilt at the same path, one clip fewer
    assert main(features) == 0
    data = Features(run)
    assert len(data.val) == 4 and len(data.text) == 4
    assert len(list((run / "features").glob("*.npz"))) == 1


@pytest.mark.slow
def test_a_clip_is_heard_alike_at_any_sample_rate(tiny_checkpoint, tmp_path):
    manifest = write_manifest(tmp_path / "manifest.jsonl", tones(tmp_path, 3) + tones(tmp_path, 3, rate=44_100))
    run = tmp_path / "run"
    assert main(["features", "--init", str(tiny_checkpoint), "--out", str(run), "--train", str(manifest)]) == 0
    frames = Features(run).frames
    assert [f.shape for f in frames[:3]] == [f.shape for f in frames[3:]]
    unit = [(f / np.linalg.norm(f)).astype(np.float32).ravel() for f in frames]
    likeness = np.array([[a @ b for b in unit[3:]] for a in unit[:3]])
    # each tone at 16 kHz is nearest its own 44.1 kHz copy (other tones: about 0.8-0.9)
    assert list(likeness.argmax(1)) == [0, 1, 2] and likeness.diagonal().min() > 0.95
