"""Train the builtin's audio tower on a lent GPU machine, from a corpus packed small enough to travel.

    python -m trainer.packed pack --train data/corpus-sfx/manifest.jsonl --val data/corpus-sfx/heldout.jsonl \\
        --init resources/models/builtin --out data/gpu-pack        # here: 2 CPU cores, a few minutes
    python -m trainer.packed train --pack data/gpu-pack --init resources/models/builtin --out OUT \\
        --stages recipes/builtin/gpu-stages.json                    # there, on the GPU
    python -m trainer.packed merge --init resources/models/builtin --weights OUT/scratch-2000.safetensors \\
        --dest runs/gpu/scratch-2000                                 # here again

Why a pack: a GPU is lent only now and then, for minutes, with at most 64 MiB of files and no
network, so neither the corpus's audio (hours of WAV) nor the text tower (MiniLM, 90 MB) can go
there. ``pack`` writes the log-mel of each clip's first ``--seconds`` as a WebP image (Opus audio
at the same size lost a third of the shipped model's held-out score; the images lose nothing
measurable) and each caption's embedding
through ``--init``'s locked text side (tower, pooler and projection: LiT with the whole text side
locked, so the new audio tower learns into the space the shipped one, the UCS bridge and the
caption embeddings already share). ``train`` holds every log-mel of the corpus on the GPU and
runs, per arm: the ``scratch`` arm, real stage-1 pre-training (AudioMAE) on every clip then stage 2
(InfoNCE against the locked caption embeddings); the ``continue`` arm, stage 2 from ``--init``'s
audio tower. It writes only the audio side's weights, which ``merge`` puts into a copy of
``--init``. The caption decoder is not trained there (it needs the text tower's token states).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import logging
import math
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file, save_file
from torch import nn

from engine.logs import entry_logging
from engine.models.cacophony.config import CacophonyConfig
from engine.models.cacophony.model import SILENCE, Cacophony, LogMel
from engine.models.folders import CONFIG_FILE, WEIGHTS_FILE
from trainer.config import TrainConfig
from trainer.evaluation.metrics import retrieval_metrics
from trainer.losses import contrastive_logits, contrastive_loss, mae_loss
from trainer.optim import param_groups
from trainer.schedule import lr_at, paced_step

log = logging.getLogger(__name__)
PACK_FILE = "pack.npz"
# Log-mels as 8-bit levels over this range (silence is -1.40; sound-effect peaks stay under 2):
# steps of 0.016, and WebP at quality 75 on top changes the shipped model's held-out t2a mAP@10
# by less than 0.001 (0.2563 against 0.2565 from the float log-mels), at 1.3 kB a second.
MEL_RANGE = (-1.45, 2.6)
AUDIO_SIDE = ("audio.", "audio_pool.", "audio_proj.", "logit_scale")  # what train learns and merge replaces
# Stage 1's MAE decoder, as recipes/builtin/stage1.json has it (the shipped checkpoint dropped its own).
MAE_DECODER = {"decoder_width": 128, "decoder_depth": 2, "decoder_heads": 4, "decoder_mlp_dim": 512}


# ---------------------------------------------------------------------------- pack (here)
@functools.cache
def spectrogram(sample_rate: int, n_mels: int) -> LogMel:
    return LogMel(sample_rate, n_mels)  # one per pack worker


def mel_image(path: Path, seconds: float, sample_rate: int, n_mels: int, quality: int) -> bytes:
    """The log-mel of the file's first ``seconds`` as a greyscale WebP image (frames x bands)."""
    # Imported here, as in pack(): the decoders (soundfile, soxr) are not on the GPU machine.
    from trainer.data.audio import duration_seconds, load_mono

    wave = load_mono(path, sample_rate, duration_s=min(seconds, duration_seconds(path)))
    logmel = spectrogram(sample_rate, n_mels)
    with torch.no_grad():
        mel = logmel(torch.from_numpy(wave)[None])[0, : len(wave) // logmel.hop].numpy()
    if not len(mel):
        raise ValueError("shorter than one 10 ms frame")
    levels = np.clip(np.round((mel - MEL_RANGE[0]) / (MEL_RANGE[1] - MEL_RANGE[0]) * 255), 0, 255)
    buffer = io.BytesIO()
    Image.fromarray(levels.astype(np.uint8)).save(buffer, "WEBP", quality=quality)
    return buffer.getvalue()


def mel_from_image(data: bytes) -> np.ndarray:
    levels = np.asarray(Image.open(io.BytesIO(data)).convert("L"), np.float32)
    return (levels / 255 * (MEL_RANGE[1] - MEL_RANGE[0]) + MEL_RANGE[0]).astype(np.float16)


def pack(train: list[Path], val: list[Path], init: Path, out: Path, seconds: float, quality: int) -> None:
    """Write ``out/pack.npz``: the clips' log-mel images, their split and their captions' locked
    embeddings. A clip that does not decode is logged and left out; the pack goes on."""
    from engine.models.cacophony.checkpoint import load_checkpoint
    from trainer.data.dataset import one_thread_per_worker
    from trainer.data.manifest import read_manifest
    from trainer.frontend import captions_of, embed_texts

    model, tokenizer, _ = load_checkpoint(init)
    # a corpus's manifest.jsonl holds its held-out clips too (split "val", with their variants)
    items = [(item, False) for m in train for item in read_manifest(m, split="train")]
    items += [(item, True) for m in val for item in read_manifest(m)]
    images, kept = [], []
    with ProcessPoolExecutor(2, initializer=one_thread_per_worker, initargs=(0,)) as pool:
        args = (seconds, model.cfg.sample_rate, model.cfg.n_mels, quality)
        futures = [pool.submit(mel_image, item.audio, *args) for item, _ in items]
        for (item, held), future in zip(items, futures, strict=True):
            try:
                images.append(np.frombuffer(future.result(), np.uint8))
                kept.append((item, held))
            except Exception as error:  # noqa: BLE001 - one bad file never stops a pack
                log.warning("left out %s: %s", item.audio, error)
    if not kept:
        raise ValueError("no clip could be packed")
    texts: dict[str, int] = {}
    caption_index = [[texts.setdefault(c, len(texts)) for c in captions_of(item)] for item, _ in kept]
    unique = list(texts)
    with torch.inference_mode():
        text = np.concatenate([embed_texts(model, tokenizer, unique[i : i + 256]) for i in range(0, len(unique), 256)])
    out.mkdir(parents=True, exist_ok=True)
    np.savez(
        out / PACK_FILE,
        images=np.concatenate(images),
        image_sizes=[len(c) for c in images],
        held_out=[held for _, held in kept],
        caption_index=np.concatenate(caption_index),
        captions_per_clip=[len(c) for c in caption_index],
        text=text.astype(np.float16),
    )
    size = (out / PACK_FILE).stat().st_size
    log.info(
        "packed %d clips (%d held out), %d captions: %.1f MB",
        len(kept),
        sum(h for _, h in kept),
        len(unique),
        size / 1e6,
    )


# ---------------------------------------------------------------------------- train (there)
@dataclass
class Corpus:
    """Every clip's log-mel in one (frames, n_mels) tensor on the device, with offsets."""

    mels: torch.Tensor
    offsets: torch.Tensor
    lengths: torch.Tensor
    held_out: np.ndarray
    text: torch.Tensor  # (captions, embed_dim), L2-normalised, locked
    captions: list[np.ndarray]  # per clip: indices into text

    def crops(self, clips: torch.Tensor, frames: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A random window of at most ``frames`` from each clip, zero-padded as the trainer's Collate pads."""
        lengths = self.lengths[clips]
        room = (lengths - frames).clamp(min=0)
        start = (torch.rand(len(clips), device=room.device, generator=generator) * (room + 1)).long().clamp(max=room)
        step = torch.arange(frames, device=room.device)
        index = (self.offsets[clips, None] + start[:, None] + step).clamp(max=len(self.mels) - 1)
        valid = step < lengths.clamp(max=frames)[:, None]
        return self.mels[index] * valid[..., None], lengths.clamp(max=frames)


def load_corpus(folder: Path, device: torch.device) -> Corpus:
    data = np.load(folder / PACK_FILE)
    images, sizes = data["images"], data["image_sizes"]  # each key read reads the whole array again
    blobs = [images[end - n : end].tobytes() for end, n in zip(np.cumsum(sizes), sizes, strict=True)]
    with ProcessPoolExecutor() as pool:
        mels = [torch.from_numpy(m) for m in pool.map(mel_from_image, blobs, chunksize=64)]
    lengths = torch.tensor([len(m) for m in mels], device=device)
    caption_ends = np.cumsum(data["captions_per_clip"])
    return Corpus(
        mels=torch.cat(mels).to(device),
        offsets=torch.cumsum(lengths, 0) - lengths,
        lengths=lengths,
        held_out=data["held_out"],
        text=F.normalize(torch.from_numpy(data["text"]).float().to(device), dim=-1),
        captions=np.split(data["caption_index"], caption_ends[:-1]),
    )


class NoTextTower(nn.Module):
    """Stands in for the text tower where there is none: the captions arrive embedded."""

    def __init__(self, width: int):
        super().__init__()
        self.config = SimpleNamespace(is_decoder=True, hidden_size=width)


def audio_model(init: Path, device: torch.device) -> Cacophony:
    """``init``'s architecture with an MAE decoder and no caption decoder, freshly initialised."""
    saved = json.loads((init / CONFIG_FILE).read_text())
    cfg = CacophonyConfig.from_dict(saved["model"]).replace(caption_depth=0, **MAE_DECODER)
    text_width = load_file(init / WEIGHTS_FILE)["text_proj.weight"].shape[1]
    return Cacophony(cfg, NoTextTower(text_width)).to(device)


def audio_side(model: Cacophony) -> dict[str, torch.Tensor]:
    return {k: v.detach().half().contiguous() for k, v in model.state_dict().items() if k.startswith(AUDIO_SIDE)}


@dataclass
class Stage:
    steps: int
    batch: int
    lr: float
    crop_frames: int
    warmup: int = 100
    gain_db: float = 6.0  # each crop louder or softer by up to this: a log-mel shift, the silence floor kept
    saves: tuple[float, ...] = ()  # fractions of the stage after which the audio side is written
    # A lent machine's minutes are few and its speed unknown beforehand: the schedule is paced by
    # the steps or this budget, whichever is further (trainer.schedule.paced_step), so the cosine
    # ends either way and the log says how many steps ran (the number to replay without a budget).
    time_budget_s: float | None = None
    min_lr_share: float = 0.05  # the cosine ends at this share of the peak
    weight_decay: float = 0.05


def gained(mel: torch.Tensor, frames: torch.Tensor, gain_db: float, generator: torch.Generator) -> torch.Tensor:
    """``log(mel) * 0.2`` moves by ``0.2 * ln(10) / 20`` per dB; padding stays zero."""
    per_db = 0.2 * math.log(10) / 20
    shift = (torch.rand(len(mel), 1, 1, device=mel.device, generator=generator) * 2 - 1) * gain_db * per_db
    valid = torch.arange(mel.shape[1], device=mel.device)[None, :, None] < frames[:, None, None]
    return torch.where(valid, (mel + shift).clamp(min=SILENCE), mel)


def run_stage(
    name: str, model: Cacophony, corpus: Corpus, stage: Stage, contrastive: bool, out: Path, seed: int
) -> list[dict]:
    device = corpus.mels.device
    generator = torch.Generator(device).manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_clips = torch.from_numpy(np.flatnonzero(~corpus.held_out)).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        param_groups(model, stage.weight_decay), lr=stage.lr, betas=(0.9, 0.95), fused=device.type == "cuda"
    )
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    saves, history, started = sorted(stage.saves), [], time.monotonic()
    model.train()
    step, paced = 0, 0
    while paced < stage.steps:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(paced, stage.lr, stage.warmup, stage.steps, stage.lr * stage.min_lr_share)
        step += 1
        clips = train_clips[torch.randint(len(train_clips), (stage.batch,), device=device, generator=generator)]
        mel, frames = corpus.crops(clips, stage.crop_frames, generator)
        mel = gained(mel.float(), frames, stage.gain_db, generator)
        with autocast:
            if contrastive:
                loss = contrastive_step(model, corpus, clips, mel, frames, rng, generator)
            else:
                loss, _ = mae_loss(*model.mae_reconstruct_mel(mel, frames, generator))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, TrainConfig.max_logit_scale)  # as the trainer's loop caps it
        paced = paced_step(step, stage.steps, time.monotonic() - started, stage.time_budget_s)
        progress = paced / stage.steps
        saving = bool(saves) and progress >= saves[0]
        if saving:
            saves = [f for f in saves if f > progress]
        if step % 250 == 0 or saving or progress >= 1.0:
            seconds = round(time.monotonic() - started, 1)
            record = {"arm": name, "step": step, "loss": round(loss.item(), 4), "s": seconds}
            if contrastive:
                record |= {k: round(v, 4) for k, v in held_out_metrics(model, corpus).items() if k.startswith("t2a")}
                model.train()
            history.append(record)
            log.info("%s", json.dumps(record))
        if saving:
            save_file(audio_side(model), out / f"{name}-{step}.safetensors")
    return history


def contrastive_step(model, corpus, clips, mel, frames, rng, generator) -> torch.Tensor:
    """InfoNCE against one locked caption embedding per clip. Clips drawn twice, or sharing the
    drawn caption (a library names its takes alike), are not each other's negatives."""
    picked = np.array([rng.choice(corpus.captions[c]) for c in clips.tolist()])
    text = corpus.text[torch.from_numpy(picked).to(mel.device)]
    audio = model.embed_mel(mel, frames, max_patches=model.cfg.train_patches, generator=generator)[0]
    with torch.autocast(mel.device.type, enabled=False):  # logits up to 100 need more than bf16's 3 digits
        logits = contrastive_logits(audio.float(), text, model.logit_scale)
    same = torch.from_numpy(picked[:, None] == picked[None, :]).to(mel.device) | (clips[:, None] == clips[None, :])
    same.fill_diagonal_(False)
    return contrastive_loss(logits.masked_fill(same, float("-inf")))


@torch.no_grad()
def held_out_metrics(model: Cacophony, corpus: Corpus) -> dict[str, float]:
    clips = np.flatnonzero(corpus.held_out)
    if not len(clips):
        return {}
    model.eval()
    audio = []
    for group in np.array_split(clips, max(1, len(clips) // 256)):
        index = torch.from_numpy(group).to(corpus.mels.device)
        longest = int(corpus.lengths[index].max())
        mel, frames = corpus.crops(index, longest, torch.Generator(corpus.mels.device).manual_seed(0))
        audio.append(model.embed_mel(mel.float(), frames)[0].float())
    text_rows = np.concatenate([corpus.captions[c] for c in clips])
    owner = np.concatenate([[i] * len(corpus.captions[c]) for i, c in enumerate(clips)])
    text = corpus.text[torch.from_numpy(text_rows).to(corpus.text.device)]
    return retrieval_metrics(torch.cat(audio).cpu().numpy(), text.cpu().numpy(), owner)


def train(pack_dir: Path, init: Path, out: Path, arms: list[str], stages: dict[str, Stage], seed: int) -> None:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    corpus = load_corpus(pack_dir, device)
    log.info(
        "corpus: %d clips, %.2f h of log-mels on %s in %.0f s",
        len(corpus.lengths),
        len(corpus.mels) / 100 / 3600,
        device,
        time.monotonic() - started,
    )
    history: list[dict] = []
    for arm in arms:
        # A lent machine's minutes are few: an arm that breaks is logged and the next one still runs.
        try:
            history += run_arm(arm, init, corpus, stages, out, seed)
        except Exception:  # noqa: BLE001 - reported, and the other arm's minutes are not lost
            log.exception("arm %s failed", arm)
        (out / "history.json").write_text(json.dumps(history, indent=1))


def run_arm(arm: str, init: Path, corpus: Corpus, stages: dict[str, Stage], out: Path, seed: int) -> list[dict]:
    model = audio_model(init, corpus.mels.device)
    if arm == "continue":
        shipped = {k: v.float() for k, v in load_file(init / WEIGHTS_FILE).items() if k.startswith(AUDIO_SIDE)}
        model.load_state_dict(shipped, strict=False)
        start = {"arm": arm, "step": 0, **{k: round(v, 4) for k, v in held_out_metrics(model, corpus).items()}}
        log.info("%s", json.dumps(start))
        return [start, *run_stage(arm, model, corpus, stages[arm], True, out, seed)]
    if arm == "scratch":
        return [
            *run_stage("mae", model, corpus, stages["mae"], False, out, seed),
            *run_stage(arm, model, corpus, stages[arm], True, out, seed + 1),
        ]
    raise ValueError(f"unknown arm {arm!r}: continue or scratch")


# ---------------------------------------------------------------------------- merge (here)
def merge(init: Path, weights: Path, dest: Path) -> None:
    """A copy of ``init`` (config, UCS bridge, words head) with the audio side of ``weights``."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(init, dest)
    merged = load_file(init / WEIGHTS_FILE)
    new = load_file(weights)
    missing = [k for k in merged if k.startswith(AUDIO_SIDE) and k not in new]
    if missing:
        raise ValueError(f"{weights} lacks {len(missing)} audio weights, e.g. {missing[0]}")
    merged |= {k: new[k].to(merged[k].dtype) for k in merged if k.startswith(AUDIO_SIDE)}
    save_file(merged, dest / WEIGHTS_FILE)
    saved = json.loads((dest / CONFIG_FILE).read_text())
    (dest / CONFIG_FILE).write_text(json.dumps({**saved, "audio_side_from": str(weights)}, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.packed", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["pack", "train", "merge"])
    parser.add_argument("--init", type=Path, default=Path("resources/models/builtin"))
    parser.add_argument("--train", type=Path, action="append", default=[], help="pack: training manifest(s)")
    parser.add_argument("--val", type=Path, action="append", default=[], help="pack: held-out manifest(s)")
    parser.add_argument("--out", type=Path, help="pack: the pack folder; train: where the weights go")
    parser.add_argument("--pack", type=Path, help="train: the pack folder")
    parser.add_argument("--seconds", type=float, default=5.0, help="pack: each clip's first seconds")
    parser.add_argument("--quality", type=int, default=75, help="pack: WebP quality of the log-mel images")
    parser.add_argument("--arms", default="continue,scratch", help="train: continue, scratch or both")
    parser.add_argument("--stages", type=Path, help="train: JSON of Stage fields per stage (mae, scratch, continue)")
    parser.add_argument("--weights", type=Path, help="merge: audio-side weights from train")
    parser.add_argument("--dest", type=Path, help="merge: the checkpoint folder to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    needs = {"pack": ["out"], "train": ["pack", "stages", "out"], "merge": ["weights", "dest"]}[args.command]
    if missing := [f"--{name}" for name in needs if getattr(args, name) is None]:
        parser.error(f"{args.command} needs {' '.join(missing)}")
    with entry_logging():
        if args.command == "pack":
            pack(args.train, args.val, args.init, args.out, args.seconds, args.quality)
        elif args.command == "train":
            given = json.loads(args.stages.read_text())
            stages = {
                name: Stage(**(fields | {"saves": tuple(fields.get("saves", ()))})) for name, fields in given.items()
            }
            train(args.pack, args.init, args.out, args.arms.split(","), stages, args.seed)
        else:
            merge(args.init, args.weights, args.dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
