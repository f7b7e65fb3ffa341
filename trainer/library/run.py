"""``earmark-train library-finetune``: fine-tune the active model on the user's library, as one job.

Phases, each reported in the job folder (engine/finetune/job.py), which the app and
``earmark finetune`` watch:

1. preparing: pairs from the index (trainer/library/pairs.py), whole folders held out, every
   clip's log-mel cached (the audio is read once);
2. measuring: the starting model on the held-out folders, content only (their audio against
   their captions; names play no part in it), then a few real training steps timed on this
   machine (and on a GPU, the memory a sample takes) -> the plan: the steps that fit the budget,
   and the estimate;
3. training: the stage-2 loss (InfoNCE + captioning) mixed with salsa self-distillation from the
   starting model's own estimated correspondences (estimated-correspondences.txt §5.2:
   L = (1 - w) L_con + w L_dist + lambda_cap L_cap, the frozen starting model as the one teacher,
   so what it knew keeps anchoring the new space), validation after each epoch (every few epochs
   past twenty), a resumable checkpoint about every minute;
4. evaluating: the fine-tuned model exported, its UCS bridge's words head (when it has one)
   taught the library's names (trainer/library/words.py), then scored on the same held-out folders;
   ``result.json`` says whether it beats the starting model: a higher search mAP@10 (each
   distinct held-out caption asked as a search) that a paired bootstrap over the held-out folders
   does not explain by one or two of them (:data:`MAX_NO_GAIN_CHANCE`), over at least
   ``MIN_HELD_OUT_FOLDERS`` folders.

Started again on the same job folder it continues where it stopped: the request, the split and
the plan are written once and reused, and training resumes from ``run/last``.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import shutil
import statistics
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from filelock import Timeout

from engine.finetune.job import (
    EVALUATING,
    FINISHED,
    KEY_METRIC,
    MEASURING,
    MIN_HELD_OUT_FOLDERS,
    PAUSED,
    PREPARING,
    TRAINING,
    JobFolder,
    held_out_units,
    key_change,
    too_few_held_out,
    verdict,
)
from engine.finetune.launcher import model_folder_name
from engine.index.records import OK, FileRecord
from engine.index.store import LibraryStore
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.checkpoint import is_checkpoint, load_checkpoint
from engine.models.cacophony.ucs_bridge import AisfxHead
from engine.models.clap import is_clap_folder
from engine.models.registry import CLAP_PREFIX, resolve_checkpoint
from engine.paths import AppPaths
from engine.plural import counted
from engine.settings import Settings
from trainer.config import TrainConfig, load_config
from trainer.data.audio import AudioDecodeError
from trainer.data.manifest import Item, read_manifest, write_jsonl
from trainer.data.melcache import MelSource
from trainer.evaluation.metrics import (
    a2t_average_precision,
    caption_search_ranks,
    chance_of_no_gain,
    retrieval_metrics,
    search_metrics_from_ranks,
)
from trainer.evaluation.retrieval import backend_retrieval, evaluate_cacophony_on_mels
from trainer.export import export
from trainer.library.budget import MemoryUse, fit_batch, free_gpu_memory, plan_steps, resolve_device
from trainer.library.pairs import LibraryPairs, library_pairs, split_unit, splits_by_folder
from trainer.library.words import files_to_hear, has_words_head, seconds_to_hear, tune_words_head
from trainer.loop import STOP, STOPPED_EXIT, train

log = logging.getLogger(__name__)

STOPPED_SAYING = "stopped; it continues from its last checkpoint when started again"

# The defaults of a library fine-tune; any key can be changed with --set (which wins over the plan).
DEFAULTS = {
    "lr": 3e-4,
    "min_lr": 1e-6,  # the builtin recipe's stage-2 rate (the paper's 1e-5 suits its batch of 4096)
    "sam": False,  # SAM doubles a step's cost: more steps serve a short budget better
    # half the starting model's own correspondences (salsa), half the library's captions: chosen on
    # one half of bench/finetune.py's packages (0.5 against 0.25, `--half odd`), reported on the other
    "distill_weight": 0.5,
    "caption_weight": 0.5,
    "keyword_caption_prob": 0.3,
    "seed": 0,
}
CPU_BATCH = 16
CPU_CROP_SECONDS = 3.0  # on a CPU a 3 s crop costs a third of the model's 10 s window (the builtin recipe's crop)
MEASURE_STEPS = 3  # steps run to time them; the first is a warm-up and not counted
SAVE_SECONDS = 60.0  # a resumable checkpoint about this often
MAX_FILE_SECONDS = 120.0  # longer files are left out of training: their cached log-mels would be huge
PROGRESS_SECONDS = 2.0
HEARING_SLACK = 1.5  # the words head's hearing may run this much past its plan before it stops
# "Better" is a higher held-out search mAP@10 that resampling the held-out folders (each with its
# searches: they share the folder's words) bears out: no gain in at most this share of the
# resamplings (trainer.evaluation.metrics.chance_of_no_gain). One folder's searches moving is a
# higher mean, not a better model, and the swap re-embeds the whole library. A one-sided 95 %
# bootstrap interval; the user can still insist (--force).
MAX_NO_GAIN_CHANCE = 0.05


@dataclass
class Request:
    minutes: float
    device: str
    overrides: list[str]
    model: str  # the spec of the model to start from
    started: float  # when it was asked for (time.time()): a record; the budget counts its own runs' time


def library_finetune(
    paths: AppPaths,
    minutes: float | None = None,
    device: str = "auto",
    overrides: list[str] = (),
    model: str | None = None,
) -> dict:
    """Run (or continue) the job in ``<data>/finetune``; returns its result. ``model`` is the spec
    of the model to start from (default: the saved choice in the settings)."""
    job = JobFolder(paths.data / "finetune")
    lock = job.lock()
    try:
        lock.acquire(timeout=10)
    except Timeout:
        raise ValueError(f"another fine-tune of this library is running ({job.folder})") from None
    try:
        job.pid_file.write_text(str(os.getpid()))
        return _run(job, paths, minutes, device, list(overrides), model)
    except SystemExit:
        job.event(PAUSED, STOPPED_SAYING)
        raise
    except Exception as error:
        if STOP.ever_asked:  # the stop's SystemExit, raised at an arbitrary line, became another error
            log.info("stopped while %s", error)
            job.event(PAUSED, STOPPED_SAYING)
            raise SystemExit(STOPPED_EXIT) from error
        job.failed(error)
        raise
    finally:
        lock.release()


def _run(
    job: JobFolder, paths: AppPaths, minutes: float | None, device: str, overrides: list[str], model: str | None
) -> dict:
    if job.result_file.exists():
        return job.read_json(job.result_file)
    request = _request(job, minutes, device, overrides, model or Settings.load(paths.settings_file).model_spec)
    plan = job.read_json(job.plan_file)
    resumed = bool(plan)
    if not resumed:
        plan = _prepare_and_measure(job, paths, request)
    cfg = TrainConfig(**plan["config"])
    torch.set_num_threads(plan["threads"])
    job.event(TRAINING, f"{'continuing' if resumed else 'training'}: {plan['estimate']}")
    final = train(cfg)
    job.event(EVALUATING, "evaluating the fine-tuned model on the held-out folders")
    result = _finish(job, plan, final)
    job.write_json(job.result_file, result)
    job.event(
        FINISHED,
        f"done: held-out {key_change(result)} ({verdict(result)})",
    )
    return result


def _request(job: JobFolder, minutes: float | None, device: str, overrides: list[str], model: str) -> Request:
    """The user's request, written once: a resumed job keeps its budget, device and settings."""
    path = job.folder / "request.json"
    saved = job.read_json(path)
    if saved:
        return Request(**saved)
    if minutes is None:
        raise ValueError("no fine-tune to continue: start one with --minutes N")
    request = Request(float(minutes), device, overrides, model, time.time())
    job.write_json(path, request.__dict__)
    return request


# -- preparing and measuring --------------------------------------------------------------------


def _prepare_and_measure(job: JobFolder, paths: AppPaths, request: Request) -> dict:
    # the budget's clock counts this preparation, not the time since the request: a run killed while
    # preparing and started again the next morning would have "spent" the night
    preparing_since = time.time()
    device, note = resolve_device(request.device)
    job.event(PREPARING, note, device=device)
    start_spec = request.model
    start = start_checkpoint(start_spec, paths.models)
    model_cfg = load_checkpoint(start)[0].cfg
    records = _unchanged(LibraryStore(paths.index).files_with_status(OK))
    long_files = [r for r in records if (r.duration_s or 0) > MAX_FILE_SECONDS]
    pairs = library_pairs([r for r in records if (r.duration_s or 0) <= MAX_FILE_SECONDS])
    # what is held out whole (folders, or in a library of one folder, files of one caption) is what
    # the verdict resamples: said now, before the budget is spent, with why fewer than
    # MIN_HELD_OUT_FOLDERS cannot tell a better model; the events carry the numbers for the app
    held_by = "folder" if splits_by_folder(pairs.items) else "caption"
    job.event(
        PREPARING,
        f"{len(pairs.train)} files to learn from, {len(pairs.val)} in "
        f"{held_out_units(len(pairs.val_folders), held_by)}; {len(pairs.says_nothing)} names say nothing and "
        f"{len(long_files)} files are over {MAX_FILE_SECONDS:.0f} s (left out of training, still searchable)",
        held_out_files=len(pairs.val),
        held_out_folders=len(pairs.val_folders),
        held_out_by=held_by,
    )
    too_few = too_few_held_out(len(pairs.val), len(pairs.val_folders), held_by)
    if too_few:
        job.event(PREPARING, too_few)
    mels = MelSource(model_cfg.sample_rate, model_cfg.n_mels, paths.cache / "finetune-mels")
    pairs = _cache_held_out(job, pairs, mels)
    manifests = {
        "train": write_jsonl(pairs.train, job.folder / "train.jsonl"),
        "val": write_jsonl(pairs.val, job.folder / "val.jsonl"),
    }

    base = {
        **DEFAULTS,
        "init": str(start),
        "train": [str(manifests["train"])],
        "val": [str(manifests["val"])],
        "out": str(job.run_dir),
        "device": device,
        "cache_dir": str(mels.cache_dir),
        "crop_seconds": CPU_CROP_SECONDS if device == "cpu" else None,
        "num_workers": 0 if device == "cpu" else 2,
        "batch_size": CPU_BATCH,
    }
    fixed = dict(item.split("=", 1) for item in request.overrides)
    if device == "cuda" and "batch_size" not in fixed:
        job.event(MEASURING, "measuring the GPU memory a training step takes")
        base["batch_size"] = _gpu_batch(job, _config(base, request.overrides))
    base["batch_size"] = (
        fit_batch(base["batch_size"], len(pairs.train)) if "batch_size" not in fixed else base["batch_size"]
    )
    # Timed first: on a CPU this picks the thread count the evaluations below run with too. The
    # steps read their clips for the first time (training files are cached as training meets
    # them), so the time is that of a first epoch; later epochs are faster and end early.
    if device == "cpu":
        threads, step_s = _cpu_threads(job, _config(base, request.overrides))
    else:
        job.event(MEASURING, f"timing {MEASURE_STEPS} training steps of {base['batch_size']} sounds")
        threads, (step_s, _) = (
            torch.get_num_threads(),
            measure_steps(_config(base, request.overrides), job.folder / "measure"),
        )

    head_files, head_s = 0, 0.0
    if has_words_head(start):
        job.event(MEASURING, "timing how long the bridge's words head takes to hear a file")
        per_file_s = seconds_to_hear(AisfxHead().eval(), pairs.train)
        head_files = files_to_hear(pairs.train, request.minutes * 60, per_file_s)
        head_s = head_files * per_file_s

    job.event(MEASURING, "scoring the starting model on the held-out folders")
    started = time.perf_counter()
    before, before_precisions, _ = _held_out_scores(start, device, pairs.val, held_by == "folder")
    final_s = time.perf_counter() - started
    validation_s = _baseline_validation(job, start, pairs.val, mels, device)

    per_epoch = max(1, len(pairs.train) // _config(base, request.overrides).batch_size)
    spent = time.time() - preparing_since
    plan = plan_steps(request.minutes * 60, spent, step_s, per_epoch, validation_s, final_s + head_s)
    if "steps" in fixed:  # --set steps=N: the user's number of steps, the estimate follows it
        plan = replace(plan, steps=int(fixed["steps"]))
    # the budget is a deadline, not only a plan: a machine slower than measured does fewer steps
    deadline = {} if "steps" in fixed else {"time_budget_s": plan.training_seconds}
    cfg = _config(base | plan.schedule(SAVE_SECONDS) | deadline, request.overrides)
    library = Counter(r.folder for r in records).most_common(1)[0][0]
    when = datetime.datetime.now()
    saved = {
        "config": cfg.to_dict(),
        "start_model": start_spec,
        "start_folder": str(start),
        "device": device,
        "threads": threads,
        "device_note": note,
        "batch_size": cfg.batch_size,
        "steps": cfg.steps,
        "steps_per_epoch": per_epoch,
        "step_seconds": step_s,
        "validation_seconds": validation_s,
        "final_seconds": final_s,
        "estimate": plan.describe(),
        "estimated_seconds": plan.total_seconds,
        "minutes": request.minutes,
        "before": before,
        "before_precisions": before_precisions,
        "library": Path(library).name,
        "model_name": model_folder_name(Path(library).name, when),
        "model_display": f"{Path(library).name} fine-tune {when:%Y-%m-%d %H:%M}",
        "train_files": len(pairs.train),
        "words_head_files": head_files,  # heard to teach the bridge's words head the library's names
        "words_head_seconds": head_s,  # what hearing them was planned to take
        "held_out_files": len(pairs.val),
        "held_out_folders": pairs.val_folders,
        "held_out_by": held_by,
        "says_nothing": len(pairs.says_nothing),
        # one of them by name, the first in path order, for the page's "names like ZOOM0003.WAV": the
        # user's own example, where a fixed "Take_017" was nobody's
        "says_nothing_name": Path(min(pairs.says_nothing)).name if pairs.says_nothing else "",
        "long_files": len(long_files),
    }
    job.write_json(job.plan_file, saved)
    job.event(MEASURING, f"estimate: {plan.describe()}", estimate_seconds=plan.total_seconds)
    return saved


def start_checkpoint(spec: str, models_dir: Path) -> Path:
    """The Cacophony checkpoint folder the active model spec names; CLAP models cannot be fine-tuned here."""
    if spec.startswith(CLAP_PREFIX):
        raise ValueError(
            f"the active model is a CLAP model ({spec}): fine-tuning works on Cacophony checkpoints "
            "(the builtin model or one trained with earmark-train); switch to one first"
        )
    folder = resolve_checkpoint(spec, models_dir)
    if is_clap_folder(folder) or not is_checkpoint(folder):
        raise ValueError(
            f"{folder} is not a Cacophony checkpoint (config.json + model.safetensors): fine-tuning works on those only"
        )
    return folder


def _unchanged(records: list[FileRecord]) -> list[FileRecord]:
    """The records whose files are still as indexed (size and time): a file changed since would
    be read as something else than the index knows (and may no longer decode); the next index
    run takes it in again."""
    kept = []
    for record in records:
        try:
            stat = os.stat(record.path)
        except OSError:
            continue
        if stat.st_size == record.size and abs(stat.st_mtime_ns / 1e9 - record.mtime) < 1e-3:
            kept.append(record)
    if len(kept) < len(records):
        log.info("%d files changed or vanished since they were indexed: left out", len(records) - len(kept))
    return kept


def _cache_held_out(job: JobFolder, pairs: LibraryPairs, mels: MelSource) -> LibraryPairs:
    """Read the held-out clips into the log-mel cache now (every validation reads them all); a
    file that cannot be decoded is left out. Training clips are cached as training meets them."""
    total, shown = len(pairs.val), time.monotonic()
    bad: set[Path] = set()
    for done, item in enumerate(pairs.val, 1):
        try:
            mels.full(item.audio)
        except (AudioDecodeError, OSError, ValueError) as error:
            log.warning("%s: left out of fine-tuning: %s", item.audio, error)
            bad.add(item.audio)
        if time.monotonic() - shown > PROGRESS_SECONDS or done == total:
            job.event(PREPARING, f"reading the held-out audio: {done} of {total} files", done=done, total=total)
            shown = time.monotonic()
    return LibraryPairs(
        pairs.train, [item for item in pairs.val if item.audio not in bad], pairs.says_nothing, pairs.val_folders
    )


def _baseline_validation(job: JobFolder, start: Path, val: list[Item], mels: MelSource, device: str) -> float:
    """The starting model's point of the validation curve (step 0), timed: one validation pass."""
    model, tokenizer, _ = load_checkpoint(start, device)
    started = time.perf_counter()
    metrics = evaluate_cacophony_on_mels(model, tokenizer, val, mels, torch.device(device))
    seconds = time.perf_counter() - started
    job.run_dir.mkdir(parents=True, exist_ok=True)
    with (job.run_dir / "log.jsonl").open("a") as handle:
        handle.write(json.dumps({"step": 0, **{f"val/{k}": v for k, v in metrics.items()}}) + "\n")
    return seconds


def _config(base: dict, overrides: list[str]) -> TrainConfig:
    """The distill stage (a whole checkpoint plus its frozen self as the salsa teacher) with
    ``base``, then the user's ``--set`` overrides on top."""
    return load_config("distill", None, [f"{k}={json.dumps(v)}" for k, v in base.items()] + list(overrides))


def measure_steps(cfg: TrainConfig, folder: Path, steps: int = MEASURE_STEPS) -> tuple[float, int]:
    """(median seconds a training step takes after the first, peak GPU bytes or 0): a few real
    steps of ``cfg`` in a scratch folder, deleted afterwards."""
    shutil.rmtree(folder, ignore_errors=True)
    probe = replace(
        cfg,
        out=str(folder),
        val=[],
        stop_after=steps,
        steps=max(cfg.steps, steps + 1),
        eval_every=0,
        save_every=0,
        log_every=1,
        resume=False,
    )
    if probe.device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    try:
        train(probe)
        records = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = [cfg.batch_size / r["samples_per_s"] for r in records if r.get("samples_per_s")][1:]
    peak = torch.cuda.max_memory_allocated() if probe.device == "cuda" else 0
    return statistics.median(seconds), peak


def _cpu_threads(job: JobFolder, cfg: TrainConfig) -> tuple[int, float]:
    """(threads, seconds a step): all cores or one, whichever steps faster here. On a machine whose
    cores other work keeps busy (a DAW, an indexing run), OpenMP's waiting threads can make a
    step with every core several times slower than with one."""
    timings = {}
    for threads in sorted({1, torch.get_num_threads()}):  # one first: the others get one timed step only
        torch.set_num_threads(threads)
        steps = MEASURE_STEPS if threads == 1 else 2
        job.event(
            MEASURING, f"timing {steps} training steps of {cfg.batch_size} sounds on {counted(threads, 'thread')}"
        )
        timings[threads], _ = measure_steps(cfg, job.folder / "measure", steps)
    best = min(timings, key=timings.get)
    torch.set_num_threads(best)
    if len(timings) > 1:
        job.event(
            MEASURING,
            "seconds a step: "
            + ", ".join(f"{s:.2f} on {counted(n, 'thread')}" for n, s in timings.items())
            + f"; training on {counted(best, 'thread')}",
        )
    return best, timings[best]


def _gpu_batch(job: JobFolder, cfg: TrainConfig) -> int:
    """The batch that fits the free GPU memory, from the peaks of two short runs at batch 4 and 8."""
    free, total = free_gpu_memory()
    points = []
    for batch in (4, 8):
        _, peak = measure_steps(replace(cfg, batch_size=batch), job.folder / "measure", steps=2)
        points.append((batch, peak))
    memory = MemoryUse.from_peaks(*points)
    batch = memory.batch_for(free)
    job.event(
        MEASURING,
        f"GPU: {free / 2**30:.1f} of {total / 2**30:.1f} GiB free, about "
        f"{memory.per_sample / 2**20:.0f} MiB a sample: batch {batch}",
    )
    return batch


# -- finishing ----------------------------------------------------------------------------------


def _finish(job: JobFolder, plan: dict, final: Path) -> dict:
    """Export the fine-tuned model into the job folder (fp16, as the app loads it), teach its
    bridge's words head the library's names when the plan says so, and score that very folder on
    the held-out folders against the starting model's score."""
    shutil.rmtree(job.model_dir, ignore_errors=True)
    export(final, job.model_dir, half=True, name=plan["model_display"], bridge_from=Path(plan["start_folder"]))
    heard_files = 0
    if plan.get("words_head_files"):
        job.event(
            EVALUATING, f"teaching the bridge's words head the library's names ({plan['words_head_files']} files)"
        )
        # on the CPU, where the words head hears (trainer.words_head.heard): its aiSFX network is the
        # one the bridge of the exported model holds, so it is loaded once
        exported = CacophonyBackend.from_checkpoint(job.model_dir, device="cpu")
        train = read_manifest(plan["config"]["train"][0])
        planned_s = plan.get("words_head_seconds")  # None in a plan of an earlier version
        _, heard_files = tune_words_head(
            job.model_dir,
            train,
            plan["words_head_files"],
            exported.embed_words,
            exported.bridge.head,
            hearing_s=HEARING_SLACK * planned_s if planned_s else None,
        )
    val = read_manifest(plan["config"]["val"][0])
    by_folder = plan.get("held_out_by", "folder") == "folder"
    after, after_precisions, folders = _held_out_scores(job.model_dir, plan["device"], val, by_folder)
    before, before_precisions = plan["before"], plan.get("before_precisions")
    if before_precisions is None:  # a job planned by a version that kept only the means
        before, before_precisions, _ = _held_out_scores(Path(plan["start_folder"]), plan["device"], val, by_folder)
    no_gain = chance_of_no_gain(before_precisions, after_precisions, folders)
    enough = len(set(folders)) >= MIN_HELD_OUT_FOLDERS
    result = {
        "before": before,
        "after": after,
        "better": enough and after[KEY_METRIC] > before[KEY_METRIC] and no_gain <= MAX_NO_GAIN_CHANCE,
        "no_gain_chance": no_gain,
        "held_out_searches": len(after_precisions),
        "searched_folders": len(set(folders)),
        "start_model": plan["start_model"],
        "model_name": plan["model_name"],
        "model_display": plan["model_display"],
        "library": plan["library"],
        "steps": plan["steps"],
        "held_out_files": len(val),
        "held_out_folders": plan["held_out_folders"],
        "train_files": plan["train_files"],
        "words_head_files": heard_files,
        "device": plan["device"],
        "finished": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    job.write_json(job.model_dir / "finetune.json", result)  # provenance, beside the weights
    return result


def _held_out_scores(
    folder: Path, device: str, items: list[Item], by_folder: bool
) -> tuple[dict[str, float], list[float], list[str]]:
    """A checkpoint's scores on the held-out items: each file against its own captions (t2a, a2t)
    and each distinct caption asked as a search (``search/``, :data:`KEY_METRIC`); that search's
    AP@10 for each caption and the held-out unit it asks about (:func:`split_unit`: its folder,
    or in a library of one folder its caption's group), which the verdict resamples."""
    with_captions = [item for item in items if item.captions]  # what the owners index
    model = CacophonyBackend.from_checkpoint(folder, device=device)
    audio, text, owners, captions = backend_retrieval(model, with_captions)
    ranks, first = caption_search_ranks(audio, text, owners, captions)
    searched = {f"search/{name}": value for name, value in search_metrics_from_ranks(ranks).items()}
    precisions = [a2t_average_precision(r, capped=True) for r in ranks]
    folders = [split_unit(with_captions[i], by_folder) for i in first]
    return retrieval_metrics(audio, text, owners) | searched, precisions, folders
