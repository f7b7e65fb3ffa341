"""From evidence to calibrated confidence: a softmax over the terms of a vocabulary.

Each term's logit is a weighted sum of its evidence (sound, text-tower and word-overlap
cosines, and the log-probability the words classifier gives its category), less a weighted log
of the number of terms in its category (UCS MUSICAL has 25 subcategories, WIND 5: without it, a
file the evidence says little about goes to the big categories, whose probability sums the most
terms). The weights are the inverse temperatures of a multi-feature temperature scaling,
fitted by maximum likelihood on held-out files with known categories (``bench/tagging.py
--calibrate``), so "0.7" means right about 70 % of the time on such files. Two sets of
weights: one for files whose words name some term, one for files judged by their sound
alone (``Take_017.wav``), because the sound-only softmax must be far less sure of itself.
A term's confidence is its category's, shared among the category's terms; where the file's own
words count apart from its folders' (:attr:`Evidence.own`), they and the sound share it
(:func:`shared_within`), so a folder named after a category says the category, not its MISC term.
Where the sound hears a voice and the words name something that has none, the file is a voice as
often as the sound alone says (:meth:`Calibration.as_spoken`): the words may be what it says.

The fitted weights are kept per model in ``resources/tagging/calibration.json``; a model
without an entry (a fine-tune) gets the defaults below and its confidences are marked unmeasured
(:attr:`engine.tagging.service.FileSuggestions.measured`), said as :data:`UNMEASURED`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.fs import atomic_file

if TYPE_CHECKING:  # the evidence reads the calibration to weigh a folder's shared words (engine/tagging/packs.py)
    from engine.tagging.evidence import Evidence

CALIBRATION_FILE = Path(__file__).resolve().parents[2] / "resources" / "tagging" / "calibration.json"


@dataclass(frozen=True)
class Weights:
    sound: float
    text: float
    lexical: float
    prior: float = 0.0  # weight of -log(terms in the term's category): see Evidence.category_sizes
    category: float = 0.0  # weight of the words classifier's log-probability: see Evidence.category

    def logits(self, evidence: Evidence) -> np.ndarray:
        z = self.lexical * evidence.lexical.astype(np.float64)
        if evidence.category_sizes is not None and self.prior:
            z = z - self.prior * np.log(evidence.category_sizes)
        if evidence.sound is not None:
            z = z + self.sound * evidence.sound
        if evidence.text is not None:
            z = z + self.text * evidence.text
        if evidence.category is not None and self.category:
            z = z + self.category * evidence.category
        return z


@dataclass(frozen=True)
class Calibration:
    with_words: Weights
    sound_only: Weights
    caption_threshold: float = 0.5  # generated captions less confident than this are not shown
    fitted: str = ""  # what it was fitted on; "" for the uncalibrated defaults

    def weights(self, evidence: Evidence) -> Weights:
        return self.with_words if evidence.has_words else self.sound_only

    def probabilities(self, evidence: Evidence, rivals: np.ndarray | None = None) -> np.ndarray:
        """Confidence of each term; an exact CatID in the name is certain. ``rivals`` are the
        logits of other alternatives that share the probability mass without being suggested:
        a user vocabulary of three terms competes with the UCS list, or any sound would be a
        confident one of the three. Where the file's own words count apart (:attr:`Evidence.own`),
        each category keeps the probability all the words give it, shared among its terms as the
        own words and the sound say (:func:`shared_within`)."""
        if evidence.exact is not None:
            out = np.zeros(len(evidence.lexical))
            out[evidence.exact] = 1.0
            return out
        z = self.weights(evidence).logits(evidence)
        if rivals is None:
            out = softmax(z)
        else:
            top = max(z.max(), rivals.max())
            e = np.exp(z - top)
            out = e / (e.sum() + np.exp(rivals - top).sum())
        if evidence.own is not None:
            out = shared_within(out, self.weights(evidence.own).logits(evidence.own), evidence.term_categories)
        if evidence.heard_voice is not None and evidence.has_words:
            out = self.as_spoken(out, evidence)
        return out

    def as_spoken(self, probabilities: np.ndarray, evidence: Evidence) -> np.ndarray:
        """``probabilities`` of a file whose sound hears a voice (:attr:`Evidence.heard_voice`)
        while its words name a category that has none: the words may be what the voice says. A
        game's announcements are named by their subject ("camera.completed.wav",
        "chopper.ready.wav"), and the words outvoted the voice the sound heard
        (COMMUNICATIONS-CAMERA 70 %, AIRCRAFT-HELICOPTER 91 %, every VOICES term at 1 % or less).
        So the file is a voice with the probability the sound alone gives the vocal categories
        (a robot, a chimp and a speaker sound alike to it): that much moves onto VOICES, which
        the words leave as the only throat, shared among its terms as words and sound share it.
        Files whose words name a vocal category (a robot's line, a chimp's call) keep theirs.
        bench/tagging.py, its 52 announcements of Bos Wars' units labelled VOICES, the library as
        one job: 73.5 % -> 78.6 % top-1 (moved onto every vocal category instead: 76.7 %), 36 of
        them right where 9 were, the 510 other files 404 -> 406 right."""
        voices, categories = evidence.heard_voice, evidence.term_categories
        best = int(np.argmax(np.bincount(categories, weights=probabilities)))
        if voices.vocal[categories == best].any():
            return probabilities
        voiced = float(softmax(self.sound_only.logits(evidence))[voices.vocal].sum())
        spoken = probabilities * voices.voices
        return (1.0 - voiced) * probabilities + voiced * spoken / spoken.sum()


# What the panel and ``earmark suggestions`` say of a model's confidences when it has no entry: the
# defaults made a fine-tune's wrong guess read 65 % (19 % from the measured builtin), over the 30 % threshold.
UNMEASURED = (
    "This model's confidences were never measured (a fine-tuned model's aren't): read them as an order, not as chances"
)

DEFAULT = Calibration(Weights(sound=20.0, text=20.0, lexical=10.0), Weights(sound=20.0, text=0.0, lexical=0.0))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def shared_within(probabilities: np.ndarray, logits: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """``probabilities`` (terms,) with each category's sum kept and shared among its terms (by
    ``categories``, each term's category index) as the softmax of ``logits`` over them. The weights
    stay those fitted for the categories: a temperature of their own, fitted on bench/tagging.py's
    files whose name says a subcategory (scratch, not kept), came out at 1.0 (mean negative
    log-likelihood of the right subcategory in its category 1.07 at 1.0, 1.10 at 0.75 and 1.5)."""
    top = np.full(categories.max() + 1, -np.inf)
    np.maximum.at(top, categories, logits)
    e = np.exp(logits - top[categories])
    totals = np.bincount(categories, weights=probabilities, minlength=len(top))
    return totals[categories] * e / np.bincount(categories, weights=e, minlength=len(top))[categories]


def load_calibration(model_name: str, path: Path | None = None) -> Calibration:
    """The fitted calibration of ``model_name`` in ``path`` (default: the shipped
    :data:`CALIBRATION_FILE`), or the uncalibrated defaults."""
    path = CALIBRATION_FILE if path is None else path
    if not path.is_file():
        return DEFAULT
    entry = json.loads(path.read_text(encoding="utf-8")).get(model_name)
    if entry is None:
        return DEFAULT
    return Calibration(
        Weights(**entry["with_words"]),
        Weights(**entry["sound_only"]),
        entry.get("caption_threshold", DEFAULT.caption_threshold),
        entry.get("fitted", "fitted"),
    )


def unmeasured_caption_threshold(path: Path | None = None) -> float:
    """The caption floor of a model whose captions were never measured: the strictest of the
    measured models' in ``path`` (default: :data:`CALIBRATION_FILE`). A fine-tune starts from a
    shipped model and keeps its caption decoder, so captions measured worse than nothing there
    are no better in it; with the defaults' 0.5 a fine-tune of the builtin offered nonsense
    captions the builtin's measurement had vetoed ("ele, elephant" for a referee whistle)."""
    path = CALIBRATION_FILE if path is None else path
    if not path.is_file():
        return DEFAULT.caption_threshold
    entries = json.loads(path.read_text(encoding="utf-8")).values()
    measured = [e.get("caption_threshold", DEFAULT.caption_threshold) for e in entries]
    return max(measured, default=DEFAULT.caption_threshold)


def save_calibration(model_name: str, calibration: Calibration, path: Path | None = None) -> None:
    """Add or replace one model's entry in ``path`` (default: :data:`CALIBRATION_FILE`), keeping
    the others; written whole."""
    path = CALIBRATION_FILE if path is None else path
    document = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    document[model_name] = asdict(calibration)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as partial:
        partial.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# -- fitting and measuring ---------------------------------------------------------------------


def label_probability(probabilities: np.ndarray, label: Sequence[int]) -> float:
    """The probability of the right answer: the summed probability of its terms (a category
    label covers every CatID of the category)."""
    return float(probabilities[list(label)].sum())


def fit_weights(
    evidence: Sequence[Evidence],
    labels: Sequence[Sequence[int]],
    use: Sequence[str],
    regularise: float = 1e-3,
    sound_only: Weights | None = None,
) -> Weights:
    """Maximum-likelihood weights for the features named in ``use`` (the rest stay 0). With
    ``sound_only`` (the weights of files judged by their sound), a file whose sound hears a voice
    is scored as :meth:`Calibration.as_spoken` scores it, so the weights do not make up for the
    words of announcements as well (fitted without it: sound 16.5, text 10.5; through it: 14.2,
    12.4). bench/tagging.py, the library as one job, one run each: 78.6 % -> 79.2 % top-1,
    88.1 % -> 88.6 % top-3; subcategory top-1 in their own folders 43.8 % -> 46.7 %."""
    from scipy.optimize import minimize

    names = ("sound", "text", "lexical", "prior", "category")

    def weights_of(x: np.ndarray) -> Weights:
        values = dict.fromkeys(names, 0.0)
        values.update(zip(use, np.exp(x), strict=True))  # log-parametrised: weights stay positive
        return Weights(**values)

    def probabilities(w: Weights, e: Evidence) -> np.ndarray:
        p = softmax(w.logits(e))
        if sound_only is None or e.heard_voice is None or not e.has_words:
            return p
        return Calibration(w, sound_only).as_spoken(p, e)

    def loss(x: np.ndarray) -> float:
        w = weights_of(x)
        nll = -sum(
            np.log(max(label_probability(probabilities(w, e), y), 1e-12)) for e, y in zip(evidence, labels, strict=True)
        )
        return nll / len(labels) + regularise * float(x @ x)

    start = np.array([np.log(0.5 if name == "prior" else 10.0) for name in use])
    result = minimize(loss, start, method="L-BFGS-B", bounds=[(-5.0, 7.0)] * len(use))
    return weights_of(result.x)


@dataclass(frozen=True)
class ReliabilityRow:
    low: float
    high: float
    count: int
    confidence: float  # mean top-1 confidence in the bin
    accuracy: float  # share of those whose top-1 was right


def reliability(
    confidences: Sequence[float],
    correct: Sequence[bool],
    edges: Sequence[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001),
) -> tuple[list[ReliabilityRow], float]:
    """The reliability table of top-1 predictions and the expected calibration error."""
    confidences, correct = np.asarray(confidences, float), np.asarray(correct, bool)
    rows, ece = [], 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidences >= low) & (confidences < high)
        if not inside.any():
            continue
        row = ReliabilityRow(
            low, min(high, 1.0), int(inside.sum()), float(confidences[inside].mean()), float(correct[inside].mean())
        )
        rows.append(row)
        ece += row.count / len(confidences) * abs(row.confidence - row.accuracy)
    return rows, ece
