"""The aiSFX front-end: frozen features from its package, a clip's features do not depend on what
it is batched with, and a checkpoint with it stays small, loads offline and embeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors import safe_open

from engine.models.cacophony.aisfx_front import DIM, AisfxFrontEnd  # noqa: E402 - imported only once aisfx is known to be installed
from engine.models.cacophony.backend import CacophonyBackend  # noqa: E402 - imported only once aisfx is known to be installed
from engine.models.cacophony.checkpoint import WEIGHTS_FILE, load_checkpoint, save_checkpoint  # noqa: E402 - imported only once aisfx is known to be installed
from engine.models.cacophony.model import Cacophony  # noqa: E402 - imported only once aisfx is known to be installed


@pytest.fixture(scope="module")
def front() -> AisfxFrontEnd:
    return AisfxFrontEnd()


def burst(seconds: float, seed: int) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    n = int(seconds * 16_000)
    return torch.from_numpy((rng.standard_normal(n) * np.exp(-np.linspace(0, 4, n))).astype(np.float32))


def test_features_are_frozen_and_independent_of_the_batch(front):
    assert not any(p.requires_grad for p in front.parameters())
    short, long = burst(1.0, 0), burst(6.0, 1)
    alone, valid_alone = front(short[None], torch.tensor([len(short)]))
    wave = torch.zeros(2, len(long))
    wave[0, : len(short)], wave[1] = short, long
    batched, valid = front(wave, torch.tensor([len(short), len(long)]))
    assert alone.shape[-1] == DIM and valid[0].sum() == valid_alone.sum() < valid[1].sum()
    assert valid[1].sum() == (1 + len(long) // front.hop) // 8  # one feature per 8 frames of the clip
    n = int(valid_alone.sum())
    torch.testing.assert_close(batched[0, :n], alone[0, :n], atol=1e-4, rtol=0)  # to the clip's last feature
    blip, blip_valid = front(torch.ones(1, 400) * 0.1, torch.tensor([400]))  # 25 ms: still one feature
    assert blip.shape[1] >= 1 and blip_valid.sum() == 1 and torch.isfinite(blip).all()


def test_checkpoint_with_the_front_end_loads_offline_and_embeds(tiny_checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    base, tokenizer, meta = load_checkpoint(tiny_checkpoint)
    fronted = Cacophony(base.cfg.replace(front_end="package:aisfx", front_mix=0.0), base.text.model)
    fronted.load_state_dict(base.state_dict(), strict=False)
    folder = save_checkpoint(fronted.eval(), tokenizer, tmp_path / "fronted", extra=meta)
    with safe_open(folder / WEIGHTS_FILE, "pt") as f:
        names = list(f.keys())
    assert any(n.startswith("front_pool.") for n in names) and not any(n.startswith("front.") for n in names)

    clips = [burst(1.0, 2).numpy(), burst(12.0, 3).numpy()]
    loaded = CacophonyBackend.from_checkpoint(folder)
    assert loaded.model.cfg.front_end == "package:aisfx"
    # front_mix 0: the ViT's embedding alone, exactly the base model's.
    np.testing.assert_allclose(
        loaded.embed_audio(clips), CacophonyBackend(base, tokenizer, "base").embed_audio(clips), atol=1e-5
    )
    loaded.model.cfg.front_mix = 1.0
    alone = loaded.embed_audio(clips)
    np.testing.assert_allclose(np.linalg.norm(alone, axis=1), 1, atol=1e-5)
    assert not np.allclose(alone, loaded.embed_audio(clips[:1] + clips[:1])[[0, 0]])


def test_unknown_front_end_is_refused(tiny_checkpoint):
    base, _, _ = load_checkpoint(tiny_checkpoint)
    with pytest.raises(ValueError, match="front_end"):
        Cacophony(base.cfg.replace(front_end="package:nothing"), base.text.model)
