"""Embedding an evaluation set and scoring it, for any :class:`AudioTextModel` backend, plus a
fast path for the trainer's own Cacophony on cached log-mels (same model, no re-decoding)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from engine.models.base import AudioTextModel, l2_normalise
from engine.models.cacophony.model import Cacophony
from trainer.data.audio import AudioDecodeError, load_mono
from trainer.data.keywords import class_prompt
from trainer.data.manifest import Item
from trainer.data.melcache import MelSource
from trainer.evaluation.metrics import retrieval_metrics


def caption_table(items: Sequence[Item]) -> tuple[list[str], np.ndarray]:
    """All captions of the items, and for each the index of its audio."""
    texts, owners = [], []
    for index, item in enumerate(items):
        texts.extend(item.captions)
        owners.extend([index] * len(item.captions))
    return texts, np.array(owners, dtype=np.int64)


def _batched(embed: Callable[[list], np.ndarray], values: list, batch_size: int) -> np.ndarray:
    return np.concatenate([embed(values[i : i + batch_size]) for i in range(0, len(values), batch_size)])


def backend_audio_embeddings(model: AudioTextModel, items: Sequence[Item], batch_size: int = 8) -> np.ndarray:
    """Whole files at the model's rate: every backend sees the full audio (inference mode)."""
    sr = model.info.sample_rate
    return _batched(
        lambda paths: model.embed_audio([readable(p, lambda p=p: load_mono(p, sr)) for p in paths]),
        [item.audio for item in items],
        batch_size,
    )


def backend_retrieval(
    model: AudioTextModel, items: Sequence[Item], batch_size: int = 8
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(audio, text, owners, captions) of any backend on the items with captions: each item's
    whole audio, each caption embedded as a search query is (``embed_query``; unit length, so a2t
    compares captions fairly), the index of each caption's item, and the captions themselves."""
    items = [item for item in items if item.captions]
    if not items:
        raise ValueError("retrieval evaluation needs items with captions")
    texts, owners = caption_table(items)
    audio = backend_audio_embeddings(model, items, batch_size)
    text = l2_normalise(_batched(model.embed_query, texts, 64))
    return audio, text, owners, texts


def evaluate_backend(model: AudioTextModel, items: Sequence[Item], batch_size: int = 8) -> dict[str, float]:
    """t2a / a2t R@1/5/10 and mAP@10 of any backend on items with captions (:func:`backend_retrieval`)."""
    audio, text, owners, _ = backend_retrieval(model, items, batch_size)
    return retrieval_metrics(audio, text, owners)


def zero_shot_accuracy(
    model: AudioTextModel, items: Sequence[Item], labels: Sequence[str] | None = None, batch_size: int = 8
) -> dict[str, float]:
    """Classification by the nearest class-name prompt ("The sound of <label>."). Each item's
    class is its first tag; ``labels`` defaults to every class present."""
    items = [item for item in items if item.tags]
    if not items:
        raise ValueError("zero-shot evaluation needs items whose first tag is their class label")
    labels = sorted({item.tags[0] for item in items}) if labels is None else list(labels)
    index = {label: i for i, label in enumerate(labels)}
    truth = np.array([index[item.tags[0]] for item in items])
    audio = backend_audio_embeddings(model, items, batch_size)
    prompts = model.embed_text([class_prompt(label) for label in labels])
    predicted = (audio @ prompts.T).argmax(axis=1)
    return {"zero_shot/accuracy": float(np.mean(predicted == truth)), "zero_shot/classes": float(len(labels))}


@torch.no_grad()
def evaluate_cacophony_on_mels(
    model: Cacophony, tokenizer, items: Sequence[Item], mels: MelSource, device: torch.device, batch_size: int = 16
) -> dict[str, float]:
    """The training-time evaluation: whole cached log-mels through the model in eval mode. A clip
    over 8 training windows is patch-sampled to that (a fixed draw), as the paper does for
    audio that would not fit in memory (cacophony.txt §III-B)."""
    items = [item for item in items if item.captions]
    was_training = model.training
    model.eval()
    audio = []
    for start in range(0, len(items), batch_size):
        chunk = [
            torch.from_numpy(readable(item.audio, lambda a=item.audio: np.asarray(mels.full(a), dtype=np.float32)))
            for item in items[start : start + batch_size]
        ]
        frames = torch.tensor([len(m) for m in chunk])
        mel = torch.nn.utils.rnn.pad_sequence(chunk, batch_first=True)
        embedding, _, _ = model.embed_mel(
            mel.to(device),
            frames.to(device),
            max_patches=8 * model.cfg.train_patches,
            generator=torch.Generator(device).manual_seed(start),
        )
        audio.append(embedding.float().cpu().numpy())
    texts, owners = caption_table(items)
    text = []
    for start in range(0, len(texts), 64):
        tokens = tokenizer(
            texts[start : start + 64],
            padding=True,
            truncation=True,
            max_length=model.cfg.max_text_tokens,
            return_tensors="pt",
        )
        embedding, _, _ = model.embed_text(tokens["input_ids"].to(device), tokens["attention_mask"].to(device))
        text.append(embedding.float().cpu().numpy())
    model.train(was_training)
    return retrieval_metrics(np.concatenate(audio), np.concatenate(text), owners)


def readable(audio: Path, read: Callable[[], np.ndarray]) -> np.ndarray:
    """``read()`` of an evaluation clip; one that cannot be read (deleted, its drive unplugged)
    stops the evaluation naming it: leaving it out would change what every score is compared with."""
    try:
        return read()
    except (AudioDecodeError, OSError) as error:
        raise RuntimeError(f"evaluation file {audio} cannot be read: {error}") from error
