"""Keyword-to-caption (laion-clap.txt §3.5): turn tags or class labels into caption text.

LAION-CLAP used a T5 model for this; no such model is available offline here, so the
default is the paper's own template fallback ("The sound of label-1, ..., and label-n")
plus a few variants. :func:`set_keyword_captioner` installs any callable (e.g. a local
seq2seq model) in its place. Gendered words are replaced as the paper's post-processing does.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

KeywordCaptioner = Callable[[Sequence[str], random.Random], str]

TEMPLATES = (
    "The sound of {}.",
    "A recording of {}.",
    "{}.",
    "Sound effect of {}.",
)
_DEBIAS = {
    r"\bwoman\b": "person",
    r"\bman\b": "person",
    r"\bwomen\b": "people",
    r"\bmen\b": "people",
    r"\bgirl\b": "child",
    r"\bboy\b": "child",
}


def join_keywords(keywords: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b, and c' (the paper's template)."""
    words = [k.strip() for k in keywords if k.strip()]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]


def template_caption(keywords: Sequence[str], rng: random.Random) -> str:
    words = list(keywords)
    rng.shuffle(words)
    text = rng.choice(TEMPLATES).format(join_keywords(words))
    return text[0].upper() + text[1:]


def debias(text: str) -> str:
    for pattern, replacement in _DEBIAS.items():
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


_captioner: KeywordCaptioner = template_caption


def set_keyword_captioner(captioner: KeywordCaptioner | None) -> None:
    """Replace the template captioner (None restores it)."""
    global _captioner
    _captioner = captioner or template_caption


def keyword_caption(keywords: Sequence[str], rng: random.Random | None = None) -> str:
    if not any(k.strip() for k in keywords):
        raise ValueError("keyword_caption needs at least one non-empty keyword")
    return debias(_captioner(keywords, rng or random.Random(0)))


def class_prompt(label: str) -> str:
    """The zero-shot classification prompt for one class name."""
    return f"The sound of {label.replace('_', ' ').strip()}."
