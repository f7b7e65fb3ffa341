"""Text-text embeddings: a frozen text tower's own bidirectional sentence embedding, else the joint one."""

from __future__ import annotations

import threading
import time

import numpy as np
import torch

from engine.models.cacophony.backend import CacophonyBackend
from tests.factories import make_tiny_cacophony


def backend(tmp_path, frozen: bool) -> CacophonyBackend:
    model, tokenizer = make_tiny_cacophony(tmp_path / ("frozen" if frozen else "trained"), text_frozen=frozen)
    return CacophonyBackend(model, tokenizer, "tiny")


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


def test_a_query_asked_for_by_two_searches_at_once_is_encoded_once(tmp_path, monkeypatch):
    tiny = backend(tmp_path, frozen=True)
    computed, real = [], tiny._words

    def slow_words(texts):
        computed.append(list(texts))
        time.sleep(0.3)  # long enough for the second thread to ask while the first computes
        return real(texts)

    monkeypatch.setattr(tiny, "_words", slow_words)
    found = []
    threads = [threading.Thread(target=lambda: found.append(tiny.embed_words(["dog bark"]))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert computed == [["dog bark"]] and len(found) == 2
    np.testing.assert_array_equal(found[0], found[1])
    found[0][0, 0] = 99.0  # a caller's copy: changing it changes nothing kept
    np.testing.assert_array_equal(tiny.embed_words(["dog bark"]), found[1])
    assert computed == [["dog bark"]]
    tiny.embed_words(["dog bark", "door creak"])  # a batch (names being indexed) is not kept
    tiny.embed_words(["door creak"])
    assert computed == [["dog bark"], ["dog bark", "door creak"], ["door creak"]]
