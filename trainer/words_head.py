"""Learn the UCS bridge's words head: aiSFX's likeness features -> the sentence tower's space.

The bridge meets words through 82 category names, a narrow door: "a dog barking", "crackling"
or "rain on a roof" each land near one name at best. A linear map from the frozen aiSFX features
(what the head classifies, ``ucs_bridge.LIKENESS``, with how they move in time: their mean and
spread over the clip's frames, ``AisfxHead.heard_in_time``) to the frozen sentence embedding of a
sound's captions lets what aiSFX hears meet any words the captions used. It is trained with a
symmetric InfoNCE whose targets count every clip with the same caption as a right answer (a
corpus says "game music" hundreds of times), on the training split of corpora built by
``python -m trainer.corpus``; the validation split picks the epoch. Debian clips are heard from
their original files at 44.1 kHz, as the app hears a library (the corpus's clips are 16 kHz,
and aiSFX hears much of what it knows above 8 kHz); rendered ones from the clips.

The result is the checkpoint's ``words-head.safetensors`` and, in its ``ucs-classes.json``, the
head's share of the bridge vector (``--share``), measured out of distribution (``python -m
bench.ood shares``) and given here: evaluation sets are never read.

    python -m trainer.words_head --corpus data/corpus-sfx --corpus data/corpus-synth \
        --checkpoint resources/models/builtin --share 0.5
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from engine.audio.decode import AudioDecodeError, load_mono
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.ucs_bridge import CLASSES_FILE, SAMPLE_RATE, AisfxHead, WordsHead, head_input
from engine.models.folders import WORDS_HEAD_FILE
from trainer.corpus.clips import MAX_SECONDS, Clip, read_manifest
from trainer.corpus.debian import original_of
from trainer.evaluation.retrieval import retrieval_metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadConfig:
    epochs: int = 40
    batch_size: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 1e-2
    temperature: float = 0.05
    evaluate_every: int = 5  # epochs
    seed: int = 0


@dataclass
class Captioned:
    """Clips' likeness vectors (n, 512), unit length, how their features move in time (n, 1024,
    :meth:`AisfxHead.heard_in_time`), their captions and splits."""

    likeness: np.ndarray
    in_time: np.ndarray
    captions: list[list[str]]
    train: np.ndarray  # (n,) bool; the rest is validation


def hear(corpora: list[Path], head: AisfxHead) -> Captioned:
    """Every captioned clip of the corpora's ``manifest.jsonl``, heard by aiSFX at 44.1 kHz; a
    clip that cannot be decoded is left out with a warning."""
    vectors, in_time, captions, train = [], [], [], []
    for corpus in corpora:
        for clip in read_manifest(Path(corpus) / "manifest.jsonl"):
            if not clip.captions:
                continue
            try:
                wave = _wave(Path(corpus), clip)
            except AudioDecodeError as error:
                log.warning("skipping %s: %s", clip.audio, error)
                continue
            with torch.inference_mode():
                _, features, moving = head.heard_in_time(torch.from_numpy(wave)[None], torch.tensor([len(wave)]))
            vectors.append(F.normalize(features, dim=-1)[0].numpy())
            in_time.append(moving[0].numpy())
            captions.append(clip.captions)
            train.append(clip.split == "train")
    return Captioned(np.stack(vectors), np.stack(in_time), captions, np.array(train))


def _wave(corpus: Path, clip: Clip) -> np.ndarray:
    original = original_of(corpus, clip)
    if original is None:
        return load_mono(corpus / clip.audio, SAMPLE_RATE)
    return load_mono(original[0], SAMPLE_RATE, original[1], MAX_SECONDS)


def train_head(data: Captioned, embed_words, config: HeadConfig = HeadConfig()) -> tuple[WordsHead, dict]:
    """The head whose validation t2a mAP@10 was best among the epochs evaluated, and a report
    {"epoch", "val/t2a/mAP@10", "history"}."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    texts = sorted({text for captions in data.captions for text in captions})
    index = {text: i for i, text in enumerate(texts)}
    words = torch.from_numpy(embed_words(texts)).float()
    choices = [np.array([index[text] for text in captions]) for captions in data.captions]
    likeness = torch.from_numpy(data.likeness).float()
    mean = likeness[data.train].mean(0)
    inputs = head_input(likeness, mean, torch.from_numpy(data.in_time).float())
    project = torch.nn.Linear(inputs.shape[1], words.shape[1])
    optimiser = torch.optim.AdamW(project.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    rows = np.flatnonzero(data.train)
    best: tuple[float, int, dict] = (-1.0, -1, {})
    history = []
    for epoch in range(1, config.epochs + 1):
        order = rows[rng.permutation(len(rows))]
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            caption = torch.from_numpy(np.array([rng.choice(choices[i]) for i in batch]))
            audio = F.normalize(project(inputs[batch]), dim=-1)
            loss = same_caption_loss(audio @ words[caption].T / config.temperature, caption)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        if epoch % config.evaluate_every == 0 or epoch == config.epochs:
            score = _validate(project, inputs, words, choices, ~data.train)
            history.append((epoch, score))
            if score > best[0]:
                best = (score, epoch, {k: v.detach().clone() for k, v in project.state_dict().items()})
            log.info("epoch %d: validation t2a mAP@10 %.3f", epoch, score)
    state = best[2]
    head = WordsHead(state["weight"], state["bias"], mean)
    return head, {"epoch": best[1], "val/t2a/mAP@10": best[0], "history": history}


def same_caption_loss(logits: torch.Tensor, caption: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE over (clips x captions) logits where every pair sharing a caption is a
    right answer, weighed equally (soft targets): a repeated caption is never a negative."""
    same = (caption[:, None] == caption[None, :]).float()
    targets = same / same.sum(1, keepdim=True)  # symmetric: a caption's clips are its rows and its columns
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets.T)) / 2


@torch.no_grad()
def _validate(project, inputs, words, choices, rows: np.ndarray) -> float:
    rows = np.flatnonzero(rows)
    audio = F.normalize(project(inputs[rows]), dim=-1).numpy()
    captions = [c for i in rows for c in choices[i]]
    owners = np.array([k for k, i in enumerate(rows) for _ in choices[i]])
    return retrieval_metrics(audio, words[captions].numpy(), owners)["t2a/mAP@10"]


def write(folder: Path, head: WordsHead, share: float) -> None:
    """The head beside the checkpoint's bridge, and its share in the bridge's ``ucs-classes.json``."""
    classes_path = Path(folder) / CLASSES_FILE
    if not classes_path.is_file():
        raise SystemExit(f"{folder} has no UCS bridge ({CLASSES_FILE}): run python -m trainer.ucs_heads first")
    save_file({k: v.contiguous() for k, v in head.tensors().items()}, str(Path(folder) / WORDS_HEAD_FILE))
    classes = json.loads(classes_path.read_text(encoding="utf-8"))
    classes["words_head_share"] = share
    classes_path.write_text(json.dumps(classes, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.words_head", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True, help="a trainer.corpus folder")
    parser.add_argument("--checkpoint", type=Path, required=True, help="a checkpoint with a UCS bridge")
    parser.add_argument("--share", type=float, required=True, help="the head's share of the bridge vector")
    parser.add_argument("--epochs", type=int, default=HeadConfig.epochs)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(2)
    backend = CacophonyBackend.from_checkpoint(args.checkpoint)
    data = hear(args.corpus, AisfxHead().eval())
    log.info("%d clips (%d training)", len(data.captions), data.train.sum())
    head, report = train_head(data, backend.embed_words, HeadConfig(epochs=args.epochs))
    write(args.checkpoint, head, args.share)
    print(json.dumps({k: v for k, v in report.items() if k != "history"} | {"clips": len(data.captions)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
