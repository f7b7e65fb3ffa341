"""Training throughput benchmark: samples/s, TFLOP/s and MFU of stage-1 and stage-2 steps on
synthetic batches (no data loading), for any model config, on CPU or GPU. Each step is the
loop's own (``trainer.loop.train_step``: SAM's second pass, clipping and the logit-scale clamp
included), so what is timed is what trains.

    python -m trainer.bench --model small --batch 8 --steps 5
    python -m trainer.bench --model vit-b --batch 64 --device cuda --compile

Prints one JSON line per measurement. It measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from trainer.config import TrainConfig
from trainer.distributed import pick_device
from trainer.flops import peak_flops
from trainer.loop import _compile_blocks, autocast_for, make_optimizer, make_step, set_train_mode, train_step


def synthetic_batch(model, tokenizer, batch: int, seconds: float, device) -> dict:
    frames = round(seconds * 100)
    mel = torch.randn(batch, frames, model.cfg.n_mels) * 0.5
    captions = ["a wooden door creaks open slowly while rain falls on a metal roof"] * batch
    tokens = tokenizer(captions, padding=True, return_tensors="pt")
    return {
        "mel": mel.to(device),
        "frames": torch.full((batch,), frames, device=device),
        "captions": captions,
        "input_ids": tokens["input_ids"].to(device),
        "attention_mask": tokens["attention_mask"].to(device),
    }


def measure(
    stage: str,
    model_name: str,
    batch: int,
    steps: int,
    sam: bool,
    device_name: str,
    compile_blocks: bool,
    text_model: str | None,
) -> dict:
    from trainer.build import build_model

    overrides = {"text_model": text_model} if text_model else {}
    cfg = TrainConfig(stage=stage, model=model_name, model_overrides=overrides, sam=sam, train=["-"])
    device = pick_device(device_name)
    model, tokenizer = build_model(cfg)
    model.to(device)
    step = make_step(cfg, model, device)
    _, optimizer = make_optimizer(cfg, step, device)
    generator = torch.Generator(device).manual_seed(cfg.seed)
    if compile_blocks:
        _compile_blocks(model)
    seconds = 15.0 if stage == "stage1" else model.cfg.window_seconds
    data = synthetic_batch(model, tokenizer, batch, seconds, device)
    autocast = autocast_for(device)
    set_train_mode(model)

    def one_step() -> float:
        return train_step(step, model, optimizer, data, generator, cfg, autocast)[1]

    for _ in range(2):  # warm-up (and compilation)
        one_step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start, total_flops = time.perf_counter(), 0.0
    for _ in range(steps):
        total_flops += one_step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    result = {
        "stage": stage,
        "model": model_name,
        "device": str(device),
        "batch": batch,
        "sam": sam,
        "compile": compile_blocks,
        "threads": torch.get_num_threads(),
        "samples_per_s": batch * steps / elapsed,
        "tflops_per_s": total_flops / elapsed / 1e12,
    }
    peak = peak_flops(device)
    if peak:
        result["mfu"] = total_flops / elapsed / peak
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--text-model", help="text tower source (needed for configs whose tower lives in a checkpoint)")
    parser.add_argument("--stages", default="stage1,stage2")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--sam", action="store_true", help="stage 2 with SAM (two passes per step)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    for stage in args.stages.split(","):
        print(
            json.dumps(
                measure(
                    stage,
                    args.model,
                    args.batch,
                    args.steps,
                    args.sam and stage != "stage1",
                    args.device,
                    args.compile,
                    args.text_model,
                )
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
