"""``python -m trainer.corpus build --out data/corpus``: fetch, render, augment, write the manifest;
``python -m trainer.corpus stats data/corpus``: its clips, hours and audio-caption pairs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from engine.logs import entry_logging
from trainer.corpus.build import SOURCES, assemble, build_part
from trainer.corpus.debian import PACKAGE_SETS
from trainer.corpus.stats import table, tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.corpus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build (or finish building) the corpus")
    build.add_argument("--out", type=Path, required=True, help="corpus folder (git-ignored; e.g. data/corpus)")
    build.add_argument("--sources", default=",".join(SOURCES), help=f"comma list of {', '.join(SOURCES)}")
    build.add_argument(
        "--packages", default="games", help=f"comma list of Debian packages or of the sets {', '.join(PACKAGE_SETS)}"
    )
    build.add_argument("--limit", type=int, default=None, help="at most this many files per package (smoke runs)")
    build.add_argument(
        "--unlike",
        type=Path,
        default=None,
        help="bench/ood manifest.json: leave out Debian audio identical to an evaluation file",
    )
    build.add_argument("--workers", type=int, default=2)
    build.add_argument("--val-percent", type=int, default=10)
    build.add_argument("--variants", type=int, default=1, help="augmented copies per clip (gain/shift/reverb)")
    build.add_argument("--mixes", type=int, default=2000, help="two-source mixtures to add")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--parts-only", action="store_true", help="build the source parts, no manifest yet")
    stats = sub.add_parser("stats", help="clips, hours and audio-caption pairs of built corpora")
    stats.add_argument("folders", type=Path, nargs="+", help="corpus folders (each with its manifest.jsonl)")
    args = parser.parse_args(argv)
    if args.command == "stats":
        print("\n\n".join(table(folder, tally(folder)) for folder in args.folders))
        return 0
    args.packages = [
        package for name in args.packages.split(",") if name for package in PACKAGE_SETS.get(name, (name,))
    ]
    with entry_logging():  # progress on the terminal
        return _build(parser, args)


def _build(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    sources = [s for s in args.sources.split(",") if s]
    unknown = set(sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown sources {sorted(unknown)}; known: {', '.join(SOURCES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    clips = [clip for name in sources for clip in build_part(name, args.out, args)]
    if not args.parts_only:
        counts = assemble(args.out, clips, args.val_percent, args.variants, args.mixes, args.seed)
        print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
