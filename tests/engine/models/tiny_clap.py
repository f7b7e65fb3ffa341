"""A tiny, randomly initialised LAION-CLAP saved the way a hub model folder is: no downloads."""

from __future__ import annotations

from pathlib import Path

import torch

from tests.factories import VOCAB


def make_tiny_clap(folder: Path, *, fused: bool = False, seed: int = 0, projection_dim: int = 12) -> Path:
    """ClapModel with 1-layer text and 2-stage audio towers + processor (BERT word tokenizer)."""
    from transformers import BertTokenizerFast, ClapConfig, ClapFeatureExtractor, ClapModel, ClapProcessor

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(VOCAB))
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), model_max_length=64)
    config = ClapConfig(
        text_config=dict(
            vocab_size=len(VOCAB) + 2,
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=80,
        ),
        audio_config=dict(
            depths=[1, 1], num_attention_heads=[1, 2], patch_embeds_hidden_size=8, hidden_size=16, enable_fusion=fused
        ),
        projection_dim=projection_dim,
    )
    torch.manual_seed(seed)
    ClapModel(config).save_pretrained(folder)
    ClapProcessor(feature_extractor=ClapFeatureExtractor(), tokenizer=tokenizer).save_pretrained(folder)
    return folder
