"""Linear warm-up then cosine decay to ``min_lr`` (cacophony.txt §IV-A). A pure function of
the step, so resuming needs only the step number."""

from __future__ import annotations

import math


def lr_at(step: int, peak: float, warmup: int, total: int, min_lr: float = 0.0) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    if total <= warmup:
        return peak
    progress = min((step - warmup) / max(total - warmup, 1), 1.0)
    return min_lr + 0.5 * (peak - min_lr) * (1 + math.cos(math.pi * progress))
