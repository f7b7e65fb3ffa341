"""Builders for the small real things tests need: audio files on disk and tiny models.

Nothing here downloads: the tiny text tower is a randomly initialised BERT with a
word-level vocabulary written to disk, saved the way a real model folder is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

VOCAB = (
    "[PAD] [UNK] [CLS] [SEP] [MASK] a an the of and with in on slow fast loud soft "
    "dog bark cat meow door creak wooden metal glass break water drip rain wind car engine "
    "sine tone noise white pink click beep sweep piano snare kick drum bell voice speaking "
    "woman man footsteps gravel fire crackle bird chirp thunder explosion whoosh hit low high"
).split()


def tone(freq: float = 440.0, seconds: float = 1.0, sr: int = 16_000, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def noise(seconds: float = 1.0, sr: int = 16_000, amp: float = 0.3, seed: int = 0) -> np.ndarray:
    return (amp * np.random.default_rng(seed).standard_normal(int(seconds * sr))).astype(np.float32)


def write_audio(
    path: Path, samples: np.ndarray, sr: int = 16_000, subtype: str | None = None, format: str | None = None
) -> Path:
    """Write (frames,) or (frames, channels) float audio with soundfile; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, sr, subtype=subtype, format=format)
    return path


def make_tiny_text_tower(folder: Path, width: int = 32):
    """A random 1-layer BERT + word-level tokenizer saved as a transformers model folder."""
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from engine.models.cacophony.text_tower import causal_config

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB))
    tokenizer = BertTokenizerFast(vocab=str(folder / "vocab.txt"))  # transformers 5: vocab_file= is ignored
    torch.manual_seed(0)
    config = causal_config(
        BertConfig(
            vocab_size=len(VOCAB),
            hidden_size=width,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=2 * width,
            max_position_embeddings=80,
        )
    )
    model = BertModel(config, add_pooling_layer=False)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return model, tokenizer


def make_tiny_cacophony(folder: Path, seed: int = 0, **overrides):
    """A random ``tiny`` Cacophony with its text tower stored inside: (model, tokenizer)."""
    from engine.models.cacophony import Cacophony, get_config

    text_model, tokenizer = make_tiny_text_tower(Path(folder) / "_text_source")
    torch.manual_seed(seed)
    return Cacophony(get_config("tiny", **overrides), text_model), tokenizer


def make_tiny_cacophony_checkpoint(folder: Path, seed: int = 0, **overrides) -> Path:
    """Save a random ``tiny`` Cacophony as an app-loadable checkpoint folder."""
    from engine.models.cacophony.checkpoint import save_checkpoint

    folder = Path(folder)
    model, tokenizer = make_tiny_cacophony(folder.parent / f"{folder.name}-build", seed, **overrides)
    return save_checkpoint(model, tokenizer, folder, extra={"name": "tiny-test"})


def bridged_checkpoint(checkpoint: Path, folder: Path, weight: float) -> Path:
    """A copy of ``checkpoint`` with a UCS bridge of share ``weight`` (engine.models.cacophony.ucs_bridge):
    the Soundly head's 79 classes named as trainer.ucs_heads names them, the sorted UCS categories
    with three left out."""
    from engine.models.cacophony.ucs_bridge import CLASSES_FILE, HEAD
    from engine.words import ucs_categories

    folder = Path(folder)
    shutil.copytree(checkpoint, folder)
    categories = sorted({c.category for c in ucs_categories().values()})
    classes = [c for c in categories if c not in ("ARCHIVED", "GAMES", "GEOTHERMAL")]
    (folder / CLASSES_FILE).write_text(json.dumps({"head": HEAD, "weight": weight, "classes": classes}))
    return folder


def debian_package(root: Path, package: str) -> Path:
    """The tree of a data package ``package`` under ``root`` (its DEBIAN/control written);
    returns the game's data folder, usr/share/games/<name>, to put sound files in."""
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(
        f"Package: {package}\nVersion: 1.0\nArchitecture: all\nMaintainer: Test <t@example.org>\nDescription: test\n"
    )
    game = root / "usr/share/games" / package.removesuffix("-data")
    game.mkdir(parents=True)
    return game


def build_deb(root: Path, deb: Path) -> Path:
    """A real .deb of the tree at ``root`` (dpkg-deb), as apt-get download would leave it."""
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True, capture_output=True)
    return deb
