"""FLOPs per training sample from the model config, for samples/s -> MFU.

Counts matmul FLOPs (2 per multiply-add) of the transformer parts, the way PaLM's MFU does:
a trained module costs 3x its forward (forward + two backward matmuls), a frozen one 1x,
and SAM doubles everything (two forward/backward passes per update).
"""

from __future__ import annotations

import torch

from engine.models.cacophony.model import Cacophony

# Dense bf16 peak per device (no sparsity), for MFU on known accelerators.
PEAK_BF16_FLOPS = {
    "H100": 989e12,
    "H200": 989e12,
    "A100": 312e12,
    "L40S": 362e12,
    "L4": 121e12,
    "A10": 125e12,
    "4090": 165e12,
    "3090": 71e12,
    "V100": 125e12,
}


def block_flops(
    tokens: int, width: int, mlp: int, keys: int | None = None, context: int = 0, context_width: int = 0
) -> float:
    """One pre-LN block's forward: self-attention over ``keys`` (default: itself), an optional
    cross-attention to ``context`` tokens of ``context_width``, and the MLP."""
    keys = tokens if keys is None else keys
    flops = 2 * tokens * 4 * width * width + 4 * tokens * keys * width + 4 * tokens * width * mlp
    if context:
        flops += 2 * tokens * 2 * width * width + 2 * context * context_width * 2 * width + 4 * tokens * context * width
    return flops


def audio_encoder_flops(model: Cacophony, tokens: int) -> float:
    cfg = model.cfg
    return 2 * tokens * cfg.patch**2 * cfg.width + cfg.depth * block_flops(tokens, cfg.width, cfg.mlp_dim)


def text_encoder_flops(model: Cacophony, tokens: int) -> float:
    hf = model.text.model.config
    body = sum(p.numel() for n, p in model.text.model.named_parameters() if "embeddings" not in n)
    return 2 * tokens * body + 4 * hf.num_hidden_layers * tokens * tokens * hf.hidden_size


def stage1_sample_flops(model: Cacophony, patches: int) -> float:
    cfg = model.cfg
    visible = max(1, round(patches * (1 - cfg.mask_ratio)))
    decoder = (
        2 * visible * cfg.width * cfg.decoder_width
        + cfg.decoder_depth * block_flops(patches, cfg.decoder_width, cfg.decoder_mlp_dim)
        + 2 * patches * cfg.decoder_width * cfg.patch**2
    )
    return 3 * (audio_encoder_flops(model, visible) + decoder)


def stage2_sample_flops(model: Cacophony, audio_tokens: int, text_tokens: int, teachers: int = 0) -> float:
    cfg = model.cfg
    text_width = model.text.width
    audio = audio_encoder_flops(model, audio_tokens)
    text = text_encoder_flops(model, text_tokens)
    heads = 2 * audio_tokens * cfg.width * 2 * cfg.width + 2 * text_tokens * text_width * 2 * text_width
    caption = 0.0
    if model.caption_decoder is not None:
        vocab = model.text.token_embeddings.weight.shape[0]
        caption = (
            cfg.caption_depth
            * block_flops(text_tokens, text_width, 4 * text_width, context=audio_tokens, context_width=cfg.width)
            + 2 * text_tokens * text_width * vocab
        )
    text_factor = 1 if not any(p.requires_grad for p in model.text.parameters()) else 3
    teacher_cost = teachers * (audio + text + heads)  # forward only, no gradient
    return 3 * (audio + heads + caption) + text_factor * text + teacher_cost


def peak_flops(device: torch.device, configured: float | None = None) -> float | None:
    """The device's peak for MFU: configured, else looked up for a known GPU, else unknown."""
    if configured:
        return configured
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        return next((v for k, v in PEAK_BF16_FLOPS.items() if k in name), None)
    return None
