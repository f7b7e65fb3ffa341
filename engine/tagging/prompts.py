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


def term_prompts(term: Term) -> list[str]:
    """Distinct phrases for ``term``; never empty."""
    if term.is_ucs:
        category, sub = _phrase(term.category), _phrase(term.subcategory)
        phrases = [
            category if sub in _VAGUE else f"{sub} {category}",
            category if sub in _VAGUE else f"{category}, {sub}",
        ]
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
