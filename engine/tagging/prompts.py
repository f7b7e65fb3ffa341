"""The phrases a term is embedded from, written by rule from its UCS fields or the user's words.

The builtin model learnt from short captions made of sound names ("shotgun fire, weapons"),
so the phrases are short noun phrases in that style rather than "a sound of ..." sentences.
A term's embedding is the mean of its phrases' embeddings (prompt ensembling, as in CLIP):
one phrase per field, so a term with a long synonym list is not pulled towards it alone.
"""

from __future__ import annotations

import re

from engine.tagging.vocabulary import Term
from engine.words import words

MAX_EXPLANATION_WORDS = 14
MAX_SYNONYMS = 8
_VAGUE = {"misc", "general"}


def _phrase(text: str) -> str:
    return " ".join(words(text))


def _own_name(term: Term) -> str:
    """ "wood doors" for DOORS / WOOD ("doors" for DOORS / MISC); a user term's tag."""
    if not term.is_ucs:
        return _phrase(term.tag)
    category, sub = _phrase(term.category), _phrase(term.subcategory)
    return category if sub in _VAGUE else f"{sub} {category}"


def term_prompts(term: Term) -> list[str]:
    """Distinct phrases for ``term``; never empty."""
    if term.is_ucs:
        category, sub = _phrase(term.category), _phrase(term.subcategory)
        phrases = [_own_name(term), category if sub in _VAGUE else f"{category}, {sub}"]
    else:
        phrases = [_phrase(term.tag)]
        if term.category != term.tag:
            phrases.append(f"{_phrase(term.tag)}, {_phrase(term.category)}")
    if term.description:
        first_clause = re.split(r"[.;(]", term.description)[0]
        phrases.append(" ".join(words(first_clause)[:MAX_EXPLANATION_WORDS]))
    if term.synonyms:
        phrases.append(", ".join(_phrase(s) for s in term.synonyms[:MAX_SYNONYMS]))
    return list(dict.fromkeys(p for p in phrases if p)) or [term.key]


def term_names(term: Term) -> list[str]:
    """The names a term answers to one by one: its own and each of its synonyms; never empty.
    A name matched alone is not diluted by the others: ``dog_bark`` is near ANIMALS-DOG's
    "bark", while the mean of all its phrases sits between "bark", "canine" and "puppy"."""
    names = [_own_name(term), *(_phrase(s) for s in term.synonyms)]
    return list(dict.fromkeys(n for n in names if n)) or [term.key]
