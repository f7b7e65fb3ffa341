"""How the window lists a search's hits: the files the query's words found first, then the
library's other sounds the fused ranking brings after them (for how they sound and what their
names mean), each group in the engine's order, a page of :data:`PAGE` rows. The window lists them
so (app/results_model.py) and bench/search_quality.py measures that order beside the engine's:
a fused ranking puts a strong sound match among weak word matches, which the window moves below
them ("water splash": ``puddle.wav`` second, listed under files whose descriptions say "water")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

PAGE = 500  # the rows a search lists in the window

Hit = TypeVar("Hit")


def found_by_words(hit) -> bool:
    """Whether the words of the query found the hit (in its name, tags, caption or folder): the
    results a user counts. The others are no match of the words, and are counted and listed apart."""
    return getattr(hit, "text_rank", None) is not None


def as_listed(hits: Sequence[Hit]) -> list[Hit]:
    """``hits`` (the engine's order) as the window lists a search's: those :func:`found_by_words`
    first, then the others, each group in the order given."""
    return [h for h in hits if found_by_words(h)] + [h for h in hits if not found_by_words(h)]
