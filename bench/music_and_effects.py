"""Sound effects among music: whether the sound ranking is fair to short sounds beside tracks of
minutes, on a library kept whole, music included (the out-of-distribution library of
``bench.ood`` keeps effects of up to 30 s, so its benches never see a long file crowd a short one).

    python -m bench.music_and_effects [--model builtin] [--out data/music-and-effects]

Three Debian games' audio, which no model of ours trained on and the reserved list does not hold:
colobot-common-sounds (GPL-3+; numbered effects, sound000.wav ...), fillets-ng-data (GPL-2;
Czech-abbreviated effects and voices) and neverball-common (GPL-2+), 47 music tracks among them.
The 20 queries and what answers them are review 12's (``music_and_effects.json``: a regular
expression over each file's path in its package; Colobot's numbered sounds read by the order of
its sound list). The library is indexed twice, under its own names and with every file renamed
``Take_0001``... in one folder (only the sound can find anything), and printed for each: R@1, R@10
and mAP@10 over the queries, and how many of the first ten rows of the 19 queries for effects are
music, for Earmark as shipped and with each file scored by its best window alone
(``FusionWeights.luck`` 0: engine.search.many_windows), beside BM25 over the paths and chance.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bench.ood.queries import chance
from bench.search_quality import CUTOFF, Ranker, bm25_baseline, earmark, open_library
from engine.search.fusion import FusionWeights
from trainer.corpus import debian
from trainer.corpus.packages import check_evaluable
from trainer.evaluation.metrics import search_metrics_from_ranks

PACKAGES = ("colobot-common-sounds", "fillets-ng-data", "neverball-common")
QUERIES = Path(__file__).with_name("music_and_effects.json")
METRICS = ("R@1", "R@10", f"mAP@{CUTOFF}")


@dataclass(frozen=True)
class Query:
    text: str
    relevant: re.Pattern

    def is_relevant(self, path: str) -> bool:
        return bool(self.relevant.search(path))


def build(out: Path) -> dict[str, str]:
    """Download and extract the packages' audio under ``out/extracted`` (kept between runs) and
    link each file into ``out/opaque`` as ``Take_NNNN`` in a fixed shuffled order; returns {path
    in its package ("colobot-common-sounds/usr/share/..."): its opaque path}."""
    check_evaluable(PACKAGES, debian.TRAINING_PACKAGES)
    files = []
    for package in PACKAGES:
        extracted = out / "extracted" / package
        found = debian.extract_audio(debian.fetch(package, out / "debs"), extracted)
        files += [p.relative_to(out / "extracted").as_posix() for p in found]
    files.sort()
    order = list(range(len(files)))
    random.Random(0).shuffle(order)
    shutil.rmtree(out / "opaque", ignore_errors=True)
    (out / "opaque").mkdir(parents=True)
    opaque = {}
    for number, relative in zip(order, files, strict=True):
        source = out / "extracted" / relative
        opaque[relative] = f"opaque/Take_{number + 1:04d}{source.suffix.lower()}"
        os.link(source, out / opaque[relative])
    return opaque


def measured(
    rank: Ranker, queries: list[Query], files: list[str], music: re.Pattern, path_of: Callable[[str], str]
) -> dict[str, float]:
    """Mean R@1, R@10, mAP@10 over ``queries`` of ``rank`` (``path_of``: a result path -> its path
    in its package), and the music rows among the first ten of the queries for effects."""
    rows, music_rows = [], 0
    for_effects = [q for q in queries if not any(q.is_relevant(f) and music.search(f) for f in files)]
    for query in queries:
        ranked = [path_of(p) for p in rank(query.text)]
        position = {p: i for i, p in reversed(list(enumerate(ranked)))}
        right = [f for f in files if query.is_relevant(f)]
        missing = max(len(files), CUTOFF)  # a right file not ranked counts as below the cutoff
        rows.append(search_metrics_from_ranks([[position.get(f, missing) for f in right]], CUTOFF))
        if query in for_effects:
            music_rows += sum(bool(music.search(p)) for p in ranked[:CUTOFF])
    return {m: sum(r[m] for r in rows) / len(rows) for m in METRICS} | {"music rows": music_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--out", type=Path, default=Path("data/music-and-effects"))
    args = parser.parse_args()
    spec = json.loads(QUERIES.read_text(encoding="utf-8"))
    queries = [Query(q["text"], re.compile(q["relevant"])) for q in spec["queries"]]
    music = re.compile(spec["music"])
    out = args.out.resolve()
    opaque = build(out)
    files = sorted(opaque)
    effects = sum(not any(q.is_relevant(f) and music.search(f) for f in files) for q in queries)
    print(
        f"{len(files)} files ({sum(bool(music.search(f)) for f in files)} music tracks), {len(queries)} queries "
        f"({effects} for effects); model {args.model}. Indexing (kept under {out}):"
    )
    named_root, by_opaque = out / "extracted", {str(out / o): f for f, o in opaque.items()}
    libraries = {
        "own names": (open_library(out / f"home-named-{args.model}", named_root, args.model), named_root),
        "opaque names": (open_library(out / f"home-opaque-{args.model}", out / "opaque", args.model), None),
    }
    alone = replace(FusionWeights(), luck=0.0)
    luck = sum(chance(q, files)[f"mAP@{CUTOFF}"] for q in queries) / len(queries)
    for name, (engine, root) in libraries.items():
        path_of = (lambda p: Path(p).relative_to(named_root).as_posix()) if root else (lambda p: by_opaque[str(p)])
        systems = {
            "Earmark": earmark(engine),
            "best window alone": earmark(engine, weights=alone),
        }
        if root:
            systems["BM25 over the paths"] = bm25_baseline(root, [], paths=[root / f for f in files])
        print(f"\n{name}: R@1 / R@10 / mAP@10, music rows in the first ten of the {effects} effect queries")
        for system, rank in systems.items():
            m = measured(rank, queries, files, music, path_of)
            print(f"  {system:22} {m['R@1']:.3f} / {m['R@10']:.3f} / {m[f'mAP@{CUTOFF}']:.3f}   {m['music rows']}")
        print(f"  {'chance':22} mAP@10 {luck:.3f}")


if __name__ == "__main__":
    main()
