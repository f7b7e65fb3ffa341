"""When a search no word found is close to its query (``SearchResults.nothing_close`` in
engine/search/searcher.py): the shipped rule and candidates, against real queries whose best hit
is right or wrong and against queries nothing answers.

    python -m bench.nothing_close [--model builtin] [--ood data/ood] [--list]
                                  [--home HOME --query TEXT --query TEXT ...]

On bench/ood's named library and its two mixed ones (half the packages named, half
``Take_0001.ogg``: bench/search_quality.py, whose indexes under ``--work`` these are) each of its
real queries is searched by what the names mean and by the sound, the words ranking left out, as a
query none of whose words a name holds is searched; on its opaque library (only the sound ranks)
each is searched as the app does. The nonsense of ``nothing_close.json`` (gibberish and off-topic
words) and :data:`GIBBERISH` random letter strings are searched as the app does on each. Every
search asks for the app's 500 hits (engine.search.listing.PAGE) and keeps its best hit: its match,
meaning rank and cosine, sound rank and score and, for a real query, whether it is right
(bench/ood's judging). A search whose words found a hit (a nonsense word a name holds, a real
query's word in a take's metadata) is no case of the rule, and is left out. Printed for each
library, for the shipped rule and each candidate: the real queries whose right best hit it flags
(a right answer disowned), those whose wrong best hit it flags, and the nonsense and gibberish it
calls close. ``--home`` searches each ``--query``, the nonsense and the gibberish as the app does
in another Earmark home (review 13's), its queries' best hits listed for reading. ``--list`` lists
every real and nonsense query's best hit. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from bench.ood import OodFile, load_library, load_queries
from bench.ood.content import WINDOWS_VERSION
from bench.ood.library import library_key
from bench.search_quality import mixed_library, open_library
from engine.facade import Engine
from engine.paths import app_paths
from engine.search import Searcher
from engine.search.listing import PAGE
from engine.search.searcher import CLOSE_MATCH, HEARD_CLOSE, MEANING, RANKINGS, SOUND, SearchResults

NONSENSE = Path(__file__).with_name("nothing_close.json")
UNWORDED = frozenset({MEANING, SOUND})  # a search none of whose words a name holds
GIBBERISH = 300  # random strings of 4-9 letters, one or two of them, the same every run


@dataclass(frozen=True)
class Best:
    """The best hit of a search no word found, as the rule sees it, and what the shipped rule said."""

    query: str
    path: str
    score: float
    meaning_rank: int | None
    meaning_cos: float | None
    sound_rank: int | None
    sound_score: float | None  # SearchHit.vector_score
    flagged: bool  # SearchResults.nothing_close
    right: bool | None = None  # for a real query, whether bench/ood judges the hit right


Rule = Callable[[Best], bool]  # whether the best hit is close to its query


def best_of(query: str, results: SearchResults) -> Best | None:
    """The best hit of ``results``, None when the words found any hit (the rule never applies)."""
    if not results or any(hit.text_rank is not None for hit in results):
        return None
    hit = results[0]
    return Best(
        query,
        hit.path,
        hit.score,
        hit.meaning_rank,
        hit.meaning_score,
        hit.vector_rank,
        hit.vector_score,
        results.nothing_close,
    )


def gibberish(count: int = GIBBERISH, seed: int = 0) -> list[str]:
    """``count`` queries of one random word of 4-9 letters, or two (two in five)."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))

    return [word() if rng.random() < 0.6 else f"{word()} {word()}" for _ in range(count)]


def matched_at_least(match: float) -> Rule:
    """Close when what its name means ranked the best hit and it matched ``match`` or more."""
    return lambda best: best.meaning_rank is not None and best.score >= match


def meaning_first_and_heard(k: int) -> Rule:
    """Close when the best hit is the first by what its name means and among the sound's first ``k``."""
    return lambda best: best.meaning_rank == 1 and best.sound_rank is not None and best.sound_rank <= k


def meaning_at_least(cosine: float) -> Rule:
    """Close when the best hit's name means the query at ``cosine`` or more."""
    return lambda best: best.meaning_cos is not None and best.meaning_cos >= cosine


def meant_and_sounding(score: float) -> Rule:
    """Close when what its name means ranked the best hit and it sounds like the query at ``score``
    or more (the sound ranking's own score, not the match)."""
    return lambda best: best.meaning_rank is not None and best.sound_score is not None and best.sound_score >= score


def either(*rules: Rule) -> Rule:
    return lambda best: any(rule(best) for rule in rules)


def candidates() -> dict[str, Rule]:
    """The rules tried, by name, the shipped one first."""
    by_match = matched_at_least(CLOSE_MATCH)
    rules = {"shipped": lambda best: not best.flagged, f"match >= {CLOSE_MATCH:g} (review 9)": by_match}
    rules |= {f"match >= {m:g}": matched_at_least(m) for m in (30, 35)}
    for k in (1, 3, 5, 10):
        rules[f"match >= {CLOSE_MATCH:g} or meaning #1 & sound #<={k}"] = either(by_match, meaning_first_and_heard(k))
    rules |= {f"meaning cos >= {c:.2f}": meaning_at_least(c) for c in (0.40, 0.45, 0.50, 0.55)}
    rules[f"match >= {CLOSE_MATCH:g} or meaning cos >= 0.45"] = either(by_match, meaning_at_least(0.45))
    for s in sorted({1.30, 1.35, HEARD_CLOSE, 1.45, 1.50}):
        rules[f"match >= {CLOSE_MATCH:g} or meant & sound >= {s:.2f}"] = either(by_match, meant_and_sounding(s))
    return rules


@dataclass(frozen=True)
class Measured:
    real: list[Best]  # judged
    nonsense: list[Best]
    gibberish: list[Best]


def searched(searcher: Searcher, queries: Iterable[str], rankings: frozenset[str] = RANKINGS) -> list[Best]:
    """The best hit of each query no word found (:func:`best_of`)."""
    found = (best_of(q, searcher.search(q, limit=PAGE, rankings=rankings)) for q in queries)
    return [best for best in found if best is not None]


def measure(
    engine: Engine, where: dict[str, OodFile] | None, nonsense: list[str], real_rankings: frozenset[str]
) -> Measured:
    """The real queries with ``real_rankings`` judged (``where``: {result path: its file}; None:
    none), the nonsense and the gibberish as the app searches."""
    searcher = Searcher(engine.store, engine.model)
    real = []
    if where is not None:
        for query in load_queries():
            for best in searched(searcher, [query.text], real_rankings):
                real.append(replace(best, right=query.is_relevant(where[best.path])))
    return Measured(real, searched(searcher, nonsense), searched(searcher, gibberish()))


def describe(best: Best) -> str:
    meaning = "-" if best.meaning_rank is None else f"#{best.meaning_rank} {best.meaning_cos:.3f}"
    sound = "-" if best.sound_rank is None else f"#{best.sound_rank} {best.sound_score:.3f}"
    right = "" if best.right is None else ("right" if best.right else "WRONG")
    return (
        f"{best.query:28.28} {right:5} match {best.score:5.1f}  meaning {meaning:11} sound {sound:10} "
        f"{'flagged' if best.flagged else 'close  '}  {Path(best.path).name}"
    )


def fraction(bests: list[Best], rule: Rule, flagged: bool = False) -> str:
    """How many of ``bests`` ``rule`` calls close (``flagged``: does not), of how many."""
    return f"{sum(rule(b) != flagged for b in bests)} / {len(bests)}"


def print_tallies(title: str, measured: Measured) -> None:
    right = [b for b in measured.real if b.right]
    wrong = [b for b in measured.real if not b.right]
    print(f"\n{title}")
    columns = ("right flagged", "wrong flagged", "nonsense close", "gibberish close")
    print(f"{'rule: close when ...':50}" + "".join(f"{c:>17}" for c in columns))
    for name, rule in candidates().items():
        cells = (
            fraction(right, rule, flagged=True),
            fraction(wrong, rule, flagged=True),
            fraction(measured.nonsense, rule),
            fraction(measured.gibberish, rule),
        )
        print(f"{name:50}" + "".join(f"{c:>17}" for c in cells))
    meant = [b.sound_score for b in [*measured.nonsense, *measured.gibberish] if b.meaning_rank is not None]
    if meant:
        print(f"the best sound score of a nonsense or gibberish best hit a name's meaning ranked: {max(meant):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--ood", type=Path, default=Path("data/ood"))
    parser.add_argument("--work", type=Path, default=Path("data/bench/search-quality"))
    parser.add_argument("--home", type=Path, help="another Earmark home, searched as the app does")
    parser.add_argument("--query", action="append", default=[], help="a query for --home (repeatable)")
    parser.add_argument("--list", action="store_true", help="list every real and nonsense query's best hit")
    args = parser.parse_args()
    nonsense = json.loads(NONSENSE.read_text(encoding="utf-8"))["nonsense"]
    files = load_library(args.ood)
    built = f"{args.model}-{library_key(args.ood)}-w{WINDOWS_VERSION}"
    named = {str(f.named): f for f in files}
    libraries = {  # name: (its home under --work, its folder, {path: file}, the real queries' rankings)
        "named": (f"named-{args.model}-w{WINDOWS_VERSION}", args.ood / "named", named, UNWORDED),
        "opaque": (f"opaque-{built}", args.ood / "opaque", {str(f.opaque): f for f in files}, RANKINGS),
    }
    for half in (0, 1):
        root = (args.work / f"mixed-{half}").resolve()
        libraries[f"mixed-{half}"] = (f"mixed-{half}-{built}", root, mixed_library(root, files, half), UNWORDED)
    for name, (home, root, where, rankings) in libraries.items():
        engine = open_library(args.work / home, root.resolve(), args.model)
        measured = measure(engine, where, nonsense, rankings)
        engine.close()
        if args.list:
            for best in sorted([*measured.real, *measured.nonsense], key=lambda b: -b.score):
                print("  " + describe(best))
        print_tallies(
            f"bench/ood {name} library, {args.model}, {PAGE} hits: {len(measured.real)} real queries"
            + (" without their words" if rankings == UNWORDED else " no word found")
            + f", {len(measured.nonsense)} nonsense, {len(measured.gibberish)} gibberish",
            measured,
        )
    if args.home:
        with Engine(app_paths(args.home.resolve()), args.model) as engine:
            print(f"\n{args.home}: its queries searched as the app does (one whose words found a hit is left out)")
            for best in searched(Searcher(engine.store, engine.model), args.query):
                print("  " + describe(best))
            measured = measure(engine, None, nonsense, RANKINGS)
        print_tallies(f"{args.home}: {len(measured.nonsense)} nonsense, {len(measured.gibberish)} gibberish", measured)


if __name__ == "__main__":
    main()
