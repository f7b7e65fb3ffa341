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
  alternatives, each searched on its own; a file's score is its best alternative's;
* a length (``long``, ``short``, ``brief``...: :data:`LENGTH_WORDS`): still a word to search by
  ("Creak Long Squeaky"), and also how long the sounds should be, which no name says: the
  sounds of that length come first, the others stay (:attr:`ParsedQuery.length`).

Unbalanced quotes close at the end of the query; a lone ``-`` or ``OR`` at either end
is ignored, so typing never raises an error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
OR = "OR"
LONGER, SHORTER = "longer", "shorter"
# the words a designer types for a sound's length ("big explosion long", "short beep"); not "quick"
# or "slow", which say how fast a sound goes ("quick footsteps", "creak slow"), not how long it lasts
LENGTH_WORDS = {
    **dict.fromkeys(("long", "longer", "lengthy"), LONGER),
    **dict.fromkeys(("short", "shorter", "brief"), SHORTER),
}
# a sound this short is not long at all, one this long fully long (and the reverse for short),
# on a log scale between: most effects are 0.2-3 s, so 1 s and 5 s are where they read as short
# and as long (an explosion with its tail, a whoosh that takes its time)
SHORT_UP_TO_S, LONG_FROM_S = 1.0, 5.0
# the words that open a qualifier: what a sound happens on, in, through or against ("footsteps on
# gravel", "rain on a tin roof", "knock at the door", "wind through trees"); the words before it name
# the sound (:attr:`Alternative.head`). Not "of" ("the sound of rain": rain is the sound), nor "with"
# ("door with a squeak": the squeak is what is wanted)
QUALIFYING = frozenset(
    """on onto upon in into inside through across along over under beneath below above against at near
    behind around""".split()
)


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

    @property
    def head(self) -> str | None:
        """The words that name the sound when a qualifier follows them: "footsteps" of "footsteps on
        gravel" (:data:`QUALIFYING`, unquoted); None without a qualifier, or with nothing before or
        after its first word ("fade in"). A file whose words hold only the qualifier's is gravel,
        not footsteps (engine.search.fusion.fuse)."""
        at = next((i for i, t in enumerate(self.terms) if not t.phrase and t.text.casefold() in QUALIFYING), None)
        if at is None or at == 0 or at == len(self.terms) - 1:
            return None
        return " ".join(t.text for t in self.terms[:at])


@dataclass(frozen=True)
class ParsedQuery:
    alternatives: tuple[Alternative, ...] = ()
    excludes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """No positive terms: a query of filters or exclusions only (browsing)."""
        return not self.alternatives

    @property
    def length(self) -> str | None:
        """:data:`LONGER` or :data:`SHORTER` when the query's words ask for one length
        (:data:`LENGTH_WORDS`), else None (neither, or both). The Duration filter drops every
        sound outside its bounds; a length typed among words only puts the sounds of that length
        first (:func:`length_fit`), for a word of a name still counts: "big explosion long" keeps
        the short big explosions, after the long ones. A quoted phrase is words, not a length."""
        asked = {LENGTH_WORDS.get(t.text.casefold()) for alt in self.alternatives for t in alt.terms if not t.phrase}
        asked.discard(None)
        return asked.pop() if len(asked) == 1 else None


def length_fit(duration_s: float | None, length: str) -> float:
    """How well a sound of ``duration_s`` seconds is of the ``length`` a query asked for
    (:attr:`ParsedQuery.length`), 0 (not at all, or its duration is unknown) to 1: for
    :data:`LONGER`, 0 up to :data:`SHORT_UP_TO_S` and 1 from :data:`LONG_FROM_S`, on a log scale
    between (2 s is 0.43, 3 s 0.68); for :data:`SHORTER` the reverse."""
    if not duration_s or duration_s <= 0:
        return 0.0
    longness = math.log(duration_s / SHORT_UP_TO_S) / math.log(LONG_FROM_S / SHORT_UP_TO_S)
    longness = min(1.0, max(0.0, longness))
    return longness if length == LONGER else 1.0 - longness


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
