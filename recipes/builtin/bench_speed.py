"""Indexing-speed benchmark for a Cacophony checkpoint: embed_audio throughput on 10 s clips
with 2 torch threads (issue 4's target: >= 10 files/s), or with ``--short`` on one-shots of
0.3-6 s, each its own length, batched as the indexer batches a folder of them. Prints numbers;
asserts nothing.

    python recipes/builtin/bench_speed.py [BASELINE CHECKPOINT ...] [--clips 32] [--batch 8] [--short]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch

from engine.models.cacophony.backend import CacophonyBackend


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "checkpoints", nargs="*", default=["resources/models/builtin"], help="the first is the baseline"
    )
    parser.add_argument("--clips", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--short", action="store_true", help="clips of 0.3-6 s, each its own length")
    args = parser.parse_args()
    torch.set_num_threads(2)
    baseline = None
    for checkpoint in args.checkpoints:
        per_file = cpu_seconds_per_file(Path(checkpoint), args)
        baseline = baseline or per_file
        print(f"  {baseline / per_file:.2f}x the speed of {args.checkpoints[0]} (CPU time, same run)")


def cpu_seconds_per_file(checkpoint: Path, args: argparse.Namespace) -> float:
    backend = CacophonyBackend.from_checkpoint(checkpoint)
    rate = backend.info.sample_rate  # 44.1 kHz for a model with a UCS bridge, which hears that rate
    rng = np.random.default_rng(0)
    seconds = rng.uniform(0.3, 6.0, args.clips) if args.short else np.full(args.clips, args.seconds)
    clips = [(rng.standard_normal(int(s * rate)) * 0.1).astype(np.float32) for s in seconds]
    backend.embed_audio(clips[:2])  # warm-up
    start, cpu_start = time.perf_counter(), time.process_time()
    for i in range(0, len(clips), args.batch):
        backend.embed_audio(clips[i : i + args.batch])
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # On a shared machine wall-clock speed depends on the neighbours; CPU time per file does
    # not, and 2 / (CPU s per file) is what 2 free cores would give.
    print(
        f"{checkpoint}: {len(clips) / elapsed:.1f} files/s wall "
        f"({'0.3-6' if args.short else f'{args.seconds:g}'} s clips, batch {args.batch}, "
        f"torch threads 2, {elapsed:.1f} s for {len(clips)}, load average {os.getloadavg()[0]:.1f}); "
        f"{cpu / len(clips):.3f} CPU s per file = {2 * len(clips) / cpu:.1f} files/s on 2 free cores"
    )
    return cpu / len(clips)


if __name__ == "__main__":
    main()
