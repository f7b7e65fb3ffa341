"""Text-text embeddings: a frozen text tower's own bidirectional sentence embedding, else the joint one."""

from __future__ import annotations

import threading
import time

import numpy as np
import torch

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.devices import native_bf16
from tests.factories import make_tiny_cacophony


def backend(tmp_path, frozen: bool, query_dtype: torch.dtype = torch.float32) -> CacophonyBackend:
    """fp32 queries unless asked: the exact comparisons below hold only there."""
    model, tokenizer = make_tiny_cacophony(tmp_path / ("frozen" if frozen else "trained"), text_frozen=frozen)
    return CacophonyBackend(model, tokenizer, "tiny", query_dtype=query_dtype)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


def test_a_frozen_tower_compares_words_with_every_token_seeing_every_other(tmp_path):
    tiny = backend(tmp_path, frozen=True)
    texts = ["dog bark", "a dog bark loud", "metal door creak"]
    words = tiny.embed_words(texts)
    assert words.shape == (3, tiny.model.text.width)  # the tower's own space, not the joint one
    np.testing.assert_allclose(np.linalg.norm(words, axis=1), 1, rtol=1e-5)
    with torch.inference_mode():  # the causal tower, mean-pooled, differs: there no token sees the ones after it
        batch = tiny.tokenize(texts[:1])
        causal = tiny.model.text(**batch).mean(1)[0].numpy()
    assert not np.allclose(words[0], causal / np.linalg.norm(causal), atol=1e-3)
    first = tiny.embed_words(["dog bark"])[0]
    np.testing.assert_allclose(first, words[0], atol=1e-5)  # batch padding does not leak into the mean
    assert tiny.model.text.model.config.is_decoder  # the model's own tower stays causal
    sentence, causal_tower = tiny._sentence_tower(), tiny.model.text.model
    assert all(
        a.data_ptr() == b.data_ptr()  # one set of weights in memory, not a copy
        for a, b in zip(sentence.parameters(), causal_tower.parameters(), strict=True)
    )


def test_a_tower_trained_with_the_model_uses_the_joint_embedding(tmp_path):
    tiny = backend(tmp_path, frozen=False)
    np.testing.assert_allclose(tiny.embed_words(["dog bark"]), tiny.embed_text(["dog bark"]), atol=1e-6)


def test_a_single_text_gets_both_embeddings_from_one_pass_equal_to_the_batch_ones(tmp_path):
    tiny = backend(tmp_path, frozen=True)
    texts = ["dog bark", "metal door creak slowly"]
    joint, words = tiny.embed_text(texts), tiny.embed_words(texts)  # batches: a pass each, as before
    for i, text in enumerate(texts):
        np.testing.assert_allclose(tiny.embed_text([text])[0], joint[i], atol=1e-5)
        np.testing.assert_allclose(tiny.embed_words([text])[0], words[i], atol=1e-5)


def test_queries_in_bf16_match_fp32_and_leave_the_models_tower_alone(tmp_path):
    for frozen in (True, False):
        exact = backend(tmp_path, frozen)
        half = CacophonyBackend(exact.model, exact.tokenizer, "tiny", query_dtype=torch.bfloat16)
        texts = ["dog bark", "metal door creak slowly", "glass break"]
        for embed in ("embed_query", "embed_words"):
            queried = np.concatenate([getattr(half, embed)([t]) for t in texts])  # one text: the query tower
            reference = getattr(exact, embed)(texts)  # a batch: the model's own tower, fp32
            assert not np.array_equal(queried, reference)  # really computed in bf16 ...
            assert cosines(queried, reference).min() > 0.999, embed  # ... and as good as fp32 for ranking
        assert half._query_tower is not exact.model.text
        assert {p.dtype for p in half._query_tower.parameters()} == {torch.bfloat16}
        assert {p.dtype for p in exact.model.text.parameters()} == {torch.float32}  # captions, batches, training
        assert exact._query_tower is exact.model.text  # fp32 queries: no copy
    default = CacophonyBackend(exact.model, exact.tokenizer, "tiny")
    assert (default._query_tower is exact.model.text) != native_bf16("cpu")  # bf16 only where the CPU has it


def test_a_query_asked_for_by_two_searches_at_once_is_encoded_once(tmp_path, monkeypatch):
    tiny = backend(tmp_path, frozen=True)
    computed, real = [], tiny._joint_and_words

    def slow_pass(text):
        computed.append(text)
        time.sleep(0.3)  # long enough for the second thread to ask while the first computes
        return real(text)

    monkeypatch.setattr(tiny, "_joint_and_words", slow_pass)
    found = {}
    threads = [
        threading.Thread(target=lambda: found.setdefault("words", tiny.embed_words(["dog bark"]))),
        threading.Thread(target=lambda: found.setdefault("joint", tiny.embed_text(["dog bark"]))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert computed == ["dog bark"] and set(found) == {"words", "joint"}
    kept = found["words"].copy()
    found["words"][0, 0] = 99.0  # a caller's copy: changing it changes nothing kept
    np.testing.assert_array_equal(tiny.embed_words(["dog bark"]), kept)
    np.testing.assert_array_equal(tiny.embed_text(["dog bark"]), found["joint"])
    assert computed == ["dog bark"]
    tiny.embed_words(["dog bark", "door creak"])  # a batch is kept as a whole, not as these texts
    tiny.embed_words(["door creak"])
    assert computed == ["dog bark", "door creak"]
