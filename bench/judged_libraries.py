"""Search quality on libraries a sound designer judged: Debian packages no model of ours trained on
and nobody tuned the search on, each with a review's queries and the files that answer them.

    python -m bench.judged_libraries NAME [NAME ...] [--model builtin] [--out data/judged-libraries]

NAME is a judged library, ``bench/NAME.json``: its Debian packages (checked against the training
sets and the reserved list), the files in them that hold sounds inside a game's own format
(``containers``: bench/game_containers.py), the listing of the library as the reviewer judged it
(``files``: each file's path inside its package, ``colobot-common-sounds/usr/share/...``) and the
queries, each with a regular expression (Python re.search) over that path for the files a sound
designer would want, a category, and where the reviewer was unsure of a judgment, why
(``uncertain``). The packages are downloaded (``apt-get download``) and their audio extracted once
under ``--out/NAME``; the library is indexed twice, under its own names and with every file renamed
``Take_0001``... in one folder (only the sound can find anything), and printed for each: R@1, R@10
and mAP@10 over the queries, and mAP@10 by category, for Earmark as shipped beside BM25 over the
paths (on own names) and chance; files with the same bytes are one right answer, found where the
first of them is ranked (Earmark lists them as one row). bench/music_and_effects.py measures review
12's library this way. Several names run one after another. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.game_containers import extract_containers
from bench.ood.queries import by_category, chance
from bench.search_quality import CUTOFF, Ranker, bm25_baseline, earmark, open_library
from engine.facade import Engine
from engine.search.fusion import FusionWeights
from trainer.corpus import debian
from trainer.corpus.packages import check_evaluable
from trainer.evaluation.metrics import search_metrics_from_ranks

METRICS = ("R@1", "R@10", f"mAP@{CUTOFF}")
Rankings = list[list[str]]  # per query, its results' paths in their packages, best first


@dataclass(frozen=True)
class Query:
    text: str
    relevant: re.Pattern
    category: str = ""
    uncertain: str = ""  # why the reviewer was unsure of the judgment; empty when sure

    def is_relevant(self, path: str) -> bool:
        return bool(self.relevant.search(path))


@dataclass(frozen=True)
class JudgedLibrary:
    name: str
    packages: tuple[str, ...]
    queries: tuple[Query, ...]
    files: tuple[str, ...]  # as the reviewer judged them: each path inside its package
    containers: dict[str, list[str]] = field(default_factory=dict)  # package -> containers in it
    spec: dict = field(default_factory=dict)  # the whole JSON, for what one bench alone reads


@dataclass(frozen=True)
class Indexing:
    """The library indexed once: under its own names (``root``: the extracted packages) or
    opaque ones (no root); ``path_of`` maps a result's path to its path inside its package."""

    name: str
    engine: Engine
    root: Path | None
    path_of: Callable[[str], str]


def library_path(name: str) -> Path:
    return Path(__file__).with_name(f"{name}.json")


def load(path: Path) -> JudgedLibrary:
    """A judged library's JSON, its regular expressions compiled (a bad one raises naming its query)."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    queries = []
    for entry in spec["queries"]:
        try:
            relevant = re.compile(entry["relevant"])
        except re.error as error:
            raise ValueError(f"{path.name}: {entry['text']!r}: {error}") from error
        queries.append(Query(entry["text"], relevant, entry.get("category", ""), entry.get("uncertain", "")))
    return JudgedLibrary(
        path.stem, tuple(spec["packages"]), tuple(queries), tuple(spec["files"]), spec.get("containers", {}), spec
    )


def build(library: JudgedLibrary, out: Path) -> dict[str, str]:
    """Download and extract the packages' audio under ``out/extracted`` (kept between runs) and
    link each file into ``out/opaque`` as ``Take_NNNN`` in a fixed shuffled order; returns {path
    in its package ("colobot-common-sounds/usr/share/..."): its opaque path}. Says where the
    packages' files differ from those judged; refuses a query nothing found answers."""
    check_evaluable(library.packages, debian.TRAINING_PACKAGES)
    files = []
    for package in library.packages:
        extracted, deb = out / "extracted" / package, debian.fetch(package, out / "debs")
        extract_containers(deb, extracted, library.containers.get(package, []))
        found = debian.extract_audio(deb, extracted)
        files += [p.relative_to(out / "extracted").as_posix() for p in found]
    files.sort()
    if unjudged := sorted(set(files) - set(library.files)):
        print(f"{len(unjudged)} files the review did not judge (another version?), first {unjudged[:3]}")
    if gone := sorted(set(library.files) - set(files)):
        print(f"{len(gone)} judged files not in the packages now, first {gone[:3]}")
    if unanswered := [q.text for q in library.queries if not any(q.is_relevant(f) for f in files)]:
        raise ValueError(f"no file answers {unanswered}: the packages changed since the review")
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


def index(out: Path, opaque: dict[str, str], model: str) -> list[Indexing]:
    """The library under its own names and under opaque ones, each indexed in a home of its own
    under ``out`` (only what changed is indexed again)."""
    named_root, by_opaque = out / "extracted", {str(out / o): f for f, o in opaque.items()}
    return [
        Indexing(
            "own names",
            open_library(out / f"home-named-{model}", named_root, model),
            named_root,
            lambda p: Path(p).relative_to(named_root).as_posix(),
        ),
        Indexing(
            "opaque names",
            open_library(out / f"home-opaque-{model}", out / "opaque", model),
            None,
            lambda p: by_opaque[str(p)],
        ),
    ]


def systems(indexing: Indexing, files: list[str], variants: dict[str, FusionWeights]) -> dict[str, Ranker]:
    """Earmark as shipped, with each of ``variants``' weights, and on own names BM25 over the paths."""
    ranked = {"Earmark": earmark(indexing.engine)}
    ranked |= {name: earmark(indexing.engine, weights=weights) for name, weights in variants.items()}
    if indexing.root:
        ranked["BM25 over the paths"] = bm25_baseline(indexing.root, [], paths=[indexing.root / f for f in files])
    return ranked


def rankings(rank: Ranker, queries: Sequence[Query], path_of: Callable[[str], str]) -> Rankings:
    return [[path_of(p) for p in rank(query.text)] for query in queries]


def scores(
    ranked: Rankings, queries: Sequence[Query], files: Sequence[str], sound_of: Mapping[str, str] | None = None
) -> list[dict[str, float]]:
    """Each query's R@1, R@10 and mAP@10; a right file not ranked counts as below the cutoff. Files
    of one sound (``sound_of``: path -> content hash, :func:`sounds`) are one right answer, found
    where any of them is ranked: Earmark shows a group of copies as one row ("+1 copy"), so review
    13's "52 Wind.wav", a copy of "57 Heavy wind.wav", counted as never found for "wind"."""
    sound_of = sound_of or {}
    rows = []
    for query, results in zip(queries, ranked, strict=True):
        position = {p: i for i, p in reversed(list(enumerate(results)))}
        missing = max(len(files), CUTOFF)
        found: dict[str, int] = {}  # each sound's first position, whichever of its files holds it
        for f in files:
            sound = sound_of.get(f, f)
            found[sound] = min(found.get(sound, missing), position.get(f, missing))
        right = [found[sound] for sound in {sound_of.get(f, f) for f in files if query.is_relevant(f)}]
        rows.append(search_metrics_from_ranks([right], CUTOFF))
    return rows


def sounds(indexing: Indexing) -> dict[str, str]:
    """Each file with a copy in the library (its path in its package): its content hash."""
    copied = indexing.engine.store.copies()
    return {indexing.path_of(record.path): copied[i] for i, record in indexing.engine.store.get_files(copied).items()}


def mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    return {m: sum(r[m] for r in rows) / len(rows) for m in METRICS}


def print_tables(
    library: JudgedLibrary,
    indexings: list[Indexing],
    files: list[str],
    variants: dict[str, FusionWeights] | None = None,
    column: tuple[str, Callable[[Rankings], str]] | None = None,
) -> None:
    """For each indexing, each system's R@1 / R@10 / mAP@10 and chance's, then mAP@10 by category;
    ``column``: a heading and a value more of each system's rankings (bench.music_and_effects)."""
    queries = library.queries
    luck = [chance(q, files) for q in queries]
    categories = sorted({q.category for q in queries} - {""})
    for indexing in indexings:
        print(f"\n{indexing.name}: R@1 / R@10 / mAP@10" + (f", {column[0]}" if column else ""))
        sound_of = sounds(indexing)
        by_system = {}
        for system, rank in systems(indexing, files, variants or {}).items():
            ranked = rankings(rank, queries, indexing.path_of)
            by_system[system] = scores(ranked, queries, files, sound_of)
            extra = f"   {column[1](ranked)}" if column else ""
            print(f"  {system:22} {format_row(mean(by_system[system]))}{extra}")
        print(f"  {'chance':22} {format_row(mean(luck))}")
        if categories:
            print(f"  mAP@{CUTOFF} by category: " + " | ".join([*by_system, "chance"]))
            for category, row in category_rows(queries, {**by_system, "chance": luck}).items():
                print(f"    {category:24} {row}")


def format_row(metrics: dict[str, float]) -> str:
    return " / ".join(f"{metrics[m]:.3f}" for m in METRICS)


def category_rows(queries: Sequence[Query], by_system: dict[str, list[dict[str, float]]]) -> dict[str, str]:
    """Each category's mAP@10 for each system, its query count in its name."""
    tables = {system: by_category(queries, rows) for system, rows in by_system.items()}
    first = next(iter(tables.values()))
    return {
        f"{category} ({first[category]['queries']})": " | ".join(
            f"{tables[s][category][f'mAP@{CUTOFF}']:.3f}" for s in tables
        )
        for category in first
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="judged libraries: bench/NAME.json")
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--out", type=Path, default=Path("data/judged-libraries"))
    args = parser.parse_args()
    for name in args.names:
        library = load(library_path(name))
        out = (args.out / name).resolve()
        opaque = build(library, out)
        files = sorted(opaque)
        unsure = sum(bool(q.uncertain) for q in library.queries)
        print(
            f"\n== {name}: {len(library.packages)} packages, {len(files)} files, {len(library.queries)} queries "
            f"({unsure} judged unsure); model {args.model}. Indexing (kept under {out}):"
        )
        print_tables(library, index(out, opaque, args.model), files)


if __name__ == "__main__":
    main()
