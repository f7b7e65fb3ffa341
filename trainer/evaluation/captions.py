"""Caption metrics through pycocoevalcap (the COCO caption toolkit the AAC papers use).

It comes with the test extra (``pip install pycocoevalcap``: ~100 MB with its Java jars). BLEU-1..4,
ROUGE-L and CIDEr-D are pure Python; METEOR and the PTB tokenizer need a
Java runtime; SPICE (and so SPIDEr = (CIDEr + SPICE) / 2) additionally downloads Stanford
CoreNLP on first use, which fails offline: it is then reported as unavailable, not zero.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence

from engine.logs import described

log = logging.getLogger(__name__)


class CaptionMetricsUnavailable(RuntimeError):
    pass


def caption_metrics(
    predictions: Sequence[str], references: Sequence[Sequence[str]], spice: bool = False
) -> dict[str, float | str]:
    """Corpus-level scores of one generated caption per clip against its references. SPICE is
    opt-in: on first use pycocoevalcap downloads Stanford CoreNLP (about 1 GB)."""
    try:
        from pycocoevalcap.bleu.bleu import Bleu
        from pycocoevalcap.cider.cider import Cider
        from pycocoevalcap.rouge.rouge import Rouge
    except ImportError as error:
        raise CaptionMetricsUnavailable("caption metrics need pycocoevalcap: pip install pycocoevalcap") from error
    java = shutil.which("java") is not None
    hypotheses = {i: [_normalise(p)] for i, p in enumerate(predictions)}
    truths = {i: [_normalise(r) for r in refs] for i, refs in enumerate(references)}
    if java:
        from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

        tokenizer = PTBTokenizer()
        hypotheses = tokenizer.tokenize({i: [{"caption": c} for c in v] for i, v in hypotheses.items()})
        truths = tokenizer.tokenize({i: [{"caption": c} for c in v] for i, v in truths.items()})
    results: dict[str, float | str] = {}
    bleu, _ = Bleu(4).compute_score(truths, hypotheses, verbose=0)
    results |= {f"BLEU-{n + 1}": float(b) for n, b in enumerate(bleu)}
    results["ROUGE-L"] = float(Rouge().compute_score(truths, hypotheses)[0])
    results["CIDEr"] = float(Cider().compute_score(truths, hypotheses)[0])
    results |= _java_metric("METEOR", "pycocoevalcap.meteor.meteor", "Meteor", truths, hypotheses, java)
    if spice:
        results |= _java_metric("SPICE", "pycocoevalcap.spice.spice", "Spice", truths, hypotheses, java)
        if isinstance(results["SPICE"], float):
            results["SPIDEr"] = (results["CIDEr"] + results["SPICE"]) / 2
        else:
            results["SPIDEr"] = results["SPICE"]
    return results


def _java_metric(name, module, cls, truths, hypotheses, java: bool) -> dict[str, float | str]:
    if not java:
        return {name: "unavailable: needs a Java runtime"}
    try:
        import importlib

        scorer = getattr(importlib.import_module(module), cls)()
        return {name: float(scorer.compute_score(truths, hypotheses)[0])}
    except Exception as error:  # noqa: BLE001 - a Java tool's failure (e.g. offline download) is reported, not fatal
        log.warning("%s failed: %s", name, error)
        return {name: f"unavailable: {described(error)[:200]}"}


def _normalise(text: str) -> str:
    return " ".join(text.lower().strip().rstrip(".").split())
