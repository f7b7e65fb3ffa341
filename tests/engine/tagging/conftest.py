"""A small named library, synthesised, and an engine with the tiny model that has indexed it."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from engine.facade import Engine
from engine.models.registry import load_model
from engine.paths import app_paths
from engine.tagging import calibration, priors
from engine.tagging.calibration import DEFAULT, save_calibration, unmeasured_caption_threshold
from engine.tagging.evidence import encode_vocabulary
from engine.tagging.vocabulary import shipped_ucs
from tests.factories import noise, tone, write_audio

# file name -> the UCS category its name says (the ground truth of the ranking test)
NAMED = {
    "door_creak_wood.wav": "DOORS",
    "glass_smash_01.wav": "GLASS",
    "Footsteps/gravel_walk.wav": "FOOTSTEPS",
    "dog_bark.wav": "ANIMALS",
    "rain_heavy_roof.wav": "RAIN",
    "explosion_big.wav": "EXPLOSIONS",
    "wind_howl.wav": "WIND",
    "car_engine_idle.wav": "VEHICLES",
    "church_bell_ring.wav": "BELLS",
    "laser_shot.wav": "LASERS",
    "DOORWood_Slam Heavy_JD_TOWN.wav": "DOORS",
    "thunder_rumble.wav": "WEATHER",
}


def write_named_library(folder: Path) -> Path:
    for i, name in enumerate(NAMED):
        write_audio(folder / name, tone(180 + 90 * i, 0.8) if i % 2 else noise(0.8, seed=i))
    return folder


def door_shelf(folder: Path) -> Path:
    """A shelf of door sounds (more than a job needs to weigh by its library) beside the named library."""
    for i in range(priors.MIN_FILES):
        kind = ("creak", "slam", "knock", "open", "close")[i % 5]
        write_audio(folder / "Doors" / f"door_{kind}_{i:02d}.wav", noise(0.6, seed=100 + i))
    return folder


def meaning_is_current(engine: Engine) -> bool:
    """The words table holds every file's texts as they are now: edits are searchable by meaning at once."""
    return engine.store.word_vectors(engine.model.info.name).texts() == engine.store.file_texts()


def measured_as_is(monkeypatch, model_name: str, folder: Path) -> None:
    """Give the model named ``model_name`` a calibration entry (the weights it has, the caption
    floor it had): its suggestions are measured, and the box checks the confident ones. Without
    one (the tiny model has none, like a fine-tune) no line comes checked."""
    path = folder / "calibration.json"
    save_calibration(model_name, replace(DEFAULT, caption_threshold=unmeasured_caption_threshold()), path)
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", path)


@pytest.fixture
def named_library(tmp_path) -> Path:
    return write_named_library(tmp_path / "library")


@pytest.fixture(scope="session")
def tiny_term_cache(tmp_path_factory, tiny_checkpoint) -> Path:
    """The UCS terms embedded once by the tiny model (thousands of prompts): each test's engine
    starts with this cache instead of embedding them again."""
    folder = tmp_path_factory.mktemp("term-cache")
    encode_vocabulary(load_model(str(tiny_checkpoint)), shipped_ucs(), folder)  # named as the engine names it
    return folder


def tiny_engine(home: Path, checkpoint: Path, term_cache: Path) -> Engine:
    """An engine with the tiny model whose cache already holds the embedded UCS terms."""
    shutil.copytree(term_cache, home / "cache" / "tagging", dirs_exist_ok=True)
    return Engine(app_paths(home), str(checkpoint))


@pytest.fixture
def tag_engine(tmp_path, tiny_checkpoint, tiny_term_cache, named_library):
    with tiny_engine(tmp_path / "home", tiny_checkpoint, tiny_term_cache) as engine:
        engine.add_folder(named_library)
        engine.index()
        yield engine
