"""The exemplar bank a checkpoint ships: one row per clip and each of its distinct captions, each
caption embedded once; written by the CLI from a corpus the test writes into a bridged checkpoint,
which then hears its queries through it; carried into an exported model with the bridge."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from engine.models.base import l2_normalise
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.exemplars import ExemplarConfig, Exemplars
from engine.models.cacophony.ucs_bridge import SAMPLE_RATE
from engine.models.folders import EXEMPLARS_FILE
from tests.factories import bridged_checkpoint, noise, tone, write_audio
from trainer.corpus.clips import Clip
from trainer.exemplars import build, main
from trainer.export import export
from trainer.words_head import Captioned

CAPTIONS = ["a dog barks", "barking", "rain"]


class OneHotWords:
    """A words space where each caption is its own axis; remembers the texts it embedded."""

    def __init__(self):
        self.embedded: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.embedded += texts
        return np.eye(len(CAPTIONS), dtype=np.float32)[[CAPTIONS.index(t) for t in texts]]


def test_build_keeps_each_clip_once_per_distinct_caption_and_embeds_each_caption_once():
    sounds = l2_normalise(np.random.default_rng(0).standard_normal((4, 6)))
    data = Captioned(
        likeness=sounds,
        in_time=np.zeros((4, 2), np.float32),
        captions=[["a dog barks", "barking"], ["rain"], ["a dog barks"], ["rain", "rain"]],
        train=np.ones(4, bool),
    )
    words = OneHotWords()
    bank = build(data, words, ExemplarConfig(nearest=2, temperature=0.01))
    assert sorted(words.embedded) == sorted(CAPTIONS)
    np.testing.assert_array_equal(bank.captions, np.eye(3))
    # rows (caption, clip): (0, 0), (1, 0), (2, 1), (0, 2), (2, 3)
    assert bank.caption_row.tolist() == [0, 1, 2, 0, 2]
    assert bank.clips.tolist() == [0, 1, 2, 3] and bank.first_caption.tolist() == [0, 2, 3, 4]
    # "a dog barks" is clips 0 and 2, "barking" clip 0 alone, "rain" clips 1 and 3
    dog, barking, rain = bank.query(np.eye(3, dtype=np.float32))
    np.testing.assert_allclose(dog, l2_normalise(sounds[0] + sounds[2]), atol=1e-6)
    np.testing.assert_allclose(barking, sounds[0], atol=1e-6)
    np.testing.assert_allclose(rain, l2_normalise(sounds[1] + sounds[3]), atol=1e-6)


def test_build_refuses_clips_without_captions():
    data = Captioned(np.ones((1, 6), np.float32), np.zeros((1, 2), np.float32), [[]], np.ones(1, bool))
    with pytest.raises(ValueError, match="no captioned clip"):
        build(data, OneHotWords())


KINDS = {  # caption(s) -> a clip at the bridge's rate
    ("white noise",): lambda seed: noise(1.0, SAMPLE_RATE, seed=seed),
    ("low sine tone", "low tone"): lambda seed: tone(110.0 + seed, 1.0, SAMPLE_RATE),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two clips of each kind; the first tone has two captions, the second only the first."""
    folder = tmp_path_factory.mktemp("corpus")
    rows = []
    for captions, make in KINDS.items():
        for seed in range(2):
            rows.append(Clip(f"rendered/{captions[0].replace(' ', '_')}_{seed}.wav", list(captions[: 2 - seed])))
            write_audio(folder / rows[-1].audio, make(seed), sr=SAMPLE_RATE)
    rows.append(Clip("rendered/uncaptioned.wav", []))  # a clip without a caption says nothing a query could
    write_audio(folder / rows[-1].audio, tone(880.0, 1.0, SAMPLE_RATE), sr=SAMPLE_RATE)
    (folder / "manifest.jsonl").write_text("".join(row.to_json() + "\n" for row in rows))
    return folder


def test_the_cli_writes_a_bank_the_checkpoint_hears_its_queries_through(corpus, tiny_checkpoint, tmp_path, capsys):
    folder = bridged_checkpoint(tiny_checkpoint, tmp_path / "bridged", weight=0.5)
    assert CacophonyBackend.from_checkpoint(folder).query_likeness(["white noise"]) is None  # no bank yet
    settings = ["--nearest", "2", "--temperature", "0.05", "--weight", "0.8"]
    assert main(["--corpus", str(corpus), "--checkpoint", str(folder), *settings]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"clips": 4, "captions": 3, "pairs": 5}
    backend = CacophonyBackend.from_checkpoint(folder)
    assert backend.exemplars.config == ExemplarConfig(nearest=2, temperature=0.05, weight=0.8)
    sounds = backend.query_likeness(["white noise", "low sine tone"])
    np.testing.assert_allclose(np.linalg.norm(sounds, axis=1), [0.8, 0.8], atol=1e-5)
    # each query sounds like new clips of its own kind, as the bank's clips of that kind did
    _, heard = backend.embed_audio_and_likeness([make(7) for make in KINDS.values()])
    assert sounds.shape[1] == heard.shape[1]
    assert (sounds @ heard.T).argmax(axis=1).tolist() == [0, 1]


def test_the_cli_refuses_a_checkpoint_without_a_bridge(corpus, tiny_checkpoint, tmp_path, capsys):
    plain = shutil.copytree(tiny_checkpoint, tmp_path / "plain")
    with pytest.raises(SystemExit) as refused:
        main(["--corpus", str(corpus), "--checkpoint", str(plain)])
    assert refused.value.code == 2 and "has no UCS bridge" in capsys.readouterr().err
    assert not (plain / EXEMPLARS_FILE).exists()


def test_a_fine_tunes_export_keeps_its_starting_models_exemplars(tiny_checkpoint, tmp_path):
    start = bridged_checkpoint(tiny_checkpoint, tmp_path / "start", weight=0.4)
    bank = Exemplars(np.eye(2, dtype=np.float32), np.arange(2), np.arange(2), np.eye(2, 512, dtype=np.float32))
    bank.save(start / EXEMPLARS_FILE)
    run = tmp_path / "run"
    shutil.copytree(tiny_checkpoint, run / "final")  # a run's final checkpoint has no bridge of its own
    out = export(run, tmp_path / "out", name="fine-tuned", bridge_from=start)
    assert (out / EXEMPLARS_FILE).read_bytes() == (start / EXEMPLARS_FILE).read_bytes()
    assert CacophonyBackend.from_checkpoint(out).exemplars is not None
