"""A tagging job over files and folders: runs in batches, stops when asked, resumes after a kill.

The job itself (what to tag, with which model, captions or not, the library's category shares)
is one JSON value in the index's meta table, written before the first batch and cleared after
the last. What is done is not bookkept separately: it is the set of files that carry the job's
run row in the suggestion table (see :mod:`engine.index.suggestions`), written in the same append
as their suggestions. So a job killed anywhere resumes with exactly the files it had not finished.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field

import numpy as np

from engine.fs import is_inside
from engine.index.meta import Meta
from engine.index.records import OFFLINE, OK, FileRecord
from engine.index.store import LibraryStore
from engine.index.suggestions import CAPTION, RUN, Suggestion, SuggestionTable

JOB_KEY = "tagging:job"
SHARES_KEY = "tagging:library-shares"  # the shares folder jobs read, for smaller jobs within them
REMEMBERED = 20  # folder jobs whose shares are kept, the latest last
BATCH = 32


@dataclass(frozen=True)
class TagJob:
    id: str
    model: str  # the model name whose suggestion table it fills
    targets: tuple[str, ...]  # absolute files or folders
    captions: bool
    created_at: float
    # the UCS category shares among the targets' named files (capped), read before the first
    # batch and kept so that a resumed job weighs its files as the first run did;
    # None: not read yet, {}: too few named files to say (engine/tagging/priors.py)
    shares: dict[str, float] | None = None
    # and per folder and per pack, what its named files are (engine.tagging.priors.read_library)
    shelves: dict[str, list] | None = None
    packs: dict[str, list] | None = None

    @classmethod
    def new(cls, model: str, targets: Sequence[str], captions: bool) -> TagJob:
        return cls(uuid.uuid4().hex[:12], model, tuple(targets), captions, time.time())

    def same_work(self, model: str, targets: Sequence[str], captions: bool) -> bool:
        return (self.model, set(self.targets), self.captions) == (model, set(targets), captions)


# a job's phases: each vocabulary read with the model, the first time with it (its texts embedded:
# engine.tagging.evidence.VocabularyRead; the app's background read reports it too), the folders
# whose files share a word heard whole (engine/tagging/packs.py), its files read once for the
# library's category shares, then tagged
VOCABULARY = "Reading the vocabulary"
HEARING, READING, TAGGING = "Hearing the folders", "Reading the library", "Tagging"


@dataclass
class TagProgress:
    done: int  # files, or in the VOCABULARY phase the vocabulary's texts embedded
    total: int
    path: str = ""  # the file last done, the folder heard, or the vocabulary's shown name (VOCABULARY)
    phase: str = TAGGING


@dataclass
class TagReport:
    job: str
    total: int = 0  # files the job covers
    resumed_from: int = 0  # already done by an earlier, interrupted run of the same job
    tagged: int = 0  # in this run
    suggested: int = 0  # of those, the files with a suggestion sure enough to be shown
    captioned: int = 0  # captions sure enough to be shown
    captions_unsure: int = 0  # captions made but too unsure to be shown
    without_sound: int = 0  # not embedded with the model yet: judged by their words only
    stopped: bool = False
    problems: dict[str, str] = field(default_factory=dict)  # path -> why a caption is missing
    seconds: float = 0.0
    shares: dict[str, float] = field(default_factory=dict)  # what the named files were weighed by (TagJob.shares)
    packs: dict[str, list] = field(default_factory=dict)  # and what each pack holds (TagJob.packs)


def saved_job(meta: Meta) -> TagJob | None:
    value = meta.get(JOB_KEY)
    return None if value is None else TagJob(**{**value, "targets": tuple(value["targets"])})


def save_job(meta: Meta, job: TagJob | None) -> None:
    meta.set(JOB_KEY, None if job is None else asdict(job))


Read = tuple[dict[str, float], dict[str, list], dict[str, list]]  # shares, shelves, packs (TagJob)


def remember_shares(meta: Meta, model: str, targets: Sequence[str], read: Read) -> None:
    """Keep the shares, shelves and packs a job read from its files, so that a later job too small
    to read its own (a file or a few suggested again from the panel) is weighed as its library was."""
    kept = [e for e in meta.get(SHARES_KEY, []) if (e["model"], set(e["targets"])) != (model, set(targets))]
    kept.append({"model": model, "targets": list(targets), "shares": read[0], "shelves": read[1], "packs": read[2]})
    meta.set(SHARES_KEY, kept[-REMEMBERED:])


def remembered_shares(meta: Meta, model: str, targets: Sequence[str]) -> Read:
    """The shares, shelves and packs of the latest job with ``model`` whose targets hold every one
    of ``targets``; empty when none does (the files are weighed by nothing). One kept before packs
    were read weighs nothing either: its shares were the whole library's, which let one pack swamp
    the others (engine/tagging/priors.py)."""
    for entry in reversed(meta.get(SHARES_KEY, [])):
        if entry["model"] == model and all(any(is_inside(t, o) for o in entry["targets"]) for t in targets):
            if "packs" in entry:
                return entry["shares"], entry["shelves"], entry["packs"]
            break
    return {}, {}, {}


def target_ids(store: LibraryStore, targets: Sequence[str]) -> np.ndarray:
    """Searchable files (online or offline) that are, or lie under, the targets."""
    return store.searchable_ids_under(targets)


def taggable(store: LibraryStore, ids: list[int]) -> list[FileRecord]:
    """The records of these files that can be tagged now: readable, or offline (their drive unplugged;
    what is stored of them still says what they are)."""
    return [r for r in store.get_files(ids).values() if r.status in (OK, OFFLINE)]


Tagger = Callable[[list, str], tuple[list[Suggestion], dict[str, str], int]]


def run_job(
    job: TagJob,
    store: LibraryStore,
    table: SuggestionTable,
    tag_batch: Tagger,
    progress: Callable[[TagProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    started: float | None = None,
    rows_lock: AbstractContextManager | None = None,
    shown: Callable[[Suggestion], bool] = lambda row: True,
) -> TagReport:
    """Tag what ``job`` has not done yet. ``tag_batch(records, job id)`` returns (rows, problems,
    files without sound). The job is cleared from the meta table once every file is done. The
    report's seconds count from ``started`` (``time.perf_counter``: where the job's reading of its
    library began), else from this call. ``rows_lock`` is held while a batch's rows are written,
    the lock the user's rejections are written under. ``shown`` says whether a suggestion is sure
    enough to be shown: the report counts what the user will see, not every guess made ("14 with
    a caption" while none was shown misleads)."""
    started = time.perf_counter() if started is None else started
    ids = target_ids(store, job.targets)
    todo = np.setdiff1d(ids, table.done(job.id))
    report = TagReport(
        job.id, total=len(ids), resumed_from=len(ids) - len(todo), shares=job.shares or {}, packs=job.packs or {}
    )
    for start in range(0, len(todo), BATCH):
        if should_stop is not None and should_stop():
            report.stopped = True
            break
        batch = todo[start : start + BATCH].tolist()
        records = taggable(store, batch)
        rows, problems, without_sound = tag_batch(records, job.id)
        runs = [Suggestion(r.id, RUN, "", 1.0, job=job.id, content_hash=r.content_hash) for r in records]
        with rows_lock or nullcontext():  # the user's rejections of these files are read and kept in one step
            table.replace(batch, rows + runs)
        report.tagged += len(records)
        count_rows(report, rows, shown)
        report.without_sound += without_sound
        report.problems.update(problems)
        if progress is not None:
            progress(
                TagProgress(report.resumed_from + start + len(batch), len(ids), records[-1].path if records else "")
            )
    if not report.stopped:
        save_job(store.meta, None)
        table.delete_except(store.file_ids())
        table.optimize()
    report.seconds = time.perf_counter() - started
    return report


def count_rows(report: TagReport, rows: list[Suggestion], shown: Callable[[Suggestion], bool]) -> None:
    """Add a batch's suggestions to the report: the files given one that is shown, and the
    captions shown or too unsure to be."""
    report.suggested += len({r.file_id for r in rows if shown(r)})
    captions = [shown(r) for r in rows if r.kind == CAPTION]
    report.captioned += sum(captions)
    report.captions_unsure += len(captions) - sum(captions)
