"""Export: a checkpoint or run -> the folder the app loads; a UCS bridge, which does not train,
comes along from the starting model or the source."""

from __future__ import annotations

import shutil

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.folders import CLASSES_FILE
from tests.factories import bridged_checkpoint
from trainer.export import export


def test_a_fine_tunes_export_keeps_its_starting_models_bridge(tiny_checkpoint, tmp_path):
    start = bridged_checkpoint(tiny_checkpoint, tmp_path / "start", weight=0.4)
    run = tmp_path / "run"
    shutil.copytree(tiny_checkpoint, run / "final")  # a run's final checkpoint has no bridge of its own
    out = export(run, tmp_path / "out", half=True, name="fine-tuned", bridge_from=start)
    assert (out / CLASSES_FILE).read_text() == (start / CLASSES_FILE).read_text()
    backend = CacophonyBackend.from_checkpoint(out)
    assert backend.bridge is not None and backend.info.name == "fine-tuned"


def test_an_export_keeps_the_sources_bridge_and_adds_none_to_a_plain_model(tiny_checkpoint, tmp_path):
    source = bridged_checkpoint(tiny_checkpoint, tmp_path / "bridged", weight=0.4)
    assert (export(source, tmp_path / "copy") / CLASSES_FILE).is_file()
    assert not (export(tiny_checkpoint, tmp_path / "plain") / CLASSES_FILE).exists()
