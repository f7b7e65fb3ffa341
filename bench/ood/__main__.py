"""``python -m bench.ood build [--out data/ood]``: download and lay out the out-of-distribution
library. ``python -m bench.ood matches [QUERY...]``: list each query's relevant files, to read
and check that they are what a sound designer asking for it would accept. ``python -m bench.ood
stats``: files per package, per query category and per UCS category. ``python -m bench.ood
eval MODEL...``: content-only search on the opaque names, per category, against chance (and a
model with exemplars against itself without them). ``python -m bench.ood shares MODEL``: the same
search on the audio-text windows alone (exemplars left out) at each share of a model's UCS bridge.
``python -m bench.ood similar MODEL``: find-similar-sounds quality by UCS category.
``python -m bench.ood overlap``: the evaluation files whose audio a training package also ships
(written to bench/ood/seen-in-training.json, which the build leaves out)."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bench.ood import shares, similar
from bench.ood.content import report
from bench.ood.library import DEFAULT_ROOT, SEEN_IN_TRAINING, build, library_key, load_library
from bench.ood.overlap import find_overlap, write_overlap
from bench.ood.queries import load_queries
from bench.ood.ucs import ucs_truth
from engine.logs import entry_logging
from trainer.corpus import debian
from trainer.corpus.packages import EVALUATION_PACKAGES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ood", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="download, extract, de-duplicate and lay out the library")
    make.add_argument("--packages", default=",".join(EVALUATION_PACKAGES))
    make.add_argument("--workers", type=int, default=2)
    overlap = sub.add_parser("overlap", help="find evaluation audio a training package also ships")
    overlap.add_argument("--work", type=Path, default=Path("data/ood-overlap"), help="downloads and keys (ignored)")
    overlap.add_argument("--workers", type=int, default=2)
    matches = sub.add_parser("matches", help="print the relevant files of queries")
    matches.add_argument("queries", nargs="*", help="query texts (default: all)")
    sub.add_parser("stats", help="counts per package, query category and UCS category")
    evaluate = sub.add_parser("eval", help="content-only search with models, per category, against chance")
    evaluate.add_argument("models", nargs="+", help="builtin, a checkpoint folder, ...")
    evaluate.add_argument("--cache", type=Path, default=Path("data/ood-cache"), help="window embeddings per model")
    evaluate.add_argument("--markdown", action="store_true", help="print a README table")
    share = sub.add_parser("shares", help="content-only search at each share of a model's UCS bridge")
    share.add_argument("model", help="a checkpoint with a UCS bridge: builtin, or a folder")
    share.add_argument("--cache", type=Path, default=Path("data/ood-cache"), help="window embeddings per model")
    share.add_argument(
        "--heldout", type=Path, action="append", default=[], help="a training corpus's held-out manifest (repeat)"
    )
    alike = sub.add_parser("similar", help="find similar sounds: nearest files of the same UCS category")
    alike.add_argument("model", help="builtin, a checkpoint folder, ...")
    alike.add_argument("--cache", type=Path, default=Path("data/ood-cache"), help="window embeddings per model")
    for command in (make, matches, sub.choices["stats"], evaluate, share, alike):
        command.add_argument("--out", type=Path, default=DEFAULT_ROOT, help="library folder (git-ignored)")
    args = parser.parse_args(argv)
    with entry_logging():  # progress on the terminal
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        entries = build(args.out, [p for p in args.packages.split(",") if p], workers=args.workers)
        print(f"{len(entries)} files in {args.out}/named and {args.out}/opaque")
        return 0
    if args.command == "overlap":
        found = find_overlap(list(EVALUATION_PACKAGES), list(debian.TRAINING_PACKAGES), args.work, args.workers)
        write_overlap(found)
        for entry in found:
            print(f"{entry['evaluation']}  =  {entry['training']}")
        print(f"{len(found)} evaluation files are training audio too: written to {SEEN_IN_TRAINING}")
        return 0
    if args.command in ("eval", "shares", "similar"):
        cache = args.cache / f"library-{library_key(args.out)}"  # a rebuilt library is embedded afresh
        if args.command == "eval":
            report(args.models, args.out, cache, args.markdown)
        elif args.command == "shares":
            shares.report(args.model, args.out, cache, args.heldout)
        else:
            similar.report(args.model, args.out, cache)
        return 0
    library = load_library(args.out)
    queries = load_queries()
    if args.command == "matches":
        for query in queries:
            if args.queries and query.text not in args.queries:
                continue
            relevant = [f for f in library if query.is_relevant(f)]
            print(f"## {query.text} [{query.category}] {len(relevant)} relevant")
            for file in relevant:
                print(f"   {file.package}: {file.text}")
        return 0
    print(f"{len(library)} files, {sum(f.seconds for f in library) / 60:.1f} min")
    print("packages:", dict(Counter(f.package for f in library).most_common()))
    print("query categories (relevant files):")
    for category in sorted({q.category for q in queries}):
        covered = {f.named for q in queries if q.category == category for f in library if q.is_relevant(f)}
        print(f"   {category:<12} {len(covered):>4} files, {sum(q.category == category for q in queries)} queries")
    truth = Counter(t.category for f in library if (t := ucs_truth(f)) is not None)
    print(f"UCS ground truth: {sum(truth.values())} files in {len(truth)} categories: {dict(truth.most_common())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
