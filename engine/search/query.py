"""Soundminer-style query syntax.

    door creak "heavy wood" -metal OR gate squeak

* words: what the sound is; a file holding any word of an alternative in its text fields
  (stemmed) is a text match, ranked higher the more of them and the rarer they are (BM25), and
  all of them are described to the model;
* ``"quoted phrase"``: these words, consecutively, must appear in the file's text
  fields (name, folders, metadata, tags, caption), or the file is not a result of that
  alternative;
* ``-word`` / ``-"a phrase"``: files whose text contains it are dropped, whichever
  alternative found them;
* ``OR`` (upper case; a lower-case "or" is an ordinary word): splits the query into
  alternatives, each searched on its own; a file's score is its best alternative's.

Unbalanced quotes close at the end of the query; a lone ``-`` or ``OR`` at either end
is ignored, so typing never raises an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
OR = "OR"


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Alternative:
    terms: tuple[Term, ...]

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.terms if t.phrase)

    @property
    def text(self) -> str:
        """The alternative with the operators removed: what the model embeds and what
        full-text search matches."""
        return " ".join(t.text for t in self.terms)


@dataclass(frozen=True)
class ParsedQuery:
    alternatives: tuple[Alternative, ...] = ()
    excludes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """No positive terms: a query of filters or exclusions only (browsing)."""
        return not self.alternatives


def parse_query(text: str) -> ParsedQuery:
    alternatives: list[Alternative] = []
    excludes: list[str] = []
    current: list[Term] = []
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare == OR:
                if current:
                    alternatives.append(Alternative(tuple(current)))
                current = []
            elif bare.startswith("-"):
                if bare.strip("-"):
                    excludes.append(bare[1:])
            else:
                current.append(Term(bare))
        elif quoted.strip():
            phrase = " ".join(quoted.split())
            if negated:
                excludes.append(phrase)
            else:
                current.append(Term(phrase, phrase=True))
    if current:
        alternatives.append(Alternative(tuple(current)))
    return ParsedQuery(tuple(alternatives), tuple(excludes))
