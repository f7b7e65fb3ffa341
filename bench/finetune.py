"""Fine-tuning on a library, measured the way a user would run it. Prints numbers, asserts nothing.

    nice -n 19 python -m bench.finetune [--minutes 10] [--device cpu] [--half odd|even] [--set KEY=VALUE]

On the named part of the out-of-distribution library (``python -m bench.ood build``: packages
outside training and outside the reserved list), in an Earmark home of its own
(``data/bench/finetune``): index it with the builtin model, fine-tune for ``--minutes`` through
the same process the app and ``earmark finetune`` launch, swap the result in (even when it is
not better: the bench wants the after numbers), and report, before and after:

- content only, on the held-out folders: the job's own evaluation (each held-out file's audio
  against its captions: t2a R@1, R@10, mAP@10; each distinct caption asked as a search, which
  decides the verdict), and the bench.ood sound-designer queries ranked
  by sound alone over the held-out files (best window, as the app's vector search ranks);
- hybrid (names, metadata and sound: ``Engine.search``) over the whole library, bench.ood queries,
  judged on the held-out folders' files (out of sample) and on the whole library (in sample for the
  fine-tuned model: the names that judge relevance were its training captions).

Issue 17's goal: held-out content-only mAP@10 at least 1.5x the starting model's.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np

from bench.ood import by_category, chance, judge, load_library, load_queries
from bench.ood.content import rank_queries
from bench.ood.library import DEFAULT_ROOT, HALVES, indexed_engine, package_halves
from engine.facade import Engine
from engine.finetune.job import DONE, FAILED, verdict
from engine.paths import app_paths
from engine.settings import Settings

HOME = Path(__file__).resolve().parents[1] / "data" / "bench" / "finetune"
GOAL = 1.5
SHOWN = ("R@1", "R@10", "mAP@10")
SEARCHED = 2_000  # answers a hybrid search is asked for: the library's files, judged on a part of them


def content_only(engine: Engine, files, queries) -> dict:
    """bench.ood queries ranked by sound alone over ``files``, from the active model's window
    vectors in the index (a file scores as its best window, as the app's vector search ranks)."""
    model = engine.model
    table = engine.store.embeddings(model.info)
    windows = [table.windows(engine.store.get_file(str(f.named)).id).vectors for f in files]
    owners = np.concatenate([np.full(len(w), i) for i, w in enumerate(windows)])
    text = model.embed_query([q.text for q in queries])
    return by_category(queries, rank_queries(np.concatenate(windows), owners, text, files, queries))["all"]


def hybrid(engine: Engine, files, queries) -> dict:
    """bench.ood queries through the app's search (keywords and sound) over the whole library,
    judged on ``files``: their order among its answers."""
    wanted = {str(f.named) for f in files}

    def ranked(text: str) -> list[str]:
        return [h.path for h in engine.search(text, limit=SEARCHED) if h.path in wanted][:10]

    return by_category(queries, [judge(q, ranked(q.text), files) for q in queries])["all"]


def comparisons(title: str, luck: dict, before: dict, after: dict) -> None:
    """A title, then chance, the builtin before and the fine-tuned model after, one row each."""
    print(title)
    for name, values in (("chance", luck), ("builtin (before)", before), ("fine-tuned (after)", after)):
        print(row(name, values))


def row(name: str, values: dict, prefix: str = "") -> str:
    return f"  {name:<34}" + "  ".join(f"{m} {values[prefix + m]:.3f}" for m in SHOWN)


def wait(engine: Engine, every_s: float = 30.0):
    shown = 0.0
    while True:
        status = engine.finetuner.status()
        if status.state in (DONE, FAILED):
            return status
        if time.monotonic() - shown > every_s:
            eta = f", ETA {status.eta_s / 60:.1f} min" if status.eta_s is not None else ""
            print(
                f"  [{time.strftime('%H:%M:%S')}] {status.state}: step {status.step}/{status.steps}{eta} "
                f"- {status.message[:120]}",
                flush=True,
            )
            shown = time.monotonic()
        time.sleep(1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda", "mps"))
    parser.add_argument("--home", type=Path, default=HOME)
    parser.add_argument("--library", type=Path, default=DEFAULT_ROOT)
    parser.add_argument(
        "--half",
        choices=HALVES,
        help="only every other package (sorted by name): choose settings on one half, report on the other",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="training config override, as earmark finetune --set",
    )
    args = parser.parse_args()
    library, queries = load_library(args.library), load_queries()
    if args.half:
        packages = package_halves(library)[args.half]
        library = [f for f in library if f.package in packages]
        queries = [q for q in queries if any(q.is_relevant(f) for f in library)]  # those this half can answer
    home = args.home if args.half is None else args.home.with_name(f"{args.home.name}-{args.half}")
    paths = app_paths(home).ensure()
    Settings(model_spec="builtin").save(paths.settings_file)
    named = args.library.resolve() / "named"
    engine, report = indexed_engine(paths, [named] if args.half is None else [named / p for p in packages], "builtin")
    with engine:
        print(f"indexed {report.scanned} files with builtin in {report.seconds:.0f} s", flush=True)
        hybrid_before = hybrid(engine, library, queries)
        hybrid_chance = by_category(queries, [chance(q, library) for q in queries])["all"]

        engine.finetuner.cancel()  # a fresh job every run, and a first run's cost: no log-mels cached yet
        shutil.rmtree(paths.cache / "finetune-mels", ignore_errors=True)
        started = time.perf_counter()
        engine.finetuner.start(args.minutes, "builtin", args.device, args.set)
        status = wait(engine)
        wall = time.perf_counter() - started
        if status.state == FAILED:
            print(f"fine-tuning failed: {status.error}")
            return 1
        plan, result = status.plan, status.result
        held = [f for f in library if str(f.named.parent) in set(plan["held_out_folders"])]
        held_queries = [q for q in queries if any(q.is_relevant(f) for f in held)]
        queries_before = content_only(engine, held, held_queries)

        switch = engine.use_finetuned(force=True)
        switch.wait()
        if switch.error:
            print(f"switching failed: {switch.error}")
            return 1
        queries_after = content_only(engine, held, held_queries)
        queries_chance = by_category(held_queries, [chance(q, held) for q in held_queries])["all"]
        hybrid_after = hybrid(engine, library, queries)
        hybrid_held_after = hybrid(engine, held, held_queries)
        switch = engine.switch_model("builtin")  # back, for the held-out folders' "before" by the same search
        switch.wait()
        hybrid_held_before = hybrid(engine, held, held_queries)

    events = {e["phase"]: e["time"] for e in engine.finetuner.job.events()}
    half = f" (the {args.half} half of the packages: {', '.join(packages)})" if args.half else ""
    print(
        f"\nfine-tune of builtin{half} on {plan['train_files']} named files "
        f"({plan['says_nothing']} names said nothing, {plan['long_files']} over 120 s), "
        f"{args.minutes:g}-minute budget on {plan['device']} "
        f"({plan['threads']} thread(s), batch {plan['batch_size']}):"
    )
    print(f"  plan: {plan['estimate']}" + (f" overrides: {' '.join(args.set)}" if args.set else ""))
    training_min = (events["evaluating"] - events["training"]) / 60
    epochs = status.step / plan["steps_per_epoch"]  # the steps done: the budget may end a run before its plan
    print(
        f"  wall time {wall / 60:.1f} min (training phase {training_min:.1f} min), {status.step} of "
        f"{plan['steps']} planned steps, {epochs:.2f} epochs, {training_min / max(epochs, 1e-9):.1f} "
        f"min an epoch incl. validation"
    )
    print(
        f"\ncontent only, held-out folders ({result['held_out_files']} files in {len(plan['held_out_folders'])} "
        f"folders), each file's audio against its captions (t2a):"
    )
    print(row("builtin (before)", result["before"], "t2a/"))
    print(row("fine-tuned (after)", result["after"], "t2a/"))
    ratio = result["after"]["t2a/mAP@10"] / max(result["before"]["t2a/mAP@10"], 1e-9)
    print(f"  mAP@10 ratio {ratio:.2f}x (goal >= {GOAL}x): {'met' if ratio >= GOAL else 'NOT met'}")
    print("the same files, each distinct caption asked as a search (any file that carries it right; the verdict's):")
    print(row("builtin (before)", result["before"], "search/"))
    print(row("fine-tuned (after)", result["after"], "search/"))
    print(f"  verdict: {verdict(result)} (no gain in {result['no_gain_chance']:.1%} of the resamplings)")
    print(f"  the words head heard {result.get('words_head_files', 0)} training files")
    comparisons(
        f"\ncontent only, bench.ood queries over the held-out files ({len(held)} files, {len(held_queries)} queries):",
        queries_chance,
        queries_before,
        queries_after,
    )
    comparisons(
        f"\nhybrid search (names, metadata, sound) over the whole library, judged on the held-out folders' "
        f"files ({len(held)} files, {len(held_queries)} queries; out of sample):",
        queries_chance,
        hybrid_held_before,
        hybrid_held_after,
    )
    comparisons(
        f"the same, judged on the whole named library ({len(library)} files, {len(queries)} queries; in sample for "
        "the fine-tuned model: the names that judge relevance were its training captions):",
        hybrid_chance,
        hybrid_before,
        hybrid_after,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
