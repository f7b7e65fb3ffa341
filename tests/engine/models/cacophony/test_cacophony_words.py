"""Text-text embeddings: a frozen text tower's own bidirectional sentence embedding, else the joint one."""

from __future__ import annotations

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
