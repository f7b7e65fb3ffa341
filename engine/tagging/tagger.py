"""Suggestions for a batch of files: every vocabulary scored, calibrated, and cut to the best few.

Each vocabulary is its own classification (a softmax over its terms), so a file can get its
UCS category and a term of the user's own vocabulary. Terms the file already carries as a
tag, and terms the user rejected for it, are never suggested. Captions come from the
model's decoder on the file's opening window (the model's own window length): a long file
is described by how it starts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.audio.decode import AudioDecodeError, load_mono
from engine.index.records import OK, FileRecord
from engine.index.suggestions import CAPTION, EXACT, TAG, Suggestion
from engine.index.vectors import Windows
from engine.models.base import AudioTextModel, CaptionOptions
from engine.tagging.calibration import Calibration
from engine.tagging.evidence import NO_PACKS, EncodedVocabulary, Evidence, gather_evidence
from engine.tagging.priors import Shelves, file_prior, pack_holding, reweigh
from engine.tagging.vocabulary import Vocabulary

STORED_PER_VOCABULARY = 10  # categories kept per file and vocabulary; the user's top-k and threshold filter at display


# said beside a suggestion that is a category offered whole (:func:`rank`): its tag is the
# category's catch-all term, its confidence the chance of the category
SUBCATEGORY_UNSURE = "subcategory unsure"


@dataclass(frozen=True)
class Ranked:
    """One vocabulary's verdict on one file, best first."""

    keys: list[str]
    tags: list[str]
    confidences: list[float]
    evidence: str
    whole: list[bool]  # each: a category offered whole, its subcategory unsure (see rank)

    def evidence_of(self, position: int) -> str:
        """What the suggestion at ``position`` rests on, as its row keeps it."""
        return f"{self.evidence}; {SUBCATEGORY_UNSURE}" if self.whole[position] else self.evidence


def describe_evidence(evidence: Evidence, calibration: Calibration) -> str:
    """What a suggestion rests on, in a word the app can show."""
    if evidence.exact is not None:
        return EXACT
    weights = calibration.weights(evidence)
    parts = [
        name
        for name, used in (("sound", evidence.sound is not None and weights.sound > 0), ("words", evidence.has_words))
        if used
    ]
    return "+".join(parts) or "none"


def rank(
    vocabulary: Vocabulary,
    evidence: Evidence,
    probabilities: np.ndarray,
    calibration: Calibration,
    record: FileRecord,
    rejected: set[str],
    sure_at: float,
    keep: int = STORED_PER_VOCABULARY,
) -> Ranked:
    """The ``keep`` most likely terms the user has not rejected, the best of each category, each
    with its own probability as the confidence: "DOORS-WOOD 60 %" is the chance that the file is a
    wooden door, not that it is some door (a category's sum beside its MISC term read as 99 % sure
    of ANIMALS-MISC for a frog). A rejected term takes its probability with it, and nothing is
    renormalised, so a confidence stays the calibrated chance of being right. Categories the file
    already carries a tag of are left out.

    A category at least ``sure_at`` likely (the settings' threshold) none of whose terms is, is
    offered whole: its catch-all term (MISC or GENERAL, unless the user rejected it) with the
    category's probability, said to leave the subcategory unsure (:data:`SUBCATEGORY_UNSURE`). A
    name that says "door" and not which door left DOORS' 92 % shared among its 22 kinds, DOORS-MISC
    29 % the likeliest, and flightgear's ``door-opening.wav`` showed nothing at 30 %: DOORS-MISC is
    where a sound librarian files a door of no known kind, and 92 % the chance that it is right. A
    term sure itself keeps its own probability: a frog ANIMALS-AMPHIBIAN is sure of stays one. A
    file judged by its sound alone is offered no category whole: no name says what it is, and on
    berusky2's Czech names a third of such offers were right, at 42 % on average."""
    terms = vocabulary.terms
    own = {t.casefold() for t in record.tags}
    owned = {t.category for t in terms if t.tag.casefold() in own}
    if rejected:
        probabilities = np.where([t.key in rejected for t in terms], 0.0, probabilities)
    whole_at = sure_at if evidence.has_words else math.inf
    offered = (
        category_offer(vocabulary, c, probabilities, rejected, whole_at)
        for c in vocabulary.categories
        if c not in owned
    )
    offers = sorted((o for o in offered if o is not None), key=lambda o: -o[1])
    # an exact CatID in the name decides: nothing is suggested beside it
    offers = offers[: 1 if evidence.exact is not None else keep]
    return Ranked(
        [terms[i].key for i, _, _ in offers],
        [terms[i].tag for i, _, _ in offers],
        [confidence for _, confidence, _ in offers],
        describe_evidence(evidence, calibration),
        [whole for _, _, whole in offers],
    )


def category_offer(
    vocabulary: Vocabulary, category: str, probabilities: np.ndarray, rejected: set[str], sure_at: float
) -> tuple[int, float, bool] | None:
    """What :func:`rank` offers of one category: (term, confidence, offered whole), None when none
    of its terms is likely at all."""
    indices = vocabulary.category_terms[category]
    best = best_term(probabilities, indices)
    if best is None:
        return None
    total = float(probabilities[indices].sum())
    catch_all = vocabulary.catch_alls.get(category)
    unsure = probabilities[best] < sure_at <= total
    if unsure and catch_all is not None and vocabulary.terms[catch_all].key not in rejected:
        return catch_all, total, True
    return best, float(probabilities[best]), False


def best_term(probabilities: np.ndarray, indices: list[int]) -> int | None:
    """The most likely of a category's terms (``indices``), None when none is likely at all. Terms
    as likely as each other to 5 digits of the category's sum (a file's evidence the same for
    "kiss" and "spit") go in vocabulary order, not by the last bits of float noise, so the same
    file gets the same term whichever batch embedded it."""
    total = float(probabilities[indices].sum())
    if total <= 0:
        return None
    return min(indices, key=lambda i: (-round(probabilities[i] / total, 5), i))


def gather(
    model: AudioTextModel | None,
    vocabularies: Sequence[EncodedVocabulary],
    records: list[FileRecord],
    windows: dict[int, Windows],
    embedded_words: dict[str, np.ndarray] | None = None,
    packs: Mapping[str, frozenset[str]] = NO_PACKS,
) -> list[list[Evidence]]:
    """Each vocabulary's evidence for each file (``embedded_words`` and ``packs``: see
    :func:`gather_evidence`; without a memo, one for this call; the packs the UCS list found are
    left out for every vocabulary alike). A file counts as named when any vocabulary knows a word
    of it."""
    embedded_words = {} if embedded_words is None else embedded_words
    evidence = [gather_evidence(model, encoded, records, windows, embedded_words, packs) for encoded in vocabularies]
    named = [any(found[i].has_words for found in evidence) for i in range(len(records))]
    return [[replace(e, has_words=n) for e, n in zip(found, named, strict=True)] for found in evidence]


def named_category_probabilities(
    ucs: EncodedVocabulary, calibration: Calibration, evidence: Sequence[Evidence]
) -> np.ndarray:
    """(files with words, categories): what the UCS evidence of each named file says, the input of
    :func:`engine.tagging.priors.read_library`."""
    rows = [ucs.vocabulary.category_probabilities(calibration.probabilities(e)) for e in evidence if e.has_words]
    return np.array(rows).reshape(len(rows), len(ucs.vocabulary.categories))


def share_array(vocabulary: Vocabulary, shares: dict[str, float]) -> np.ndarray:
    """A job's shares in the vocabulary's category order (a category it did not see: an equal share)."""
    equal = 1.0 / len(vocabulary.categories)
    return np.array([shares.get(category, equal) for category in vocabulary.categories])


def tag_suggestions(
    model: AudioTextModel | None,
    vocabularies: Sequence[EncodedVocabulary],
    calibration: Calibration,
    records: list[FileRecord],
    windows: dict[int, Windows],
    rejected: dict[int, set[str]],
    job: str = "",
    shares: dict[str, float] | None = None,
    shelves: Shelves | None = None,
    packs_read: Shelves | None = None,
    embedded_words: dict[str, np.ndarray] | None = None,
    packs: Mapping[str, frozenset[str]] = NO_PACKS,
    *,
    sure_at: float,
) -> list[Suggestion]:
    """Tag suggestion rows for ``records`` from every vocabulary. The UCS list (always the first
    vocabulary) is a softmax of its own, weighed for files with words by the job's ``shares``,
    what it read of their pack (``packs_read``) and of the other named files of their folder
    (``shelves``; :func:`engine.tagging.priors.read_library`); each user vocabulary
    competes with it (see :meth:`Calibration.probabilities`). ``embedded_words`` and ``packs``: see
    :func:`gather`; ``sure_at``: see :func:`rank`."""
    evidence = gather(model, vocabularies, records, windows, embedded_words, packs)
    ucs_logits = [calibration.weights(e).logits(e) for e in evidence[0]]
    ucs = vocabularies[0].vocabulary
    by_category = share_array(ucs, shares) if shares else None
    rows: list[Suggestion] = []
    for position, encoded in enumerate(vocabularies):
        for i, (record, found) in enumerate(zip(records, evidence[position], strict=True)):
            probabilities = calibration.probabilities(found, None if position == 0 else ucs_logits[i])
            if position == 0 and by_category is not None and found.has_words and found.exact is None:
                folder = os.path.dirname(record.path)
                pack, shelf = pack_holding(folder, packs_read or {}), (shelves or {}).get(folder)
                said = ucs.category_probabilities(probabilities)
                prior = file_prior(by_category, pack, shelf, said, ucs.categories)
                probabilities = reweigh(probabilities, prior[ucs.term_categories])
            ranked = rank(
                encoded.vocabulary, found, probabilities, calibration, record, rejected.get(record.id, set()), sure_at
            )
            rows += [
                Suggestion(
                    record.id,
                    TAG,
                    tag,
                    confidence,
                    key,
                    encoded.vocabulary.name,
                    ranked.evidence_of(position),
                    job=job,
                    content_hash=record.content_hash,
                )
                for position, (key, tag, confidence) in enumerate(
                    zip(ranked.keys, ranked.tags, ranked.confidences, strict=True)
                )
            ]
    return rows


def caption_suggestions(
    model: AudioTextModel, records: list[FileRecord], options: CaptionOptions, job: str = ""
) -> tuple[list[Suggestion], dict[str, str]]:
    """Caption rows for the readable files among ``records``, and {path: why not} for the others.
    The confidence is the decoder's geometric-mean token probability."""
    clips, owners, errors = [], [], {}
    for record in records:
        if record.status != OK:
            errors[record.path] = f"not captioned: the file is {record.status}"
            continue
        try:
            clip = load_mono(record.path, model.info.sample_rate, 0.0, model.info.window_seconds)
        except (AudioDecodeError, OSError, ValueError) as exc:
            errors[record.path] = f"not captioned: {exc}"
            continue
        if len(clip):
            clips.append(clip)
            owners.append(record)
    rows = []
    if clips:
        for record, caption in zip(owners, model.describe(clips, options), strict=True):
            if caption.text:
                rows.append(
                    Suggestion(
                        record.id,
                        CAPTION,
                        caption.text,
                        math.exp(caption.mean_logprob),
                        evidence="decoder",
                        job=job,
                        content_hash=record.content_hash,
                    )
                )
    return rows, errors
