"""Manifest readers: the generic formats and the published dataset layouts."""

from __future__ import annotations

import json

import pytest

from tests.factories import tone, write_audio
from trainer.data.manifest import ManifestError, read_manifest, read_manifests, write_jsonl


def wav(path):
    return write_audio(path, tone(seconds=0.2))


def test_generic_jsonl_relative_paths_single_caption_and_splits(tmp_path):
    wav(tmp_path / "clips" / "a.wav")
    wav(tmp_path / "clips" / "b.wav")
    rows = [
        {"audio": "clips/a.wav", "captions": ["one", " two "], "tags": ["door", "creak"]},
        {"audio": str(tmp_path / "clips" / "b.wav"), "caption": "just one", "tags": "x; y", "split": "val"},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    items = read_manifest(manifest)
    assert [i.audio for i in items] == [tmp_path / "clips" / "a.wav", tmp_path / "clips" / "b.wav"]
    assert items[0].captions == ["one", "two"] and items[0].split == "train" and items[0].tags == ["door", "creak"]
    assert items[1].captions == ["just one"] and items[1].tags == ["x", "y"] and items[1].split == "val"
    assert [i.split for i in read_manifest(manifest, split="val")] == ["val"]
    # write_jsonl -> read_manifest round trip
    again = read_manifest(write_jsonl(items, tmp_path / "copy.jsonl"))
    assert [(i.audio, i.captions, i.tags, i.split) for i in again] == [
        (i.audio, i.captions, i.tags, i.split) for i in items
    ]


def test_generic_csv(tmp_path):
    wav(tmp_path / "a.wav")
    (tmp_path / "m.csv").write_text("audio,caption_1,caption_2,tags,split\na.wav,first,second,dog;bark,test\n")
    [item] = read_manifest(tmp_path / "m.csv")
    assert item.captions == ["first", "second"] and item.tags == ["dog", "bark"] and item.split == "test"


def test_clotho_layout(tmp_path):
    for name in ("x.wav", "y.wav"):
        wav(tmp_path / "evaluation" / name)
    header = "file_name,caption_1,caption_2,caption_3,caption_4,caption_5\n"
    rows = "".join(f"{n},{n} c1,{n} c2,{n} c3,{n} c4,{n} c5\n" for n in ("x.wav", "y.wav"))
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "clotho_captions_evaluation.csv").write_text(header + rows)
    items = read_manifest(tmp_path / "csv" / "clotho_captions_evaluation.csv", audio_root=tmp_path)
    assert [i.audio.name for i in items] == ["x.wav", "y.wav"]
    assert items[0].captions == [f"x.wav c{k}" for k in range(1, 6)] and items[0].split == "test"


def test_audiocaps_layout_groups_captions_per_clip(tmp_path):
    wav(tmp_path / "audio" / "Yabc.wav")
    wav(tmp_path / "audio" / "def_30.flac")
    (tmp_path / "test.csv").write_text(
        "audiocap_id,youtube_id,start_time,caption\n1,abc,0,a dog barks\n2,abc,0,dog barking\n"
        "3,def,30,rain falls\n4,gone,0,missing clip\n"
    )
    items = read_manifest(tmp_path / "test.csv", audio_root=tmp_path / "audio")
    assert [(i.audio.name, i.captions, i.split) for i in items] == [
        ("Yabc.wav", ["a dog barks", "dog barking"], "test"),
        ("def_30.flac", ["rain falls"], "test"),
    ]


def test_wavcaps_layout(tmp_path):
    wav(tmp_path / "flac" / "123.flac")
    (tmp_path / "fsd.json").write_text(
        json.dumps(
            {"num_captions_per_audio": 1, "data": [{"id": "123.wav", "caption": "a bell rings", "duration": 0.2}]}
        )
    )
    [item] = read_manifest(tmp_path / "fsd.json", audio_root=tmp_path / "flac")
    assert item.audio == tmp_path / "flac" / "123.flac" and item.captions == ["a bell rings"]


def test_bad_manifests_say_what_is_wrong(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"audio": "a.wav"}\nnot json\n')
    with pytest.raises(ManifestError, match=r"bad.jsonl:2"):
        read_manifest(tmp_path / "bad.jsonl")
    (tmp_path / "odd.csv").write_text("path,text\na.wav,x\n")
    with pytest.raises(ManifestError, match="match no known layout"):
        read_manifest(tmp_path / "odd.csv")
    with pytest.raises(ManifestError, match="does not exist"):
        read_manifest(tmp_path / "nope.jsonl")
    (tmp_path / "missing.jsonl").write_text('{"audio": "gone.wav", "caption": "x"}\n')
    assert read_manifest(tmp_path / "missing.jsonl") == []
    with pytest.raises(ManifestError, match="no usable items"):
        read_manifests([str(tmp_path / "missing.jsonl")])
