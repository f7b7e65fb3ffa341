"""``earmark-train``: the trainer's command line.

    earmark-train stage1   --config run.json [--set key=value ...]
    earmark-train stage2   --config run.json --init runs/s1/final
    earmark-train distill  --init runs/s2/final [--set teachers='["a","b"]']
    earmark-train finetune --init CHECKPOINT --train my.jsonl --out runs/ft
    earmark-train teacher-embed --train data.jsonl --set teacher_cache=DIR [--set teacher=aisfx]
    earmark-train eval     MODEL --manifest test.jsonl [--zero-shot labels.jsonl] [--captions]
    earmark-train export   RUN_OR_CHECKPOINT OUT [--half] [--name NAME]
    earmark-train import-cacophony Cacophony.ckpt OUT [--text-model SOURCE]
    earmark-train library-finetune --data DIR --cache DIR --config DIR [--minutes N] [--device D]

Training commands take a JSON config (keys of :class:`trainer.config.TrainConfig`) and
``--set`` overrides (``--set model_overrides.width=64``); ``torchrun --nproc-per-node N
-m trainer.cli stage2 ...`` runs the same command data-parallel.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from engine.finetune.launcher import STOP_TIMEOUT_S
from engine.logs import entry_logging
from trainer.config import STAGES, load_config
from trainer.teachers import TeacherUnavailable

# The longest a stop waits for the training step and the save: well inside the launcher's wait before
# it kills the trainer, so that the run still ends as it does at once (its "paused" event written).
STOP_GRACE_S = STOP_TIMEOUT_S / 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with entry_logging():  # progress and metrics on the terminal (the run folder keeps log.jsonl)
            return args.run(args)
    except (ValueError, FileNotFoundError, KeyError, TeacherUnavailable) as error:
        print(f"earmark-train: {error}", file=sys.stderr)
        return 2


def _config(args, stage: str):
    overrides = list(args.set or [])
    for key in ("out", "init"):
        if getattr(args, key, None) is not None:
            overrides.append(f"{key}={getattr(args, key)}")
    for key in ("train", "val"):
        if getattr(args, key, None):
            overrides.append(f"{key}=" + json.dumps(getattr(args, key)))
    return load_config(stage, args.config, overrides)


def _train(args) -> int:
    from trainer.loop import train

    print(train(_config(args, args.command)))
    return 0


def _teacher_embed(args) -> int:
    """Vectors for every item of the training manifests, into the cache a run with the same
    config reads (``teacher_cache``, default ``<out>/teacher-cache``)."""
    from trainer.data.manifest import read_manifests
    from trainer.teachers.cache import TeacherVectors, precompute

    cfg = _config(args, "stage2")  # any training stage: only data, teacher and cache keys are read
    if not cfg.train:
        raise ValueError("no manifest: set --train")
    items = read_manifests(cfg.train, cfg.audio_root)
    vectors = TeacherVectors(cfg.teacher or "aisfx", cfg.teacher_cache_dir)
    counts = precompute([item.audio for item in items], vectors, cfg.num_workers)
    print(json.dumps({**counts, "cache": str(vectors.cache_dir)}))
    return 1 if counts["failed"] else 0


def _eval(args) -> int:
    from trainer.evaluation.run import run_eval

    results = run_eval(
        args.model,
        args.manifest,
        split=args.split,
        zero_shot=args.zero_shot,
        captions=args.captions,
        audio_root=args.audio_root,
        device=args.device,
        spice=args.spice,
    )
    print(json.dumps(results, indent=2))
    return 0


def _export(args) -> int:
    from trainer.export import export

    print(export(Path(args.source), Path(args.out), half=args.half, name=args.name))
    return 0


def _import(args) -> int:
    from trainer.import_cacophony import import_cacophony

    print(import_cacophony(Path(args.checkpoint), Path(args.out), text_model=args.text_model, name=args.name))
    return 0


def _library_finetune(args) -> int:
    """The job the app and ``earmark finetune`` launch (trainer/library/run.py); the next start
    continues it. SIGTERM (the app's Pause, Ctrl-C in ``earmark finetune``) stops it during the
    training steps at the end of the step, which are all kept (trainer.loop.STOP), and otherwise at
    once, as a second SIGTERM does: this sends one itself when that stop takes over
    :data:`STOP_GRACE_S` (a step or a save that hangs)."""
    from engine.paths import AppPaths
    from trainer.library.run import library_finetune
    from trainer.loop import STOP, STOPPED_EXIT  # here, not in the handler: a signal may come mid-import

    def stop(*_) -> None:
        if STOP.ask():
            deadline = threading.Timer(STOP_GRACE_S, os.kill, (os.getpid(), signal.SIGTERM))
            deadline.daemon = True  # the run's exit never waits for it
            deadline.start()
            return
        sys.exit(STOPPED_EXIT)

    signal.signal(signal.SIGTERM, stop)
    data = Path(args.data)
    paths = AppPaths(data, Path(args.cache), Path(args.config), data / "finetune")  # its log: the job's trainer.log
    result = library_finetune(paths, args.minutes, args.device, args.set or [], args.model)
    print(json.dumps(result, indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="earmark-train", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for stage in STAGES:
        p = commands.add_parser(stage, help=f"train {stage}")
        p.add_argument("--config", type=Path, help="JSON file of TrainConfig keys")
        p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one config key (repeatable)")
        p.add_argument("--out", help="run folder (checkpoints, log.jsonl, mel cache)")
        p.add_argument("--init", help="checkpoint to start from")
        p.add_argument("--train", action="append", help="training manifest (repeatable)")
        p.add_argument("--val", action="append", help="validation manifest (repeatable)")
        p.set_defaults(run=_train)

    p = commands.add_parser("teacher-embed", help="precompute teacher vectors (teacher, teacher_cache) for --train")
    p.add_argument("--config", type=Path, help="JSON file of TrainConfig keys (a training run's own)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one config key (repeatable)")
    p.add_argument("--out", help="run folder: the cache defaults to <out>/teacher-cache")
    p.add_argument("--train", action="append", help="manifest (repeatable); every split is embedded")
    p.set_defaults(run=_teacher_embed)

    p = commands.add_parser("eval", help="retrieval / zero-shot / caption metrics of any model")
    p.add_argument("model", help="a checkpoint folder, 'builtin', or 'clap:<id or folder>'")
    p.add_argument("--manifest", action="append", required=True, help="evaluation manifest (repeatable)")
    p.add_argument("--split", help="keep only this split (default: all items)")
    p.add_argument("--zero-shot", action="store_true", help="also classify by each item's first tag")
    p.add_argument(
        "--captions", action="store_true", help="also score generated captions (BLEU, METEOR, CIDEr, SPIDEr)"
    )
    p.add_argument("--spice", action="store_true", help="also SPICE/SPIDEr (downloads Stanford CoreNLP once)")
    p.add_argument("--audio-root", help="base folder for relative audio paths")
    p.add_argument("--device", default="cpu")
    p.set_defaults(run=_eval)

    p = commands.add_parser("export", help="write an app-ready checkpoint (no MAE decoder, optional fp16)")
    p.add_argument("source", help="a run folder (its final/ is used) or a checkpoint folder")
    p.add_argument("out")
    p.add_argument("--half", action="store_true", help="store weights as float16")
    p.add_argument("--name", help="model name shown in the app")
    p.set_defaults(run=_export)

    p = commands.add_parser("import-cacophony", help="convert the authors' Flax Cacophony.ckpt")
    p.add_argument("checkpoint")
    p.add_argument("out")
    p.add_argument(
        "--text-model",
        default="FacebookAI/roberta-base",
        help="where the RoBERTa tokenizer/config come from (hub id or local folder)",
    )
    p.add_argument("--name", default="cacophony")
    p.set_defaults(run=_import)

    p = commands.add_parser(
        "library-finetune",
        help="fine-tune the active model on an Earmark library (what `earmark finetune` and the app launch)",
    )
    p.add_argument("--data", required=True, help="Earmark's data folder (index, settings' models)")
    p.add_argument("--cache", required=True, help="Earmark's cache folder (log-mels are cached there)")
    p.add_argument("--config", required=True, help="Earmark's config folder (settings.json: the active model)")
    p.add_argument("--minutes", type=float, help="time budget of a new job (a stopped job continues without it)")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda", "mps"))
    p.add_argument("--model", help="spec of the model to start from (default: the saved choice)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one training config key")
    p.set_defaults(run=_library_finetune)
    return parser


if __name__ == "__main__":
    sys.exit(main())
