"""Training-run configuration: one dataclass, filled from a JSON file and ``--set key=value``.

Defaults follow cacophony.txt §IV where the paper gives a number; the stage presets only
change what differs between stages, so one file can drive stage1 -> stage2 -> distill.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.configs import config_from_dict
from trainer.teachers import TEACHERS

STAGES = ("stage1", "stage2", "distill", "finetune")


@dataclass
class TrainConfig:
    stage: str = "stage2"
    # Model: a config name from engine/models/cacophony/configs, with field overrides.
    model: str = "tiny"
    model_overrides: dict[str, Any] = field(default_factory=dict)
    # Initialisation: stage2 takes the audio encoder of a stage-1 checkpoint; finetune and
    # distill take a whole checkpoint (its config wins over ``model``).
    init: str | None = None
    # Data: manifests (generic JSONL/CSV, or a Clotho/AudioCaps/WavCaps file) per split.
    train: list[str] = field(default_factory=list)
    val: list[str] = field(default_factory=list)
    audio_root: str | None = None  # base folder for relative audio paths (default: the manifest's folder)
    crop_seconds: float | None = None  # None: 15 s in stage 1, the model's window (10.24 s) after
    max_seconds: float = 30.0  # with feature fusion, audio up to this long reaches the model whole
    keyword_caption_prob: float = 0.0  # chance of training on a tag caption when an item has tags
    cache_dir: str | None = None  # log-mel cache; None: <out>/mel-cache, "" turns it off
    num_workers: int = 2
    # Optimisation (cacophony.txt §IV-A).
    out: str = "runs/train"
    batch_size: int = 32
    steps: int = 1000  # the length of the lr schedule
    stop_after: int | None = None  # end at this step with the schedule still spanning `steps`
    # Seconds the steps and validations may take over all of a run's pieces: the schedule then
    # moves on with time as well as steps (trainer.schedule.paced_step), so a machine slower than
    # measured ends on time with its learning rate decayed, having done fewer steps.
    time_budget_s: float | None = None
    lr: float = 1e-5
    min_lr: float = 1e-6
    warmup_steps: int = 100
    weight_decay: float = 0.01
    betas: tuple[float, float] = (0.9, 0.999)
    grad_clip: float = 1.0  # 0 turns it off
    sam: bool = True
    sam_rho: float = 0.075
    caption_weight: float = 1.0  # lambda_cap (the paper does not print its value)
    max_logit_scale: float = 4.6052  # log 100, as CLIP
    # salsa distillation (estimated-correspondences.txt §3).
    teachers: list[str] = field(default_factory=list)  # checkpoints; empty = a frozen copy of init
    distill_weight: float = 1.0  # L = (1-w) L_con + w L_dist (+ lambda_cap L_cap); 1 = the paper
    distill_temperature: float | None = None  # None: the teachers' mean learned temperature
    # Distillation from a pretrained audio-only network (trainer/teachers; not salsa's `teachers`):
    # loss + teacher_weight * (1 - cos(head(pooled audio), teacher's centred clip vector)), stages 2+.
    teacher: str | None = None  # "aisfx"
    teacher_weight: float = 0.0
    teacher_cache: str | None = None  # teacher vectors, one .npy per file; None: <out>/teacher-cache
    # Running.
    seed: int = 0
    device: str = "auto"  # auto = cuda if available
    compile: bool = False
    log_every: int = 10
    save_every: int = 500
    eval_every: int = 0  # 0: only at the end
    resume: bool = True  # continue from <out>/last when it exists
    peak_flops: float | None = None  # per device, for MFU; None = looked up for known GPUs

    def __post_init__(self):
        if self.stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}, not {self.stage!r}")
        self.betas = tuple(self.betas)
        if self.teacher is not None and self.teacher not in TEACHERS:
            raise ValueError(f"teacher must be one of {sorted(TEACHERS)}, not {self.teacher!r}")
        if self.teacher_weight and self.teacher is None:
            raise ValueError("teacher_weight needs a teacher (teacher=aisfx)")
        if self.teacher_weight and self.stage == "stage1":
            raise ValueError(
                "stage1 (MAE) has no pooled audio embedding to distil a teacher into: use the teacher from stage2 on"
            )

    @property
    def out_dir(self) -> Path:
        return Path(self.out)

    @property
    def teacher_cache_dir(self) -> Path:
        return Path(self.teacher_cache) if self.teacher_cache else self.out_dir / "teacher-cache"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# What each stage changes from the defaults (the paper's settings, cacophony.txt §IV-A).
STAGE_PRESETS: dict[str, dict[str, Any]] = {
    "stage1": {"lr": 2e-4, "sam": False, "caption_weight": 0.0},
    "stage2": {},
    "distill": {},
    "finetune": {"warmup_steps": 10},
}


def parse_value(text: str) -> Any:
    """``--set`` values are JSON when they parse (numbers, true, lists), else plain strings."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``key=value`` pairs; ``model_overrides.width=64`` reaches into a dict field."""
    data = dict(data)
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"--set expects key=value, got {item!r}")
        key, text = item.split("=", 1)
        value = parse_value(text)
        if "." in key:
            outer, inner = key.split(".", 1)
            data[outer] = {**data.get(outer, {}), inner: value}
        else:
            data[key] = value
    return data


def load_config(stage: str, path: str | Path | None = None, overrides: list[str] = ()) -> TrainConfig:
    """Stage preset <- JSON file <- overrides. Unknown keys are an error, not a silent no-op."""
    data: dict[str, Any] = dict(STAGE_PRESETS[stage])
    if path is not None:
        data |= json.loads(Path(path).read_text())
    data = apply_overrides(data, list(overrides))
    data["stage"] = stage
    return config_from_dict(TrainConfig, data, "training config")
