"""What a model folder is, told from its files without loading anything (no torch, no
transformers): the app asks this at start, before the engine and its model are loaded."""

from __future__ import annotations

import json
from pathlib import Path

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CLASSES_FILE = "ucs-classes.json"  # a checkpoint's UCS bridge (engine.models.cacophony.ucs_bridge), when it has one
WORDS_HEAD_FILE = "words-head.safetensors"  # the bridge's learnt words head, when it has one (same module)
# the training clips a query is heard through (engine.models.cacophony.exemplars), when it has them; not
# part of the model's name: windows are embedded without it, so a library need not be embedded again
EXEMPLARS_FILE = "exemplars.safetensors"


def is_checkpoint(folder: Path) -> bool:
    """A Cacophony checkpoint: ``config.json`` and ``model.safetensors`` (a saved CLAP folder has
    both too, so ask :func:`is_clap_folder` first where the two may meet)."""
    return (folder / CONFIG_FILE).is_file() and (folder / WEIGHTS_FILE).is_file()


def is_clap_folder(folder: Path) -> bool:
    """A LAION-CLAP model saved by transformers: its ``config.json`` says ``model_type`` clap."""
    config = Path(folder) / CONFIG_FILE
    if not config.is_file():
        return False
    try:
        return json.loads(config.read_text()).get("model_type") == "clap"
    except (OSError, ValueError):
        return False
