"""Crops, captions, the log-mel cache and the step sampler."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from tests.factories import noise, write_audio
from trainer.data.dataset import Collate, CropDataset, StepBatches
from trainer.data.keywords import debias, join_keywords, keyword_caption, set_keyword_captioner
from trainer.data.manifest import Item
from trainer.data.melcache import MelSource


@pytest.fixture
def clip(tmp_path):
    return write_audio(tmp_path / "clip.wav", noise(seconds=3.0, seed=1))


def test_cache_is_written_once_and_matches_decoding(tmp_path, clip):
    uncached = MelSource(16_000, 128)
    cached = MelSource(16_000, 128, tmp_path / "cache")
    full = uncached.full(clip)
    assert full.shape == (300, 128) and cached.num_frames(clip) == 300
    entries = list((tmp_path / "cache").rglob("*.npy"))
    assert len(entries) == 1 and np.load(entries[0]).dtype == np.float16
    np.testing.assert_allclose(cached.crop(clip, 100, 50), full[100:150], atol=2e-3)
    mtime = entries[0].stat().st_mtime_ns
    cached.crop(clip, 0, 10)
    assert entries[0].stat().st_mtime_ns == mtime
    # An uncached crop decodes only its region: equal to the full mel away from the edges.
    np.testing.assert_allclose(uncached.crop(clip, 100, 50)[5:-5], full[105:145], atol=1e-4)


def test_crops_and_captions_are_seeded_by_epoch_and_index(tmp_path, clip):
    items = [Item(clip, ["first", "second", "third"], ["hiss"]), Item(clip, [], ["door", "creak"])]
    ds = CropDataset(items, MelSource(16_000, 128, tmp_path / "cache"), crop_frames=100, seed=7)
    a, b = ds[(0, 0)], ds[(0, 0)]
    assert torch.equal(a["mel"], b["mel"]) and a["caption"] == b["caption"] and a["mel"].shape == (100, 128)
    variants = {(ds[(e, 0)]["caption"], float(ds[(e, 0)]["mel"].sum())) for e in range(8)}
    assert len(variants) > 1
    assert "door" in ds[(0, 1)]["caption"] and "creak" in ds[(0, 1)]["caption"]  # tags only -> keyword caption


def test_a_clip_gone_mid_run_is_left_out_and_its_place_taken_by_the_next(tmp_path, caplog):
    """A library fine-tune runs for hours on files the user keeps using: one deleted (or its drive
    unplugged) after the run met it, cached or not, must not end the run."""
    clips = [write_audio(tmp_path / f"clip{i}.wav", noise(seconds=2.0, seed=i)) for i in range(3)]
    items = [Item(c, [f"caption {i}"], []) for i, c in enumerate(clips)]
    ds = CropDataset(items, MelSource(16_000, 128, tmp_path / "cache"), crop_frames=100, seed=3)
    own = {i: ds[(0, i)] for i in (0, 2)}
    ds[(0, 1)]  # cached before it goes
    clips[1].unlink()
    with caplog.at_level("WARNING"):
        taken, again = ds[(0, 1)], ds[(0, 1)]
    assert taken["index"] in own and taken["caption"] == f"caption {taken['index']}"
    assert torch.equal(taken["mel"], own[taken["index"]]["mel"])  # drawn as it is for itself
    assert torch.equal(again["mel"], taken["mel"])  # the same draw each time: a resumed run sees the same data
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"{clips[1]}: left out of training: file not found"]  # once, naming it

    for clip in clips:
        clip.unlink(missing_ok=True)
    with pytest.raises(RuntimeError, match=r"3 training clips in a row cannot be read: .*clip1\.wav: file not found"):
        ds[(0, 1)]


def test_collate_pads_and_tokenizes(text_tower):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(text_tower)
    batch = Collate(tokenizer)(
        [
            {"mel": torch.ones(10, 128), "caption": "dog bark", "index": 3},
            {"mel": torch.ones(4, 128), "caption": "a slow wooden door creak", "index": 5},
        ]
    )
    assert batch["mel"].shape == (2, 10, 128) and batch["frames"].tolist() == [10, 4]
    assert batch["mel"][1, 4:].abs().sum() == 0 and batch["index"].tolist() == [3, 5]
    assert batch["input_ids"].shape == batch["attention_mask"].shape and batch["attention_mask"][0].sum() == 4


def test_step_batches_shard_global_batches_and_resume():
    single = StepBatches(10, 4, seed=1)
    first = [b for _, b in zip(range(5), single, strict=False)]
    assert all(len(b) == 4 for b in first) and first[2][0][0] == 1  # 2 steps per epoch: step 2 is epoch 1
    assert sorted(i for _, i in first[0] + first[1]) != list(range(10))  # last partial batch dropped
    halves = [StepBatches(10, 4, seed=1, rank=r, world=2) for r in range(2)]
    shards = [[b for _, b in zip(range(5), h, strict=False)] for h in halves]
    assert [shards[0][s] + shards[1][s] for s in range(5)] == first
    resumed = [b for _, b in zip(range(2), StepBatches(10, 4, seed=1, start_step=3), strict=False)]
    assert resumed == first[3:5]
    with pytest.raises(ValueError, match="divisible"):
        StepBatches(10, 3, seed=0, world=2)
    with pytest.raises(ValueError, match="fewer than one batch"):
        StepBatches(3, 4, seed=0)


def test_keyword_captions():
    assert join_keywords(["a"]) == "a" and join_keywords(["a", "b"]) == "a and b"
    assert join_keywords(["a", "b", "c"]) == "a, b, and c"
    assert debias("A man speaking to a woman") == "A person speaking to a person"
    text = keyword_caption(["dog", "bark"], random.Random(0))
    assert "dog" in text and "bark" in text
    set_keyword_captioner(lambda words, rng: "a woman and " + " ".join(words))
    try:
        assert keyword_caption(["rain"]) == "a person and rain"
    finally:
        set_keyword_captioner(None)
    with pytest.raises(ValueError):
        keyword_caption([" "])
