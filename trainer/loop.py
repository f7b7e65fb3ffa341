"""The training loop every stage shares (nanoGPT-style: one function, top to bottom).

Per step: lr from the schedule -> ``train_step``: forward/backward (twice with SAM, on the same
sampled patches) -> clip -> AdamW -> clamp the logit scale (trainer/bench.py times that same
function). Every ``log_every`` steps one JSON line (loss parts, lr, samples/s, MFU) goes to the
log and ``<out>/log.jsonl``; every ``save_every`` steps ``<out>/last`` is rewritten (an
app-loadable checkpoint plus the optimizer state), and the run ends with ``<out>/final``.
A stop asked for during the steps (:data:`STOP`) is made at the end of the step, ``last`` saved.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import torch
import torch.distributed as dist
from safetensors.torch import load_file
from torch.nn.parallel import DistributedDataParallel

from engine.fs import atomic_file, recovered_folder, swap_folder_in
from engine.models.cacophony.checkpoint import WEIGHTS_FILE, load_checkpoint, save_checkpoint
from engine.models.cacophony.model import Cacophony
from trainer.build import build_model
from trainer.config import TrainConfig
from trainer.data.dataset import Collate, CropDataset, StepBatches, step_loader
from trainer.data.manifest import Item, read_manifests
from trainer.data.melcache import MelSource
from trainer.distributed import DistEnv, init_distributed
from trainer.evaluation.retrieval import evaluate_cacophony_on_mels
from trainer.flops import peak_flops
from trainer.objectives import ContrastiveCaptionStep, MaeStep, Teacher
from trainer.optim import param_groups
from trainer.sam import SAM
from trainer.schedule import lr_at, paced_step
from trainer.state import load_state, save_state
from trainer.teachers import teacher_class
from trainer.teachers.cache import TeacherVectors, teacher_targets

log = logging.getLogger("trainer")

STOPPED_EXIT = 143  # 128 + SIGTERM: what a run a stop ended exits with, at once or at the end of its step


class StopRequest:
    """A stop asked for while the loop trains (SIGTERM to ``earmark-train library-finetune``: the
    app's Pause, Ctrl-C in ``earmark finetune``), made at the end of the step: the loop saves
    ``<out>/last``, the checkpoint its periodic save writes, and exits with :data:`STOPPED_EXIT`.
    An exit at once lost every step since the last save, all of them in a run's first minute.
    Outside the steps, and in a run that does not resume from ``last`` (the timing runs of
    trainer.library.run.measure_steps), there is nothing to keep: :meth:`ask` says to stop now.
    One process's: the ranks of a data-parallel run would have to agree on the step."""

    def __init__(self) -> None:
        self.keeping = False  # the loop is in the steps of a run that resumes from ``last``
        self.asked = False
        self.ever_asked = False  # a stop was asked at some point of this process

    def ask(self) -> bool:
        """Ask for the stop: True when the loop makes it at the end of its step, False when the
        caller must stop now (outside the steps, or asked again)."""
        self.ever_asked = True
        if not self.keeping or self.asked:
            return False
        self.asked = True
        return True

    @contextlib.contextmanager
    def during_steps(self, keeps: bool) -> Iterator[None]:
        """The loop's steps; ``keeps``: a stop during them is made at the end of the step."""
        self.keeping, self.asked = keeps, False
        try:
            yield
        finally:
            self.keeping = False


STOP = StopRequest()  # the process's one: a signal handler asks it (trainer/cli.py)


def crop_frames(cfg: TrainConfig, model: Cacophony) -> int:
    if cfg.crop_seconds is not None:
        seconds = cfg.crop_seconds
    elif cfg.stage == "stage1":
        seconds = 15.0
    else:
        seconds = cfg.max_seconds if model.cfg.fusion else model.cfg.window_seconds
    return round(seconds * 100)


def set_train_mode(model: Cacophony) -> None:
    """Train mode, except a frozen text tower, which must not run dropout (LiT)."""
    model.train()
    if model.cfg.text_frozen:
        model.text.eval()


def make_step(cfg: TrainConfig, model: Cacophony, device: torch.device) -> torch.nn.Module:
    if cfg.stage == "stage1":
        for name, p in model.named_parameters():  # only the MAE's parts learn (and DDP sees only them)
            p.requires_grad_(name.startswith(("audio.", "mae_decoder.")))
        return MaeStep(model)
    teachers = []
    if cfg.stage == "distill":
        sources = cfg.teachers or [cfg.init]
        for source in sources:
            teacher, tokenizer, _ = load_checkpoint(Path(source), device)
            teacher.requires_grad_(False)
            teachers.append(Teacher(teacher.eval(), tokenizer))
    teacher_dim = teacher_class(cfg.teacher).dim if cfg.teacher_weight else 0
    return ContrastiveCaptionStep(
        model,
        cfg.caption_weight,
        teachers,
        cfg.distill_weight,
        cfg.distill_temperature,
        cfg.teacher_weight,
        teacher_dim,
    ).to(device)


def make_optimizer(
    cfg: TrainConfig, step_module: torch.nn.Module, device: torch.device
) -> tuple[torch.optim.AdamW, torch.optim.AdamW | SAM]:
    """(the AdamW, what steps it: SAM around it when ``cfg.sam``). The AdamW is what holds the
    learning rate and the state a resumed run reloads; SAM only moves the weights around it."""
    base = torch.optim.AdamW(
        param_groups(step_module, cfg.weight_decay), lr=cfg.lr, betas=cfg.betas, fused=device.type == "cuda"
    )
    return base, SAM(base, cfg.sam_rho) if cfg.sam else base


def autocast_for(device: torch.device) -> contextlib.AbstractContextManager:
    """The step's precision: bf16 autocast on a GPU, fp32 on a CPU (the loop and the benchmark alike)."""
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()


def train_step(
    runner: torch.nn.Module,
    model: Cacophony,
    optimizer: torch.optim.AdamW | SAM,
    batch: dict,
    generator: torch.Generator,
    cfg: TrainConfig,
    autocast: contextlib.AbstractContextManager,
) -> tuple[dict, float]:
    """One update from one batch at the optimizer's current lr; returns the step's metrics and
    its FLOPs on this rank. ``runner`` is the step module (``make_step``), DDP-wrapped or not.

    With SAM the second pass replays ``generator``'s draw, so both gradients are of the same
    patches and masks. A function of its own so that the benchmark times the step that trains."""
    draw = generator.get_state()
    with autocast:
        loss, metrics, flops = runner(batch, generator)
    loss.backward()
    if cfg.sam:
        optimizer.first_step()
        generator.set_state(draw)
        with autocast:
            second_loss, _, _ = runner(batch, generator)
        second_loss.backward()
        flops *= 2
    if cfg.grad_clip:
        metrics["grad_norm"] = torch.nn.utils.clip_grad_norm_(runner.parameters(), cfg.grad_clip)
    optimizer.second_step() if cfg.sam else optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    with torch.no_grad():
        model.logit_scale.clamp_(0, cfg.max_logit_scale)
    return metrics, flops


def split_items(cfg: TrainConfig) -> tuple[list[Item], list[Item]]:
    """Training items are the ``train`` split of ``cfg.train``; validation items are all of
    ``cfg.val``, or else the ``val`` split of ``cfg.train``."""
    train = read_manifests(cfg.train, cfg.audio_root, split="train")
    if cfg.val:
        val = read_manifests(cfg.val, cfg.audio_root)
    else:
        val = [item for item in read_manifests(cfg.train, cfg.audio_root) if item.split == "val"]
    return train, val


def train(cfg: TrainConfig) -> Path:
    """Run one stage; returns the final checkpoint folder."""
    env = init_distributed(cfg.device)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # loader workers tokenize; no thread pools per fork
    if not cfg.train:
        raise ValueError("no training data: set train=[<manifest>, ...]")
    torch.manual_seed(cfg.seed)
    model, tokenizer = build_model(cfg)
    model.to(env.device)
    out = cfg.out_dir
    if env.is_main:
        out.mkdir(parents=True, exist_ok=True)
        with atomic_file(out / "train_config.json") as partial:  # read by whoever resumes the run
            partial.write_text(json.dumps(cfg.to_dict(), indent=2))

    train_items, val_items = split_items(cfg)
    cache_dir = (out / "mel-cache") if cfg.cache_dir is None else (cfg.cache_dir or None)
    mels = MelSource(model.cfg.sample_rate, model.cfg.n_mels, cache_dir)
    need_captions = cfg.stage != "stage1"
    targets = None
    if cfg.teacher_weight:
        files = [item.audio for item in CropDataset.trainable(train_items, need_captions)]
        targets = teacher_targets(files, TeacherVectors(cfg.teacher, cfg.teacher_cache_dir), cfg.num_workers)
    dataset = CropDataset(
        train_items, mels, crop_frames(cfg, model), cfg.seed, cfg.keyword_caption_prob, need_captions, targets
    )
    collate = Collate(tokenizer if need_captions else None, model.cfg.max_text_tokens)

    step_module = make_step(cfg, model, env.device)
    base, optimizer = make_optimizer(cfg, step_module, env.device)
    generator = torch.Generator(env.device).manual_seed(cfg.seed * 1_000 + env.rank)
    start_step, trained_before = _resume(cfg, step_module, base, generator, env) if cfg.resume else (0, 0.0)
    if cfg.compile:
        _compile_blocks(model)
    runner = (
        DistributedDataParallel(
            step_module,
            device_ids=[env.device.index] if env.device.type == "cuda" else None,
            find_unused_parameters=True,
        )
        if env.distributed
        else step_module
    )
    autocast = autocast_for(env.device)
    peak = peak_flops(env.device, cfg.peak_flops)
    sampler = StepBatches(len(dataset), cfg.batch_size, cfg.seed, env.rank, env.world, start_step)
    loader = step_loader(dataset, collate, sampler, cfg.num_workers)
    log.info(
        "%s: %d train / %d val items, %d steps/epoch, model %s on %s x%d",
        cfg.stage,
        len(dataset),
        len(val_items),
        sampler.steps_per_epoch,
        model.cfg.name,
        env.device,
        env.world,
    )

    step, window_start, window_flops, window_samples = start_step, time.perf_counter(), 0.0, 0
    set_train_mode(model)
    batches = iter(loader)
    end = min(cfg.steps, cfg.stop_after or cfg.steps)  # a budgeted run stops early on the same schedule
    clock = time.perf_counter()

    def trained_s() -> float:  # this run's training time over all its pieces
        return trained_before + time.perf_counter() - clock

    def position(step: int) -> int:  # where the run is in its schedule (trainer.schedule.paced_step)
        at = paced_step(step, cfg.steps, trained_s(), cfg.time_budget_s)
        return _rank_zeros(at, env) if cfg.time_budget_s else at

    at = position(step)
    evaluated_at = None
    with STOP.during_steps(cfg.resume):
        while at < end:
            epoch = step // sampler.steps_per_epoch
            batch = {
                k: v.to(env.device, non_blocking=True) if torch.is_tensor(v) else v for k, v in next(batches).items()
            }
            lr = lr_at(at, cfg.lr, cfg.warmup_steps, cfg.steps, cfg.min_lr)
            for group in base.param_groups:
                group["lr"] = lr
            metrics, flops = train_step(runner, model, optimizer, batch, generator, cfg, autocast)
            step += 1
            at = position(step)
            window_flops += flops * env.world
            window_samples += cfg.batch_size
            if env.is_main and (step % cfg.log_every == 0 or at >= end):
                elapsed = time.perf_counter() - window_start
                record = {
                    "step": step,
                    "epoch": epoch,
                    "lr": lr,
                    "trained_s": trained_s(),
                    **{k: float(v) for k, v in metrics.items()},
                    "samples_per_s": window_samples / elapsed,
                    "tflops_per_s": window_flops / elapsed / 1e12,
                }
                if cfg.stage != "stage1":
                    record["temperature"] = model.temperature
                if peak:
                    record["mfu"] = window_flops / elapsed / (peak * env.world)
                _log(out, record)
                window_start, window_flops, window_samples = time.perf_counter(), 0.0, 0
            if STOP.asked:  # at the end of this step: ``last`` is saved below, as at the run's end
                break
            if cfg.save_every and step % cfg.save_every == 0 and at < end:
                _save(cfg, step_module, tokenizer, base, generator, step, trained_s(), env, out / "last")
            if val_items and cfg.eval_every and step % cfg.eval_every == 0 and need_captions:
                _evaluate(model, tokenizer, val_items, mels, env, out, step)
                evaluated_at = step

    _save(cfg, step_module, tokenizer, base, generator, step, trained_s(), env, out / "last")
    if STOP.asked:
        log.info("stopped at step %d as asked: %s continues from there", step, out / "last")
        sys.exit(STOPPED_EXIT)
    if val_items and need_captions and evaluated_at != step:  # the last step's, unless just measured
        _evaluate(model, tokenizer, val_items, mels, env, out, step)
    final = out / "final"
    if env.is_main:  # written beside and swapped in, as ``last`` is: never new weights with an old config
        staging = final.with_name(final.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        save_checkpoint(model, tokenizer, staging, extra={"name": f"{model.cfg.name}-{cfg.stage}", "step": step})
        swap_folder_in(staging, final)
    if env.distributed:
        dist.barrier()
    return final


def _rank_zeros(value: int, env: DistEnv) -> int:
    """Rank 0's ``value`` on every rank. Each rank's clock reads a little differently, and a rank
    whose time budget ran out one step before the others' would leave them waiting in their
    gradient all-reduce for ever."""
    if not env.distributed:
        return value
    shared = torch.tensor([value], device=env.device)
    dist.broadcast(shared, src=0)
    return int(shared.item())


def _log(out: Path, record: dict) -> None:
    log.info(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()))
    with (out / "log.jsonl").open("a") as f:
        f.write(json.dumps(record) + "\n")


def _evaluate(model, tokenizer, items, mels, env: DistEnv, out: Path, step: int) -> None:
    if env.is_main:
        metrics = evaluate_cacophony_on_mels(model, tokenizer, items, mels, env.device)
        _log(out, {"step": step, **{f"val/{k}": v for k, v in metrics.items()}})
        set_train_mode(model)
    if env.distributed:
        dist.barrier()


def _save(cfg, step_module, tokenizer, optimizer, generator, step, trained_s, env: DistEnv, folder: Path) -> None:
    """Checkpoint + optimizer state, written beside and then swapped in, so a crash while
    saving leaves the previous ``last`` intact. Trainer-only weights (a teacher head) go to
    the optimizer state's file, never into the app-loadable checkpoint."""
    if env.is_main:
        model = step_module.model
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        save_checkpoint(
            model,
            tokenizer,
            staging,
            keep_mae_decoder=cfg.stage == "stage1",
            extra={"name": f"{model.cfg.name}-{cfg.stage}", "step": step},
        )
        save_state(
            staging,
            {
                "step": step,
                "trained_seconds": trained_s,
                "optimizer": optimizer.state_dict(),
                "generator": generator.get_state(),
                "torch_rng": torch.get_rng_state(),
                "cuda_rng": torch.cuda.get_rng_state_all() if env.device.type == "cuda" else None,
                "stage": cfg.stage,
                "trainer_weights": _trainer_weights(step_module),
            },
        )
        swap_folder_in(staging, folder)
    if env.distributed:
        dist.barrier()


def _trainer_weights(step_module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The step module's own parameters, outside the model (the teacher head)."""
    return {k: v for k, v in step_module.state_dict().items() if not k.startswith("model.")}


def _resume(cfg, step_module, optimizer, generator, env: DistEnv) -> tuple[int, float]:
    """The step and the seconds trained of the run saved in ``out/last``; (0, 0) when none is."""
    folder = recovered_folder(cfg.out_dir / "last")
    state = load_state(folder)
    if state is None:
        return 0, 0.0
    if state.get("stage") != cfg.stage:
        raise ValueError(f"{folder} holds a {state.get('stage')} run, not {cfg.stage}: use another out folder")
    weights = {f"model.{k}": v for k, v in load_file(folder / WEIGHTS_FILE, device=str(env.device)).items()}
    saved_own = {k: v.to(env.device) for k, v in state.get("trainer_weights", {}).items()}
    unexpected = step_module.load_state_dict(weights | saved_own, strict=False).unexpected_keys
    if unexpected or saved_own.keys() != _trainer_weights(step_module).keys():
        raise ValueError(
            f"{folder} does not fit this run (e.g. {unexpected[:3]}; trainer-only weights "
            f"{sorted(saved_own)}): use another out folder"
        )
    optimizer.load_state_dict(state["optimizer"])
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch_rng"])
    if state.get("cuda_rng") is not None and env.device.type == "cuda":  # dropout draws on the GPU
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    if env.is_main:
        _forget_logged_after(cfg.out_dir / "log.jsonl", int(state["step"]))
    log.info("resumed %s at step %d", folder, state["step"])
    return int(state["step"]), float(state.get("trained_seconds", 0.0))


def _forget_logged_after(log_file: Path, step: int) -> None:
    """Drop what the log says happened after ``step``: a run killed after its last save trains
    and logs those steps again, and the app reads each validation as a point of its curve."""
    if not log_file.is_file():
        return
    lines = log_file.read_text().splitlines()
    kept = [line for line in lines if json.loads(line).get("step", 0) <= step]
    if len(kept) < len(lines):
        with atomic_file(log_file) as partial:
            partial.write_text("".join(f"{line}\n" for line in kept))


def _compile_blocks(model: Cacophony) -> None:
    """torch.compile each transformer block in place (names in the state dict stay the same)."""
    for stack in (
        model.audio.blocks,
        getattr(model.mae_decoder, "blocks", []),
        getattr(model.caption_decoder, "blocks", []),
    ):
        for block in stack:
            block.compile(dynamic=True)
