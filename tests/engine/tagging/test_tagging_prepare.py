"""A vocabulary's term embeddings made before the first job needs them, stopped when told, and
their words side shared by the models whose words space is the same (a fine-tune's frozen tower)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models.registry import load_model
from engine.tagging import evidence
from engine.tagging.evidence import EncodingStopped, encode_vocabulary, words_space
from engine.tagging.jobs import TAGGING, VOCABULARY
from engine.tagging.prompts import term_names, term_prompts
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


def counts(told: list[tuple[int, int]]) -> tuple[list[int], set[int]]:
    """The texts done of each report, and the totals they were told of."""
    return [done for done, _ in told], {total for _, total in told}


def test_a_read_counts_the_texts_it_embeds_up_to_their_total_and_a_cached_one_none(
    tmp_path, vocabulary, frozen_pair, monkeypatch
):
    """The bar of the first job with a model sat at 0 for minutes while the vocabulary was read
    (review 18, M8): the read counts what it embeds, batch by batch, and only that."""
    monkeypatch.setattr(evidence, "TEXT_BATCH", 5)  # a few batches of this small vocabulary
    start, tuned = frozen_pair
    prompts = sum(len(term_prompts(t)) for t in vocabulary.terms)
    names = len({n for t in vocabulary.terms for n in term_names(t)})
    told: list[tuple[int, int]] = []
    encode_vocabulary(start, vocabulary, tmp_path, progress=lambda *count: told.append(count))
    done, totals = counts(told)
    assert totals == {prompts + names} and done == sorted(set(done)) and done[-1] == prompts + names
    assert len(done) == -(-prompts // 5) + -(-names // 5)  # told after each batch

    told.clear()  # the fine-tune shares the words side: only its prompts are embedded
    encode_vocabulary(tuned, vocabulary, tmp_path, progress=lambda *count: told.append(count))
    done, totals = counts(told)
    assert totals == {prompts} and done == sorted(set(done)) and done[-1] == prompts

    told.clear()
    encode_vocabulary(start, vocabulary, tmp_path, progress=lambda *count: told.append(count))
    assert told == []  # all of it cached: nothing embedded, nothing said


def test_a_read_told_to_stop_midway_stops_after_the_batches_it_counted(tmp_path, vocabulary, frozen_pair, monkeypatch):
    monkeypatch.setattr(evidence, "TEXT_BATCH", 5)
    told: list[tuple[int, int]] = []
    with pytest.raises(EncodingStopped):
        encode_vocabulary(
            frozen_pair[0], vocabulary, tmp_path, lambda: len(told) >= 2, lambda *count: told.append(count)
        )
    assert counts(told)[0] == [5, 10] and not list(tmp_path.glob("*.npz"))


def test_the_vocabularies_a_model_lacks_are_made_before_a_job_asks(tag_engine, tmp_path):
    """What the app asks in the background as a model becomes the active one, saying how far along
    it is (the app shows it while a Suggest waits for it)."""
    tagging = tag_engine.tagging
    seen = []
    assert tagging.prepare_vocabularies(progress=seen.append) == [] and seen == []  # UCS made already (the cache)
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    tagging.import_vocabulary(mine)
    assert tagging.prepare_vocabularies(should_stop=lambda: True) == [] and not tagging.vocabularies_ready()
    assert tagging.prepare_vocabularies(progress=seen.append) == ["mine"] and tagging.vocabularies_ready()
    assert seen and {(p.phase, p.path, p.total) for p in seen} == {(VOCABULARY, "mine", seen[-1].done)}


def test_a_job_that_reads_a_vocabulary_itself_counts_it_before_its_files(tag_engine, named_library, tmp_path):
    tagging = tag_engine.tagging
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    tagging.import_vocabulary(mine)
    seen = []
    tagging.tag([named_library], progress=seen.append)
    phases = [p.phase for p in seen]
    read = [p for p in seen if p.phase == VOCABULARY]
    assert read and read[-1].done == read[-1].total and {p.path for p in read} == {"mine"}
    assert phases[: len(read)] == [VOCABULARY] * len(read) and phases[-1] == TAGGING  # then its files
    seen.clear()
    tagging.tag([named_library], progress=seen.append, restart=True)
    assert VOCABULARY not in [p.phase for p in seen]  # read once per model


def test_a_job_stopped_while_it_reads_a_vocabulary_stops_there(tag_engine, named_library, tmp_path):
    """The status bar's Stop, pressed while the first job with a model reads its vocabulary (for
    minutes with UCS), did nothing until it was read."""
    tagging = tag_engine.tagging
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    tagging.import_vocabulary(mine)
    report = tagging.tag([named_library], should_stop=lambda: True)
    assert report.stopped and report.tagged == 0
    assert not tagging.vocabularies_ready()  # stopped before it was read, not after
