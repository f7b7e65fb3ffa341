"""Process bodies for the DDP tests (spawned, so they live in an importable module)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.distributed as dist


def join(rank: int, world: int, port: int) -> None:
    os.environ |= {
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
        "RANK": str(rank),
        "WORLD_SIZE": str(world),
        "LOCAL_RANK": str(rank),
    }
    torch.set_num_threads(1)
    if world > 1:
        dist.init_process_group("gloo", rank=rank, world_size=world)


def global_batch(tokenizer, size: int = 8) -> dict:
    """A fixed batch: random log-mels of different lengths (all shorter than the window)."""
    g = torch.Generator().manual_seed(0)
    frames = torch.tensor([128, 100, 64, 128, 90, 128, 33, 110])[:size]
    mel = torch.randn(size, 128, 128, generator=g) * 0.5
    for row, n in enumerate(frames):
        mel[row, n:] = 0
    captions = [
        "white noise",
        "a high sine tone",
        "pink noise",
        "a fast click",
        "a slow sweep",
        "low tone",
        "loud white noise",
        "soft pink noise",
    ][:size]
    tokens = tokenizer(captions, padding=True, return_tensors="pt")
    return {
        "mel": mel,
        "frames": frames,
        "captions": captions,
        "input_ids": tokens["input_ids"],
        "attention_mask": tokens["attention_mask"],
    }


def loss_and_grads(rank: int, world: int, port: int, checkpoint: str, distill: bool, out: str) -> None:
    """One forward/backward of the stage-2 step on this rank's slice of the global batch."""
    from torch.nn.parallel import DistributedDataParallel

    from engine.models.cacophony.checkpoint import load_checkpoint
    from trainer.objectives import ContrastiveCaptionStep, Teacher

    join(rank, world, port)
    model, tokenizer, _ = load_checkpoint(Path(checkpoint))
    model.train()
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    teachers = []
    if distill:
        teacher, teacher_tokenizer, _ = load_checkpoint(Path(checkpoint))
        with torch.no_grad():
            teacher.logit_scale.fill_(2.0)  # a different temperature than the student's
        teachers = [Teacher(teacher.eval(), teacher_tokenizer)]
    step = ContrastiveCaptionStep(model, caption_weight=0.5, teachers=teachers, distill_weight=0.7)
    runner = DistributedDataParallel(step, find_unused_parameters=True) if world > 1 else step
    batch = global_batch(tokenizer)
    local = len(batch["mel"]) // world
    part = {k: v[rank * local : (rank + 1) * local] for k, v in batch.items()}
    loss, metrics, _ = runner(part)
    loss.backward()
    if rank == 0:
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        torch.save({"metrics": {k: float(v) for k, v in metrics.items()}, "grads": grads}, out)
    if world > 1:
        dist.destroy_process_group()


def train_run(rank: int, world: int, port: int, config: dict) -> None:
    """The real training loop under torch.distributed."""
    from trainer.config import TrainConfig
    from trainer.loop import train

    join(rank, world, port)
    train(TrainConfig(**config))
    if world > 1:
        dist.destroy_process_group()
