"""The fine-tune's device, batch size and number of steps, from what this machine measures.

Nothing here guesses a speed: the run times a few real steps on the real data and device
(:func:`trainer.library.run.measure_steps`), and on a GPU measures the memory a sample takes at
two batch sizes; this module turns those measurements into a plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.finetune.job import BudgetTooShort

NO_GPU = "No GPU found (no CUDA or Apple Metal device): fine-tuning on the CPU, which works but is slower."
MEMORY_SHARE = 0.7  # of the free GPU memory: leaves room for fragmentation and the evaluation
MIN_STEPS = 10  # fewer steps than this do not fine-tune anything
# a run validates after each epoch, or after every few when it has more epochs than this: twenty
# points draw its curve, and a small library's hundred-odd epochs would print a hundred lines
MAX_VALIDATIONS = 20


def resolve_device(requested: str) -> tuple[str, str]:
    """(torch device, a note for the user). ``auto`` takes a GPU when there is one; asking for
    a GPU that is not there is an error that says what to do instead."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if requested == "auto":
        if cuda:
            return "cuda", f"Fine-tuning on the GPU ({torch.cuda.get_device_name(0)})."
        if mps:
            return "mps", "Fine-tuning on the Apple GPU (Metal)."
        return "cpu", NO_GPU
    if requested == "cuda" and not cuda:
        raise ValueError(
            f"--device cuda: no CUDA GPU is available here (PyTorch {torch.__version__} sees none); "
            "use --device cpu, which works but is slower"
        )
    if requested == "mps" and not mps:
        raise ValueError(
            "--device mps: no Apple Metal GPU is available here; use --device cpu, which works but is slower"
        )
    if requested not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be auto, cpu, cuda or mps, not {requested!r}")
    return requested, "Fine-tuning on the CPU." if requested == "cpu" else f"Fine-tuning on {requested}."


def free_gpu_memory() -> tuple[int, int]:
    """(free, total) bytes of the current CUDA device."""
    free, total = torch.cuda.mem_get_info()
    return int(free), int(total)


@dataclass(frozen=True)
class MemoryUse:
    """Peak GPU memory of a training step as ``fixed + per_sample * batch`` (two measured points)."""

    fixed: float
    per_sample: float

    @classmethod
    def from_peaks(cls, small: tuple[int, int], large: tuple[int, int]) -> MemoryUse:
        """``small`` and ``large`` are (batch size, peak bytes) of two measured steps."""
        (b1, p1), (b2, p2) = small, large
        per_sample = max((p2 - p1) / (b2 - b1), 1.0)
        return cls(max(p1 - per_sample * b1, 0.0), per_sample)

    def batch_for(self, free_bytes: int, share: float = MEMORY_SHARE, low: int = 8, high: int = 256) -> int:
        """The largest power-of-two batch whose step fits in ``share`` of the free memory, in [low, high]."""
        fits = (free_bytes * share - self.fixed) / self.per_sample
        if fits < low:
            raise ValueError(
                f"the GPU has {free_bytes / 2**30:.1f} GiB free, too little for a batch of {low} "
                f"(a step needs about {(self.fixed + low * self.per_sample) / 2**30:.1f} GiB); "
                "close what else uses it, or use --device cpu"
            )
        return int(min(high, 2 ** math.floor(math.log2(fits))))


def fit_batch(batch: int, train_items: int) -> int:
    """At most half the training set, so an epoch has two steps or more (and at least 2)."""
    return max(2, min(batch, train_items // 2))


@dataclass(frozen=True)
class Plan:
    """How many steps fit in the budget, and the estimate shown before training starts."""

    steps: int
    steps_per_epoch: int
    step_seconds: float
    validation_seconds: float  # one validation pass
    final_seconds: float  # the final evaluation and export
    spent_seconds: float  # preparing and measuring, already done

    @property
    def epochs(self) -> float:
        return self.steps / self.steps_per_epoch

    @property
    def epochs_between_validations(self) -> int:
        return max(1, math.ceil(self.epochs / MAX_VALIDATIONS))

    @property
    def validations(self) -> int:
        """One every :attr:`epochs_between_validations` epochs, and one after the last step."""
        return math.ceil(self.steps / (self.steps_per_epoch * self.epochs_between_validations))

    @property
    def training_seconds(self) -> float:
        return self.steps * self.step_seconds + self.validations * self.validation_seconds

    @property
    def total_seconds(self) -> float:
        return self.spent_seconds + self.training_seconds + self.final_seconds

    def schedule(self, save_seconds: float) -> dict[str, int]:
        """The training settings that follow the number of steps. The warm-up is a tenth of *these*
        steps: one sized for the budget's steps would leave a shorter ``--set steps=N`` run at a
        fraction of its learning rate (on a fast machine, a few hundredths: nothing learnt)."""
        return {
            "steps": self.steps,
            "warmup_steps": max(1, self.steps // 10),
            "eval_every": self.steps_per_epoch * self.epochs_between_validations,
            # a log line every ~5 s, and at least 20 in a run, so a short run shows its progress too
            "log_every": max(1, min(round(5 / self.step_seconds), self.steps // 20)),
            "save_every": max(1, round(save_seconds / self.step_seconds)),
        }

    def describe(self) -> str:
        """The plan in a sound designer's words, the total first: the Fine-tune page and the CLI
        show it before training starts ("epochs" and "validation" said nothing to one). Passes, not
        "each sound heard N times": a pass hears its whole batches (144 of 158 sounds, say), so
        the sounds are heard fewer times than there are passes (review 15)."""
        every = self.epochs_between_validations
        when = "each pass" if every == 1 else f"every {every} passes"
        return (
            f"About {self.total_seconds / 60:.1f} min: {self.steps} training steps of "
            f"{self.step_seconds:.2f} s ({self.epochs:.1f} passes over your sounds), a check of "
            f"{self.validation_seconds:.0f} s after {when} and {self.final_seconds:.0f} s at the end; "
            f"preparing took {self.spent_seconds:.0f} s."
        )


def plan_steps(
    budget_s: float,
    spent_s: float,
    step_s: float,
    steps_per_epoch: int,
    validation_s: float,
    final_s: float,
    min_steps: int = MIN_STEPS,
) -> Plan:
    """The most steps whose training, validations and final evaluation end within the budget.
    Raises BudgetTooShort (a ValueError) with the budget that would do, when not even ``min_steps`` fit."""
    left = budget_s - spent_s - final_s
    per_step = step_s + validation_s / steps_per_epoch
    steps = math.floor((left - validation_s) / per_step)  # a validation after each epoch
    if steps / steps_per_epoch > MAX_VALIDATIONS:  # more epochs than validations: these fit more steps
        steps = math.floor((left - MAX_VALIDATIONS * validation_s) / step_s)
    plan = Plan(max(steps, 0), steps_per_epoch, step_s, validation_s, final_s, spent_s)
    if steps < min_steps:
        minutes = math.ceil((spent_s + final_s + validation_s + min_steps * per_step) / 60)
        measured = (
            f"preparing took {spent_s:.0f} s, a training step takes {step_s:.1f} s and evaluating {final_s:.0f} s"
        )
        raise BudgetTooShort(
            f"{budget_s / 60:.1f} minutes is too short on this machine: {measured}; choose at least {minutes} minutes",
            minutes,
            measured,
        )
    return plan
