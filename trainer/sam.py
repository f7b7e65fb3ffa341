"""Sharpness-aware minimisation (Foret et al.; cacophony.txt §IV-B) as an optimizer wrapper.

One update needs two gradients: at ``w`` (to find ``eps = rho * g / ||g||``) and at ``w + eps``
(what the base optimizer then applies at ``w``)::

    loss(model).backward(); sam.first_step()      # w -> w + eps
    loss(model).backward(); sam.second_step()     # back to w, base step with the new gradient

The norm is over every parameter that has a gradient (after DDP's all-reduce, so all ranks
perturb identically). Gradient clipping, when wanted, goes between the second backward and
``second_step``.
"""

from __future__ import annotations

import torch


class SAM:
    def __init__(self, base: torch.optim.Optimizer, rho: float = 0.075):
        if rho <= 0:
            raise ValueError(f"SAM needs rho > 0, got {rho}")
        self.base = base
        self.rho = rho
        self._perturbation: dict[torch.Tensor, torch.Tensor] = {}

    @property
    def param_groups(self):
        return self.base.param_groups

    def _params(self):
        return [p for group in self.base.param_groups for p in group["params"] if p.grad is not None]

    @torch.no_grad()
    def first_step(self) -> None:
        params = self._params()
        grad_norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
        scale = self.rho / (grad_norm + 1e-12)
        for p in params:
            eps = p.grad * scale
            p.add_(eps)
            self._perturbation[p] = eps
        self.base.zero_grad(set_to_none=True)

    @torch.no_grad()
    def second_step(self) -> None:
        if not self._perturbation:
            raise RuntimeError("SAM.second_step() called without first_step()")
        for p, eps in self._perturbation.items():
            p.sub_(eps)
        self._perturbation.clear()
        self.base.step()

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.base.zero_grad(set_to_none=set_to_none)

    def state_dict(self) -> dict:
        return self.base.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.base.load_state_dict(state)
