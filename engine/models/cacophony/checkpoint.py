"""Cacophony checkpoints: a folder with ``config.json`` + ``model.safetensors`` (never pickle).

A frozen text tower that ships elsewhere (``package:...``) is left out of the weights
and loaded from its source, which keeps the builtin checkpoint small; a trained one is
stored with the rest. With ``text_model: "checkpoint"`` the tower's transformers config
and tokenizer sit in ``text/`` beside the weights.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import PreTrainedTokenizerBase

from engine.models.cacophony.config import CacophonyConfig
from engine.models.cacophony.model import Cacophony
from engine.models.cacophony.text_tower import TEXT_SUBDIR, load_text_tower
from engine.models.folders import CONFIG_FILE, WEIGHTS_FILE, is_checkpoint

_NOT_SAVED = ("logmel.", "front.")  # derived buffers, and a frozen front-end loaded from its package


def save_checkpoint(
    model: Cacophony,
    tokenizer: PreTrainedTokenizerBase,
    folder: Path,
    *,
    keep_mae_decoder: bool = False,
    half: bool = False,
    extra: dict | None = None,
) -> Path:
    """Write ``model`` to ``folder``. ``half`` stores floats as fp16 (the builtin model)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cfg = model.cfg
    skip = list(_NOT_SAVED)
    if not keep_mae_decoder:
        skip.append("mae_decoder.")
        cfg = cfg.replace(decoder_depth=0)
    if cfg.text_frozen and cfg.text_model.startswith("package:"):
        skip.append("text.")
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items() if not k.startswith(tuple(skip))}
    state = _dedupe_shared(state)
    if half:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    save_file({k: v.cpu() for k, v in state.items()}, folder / WEIGHTS_FILE)
    if cfg.text_model == "checkpoint":
        model.text.model.config.save_pretrained(folder / TEXT_SUBDIR)
        tokenizer.save_pretrained(folder / TEXT_SUBDIR)
    (folder / CONFIG_FILE).write_text(json.dumps({"model": cfg.to_dict(), **(extra or {})}, indent=2))
    return folder


def load_checkpoint(
    folder: Path,
    device: str | torch.device = "cpu",
) -> tuple[Cacophony, PreTrainedTokenizerBase, dict]:
    """Build the model a checkpoint folder describes and load its weights (fp32)."""
    folder = Path(folder)
    if not is_checkpoint(folder):
        raise FileNotFoundError(f"{folder} is not a Cacophony checkpoint (needs {CONFIG_FILE} and {WEIGHTS_FILE})")
    meta = json.loads((folder / CONFIG_FILE).read_text())
    cfg = CacophonyConfig.from_dict(meta.pop("model"))
    state = load_file(folder / WEIGHTS_FILE)
    text_in_weights = any(k.startswith("text.") for k in state)
    text_model, tokenizer = load_text_tower(cfg.text_model, folder, pretrained=not text_in_weights)
    model = Cacophony(cfg, text_model)
    expected = {k for k in model.state_dict() if not k.startswith(_NOT_SAVED)}
    if not text_in_weights:
        expected = {k for k in expected if not k.startswith("text.")}
    missing = expected - set(state) - _tied_aliases(model)
    unexpected = set(state) - set(model.state_dict())
    if missing or unexpected:
        raise ValueError(
            f"checkpoint {folder} does not match its config: "
            f"missing {sorted(missing)[:5]}, unexpected {sorted(unexpected)[:5]}"
        )
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()}, strict=False)
    return model.to(device).eval(), tokenizer, meta


def _dedupe_shared(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """safetensors refuses tensors that share memory (tied embeddings): keep the first name."""
    seen: dict[tuple, str] = {}
    out = {}
    for name, tensor in state.items():
        key = (tensor.data_ptr(), tensor.shape, tensor.stride()) if tensor.numel() else (name,)
        if key not in seen:
            seen[key] = name
            out[name] = tensor
    return out


def _tied_aliases(model: Cacophony) -> set[str]:
    """Names whose tensor is saved under another (tied) name."""
    state = model.state_dict()
    return set(state) - set(_dedupe_shared(state))
