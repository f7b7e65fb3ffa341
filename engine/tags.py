"""The rules of user tags, shared by every front end: how typed text becomes tags, how
an edit made to several files at once lands on each of them, which of a selection's files a
suggested tag goes to when its line is accepted (:func:`review_lines`), and which tags a tag the
user types names (:func:`tag_spellings`: the filter of a search, ``accept --tag``, ``reject --tag``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from engine.words import cat_ids_folded, ucs_categories

if TYPE_CHECKING:  # the index's modules (LanceDB) are not loaded for a type
    from engine.index.suggestions import Suggestion


def parse_tags(text: str) -> list[str]:
    """Tags typed as one line: comma or semicolon separated, white space folded, repeats dropped."""
    seen: dict[str, None] = {}
    for part in text.replace(";", ",").split(","):
        tag = " ".join(part.split())
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


def edited_tags(existing: list[str], shared: list[str], edited: list[str]) -> list[str]:
    """One file's tags after an edit of the set its selection shares (``shared`` became
    ``edited``): the tags taken out of the shared set go, the added ones are appended, and
    the tags only this file carries stay, so editing many files never wipes their own."""
    removed = set(shared) - set(edited)
    kept = [t for t in existing if t not in removed]
    return kept + [t for t in edited if t not in kept]


@dataclass(frozen=True)
class ReviewLine:
    """One line of a selection's suggested tags: a term, the files it is listed for (path and that
    file's own suggestion of it), and whether each of them reaches the confidence that makes a
    suggestion worth accepting as it comes (``sure``). Accepted, the line goes to its files alone."""

    key: str
    shown: list[tuple[str, Suggestion]]
    sure: bool


def review_lines(found: Mapping[str, Sequence[Suggestion]], sure_at: float) -> list[ReviewLine]:
    """The lines listing the tag suggestions ``found`` ({path: the tag suggestions listed for it}),
    the most confident first: one a term, and two for a term listed for some files at or above
    ``sure_at`` (the settings' default threshold) and for others below it. A sure line may come
    checked; the weak files are a line of their own, there to read, and their tag is theirs only
    when the user checks that line. As one line, "CREATURES-DRAGON 98% · 3 of 18" came checked at
    a threshold lowered to 0 and gave a fire loop, at 6.8 %, the two wyverns' tag: lowering the
    threshold to look at weak guesses must not change what an Accept as it comes adds."""
    grouped: dict[tuple[str, bool], list[tuple[str, Suggestion]]] = {}
    for path, suggestions in found.items():
        for suggestion in suggestions:
            grouped.setdefault((suggestion.key, suggestion.confidence >= sure_at), []).append((path, suggestion))
    lines = [ReviewLine(key, shown, sure) for (key, sure), shown in grouped.items()]
    return sorted(lines, key=lambda line: -max(s.confidence for _, s in line.shown))


def folded_tag(tag: str) -> str:
    """A tag as tags are compared: lower-cased, as the tag filter's SQL lowers the files' tags
    (engine.index.sql), white space around it dropped."""
    return tag.strip().lower()


@cache
def _ucs_spellings() -> dict[str, tuple[str, str]]:
    """{a UCS category's CatID or name, folded: (its CatID, its name)}: an accept writes the name
    (FIGHT-IMPACT) into a file's tags, and ``earmark suggestions`` lists the CatID (FGHTImpt) beside it.
    A CatID in any case names what it names in a query (engine.words.cat_ids_folded)."""
    by_name = {folded_tag(c.category_full): (c.cat_id, c.category_full) for c in ucs_categories().values()}
    return by_name | {folded: (c.cat_id, c.category_full) for folded, c in cat_ids_folded().items()}


def tag_spellings(typed: str) -> frozenset[str]:
    """The tags, folded (:func:`folded_tag`), that a tag the user types names: itself in any case,
    and a UCS category by its CatID or its name alike. Search wanted the name as stored and accept
    the CatID, each in its exact case: ``--tag fight-impact`` and ``--tag FGHTImpt`` found nothing
    on a file tagged FIGHT-IMPACT, and ``accept --tag COMMUNICATIONS-CAMERA`` (the name
    ``earmark suggestions`` lists first) accepted nothing."""
    folded = folded_tag(typed)
    both = _ucs_spellings().get(folded)
    return frozenset(map(folded_tag, both)) if both else frozenset({folded})


def names_tag(typed: str, *tags: str) -> bool:
    """Whether the tag the user typed names any of ``tags`` (:func:`tag_spellings`)."""
    return not tag_spellings(typed).isdisjoint(map(folded_tag, tags))


def nearest_tag(typed: str, known: Iterable[str]) -> str | None:
    """The tag of ``known`` (the tags the library's files carry) that ``typed``, which names none of
    them, most likely misspells; a UCS tag may be offered by its CatID, when that is nearer to what
    was typed (FGHTImpct: FGHTImpt). None when none is near."""
    offered: dict[str, str] = {}  # folded: as offered
    for tag in known:
        offered.setdefault(folded_tag(tag), tag)
        if both := _ucs_spellings().get(folded_tag(tag)):
            offered.setdefault(folded_tag(both[0]), both[0])
    near = difflib.get_close_matches(folded_tag(typed), list(offered), n=1)
    return offered[near[0]] if near else None


def unknown_tag(typed: str, known: Iterable[str]) -> str:
    """What is said of a tag the user typed that no file carries (``known``: the tags they carry),
    and the nearest one that some file does: a search by it found nothing, with no word why."""
    near = nearest_tag(typed, known)
    return f"no file is tagged {typed}" + (f"; did you mean {near}?" if near else "")
