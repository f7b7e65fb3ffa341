"""Search quality on a library no model of ours trained on, against BM25 over the file paths.

    python -m bench.search_quality [--model builtin] [--ood data/ood] [--sweep]

The out-of-distribution library (``python -m bench.ood build``) is indexed with the same audio
under its shipped names (``named/``), under names that say nothing (``opaque/``,
``Take_0001.ogg``), and twice half and half (below). Every query of ``bench/ood/queries.py``
runs through

- Earmark's hybrid search and each of its rankings alone (``Searcher``): keywords (BM25 over
  the name fields), meaning (the names in the model's words space), sound (the audio);
- two independent baselines: ``bm25s`` (a maintained BM25 package) with the Snowball English
  stemmer over the words of each file's path below the library folder, split by Earmark's own
  tokeniser (``engine.words``), and the same over a plain split on punctuation and spaces (what
  a file manager's search sees);

on the named library, then the hybrid and the sound alone on the opaque one (where names have
nothing to find), then on a mixed library, as most real ones are (a vendor's named files beside a
recordist's ``Take_017.wav`` folders): every other package, sorted by name, under its names and the
rest as ``Take_0001`` files in one folder, and the same with the halves swapped, both counted
(:func:`mixed_library`), against BM25 over the same paths and chance; then the queries typed in a
hurry (a slip in a word: two letters swapped, one dropped, one doubled, a neighbouring key) on the
named library: the hybrid reading typos as the library words they misspell
(engine/search/respell.py), the hybrid taking them as typed, BM25, and the hybrid on the same
queries without typos; then every query with "long" and with "short" appended, a file right when
it is of the query's kind and of that length (:class:`SizedQuery`), the hybrid against the same
search not reading the length word (engine.search.query.length_fit), BM25 and chance. For a
model with exemplars (``exemplars.safetensors``: its sound ranking also hears each query as a
sound), the named, opaque and mixed tables add the hybrid and the
sound of the same model without them, on the same index (a copy of the checkpoint without the
file under ``--work``: the windows and the model's name are the same, so is its index).
Printed: R@1, R@10 and mAP@10 (AP capped at min(right files, 10)) overall
and per query category, with chance. ``--sweep`` also prints overall mAP@10 for other fusion and
field weights, each with its score on the odd and the even queries (a weight chosen on one half
should hold on the other), which is how the defaults in engine/search/fusion.py and
engine/index/text.py were chosen. Indexes are kept under ``--work`` so a second run only
searches. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import bm25s
import Stemmer

from bench.ood import OodFile, OodQuery, by_category, chance, judge, load_library, load_queries
from bench.ood.content import WINDOWS_VERSION, without_exemplars
from bench.ood.library import HALVES, indexed_engine, library_key, package_halves
from bench.ood.queries import CUTOFF
from engine.facade import Engine
from engine.index.text import FOLDER, INFO, NAME, TEXT_FIELDS
from engine.models.base import AudioTextModel
from engine.models.registry import load_model
from engine.paths import app_paths
from engine.search import Searcher
from engine.search.fusion import FusionWeights
from engine.search.listing import PAGE, as_listed
from engine.search.searcher import MEANING, RANKINGS, SOUND, WORDS
from engine.words import words

Ranker = Callable[[str], list[Path]]  # query -> result paths, best first


def open_library(home: Path, folder: Path, model: str) -> Engine:
    """An Earmark home with ``folder`` indexed by ``model`` (only what changed is indexed again)."""
    engine, report = indexed_engine(app_paths(home), [folder], model)
    print(
        f"  {folder.name}: {report.scanned} files, {report.embedded} embedded now, {len(report.errors)} errors "
        f"({report.seconds:.0f} s)"
    )
    return engine


def plain_split(text: str) -> list[str]:
    """Lower-case runs of letters and digits: no camelCase, digit or compound splitting."""
    return re.findall(r"[a-z0-9]+", text.lower())


def bm25_baseline(
    root: Path, files: list[OodFile], split: Callable[[str], list[str]] = words, paths: list[Path] | None = None
) -> Ranker:
    """bm25s over the stemmed words of each path below ``root`` (folders and file name), the
    path and the query cut into words by ``split``; ``paths`` are the files' paths (default:
    their named ones)."""
    stemmer = Stemmer.Stemmer("english")
    paths = paths or [f.named for f in files]
    corpus = [" ".join(split(str(p.relative_to(root).with_suffix("")))) for p in paths]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)

    def rank(query: str) -> list[Path]:
        tokens = bm25s.tokenize([" ".join(split(query))], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, scores = retriever.retrieve(tokens, k=min(CUTOFF, len(paths)), show_progress=False)
        return [paths[i] for i, s in zip(found[0], scores[0], strict=False) if s > 0]

    return rank


def earmark(
    engine: Engine, rankings: frozenset[str] = RANKINGS, model: AudioTextModel | None = None, **weights
) -> Ranker:
    """Earmark's search of ``engine``'s index, with ``model`` in place of the engine's (a variant
    whose vectors are the index's: the model without its exemplars)."""
    searcher = Searcher(engine.store, model or engine.model, **weights)
    return lambda query: [Path(h.path) for h in searcher.search(query, limit=CUTOFF, rankings=rankings)]


def as_the_window_lists(engine: Engine) -> Ranker:
    """Earmark's hybrid as the window lists it: a page of :data:`engine.search.listing.PAGE` hits,
    the files the words found first (:func:`engine.search.listing.as_listed`), its first ten judged."""
    searcher = Searcher(engine.store, engine.model)
    return lambda query: [Path(h.path) for h in as_listed(searcher.search(query, limit=PAGE))][:CUTOFF]


def plain_model(spec: str, work: Path) -> AudioTextModel | None:
    """The model ``spec`` names without its exemplars (:func:`without_exemplars`), or None when it
    has none."""
    copy = without_exemplars(spec, work)
    return None if copy is None else load_model(copy)


def without_exemplars_arms(engine: Engine, plain: AudioTextModel | None) -> dict[str, Ranker]:
    """The hybrid and the sound of ``engine``'s index with ``plain`` (:func:`plain_model`): what
    the exemplars add is the difference from the engine's own; none without exemplars."""
    if plain is None:
        return {}
    return {
        "hybrid, no exemplars": earmark(engine, model=plain),
        "sound, no exemplars": earmark(engine, frozenset({SOUND}), model=plain),
    }


def evaluate(rank: Ranker, files: list[OodFile], queries: list[OodQuery]) -> dict[str, dict]:
    """{category or "all": mean metrics} and the median query time in ms under "ms"."""
    results, times = run_queries(rank, files, queries)
    return by_category(queries, results) | {"ms": 1000 * statistics.median(times)}


def run_queries(
    rank: Ranker, files: list[OodFile], queries: list[OodQuery], where: dict[str, OodFile] | None = None
) -> tuple[list[dict[str, float]], list[float]]:
    """Each query's metrics and seconds; ``where`` names the file of each path the ranker may
    return (default: the library's named and opaque paths)."""
    results, times = [], []
    for query in queries:
        started = time.perf_counter()
        ranked = rank(query.text)
        times.append(time.perf_counter() - started)
        results.append(judge(query, [where[str(p)] for p in ranked] if where is not None else ranked, files))
    return results, times


def mixed_library(out: Path, files: list[OodFile], named_half: int) -> dict[str, OodFile]:
    """A library of the same sounds, half of it named: the packages of the first half
    (:func:`package_halves`, "odd") when ``named_half`` is 0, else the second's, keep their paths
    under ``out``; the others' files are ``out/Takes/Take_0001.ogg``... as in the opaque library.
    Hard links (copies where the file system has none), kept between runs while they are the file
    they stand for: a rebuilt library numbers its takes afresh, and a file it left out goes.
    Returns {path under ``out``: file}."""
    named_packages = package_halves(files)[HALVES[named_half]]
    where = {}
    for f in files:
        named = f.package in named_packages
        source, target = (f.named, out / f.package / f.relative) if named else (f.opaque, out / "Takes" / f.opaque.name)
        if not is_copy_of(target, source):
            target.unlink(missing_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
        where[str(target)] = f
    for stale in [p for p in out.rglob("*") if p.is_file() and str(p) not in where]:
        stale.unlink()
    return where


def is_copy_of(target: Path, source: Path) -> bool:
    """Whether ``target`` is ``source`` (a hard link) or its copy (copy2 keeps size and time)."""
    try:
        if os.path.samefile(target, source):
            return True
        a, b = target.stat(), source.stat()
    except OSError:
        return False
    return (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns)


def print_mixed(
    work: Path,
    model: str,
    files: list[OodFile],
    queries: list[OodQuery],
    built: str,
    plain: AudioTextModel | None = None,
) -> None:
    """The hybrid, its keywords and its sound, BM25 over the same paths and chance, on the two
    mixed libraries (:func:`mixed_library`), each query counted once in each; ``built`` names the
    built library (:func:`library_key`), whose takes the mixed libraries' homes have indexed;
    ``plain``: the model without its exemplars (:func:`without_exemplars_arms`)."""
    results: dict[str, list[dict[str, float]]] = {}
    times: dict[str, list[float]] = {}
    for half in (0, 1):
        root = (work / f"mixed-{half}").resolve()
        where = mixed_library(root, files, half)
        engine = open_library(work / f"mixed-{half}-{model}-{built}-w{WINDOWS_VERSION}", root, model)
        systems = {
            "Earmark hybrid": earmark(engine),
            "as the window lists": as_the_window_lists(engine),
            "keywords": earmark(engine, frozenset({WORDS})),
            "sound": earmark(engine, frozenset({SOUND})),
            **without_exemplars_arms(engine, plain),
            "BM25 (our words)": bm25_baseline(root, files, paths=[Path(p) for p in where]),
        }
        for name, rank in systems.items():
            found, seconds = run_queries(rank, files, queries, where)
            results.setdefault(name, []).extend(found)
            times.setdefault(name, []).extend(seconds)
        engine.close()
    both = [*queries, *queries]
    measured = {
        name: by_category(both, found) | {"ms": 1000 * statistics.median(times[name])}
        for name, found in results.items()
    }
    print_table(
        "Mixed library: half the packages under their names, half as Take_0001 files (each half named once)",
        measured | {"chance": by_category(queries, [chance(q, files) for q in queries])},
    )


def print_table(title: str, systems: dict[str, dict[str, dict]]) -> None:
    names = list(systems)
    print(f"\n{title}")
    print(f"{'':14}" + "".join(f"{name:>24}" for name in names))
    print(f"{'':14}" + "".join(f"{'R@1   R@10  mAP@10':>24}" for _ in names))
    categories = ["all"] + sorted(c for c in next(iter(systems.values())) if c not in ("all", "ms"))
    for category in categories:
        cells = []
        for name in names:
            m = systems[name].get(category)
            cells.append(f"{m['R@1']:6.3f}{m['R@10']:6.3f}{m[f'mAP@{CUTOFF}']:8.3f}" if m else "")
        print(f"{category:14}" + "".join(f"{c:>24}" for c in cells))
    print(f"{'median ms':14}" + "".join(f"{systems[n].get('ms', float('nan')):>24.1f}" for n in names))


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
    print(
        f"{len(files)} files, {len(queries)} queries in {len({q.category for q in queries})} categories; "
        f"model {args.model}. Indexing (kept under {args.work} for the next run):"
    )
    named = open_library(args.work / f"named-{args.model}-w{WINDOWS_VERSION}", named_root, args.model)
    # takes are numbered afresh by each build of the library, and an index knows a file by its path,
    # size and time (which files of one package may share): a home of their own per built library
    built = library_key(args.ood)
    opaque = open_library(args.work / f"opaque-{args.model}-{built}-w{WINDOWS_VERSION}", opaque_root, args.model)
    plain = plain_model(args.model, args.work)

    print_table(
        "Named library (the files' own names)",
        {
            "Earmark hybrid": evaluate(earmark(named), files, queries),
            "as the window lists": evaluate(as_the_window_lists(named), files, queries),
            "keywords": evaluate(earmark(named, frozenset({WORDS})), files, queries),
            "meaning": evaluate(earmark(named, frozenset({MEANING})), files, queries),
            "sound": evaluate(earmark(named, frozenset({SOUND})), files, queries),
            **{name: evaluate(rank, files, queries) for name, rank in without_exemplars_arms(named, plain).items()},
            "BM25 (our words)": evaluate(bm25_baseline(named_root, files), files, queries),
            "BM25 (plain split)": evaluate(bm25_baseline(named_root, files, plain_split), files, queries),
        },
    )
    print_table(
        "Opaque names (Take_0001.ogg): only the model can find anything",
        {
            "Earmark hybrid": evaluate(earmark(opaque), files, queries),
            "sound": evaluate(earmark(opaque, frozenset({SOUND})), files, queries),
            **{name: evaluate(rank, files, queries) for name, rank in without_exemplars_arms(opaque, plain).items()},
            "chance": by_category(queries, [chance(q, files) for q in queries]),
        },
    )
    print_mixed(args.work, args.model, files, queries, built, plain)
    print_typos(named, named_root, files, queries)
    print_lengths({"named": (named, named_root), "opaque": (opaque, opaque_root)}, files, queries)
    if args.sweep:
        sweep(named, files, queries)


TYPO_LETTERS = 5
# the slips of a hurried typist, each at the middle of the query's longest word: two letters
# swapped, one left out, one doubled, one hit on a neighbouring key (the first on a QWERTY row)
TYPO_KINDS = ("swapped", "dropped", "doubled", "neighbour")
QWERTY_NEIGHBOUR = {
    c: row[i + 1] if i + 1 < len(row) else row[i - 1]
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
}


def with_typo(text: str, kind: str = "swapped") -> str | None:
    """``text`` with a slip of ``kind`` (:data:`TYPO_KINDS`) in its longest word of
    :data:`TYPO_LETTERS` or more letters ("explosion": expolsion, exposion, expllosion,
    expkosion); None without such a word, or when the slip leaves it as it was (two
    equal letters swapped, "bubbles")."""
    longest = max(re.findall(r"[a-z]+", text), key=len, default="")
    if len(longest) < TYPO_LETTERS:
        return None
    i = len(longest) // 2 - 1
    head, middle, tail = longest[:i], longest[i : i + 2], longest[i + 2 :]
    slipped = {
        "swapped": middle[::-1],
        "dropped": middle[1],
        "doubled": middle[0] + middle,
        "neighbour": QWERTY_NEIGHBOUR[middle[0]] + middle[1],
    }[kind]
    if slipped == middle:
        return None
    return re.sub(rf"\b{longest}\b", head + slipped + tail, text, count=1)


def print_typos(named: Engine, root: Path, files: list[OodFile], queries: list[OodQuery]) -> None:
    """The queries with each kind of slip (:data:`TYPO_KINDS`), pooled: the hybrid reading
    typos, the hybrid taking them as typed, BM25, and the hybrid on the queries spelt right; then
    each kind's overall mAP@10 for the first three."""
    slipped = {kind: [replace(q, text=t) for q in queries if (t := with_typo(q.text, kind))] for kind in TYPO_KINDS}
    typed = [q for kind in TYPO_KINDS for q in slipped[kind]]
    right = [q for kind in TYPO_KINDS for q in queries if with_typo(q.text, kind)]
    systems = {
        "Earmark hybrid": earmark(named),
        "hybrid, typos as typed": earmark(named, respell=False),
        "BM25 (our words)": bm25_baseline(root, files),
    }
    examples = ", ".join(repr(slipped[kind][0].text) for kind in TYPO_KINDS)
    print_table(
        f"Typos, named library: {len(typed)} queries, each with a word of {TYPO_LETTERS}+ letters slipped at "
        f"the middle of its longest ({', '.join(TYPO_KINDS)}: {examples})",
        {name: evaluate(rank, files, typed) for name, rank in systems.items()}
        | {"hybrid, no typos": evaluate(earmark(named), files, right)},
    )
    for kind in TYPO_KINDS:
        scores = [evaluate(rank, files, slipped[kind])["all"][f"mAP@{CUTOFF}"] for rank in systems.values()]
        print(
            f"  {kind:10} ({len(slipped[kind])} queries) mAP@10: "
            + ", ".join(f"{n} {v:.3f}" for n, v in zip(systems, scores, strict=True))
        )


# a query's length word judged as asked: a right file is of the query's kind and this long or short
LONG_FROM_S, SHORT_UP_TO_S = 3.0, 1.0


@dataclass(frozen=True)
class SizedQuery(OodQuery):
    """A query with a length word appended ("door long"): right when of its kind and of that length."""

    longer: bool = True

    def is_relevant(self, file: OodFile) -> bool:
        fits = file.seconds >= LONG_FROM_S if self.longer else file.seconds <= SHORT_UP_TO_S
        return fits and super().is_relevant(file)


def print_lengths(libraries: dict[str, tuple[Engine, Path]], files: list[OodFile], queries: list[OodQuery]) -> None:
    """Every query with "long" and with "short" appended (those with a right file of that length):
    the hybrid, the same without reading the length (engine.search.query.length_fit; the word is
    still searched), BM25 and chance, on each library."""
    for word, longer in (("long", True), ("short", False)):
        sized = [SizedQuery(f"{q.text} {word}", q.category, q.relevant, q.exclude, longer) for q in queries]
        sized = [q for q in sized if any(q.is_relevant(f) for f in files)]
        for name, (engine, root) in libraries.items():
            systems = {
                "Earmark hybrid": earmark(engine),
                "hybrid, length unread": earmark(engine, weights=replace(FusionWeights(), length=0.0)),
            }
            if name == "named":
                systems["BM25 (our words)"] = bm25_baseline(root, files)
            print_table(
                f'A length typed, {name} library: {len(sized)} queries + "{word}", right when of the kind and '
                + (f"{LONG_FROM_S:g} s or longer" if longer else f"{SHORT_UP_TO_S:g} s or shorter"),
                {n: evaluate(rank, files, sized) for n, rank in systems.items()}
                | {"chance": by_category(sized, [chance(q, files) for q in sized])},
            )


def sweep(named: Engine, files: list[OodFile], queries: list[OodQuery]) -> None:
    """Overall mAP@10 of the hybrid for other fusion and field weights, on all queries and on
    the odd and even ones apart."""
    halves = (queries[0::2], queries[1::2])

    def score(rank: Ranker) -> str:
        parts = [evaluate(rank, files, part)["all"][f"mAP@{CUTOFF}"] for part in (queries, *halves)]
        return f"mAP@10 {parts[0]:.3f} (odd {parts[1]:.3f}, even {parts[2]:.3f})"

    default = FusionWeights()
    print(f"\nSweep on the named library (defaults: {default}, fields {TEXT_FIELDS})")
    for meaning in (0.0, 0.5, 0.75, 1.0, 1.5):
        for sound in (0.0, 0.1, 0.3):
            weights = FusionWeights(meaning=meaning, sound=sound)
            print(f"  meaning {meaning:4.2f}, sound {sound:3.1f}: {score(earmark(named, weights=weights))}")
    for floor in (0.2, 0.4):
        weights = FusionWeights(meaning_floor=floor)
        print(f"  meaning floor {floor:3.1f}: {score(earmark(named, weights=weights))}")
    for name_w, folder_w, info_w in ((1, 1, 1), (2, 1, 1), (3, 1, 1), (2, 0.5, 1), (2, 1, 2)):
        fields = {NAME: name_w, FOLDER: folder_w, INFO: info_w}
        print(
            f"  fields name {name_w}, folder {folder_w}, info {info_w}: keywords "
            f"{score(earmark(named, frozenset({WORDS}), text_fields=fields))}, "
            f"hybrid {score(earmark(named, text_fields=fields))}"
        )


if __name__ == "__main__":
    main()
