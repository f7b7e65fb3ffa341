"""Checkpoint folders: exact round trip, fp16 export, clear errors."""

from __future__ import annotations

import json

import pytest
import torch

from engine.models.cacophony.checkpoint import CONFIG_FILE, load_checkpoint, save_checkpoint
from tests.factories import make_tiny_cacophony


def test_round_trip_is_exact_and_drops_the_mae_decoder(tmp_path):
    model, tokenizer = make_tiny_cacophony(tmp_path / "build")
    model.eval()
    folder = save_checkpoint(model, tokenizer, tmp_path / "ckpt", extra={"name": "t"})
    loaded, loaded_tokenizer, meta = load_checkpoint(folder)
    assert meta["name"] == "t" and loaded.mae_decoder is None and loaded.cfg.decoder_depth == 0
    wave, lengths = torch.randn(2, 20_000), torch.tensor([20_000, 9_000])
    with torch.no_grad():
        torch.testing.assert_close(
            loaded.embed_audio(wave, lengths)[0], model.embed_audio(wave, lengths)[0], rtol=0, atol=0
        )
        ids = loaded_tokenizer(["dog bark"], return_tensors="pt")
        torch.testing.assert_close(
            loaded.embed_text(ids["input_ids"], ids["attention_mask"])[0],
            model.embed_text(ids["input_ids"], ids["attention_mask"])[0],
            rtol=0,
            atol=0,
        )
    assert loaded.temperature == pytest.approx(model.temperature)


def test_half_precision_checkpoint_is_close(tmp_path):
    model, tokenizer = make_tiny_cacophony(tmp_path / "build")
    model.eval()
    loaded, _, _ = load_checkpoint(save_checkpoint(model, tokenizer, tmp_path / "half", half=True))
    wave, lengths = torch.randn(1, 16_000), torch.tensor([16_000])
    with torch.no_grad():
        torch.testing.assert_close(
            loaded.embed_audio(wave, lengths)[0], model.embed_audio(wave, lengths)[0], atol=5e-3, rtol=0
        )


def test_keep_mae_decoder_for_resuming(tmp_path):
    model, tokenizer = make_tiny_cacophony(tmp_path / "build")
    loaded, _, _ = load_checkpoint(save_checkpoint(model, tokenizer, tmp_path / "ckpt", keep_mae_decoder=True))
    assert loaded.mae_decoder is not None
    torch.testing.assert_close(loaded.mae_decoder.predict.weight, model.mae_decoder.predict.weight)


def test_mismatched_config_is_a_clear_error(tmp_path):
    model, tokenizer = make_tiny_cacophony(tmp_path / "build")
    folder = save_checkpoint(model, tokenizer, tmp_path / "ckpt")
    meta = json.loads((folder / CONFIG_FILE).read_text())
    meta["model"]["depth"] = 3
    (folder / CONFIG_FILE).write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="does not match its config"):
        load_checkpoint(folder)
    with pytest.raises(FileNotFoundError, match="not a Cacophony checkpoint"):
        load_checkpoint(tmp_path)
