"""A query heard through the training sounds its words were said of.

The UCS bridge's words head maps what aiSFX hears into the words space, and a query meets it
there. This is the other way round: a query's words find the training clips whose captions say
the same (nearest captions in the words space), and what aiSFX heard in those clips, averaged,
is the query as a sound in the likeness space, where it meets every window's likeness vector as
find similar does. aiSFX learnt that space from professional sound-effects libraries, so sounds
of one kind sit together there whatever game they came from; the words head learnt its map from
the training games alone. Out of distribution the two together rank better than either (docs/builtin-model.md,
"The builtin model": mAP@10 0.058 -> 0.078 on sounds from unseen sources, both halves of the
packages up).

The bank is what the checkpoint ships (``exemplars.safetensors``, made by ``python -m
trainer.exemplars``): each distinct caption's words vector, which clip each caption belongs to,
and each clip's likeness vector, in fp16.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

from engine.models.base import l2_normalise

CONFIG_KEY = "exemplars"  # the safetensors metadata entry holding ExemplarConfig


@dataclass(frozen=True)
class ExemplarConfig:
    """How a query's sound is made from the bank, and what it weighs in the sound score. Measured
    out of distribution (docs/builtin-model.md): a plateau from 25 to 400 clips, temperature
    0.05-0.2 and weights 0.5-1.5, each half of the evaluation's packages choosing for the other."""

    nearest: int = 50  # the clips whose captions are nearest the query's words
    temperature: float = 0.1  # of the softmax over their cosines, which weighs them
    weight: float = 1.0  # of the likeness cosine, added to the audio-text one


class Exemplars:
    """``captions`` (distinct captions, words dim) L2-normalised; ``clip_of`` (captions,) the clip
    of each caption, sorted; ``likeness`` (clips, likeness dim) L2-normalised. A clip with several
    captions is as near a query as its nearest one; a caption shared by several clips is kept
    once per clip (the rows are the caption-clip pairs, the caption vectors indexed by
    ``caption_row``)."""

    def __init__(
        self,
        captions: np.ndarray,
        caption_row: np.ndarray,
        clip_of: np.ndarray,
        likeness: np.ndarray,
        config: ExemplarConfig = ExemplarConfig(),
    ):
        if len(caption_row) != len(clip_of) or not len(clip_of):
            raise ValueError("an exemplar bank needs one clip for each of its captions, and at least one")
        if np.any(np.diff(clip_of) < 0):
            raise ValueError("an exemplar bank's captions must be sorted by clip")
        if clip_of[-1] >= len(likeness) or caption_row.max() >= len(captions):
            raise ValueError("an exemplar bank's caption refers to a clip or a caption vector it does not hold")
        self.captions = np.asarray(captions, np.float32)
        self.caption_row = np.asarray(caption_row, np.int64)
        self.clips, self.first_caption = np.unique(np.asarray(clip_of, np.int64), return_index=True)
        self.likeness = np.asarray(likeness, np.float32)
        self.config = config

    def query(self, words: np.ndarray) -> np.ndarray:
        """Queries' words vectors (q, words dim) -> their sounds in the likeness space (q, likeness
        dim), L2-normalised and scaled by ``config.weight``: a dot product with a window's
        likeness vector is what it adds to that window's audio-text score."""
        nearness = np.atleast_2d(words).astype(np.float32) @ self.captions.T  # (q, distinct captions)
        per_clip = np.maximum.reduceat(nearness[:, self.caption_row], self.first_caption, axis=1)  # (q, clips)
        count = min(self.config.nearest, per_clip.shape[1])
        sounds = []
        for row in per_clip:
            nearest = np.argpartition(-row, count - 1)[:count]
            weights = np.exp((row[nearest] - row[nearest].max()) / self.config.temperature)
            sounds.append(weights @ self.likeness[self.clips[nearest]])
        return self.config.weight * l2_normalise(np.stack(sounds))

    def save(self, path: Path) -> None:
        clip_of = np.repeat(self.clips, np.diff(np.append(self.first_caption, len(self.caption_row))))
        save_file(
            {
                "captions": self.captions.astype(np.float16),
                "caption_row": self.caption_row.astype(np.int32),
                "clip_of": clip_of.astype(np.int32),
                "likeness": self.likeness.astype(np.float16),
            },
            str(path),
            metadata={CONFIG_KEY: json.dumps(asdict(self.config))},
        )

    @classmethod
    def load(cls, path: Path) -> Exemplars:
        with safe_open(str(path), "np") as handle:
            config = ExemplarConfig(**json.loads((handle.metadata() or {}).get(CONFIG_KEY, "{}")))
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
        return cls(
            l2_normalise(tensors["captions"].astype(np.float32)),
            tensors["caption_row"],
            tensors["clip_of"],
            l2_normalise(tensors["likeness"].astype(np.float32)),
            config,
        )
