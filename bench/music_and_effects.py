"""Sound effects among music: whether the sound ranking is fair to short sounds beside tracks of
minutes, on a library kept whole, music included (the out-of-distribution library of
``bench.ood`` keeps effects of up to 30 s, so its benches never see a long file crowd a short one).

    python -m bench.music_and_effects [--model builtin] [--out data/music-and-effects]

Three Debian games' audio, which no model of ours trained on and the reserved list does not hold:
colobot-common-sounds (GPL-3+; numbered effects, sound000.wav ...), fillets-ng-data (GPL-2;
Czech-abbreviated effects and voices) and neverball-common (GPL-2+), 47 music tracks among them.
The 20 queries and what answers them are review 12's (``music_and_effects.json``, a judged library
of bench/judged_libraries.py: a regular expression over each file's path in its package;
Colobot's numbered sounds read by the order of its sound list). The library is indexed twice, under
its own names and with every file renamed ``Take_0001``... in one folder (only the sound can find
anything), and printed for each: R@1, R@10 and mAP@10 over the queries, and how many of the first
ten rows of the 19 queries for effects are music, for Earmark as shipped and with each file scored
by its best window alone (``FusionWeights.luck`` 0: engine.search.many_windows), beside BM25 over
the paths and chance. Asserts nothing.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.judged_libraries import Query, Rankings, build, index, load, print_tables
from bench.search_quality import CUTOFF
from engine.search.fusion import FusionWeights

LIBRARY = Path(__file__).with_name("music_and_effects.json")


def for_effects(queries: Sequence[Query], files: Sequence[str], music: re.Pattern) -> list[bool]:
    """Per query, whether it asks for effects: none of the files that answer it is music."""
    return [not any(q.is_relevant(f) and music.search(f) for f in files) for q in queries]


def music_rows(ranked: Rankings, effects: Sequence[bool], music: re.Pattern) -> int:
    """The music among the first ten rows of the queries for effects (``effects``: per query)."""
    return sum(
        sum(bool(music.search(p)) for p in results[:CUTOFF])
        for results, is_effect in zip(ranked, effects, strict=True)
        if is_effect
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--out", type=Path, default=Path("data/music-and-effects"))
    args = parser.parse_args()
    library = load(LIBRARY)
    music = re.compile(library.spec["music"])
    out = args.out.resolve()
    opaque = build(library, out)
    files = sorted(opaque)
    effects = for_effects(library.queries, files, music)
    print(
        f"{len(files)} files ({sum(bool(music.search(f)) for f in files)} music tracks), {len(effects)} queries "
        f"({sum(effects)} for effects); model {args.model}. Indexing (kept under {out}):"
    )
    print_tables(
        library,
        index(out, opaque, args.model),
        files,
        variants={"best window alone": replace(FusionWeights(), luck=0.0)},
        column=(
            f"music rows in the first ten of the {sum(effects)} effect queries",
            lambda ranked: str(music_rows(ranked, effects, music)),
        ),
    )


if __name__ == "__main__":
    main()
