"""Search quality on a library no model of ours trained on, against BM25 over the file paths.

    python -m bench.search_quality [--model builtin] [--ood data/ood] [--sweep]

The out-of-distribution library (``python -m bench.ood build``) is indexed twice with the same
audio: under its shipped names (``named/``) and under names that say nothing (``opaque/``,
``Take_0001.ogg``). Every query of ``bench/ood/queries.py`` runs through

- Earmark's hybrid search, its keyword half alone and its sound half alone (``Searcher``),
- an independent baseline: ``bm25s`` (a maintained BM25 package) with the Snowball English
  stemmer over the words of each file's path below the library folder,

on the named library, then the hybrid and the sound half on the opaque one (where keyword search
has nothing to find). Printed: R@1, R@10 and mAP@10 (AP capped at min(right files, 10)) overall
and per query category, with chance. ``--sweep`` also prints overall mAP@10 for other fusion and
field weights, which is how the defaults in engine/search/fusion.py and engine/index/text.py
were chosen. Indexes are kept under ``--work`` so a second run only searches. Asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import bm25s
import Stemmer

from bench.ood import OodFile, OodQuery, by_category, chance, judge, load_library, load_queries
from engine.facade import Engine
from engine.index.text import FOLDER, INFO, NAME, TEXT_FIELDS
from engine.paths import app_paths
from engine.search import Searcher
from engine.search.fusion import SOUND_WEIGHT
from engine.words import words

CUTOFF = 10
Ranker = Callable[[str], list[Path]]  # query -> result paths, best first


def open_library(home: Path, folder: Path, model: str) -> Engine:
    """An Earmark home with ``folder`` indexed by ``model`` (only what changed is indexed again)."""
    engine = Engine(app_paths(home), model)
    if not any(Path(f.path) == folder for f in engine.folders()):
        engine.add_folder(folder)
    started = time.perf_counter()
    report = engine.index()
    print(f"  {folder.name}: {report.scanned} files, {report.embedded} embedded now, {len(report.errors)} errors "
          f"({time.perf_counter() - started:.0f} s)")
    return engine


def bm25_baseline(root: Path, files: list[OodFile]) -> Ranker:
    """bm25s over the stemmed words of each path below ``root`` (folders and file name)."""
    stemmer = Stemmer.Stemmer("english")
    paths = [f.named for f in files]
    corpus = [" ".join(words(str(p.relative_to(root).with_suffix("")))) for p in paths]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)

    def rank(query: str) -> list[Path]:
        tokens = bm25s.tokenize([" ".join(words(query))], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, scores = retriever.retrieve(tokens, k=CUTOFF, show_progress=False)
        return [paths[i] for i, s in zip(found[0], scores[0]) if s > 0]
    return rank


def earmark(engine: Engine, use_words: bool = True, **weights) -> Ranker:
    searcher = Searcher(engine.store, engine.model, **weights)
    return lambda query: [Path(h.path) for h in searcher.search(query, limit=CUTOFF, use_words=use_words)]


def keyword_half(engine: Engine, **weights) -> Ranker:
    searcher = Searcher(engine.store, None, **weights)
    return lambda query: [Path(h.path) for h in searcher.search(query, limit=CUTOFF)]


def evaluate(rank: Ranker, files: list[OodFile], queries: list[OodQuery]) -> dict[str, dict]:
    """{category or "all": mean metrics} and the median query time in ms under "ms"."""
    results, times = [], []
    for query in queries:
        started = time.perf_counter()
        ranked = rank(query.text)
        times.append(time.perf_counter() - started)
        results.append(judge(query, ranked, files))
    return by_category(queries, results) | {"ms": 1000 * statistics.median(times)}


def print_table(title: str, systems: dict[str, dict[str, dict]]) -> None:
    names = list(systems)
    print(f"\n{title}")
    print(f"{'':22}" + "".join(f"{name:>28}" for name in names))
    print(f"{'':22}" + "".join(f"{'R@1   R@10  mAP@10':>28}" for _ in names))
    categories = ["all"] + sorted(c for c in next(iter(systems.values())) if c not in ("all", "ms"))
    for category in categories:
        cells = []
        for name in names:
            m = systems[name].get(category)
            cells.append(f"{m['R@1']:6.3f}{m['R@10']:6.3f}{m[f'mAP@{CUTOFF}']:8.3f}" if m else "")
        print(f"{category:22}" + "".join(f"{c:>28}" for c in cells))
    print(f"{'median query (ms)':22}" + "".join(f"{systems[n].get('ms', float('nan')):>28.1f}" for n in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--ood", type=Path, default=Path("data/ood"))
    parser.add_argument("--work", type=Path, default=Path("data/bench/search-quality"))
    parser.add_argument("--sweep", action="store_true", help="also try other fusion and field weights")
    args = parser.parse_args()

    files = load_library(args.ood)
    queries = load_queries()
    named_root, opaque_root = (args.ood / "named").resolve(), (args.ood / "opaque").resolve()
    print(f"{len(files)} files, {len(queries)} queries in {len({q.category for q in queries})} categories; "
          f"model {args.model}. Indexing (kept under {args.work} for the next run):")
    named = open_library(args.work / f"named-{args.model}", named_root, args.model)
    opaque = open_library(args.work / f"opaque-{args.model}", opaque_root, args.model)

    print_table("Named library (the files' own names)", {
        "Earmark hybrid": evaluate(earmark(named), files, queries),
        "keyword half": evaluate(keyword_half(named), files, queries),
        "sound half": evaluate(earmark(named, use_words=False), files, queries),
        "BM25 baseline (bm25s)": evaluate(bm25_baseline(named_root, files), files, queries),
    })
    print_table("Opaque names (Take_0001.ogg): only the model can find anything", {
        "Earmark hybrid": evaluate(earmark(opaque), files, queries),
        "sound half": evaluate(earmark(opaque, use_words=False), files, queries),
        "chance": by_category(queries, [chance(q, files) for q in queries]),
    })
    if args.sweep:
        sweep(named, files, queries)


def sweep(named: Engine, files: list[OodFile], queries: list[OodQuery]) -> None:
    """Overall mAP@10 of the hybrid for other sound weights and field weights."""
    print(f"\nSweep on the named library (defaults: sound weight {SOUND_WEIGHT}, fields {TEXT_FIELDS})")
    for weight in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5):
        metrics = evaluate(earmark(named, sound_weight=weight), files, queries)["all"]
        print(f"  sound weight {weight:4.1f}: mAP@10 {metrics[f'mAP@{CUTOFF}']:.3f}  R@1 {metrics['R@1']:.3f}")
    for name_w, folder_w, info_w in ((1, 1, 1), (2, 1, 1), (3, 1, 1), (2, 0.5, 1), (2, 1, 2), (1, 0.5, 0.5)):
        fields = {NAME: name_w, FOLDER: folder_w, INFO: info_w}
        metrics = evaluate(keyword_half(named, text_fields=fields), files, queries)["all"]
        hybrid = evaluate(earmark(named, text_fields=fields), files, queries)["all"]
        print(f"  fields name {name_w}, folder {folder_w}, info {info_w}: keyword mAP@10 "
              f"{metrics[f'mAP@{CUTOFF}']:.3f}, hybrid {hybrid[f'mAP@{CUTOFF}']:.3f}")


if __name__ == "__main__":
    main()
