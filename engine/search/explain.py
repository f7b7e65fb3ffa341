"""Why a hit is where it is: one line per hit for ``earmark search --explain``, the
sentence the app's Match column shows on hover, and what a search read its typos as. Light
(no LanceDB, no torch): the app imports it at start, and it reads only a hit's ranks and
scores."""

from __future__ import annotations

from pathlib import Path

from engine.plural import moment_said

# The sound's part of a match is measured against the search's other sounds (a cosine has no
# zero that means "unrelated"): when the names say nothing, the best-sounding file is 100 however
# weak it is, so a match by sound alone says so.
SOUND_ONLY = " alone: a rank among this search's sounds, not a certainty"


def describe_hit(hit, sound_depth: int = 0) -> str:
    """One line for ``--explain``: where the hit ranked in each ranking and why. A hit the sound
    did not rank is said to be past ``sound_depth``, the files it ranked (SearchResults.sound_depth):
    a bare "-" read as "sounds nothing like it", though a longer page (--limit) ranks it "#438"."""
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
    length = f"  length fit {hit.length_fit:.2f}" if hit.length_fit is not None else ""
    return f"match {hit.score:3.0f}  {text}  {meaning}  {vector}{length}  {Path(hit.path).name}"


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


def describe_respellings(respelled: dict[str, str]) -> str:
    """What the results say of the typos a search read (engine.search.respell): 'searched
    “thunder” for “thundr”'; "" for none."""
    return ", ".join(f"searched “{word}” for “{typo}”" for typo, word in respelled.items())
