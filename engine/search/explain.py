"""Why a hit is where it is: one line per hit for ``earmark search --explain``, the
sentence the app's Match column shows on hover, what a list nothing is close to says instead of
its matches (the app and the CLI alike), and what a search read its typos as. Light (no LanceDB,
no torch): the app imports it at start, and it reads only a hit's ranks and scores."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.plural import moment_said

# The sound's part of a match is measured against the search's other sounds (a cosine has no
# zero that means "unrelated"): when the names say nothing, the best-sounding file is 100 however
# weak it is, so a match by sound alone says so.
SOUND_ONLY = " alone: a rank among this search's sounds, not a certainty"
# The match of a hit in a list nothing is close to (SearchResults.nothing_close, :func:`nearest_only`):
# no number (the best is 100 however weak), in the app's Match column (over an empty bar) and the CLI's
NEAREST_SHOWN = "–"


def describe_hit(hit, sound_depth: int = 0, nearest: bool = False) -> str:
    """One line for ``--explain``: where the hit ranked in each ranking and why. A hit the sound
    did not rank is said to be past ``sound_depth``, the files it ranked (SearchResults.sound_depth):
    a bare "-" read as "sounds nothing like it", though a longer page (--limit) ranks it "#438".
    ``nearest``: the hit is of a list nothing is close to, whose match says none (:data:`NEAREST_SHOWN`);
    its ranks and scores still say where it ranked."""
    at = f" @{moment_said(hit.best_start_s, hit.best_end_s)}s" if hit.best_start_s is not None else ""
    if hit.vector_rank:
        lost = hit.vector_lost or 0.0
        if hit.vector_heard is None and not lost:
            vector = f"vector #{hit.vector_rank} cos={hit.vector_score:.3f}{at}"
        else:
            heard = hit.vector_heard or 0.0
            parts = f"cos {hit.vector_score + lost - heard:.3f}" + (f" + heard {heard:.3f}" if hit.vector_heard else "")
            parts += f" - {lost:.3f} as the best of many windows" if lost else ""
            vector = f"vector #{hit.vector_rank} score={hit.vector_score:.3f} ({parts}){at}"
    else:
        vector = f"vector: not in its first {sound_depth}" if sound_depth else "vector -"
    text = f"text #{hit.text_rank} bm25={hit.text_score:.2f}" if hit.text_rank else "text -"
    text += " (the qualifier's words alone)" if hit.qualifier_only else ""
    text += f" (holds {hit.words_held:.0%} of the words)" if hit.text_rank and hit.words_held not in (None, 1.0) else ""
    meaning = f"meaning #{hit.meaning_rank} cos={hit.meaning_score:.3f}" if hit.meaning_rank else "meaning -"
    meaning += " (the opposite of a word typed: its meaning cut)" if hit.opposed else ""
    length = f"  length fit {hit.length_fit:.2f}" if hit.length_fit is not None else ""
    match = f"{NEAREST_SHOWN:>3}" if nearest else f"{hit.score:3.0f}"
    return f"match {match}  {text}  {meaning}  {vector}{length}  {Path(hit.path).name}"


def match_reasons(hit) -> str:
    """ "Found by the words of its name, by what its name means, by how it sounds": the rankings
    that found the hit, in the order they weigh (a ranking that only listed it far down still
    says so, since it still added to the match)."""
    reasons = [
        reason
        for rank, reason in (
            (hit.text_rank, "the words of its name or description"),
            (hit.meaning_rank, "what its name or description means"),
            (hit.vector_rank, "how it sounds"),
        )
        if rank
    ]
    if not reasons:
        return ""
    head = ", ".join(reasons[:-1])
    found = f"Match {hit.score:.0f} of 100, found by " + (f"{head} and {reasons[-1]}" if head else reasons[0])
    return found + (SOUND_ONLY if len(reasons) == 1 and hit.vector_rank else "")


def ranked_by(hits: Sequence) -> str:
    """What ranked ``hits``, none of which the words found, said for as many of them: "how they
    sound and what their names mean", "how it sounds"… Only the rankings that found one of them
    are named, so a list ranked by sound alone says so."""
    one = len(hits) == 1
    reasons = [
        reason
        for found, reason in (
            (any(getattr(h, "vector_rank", None) for h in hits), "how it sounds" if one else "how they sound"),
            (
                any(getattr(h, "meaning_rank", None) for h in hits),
                "what its name means" if one else "what their names mean",
            ),
        )
        if found
    ]
    return " and ".join(reasons) or ("its match" if one else "their match")


def nearest_only(hits: Sequence) -> str:
    """What a list nothing is close to (SearchResults.nothing_close) says of ``hits`` instead of
    their matches, which rank them among the search's sounds only (the best is 100 however weak):
    the app's Match tooltip of one hit, the line ``earmark search`` prints above them all. The CLI
    printed "100" for "mechanical keyboard typing" where the app showed "–" and this (review 14)."""
    return f"Nothing is close to the search: listed only as the nearest by {ranked_by(hits)}, not as a match"


def describe_respellings(respelled: dict[str, str]) -> str:
    """What the results say of the typos a search read (engine.search.respell): 'searched
    “thunder” for “thundr”'; "" for none."""
    return ", ".join(f"searched “{word}” for “{typo}”" for typo, word in respelled.items())
