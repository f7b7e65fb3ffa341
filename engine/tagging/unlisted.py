"""Why the selected sounds list no suggestion, in the words the tags panel shows under its empty
list. "No suggestions yet: Suggest" was all it said, also for a folder the user had just tagged
whose suggestions were all under the threshold, or all accepted already.

Each sound is told apart by what the index holds of it already, no model and no audio: whether it
is a searchable library file, whether the unfinished tagging job covers it and has not reached it
(its run row, :mod:`engine.tagging.jobs`), whether it was tagged with this model and is unchanged
since (its run row's content hash), or only with another one (the suggestions of a model used
before, a fine-tune's base: each model keeps its own), how many of its open suggestions the panel
leaves out (the :class:`~engine.tagging.service.FileSuggestions` it counted), and whether the user
took up some of them (accepted or rejected). A sound tagged with nothing open left had every
suggestion accepted or rejected (tagging stores several for every sound); one whose open ones are
all under the threshold after the user took up the others is told so, not that every suggestion
is below it, which sent the user after the weak ones.

``earmark suggestions`` says the same of each file that lists nothing, with the commands that take
the steps the panel's buttons take (:data:`COMMAND_LINE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.fs import is_inside
from engine.index.records import FileRecord
from engine.index.suggestions import Suggestion
from engine.tagging.jobs import TagJob

# Why a sound lists nothing, the first that applies, in this order.
NOT_INDEXED, WAITING, UNTAGGED, OTHER_MODEL, CHANGED, REVIEWED_ABOVE, BELOW, REVIEWED = (
    "not indexed",
    "waiting",
    "untagged",
    "other model",
    "changed",
    "reviewed above",
    "below",
    "reviewed",
)
REASONS = (NOT_INDEXED, WAITING, UNTAGGED, OTHER_MODEL, CHANGED, REVIEWED_ABOVE, BELOW, REVIEWED)


@dataclass(frozen=True)
class Steps:
    """How the reader takes the steps the advice names where they read it: the tags panel's
    buttons (:data:`PANEL`) or the ``earmark`` commands (:data:`COMMAND_LINE`). ``{them}`` is "it"
    or "them"; ``{hidden}`` is "the one" or "the 12" (the suggestions under the threshold)."""

    tag: str  # tags sounds never tagged with the active model
    tag_again: str  # tags sounds changed since they were tagged
    lower: str  # what lowering the threshold does for the suggestions under it, where it is read


PANEL = Steps("press Suggest", "press Suggest to tag {them} again", "lower the threshold to see {hidden} hidden")
COMMAND_LINE = Steps("`earmark tag` {them}", "`earmark tag` {them} again", "lower --threshold to see {hidden} hidden")


def reason(
    record: FileRecord | None,
    run: Suggestion | None,
    job: TagJob | None,
    hidden: int,
    tagged_before: bool = False,
    taken_up: bool = False,
) -> str:
    """Why one sound lists no suggestion: ``record`` its library record (None: not a searchable
    library file), ``run`` the run row of the job that tagged it last with the active model (None:
    never tagged with it), ``job`` the unfinished job of the active model (None: there is none),
    ``hidden`` its open tag suggestions under the threshold, ``tagged_before`` whether another model
    tagged it, ``taken_up`` whether the user accepted or rejected some of its suggestions at or
    above the threshold."""
    if record is None:
        return NOT_INDEXED
    if job is not None and (run is None or run.job != job.id) and any(is_inside(record.path, t) for t in job.targets):
        return WAITING
    if run is None:
        return OTHER_MODEL if tagged_before else UNTAGGED
    if run.content_hash != record.content_hash:
        return CHANGED  # its suggestions are of the sound it was: none is shown
    if not hidden:
        return REVIEWED
    return REVIEWED_ABOVE if taken_up else BELOW


def why_none(reasons: Mapping[str, int], hidden: int, threshold: float, steps: Steps = PANEL) -> str:
    """What the panel says for a selection that lists nothing, from how many of its sounds have
    each :func:`reason` and how many suggestions are ``hidden`` under the ``threshold``: one reason
    as a sentence with what to do (by ``steps``), several as a count of each."""
    found = [(why, reasons[why]) for why in REASONS if reasons.get(why)]
    if len(found) == 1:
        why, n = found[0]
        said = _said(why, "this sound" if n == 1 else f"these {n:,} sounds", n, threshold)
        if advice := _advice(why, n, hidden, steps):
            said += f": {advice}"
        return said[:1].upper() + said[1:]
    parts = []
    for why, n in found:
        advice = _advice(why, n, hidden, steps) if why != WAITING else ""  # its advice is no step to take
        parts.append(_said(why, f"{n:,}", n, threshold) + (f" ({advice})" if advice else ""))
    return f"No suggestions to show for these {sum(n for _, n in found):,} sounds: " + "; ".join(parts)


def _said(why: str, subject: str, n: int, threshold: float) -> str:
    """Why ``n`` sounds (``subject``: "this sound", "these 12 sounds", "12") list nothing."""
    one = n == 1
    if why == NOT_INDEXED:
        return f"{subject} {'is' if one else 'are'} not indexed yet, so {'it' if one else 'they'} cannot be tagged"
    if why == WAITING:
        return f"tagging has not reached {subject} yet"
    if why == UNTAGGED:
        return f"{subject} {'is' if one else 'are'} not tagged yet"
    if why == OTHER_MODEL:
        return f"{subject} {'was' if one else 'were'} tagged with another model, not the one in use"
    if why == CHANGED:
        return f"{subject} changed since {'it was' if one else 'they were'} tagged"
    if why == REVIEWED_ABOVE:
        return f"every suggestion above {round(threshold * 100)} % for {subject} was accepted or rejected already"
    if why == BELOW:
        return f"every suggestion for {subject} is below {round(threshold * 100)} %"
    return f"every suggestion for {subject} was accepted or rejected already"


def _advice(why: str, n: int, hidden: int, steps: Steps) -> str:
    """What the user can do about ``why`` (``n`` sounds; ``hidden`` suggestions under the
    threshold) by ``steps``, or "" when there is nothing to do."""
    them = "it" if n == 1 else "them"
    if why == WAITING:
        return f"{'its' if n == 1 else 'their'} suggestions show once it has"
    if why in (UNTAGGED, OTHER_MODEL):
        return steps.tag.format(them=them)
    if why == CHANGED:
        return steps.tag_again.format(them=them)
    if why == BELOW:
        return steps.lower.format(hidden="the one" if hidden == 1 else f"the {hidden:,}")
    return ""
