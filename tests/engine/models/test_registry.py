"""load_model's specs and list_models, with real tiny checkpoints on disk."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from engine.models import registry
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.clap import ClapBackend
from engine.models.registry import ModelLoadError, list_models, load_model
from tests.factories import make_tiny_cacophony_checkpoint, tone


def test_checkpoint_folder_loads_as_cacophony(tiny_checkpoint):
    model = load_model(str(tiny_checkpoint))
    assert isinstance(model, CacophonyBackend)
    assert model.info.name.startswith("tiny_test_") and len(model.info.name) == len("tiny_test_") + 8
    vectors = model.embed_audio([tone(440, 2.0)])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_name_changes_with_the_weights_not_with_the_load(tiny_checkpoint, tmp_path):
    other = make_tiny_cacophony_checkpoint(tmp_path / "retrained", seed=1)
    assert load_model(str(tiny_checkpoint)).info.name == load_model(str(tiny_checkpoint)).info.name
    assert load_model(str(other)).info.name != load_model(str(tiny_checkpoint)).info.name


def test_missing_builtin_names_the_alternatives(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path / "no-builtin")
    with pytest.raises(ModelLoadError) as error:
        load_model("builtin")
    assert "clap:" in str(error.value) and "checkpoint" in str(error.value)
    with pytest.raises(ModelLoadError):
        load_model(None)


def test_installed_builtin_loads(tiny_checkpoint, tmp_path, monkeypatch):
    builtin = tmp_path / "builtin"
    shutil.copytree(tiny_checkpoint, builtin)
    monkeypatch.setattr(registry, "BUILTIN_DIR", builtin)
    assert load_model(None).info.name.startswith("builtin_")


def test_bare_name_resolves_in_the_models_folder(tiny_checkpoint, tmp_path):
    shutil.copytree(tiny_checkpoint, tmp_path / "models" / "mine")
    assert load_model("mine", models_dir=tmp_path / "models").info.backend == "cacophony"
    with pytest.raises(ModelLoadError, match="no model at"):
        load_model("theirs", models_dir=tmp_path / "models")


def test_saved_clap_folder_loads_without_prefix(tiny_clap):
    assert isinstance(load_model(str(tiny_clap)), ClapBackend)


def test_list_models_shows_builtin_checkpoints_and_clap(tiny_checkpoint, tiny_clap, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path / "no-builtin")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    models = tmp_path / "models"
    shutil.copytree(tiny_checkpoint, models / "mine")
    shutil.copytree(tiny_clap, models / "myclap")
    (models / "junk").mkdir()
    choices = {c.spec: c for c in list_models(models)}
    assert not choices["builtin"].available
    assert choices["mine"].kind == "checkpoint" and choices["mine"].available
    assert choices[f"clap:{models / 'myclap'}"].kind == "clap"
    assert not choices["clap:laion/larger_clap_general"].available
    assert "junk" not in {c.location.rsplit("/", 1)[-1] for c in choices.values()}


def test_damaged_checkpoint_is_a_model_load_error_naming_the_cause(tiny_checkpoint, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(tiny_checkpoint, damaged)
    (damaged / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match="could not load model"):
        load_model(str(damaged))
