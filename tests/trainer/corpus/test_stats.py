"""Corpus stats read clips, hours and pairs off a manifest and the clips' own headers."""

import numpy as np

from trainer.corpus.__main__ import main
from trainer.corpus.clips import SAMPLE_RATE, Clip, write_clip, write_manifest
from trainer.corpus.stats import Tally, tally


def test_clips_hours_and_pairs_per_split_and_kind(tmp_path, capsys):
    tone = np.sin(np.arange(SAMPLE_RATE * 9) * 0.05).astype(np.float32) * 0.5
    clips = [  # seconds, captions, split, kind
        Clip(write_clip(tmp_path, "a.wav", tone[: SAMPLE_RATE * 9]), ["a", "b"], split="train", kind="gm"),
        Clip(write_clip(tmp_path, "b.wav", tone[: SAMPLE_RATE * 3]), ["c"], split="train", kind="gm"),
        Clip(write_clip(tmp_path, "c.wav", tone[: SAMPLE_RATE // 2]), ["d", "e", "f"], split="train", kind="speech"),
        Clip(write_clip(tmp_path, "d.wav", tone[: SAMPLE_RATE * 6]), ["g"], split="val", kind="gm"),
    ]
    write_manifest(clips, tmp_path / "manifest.jsonl")
    found = tally(tmp_path)
    assert found == {
        ("train", "gm"): Tally(2, 12.0, 3),
        ("train", "speech"): Tally(1, 0.5, 3),
        ("val", "gm"): Tally(1, 6.0, 1),
    }
    assert main(["stats", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "| train | all | 3 | 0.00 | 6 |" in printed  # 12.5 s
    assert printed.index("| train | all | 3 | 0.00 | 6 |") < printed.index("| val | gm | 1 | 0.00 | 1 |")
