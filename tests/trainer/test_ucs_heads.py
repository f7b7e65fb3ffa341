"""Recovering the class names of aiSFX's Soundly head: the monotone alignment, the labels of
training sounds, and the command end to end on sounds the test writes, with the tiny model."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.ucs_bridge import CLASSES_FILE, HEAD
from engine.words import ucs_categories
from tests.factories import noise, tone, write_audio
from trainer.data.manifest import Item, write_jsonl
from trainer.ucs_heads import align, alignment_scores, label, main

CATEGORIES = sorted({c.category for c in ucs_categories().values()})


def test_the_alignment_finds_the_left_out_categories_through_noise():
    left_out = {3, 40, 41}
    truth = [c for c in range(len(CATEGORIES)) if c not in left_out]  # class k is category truth[k]
    rng = np.random.default_rng(0)
    scores = rng.normal(0, 0.3, (len(truth), len(CATEGORIES)))
    for k in range(len(truth)):
        if k % 5:  # every fifth class is attested by no labelled sound: its neighbours place it
            scores[k, truth[k]] += 1.0
    assert align(scores) == truth
    assert [int(row.argmax()) for row in scores] != truth  # the noise fools a class-by-class argmax


def test_alignment_scores_are_the_shares_of_labelled_sounds_each_class_tops():
    probabilities = np.full((5, 3), 0.3)
    probabilities[0] = probabilities[1] = [0.8, 0.1, 0.1]  # two "DOORS" sounds whose top class is 0
    probabilities[2] = [0.1, 0.1, 0.8]  # and one whose top class is 2
    scores = alignment_scores(probabilities, ["DOORS", "DOORS", "DOORS", None, None], ["BIRDS", "DOORS", "GLASS"])
    assert scores[:, 1].round(3).tolist() == [0.667, 0.0, 0.333] and not scores[:, [0, 2]].any()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Door03_Creak", "DOORS"),
        ("glass_smash_01", "GLASS"),
        ("dog bark, animals", "ANIMALS"),
        ("explosion big", "EXPLOSIONS"),
        ("Take_017", None),
    ],
)
def test_training_sounds_are_labelled_by_their_words(text, category):
    assert label(text) == category


def test_the_command_writes_classes_a_bridged_backend_loads(tmp_path, tiny_checkpoint):
    names = ["door_creak", "glass_smash", "dog_bark", "explosion_big", "rain_heavy", "footsteps_gravel"]
    items = []
    for i, name in enumerate(names * 2):
        path = write_audio(
            tmp_path / "audio" / f"{name}_{i}.wav", tone(200 + 60 * i, 1.0) if i % 2 else noise(1.0, seed=i)
        )
        items.append(Item(path, [name.replace("_", " ")], [], "train" if i < len(names) else "heldout"))
    broken = tmp_path / "audio" / "door_creak_broken.wav"  # named like a door, and not audio at all
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio")
    items.append(Item(broken, ["door creak"], [], "train"))
    train = write_jsonl([i for i in items if i.split == "train"], tmp_path / "train.jsonl")
    heldout = write_jsonl([i for i in items if i.split == "heldout"], tmp_path / "heldout.jsonl")
    folder = tmp_path / "model"
    shutil.copytree(tiny_checkpoint, folder)
    cache = tmp_path / "cache" / "probabilities.npz"
    args = ["--manifest", str(train), "--heldout", str(heldout), "--out", str(folder), "--cache", str(cache)]
    assert main(args) == 0 and cache.is_file()

    written = json.loads((folder / CLASSES_FILE).read_text())
    assert (
        written["head"] == HEAD and len(written["classes"]) == 79 and written["classes"] == sorted(written["classes"])
    )
    assert len(written["left_out"]) == 3 and set(written["classes"]) | set(written["left_out"]) == set(CATEGORIES)
    assert written["labelled_sounds"] == len(names) and 0.0 <= written["weight"] <= 0.9
    assert written["heldout_map10"]["0.0"] > 0 and written["weight"] in [float(w) for w in written["heldout_map10"]]
    backend = CacophonyBackend.from_checkpoint(folder)
    assert backend.bridge is not None and backend.bridge_shares[1] == pytest.approx(np.sqrt(written["weight"]))

    # a share measured out of distribution is written as given (not in tenths, so never the
    # rule's own), beside the same held-out curve
    assert main([*args, "--weight", "0.65", "--query-shares", "0.6,0.2,0.7"]) == 0
    given = json.loads((folder / CLASSES_FILE).read_text())
    assert given["weight"] == 0.65 and given["heldout_map10"] == written["heldout_map10"]
    assert given["query_shares"] == {"threshold": 0.6, "below": 0.2, "above": 0.7} and "query_shares" not in written
    gated = CacophonyBackend.from_checkpoint(folder)
    assert gated.bridge_shares[1] == pytest.approx(np.sqrt(0.65)) and gated.query_shares.above == 0.7

    # a held-out sound that cannot be read stops the share's measurement, naming it
    damaged = write_jsonl([Item(broken, ["door creak"], [], "heldout")], tmp_path / "damaged.jsonl")
    with pytest.raises(RuntimeError, match=f"evaluation file {broken} cannot be read"):
        main([*args[:2], "--heldout", str(damaged), *args[4:]])
