"""Learn the UCS bridge's words head: aiSFX's likeness features -> the sentence tower's space.

The bridge meets words through 82 category names, a narrow door: "a dog barking", "crackling"
or "rain on a roof" each land near one name at best. A linear map from the frozen aiSFX features
(what the head classifies, ``engine.models.base.AISFX_BLOCKS``, with how they move in time: their mean and
spread over the clip's frames, ``AisfxHead.heard_in_time``) to the frozen sentence embedding of a
sound's captions lets what aiSFX hears meet any words the captions used. It is trained with a
symmetric InfoNCE whose targets count every clip with the same caption as a right answer (a
corpus says "game music" hundreds of times), on the training split of corpora built by
``python -m trainer.corpus``; the validation split picks the epoch. Debian clips are heard from
their original files at 44.1 kHz, as the app hears a library (the corpus's clips are 16 kHz,
and aiSFX hears much of what it knows above 8 kHz); rendered ones from the clips.

``--tune-top EPOCHS`` then also tunes a copy of aiSFX's last block with the map (LiT's next step:
unlock the top of the frozen tower), keeping the epoch the validation split picks. Tried for the
builtin and not shipped (docs/builtin-model.md, "The words head": in distribution up, out of distribution not).

The result is the checkpoint's ``words-head.safetensors`` and, in its ``ucs-classes.json``, the
head's share of the bridge vector (``--share``), measured out of distribution (``python -m
bench.ood shares``) and given here: evaluation sets are never read.

    python -m trainer.words_head --corpus data/corpus-sfx --corpus data/corpus-synth \
        --checkpoint resources/models/builtin --share 0.5
"""

from __future__ import annotations

import argparse
import copy
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
    # Then aiSFX's last block tuned with the map (0 epochs: not at all), from the best linear head.
    tune_epochs: int = 0
    tune_batch_size: int = 128
    top_learning_rate: float = 3e-4
    tune_learning_rate: float = 1e-4  # the map's, while the block tunes


@dataclass
class Captioned:
    """Clips' likeness vectors (n, 512), unit length, how their features move in time (n, 1024,
    :meth:`AisfxHead.heard_in_time`), their captions and splits."""

    likeness: np.ndarray
    in_time: np.ndarray
    captions: list[list[str]]
    train: np.ndarray  # (n,) bool; the rest is validation
    # With ``keep_trunk``: each clip's aiSFX trunk output (steps + 2, 256, bands / 8), what the
    # last block reads (its two 3x3 convolutions see two steps past the clip's last), and steps.
    trunks: list[torch.Tensor] | None = None
    steps: np.ndarray | None = None


def hear(corpora: list[Path], head: AisfxHead, keep_trunk: bool = False) -> Captioned:
    """Every captioned clip of the corpora's ``manifest.jsonl``, heard by aiSFX at 44.1 kHz; a
    clip that cannot be decoded is left out with a warning. ``keep_trunk`` keeps what the last
    block reads, to tune it (about 110 kB a clip, 1.3 GB for the builtin's 11,614)."""
    vectors, in_time, captions, train, trunks, steps = [], [], [], [], [], []
    for corpus in corpora:
        for clip in read_manifest(Path(corpus) / "manifest.jsonl"):
            if not clip.captions:
                continue
            try:
                wave = _wave(Path(corpus), clip)
            except AudioDecodeError as error:
                log.warning("skipping %s: %s", clip.audio, error)
                continue
            likeness, moving, trunk, valid = heard(head, wave)
            vectors.append(likeness)
            in_time.append(moving)
            captions.append(clip.captions)
            train.append(clip.split == "train")
            if keep_trunk:
                steps.append(int(valid.sum()))
                trunks.append(trunk[0, :, : steps[-1] + 2].transpose(0, 1).contiguous())
    kept = (trunks, np.array(steps)) if keep_trunk else (None, None)
    return Captioned(np.stack(vectors), np.stack(in_time), captions, np.array(train), *kept)


def heard(head: AisfxHead, wave: np.ndarray) -> tuple[np.ndarray, np.ndarray, torch.Tensor, torch.Tensor]:
    """One 44.1 kHz clip as a words head reads it: its likeness vector (unit length), how its
    features move in time, and the trunk output and valid steps they came from."""
    with torch.inference_mode():
        trunk, valid = head.trunk(torch.from_numpy(wave)[None], torch.tensor([len(wave)]))
        _, features, moving = head.heard_from(trunk, valid)
    return F.normalize(features, dim=-1)[0].numpy(), moving[0].numpy(), trunk, valid


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
    words, choices = _caption_table(data, embed_words)
    likeness = torch.from_numpy(data.likeness).float()
    mean = likeness[data.train].mean(0)
    inputs = head_input(likeness, mean, torch.from_numpy(data.in_time).float())
    project = torch.nn.Linear(inputs.shape[1], words.shape[1])
    optimiser = torch.optim.AdamW(project.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    rows = np.flatnonzero(data.train)
    best: tuple[float, int, dict] = (-1.0, -1, {})
    history = []
    for epoch in range(1, config.epochs + 1):
        _epoch(project, optimiser, inputs, words, choices, rows, rng, config)
        if epoch % config.evaluate_every == 0 or epoch == config.epochs:
            score = _validate(project, inputs, words, choices, ~data.train)
            history.append((epoch, score))
            if score > best[0]:
                best = (score, epoch, {k: v.detach().clone() for k, v in project.state_dict().items()})
            log.info("epoch %d: validation t2a mAP@10 %.3f", epoch, score)
    state = best[2]
    head = WordsHead(state["weight"], state["bias"], mean)
    return head, {"epoch": best[1], "val/t2a/mAP@10": best[0], "history": history}


def retune(head: WordsHead, data: Captioned, embed_words, config: HeadConfig) -> WordsHead:
    """``head`` trained further on all of ``data`` for ``config.epochs``, from where it is and on
    its own training mean: a library fine-tune teaches it the library's words
    (trainer/library/words.py), and the library's held-out folders judge the result, so no
    validation split picks an epoch here."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    words, choices = _caption_table(data, embed_words)
    in_time = torch.from_numpy(data.in_time).float() if head.in_time else None
    inputs = head_input(torch.from_numpy(data.likeness).float(), head.mean, in_time)
    project = copy.deepcopy(head.project).requires_grad_(True)
    optimiser = torch.optim.AdamW(project.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    with torch.enable_grad():
        for _ in range(config.epochs):
            _epoch(project, optimiser, inputs, words, choices, np.arange(len(choices)), rng, config)
    return WordsHead(project.weight.detach(), project.bias.detach(), head.mean)


def _epoch(project, optimiser, inputs, words, choices, rows: np.ndarray, rng, config: HeadConfig) -> None:
    """One pass over ``rows`` in random batches, each clip with one of its captions."""
    order = rows[rng.permutation(len(rows))]
    for start in range(0, len(order), config.batch_size):
        batch = order[start : start + config.batch_size]
        caption = torch.from_numpy(np.array([rng.choice(choices[i]) for i in batch]))
        audio = F.normalize(project(inputs[batch]), dim=-1)
        loss = same_caption_loss(audio @ words[caption].T / config.temperature, caption)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()


def tune_top(
    data: Captioned, linear: WordsHead, head: AisfxHead, embed_words, config: HeadConfig
) -> tuple[WordsHead, dict]:
    """aiSFX's last block, copied, tuned together with the map from ``linear`` (the frozen-feature
    head :func:`train_head` chose) under the same loss, on the clips' kept trunks (``hear(...,
    keep_trunk=True)``); the epoch with the best validation t2a mAP@10 is kept, the untuned
    start (epoch 0) included. Returns the head, with its ``top``, and a report as train_head's."""
    if data.trunks is None:
        raise ValueError("tuning the last block needs the clips' trunks: hear(..., keep_trunk=True)")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    words, choices = _caption_table(data, embed_words)
    top = copy.deepcopy(head.front.convs[3]).float().requires_grad_(True)
    project = copy.deepcopy(linear.project).requires_grad_(True)
    optimiser = torch.optim.AdamW(
        [
            {"params": top.parameters(), "lr": config.top_learning_rate},
            {"params": project.parameters(), "lr": config.tune_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )

    def embed(rows: np.ndarray) -> torch.Tensor:
        width = max(len(data.trunks[i]) for i in rows)
        trunk = torch.zeros(len(rows), width, *data.trunks[rows[0]].shape[1:])
        for row, i in enumerate(rows):
            trunk[row, : len(data.trunks[i])] = data.trunks[i]
        valid = torch.arange(width)[None] < torch.from_numpy(data.steps[rows])[:, None]
        _, features, in_time = head.heard_from(trunk.transpose(1, 2), valid, top)
        return F.normalize(project(head_input(F.normalize(features, dim=-1), linear.mean, in_time)), dim=-1)

    lengths = np.array([len(t) for t in data.trunks])

    def validate() -> float:
        rows = np.flatnonzero(~data.train)
        rows = rows[np.argsort(lengths[rows], kind="stable")]  # like lengths together: less padding
        with torch.no_grad():
            audio = torch.cat([embed(rows[k : k + 64]) for k in range(0, len(rows), 64)])
        return _ranked(audio, words, choices, rows)

    def state() -> dict[str, torch.Tensor]:
        both = top.state_dict() | {f"project.{name}": value for name, value in project.state_dict().items()}
        return {name: value.detach().clone() for name, value in both.items()}

    best = (validate(), 0, state())
    history = [(0, best[0])]
    log.info("tuning the last block: epoch 0 (untuned): validation t2a mAP@10 %.3f", best[0])
    rows = np.flatnonzero(data.train)
    for epoch in range(1, config.tune_epochs + 1):
        # batches of clips of like length (padding costs the block's time), in random order
        order = rows[rng.permutation(len(rows))]
        batches = []
        for start in range(0, len(order), 16 * config.tune_batch_size):
            chunk = order[start : start + 16 * config.tune_batch_size]
            chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
            batches += [chunk[k : k + config.tune_batch_size] for k in range(0, len(chunk), config.tune_batch_size)]
        for k in rng.permutation(len(batches)):
            batch = batches[k]
            caption = torch.from_numpy(np.array([rng.choice(choices[i]) for i in batch]))
            loss = same_caption_loss(embed(batch) @ words[caption].T / config.temperature, caption)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        score = validate()
        history.append((epoch, score))
        log.info("tuning the last block: epoch %d: validation t2a mAP@10 %.3f", epoch, score)
        if score > best[0]:
            best = (score, epoch, state())
    tuned = best[2]
    top_tensors = {name: value for name, value in tuned.items() if not name.startswith("project.")}
    tuned_head = WordsHead(tuned["project.weight"], tuned["project.bias"], linear.mean, top_tensors)
    return tuned_head, {"epoch": best[1], "val/t2a/mAP@10": best[0], "history": history}


def same_caption_loss(logits: torch.Tensor, caption: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE over (clips x captions) logits where every pair sharing a caption is a
    right answer, weighed equally (soft targets): a repeated caption is never a negative."""
    same = (caption[:, None] == caption[None, :]).float()
    targets = same / same.sum(1, keepdim=True)  # symmetric: a caption's clips are its rows and its columns
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets.T)) / 2


def _caption_table(data: Captioned, embed_words) -> tuple[torch.Tensor, list[np.ndarray]]:
    """The distinct captions' words vectors (texts, d) and each clip's caption rows among them."""
    texts = sorted({text for captions in data.captions for text in captions})
    index = {text: i for i, text in enumerate(texts)}
    words = torch.from_numpy(embed_words(texts)).float()
    return words, [np.array([index[text] for text in captions]) for captions in data.captions]


@torch.no_grad()
def _validate(project, inputs, words, choices, rows: np.ndarray) -> float:
    rows = np.flatnonzero(rows)
    return _ranked(F.normalize(project(inputs[rows]), dim=-1), words, choices, rows)


def _ranked(audio: torch.Tensor, words: torch.Tensor, choices: list[np.ndarray], rows: np.ndarray) -> float:
    """t2a mAP@10 of clips ``rows`` (their vectors ``audio``) found by each of their captions."""
    captions = [c for i in rows for c in choices[i]]
    owners = np.array([k for k, i in enumerate(rows) for _ in choices[i]])
    return retrieval_metrics(audio.numpy(), words[captions].numpy(), owners)["t2a/mAP@10"]


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
    parser.add_argument("--seed", type=int, default=HeadConfig.seed, help="of the map's start and batch order")
    parser.add_argument(
        "--tune-top", type=int, default=0, metavar="EPOCHS", help="then tune aiSFX's last block with the map"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(2)
    backend = CacophonyBackend.from_checkpoint(args.checkpoint)
    aisfx = AisfxHead().eval()
    data = hear(args.corpus, aisfx, keep_trunk=bool(args.tune_top))
    log.info("%d clips (%d training)", len(data.captions), data.train.sum())
    config = HeadConfig(epochs=args.epochs, tune_epochs=args.tune_top, seed=args.seed)
    head, report = train_head(data, backend.embed_words, config)
    if config.tune_epochs:
        head, tuned = tune_top(data, head, aisfx, backend.embed_words, config)
        report["tuned"] = {k: v for k, v in tuned.items() if k != "history"}
    write(args.checkpoint, head, args.share)
    print(json.dumps({k: v for k, v in report.items() if k != "history"} | {"clips": len(data.captions)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
