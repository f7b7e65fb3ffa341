"""The interface every audio-text backend implements.

The engine only ever talks to an :class:`AudioTextModel`: the indexer hands it
mono float32 audio at the model's own sample rate, the search hands it text.
Vectors come back L2-normalised so a dot product is the cosine similarity.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# (what, bytes done, bytes total or None): how a model download reports to whoever shows it.
DownloadProgress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ModelInfo:
    name: str  # stable id, also the name of the model's embedding table
    backend: str  # "cacophony" | "clap"
    embedding_dim: int
    sample_rate: int
    window_seconds: float  # the length it was trained on: the indexer's window size
    can_caption: bool
    likeness: LikenessSpace | None = None  # the sound-to-sound space its audio also yields, if any


@dataclass(frozen=True)
class LikenessSpace:
    """A space made for sounds like sounds, which find similar ranks by instead of the audio-text
    one (a space made to meet words is not the best at that: docs/builtin-model.md, "Find similar sounds")."""

    name: str  # of its window table, shared by every model that yields it
    unrelated: float  # the cosine of two unrelated sounds there, which a match score shows as 0

    def match(self, cosine: float) -> float:
        """A 0-100 match score: 0 for two unrelated sounds, 100 for the same sound."""
        return 100.0 * max(0.0, (cosine - self.unrelated) / (1.0 - self.unrelated))


# The likeness space of every model with a UCS bridge (engine.models.cacophony.ucs_bridge): the
# aiSFX network's mean block features, the same for any head (bump the name's version when they
# change). Two sounds of the out-of-distribution bench (bench/ood) sit at a median cosine of 0.77
# there: all features are positive.
AISFX_BLOCKS = LikenessSpace("aisfx_blocks_v1", unrelated=0.77)
# Every likeness space a model may yield, which the index keeps in a window table of its name
# beside the models' own (``earmark status`` tells the two apart without loading a model).
LIKENESS_SPACES = (AISFX_BLOCKS,)


@dataclass(frozen=True)
class CaptionOptions:
    method: str = "beam"  # "beam" | "sample"
    beams: int = 3
    temperature: float = 0.1
    max_tokens: int = 30
    length_penalty: float = 1.0  # beam score = log-prob / length ** penalty
    seed: int = 0

    def __post_init__(self):
        if self.method not in ("beam", "sample"):
            raise ValueError(f"caption method must be 'beam' or 'sample', not {self.method!r}")
        if self.beams < 1 or self.temperature <= 0 or self.max_tokens < 1:
            raise ValueError("beams and max_tokens must be at least 1, and temperature above 0")


@dataclass(frozen=True)
class GeneratedCaption:
    text: str
    mean_logprob: float  # per token; exp() of it is the decoder's geometric-mean token probability


def import_runtime() -> None:
    """Import torch, which every model here runs on: seconds on a cold start, which a caller may
    take ahead of a model's load, on a thread of its own (the app does, app/engine_client.py)."""
    import torch  # noqa: F401


class AudioTextModel(ABC):
    info: ModelInfo

    @abstractmethod
    def embed_audio(self, clips: list[np.ndarray]) -> np.ndarray:
        """Embed mono float32 clips at ``info.sample_rate``; any lengths; returns (n, dim), L2-normalised."""

    def embed_audio_and_likeness(self, clips: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`embed_audio` and, when the model has an ``info.likeness`` space, each clip's
        L2-normalised vector in it, (n, d), from the same pass over the audio."""
        return self.embed_audio(clips), None

    @abstractmethod
    def embed_text(self, texts: list[str]) -> np.ndarray:
        """Embed captions and labels (a tag's prompts); returns (n, dim), L2-normalised."""

    def embed_query(self, texts: list[str]) -> np.ndarray:
        """Embed what a user typed to search the audio; returns (n, dim), ranked by dot product.
        The caption embedding unless a backend weighs a query's parts by what it asks
        (:class:`engine.models.cacophony.ucs_bridge.QueryShares`)."""
        return self.embed_text(texts)

    def query_likeness(self, texts: list[str]) -> np.ndarray | None:
        """Queries as sounds in the model's ``info.likeness`` space, (n, d): a dot product with a
        window's likeness vector is what it adds to the window's :meth:`embed_query` score. None when
        the model has none (its sound ranking is the audio-text one alone)."""
        return None

    def embed_words(self, texts: list[str]) -> np.ndarray:
        """Embed texts to compare with other texts (a file's name with tag names); returns (n, dim'),
        L2-normalised. The joint text embedding unless a backend has a better one for text-text
        similarity: this space need not be the audio one."""
        return self.embed_text(texts)

    def embed_text_and_words(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`embed_text` and :meth:`embed_words` of the same texts (a vocabulary's prompts are
        wanted in both spaces); a backend whose two share a pass over the text tower does it once."""
        return self.embed_text(texts), self.embed_words(texts)

    def describe(self, clips: list[np.ndarray], options: CaptionOptions | None = None) -> list[GeneratedCaption]:
        """Captions with how sure the decoder was (beam search or temperature sampling, see
        :mod:`engine.models.decoding`); only backends whose ``info.can_caption`` is true."""
        raise NotImplementedError(f"{self.info.name} has no caption decoder")


def embed_in_batches(embed: Callable[[list[str]], np.ndarray], texts: list[str], batch: int) -> np.ndarray:
    """``embed`` (texts -> vectors) over ``texts``, ``batch`` at a time: a whole vocabulary or
    library of names in one call would pad every text to the longest and hold all its
    activations at once."""
    return np.concatenate([np.asarray(embed(texts[i : i + batch]), np.float32) for i in range(0, len(texts), batch)])


UNIT_TOLERANCE = 1e-5  # a norm this close to 1 is float32 rounding of a unit vector (cosine error below 1e-5)


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, float32. A row already of unit length (within ``UNIT_TOLERANCE``)
    is kept bit for bit: dividing by its norm again moved last bits, so a copy of a sound written
    from the stored vectors did not hold exactly the original's."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.where(np.abs(norms - 1.0) <= UNIT_TOLERANCE, x, x / np.maximum(norms, 1e-12))
