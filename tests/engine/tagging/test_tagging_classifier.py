"""The words classifier: fitted from a vocabulary's names, cached with its embeddings, weighed
as evidence."""

from __future__ import annotations

import numpy as np
import pytest

from engine.index.records import FileRecord
from engine.models.registry import load_model
from engine.tagging.calibration import Weights, fit_weights, softmax
from engine.tagging.classifier import fit_classifier
from engine.tagging.evidence import (
    PROMPTS_VERSION,
    Evidence,
    encode_vocabulary,
    gather_evidence,
    vocabulary_cache_file,
)
from engine.tagging.vocabulary import Term, Vocabulary


def test_the_classifier_tells_categories_apart_from_their_names():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1, (4, 16))
    labels = np.repeat(np.arange(4), 60)
    names = centres[labels] + rng.normal(0, 0.6, (240, 16))
    classifier = fit_classifier(names, labels, 4)
    unseen = np.repeat(np.arange(4), 25)
    log_p = classifier.log_probabilities(centres[unseen] + rng.normal(0, 0.6, (100, 16)))
    np.testing.assert_allclose(np.exp(log_p).sum(axis=1), 1.0, rtol=1e-9)
    assert (log_p.argmax(axis=1) == unseen).mean() >= 0.95
    assert fit_classifier(names, np.zeros(240, np.int64), 1) is None  # one category: nothing to tell apart


WORDS = {
    "DOORS": ("door", "hinge", "creak"),
    "ANIMALS": ("dog", "bark", "howl"),
    "GLASS": ("glass", "shatter", "pane"),
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(
        "mine",
        tuple(
            Term(key=f"{category}-{word}", tag=word, category=category, synonyms=tuple(w for w in words if w != word))
            for category, words in WORDS.items()
            for word in words
        ),
    )


def test_a_files_words_are_put_in_the_category_their_meaning_says(tmp_path, vocabulary):
    """The builtin model's words space (MiniLM) with the classifier fitted on nine names: files
    named by those names, and by words it never saw, get their category; the fit is cached with
    the embeddings and read back as it was."""
    model = load_model("builtin")
    encoded = encode_vocabulary(model, vocabulary, tmp_path)
    assert vocabulary_cache_file(tmp_path, model.info.name, vocabulary).is_file()
    named = {"hinge_01": "DOORS", "bark_far": "ANIMALS", "pane": "GLASS"}
    records = [FileRecord(path=f"/lib/{name}.wav", folder="/lib", id=i) for i, name in enumerate(named)]
    evidence = gather_evidence(model, encoded, records, {})
    assert [vocabulary.terms[int(np.argmax(e.category))].category for e in evidence] == list(named.values())
    unseen = {"gate squeak slow": "DOORS", "puppy yelp": "ANIMALS", "window smash": "GLASS", "wolf growl": "ANIMALS"}
    scores = encoded.category_scores(model.embed_words(list(unseen)))
    assert [vocabulary.terms[int(i)].category for i in scores.argmax(axis=1)] == list(unseen.values())
    cached = encode_vocabulary(model, vocabulary, tmp_path)
    np.testing.assert_array_equal(cached.classifier.weight, encoded.classifier.weight)
    np.testing.assert_array_equal(cached.classifier.bias, encoded.classifier.bias)


def test_encoding_anew_deletes_the_caches_of_older_prompt_versions(tmp_path, vocabulary):
    """A version bump makes every vocabulary encode once more; what the old versions wrote (~20 MB
    a model for UCS) is deleted then, and nothing of the current version or outside the cache's names."""
    old = [tmp_path / f"builtin-abc-p{PROMPTS_VERSION - 1}.npz", tmp_path / f"words-0f-abc-p{PROMPTS_VERSION - 2}.npz"]
    other_vocabulary = tmp_path / f"builtin-def-p{PROMPTS_VERSION}.npz"
    unrelated = tmp_path / "notes-pad.txt"
    for path in [*old, other_vocabulary, unrelated]:
        path.write_bytes(b"x")
    model = load_model("builtin")
    encode_vocabulary(model, vocabulary, tmp_path)
    assert not any(path.exists() for path in old)
    assert other_vocabulary.exists() and unrelated.exists()
    assert vocabulary_cache_file(tmp_path, model.info.name, vocabulary).is_file()
    assert len(list(tmp_path.glob(f"words-*-{vocabulary.fingerprint}-p{PROMPTS_VERSION}.npz"))) == 1


def test_the_category_evidence_is_weighed_and_its_weight_fitted():
    rng = np.random.default_rng(2)
    samples, labels = [], []
    for _ in range(400):
        category = rng.normal(0, 1.0, 12)
        e = Evidence(rng.normal(0, 0.1, 12), None, np.zeros(12), True, None, category=category)
        samples.append(e)
        labels.append([int(rng.choice(12, p=softmax(2.0 * category)))])
    fitted = fit_weights(samples, labels, ("sound", "category"))
    assert fitted.category == pytest.approx(2.0, rel=0.3) and fitted.sound < fitted.category
    e = samples[0]
    np.testing.assert_allclose(
        Weights(sound=1.0, text=0.0, lexical=0.0, category=3.0).logits(e) - Weights(1.0, 0.0, 0.0).logits(e),
        3.0 * e.category,
    )
