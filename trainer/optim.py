"""The optimiser's parameter groups, shared by the trainer's loop, its benchmark and the GPU pack's
stages (trainer/packed.py, which must import without the data pipeline's audio decoders)."""

from __future__ import annotations

import torch


def param_groups(module: torch.nn.Module, weight_decay: float) -> list[dict]:
    """Weight decay on matrices only (not biases, norms, position/query/mask vectors). ``module``
    is the model, or the step module (the model plus trainer-only parts such as a teacher head)."""
    decay, no_decay = [], []
    for name, p in module.named_parameters():
        if p.requires_grad:
            (decay if p.ndim == 2 and not name.endswith("pos.freq") else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
