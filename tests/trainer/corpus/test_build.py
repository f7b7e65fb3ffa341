"""The corpus CLI end to end on the fast source: manifest the trainer reads, split by source; a
rebuild reuses a part only when it was finished with the same arguments, and still refuses it
when its package has been reserved since."""

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from engine.audio.decode import load_mono
from tests.factories import build_deb, debian_package
from trainer.corpus.__main__ import main
from trainer.corpus.clips import SAMPLE_RATE, Clip, write_manifest
from trainer.corpus.clips import read_manifest as read_clips
from trainer.corpus.dedup import content_key
from trainer.corpus.packages import PackageNotAllowed
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


def toy_debian_corpus(tmp_path) -> tuple[Path, dict[str, Path]]:
    """A corpus folder whose debs/ already holds a real .deb of ``toysfx-data`` with two sounds
    (so no download), and those sounds by name."""
    root = tmp_path / "pkg"
    sounds = debian_package(root, "toysfx-data") / "sounds"
    sounds.mkdir()
    rng = np.random.default_rng(0)
    files = {name: sounds / f"{name}.wav" for name in ("door_open", "glass_break")}
    for path in files.values():
        sf.write(path, (rng.standard_normal(8000) * 0.1).astype(np.float32), SAMPLE_RATE)
    out = tmp_path / "corpus"
    (out / "debs").mkdir(parents=True)
    build_deb(root, out / "debs/toysfx-data_1.0_all.deb")
    return out, files


def debian_part(out: Path, *options: str) -> list[str]:
    """The captions of the Debian part a build with ``options`` leaves."""
    build = ["build", "--out", str(out), "--sources", "debian", "--packages", "toysfx-data", "--workers", "1"]
    assert main([*build, "--parts-only", *options]) == 0
    return sorted(clip.captions[0] for clip in read_clips(out / "parts/debian.jsonl"))


def test_a_part_is_built_again_when_its_arguments_change(tmp_path):
    out, files = toy_debian_corpus(tmp_path)
    both = ["door open", "glass break"]
    assert len(debian_part(out, "--limit", "1")) == 1
    assert debian_part(out) == both
    unlike = tmp_path / "ood-manifest.json"  # an evaluation set holding the door's audio
    door = {"key": content_key(load_mono(files["door_open"], SAMPLE_RATE)), "named": "door.wav"}
    unlike.write_text(json.dumps([door]))
    assert debian_part(out, "--unlike", str(unlike)) == ["glass break"]
    unlike.write_text("[]")  # the same file, other evaluation audio
    assert debian_part(out, "--unlike", str(unlike)) == both


def test_a_reused_part_is_refused_once_its_package_is_reserved(tmp_path, monkeypatch):
    out, _ = toy_debian_corpus(tmp_path)
    assert len(debian_part(out)) == 2
    reserved = tmp_path / "reserved-sources.txt"
    reserved.write_text("toysfx-data\n")
    monkeypatch.setenv("EARMARK_RESERVED_SOURCES", str(reserved))
    with pytest.raises(PackageNotAllowed, match="toysfx-data is reserved"):
        debian_part(out)  # the same arguments: the part itself is checked


def test_a_part_without_its_build_record_is_built_again(tmp_path):
    out, _ = toy_debian_corpus(tmp_path)
    (out / "parts").mkdir()
    line = Clip("debian/toysfx-data/door_open.0.wav", ["door open"], source="toysfx-data/door_open.wav").to_json()
    (out / "parts/debian.jsonl").write_text(line[: len(line) // 2])  # what a build killed mid-write left
    assert debian_part(out) == ["door open", "glass break"]
    assert (out / "parts/debian.built.json").is_file()


def test_a_manifest_write_that_fails_leaves_the_earlier_manifest_whole(tmp_path):
    path = tmp_path / "manifest.jsonl"
    earlier = [Clip("a.wav", ["a door"]), Clip("b.wav", ["rain"])]
    write_manifest(earlier, path)
    with pytest.raises(TypeError):
        write_manifest([Clip("c.wav", ["wind"]), Clip("d.wav", [object()])], path)  # fails on its second line
    assert read_clips(path) == earlier
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.jsonl"]  # no partial file left beside it
