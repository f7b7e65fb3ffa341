"""Caption metrics through pycocoevalcap (BLEU, ROUGE-L, CIDEr, and METEOR on the Java runtime
scripts/setup.sh installs: without it the test fails, since the metrics would depend on the machine)."""

from __future__ import annotations

import json

import pytest

from trainer.cli import main
from trainer.evaluation.captions import caption_metrics

pytestmark = pytest.mark.slow  # the Java caption scorers start slowly


REFERENCES = [
    ["a dog is barking", "a dog barks loudly"],
    ["rain falls on a metal roof", "heavy rain on a roof"],
    ["a car engine idles", "an engine runs"],
]


def test_perfect_captions_score_higher_than_wrong_ones():
    perfect = caption_metrics(["a dog barks loudly", "heavy rain on a roof", "an engine runs"], REFERENCES)
    wrong = caption_metrics(["heavy rain on a roof", "an engine runs", "a dog barks loudly"], REFERENCES)
    assert perfect["BLEU-1"] == pytest.approx(1.0) and perfect["ROUGE-L"] == pytest.approx(1.0)
    for key in ("BLEU-1", "BLEU-4", "ROUGE-L", "CIDEr"):
        assert perfect[key] > wrong[key], key
    assert isinstance(perfect["METEOR"], float), f"METEOR {perfect['METEOR']} (setup installs default-jre-headless)"
    assert perfect["METEOR"] > wrong["METEOR"]
    assert "SPICE" not in perfect  # opt-in (downloads CoreNLP)


def test_eval_command_scores_generated_captions(tiny_checkpoint, synthetic_manifest, capsys):
    assert (
        main(["eval", str(tiny_checkpoint), "--manifest", str(synthetic_manifest), "--split", "val", "--captions"]) == 0
    )
    results = json.loads(capsys.readouterr().out)
    assert 0.0 <= results["BLEU-1"] <= 1.0 and results["CIDEr"] >= 0.0
