"""LAION-CLAP through transformers' ``ClapModel``/``ClapProcessor`` (laion-clap.txt).

Two things the transformers API leaves to the caller, handled here:

* ``get_text_features``/``get_audio_features`` return a ``BaseModelOutputWithPooling``
  (transformers 5); the projected, normalised embedding is its ``pooler_output``.
* The feature extractor defaults to ``truncation="fusion"``, which only a checkpoint
  built with ``enable_fusion`` understands; unfused checkpoints need ``"rand_trunc"``.
  Both modes draw random numbers (random crops; fusion even marks a random short clip as
  "longer"), so the backend fixes ``is_longer`` itself and seeds the crops: the same
  audio always gives the same vector, which the index relies on.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from huggingface_hub import snapshot_download
from huggingface_hub.errors import LocalEntryNotFoundError
from huggingface_hub.utils import tqdm as hf_tqdm
from transformers import ClapModel, ClapProcessor

from engine.models.base import AudioTextModel, DownloadProgress, ModelInfo, l2_normalise
from engine.models.cacophony.text_tower import quiet_loading
from engine.models.folders import is_clap_folder

_HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.model"]  # configs, weights, tokenizer: never pickles
_CROP_SEED = 0
_NUMPY_RNG = threading.Lock()  # held while the feature extractor borrows numpy's global RNG


class ClapBackend(AudioTextModel):
    def __init__(self, model: ClapModel, processor: ClapProcessor, name: str, device: str = "cpu"):
        self.model = model.to(device).eval()
        self.processor = processor
        self.device = device
        self.fused = bool(model.config.audio_config.enable_fusion)
        self.truncation = "fusion" if self.fused else "rand_trunc"
        extractor = processor.feature_extractor
        self.max_samples = int(extractor.nb_max_samples)
        self.info = ModelInfo(
            name=name,
            backend="clap",
            embedding_dim=int(model.config.projection_dim),
            sample_rate=int(extractor.sampling_rate),
            window_seconds=float(extractor.max_length_s),
            can_caption=False,
        )

    @classmethod
    def from_folder(cls, folder: Path, name: str, device: str = "cpu") -> ClapBackend:
        """Load a saved ``ClapModel`` + ``ClapProcessor`` folder, never touching the network."""
        folder = Path(folder)
        if not is_clap_folder(folder):
            raise FileNotFoundError(f"{folder} is not a CLAP model folder (needs a config.json of model_type 'clap')")
        with quiet_loading():
            processor = ClapProcessor.from_pretrained(folder, local_files_only=True)
            model = ClapModel.from_pretrained(folder, local_files_only=True, use_safetensors=True)
        return cls(model, processor, name, device)

    @torch.inference_mode()
    def embed_text(self, texts: list[str]) -> np.ndarray:
        batch = self.processor.tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        output = self.model.get_text_features(
            input_ids=batch["input_ids"].to(self.device), attention_mask=batch["attention_mask"].to(self.device)
        )
        return l2_normalise(output.pooler_output.float().cpu().numpy())

    @torch.inference_mode()
    def embed_audio(self, clips: list[np.ndarray]) -> np.ndarray:
        # repeat-padding divides by the clip length, so silence stands in for an empty clip
        clips = [np.asarray(c, np.float32) if len(c) else np.zeros(1, np.float32) for c in clips]
        with _seeded_numpy(_CROP_SEED):
            features = self.processor.feature_extractor(
                clips,
                sampling_rate=self.info.sample_rate,
                truncation=self.truncation,
                padding="repeatpad",
                return_tensors="pt",
            )
        is_longer = torch.tensor([[len(c) > self.max_samples] for c in clips])
        output = self.model.get_audio_features(
            input_features=features["input_features"].to(self.device), is_longer=is_longer.to(self.device)
        )
        return l2_normalise(output.pooler_output.float().cpu().numpy())


def download_clap(repo_id: str, progress: DownloadProgress | None = None) -> Path:
    """A hub model's folder in huggingface_hub's cache, fetched the first time only.

    A cached model is read without asking the hub: behind a firewall, a VPN or a captive portal
    the hub can reset or hold a connection for a minute, and a model downloaded once is offline
    from then on (nor does the library's model change under it when the hub's copy does). The
    terminal gets huggingface_hub's own progress bar; ``progress`` additionally hears every byte
    count, for a GUI to draw its own.
    """
    try:
        return Path(snapshot_download(repo_id, allow_patterns=_HUB_FILES, local_files_only=True))
    except LocalEntryNotFoundError:  # not downloaded yet
        pass
    folder = snapshot_download(
        repo_id, allow_patterns=_HUB_FILES, tqdm_class=_reporting_tqdm(progress) if progress else None
    )
    return Path(folder)


def _reporting_tqdm(progress: DownloadProgress) -> type:
    """A huggingface_hub tqdm that also hands its counts to ``progress``.

    Counted here rather than read from ``self.n`` because a disabled bar (no terminal)
    stops counting, and a GUI still wants the numbers.
    """

    class ReportingTqdm(hf_tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._done = int(kwargs.get("initial") or 0)

        def update(self, n: int | float | None = 1):
            self._done += int(n or 0)
            progress(str(self.desc or ""), self._done, int(self.total) if self.total else None)
            return super().update(n)

    return ReportingTqdm


@contextmanager
def _seeded_numpy(seed: int):
    """transformers' CLAP feature extractor crops with the global numpy RNG; borrow it seeded,
    one thread at a time (an index run and a find-similar of an outside file embed at once: the
    other thread's seeding moved this one's crop, and the same file got another vector)."""
    with _NUMPY_RNG:
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(state)
