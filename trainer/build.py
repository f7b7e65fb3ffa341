"""Building the model a training stage starts from.

- stage1: a fresh model from a named config (the MAE decoder included);
- stage2: a fresh model whose audio encoder comes from a stage-1 checkpoint (``init``);
- finetune / distill: a whole existing checkpoint, with config overrides applied on top
  (modules an override adds, e.g. ``fusion``, start untrained).
The text tower is loaded from the config's source once; unless it is a frozen tower that
ships in a package, the config is switched to ``text_model: "checkpoint"`` so the saved
checkpoints carry it and load offline anywhere.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from transformers import PreTrainedTokenizerBase

from engine.models.cacophony.checkpoint import CONFIG_FILE, is_checkpoint, load_checkpoint
from engine.models.cacophony.config import CacophonyConfig, get_config
from engine.models.cacophony.model import Cacophony
from engine.models.cacophony.text_tower import load_text_tower
from trainer.config import TrainConfig

log = logging.getLogger(__name__)

# Modules that a config override may switch on in an existing checkpoint.
_OPTIONAL_MODULES = ("fusion.", "mae_decoder.", "caption_decoder.")


def model_config(cfg: TrainConfig) -> CacophonyConfig:
    """``cfg.model`` is a config name or a checkpoint folder; overrides go on top."""
    source = Path(cfg.model)
    if is_checkpoint(source):
        base = CacophonyConfig.from_dict(json.loads((source / CONFIG_FILE).read_text())["model"])
    else:
        base = get_config(cfg.model)
    model_cfg = base.replace(**cfg.model_overrides)
    if cfg.stage == "stage1" and not model_cfg.decoder_depth:
        raise ValueError("stage1 needs an MAE decoder: the model config has decoder_depth 0")
    if cfg.stage != "stage1":
        model_cfg = model_cfg.replace(decoder_depth=0)
    return model_cfg


def build_model(cfg: TrainConfig) -> tuple[Cacophony, PreTrainedTokenizerBase]:
    if cfg.stage in ("finetune", "distill"):
        if not cfg.init:
            raise ValueError(f"{cfg.stage} needs init=<checkpoint folder>")
        return from_checkpoint(Path(cfg.init), cfg.model_overrides)
    model_cfg = model_config(cfg)
    if model_cfg.text_model == "checkpoint":
        raise ValueError(
            f"config {cfg.model!r} takes its text tower from a checkpoint; for a new model "
            "set model_overrides.text_model to a transformers folder, hub id or package:NAME"
        )
    text_model, tokenizer = load_text_tower(model_cfg.text_model)
    if not (model_cfg.text_frozen and model_cfg.text_model.startswith("package:")):
        model_cfg = model_cfg.replace(text_model="checkpoint")
    model = Cacophony(model_cfg, text_model)
    if cfg.stage == "stage2" and cfg.init:
        load_audio_encoder(model, Path(cfg.init))
    return model, tokenizer


def load_audio_encoder(model: Cacophony, folder: Path) -> None:
    """Stage 2 starts its audio encoder from stage 1 (cacophony.txt §III-B)."""
    source, _, _ = load_checkpoint(folder)
    weights = {k: v for k, v in source.state_dict().items() if k.startswith("audio.")}
    mine = {k: v for k, v in model.state_dict().items() if k.startswith("audio.")}
    wrong = [k for k in mine if k not in weights or weights[k].shape != mine[k].shape]
    if wrong:
        raise ValueError(
            f"{folder}: its audio encoder does not fit this config (e.g. {wrong[:3]}); "
            "use the same width/depth/heads/mlp_dim as stage 1"
        )
    model.load_state_dict(weights, strict=False)
    log.info("audio encoder initialised from %s", folder)


def from_checkpoint(folder: Path, overrides: dict) -> tuple[Cacophony, PreTrainedTokenizerBase]:
    model, tokenizer, _ = load_checkpoint(folder)
    new_cfg = model.cfg.replace(**overrides).replace(decoder_depth=0)
    if new_cfg == model.cfg:
        return model.train(), tokenizer
    rebuilt = Cacophony(new_cfg, model.text.model)
    result = rebuilt.load_state_dict(model.state_dict(), strict=False)
    missing = [k for k in result.missing_keys if not k.startswith(_OPTIONAL_MODULES) and not k.startswith("logmel.")]
    unexpected = [k for k in result.unexpected_keys if not k.startswith(_OPTIONAL_MODULES)]
    if missing or unexpected:
        raise ValueError(
            f"overrides {overrides} change the shape of {folder}'s model "
            f"(missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    return rebuilt.train(), tokenizer
