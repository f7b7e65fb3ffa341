"""The exemplar bank: a query's words find the clips whose captions say the same, and what aiSFX
heard in them, weighed by how near each caption is, is the query as a sound. Captions here are
axes of a small words space, so which clips are nearest, and by how much, is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models.base import l2_normalise
from engine.models.cacophony.exemplars import ExemplarConfig, Exemplars

WORDS = np.eye(4, dtype=np.float32)  # caption vectors: "dog", "bark", "rain", "wind"


def likeness(clips: int, seed: int = 0) -> np.ndarray:
    return l2_normalise(np.random.default_rng(seed).standard_normal((clips, 6)))


def one_caption_each(config: ExemplarConfig, clips: int = 3) -> Exemplars:
    """Clip i captioned with caption i alone."""
    return Exemplars(WORDS[:clips], np.arange(clips), np.arange(clips), likeness(clips), config)


def test_a_query_saying_one_caption_is_the_sound_of_its_clip():
    config = ExemplarConfig(nearest=1, temperature=0.1, weight=1.0)
    bank = one_caption_each(config)
    np.testing.assert_allclose(bank.query(WORDS[1]), bank.likeness[[1]], atol=1e-6)
    # a small temperature leaves the other clips nothing, however many are taken
    sharp = one_caption_each(ExemplarConfig(nearest=3, temperature=0.01))
    np.testing.assert_allclose(sharp.query(WORDS[[2, 0]]), sharp.likeness[[2, 0]], atol=1e-6)


def test_the_nearest_clips_are_weighed_by_the_softmax_of_their_cosines_over_the_temperature():
    bank = one_caption_each(ExemplarConfig(nearest=2, temperature=0.1))
    query = l2_normalise(np.array([2.0, 1.0, 0.0, 0.0]))  # cosines 0.894, 0.447, 0
    cosines = query @ WORDS[:2].T
    expected = np.exp((cosines - cosines.max()) / 0.1) @ bank.likeness[:2]  # the third clip is not among the 2
    np.testing.assert_allclose(bank.query(query)[0], expected / np.linalg.norm(expected), atol=1e-6)


def test_a_clip_is_as_near_as_its_nearest_caption_and_a_shared_caption_counts_for_each_clip():
    """Clip 0 is "dog" and "bark", clip 1 has no caption (it never sounds), clip 2 "rain", clip 3
    "bark" too: "bark" is as near clips 0 and 3, "dog" only clip 0, and "dog bark" clips 0 and 3 alike."""
    sounds = likeness(4, seed=1)
    bank = Exemplars(WORDS, np.array([0, 1, 2, 1]), np.array([0, 0, 2, 3]), sounds, ExemplarConfig(2, 0.01))
    bark, dog, rain, both = bank.query(np.vstack([WORDS[[1, 0, 2]], l2_normalise(WORDS[0] + WORDS[1])]))
    np.testing.assert_allclose(bark, l2_normalise(sounds[0] + sounds[3]), atol=1e-6)
    np.testing.assert_allclose(both, l2_normalise(sounds[0] + sounds[3]), atol=1e-6)  # its two are not added up
    np.testing.assert_allclose(dog, sounds[0], atol=1e-6)  # clip 0 by its first caption, far ahead of the rest
    np.testing.assert_allclose(rain, sounds[2], atol=1e-6)  # clip 2's, not the uncaptioned clip 1's


def test_asking_for_more_clips_than_the_bank_holds_weighs_them_all():
    bank = one_caption_each(ExemplarConfig(nearest=50, temperature=1.0))
    query = l2_normalise(np.array([1.0, 1.0, 0.0, 0.0]))
    expected = np.exp(query @ WORDS[:3].T - 1 / np.sqrt(2)) @ bank.likeness
    np.testing.assert_allclose(bank.query(query)[0], expected / np.linalg.norm(expected), atol=1e-6)


def test_the_weight_is_the_length_of_the_sound_and_leaves_its_direction():
    """A dot product with a unit likeness window is what it adds to the window's audio-text score."""
    queries = l2_normalise(np.array([[1.0, 0.5, 0.0, 0.0], [0.0, 0.2, 1.0, 0.3]]))
    whole = one_caption_each(ExemplarConfig(nearest=3, weight=1.0), clips=4).query(queries)
    half = one_caption_each(ExemplarConfig(nearest=3, weight=0.5), clips=4).query(queries)
    np.testing.assert_allclose(np.linalg.norm(half, axis=1), [0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(half, 0.5 * whole, atol=1e-6)


def test_a_saved_bank_loads_with_its_config_and_hears_queries_alike(tmp_path):
    rng = np.random.default_rng(2)
    captions = l2_normalise(rng.standard_normal((7, 16)))
    caption_row = np.array([0, 1, 2, 2, 3, 4, 5, 6, 1])  # caption 2 of two clips, caption 1 of two
    clip_of = np.array([0, 0, 1, 3, 4, 4, 4, 6, 7])  # clips 2 and 5 have no caption
    config = ExemplarConfig(nearest=3, temperature=0.2, weight=0.7)
    bank = Exemplars(captions, caption_row, clip_of, likeness(8, seed=3), config)
    bank.save(tmp_path / "exemplars.safetensors")
    loaded = Exemplars.load(tmp_path / "exemplars.safetensors")
    assert loaded.config == config
    np.testing.assert_array_equal(loaded.caption_row, caption_row)
    np.testing.assert_array_equal(loaded.clips, bank.clips)
    np.testing.assert_array_equal(loaded.first_caption, bank.first_caption)
    np.testing.assert_allclose(loaded.captions, bank.captions, atol=1e-3)  # stored in fp16
    np.testing.assert_allclose(loaded.likeness, bank.likeness, atol=1e-3)
    queries = l2_normalise(rng.standard_normal((5, 16)))
    np.testing.assert_allclose(loaded.query(queries), bank.query(queries), atol=5e-3)


@pytest.mark.parametrize(
    "caption_row, clip_of, refused",
    [
        ([0, 1, 2], [0, 2, 1], "sorted by clip"),
        ([0, 1, 2], [0, 1, 3], "does not hold"),  # the bank holds clips 0-2
        ([0, 1, 4], [0, 1, 2], "does not hold"),  # and captions 0-3
        ([0, 1], [0, 1, 2], "one clip for each"),
        ([], [], "at least one"),
    ],
)
def test_a_bank_whose_captions_do_not_fit_its_clips_is_refused(caption_row, clip_of, refused):
    with pytest.raises(ValueError, match=refused):
        Exemplars(WORDS, np.array(caption_row, np.int64), np.array(clip_of, np.int64), likeness(3))
