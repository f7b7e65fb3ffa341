"""The rules of user tags, shared by every front end: how typed text becomes tags, how
an edit made to several files at once lands on each of them, and which of a selection's files a
suggested tag goes to when its line is accepted (:func:`review_lines`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
