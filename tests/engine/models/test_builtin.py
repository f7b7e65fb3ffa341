"""The shipped builtin checkpoint: loads offline through the app backend, its config matches
its weights, it fits the size budget, and on sounds this test makes the matching text query
ranks the right file first, and so does the query heard through its exemplars."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soxr
import torch
from safetensors import safe_open

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.checkpoint import CONFIG_FILE, WEIGHTS_FILE
from engine.models.cacophony.config import CacophonyConfig
from engine.models.cacophony.model import Cacophony
from engine.models.cacophony.text_tower import load_text_tower
from engine.models.cacophony.ucs_bridge import SAMPLE_RATE as BRIDGE_RATE
from trainer.corpus import gm, signals, speech
from trainer.corpus.clips import SAMPLE_RATE

BUILTIN = Path(__file__).resolve().parents[3] / "resources" / "models" / "builtin"


def heard(clip: np.ndarray, rate: int) -> np.ndarray:
    """A clip made at the corpus rate, at the rate the backend takes clips."""
    return soxr.resample(np.asarray(clip, dtype=np.float32), SAMPLE_RATE, rate).astype(np.float32)


@pytest.fixture(scope="module")
def backend() -> CacophonyBackend:
    torch.set_num_threads(2)
    return CacophonyBackend.from_checkpoint(BUILTIN)


def test_checkpoint_is_small_and_half_precision():
    weights = BUILTIN / WEIGHTS_FILE
    assert weights.stat().st_size <= 60 * 1024 * 1024
    with safe_open(weights, "pt") as f:
        dtypes = {f.get_slice(k).get_dtype() for k in f.keys()}
    assert dtypes <= {"F16", "I64"}, dtypes


def test_config_matches_weights():
    """Every saved tensor has the shape the config's model has, and nothing is missing
    except the frozen text tower and the frozen audio front-end, which come from their packages."""
    cfg = CacophonyConfig.from_dict(json.loads((BUILTIN / CONFIG_FILE).read_text())["model"])
    assert cfg.text_frozen and cfg.text_model.startswith("package:")
    assert cfg.front_end in ("", "package:aisfx")
    text_model, _ = load_text_tower(cfg.text_model, pretrained=False)
    expected = {
        k: v.shape
        for k, v in Cacophony(cfg, text_model).state_dict().items()
        if not k.startswith(("text.", "logmel.", "front."))
    }
    with safe_open(BUILTIN / WEIGHTS_FILE, "pt") as f:
        saved = {k: torch.Size(f.get_slice(k).get_shape()) for k in f.keys()}
    assert saved == expected


def test_embeds_offline_through_the_app_backend(backend, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert backend.info.sample_rate == BRIDGE_RATE  # the UCS bridge hears 44.1 kHz, the model 16 kHz
    rate = backend.info.sample_rate
    audio = backend.embed_audio([heard(signals.tone(440, 1.0), rate), np.zeros(rate * 12, np.float32)])
    text = backend.embed_text(["a dog barking", "rain"])
    assert audio.shape == (2, backend.info.embedding_dim) == text.shape
    np.testing.assert_allclose(np.linalg.norm(audio, axis=1), 1, atol=1e-4)
    assert np.isfinite(audio).all() and np.isfinite(text).all()


def snare_hit() -> np.ndarray:
    if shutil.which("fluidsynth") and gm.SOUNDFONT.exists():
        event = gm.Event([(0.0, 38, 0.2)], 100, "snare", ["snare"])
        return gm.render(gm.midi_file(9, 0, 128, [event]), 1)[:SAMPLE_RATE]
    # Without the SoundFont: a noise burst over a decaying 190 Hz body, as a snare sounds.
    t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
    rng = np.random.default_rng(0)
    return (
        0.6 * rng.standard_normal(len(t)) * np.exp(-t / 0.06) + 0.5 * np.sin(2 * np.pi * 190 * t) * np.exp(-t / 0.08)
    ).astype(np.float32)


def piano_note() -> np.ndarray | None:
    if not (shutil.which("fluidsynth") and gm.SOUNDFONT.exists()):
        return None
    event = gm.Event([(0.0, 60, 1.5)], 90, "piano", ["piano"])
    return gm.render(gm.midi_file(0, 0, 0, [event]), 1)


def spoken_sentence() -> np.ndarray | None:
    if not shutil.which("espeak-ng"):
        return None
    return speech.speak("please close the window before you leave", "en+m3", 170)


SOUNDS = {
    "a sine tone": lambda: signals.tone(440, 2.0) * 0.3,
    "white noise": lambda: signals.noise("white", 2.0, np.random.default_rng(1)) * 0.3,
    "a man speaking English": spoken_sentence,
    "a piano note": piano_note,
    "a snare drum hit": snare_hit,
}


@pytest.fixture(scope="module")
def synthesised(backend):
    clips = {query: make() for query, make in SOUNDS.items()}
    missing = [q for q, clip in clips.items() if clip is None]
    clips = {q: heard(c, backend.info.sample_rate) for q, c in clips.items() if c is not None}
    return list(clips), *backend.embed_audio_and_likeness(list(clips.values())), missing


@pytest.mark.parametrize("query", list(SOUNDS))
def test_matching_query_ranks_the_right_sound_first(backend, synthesised, query):
    queries, audio, _, missing = synthesised
    assert query not in missing, f"cannot make '{query}' here: scripts/setup.sh installs espeak-ng and fluidsynth"
    scores = audio @ backend.embed_query([query])[0]  # as a search asks
    ranked = [queries[i] for i in np.argsort(-scores)]
    assert ranked[0] == query, f"'{query}' ranked {ranked}"


def test_queries_are_heard_through_its_exemplars_as_unit_sounds_times_their_weight(backend, synthesised):
    _, _, likeness, _ = synthesised
    sounds = backend.query_likeness(["dog barking", "rain on a tin roof"])
    assert sounds.shape == (2, likeness.shape[1])
    np.testing.assert_allclose(np.linalg.norm(sounds, axis=1), backend.exemplars.config.weight, atol=1e-5)


@pytest.mark.parametrize("query", list(SOUNDS))
def test_a_query_heard_through_its_exemplars_sounds_like_the_right_sound(backend, synthesised, query):
    queries, _, likeness, missing = synthesised
    assert query not in missing, f"cannot make '{query}' here: scripts/setup.sh installs espeak-ng and fluidsynth"
    scores = likeness @ backend.query_likeness([query])[0]  # what a search adds to each sound's score
    ranked = [queries[i] for i in np.argsort(-scores)]
    assert ranked[0] == query, f"'{query}' heard as {ranked}"
