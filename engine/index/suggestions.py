"""Suggested tags and captions, one table per model (like its window vectors), never the files table.

A suggestion stays one until the user acts: accepting copies it into the file's own tags
or caption (``LibraryStore.set_tags`` / ``set_caption``) and drops the row; rejecting keeps
the row as "rejected", so tagging again never offers it back until the user takes the
rejection back (:meth:`SuggestionTable.set_state`). Re-tagging replaces only the rows still
"suggested".

The last accept and the last reject are each one JSON value in the index's meta table
(:class:`LastAccept`, :class:`LastReject`), so that the CLI and the app undo the same one, after
a restart too: what an accept added to each file and the rows it took, what a reject rejected.

Each tagged file also gets one ``run`` row naming the job that tagged it: a killed job
resumes by skipping the files that carry its run row. A batch is written like the window
vectors (one delete, then one append, each atomic), so a file killed in between has no run
row and is simply tagged again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta

import numpy as np
import pyarrow as pa
from lancedb.db import DBConnection
from lancedb.index import BTree

from engine.index.meta import Meta
from engine.index.schema import model_table_name, open_or_create, read_all
from engine.index.sql import all_of, in_list, quote
from engine.plural import percent

TAG, CAPTION, RUN = "tag", "caption", "run"
EXACT = "catid"  # the evidence of a tag the file's name holds as a UCS CatID: the one certain suggestion
SUGGESTED, REJECTED = "suggested", "rejected"
PREFIX = "sug_"
LAST_ACCEPT, LAST_REJECT = "tagging:last-accept", "tagging:last-reject"  # meta keys

SCHEMA = pa.schema(
    [
        pa.field("file_id", pa.int64(), nullable=False),
        pa.field("kind", pa.string()),  # tag | caption | run
        pa.field("vocabulary", pa.string()),  # the tag's vocabulary ("ucs", a user vocabulary); "" otherwise
        pa.field("key", pa.string()),  # the term (CatID or user tag); "" for captions and runs
        pa.field("value", pa.string()),  # the tag as it would be written, or the caption
        pa.field("confidence", pa.float64()),
        pa.field("evidence", pa.string()),  # what it rests on: "catid", "sound", "words", "sound+words", "decoder"
        pa.field("state", pa.string()),  # suggested | rejected
        pa.field("job", pa.string()),
        pa.field("content_hash", pa.string()),  # the audio it was computed from: stale once the file changes
        pa.field("created_at", pa.float64()),
    ]
)


@dataclass(frozen=True)
class Suggestion:
    file_id: int
    kind: str
    value: str
    confidence: float
    key: str = ""
    vocabulary: str = ""
    evidence: str = ""
    state: str = SUGGESTED
    job: str = ""
    content_hash: str = ""
    created_at: float = 0.0

    @property
    def said(self) -> str:
        """Its confidence as the user reads it (:func:`engine.plural.percent`)."""
        return percent(self.confidence, certain=self.evidence == EXACT)


_FIELDS = tuple(f.name for f in fields(Suggestion))


@dataclass(frozen=True)
class AcceptedFile:
    """What an accept did to one file, as its undo needs it: the tags it added (an undo takes
    off these alone, so a tag the file had before stays), and the caption it replaced."""

    file_id: int
    tags_added: list[str]
    caption_before: str = ""
    caption_set: str | None = None  # the caption the accept wrote; None when it wrote none


@dataclass(frozen=True)
class LastAccept:
    """The last accept: the model whose suggestions it took, what it did to each file, and the
    suggestion rows it took from the table (an undo offers them again)."""

    model: str
    files: list[AcceptedFile]
    taken: list[Suggestion]


@dataclass(frozen=True)
class LastReject:
    """The last reject: the model whose suggestions it rejected, and the rows as they were."""

    model: str
    rejected: list[Suggestion]


def remember(meta: Meta, key: str, last: LastAccept | LastReject) -> None:
    """Keep ``last`` as the one an undo takes back (one atomic write, the one before replaced)."""
    meta.set(key, asdict(last))


def last_accept(meta: Meta) -> LastAccept | None:
    value = meta.get(LAST_ACCEPT)
    if value is None:
        return None
    files = [AcceptedFile(**f) for f in value["files"]]
    return LastAccept(value["model"], files, [Suggestion(**s) for s in value["taken"]])


def last_reject(meta: Meta) -> LastReject | None:
    value = meta.get(LAST_REJECT)
    return None if value is None else LastReject(value["model"], [Suggestion(**s) for s in value["rejected"]])


def suggestions_table_name(model_name: str) -> str:
    """``sug_`` + the same safe form of the model name its vector table uses."""
    return model_table_name(PREFIX, model_name)


def _identity(suggestion: Suggestion) -> tuple[int, str, str]:
    """What a rejection refers to: a file's tag by its term, its caption by its text."""
    said = suggestion.key if suggestion.kind == TAG else suggestion.value
    return suggestion.file_id, suggestion.kind, said


class SuggestionTable:
    def __init__(self, db: DBConnection, model_name: str):
        self.model_name = model_name
        self.name = suggestions_table_name(model_name)
        existed = self.name in db.list_tables().tables
        self.table = open_or_create(db, self.name, SCHEMA)
        if not existed:
            self.table.create_index("file_id", config=BTree())

    # -- writing ------------------------------------------------------------------------

    def replace(self, file_ids: Sequence[int], rows: Sequence[Suggestion]) -> None:
        """Make these files' open suggestions exactly ``rows`` (rejected ones stay): one
        delete, then one append. A row the user has rejected is not written again, even when it
        was computed before the rejection (a job tags a batch for seconds while the panel is
        open): a rejected suggestion is never offered back."""
        refused = {_identity(s) for items in self.for_files(file_ids, states=(REJECTED,)).values() for s in items}
        rows = [r for r in rows if _identity(r) not in refused]
        if file_ids:
            self.table.delete(all_of(in_list("file_id", file_ids), f"state = {quote(SUGGESTED)}"))
        if rows:
            stamp = time.time()
            self.table.add(
                pa.Table.from_pylist([{**asdict(r), "created_at": r.created_at or stamp} for r in rows], schema=SCHEMA)
            )

    def drop(self, file_ids: Sequence[int], kind: str, keys: Iterable[str] | None = None) -> None:
        """Delete open suggestions of ``kind`` (those of ``keys`` only, if given): accepted ones."""
        self.table.delete(self._where(file_ids, kind, keys, SUGGESTED))

    def set_state(self, rows: Sequence[Suggestion], state: str) -> None:
        """Give these rows ``state`` in one atomic write: rejecting open ones (:data:`REJECTED`),
        or taking rejections back (:data:`SUGGESTED`: shown again at once where not stale, and
        computed anew by the next tagging job). Each row is found by its file, kind, term and
        text (what a rejection refers to, :func:`_identity`), and only while in the other state:
        a row a job has written since is not overwritten with an old one."""
        unique = {_identity(r): replace(r, state=state) for r in rows}
        if not unique:
            return
        was = REJECTED if state == SUGGESTED else SUGGESTED
        data = pa.Table.from_pylist([asdict(r) for r in unique.values()], schema=SCHEMA)
        merge = self.table.merge_insert(["file_id", "kind", "key", "value"])
        merge.when_matched_update_all(where=f"target.state = {quote(was)}").execute(data)

    def offer_again(self, rows: Sequence[Suggestion]) -> int:
        """Write back suggestion rows an accept took (its undo), less those the table holds again
        in any state (a job tagged the file since); returns how many were written."""
        held = self.for_files(sorted({r.file_id for r in rows}), states=(SUGGESTED, REJECTED))
        present = {_identity(s) for items in held.values() for s in items}
        fresh = [asdict(replace(r, state=SUGGESTED)) for r in rows if _identity(r) not in present]
        if fresh:
            self.table.add(pa.Table.from_pylist(fresh, schema=SCHEMA))
        return len(fresh)

    def delete_files(self, file_ids: Sequence[int]) -> None:
        if file_ids:
            self.table.delete(in_list("file_id", file_ids))

    def delete_except(self, keep_ids: np.ndarray) -> int:
        """Drop the rows of files no longer in the library; returns how many files."""
        gone = np.setdiff1d(self.file_ids(), keep_ids)
        self.delete_files(gone.tolist())
        return len(gone)

    def optimize(self, cleanup_older_than: timedelta = timedelta(minutes=5)) -> None:
        self.table.optimize(cleanup_older_than=cleanup_older_than)

    # -- reading ------------------------------------------------------------------------

    def for_files(
        self,
        file_ids: Sequence[int] | None,
        kinds: Sequence[str] = (TAG, CAPTION),
        states: Sequence[str] = (SUGGESTED,),
    ) -> dict[int, list[Suggestion]]:
        """{file id: its suggestions, most confident first}; ``file_ids`` None: of every file."""
        if file_ids is not None and not file_ids:
            return {}
        where = all_of(
            in_list("file_id", file_ids) if file_ids is not None else None,
            f"kind IN ({', '.join(map(quote, kinds))})",
            f"state IN ({', '.join(map(quote, states))})",
        )
        out: dict[int, list[Suggestion]] = {}
        for row in read_all(self.table.search().where(where).limit(None)).to_pylist():
            out.setdefault(row["file_id"], []).append(Suggestion(**{k: row[k] for k in _FIELDS}))
        for items in out.values():
            items.sort(key=lambda s: -s.confidence)
        return out

    def done(self, job: str) -> np.ndarray:
        """Ids of the files ``job`` has tagged."""
        where = all_of(f"kind = {quote(RUN)}", f"job = {quote(job)}")
        return np.unique(
            read_all(self.table.search().where(where).select(["file_id"]).limit(None))["file_id"].to_numpy()
        )

    def file_ids(self) -> np.ndarray:
        return np.unique(read_all(self.table.search().select(["file_id"]).limit(None))["file_id"].to_numpy())

    def count(self, where: str | None = None) -> int:
        return self.table.count_rows(where)

    @staticmethod
    def _where(file_ids: Sequence[int], kind: str, keys: Iterable[str] | None, state: str) -> str:
        clauses = [in_list("file_id", file_ids), f"kind = {quote(kind)}", f"state = {quote(state)}"]
        if keys is not None:
            keys = list(keys)
            clauses.append(f"key IN ({', '.join(map(quote, keys))})" if keys else "false")
        return all_of(*clauses)
