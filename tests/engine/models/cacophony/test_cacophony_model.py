"""The Cacophony network: spectrogram, patches and padding, masks, causal text, fusion."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

from engine.models.cacophony.model import LogMel, fusion_views, patchify, random_subset
from tests.factories import make_tiny_cacophony

FLOOR = math.log(1e-5) * 0.2 + 0.9


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    model, tokenizer = make_tiny_cacophony(tmp_path_factory.mktemp("tiny"))
    return model.eval(), tokenizer


@pytest.fixture(scope="module")
def tiny_fusion(tmp_path_factory):
    model, tokenizer = make_tiny_cacophony(tmp_path_factory.mktemp("fusion"), fusion=True)
    return model.eval(), tokenizer


def test_logmel_one_frame_per_10ms_and_silence_is_the_floor():
    mel = LogMel()(torch.zeros(2, 16_000))
    assert mel.shape == (2, 100, 128)
    assert torch.allclose(mel, torch.full_like(mel, FLOOR))


def test_patchify_orders_patches_time_major_and_marks_padding():
    mel = torch.arange(40 * 128, dtype=torch.float32).reshape(1, 40, 128)
    patches, time_idx, freq_idx, valid = patchify(mel, torch.tensor([40]))
    assert patches.shape == (1, 3 * 8, 256)  # 40 frames pad to 48: 3 time patches of 8 bands
    assert time_idx[0, :10].tolist() == [0] * 8 + [1, 1] and freq_idx[0, :10].tolist() == list(range(8)) + [0, 1]
    # patch (t=1, f=2) holds frames 16..31, bands 32..47, frame-major
    assert torch.equal(patches[0, 8 + 2].reshape(16, 16), mel[0, 16:32, 32:48])
    assert valid.all() and torch.all(patches[0, 16:].reshape(8, 16, 16)[:, 8:] == FLOOR)  # frames 40..47 pad

    patches, _, _, valid = patchify(mel, torch.tensor([20]))
    assert valid[0].tolist() == [True] * 16 + [False] * 8  # patch 1 is partly real, patch 2 all padding
    first_real = patches[0, 8 + 2].reshape(16, 16)
    assert torch.equal(first_real[:4], mel[0, 16:20, 32:48]) and torch.all(first_real[4:] == FLOOR)
    assert torch.all(patches[0, 16:] == FLOOR)  # beyond the clip is silence, whatever the tensor held


def test_random_subset_keeps_valid_patches_first():
    valid = torch.tensor([[True] * 3 + [False] * 5, [True] * 8])
    keep, rest = random_subset(valid, 4, torch.Generator().manual_seed(0))
    assert keep.shape == (2, 4) and rest.shape == (2, 4)
    assert set(keep[0, :3].tolist()) == {0, 1, 2}


def test_padding_does_not_change_an_embedding(tiny):
    model, _ = tiny
    torch.manual_seed(0)
    short = torch.randn(8_000) * 0.1
    alone, _, _ = model.embed_audio(short[None], torch.tensor([8_000]))
    batch = torch.zeros(2, 40_000)
    batch[0, :8_000] = short
    batch[1] = torch.randn(40_000) * 0.1
    together, tokens, valid = model.embed_audio(batch, torch.tensor([8_000, 40_000]))
    torch.testing.assert_close(together[0], alone[0], atol=1e-5, rtol=1e-4)
    assert torch.allclose(together.norm(dim=-1), torch.ones(2))
    assert tokens.shape == (2, valid.shape[1], model.cfg.width) and valid.sum(1).tolist() == [
        32,
        128,
    ]  # 50 and 250 frames: 4 and 16 time patches


def test_training_samples_at_most_train_patches(tiny):
    model, _ = tiny
    wave, samples = torch.randn(2, 48_000), torch.tensor([48_000, 4_000])
    tokens, valid = model.encode_mel_tokens(
        model.logmel(wave),
        model.logmel.frames_for(samples),
        max_patches=model.cfg.train_patches,
        generator=torch.Generator().manual_seed(0),
    )
    assert tokens.shape[1] == model.cfg.train_patches == 64
    assert valid.sum(1).tolist() == [64, 16]  # the short row keeps all its 16 patches, padding fills the rest


def test_mae_masks_each_row_at_the_ratio_of_its_own_valid_patches(tiny):
    model, _ = tiny
    assert model.mae_decoder is not None  # the tiny config keeps one, as a stage-1 checkpoint does
    prediction, patches, masked = model.mae_reconstruct(
        torch.randn(2, 48_000), torch.tensor([48_000, 8_000]), torch.Generator().manual_seed(0)
    )
    assert prediction.shape == patches.shape
    samples = torch.tensor([48_000, 8_000])
    _, _, _, valid = patchify(model.logmel(torch.randn(2, 48_000)), model.logmel.frames_for(samples), model.cfg.patch)
    per_row_valid = valid.sum(1)
    assert (masked & ~valid).sum() == 0
    for row in range(2):
        visible = per_row_valid[row] - masked[row].sum()
        assert visible == round(float(per_row_valid[row]) * (1 - model.cfg.mask_ratio))


def test_text_tower_is_causal_and_caption_logits_do_not_peek(tiny):
    model, tokenizer = tiny
    ids = tokenizer(["a wooden door creak"], return_tensors="pt")
    changed = ids["input_ids"].clone()
    changed[0, -2] = tokenizer.convert_tokens_to_ids("glass")
    mask = ids["attention_mask"]
    _, states, valid = model.embed_text(ids["input_ids"], mask)
    _, states_changed, _ = model.embed_text(changed, mask)
    n = ids["input_ids"].shape[1]
    torch.testing.assert_close(states[:, : n - 2], states_changed[:, : n - 2])
    assert not torch.allclose(states[:, n - 2], states_changed[:, n - 2])
    audio, tokens, audio_valid = model.embed_audio(torch.randn(1, 16_000), torch.tensor([16_000]))
    logits = model.caption_logits(states, valid, tokens, audio_valid)
    logits_changed = model.caption_logits(states_changed, valid, tokens, audio_valid)
    assert logits.shape == (1, n, tokenizer.vocab_size)
    torch.testing.assert_close(logits[:, : n - 2], logits_changed[:, : n - 2])


def test_fusion_views_cover_the_clip(tiny_fusion):
    model, _ = tiny_fusion
    window = model.cfg.window_frames
    mel = torch.arange(1000, dtype=torch.float32)[None, :, None].expand(2, 1000, 128).contiguous()
    views, frames, long_rows = fusion_views(mel, torch.tensor([1000, 100]), window, random_crops=False)
    assert views.shape == (2, 4, window, 128) and long_rows.tolist() == [True, False]
    starts = [int(views[0, v, 0, 0]) for v in (1, 2, 3)]
    assert starts[0] < starts[1] < starts[2] and starts[2] + window <= 1000  # front, middle, back
    assert views[0, 0, -1, 0] > 900  # the global view squeezes the whole clip in
    assert frames[1].tolist() == [100] * 4 and torch.equal(views[1, 0, :100], mel[1, :100])


def test_fusion_encodes_long_audio_in_one_window_and_leaves_short_audio_alone(tiny_fusion):
    model, _ = tiny_fusion
    torch.manual_seed(0)
    long_clip, short_clip = torch.randn(16_000 * 6) * 0.1, torch.randn(8_000) * 0.1
    batch = torch.zeros(2, len(long_clip))
    batch[0], batch[1, :8_000] = long_clip, short_clip
    embedding, tokens, valid = model.embed_audio(batch, torch.tensor([len(long_clip), 8_000]))
    assert tokens.shape[1] == model.cfg.train_patches  # 6 s fused into one 1.28 s window
    again, _, _ = model.embed_audio(batch, torch.tensor([len(long_clip), 8_000]))
    torch.testing.assert_close(embedding, again)  # eval mode: the middle crops, deterministic
    alone, _, _ = model.embed_audio(short_clip[None], torch.tensor([8_000]))
    torch.testing.assert_close(embedding[1], alone[0], atol=1e-5, rtol=1e-4)
    model.train()
    try:
        trained, _, _ = model.embed_audio(
            batch, torch.tensor([len(long_clip), 8_000]), generator=torch.Generator().manual_seed(1)
        )
        unseeded, _, _ = model.embed_audio(batch, torch.tensor([len(long_clip), 8_000]))  # torch's own draws
    finally:
        model.eval()
    assert not torch.allclose(trained[0], embedding[0])  # random crops while training
    assert torch.isfinite(unseeded).all()


def test_an_empty_clip_embeds_as_silence_not_nan(tiny):
    model, _ = tiny
    embedding, _, valid = model.embed_audio(torch.zeros(2, 16_000), torch.tensor([0, 16_000]))
    assert torch.isfinite(embedding).all() and valid[0].sum() == 8


def test_the_authors_spectrogram_raises_no_warning():
    """128 bands over 257 bins leave empty low bands by design; users should not be warned."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogMel()
