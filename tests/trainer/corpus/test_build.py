"""The corpus CLI end to end on the fast source: manifest the trainer reads, split by source."""

import json
from collections import defaultdict

import pytest
import soundfile as sf

from trainer.corpus.__main__ import main
from trainer.data.manifest import read_manifest


@pytest.mark.slow
def test_build_signals_corpus(tmp_path):
    out = tmp_path / "corpus"
    assert main(["build", "--out", str(out), "--sources", "signals", "--mixes", "200", "--val-percent", "20"]) == 0
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    items = read_manifest(out / "manifest.jsonl")
    assert len(items) == len(rows) > 564  # the originals plus augmented copies and mixes
    splits_by_source = defaultdict(set)
    for row in rows:
        for source in row["source"].split("+"):
            splits_by_source[source].add(row["split"])
    assert all(len(s) == 1 for s in splits_by_source.values()), "a source straddles train and val"
    assert {"train", "val"} == {row["split"] for row in rows}
    mixes = [row for row in rows if row["kind"] == "mix"]
    assert mixes and all(" and " in row["captions"][0] for row in mixes)
    for row in rows[::97]:
        info = sf.info(out / row["audio"])
        assert info.samplerate == 16000 and info.channels == 1 and info.duration <= 10.24 + 1e-3
    # Exact pitches are never varispeeded (their captions would lie).
    assert not any(row["audio"].endswith(("varispeed0.wav",)) and row["exact_pitch"] for row in rows)
    # A rebuild reuses the finished part.
    assert main(["build", "--out", str(out), "--sources", "signals", "--mixes", "0"]) == 0
