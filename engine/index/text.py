"""The one text column that full-text search, quoted phrases and exclusions all read.

A file's name, metadata, tags and caption are folded into ``search_text``: lower-case
word tokens separated by single spaces, with a space at both ends. One column means one
BM25 ranking and one FTS index to keep fresh (instead of one index per field and a
fusion between them), and the padding makes a whole-word test a plain SQL ``LIKE
'% door creak %'`` that LanceDB can run as a prefilter: the tokens hold only letters and
digits, so they never contain a LIKE wildcard or a quote.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; "_" and "-" separate
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # "WoodDoor" -> "Wood Door"


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def name_words(path: str) -> str:
    """A file name without its extension, camel case split so its words tokenise apart:
    "WoodDoor_Creak-Slow 01.wav" -> "Wood Door_Creak-Slow 01"."""
    stem = PurePath(path).stem
    return _CAMEL.sub(" ", stem)


def search_text(path: str, metadata_text: str, tags: Iterable[str], caption: str) -> str:
    words = tokens(" ".join([name_words(path), metadata_text, " ".join(tags), caption]))
    return f" {' '.join(words)} "


def phrase_pattern(phrase: str) -> str | None:
    """The LIKE pattern that matches ``phrase`` as whole consecutive words of a
    ``search_text``; None when the phrase has no word characters at all."""
    words = tokens(phrase)
    return f"% {' '.join(words)} %" if words else None
