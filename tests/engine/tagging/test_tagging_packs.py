"""A word (nearly) every file of a folder holds in its name: a pack's name says nothing of how each
file sounds, and where the folder's sound disagrees with it, it counts for nothing; a folder of
``door_*`` files that sound like doors stays doors (engine/tagging/packs.py).

The tiny model hears nothing, so each folder's files are given the windows a model that hears would
store: the mean embedding of a UCS category's terms, USER INTERFACE for a desktop theme's sounds,
DOORS for doors. Its term embeddings lie within a few degrees of each other, so it is calibrated to
hear those few degrees (:data:`HEARING`), from a calibration file as the shipped models are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from engine.facade import Engine
from engine.index.records import FileRecord
from engine.models.base import l2_normalise
from engine.tagging import calibration, jobs, packs
from engine.tagging.calibration import Calibration, Weights, save_calibration
from engine.tagging.evidence import pack_words
from engine.tagging.vocabulary import shipped_ucs
from tests.engine.tagging.conftest import tiny_engine
from tests.factories import noise, write_audio

# a desktop theme's sounds, each named after the theme ("Oxygen", which UCS files under AIR) and
# after what it is for; the same names without the theme's, in a folder beside them
EVENTS = (
    "Sys-Log-In",
    "Sys-Log-Out",
    "Window-Close",
    "Window-Minimize",
    "Im-New-Mail",
    "Im-Message-In",
    "Sys-Warning",
    "Sys-Question",
    "Trash-Emptied",
    "Sys-Special",
)
DOORS = tuple(f"door_{i:02d}" for i in range(10))
# a sound weight of 2000 where the builtin's is 15; no text tower, the tiny one's is noise
HEARING = Calibration(
    Weights(sound=20.0, text=0.0, lexical=10.0, prior=1.0), Weights(sound=2000.0, text=0.0, lexical=0.0, prior=1.0)
)
# folder names no dictionary knows: titles, which say nothing (engine.tagging.evidence.near_folder_words)
THEME, PLAIN, SHELF = "Qwzx", "Zxqw", "Xqwz"


def category_sound(engine: Engine, category: str) -> np.ndarray:
    """What a model that hears would store for a sound of ``category``: its terms' mean embedding."""
    vocabulary = shipped_ucs()
    encoded = engine.tagging.encoded(engine.model, vocabulary)
    return l2_normalise(encoded.embeddings[vocabulary.category_terms[category]].mean(axis=0))


def sounding(engine: Engine, folder: Path, category: str) -> None:
    """Every file of ``folder`` stored with windows that sound like ``category``."""
    ids = [engine.store.get_file(str(p)).id for p in folder.iterdir()]
    stored = engine.store.embeddings(engine.model.info).windows_of(ids)
    vector = category_sound(engine, category)
    heard = {i: dataclasses.replace(w, vectors=np.tile(vector, (len(w), 1))) for i, w in stored.items()}
    engine.store.replace_windows(engine.model.info, heard)


@pytest.fixture
def library(tmp_path, tiny_checkpoint, tiny_term_cache, monkeypatch):
    """An engine with the tiny model, calibrated to hear (:data:`HEARING`), over a theme's sounds,
    the same named without the theme's name, and doors, each sounding as they are; returns
    (engine, library folder)."""
    root = tmp_path / "library"
    names = [(THEME, f"Oxygen-{e}") for e in EVENTS] + [(PLAIN, e) for e in EVENTS] + [(SHELF, d) for d in DOORS]
    for seed, (folder, name) in enumerate(names):
        write_audio(root / folder / f"{name}.wav", noise(0.5, seed=seed))
    with tiny_engine(tmp_path / "home", tiny_checkpoint, tiny_term_cache) as engine:
        monkeypatch.setattr(calibration, "CALIBRATION_FILE", tmp_path / "calibration.json")
        save_calibration(engine.model_info.name, HEARING)
        engine.add_folder(root)
        engine.index()
        for folder, category in ((THEME, "USER INTERFACE"), (PLAIN, "USER INTERFACE"), (SHELF, "DOORS")):
            sounding(engine, root / folder, category)
        yield engine, root


def ucs_suggestions(engine: Engine, path: Path) -> list[tuple[str, float, str]]:
    found = engine.tagging.suggestions([path], threshold=0.0, top_k=10)[str(path)]
    return [(s.key, s.confidence, s.evidence) for s in found.tags if s.vocabulary == "ucs"]


def test_a_theme_name_every_file_shares_changes_nothing_where_the_sound_disagrees(library):
    engine, root = library
    engine.tagging.tag([root])
    for event in EVENTS:
        themed = ucs_suggestions(engine, root / THEME / f"Oxygen-{event}.wav")
        plain = ucs_suggestions(engine, root / PLAIN / f"{event}.wav")
        assert [k for k, _, _ in themed] == [k for k, _, _ in plain], event
        assert [c for _, c, _ in themed] == pytest.approx([c for _, c, _ in plain], abs=1e-6), event
    # one file suggested on its own from the panel reads its folder, and leaves the theme's name out too
    alone = root / THEME / "Oxygen-Sys-Special.wav"
    by_folder = ucs_suggestions(engine, alone)
    engine.tagging.tag([alone])
    assert [(k, e) for k, _, e in ucs_suggestions(engine, alone)] == [(k, e) for k, _, e in by_folder]


def test_a_job_counts_the_files_of_the_folders_it_hears_before_reading_the_library(library):
    """Before a job reads its library it hears whole each folder whose files share a word: on a big
    library, a minute or two that said nothing."""
    engine, root = library
    seen: list[jobs.TagProgress] = []
    engine.tagging.tag([root], progress=seen.append)
    phases = [p.phase for p in seen]
    heard = [(p.done, p.total, Path(p.path).name) for p in seen if p.phase == jobs.HEARING]
    assert [(done, total) for done, total, _ in heard] == [(0, 20), (10, 20)]
    assert {folder for *_, folder in heard} == {THEME, SHELF}  # not PLAIN: its names share no word
    assert phases.index(jobs.READING) == len(heard) and phases[-1] == jobs.TAGGING


def test_a_folder_of_doors_named_door_stays_doors(library):
    engine, root = library
    engine.tagging.tag([root / SHELF])
    for name in DOORS:
        first = ucs_suggestions(engine, root / SHELF / f"{name}.wav")[0]
        assert shipped_ucs().term(first[0]).category == "DOORS" and first[2] == "sound+words", (name, first)


def test_the_folders_sound_decides_which_shared_word_is_a_packs(library):
    """The word every file shares, read against the sound of its folder's files together."""
    engine, root = library
    encoded = engine.tagging.encoded(engine.model, shipped_ucs())
    calibration = engine.tagging.calibration()
    records = [engine.store.get_file(str(p)) for p in sorted(root.rglob("*.wav"))]
    windows = engine.store.embeddings(engine.model.info).windows_of([r.id for r in records])
    assert pack_words(engine.model, calibration, encoded, records, windows) == {str(root / THEME): {"oxygen"}}
    sounding(engine, root / SHELF, "USER INTERFACE")  # doors named so, that sound like something else
    windows = engine.store.embeddings(engine.model.info).windows_of([r.id for r in records])
    assert pack_words(engine.model, calibration, encoded, records, windows) == {
        str(root / THEME): {"oxygen"},
        str(root / SHELF): {"door"},
    }
    # too few files to say
    theme = [r for r in records if Path(r.path).parent.name == THEME]
    few = [r for r in records if r not in theme] + theme[: packs.MIN_FILES - 1]
    assert pack_words(engine.model, calibration, encoded, few, windows) == {str(root / SHELF): {"door"}}


def records_named(*names: str) -> list[FileRecord]:
    return [FileRecord(path=f"/lib/pack/{name}", folder="/lib", id=i) for i, name in enumerate(names)]


def test_a_word_is_a_folders_when_nearly_all_of_at_least_eight_files_hold_it():
    assert packs.MIN_FILES == 8 and packs.SHARED == 0.8
    eight = records_named(*(f"BOOM_Metal_Hit_{i:02d}.wav" for i in range(6)), "BOOM_Glass_01.wav", "Glass_02.wav")
    shared = packs.shared_words(eight)["/lib/pack"]
    assert shared.words == {"boom": "boom"} and len(shared.records) == 8  # "metal": 6 of 8
    assert packs.shared_words(eight[:7]) == {}
    # a CatID decides a UCS name's category whatever its words: its files are not counted
    ucs = records_named(*(f"DOORWood_Creak {i}_JD_ACME.wav" for i in range(8)))
    assert packs.shared_words(ucs) == {}
