"""The UCS bridge: aiSFX's Soundly head heard at 44.1 kHz, and a backend whose one dot product
weighs the joint space and the bridge as told."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torchaudio

from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.ucs_bridge import CLASSES_FILE, SAMPLE_RATE, AisfxHead, WordsHead
from tests.factories import bridged_checkpoint


@pytest.fixture(scope="module")
def head() -> AisfxHead:
    return AisfxHead()


def burst(seconds: float, seed: int, rate: int = SAMPLE_RATE) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    return (rng.standard_normal(n) * np.exp(-np.linspace(0, 4, n)) * 0.5).astype(np.float32)


def test_head_gives_a_distribution_per_clip_whatever_it_is_batched_with(head):
    assert not any(p.requires_grad for p in head.parameters())
    short, long = burst(4.0, 0), burst(12.0, 1)  # the short one longer than a block: no block padding
    wave = torch.zeros(2, len(long))
    wave[0, : len(short)], wave[1] = torch.from_numpy(short), torch.from_numpy(long)
    batched = head(wave, torch.tensor([len(short), len(long)]))
    alone = head(torch.from_numpy(short)[None], torch.tensor([len(short)]))
    assert batched.shape == (2, head.classes) and head.classes == 79  # the Soundly head
    torch.testing.assert_close(batched.sum(1), torch.ones(2))
    torch.testing.assert_close(batched[0], alone[0], atol=1e-4, rtol=0)
    blip = head(torch.full((1, 100), 0.1), torch.tensor([100]))  # 2 ms: still one block
    assert torch.isfinite(blip).all() and float(blip.sum()) == pytest.approx(1.0, abs=1e-5)


@pytest.fixture(scope="module")
def bridged(tiny_checkpoint, tmp_path_factory):
    """The tiny checkpoint with a UCS bridge of weight 0.3, and without."""
    folder = bridged_checkpoint(tiny_checkpoint, tmp_path_factory.mktemp("bridged") / "tiny-ucs", weight=0.3)
    return CacophonyBackend.from_checkpoint(folder), CacophonyBackend.from_checkpoint(tiny_checkpoint)


def test_a_bridged_backend_weighs_the_joint_space_and_the_bridge_in_one_dot_product(bridged):
    backend, plain = bridged
    words_dim = backend.embed_words(["x"]).shape[1]
    assert backend.info.sample_rate == SAMPLE_RATE and plain.info.sample_rate == plain.model.cfg.sample_rate
    assert backend.info.embedding_dim == plain.info.embedding_dim + words_dim
    clips = [burst(1.5, 2), burst(11.0, 3)]
    audio, text = backend.embed_audio(clips), backend.embed_text(["glass breaking", "a dog barking"])
    assert audio.shape == (2, backend.info.embedding_dim) == text.shape
    np.testing.assert_allclose(np.linalg.norm(audio, axis=1), 1, atol=1e-4)

    # The joint part is the plain model's on the same clips heard at its own rate.
    rate = plain.info.sample_rate
    joint = plain.embed_audio(
        [torchaudio.functional.resample(torch.from_numpy(c), SAMPLE_RATE, rate).numpy() for c in clips]
    )
    joint_dim = plain.info.embedding_dim
    np.testing.assert_allclose(audio[:, :joint_dim] / np.sqrt(0.7), joint, atol=2e-2)
    # and one dot product is 0.7 x the joint score + 0.3 x the bridge's
    bridge = audio[:, joint_dim:] / np.sqrt(0.3)
    words = backend.embed_words(["glass breaking", "a dog barking"])
    np.testing.assert_allclose(
        audio @ text.T,
        0.7 * (joint @ plain.embed_text(["glass breaking", "a dog barking"]).T) + 0.3 * (bridge @ words.T),
        atol=2e-2,
    )


def test_text_and_words_together_are_each_as_asked_alone(bridged):
    """A vocabulary's prompts are embedded both ways in one call, whose bridged backend makes the
    words once; with a bridge or without, each part is what its own method gives."""
    texts = ["glass breaking", "a dog barking", "rain on a tin roof"]
    for model in bridged:
        text, words = model.embed_text_and_words(texts)
        np.testing.assert_allclose(text, model.embed_text(texts), atol=1e-6)
        np.testing.assert_allclose(words, model.embed_words(texts), atol=1e-6)


def test_a_text_near_a_category_name_weighs_the_bridge_by_its_own_share(tiny_checkpoint, tmp_path):
    folder = bridged_checkpoint(tiny_checkpoint, tmp_path / "gated", weight=0.6)
    classes = json.loads((folder / CLASSES_FILE).read_text())
    classes["query_shares"] = {"threshold": 0.99, "below": 0.2, "above": 0.8}
    (folder / CLASSES_FILE).write_text(json.dumps(classes))
    backend = CacophonyBackend.from_checkpoint(folder)
    texts = ["doors", "a woman speaking french"]  # a UCS category's own name, and no category
    joint, words = backend.text_parts(texts)
    nearness = backend.bridge.nearness(words)
    assert nearness[0] == pytest.approx(1.0, abs=1e-4) and nearness[1] < 0.99
    clips = [burst(1.5, 4), burst(3.0, 5)]
    audio, text = backend.embed_audio(clips), backend.embed_query(texts)
    joint_dim = joint.shape[1]
    audio_joint, audio_bridge = audio[:, :joint_dim] / np.sqrt(0.4), audio[:, joint_dim:] / np.sqrt(0.6)
    for row, share in ((0, 0.8), (1, 0.2)):  # one dot product: (1 - s) x joint + s x bridge, s the text's
        expected = (1 - share) * audio_joint @ joint[row] + share * audio_bridge @ words[row]
        np.testing.assert_allclose(audio @ text[row], expected, atol=1e-4)
    # a caption or a tag's prompt (embed_text), and a query without query shares, weigh them as the audio does
    plain = CacophonyBackend.from_checkpoint(bridged_checkpoint(tiny_checkpoint, tmp_path / "plain", weight=0.6))
    for as_audio in (backend.embed_text(texts), plain.embed_query(texts)):
        np.testing.assert_allclose(as_audio[:, joint_dim:], np.sqrt(0.6) * words, atol=1e-5)
        np.testing.assert_allclose(as_audio[:, :joint_dim], np.sqrt(0.4) * joint, atol=1e-5)


def test_how_the_features_move_in_time_is_the_clips_own_whatever_it_is_batched_with(head):
    """The mean and spread over a clip's own frames (padding never counts), beside what
    :meth:`AisfxHead.heard` gives from the same pass; a steady sound and a swelling one differ."""
    short, long = burst(4.0, 2), burst(9.0, 3)  # the short one longer than a block: no block padding
    wave = torch.zeros(2, len(long))
    wave[0, : len(short)], wave[1] = torch.from_numpy(short), torch.from_numpy(long)
    lengths = torch.tensor([len(short), len(long)])
    probabilities, features, in_time = head.heard_in_time(wave, lengths)
    torch.testing.assert_close((probabilities, features), head.heard(wave, lengths))
    alone = head.heard_in_time(torch.from_numpy(short)[None], lengths[:1])[2]
    assert in_time.shape == (2, 1024)
    torch.testing.assert_close(in_time[0], alone[0], atol=1e-4, rtol=0)  # to the clip's last frame
    trunk, valid = head.trunk(wave, lengths)
    own = head.front.top(trunk)[1, valid[1]]
    torch.testing.assert_close(in_time[1, :512], own.mean(0) / own.mean(0).norm(), atol=1e-4, rtol=0)
    t = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    steady = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    swelling = (steady * np.exp(-(((t - 1.5) / 0.3) ** 2))).astype(np.float32)
    moving = [head.heard_in_time(torch.from_numpy(c)[None], torch.tensor([len(c)]))[2][0] for c in (steady, swelling)]
    assert float(moving[0][:512] @ moving[1][:512]) > float(moving[0][512:] @ moving[1][512:])


def test_a_words_head_reads_the_movement_in_time_only_when_trained_on_it():
    torch.manual_seed(0)
    likeness, in_time = torch.randn(3, 512), torch.randn(3, 1024)
    plain = WordsHead(torch.randn(8, 512), torch.zeros(8), torch.zeros(512))  # a head from before
    assert not plain.in_time
    torch.testing.assert_close(plain(likeness), plain(likeness, in_time))
    timed = WordsHead(torch.randn(8, 1536), torch.zeros(8), torch.zeros(512))
    assert timed.in_time and timed(likeness, in_time).shape == (3, 8)
    assert not torch.allclose(timed(likeness, in_time), timed(likeness, -in_time))
    with pytest.raises(ValueError, match="movement in time"):
        timed(likeness)


def test_a_clips_vectors_are_its_own_whatever_it_is_embedded_beside(bridged):
    """The indexer batches windows across files: a 4 s file beside a 12 s one (its padding then
    silence the STFT frames past its end would hear) gets the vectors it gets alone."""
    backend, _ = bridged
    clip, longer = burst(4.0, 8), burst(12.0, 9)
    alone_audio, alone_likeness = backend.embed_audio_and_likeness([clip])
    audio, likeness = backend.embed_audio_and_likeness([clip, longer])
    np.testing.assert_allclose(audio[0], alone_audio[0], atol=1e-5)
    np.testing.assert_allclose(likeness[0], alone_likeness[0], atol=1e-5)


def test_a_bridged_backend_gives_the_aisfx_features_as_its_likeness_from_the_same_pass(bridged, head):
    backend, plain = bridged
    assert backend.info.likeness is not None and plain.info.likeness is None
    clips = [burst(1.5, 6), burst(11.0, 7), np.zeros(SAMPLE_RATE, np.float32) + 1e-4]
    audio, likeness = backend.embed_audio_and_likeness(clips)
    np.testing.assert_allclose(audio, backend.embed_audio(clips), atol=1e-5)
    assert likeness.shape == (3, 512) and likeness.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(likeness, axis=1), 1, atol=1e-5)
    for clip, row in zip(clips, likeness, strict=True):  # each clip's own mean block features
        _, features = head.heard(torch.from_numpy(clip)[None], torch.tensor([len(clip)]))
        np.testing.assert_allclose(row, (features / features.norm())[0].numpy(), atol=0.02)
    assert plain.embed_audio_and_likeness(clips[:1])[1] is None
    # a score of 0 for unrelated sounds (the space's median pair), 100 for the same one
    space = backend.info.likeness
    assert space.match(1.0) == 100.0 and space.match(space.unrelated) == 0.0 == space.match(0.1)
    assert space.match((1.0 + space.unrelated) / 2) == pytest.approx(50.0)
