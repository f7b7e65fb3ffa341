"""The rules of user tags, shared by every front end: how typed text becomes tags, and how
an edit made to several files at once lands on each of them."""

from __future__ import annotations


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
