"""Typos in a query: a word no dictionary knows and no file holds is searched as the library's
word spelled most like it ("thnuder" -> "thunder"), in all three rankings, and the results say
so ("searched “thunder” for “thnuder”").

A real word the library lacks ("cow" where no file says cow) is never read as another real word:
the sound and the meaning may still find it, where "bow" would not. Where the library holds it
only misspelt (fillets-ng's "sp-bubles" for "bubbles", review 12), the names are searched for that
misspelling: a word no dictionary knows, one slip from the typed word (:func:`library_misspelling`).
The models read the word as typed, the one they know, and the results say so as of a typo
("searched “bubles” for “bubbles”").
A word the library holds is never touched, however unknown to the dictionary (a game's or a
vendor's name: "netpanzer"), and neither is a half of a UCS CatID typed as one word
("AMBForst"'s "forst" is no typo for "forts": the search reads the CatID as its category's
words, engine.words.read_cat_ids).
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
A typo no library word is near is read as the common word it misspells (:func:`common_word`):
"explsion" as "explosion" in a library that names no file so, which the models still place near
"boom"; the results say so as of any respelling.
"""

from __future__ import annotations

import difflib
from string import ascii_lowercase
from typing import TYPE_CHECKING

from engine.tagging.lexicon import stems
from engine.words import common_words, known_words, typed_cat_ids, word_spans, words

if TYPE_CHECKING:
    from engine.index.store import LibraryStore

MIN_LETTERS = 4  # shorter words are too close to too many others to be read as typos
MIN_MISSPELT_LETTERS = 5  # a word shorter is one slip from too many of a library's codes and names
EDITS = 2
MIN_TWO_SLIPS_LETTERS = 8  # a shorter typo is two slips from too many common words (common_word)
CLOSE_ENOUGH = 0.75  # difflib's ratio a respelling needs: "thnuder"/"thunder" 0.86, "wtaer"/"water" 0.8;
# the near files' other words ("tbnq" and "tank", 0.5) are not what was meant


def respellings(store: LibraryStore, text: str) -> dict[str, str]:
    """{typed word: the word searched for it} for the words of ``text`` read as typos (as the
    library's word, else as a common word), and for the dictionary words of it the library holds
    only misspelt."""
    found = {}
    of_cat_ids = set(words(" ".join(typed_cat_ids(text)), compounds=False))
    for word in dict.fromkeys(words(text, compounds=False)):
        known = word in known_words()
        if len(word) < (MIN_MISSPELT_LETTERS if known else MIN_LETTERS) or not word.isalpha() or word in of_cat_ids:
            continue
        if all(holds(store, part) for part in words(word)):
            continue  # the library holds it, or each of the words it runs together ("netpanzer")
        spelled = library_misspelling(store, word) if known else library_word(store, word) or common_word(word)
        if spelled is not None:
            found[word] = spelled
    return found


def library_word(store: LibraryStore, typo: str) -> str | None:
    """The dictionary word of the library that ``typo`` misspells, if one is near enough."""
    swap = next((w for w in swaps(typo) if w in known_words() and holds(store, w)), None)
    if swap is not None:
        return swap
    return spelled_most_like(typo, {w for w in near_words(store, typo) if w in known_words()})


def common_word(typo: str) -> str | None:
    """The common word (engine.words.common_words) ``typo`` misspells, for a typo no library word
    is near: review 16's library named no file "explosion", and "explsion" found one file in ten
    by its sound, where "explosion" found four by what the names mean ("rocketboom", "boom").
    The commonest of those a typist's slip makes of it (:func:`typing_slips`), else of those one
    slip makes (:func:`one_slip`), else, for a word of :data:`MIN_TWO_SLIPS_LETTERS` or more, of
    those two make; at least :data:`CLOSE_ENOUGH` like it, and of its first letter
    (:func:`library_misspelling`: a slip there is mostly another word, "qack" "back", "ttain"
    "attain"). The commonest, not the most alike by difflib, which counts two letters swapped
    as two slips ("hrose": "hose" before "horse"); "butning" is "burning", not the bird "bunting"."""
    common = common_words()

    def commonest(reach: set[str]) -> str | None:
        near = (w for w in reach if w in common and w[0] == typo[0] and len(w) >= MIN_LETTERS)
        return next((w for w in sorted(near, key=common.__getitem__) if alike(typo, w)), None)

    once = one_slip(typo)
    found = commonest(typing_slips(typo)) or commonest(once)
    if found is None and len(typo) >= MIN_TWO_SLIPS_LETTERS:
        found = commonest({twice for slip in once for twice in one_slip(slip)})
    return found


def alike(typo: str, word: str) -> bool:
    """Whether ``word`` is at least :data:`CLOSE_ENOUGH` like ``typo`` by difflib's ratio, as
    :func:`spelled_most_like` compares them."""
    return difflib.SequenceMatcher(None, word, typo).ratio() >= CLOSE_ENOUGH


def library_misspelling(store: LibraryStore, word: str) -> str | None:
    """The library's own misspelling of the dictionary ``word`` ("bubles" for "bubbles"), if it has
    one: a word no dictionary knows one slip from it (:func:`one_slip`), as written or stemmed
    ("bubles" for "bubble": "bubl", "bubbl"), past its first letter; never another dictionary word
    ("bow" for "cow"). Two slips, a first letter or a word shorter than
    :data:`MIN_MISSPELT_LETTERS` (:func:`respellings` looks for none of a shorter word), and it is
    mostly another word: on the bench's library, "artil" for "martial", "rtecno" for "techno",
    "eline" for "feline", "uturn" for "turn", "rdar" (radar) for "roar"; on review 12's, "snd"
    (sound) for "sands"."""
    slips, stem_slips = one_slip(word), one_slip(stem_of(word))
    near = {
        w
        for w in near_words(store, word)
        if len(w) >= MIN_MISSPELT_LETTERS
        and w[0] == word[0]
        and w not in known_words()
        and (w in slips or stem_of(w) in stem_slips)
    }
    return spelled_most_like(word, near)


def near_words(store: LibraryStore, word: str) -> set[str]:
    """The library's words of letters in the files holding one within :data:`EDITS` of ``word``."""
    return {w for w in store.words_spelled_like(word, stem_of(word), EDITS) if w.isalpha()}


def stem_of(word: str) -> str:
    """``word`` stemmed as the keyword fields' words are."""
    return (stems([word]) or [word])[0]


def spelled_most_like(word: str, spellings: set[str]) -> str | None:
    """Of ``spellings``, the one most like ``word``, if at least :data:`CLOSE_ENOUGH`."""
    best = difflib.get_close_matches(word, sorted(spellings), n=1, cutoff=CLOSE_ENOUGH)
    return best[0] if best else None


def one_slip(word: str) -> set[str]:
    """``word`` with one letter dropped, changed or added, or two neighbouring ones swapped."""
    changed = {a + c + b[1:] for a, b in _splits(word) if b for c in ascii_lowercase}
    return typing_slips(word) | changed


def typing_slips(word: str) -> set[str]:
    """``word`` as a typist's commonest slips leave it: a letter dropped or added, two neighbouring
    ones swapped, or a key's neighbour hit for it (:data:`KEY_NEIGHBOURS`). Any other letter for
    one makes another word of a typo more often than the word meant ("crakling": "crawling",
    "buzing": "buying")."""
    splits = _splits(word)
    dropped = {a + b[1:] for a, b in splits if b}
    added = {a + c + b for a, b in splits for c in ascii_lowercase}
    beside = {a + c + b[1:] for a, b in splits if b for c in KEY_NEIGHBOURS.get(b[0], "")}
    return dropped | added | beside | set(swaps(word))


def _splits(word: str) -> list[tuple[str, str]]:
    return [(word[:i], word[i:]) for i in range(len(word) + 1)]


def _key_neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    """Each key's neighbours on a keyboard of ``rows``, each row set half a key right of the one
    above: beside it on its row, the two it sits under and the two over it."""
    neighbours = {}
    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            above = rows[r - 1][i : i + 2] if r > 0 else ""
            below = rows[r + 1][max(i - 1, 0) : i + 1] if r + 1 < len(rows) else ""
            neighbours[key] = row[max(i - 1, 0) : i] + row[i + 1 : i + 2] + above + below
    return neighbours


KEY_NEIGHBOURS = _key_neighbours(("qwertyuiop", "asdfghjkl", "zxcvbnm"))


def typos_among(respellings: dict[str, str]) -> dict[str, str]:
    """Of ``respellings``, those the models read: the typos'. A dictionary word the library
    misspells is read by the models as typed, which they know, and "bubles" may be nothing to them."""
    return {typed: word for typed, word in respellings.items() if typed not in known_words()}


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
