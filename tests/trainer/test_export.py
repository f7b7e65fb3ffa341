"""Export: a checkpoint or run -> the folder the app loads; a UCS bridge, which does not train,
comes along from the starting model or the source."""

from __future__ import annotations

import shutil

import torch
from safetensors.torch import save_file

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.ucs_bridge import WordsHead
from engine.models.folders import CLASSES_FILE, WORDS_HEAD_FILE
from tests.factories import bridged_checkpoint
from trainer.export import export


def test_a_fine_tunes_export_keeps_its_starting_models_bridge(tiny_checkpoint, tmp_path):
    start = bridged_checkpoint(tiny_checkpoint, tmp_path / "start", weight=0.4)
    words_dim = CacophonyBackend.from_checkpoint(start).bridge.category_words.shape[1]
    head = WordsHead(torch.randn(words_dim, 512), torch.zeros(words_dim), torch.zeros(512))
    save_file(head.tensors(), str(start / WORDS_HEAD_FILE))
    run = tmp_path / "run"
    shutil.copytree(tiny_checkpoint, run / "final")  # a run's final checkpoint has no bridge of its own
    out = export(run, tmp_path / "out", half=True, name="fine-tuned", bridge_from=start)
    assert (out / CLASSES_FILE).read_text() == (start / CLASSES_FILE).read_text()
    assert (out / WORDS_HEAD_FILE).read_bytes() == (start / WORDS_HEAD_FILE).read_bytes()
    backend = CacophonyBackend.from_checkpoint(out)
    assert backend.bridge is not None and backend.bridge.words_head is not None and backend.info.name == "fine-tuned"


def test_an_export_keeps_the_sources_bridge_and_adds_none_to_a_plain_model(tiny_checkpoint, tmp_path):
    source = bridged_checkpoint(tiny_checkpoint, tmp_path / "bridged", weight=0.4)
    assert (export(source, tmp_path / "copy") / CLASSES_FILE).is_file()
    assert not (export(tiny_checkpoint, tmp_path / "plain") / CLASSES_FILE).exists()
