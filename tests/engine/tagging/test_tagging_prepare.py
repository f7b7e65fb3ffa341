"""A vocabulary's term embeddings made before the first job needs them, stopped when told, and
their words side shared by the models whose words space is the same (a fine-tune's frozen tower)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models.registry import load_model
from engine.tagging.evidence import EncodingStopped, encode_vocabulary, words_space
from engine.tagging.vocabulary import Term, Vocabulary
from tests.factories import make_tiny_cacophony_checkpoint

WORDS = {"DOORS": ("door", "hinge", "creak"), "ANIMALS": ("dog", "bark", "howl"), "GLASS": ("glass", "pane")}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(
        "mine",
        tuple(Term(key=f"{category}-{w}", tag=w, category=category) for category, ws in WORDS.items() for w in ws),
    )


@pytest.fixture(scope="module")
def frozen_pair(tmp_path_factory):
    """Two tiny models with one frozen text tower and other weights beside it: a model and its
    fine-tune, as the library fine-tune makes one of the builtin model."""
    folder = tmp_path_factory.mktemp("frozen")
    return tuple(
        load_model(str(make_tiny_cacophony_checkpoint(folder / name, seed=seed, text_frozen=True)))
        for name, seed in (("start", 0), ("tuned", 3))
    )


def test_a_fine_tune_reads_the_words_side_its_start_model_made_and_makes_only_its_joint_side(
    tmp_path, vocabulary, frozen_pair
):
    start, tuned = frozen_pair
    assert start.info.name != tuned.info.name and words_space(start) == words_space(tuned)
    made = encode_vocabulary(start, vocabulary, tmp_path)
    reused = encode_vocabulary(tuned, vocabulary, tmp_path)
    assert len(list(tmp_path.glob("words-*.npz"))) == 1  # one words side, kept for both
    assert len(list(tmp_path.glob("*.npz"))) == 3  # and a joint side each
    fresh = encode_vocabulary(tuned, vocabulary)  # made from nothing, no cache: what it must equal
    np.testing.assert_allclose(reused.word_embeddings, fresh.word_embeddings, atol=1e-6)
    np.testing.assert_allclose(reused.names.vectors, fresh.names.vectors, atol=1e-6)
    np.testing.assert_allclose(reused.classifier.weight, fresh.classifier.weight, atol=1e-4)
    np.testing.assert_allclose(reused.embeddings, fresh.embeddings, atol=1e-6)
    assert not np.allclose(reused.embeddings, made.embeddings, atol=1e-3)  # the joint side is the tune's own


def test_models_whose_text_towers_were_trained_keep_a_words_side_each(tmp_path, vocabulary, tiny_checkpoint):
    other = make_tiny_cacophony_checkpoint(tmp_path / "other", seed=3)  # the tower trained with the model
    models = [load_model(str(tiny_checkpoint)), load_model(str(other))]
    assert words_space(models[0]) != words_space(models[1])
    encoded = [encode_vocabulary(model, vocabulary, tmp_path / "cache") for model in models]
    assert len(list((tmp_path / "cache").glob("words-*.npz"))) == 2
    assert not np.allclose(encoded[0].word_embeddings, encoded[1].word_embeddings, atol=1e-3)


def test_an_encoding_told_to_stop_stops_and_keeps_nothing(tmp_path, vocabulary, tiny_checkpoint):
    with pytest.raises(EncodingStopped):
        encode_vocabulary(load_model(str(tiny_checkpoint)), vocabulary, tmp_path, should_stop=lambda: True)
    assert not list(tmp_path.glob("*.npz"))


def test_the_vocabularies_a_model_lacks_are_made_before_a_job_asks(tag_engine, tmp_path):
    """What the app asks in the background as a model becomes the active one."""
    tagging = tag_engine.tagging
    assert tagging.prepare_vocabularies() == []  # UCS made already (the fixture's cache)
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    tagging.import_vocabulary(mine)
    assert tagging.prepare_vocabularies(should_stop=lambda: True) == [] and not tagging.vocabularies_ready()
    assert tagging.prepare_vocabularies() == ["mine"] and tagging.vocabularies_ready()


def test_a_job_stopped_while_it_reads_a_vocabulary_stops_there(tag_engine, named_library, tmp_path):
    """The status bar's Stop, pressed while the first job with a model reads its vocabulary (a
    minute for UCS), did nothing until it was read."""
    tagging = tag_engine.tagging
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    tagging.import_vocabulary(mine)
    report = tagging.tag([named_library], should_stop=lambda: True)
    assert report.stopped and report.tagged == 0
    assert not tagging.vocabularies_ready()  # stopped before it was read, not after
