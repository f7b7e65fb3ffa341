"""Typos in a query: a word no dictionary knows and no file holds is searched as the library's
word spelled most like it ("thnuder" -> "thunder"), in all three rankings, and the results say
so ("searched “thunder” for “thnuder”").

Only such words are read again. A real word the library lacks ("cow" where no file says cow) is
left as typed: the sound and the meaning may still find it, where "bow" would not. A word the
library holds is never touched, however unknown to the dictionary (a game's or a vendor's name:
"netpanzer"), and neither is a half of a UCS CatID typed as one word ("AMBForst"'s "forst" is no
typo for "forts": the search reads the CatID as its category's words, engine.words.read_cat_ids).
Which library words are near is LanceDB's fuzzy match over the keyword fields' stemmed words, the
typo stemmed as they are ("foostteps" -> "foosttep", two edits from "footstep"; unstemmed it is
three from anything they hold), and over the words as written (``search_text``), where a letter
dropped before a suffix is found ("explsion" is one edit from "explosion" and four from its stem
"explos"); each allowed :data:`EDITS` edits. Of the near files' words, the one most like the typo
(difflib's ratio, at least :data:`CLOSE_ENOUGH`; a dictionary word, so a typo is never
"corrected" to another typo) replaces it. Two letters swapped, the commonest slip of a fast
typist, are tried first and on their own: LanceDB counts a swap as two edits, so "hrose" (stem
"hrose") is three from "horse" (stem "hors") and out of its reach, and "carsh" is as near "cash"
as "crash"; a swap that gives a dictionary word the library holds is taken as it is.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from engine.tagging.lexicon import stems
from engine.words import known_words, typed_cat_ids, word_spans, words

if TYPE_CHECKING:
    from engine.index.store import LibraryStore

MIN_LETTERS = 4  # shorter words are too close to too many others to be read as typos
EDITS = 2
CLOSE_ENOUGH = 0.75  # difflib's ratio a respelling needs: "thnuder"/"thunder" 0.86, "wtaer"/"water" 0.8;
# the near files' other words ("tbnq" and "tank", 0.5) are not what was meant


def respellings(store: LibraryStore, text: str) -> dict[str, str]:
    """{typed word: the library word it misspells} for the words of ``text`` read as typos."""
    found = {}
    of_cat_ids = set(words(" ".join(typed_cat_ids(text)), compounds=False))
    for word in dict.fromkeys(words(text, compounds=False)):
        if len(word) < MIN_LETTERS or not word.isalpha() or word in known_words() or word in of_cat_ids:
            continue
        if all(holds(store, part) for part in words(word)):
            continue  # the library holds it, or each of the words it runs together ("netpanzer")
        swap = next((w for w in swaps(word) if w in known_words() and holds(store, w)), None)
        if swap is not None:
            found[word] = swap
            continue
        stem = (stems([word]) or [word])[0]
        near = {w for w in store.words_spelled_like(word, stem, EDITS) if w.isalpha() and w in known_words()}
        best = difflib.get_close_matches(word, sorted(near), n=1, cutoff=CLOSE_ENOUGH)
        if best:
            found[word] = best[0]
    return found


def holds(store: LibraryStore, word: str) -> bool:
    """Whether some file's keyword fields hold ``word`` (stemmed, as a keyword search matches)."""
    return store.full_text(word, None, 1)[0].size > 0


def swaps(word: str) -> list[str]:
    """``word`` with two neighbouring letters swapped, each way it can be ("hrose": rhose, horse,
    hrsoe, hroes)."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1) if word[i] != word[i + 1]]


def respelled(text: str, respellings: dict[str, str]) -> str:
    """``text`` with each typo replaced by its respelling, wherever :func:`words` reads it as a
    word (any case; inside ``thnuder_rumble`` or ``ThnuderRoll`` too), the rest as typed."""
    pieces, last = [], 0
    for start, end in word_spans(text):
        word = respellings.get(text[start:end].casefold())
        if word is not None:
            pieces += [text[last:start], word]
            last = end
    return "".join(pieces) + text[last:]
