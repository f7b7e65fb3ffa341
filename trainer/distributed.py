"""torch.distributed plumbing: one process per device under torchrun, or a plain single process.

The contrastive matrix needs every rank's embeddings: :func:`gather_with_grad` all-gathers
them with an all-gather whose backward sums the gradients back to their owners (open_clip's
``gather_with_grad``), so with DDP's gradient averaging the update equals the one a single
process would make on the global batch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.distributed.nn.functional as dist_fn


@dataclass(frozen=True)
class DistEnv:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1


def pick_device(preference: str = "auto", local_rank: int = 0) -> torch.device:
    if preference == "auto":
        preference = "cuda" if torch.cuda.is_available() else "cpu"
    if preference == "cuda":
        return torch.device("cuda", local_rank)
    return torch.device(preference)


def init_distributed(device_preference: str = "auto") -> DistEnv:
    """Join the process group torchrun describes (WORLD_SIZE > 1), else a single process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = pick_device(device_preference, local_rank)
    if world == 1:
        return DistEnv(device=device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    return DistEnv(dist.get_rank(), dist.get_world_size(), local_rank, device)


def current_world() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Concatenate ``x`` from every rank in rank order; gradients flow back to each owner."""
    if current_world() == 1:
        return x
    return torch.cat(dist_fn.all_gather(x), dim=0)


def gather_no_grad(x: torch.Tensor) -> torch.Tensor:
    if current_world() == 1:
        return x
    parts = [torch.empty_like(x) for _ in range(current_world())]
    dist.all_gather(parts, x.contiguous())
    return torch.cat(parts, dim=0)


def all_reduce_sum(x: torch.Tensor) -> torch.Tensor:
    """Sum over ranks (no gradient): used for global token/patch counts."""
    if current_world() == 1:
        return x
    x = x.detach().clone()
    dist.all_reduce(x)
    return x
