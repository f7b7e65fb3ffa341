"""ClapBackend on a tiny random CLAP saved to disk; the hub is faked only at snapshot_download."""

from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest
from huggingface_hub.errors import LocalEntryNotFoundError

from engine.models import clap
from engine.models.registry import ModelLoadError, load_model
from tests.factories import noise, tone


def clips(sr=48_000):
    return [tone(440, 1.0, sr), noise(3.0, sr, seed=1), tone(220, 12.0, sr)]  # the last is longer than the 10 s window


def test_text_and_audio_embeddings_share_a_normalised_space(tiny_clap):
    model = load_model(f"clap:{tiny_clap}")
    assert model.info.backend == "clap" and model.info.sample_rate == 48_000 and model.info.window_seconds == 10
    assert model.truncation == "rand_trunc"
    audio = model.embed_audio(clips())
    text = model.embed_text(["dog bark", "a slow wooden door creak in the rain"])
    assert audio.shape == (3, model.info.embedding_dim) and text.shape == (2, model.info.embedding_dim)
    assert model.info.embedding_dim == 12
    np.testing.assert_allclose(np.linalg.norm(audio, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(text, axis=1), 1, atol=1e-5)
    assert not np.allclose(audio[0], audio[1])


def test_same_audio_gives_the_same_vector_whatever_the_batch(tiny_clap):
    model = load_model(f"clap:{tiny_clap}")
    a = clips()
    first = model.embed_audio(a)
    again = model.embed_audio([a[2], a[0]])
    np.testing.assert_allclose(first[[2, 0]], again, atol=1e-5)  # the long clip's crop is seeded too
    np.testing.assert_allclose(model.embed_text(["dog bark"]), model.embed_text(["dog bark", "click"])[:1], atol=1e-5)


def test_a_long_clip_embeds_the_same_while_other_threads_embed_too(tiny_clap):
    model = load_model(f"clap:{tiny_clap}")
    long = [noise(14.0, 48_000, seed=3)]  # cropped at random (seeded) to the 10 s window
    alone = model.embed_audio(long)
    together: list[np.ndarray] = []

    def embed() -> None:
        together.extend(model.embed_audio(long) for _ in range(20))

    threads = [threading.Thread(target=embed) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(together) == 60
    for vector in together:
        np.testing.assert_allclose(vector, alone, atol=1e-5)


@pytest.mark.slow
def test_fused_checkpoint_uses_fusion_and_stays_deterministic(tiny_fused_clap):
    """The extractor marks a random short clip as 'longer' under fusion; the backend must not let it."""
    model = load_model(f"clap:{tiny_fused_clap}")
    assert model.fused and model.truncation == "fusion"
    short = [tone(440, 1.0, 48_000), tone(880, 1.0, 48_000)]  # all short: the extractor's random pick applies
    runs = [model.embed_audio(short) for _ in range(6)]
    for run in runs[1:]:
        np.testing.assert_allclose(runs[0], run, atol=1e-5)
    np.testing.assert_allclose(runs[0][:1], model.embed_audio(short[:1]), atol=1e-5)
    long = [tone(220, 25.0, 48_000)]  # fused from random crops
    np.testing.assert_allclose(model.embed_audio(long), model.embed_audio(long), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(runs[0], axis=1), 1, atol=1e-5)


def test_empty_clip_embeds_as_silence(tiny_clap):
    model = load_model(f"clap:{tiny_clap}")
    out = model.embed_audio([np.zeros(0, np.float32), np.zeros(100, np.float32)])
    assert out.shape == (2, 12) and np.isfinite(out).all()


def test_hub_id_downloads_with_progress(tiny_clap, tmp_path, monkeypatch):
    calls = {}

    def fake_snapshot_download(repo_id, allow_patterns=None, tqdm_class=None, local_files_only=False):
        if local_files_only:
            raise LocalEntryNotFoundError("not in the cache")  # the first time: downloaded
        calls.update(repo_id=repo_id, allow_patterns=allow_patterns)
        bar = tqdm_class(total=1000, initial=0, unit="B", desc="Downloading", name="huggingface_hub.snapshot_download")
        bar.update(600)
        bar.update(400)
        bar.close()
        target = tmp_path / "hub-cache" / repo_id.replace("/", "--")
        shutil.copytree(tiny_clap, target)
        return str(target)

    monkeypatch.setattr(clap, "snapshot_download", fake_snapshot_download)
    reports = []
    model = load_model("clap:laion/fake-clap", progress=lambda what, done, total: reports.append((done, total)))
    assert calls["repo_id"] == "laion/fake-clap"
    assert not any(p.endswith((".bin", ".pt", ".ckpt")) for p in calls["allow_patterns"])
    assert reports == [(600, 1000), (1000, 1000)]
    assert model.info.name.startswith("clap_laion_fake_clap_")
    assert model.embed_text(["bell"]).shape == (1, 12)


def test_a_cached_hub_model_loads_without_asking_the_hub(tiny_clap, tmp_path, monkeypatch):
    """Behind a firewall the hub resets the connection (or holds it for a minute): a model
    downloaded once must not need it."""
    cached = shutil.copytree(tiny_clap, tmp_path / "hub-cache" / "laion--fake-clap")

    def hub(repo_id, allow_patterns=None, tqdm_class=None, local_files_only=False):
        if local_files_only:
            return str(cached)
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(clap, "snapshot_download", hub)
    assert load_model("clap:laion/fake-clap").embed_text(["bell"]).shape == (1, 12)


def test_unreachable_hub_says_how_to_work_offline(monkeypatch):
    def offline(*args, local_files_only=False, **kwargs):
        if local_files_only:
            raise LocalEntryNotFoundError("not in the cache")
        raise ConnectionError("offline mode is enabled")

    monkeypatch.setattr(clap, "snapshot_download", offline)
    with pytest.raises(ModelLoadError, match="clap:FOLDER"):
        load_model("clap:laion/not-cached")


def test_clap_prefix_needs_a_folder_or_hub_id(tmp_path):
    with pytest.raises(ModelLoadError, match="not a hub id"):
        load_model(f"clap:{tmp_path / 'missing' / 'deeper' / 'x'}")
    (tmp_path / "not-clap").mkdir()
    with pytest.raises(ModelLoadError, match="does not hold a CLAP model"):
        load_model(f"clap:{tmp_path / 'not-clap'}")
