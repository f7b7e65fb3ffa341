"""Linear warm-up then cosine decay to ``min_lr`` (cacophony.txt §IV-A). A pure function of
the step (and, for a run with a time budget, of the seconds trained), so resuming needs only
those two numbers."""

from __future__ import annotations

import math


def lr_at(step: int, peak: float, warmup: int, total: int, min_lr: float = 0.0) -> float:
    """The learning rate of step ``step`` of ``0 .. total - 1`` (the loop's numbering).

    It rises linearly to ``peak``, reached at step ``warmup`` only (a step held at the peak is
    a step of no decay), then falls every step along a cosine that lands on ``min_lr`` at the
    last step, ``total - 1``, so a run ends on the rate it was planned to end on; later steps
    (a run continued past its plan) stay there. A run too short to decay after its warm-up
    stays at the peak."""
    if step < warmup:
        return peak * (step + 1) / (warmup + 1)
    decay_steps = total - 1 - warmup
    if decay_steps <= 0:
        return peak
    progress = min((step - warmup) / decay_steps, 1.0)
    return min_lr + 0.5 * (peak - min_lr) * (1 + math.cos(math.pi * progress))


def paced_step(step: int, total: int, trained_s: float, budget_s: float | None) -> int:
    """Where a run is in its schedule of ``total`` steps: the steps done or, with a time budget,
    the share of it spent, whichever is further. A fine-tune plans its steps from a few timed
    ones; when the machine then runs slower (another program starts, the laptop throttles) the
    schedule keeps to the clock instead, and the run ends when the budget is spent."""
    if not budget_s:
        return step
    return max(step, min(total, math.floor(total * trained_s / budget_s)))
