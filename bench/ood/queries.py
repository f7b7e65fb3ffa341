"""Sound-designer queries over the out-of-distribution library, and how a ranking is judged.

Each query in ``queries.json`` has a text, an everyday category and its relevance: word-level
regular expressions over a file's cleaned name words (:attr:`OodFile.text`), all of which must
match, and optionally one that must not. They were written by reading every match
(``python -m bench.ood matches``) so that "relevant" is what a sound designer typing the query
would accept. The metrics come from ``trainer.evaluation.metrics``, the project's one home for
them.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.ood.library import OodFile
from trainer.evaluation.metrics import KS, search_metrics_from_ranks

QUERIES = Path(__file__).with_name("queries.json")
CUTOFF = 10


@dataclass(frozen=True)
class OodQuery:
    text: str
    category: str
    relevant: tuple[re.Pattern, ...]  # all must match the file's words
    exclude: re.Pattern | None = None

    def is_relevant(self, file: OodFile) -> bool:
        return all(p.search(file.text) for p in self.relevant) and not (self.exclude and self.exclude.search(file.text))


def load_queries(path: Path = QUERIES) -> list[OodQuery]:
    """The queries, their regexes compiled (a bad one raises naming its query)."""
    queries = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        try:
            patterns = entry["relevant"] if isinstance(entry["relevant"], list) else [entry["relevant"]]
            exclude = re.compile(entry["exclude"]) if entry.get("exclude") else None
            queries.append(OodQuery(entry["text"], entry["category"], tuple(map(re.compile, patterns)), exclude))
        except (KeyError, re.error) as error:
            raise ValueError(f"{path}: query {entry.get('text')!r}: {error}") from error
    return queries


def judge(query: OodQuery, ranked: Sequence[OodFile | Path | str], library: Sequence[OodFile]) -> dict[str, float]:
    """R@1/5/10 and mAP@10 of one ranking (best first; named or opaque paths, or files; it may
    stop early: a right file it leaves out counts as ranked below the cutoff)."""
    by_path = {str(p): f for f in library for p in (f.named, f.opaque)}
    order = [r if isinstance(r, OodFile) else by_path[str(r)] for r in ranked]
    position = {f.named: i for i, f in reversed(list(enumerate(order)))}
    right = [f for f in library if query.is_relevant(f)]
    if not right:
        raise ValueError(f"query {query.text!r} has no relevant file in this library")
    missing = max(len(library), CUTOFF)
    return search_metrics_from_ranks([[position.get(f.named, missing) for f in right]], CUTOFF)


def chance(query: OodQuery, library: Sequence[OodFile]) -> dict[str, float]:
    """The same metrics expected of a random ranking of the library, exactly: with ``r`` right
    files among ``n``, R@k = 1 - C(n-r, k) / C(n, k), and the expected AP@10 sums, over the top
    ten places, the chance a place is right times the expected precision there given it is."""
    n, r = len(library), sum(query.is_relevant(f) for f in library)
    recall = {f"R@{k}": 1 - math.comb(n - r, min(k, n)) / math.comb(n, min(k, n)) for k in KS}
    places = range(1, min(CUTOFF, n) + 1)
    hits = sum(r / n * (1 + (i - 1) * (r - 1) / max(n - 1, 1)) / i for i in places)
    return recall | {f"mAP@{CUTOFF}": hits / min(r, CUTOFF)}


def by_category(queries: Sequence[OodQuery], results: Sequence[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean metrics per query category, plus ``all`` over every query."""
    groups: dict[str, list[dict[str, float]]] = defaultdict(list)
    for query, result in zip(queries, results, strict=True):
        groups[query.category].append(result)
        groups["all"].append(result)
    return {
        category: {k: float(np.mean([r[k] for r in rows])) for k in rows[0]} | {"queries": len(rows)}
        for category, rows in sorted(groups.items())
    }
