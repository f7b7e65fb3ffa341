"""A zero-shot bridge from sound to words through the UCS categories that aiSFX hears.

The aiSFX CNN (:mod:`engine.models.cacophony.aisfx_front`) was trained with classifier heads on
professional libraries' UCS categories (Pro Sound Effects, Soundly, ...). Those heads hear
everyday sound effects far better than a model trained on ten thousand game sounds (docs/builtin-model.md,
"The UCS bridge": with it the builtin model names the UCS category of unseen sounds first for
21.7 % of files instead of 11.7 %). The package ships the heads without their class
names; ``trainer.ucs_heads`` recovers them (classes in alphabetical order with the categories a
dataset lacks left out, aligned on labelled training sounds) into the checkpoint's
``ucs-classes.json``.

The bridge turns a clip into the expected text of its category: ``P(category | clip)`` times
the categories' names embedded in the words space (the frozen MiniLM's own sentence
embedding, :meth:`CacophonyBackend.embed_words`), so a query's words meet it there. The
backend concatenates it with the trained joint embedding, each scaled by the square root of its
share, so one dot product is ``(1 - w) * joint + w * bridge`` and the index, the ANN and every
caller stay as they are.

A text may weigh the two by a share of its own (:class:`QueryShares`), since only the query
side of the dot product needs to change: a query whose words are near a UCS category name
("door opening") asks what the professional-library classifier hears, one that names none
("a woman speaking French", "sine sweep") what the trained model learnt.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

from engine.models.cacophony.aisfx_front import DIM, N_MELS, SOURCE_RATE, AisfxFrontEnd, load_aisfx_weights
from engine.models.folders import CLASSES_FILE
from engine.words import words

SAMPLE_RATE = SOURCE_RATE  # 44.1 kHz: the heads hear what lies above 8 kHz
# Of the package's nine heads, the one whose aligned classes named the training sounds' categories
# best while this was built (top-1 0.32, against 0.11 and 0.20 for the Pro Sound Effects and mixed-UCS heads).
HEAD = "soundlyTrain"
BLOCK_FRAMES = 100  # the package classifies blocks of 100 frames (2.3 s)
BLOCK_STEPS = 12  # a block in the CNN's 8-frame steps (its last 4 frames fall to the pooling's floor)
BLOCK_HOP = 6  # half a block, as the package's own inference hops


def load_classes(folder: Path) -> dict:
    """``{"head": name, "classes": [UCS category of each class], "weight": share}`` of a checkpoint,
    and, when measured, ``"query_shares"`` (:class:`QueryShares`' fields) and, with a words head
    (``WORDS_HEAD_FILE``), ``"words_head_share"``."""
    return json.loads((Path(folder) / CLASSES_FILE).read_text(encoding="utf-8"))


def side_by_side(joint: np.ndarray, bridge: np.ndarray, share: float) -> np.ndarray:
    """Joint and bridge vectors, (n, d) and (n, d'), scaled by the square roots of ``1 - share``
    and ``share``: one dot product of two such vectors is ``(1 - share) * joint + share * bridge``."""
    return np.concatenate([math.sqrt(1.0 - share) * joint, math.sqrt(share) * bridge], axis=-1)  # keeps float32


def query_side(joint: np.ndarray, words: np.ndarray, audio_share: float, shares: np.ndarray) -> np.ndarray:
    """Text vectors whose dot product with audio made by :func:`side_by_side` at ``audio_share``
    (0 < s < 1) weighs the bridge by each text's own ``shares``, (n,)."""
    scale = (1.0 - shares) / np.sqrt(1.0 - audio_share), shares / np.sqrt(audio_share)
    return np.concatenate([scale[0][:, None] * joint, scale[1][:, None] * words], axis=-1)


@dataclass(frozen=True)
class QueryShares:
    """The bridge's share for a query: ``above`` when the cosine of its words embedding with some
    UCS category name's is at least ``threshold``, else ``below`` (docs/builtin-model.md, "The UCS bridge")."""

    threshold: float
    below: float
    above: float

    def of(self, nearness: np.ndarray) -> np.ndarray:
        """Each text's share, from its best cosine to a category name, (texts,)."""
        return np.where(nearness >= self.threshold, self.above, self.below)


class AisfxHead(nn.Module):
    """44.1 kHz waves (B, S) with lengths -> class probabilities (B, classes) of one aiSFX head,
    averaged over the clip's 2.3 s blocks as the package classifies."""

    def __init__(self, head: str = HEAD, sample_rate: int = SAMPLE_RATE):
        super().__init__()
        # All 96 bands at the package's own rate: the features the heads learnt from. (Measured while
        # building this: from 16 kHz audio, silent above 8 kHz, the Soundly head's top class changed
        # for a third of unseen sounds, and search by it alone fell from mAP@10 0.049 to 0.022.)
        self.front = AisfxFrontEnd(sample_rate, bands=N_MELS)
        weights, datasets = load_aisfx_weights()
        if head not in datasets:
            raise ValueError(f"aiSFX has no head {head!r}; it has {', '.join(sorted(datasets))}")
        prefix = f"fc.{int(datasets[head][0])}."
        self.classes = int(datasets[head][1])
        self.mlp = nn.Sequential(
            nn.Linear(DIM, DIM // 2),
            nn.ReLU(),
            nn.Linear(DIM // 2, DIM // 4),
            nn.ReLU(),
            nn.Linear(DIM // 4, self.classes),
        )
        self.mlp.load_state_dict({k.removeprefix(prefix): v for k, v in weights.items() if k.startswith(prefix)})
        self.requires_grad_(False)

    def forward(self, wave: torch.Tensor, num_samples: torch.Tensor) -> torch.Tensor:
        return self.heard(wave, num_samples)[0]

    def heard(self, wave: torch.Tensor, num_samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Class probabilities (B, classes) and the clip's mean block features (B, 512), from one
        pass: the features are what the heads classify, and a sound-to-sound space of their own
        (find similar: ``python -m bench.ood similar``)."""
        probabilities, features, _ = self.heard_in_time(wave, num_samples)
        return probabilities, features

    def heard_in_time(
        self, wave: torch.Tensor, num_samples: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """:meth:`heard`, and how the features move in time: the mean and the standard deviation
        over the clip's frames, each L2-normalised, (B, 1024), for the words head (max-pooled
        blocks keep each feature's peak, not the swell of a whoosh or the flicker of a fire)."""
        return self.heard_from(*self.trunk(wave, num_samples))

    def heard_from(
        self, trunk: torch.Tensor, valid: torch.Tensor, top: nn.Module | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """:meth:`heard_in_time` of :meth:`trunk`'s output, through the network's last block or
        ``top``, a tuned copy of it (``WordsHead.top``). As the package classifies, blocks of
        :data:`BLOCK_STEPS` frames are max-pooled and a partial last block is dropped unless it
        is the only one."""
        features = self.front.top(trunk, top)
        blocks = features.unfold(1, BLOCK_STEPS, BLOCK_HOP).amax(dim=-1)
        ends = torch.arange(blocks.shape[1], device=features.device) * BLOCK_HOP + BLOCK_STEPS
        counted = (ends[None] <= valid.sum(1, keepdim=True)).to(features.dtype)  # whole blocks of the clip
        probabilities = _mean_over(torch.softmax(self.mlp(blocks), dim=-1), counted)
        own = valid.to(features.dtype)
        mean = _mean_over(features, own)
        # clamped: a feature flat over the clip (often 0 after the ReLU) has no finite gradient at 0
        spread = _mean_over((features - mean[:, None]) ** 2, own).clamp_min(1e-12).sqrt()
        in_time = torch.cat([F.normalize(mean, dim=-1), F.normalize(spread, dim=-1)], dim=-1)
        return probabilities, _mean_over(blocks, counted), in_time

    def trunk(self, wave: torch.Tensor, num_samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The network's first three blocks' output and its valid steps (``AisfxFrontEnd.trunk``),
        as the package classifies: a clip shorter than a block is one block padded with silence
        (what the heads learnt short sounds as; masking the silence away instead cost a fifth of
        the bridge's mAP@10)."""
        block_samples = BLOCK_FRAMES * self.front.hop
        if wave.shape[1] < block_samples:
            wave = F.pad(wave, (0, block_samples - wave.shape[1]))
        return self.front.trunk(wave, num_samples.clamp(min=block_samples))


def mix_words(categories, heard, share: float):
    """The bridge vector: the categories' and the words head's words vectors, (n, d) tensors or
    arrays, weighed ``1 - share`` and ``share`` and L2-normalised."""
    mixed = (1.0 - share) * categories + share * heard
    if isinstance(mixed, torch.Tensor):
        return F.normalize(mixed, dim=-1)
    return mixed / np.linalg.norm(mixed, axis=-1, keepdims=True)


def _mean_over(values: torch.Tensor, counted: torch.Tensor) -> torch.Tensor:
    """(B, n, d) averaged over the n (blocks or frames) that count, (B, d)."""
    return (values * counted[..., None]).sum(1) / counted.sum(1, keepdim=True)


class WordsHead(nn.Module):
    """Likeness vectors (B, 512), and with a head trained on them how the features move in time
    (B, 1024, :meth:`AisfxHead.heard_in_time`), -> the words space (B, words dim), L2-normalised: a
    linear map learnt on captioned sounds (``python -m trainer.words_head``) with the sentence
    tower frozen. The 82 category names are a narrow door into the words space; the map lets what
    aiSFX hears meet any words its training captions used (docs/builtin-model.md, "The words head").

    A head may also carry ``top``, its own copy of aiSFX's last block tuned with the map
    (``--tune-top``): it then reads features from that block, while the class probabilities and
    the likeness space stay the package's."""

    def __init__(
        self, weight: torch.Tensor, bias: torch.Tensor, mean: torch.Tensor, top: dict[str, torch.Tensor] | None = None
    ):
        super().__init__()
        self.project = nn.Linear(weight.shape[1], weight.shape[0])
        self.project.load_state_dict({"weight": weight, "bias": bias})
        self.register_buffer("mean", mean)  # of the training likeness vectors, taken away first
        self.in_time = weight.shape[1] > mean.shape[0]  # it reads the features' movement in time too
        self.top: nn.Sequential | None = None
        if top is not None:
            self.top = top_block()
            self.top.load_state_dict(top)
        self.requires_grad_(False)

    @classmethod
    def load(cls, path: Path) -> WordsHead:
        tensors = {name: value.float() for name, value in load_file(str(path)).items()}
        top = {name.removeprefix("top."): value for name, value in tensors.items() if name.startswith("top.")}
        return cls(tensors["weight"], tensors["bias"], tensors["mean"], top or None)

    def tensors(self) -> dict[str, torch.Tensor]:
        """What :meth:`load` reads back (``safetensors.torch.save_file`` writes it)."""
        own = {"weight": self.project.weight, "bias": self.project.bias, "mean": self.mean}
        if self.top is not None:
            own |= {f"top.{name}": value.float() for name, value in self.top.state_dict().items()}
        return own

    def forward(self, likeness: torch.Tensor, in_time: torch.Tensor | None = None) -> torch.Tensor:
        if self.in_time and in_time is None:
            raise ValueError("this words head was trained on the features' movement in time: pass in_time too")
        return F.normalize(self.project(head_input(likeness, self.mean, in_time if self.in_time else None)), dim=-1)


def top_block() -> nn.Sequential:
    """A block shaped as aiSFX's last (its convolutions with their batch norms folded in)."""
    return nn.Sequential(
        nn.Conv2d(DIM // 2, DIM, 3, padding=1), nn.ReLU(), nn.Conv2d(DIM, DIM, 3, padding=1), nn.ReLU()
    )


def head_input(likeness: torch.Tensor, mean: torch.Tensor, in_time: torch.Tensor | None) -> torch.Tensor:
    """What a words head reads: the likeness vectors less the training mean, and, for a head
    trained on them, the features' movement in time beside them."""
    centred = likeness - mean
    return centred if in_time is None else torch.cat([centred, in_time], dim=-1)


class UcsBridge(nn.Module):
    """Clips -> the words-space vector of the UCS categories an aiSFX head hears in them, mixed,
    when the checkpoint has one, with its words head's vector."""

    def __init__(
        self,
        classes: list[str],
        embed_words: Callable[[list[str]], np.ndarray],
        head: str = HEAD,
        words_head: WordsHead | None = None,
        words_head_share: float = 0.0,
    ):
        """``classes``: the UCS category of each class of the head; ``embed_words``: texts ->
        L2-normalised words-space vectors (:meth:`CacophonyBackend.embed_words`), which embeds
        the distinct categories' names once, here; ``words_head_share``: the words head's weight
        in the mix (the categories' is one minus it)."""
        super().__init__()
        if words_head is None and words_head_share:
            raise ValueError("a words head's share is given but there is no words head")
        self.head = AisfxHead(head)
        self.words_head, self.words_head_share = words_head, words_head_share
        if words_head is not None and words_head.top is not None:  # runs as the network's own blocks do
            words_head.top.to(dtype=self.head.front.convs[3][0].weight.dtype, memory_format=torch.channels_last)
        if len(classes) != self.head.classes:
            raise ValueError(f"{len(classes)} class names for the {self.head.classes} classes of aiSFX head {head}")
        names = sorted(set(classes))
        category_words = torch.from_numpy(embed_words([" ".join(words(name)) for name in names]))
        to_category = torch.zeros(len(classes), len(names))
        to_category[torch.arange(len(classes)), torch.tensor([names.index(c) for c in classes])] = 1.0
        self.register_buffer("to_category", to_category, persistent=False)
        self.register_buffer("category_words", category_words.float(), persistent=False)

    def forward(self, wave: torch.Tensor, num_samples: torch.Tensor) -> torch.Tensor:
        return self.with_likeness(wave, num_samples)[0]

    def with_likeness(self, wave: torch.Tensor, num_samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The clips' bridge vectors (B, words dim) and their likeness vectors, the aiSFX features
        the head classified (B, 512); both L2-normalised."""
        categories, heard, likeness = self.parts(wave, num_samples)
        if heard is None:
            return categories, likeness
        return mix_words(categories, heard, self.words_head_share), likeness

    def parts(
        self, wave: torch.Tensor, num_samples: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """What the bridge vector is mixed from, each L2-normalised: the categories' words vector
        (B, words dim), the words head's (None without one), and the likeness vector (B, 512)."""
        trunk, valid = self.head.trunk(wave, num_samples)
        probabilities, features, in_time = self.head.heard_from(trunk, valid)
        categories = F.normalize((probabilities @ self.to_category) @ self.category_words, dim=-1)
        likeness = F.normalize(features, dim=-1)
        if self.words_head is None:
            return categories, None, likeness
        if self.words_head.top is None:
            return categories, self.words_head(likeness, in_time), likeness
        _, tuned, tuned_in_time = self.head.heard_from(trunk, valid, self.words_head.top)
        return categories, self.words_head(F.normalize(tuned, dim=-1), tuned_in_time), likeness

    def nearness(self, words: np.ndarray) -> np.ndarray:
        """Each words embedding's best cosine to a category name, (texts,)."""
        return (words @ self.category_words.cpu().numpy().T).max(axis=1)
