"""The FLOP counts behind the MFU estimate, against hand counts."""

from __future__ import annotations

from tests.factories import make_tiny_cacophony
from trainer.flops import audio_encoder_flops, block_flops, stage1_sample_flops, stage2_sample_flops


def test_block_flops_by_hand():
    # 2 tokens, width 4, MLP 8: q/k/v/out 2*2*4*4*4 = 256, scores+mix 4*2*2*4 = 64, MLP 4*2*4*8 = 256
    assert block_flops(2, 4, 8) == 576
    # + cross-attention to 3 tokens of width 6: q/out 2*2*2*4*4 = 128, k/v 2*3*6*2*4 = 288, scores+mix 4*2*3*4 = 96
    assert block_flops(2, 4, 8, context=3, context_width=6) == 576 + 128 + 288 + 96


def test_stage_flops_follow_the_config(tmp_path):
    model, _ = make_tiny_cacophony(tmp_path)
    cfg = model.cfg
    assert audio_encoder_flops(model, 10) == 2 * 10 * 256 * cfg.width + cfg.depth * block_flops(
        10, cfg.width, cfg.mlp_dim
    )
    # stage 1 encodes only the visible fifth, so it costs less than encoding everything three times over
    assert stage1_sample_flops(model, 100) > 3 * audio_encoder_flops(model, 20)
    trained = stage2_sample_flops(model, 64, 8)
    model.text.requires_grad_(False)
    frozen = stage2_sample_flops(model, 64, 8)
    assert frozen < trained  # a frozen text tower runs forward only
    assert stage2_sample_flops(model, 64, 8, teachers=1) > frozen  # a teacher adds its forward
