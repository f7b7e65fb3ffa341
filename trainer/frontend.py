"""Train a frozen audio front-end's head LiT-style, on top of an existing model.

    python -m trainer.frontend features --init resources/models/builtin --train data/corpus4/manifest.jsonl \\
        --out runs/front                                   # resumable: features in chunks
    python -m trainer.frontend train --init resources/models/builtin --out runs/front --steps 3000
    python -m trainer.frontend export --init resources/models/builtin --out runs/front --mix 0.5 --dest DEST

Everything but the head stays as ``--init`` has it: the text tower and its projection (so text
embeddings are computed once), the ViT audio tower (its embeddings of the held-out clips are
cached to choose the mix), the front-end CNN. The head (attention pooler + projection of
:class:`Cacophony`) learns InfoNCE against the frozen text embeddings of each clip's captions
(one caption drawn per clip and step), with a learnable temperature that is not kept.
``export`` writes ``--init`` plus the head as one checkpoint with ``front_end`` set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from engine.audio.decode import load_mono, probe
from engine.fs import atomic_file
from engine.logs import entry_logging
from engine.models.cacophony.backend import pad_batch
from engine.models.cacophony.checkpoint import load_checkpoint, save_checkpoint
from engine.models.cacophony.model import Cacophony
from trainer.data.manifest import Item, read_manifest
from trainer.evaluation.metrics import retrieval_metrics
from trainer.losses import contrastive_loss

log = logging.getLogger(__name__)
FRONT_END = "package:aisfx"
CHUNK = 512  # clips per saved feature chunk: the unit of resumption
MAX_SECONDS = 6.0  # features of a clip's first 6 s (most are shorter): a third less CPU on long ones


def with_front(model: Cacophony, mix: float) -> Cacophony:
    """A copy of ``model`` with the front-end and a fresh head added (its own weights kept)."""
    fronted = Cacophony(model.cfg.replace(front_end=FRONT_END, front_mix=mix), model.text.model)
    fronted.load_state_dict(model.state_dict(), strict=False)
    return fronted.eval()


def captions_of(item: Item) -> list[str]:
    return item.captions or [f"The sound of {' and '.join(item.tags)}."]


@torch.inference_mode()
def compute_features(model: Cacophony, tokenizer, manifest: Path, out: Path, batch: int = 8) -> None:
    """Front-end features (fp16), ViT embeddings and caption embeddings of every item of a
    manifest, in chunk files under ``out/features`` named by :func:`chunk_prefix`: a finished
    chunk is never computed again, a rebuilt manifest's chunks replace its old ones, another
    manifest adds its own. Each chunk is written beside and renamed into place, so a killed run
    leaves whole chunks only."""
    items = read_manifest(manifest)
    folder = out / "features"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = chunk_prefix(manifest, model.cfg.sample_rate)
    remove_stale_chunks(folder, prefix)
    for start in range(0, len(items), CHUNK):
        path = folder / f"{prefix}-{start // CHUNK:05d}.npz"
        if path.exists():
            continue
        arrays = chunk_features(model, tokenizer, items[start : start + CHUNK], batch)
        with atomic_file(path) as partial, partial.open("wb") as f:
            np.savez(f, **arrays)
        log.info("%s: features %d/%d", manifest, min(start + CHUNK, len(items)), len(items))


def chunk_prefix(manifest: Path, sample_rate: int) -> str:
    """``WHERE-WHAT``: a hash of the manifest's path (whose older chunks are then stale) and one of
    its content and of what else shapes the chunks (their size, the seconds heard, the rate)."""
    where = hashlib.sha1(str(manifest.resolve()).encode()).hexdigest()[:8]
    what = hashlib.sha1(manifest.read_bytes())
    what.update(json.dumps([CHUNK, MAX_SECONDS, sample_rate]).encode())
    return f"{where}-{what.hexdigest()[:12]}"


def remove_stale_chunks(folder: Path, prefix: str) -> None:
    """Chunks of the same manifest path made from other content or settings: :class:`Features`
    reads every chunk in the folder, so they would train beside the new ones."""
    where = prefix.split("-", 1)[0]
    for chunk in folder.glob(f"{where}-*.npz"):
        if not chunk.name.startswith(f"{prefix}-"):
            log.info("removing %s: its manifest or settings changed since", chunk.name)
            chunk.unlink()


def chunk_features(model: Cacophony, tokenizer, chunk: list[Item], batch: int) -> dict[str, np.ndarray]:
    """One chunk's arrays; its clips are decoded to the model's rate, in batches of like length."""
    rate = model.cfg.sample_rate
    order = sorted(range(len(chunk)), key=lambda i: probe(chunk[i].audio).duration_s)
    features, vit = [None] * len(chunk), [None] * len(chunk)
    for group in (order[i : i + batch] for i in range(0, len(order), batch)):
        clips = [load_mono(chunk[i].audio, rate, duration_s=MAX_SECONDS) for i in group]
        wave, lengths = pad_batch(clips, "cpu")
        front, valid = model.front(wave, lengths)
        # The ViT's embeddings only serve choosing the mix on held-out items.
        held = [row for row, i in enumerate(group) if chunk[i].split == "val"]
        embedding = torch.zeros(len(group), model.cfg.embed_dim)
        if held:
            embedding[held] = model.embed_mel(model.logmel(wave[held]), model.logmel.frames_for(lengths[held]))[0]
        for row, i in enumerate(group):
            features[i] = front[row, : int(valid[row].sum())].half().numpy()
            vit[i] = embedding[row].numpy()
    captions = [captions_of(item) for item in chunk]
    flat = [c for cs in captions for c in cs]
    text = np.concatenate([embed_texts(model, tokenizer, flat[i : i + 256]) for i in range(0, len(flat), 256)])
    return {
        "features": np.concatenate(features),
        "lengths": np.array([len(f) for f in features]),
        "vit": np.stack(vit),
        "text": text,
        "captions_per_item": np.array([len(c) for c in captions]),
        "val": np.array([item.split == "val" for item in chunk]),
    }


def embed_texts(model: Cacophony, tokenizer, texts: list[str]) -> np.ndarray:
    batch = tokenizer(texts, padding=True, truncation=True, max_length=model.cfg.max_text_tokens, return_tensors="pt")
    return model.embed_text(batch["input_ids"], batch["attention_mask"])[0].numpy()


class Features:
    """All chunks in memory: per item its feature frames, ViT embedding and caption embeddings."""

    def __init__(self, out: Path):
        frames, self.vit, self.text, self.val = [], [], [], []
        for path in sorted((out / "features").glob("*.npz")):
            data = np.load(path)
            frames += np.split(data["features"], np.cumsum(data["lengths"])[:-1])
            self.text += np.split(data["text"], np.cumsum(data["captions_per_item"])[:-1])
            self.vit.append(data["vit"])
            self.val += data["val"].tolist()
        self.frames, self.vit, self.val = frames, np.concatenate(self.vit), np.asarray(self.val)

    def batch(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        longest = max(len(self.frames[r]) for r in rows)
        x = torch.zeros(len(rows), longest, self.frames[0].shape[1])
        valid = torch.zeros(len(rows), longest, dtype=torch.bool)
        for i, r in enumerate(rows):
            x[i, : len(self.frames[r])] = torch.from_numpy(self.frames[r].astype(np.float32))
            valid[i, : len(self.frames[r])] = True
        return x, valid


@torch.no_grad()
def held_out(model: Cacophony, data: Features, mix: float) -> dict[str, float]:
    """Retrieval on the held-out items with the head, mixed with the ViT at ``mix``."""
    rows = np.flatnonzero(data.val)
    front = torch.cat([model.embed_front(*data.batch(rows[i : i + 64])) for i in range(0, len(rows), 64)])
    audio = F.normalize((1 - mix) * torch.from_numpy(data.vit[rows]) + mix * front, dim=-1).numpy()
    text = np.concatenate([data.text[r] for r in rows])
    owner = np.concatenate([[i] * len(data.text[r]) for i, r in enumerate(rows)])
    return retrieval_metrics(audio, text, owner)


def train(model: Cacophony, data: Features, out: Path, steps: int, batch: int, lr: float, seed: int) -> None:
    """InfoNCE of the head against frozen caption embeddings; the best held-out head is kept."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    head = [*model.front_pool.parameters(), *model.front_proj.parameters()]
    log_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    optimizer = torch.optim.AdamW(
        [{"params": head}, {"params": [log_scale], "weight_decay": 0.0}], lr=lr, weight_decay=0.01
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps, pct_start=0.05)
    train_rows = np.flatnonzero(~data.val)
    best, history = -1.0, []
    for step in range(1, steps + 1):
        rows = rng.choice(train_rows, size=batch, replace=False)
        text = torch.from_numpy(np.stack([data.text[r][rng.integers(len(data.text[r]))] for r in rows]))
        audio = model.embed_front(*data.batch(rows))
        loss = contrastive_loss(log_scale.exp().clamp(max=100) * audio @ text.T)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 250 == 0 or step == steps:
            model.eval()
            metrics = held_out(model, data, 1.0)
            history.append({"step": step, "loss": loss.item(), **metrics})
            log.info(
                "step %d loss %.3f held-out t2a R@10 %.3f mAP@10 %.3f",
                step,
                loss.item(),
                metrics["t2a/R@10"],
                metrics["t2a/mAP@10"],
            )
            if metrics["t2a/mAP@10"] > best:
                best = metrics["t2a/mAP@10"]
                save_file(
                    {
                        k: v.contiguous()
                        for k, v in model.state_dict().items()
                        if k.startswith(("front_pool.", "front_proj."))
                    },
                    out / "head.safetensors",
                )
            model.train()
    (out / "history.json").write_text(json.dumps(history, indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.frontend", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["features", "train", "mixes", "export"])
    parser.add_argument("--dest", type=Path, help="export: the checkpoint folder to write")
    parser.add_argument("--init", type=Path, default=Path("resources/models/builtin"))
    parser.add_argument("--train", type=Path, action="append", default=[], help="manifest(s) (features)")
    parser.add_argument("--out", type=Path, required=True, help="run folder")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--mix", type=float, default=1.0, help="export: the front-end's share of the embedding")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with entry_logging():  # progress on the terminal
        return _run(parser, args)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    torch.set_num_threads(2)
    base, tokenizer, meta = load_checkpoint(args.init)
    model = with_front(base, args.mix)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.command == "features":
        for manifest in args.train:
            compute_features(model, tokenizer, manifest, args.out)
        return 0
    if args.command != "train":
        model.load_state_dict(load_file(args.out / "head.safetensors"), strict=False)
    if args.command == "train":
        model.train()
        train(model, Features(args.out), args.out, args.steps, args.batch, args.lr, args.seed)
    elif args.command == "mixes":
        data = Features(args.out)
        for mix in (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0):
            metrics = held_out(model, data, mix)
            print(json.dumps({"mix": mix, **{k: round(v, 4) for k, v in metrics.items()}}))
    else:
        if args.dest is None:
            parser.error("export needs --dest")
        save_checkpoint(model, tokenizer, args.dest, half=True, extra={**meta, "front_head_from": str(args.out)})
        print(f"wrote {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
