"""Suggested tags and captions, one table per model (like its window vectors), never the files table;
and the user's rejections of them, one table for every model.

A suggestion stays one until the user acts: accepting copies it into the file's own tags
or caption (``LibraryStore.set_tags`` / ``set_caption``) and drops the row; rejecting writes
it into the rejections table (:class:`Rejections`), so that it is hidden and tagging again never
offers it back, with this model or any other (a fine-tune swapped in), until the user takes the
rejection back (:meth:`SuggestionTable.set_state`). A rejection is the user's word on a file's
tag (or caption), so it holds while the file is in the library, also once its sound changed.
Re-tagging replaces a model's open rows.

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
REJECTIONS = "rejections"  # the table of the user's rejections, of every model's suggestions
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
# A rejection is the suggestion as it was rejected, and the suggestion table it came from: taking it
# back offers it again there.
REJECTIONS_SCHEMA = pa.schema([*SCHEMA, pa.field("source", pa.string())])


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
    def certain(self) -> bool:
        """Whether it is the file's name's own UCS CatID: right whatever any model says."""
        return self.evidence == EXACT

    @property
    def said(self) -> str:
        """Its confidence as the user reads it (:func:`engine.plural.percent`)."""
        return percent(self.confidence, certain=self.certain)


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


class Rejections:
    """The user's rejections of suggestions, whichever model made them: one table, so that a
    rejection holds when the active model changes. Each is found by what it refers to
    (:func:`_identity`), one row each."""

    def __init__(self, db: DBConnection):
        existed = REJECTIONS in db.list_tables().tables
        self.table = open_or_create(db, REJECTIONS, REJECTIONS_SCHEMA)
        if not existed:
            self.table.create_index("file_id", config=BTree())
        self._read: tuple[int, dict[int, list[tuple[Suggestion, str]]]] | None = None  # (version, by file)

    def add(self, rows: Sequence[Suggestion], source: str) -> None:
        """Reject ``rows`` of the suggestion table ``source`` in one atomic write; one rejected
        already stays as it was."""
        unique = {_identity(r): r for r in rows}  # one row per rejection, as the merge needs
        if not unique:
            return
        data = [{**asdict(replace(r, state=REJECTED)), "source": source} for r in unique.values()]
        merge = self.table.merge_insert(["file_id", "kind", "key", "value"])
        merge.when_not_matched_insert_all().execute(pa.Table.from_pylist(data, schema=REJECTIONS_SCHEMA))

    def of(self, file_ids: Sequence[int] | None, kinds: Sequence[str] = (TAG, CAPTION)) -> list[tuple[Suggestion, str]]:
        """(rejected row, the table it came from) of these files (None: of every file)."""
        by_file = self._by_file()
        files = by_file.values() if file_ids is None else (by_file.get(i, ()) for i in file_ids)
        return [(s, source) for held in files for s, source in held if s.kind in kinds]

    def _by_file(self) -> dict[int, list[tuple[Suggestion, str]]]:
        """Every rejection by file, read again only once the table has changed (its version, a
        fraction of a millisecond): every page of suggestions is shown less the rejected ones, and
        asking the table for 500 files' added 5 ms to each page's 16."""
        version = self.table.version
        if self._read is None or self._read[0] != version:
            by_file: dict[int, list[tuple[Suggestion, str]]] = {}
            for row in read_all(self.table.search().limit(None)).to_pylist():
                by_file.setdefault(row["file_id"], []).append(
                    (Suggestion(**{k: row[k] for k in _FIELDS}), row["source"])
                )
            self._read = (version, by_file)
        return self._read[1]

    def remove(self, rows: Sequence[Suggestion]) -> None:
        """Take the rejections of ``rows`` back, in one atomic write (one clause per term or caption)."""
        files: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            _, kind, said = _identity(row)
            files.setdefault((kind, said), []).append(row.file_id)
        clauses = [
            all_of(
                in_list("file_id", ids), f"kind = {quote(kind)}", f"{'key' if kind == TAG else 'value'} = {quote(said)}"
            )
            for (kind, said), ids in files.items()
        ]
        if clauses:
            self.table.delete(" OR ".join(f"({c})" for c in clauses))

    def delete_except(self, keep_ids: np.ndarray) -> None:
        """Drop the rejections of files no longer in the library."""
        gone = np.setdiff1d(np.array(list(self._by_file()), dtype=np.int64), keep_ids)
        if len(gone):
            self.table.delete(in_list("file_id", gone.tolist()))


def move_rejections_out_of_model_tables(db: DBConnection) -> None:
    """Schema 4: each model's table kept its own rejections (rows "rejected"), so a model change
    (a fine-tune swapped in) offered back what the user had rejected. They move into the one
    rejections table; each row stays in its model's table as an open one, hidden while rejected
    (as a rejection made now leaves it), so that taking it back shows it at once. Safe to run
    twice: a rejection moved already is kept as it is, and a table moved from holds none."""
    rejected = f"state = {quote(REJECTED)}"
    tables = {name: db.open_table(name) for name in model_tables(db)}
    found = {name: read_all(table.search().where(rejected).limit(None)).to_pylist() for name, table in tables.items()}
    if any(found.values()):
        rejections = Rejections(db)
        for name, rows in found.items():
            rejections.add([Suggestion(**{k: row[k] for k in _FIELDS}) for row in rows], name)
            tables[name].update(where=rejected, values={"state": SUGGESTED})


def holds_rejections_per_model(db: DBConnection, names: Iterable[str]) -> bool:
    """Whether any of the model tables ``names`` holds rejections as schema 3 kept them (its own
    rows "rejected"): the index has not moved them yet (:func:`move_rejections_out_of_model_tables`)."""
    return any(db.open_table(name).count_rows(f"state = {quote(REJECTED)}") for name in names)


def model_tables(db: DBConnection) -> list[str]:
    """The names of the models' suggestion tables in the index."""
    return sorted(name for name in db.list_tables().tables if name.startswith(PREFIX))


class SuggestionTable:
    def __init__(self, db: DBConnection, model_name: str, rejections: Rejections | None = None):
        """``rejections``: the index's, to share with the other models' tables (a table opened
        twice sees the other's writes only a second later)."""
        self.db = db
        self.model_name = model_name
        self.name = suggestions_table_name(model_name)
        existed = self.name in db.list_tables().tables
        self.table = open_or_create(db, self.name, SCHEMA)
        if not existed:
            self.table.create_index("file_id", config=BTree())
        self.rejections = rejections or Rejections(db)

    # -- writing ------------------------------------------------------------------------

    def replace(self, file_ids: Sequence[int], rows: Sequence[Suggestion]) -> None:
        """Make these files' open suggestions exactly ``rows``: one delete, then one append. A row
        the user has rejected (with any model) is not written, even when it was computed before
        the rejection (a job tags a batch for seconds while the panel is open): a rejected
        suggestion is never offered back."""
        refused = {_identity(s) for s, _ in self.rejections.of(file_ids)}
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
        """Reject these rows (:data:`REJECTED`: hidden, whatever model suggests them; one atomic
        write), or take their rejections back (:data:`SUGGESTED`). Each row is found by its file,
        kind, term and text (what a rejection refers to, :func:`_identity`). A rejection taken back
        shows its row again at once where this table holds it, or held it when it was rejected
        (written back first, so that a crash leaves it rejected, not lost); a row another model's
        table holds shows while that model is in use; where none does, the next tagging job
        suggests it anew."""
        if state == REJECTED:
            self.rejections.add(rows, self.name)
            return
        wanted = {_identity(r) for r in rows}
        held = [
            (s, source) for s, source in self.rejections.of(sorted({r.file_id for r in rows})) if _identity(s) in wanted
        ]
        self._add_missing([s for s, source in held if source == self.name])
        self.rejections.remove([s for s, _ in held])

    def offer_again(self, rows: Sequence[Suggestion]) -> int:
        """Write back suggestion rows an accept took (its undo), less those the table holds again
        (a job tagged the file since) and those rejected since; returns how many were written."""
        refused = {_identity(s) for s, _ in self.rejections.of(sorted({r.file_id for r in rows}))}
        return self._add_missing([r for r in rows if _identity(r) not in refused])

    def _add_missing(self, rows: Sequence[Suggestion]) -> int:
        """Append those of ``rows`` this table holds no row of, as open suggestions; returns how many."""
        held = self._rows(sorted({r.file_id for r in rows}), (TAG, CAPTION))
        present = {_identity(s) for s in held}
        fresh = [asdict(replace(r, state=SUGGESTED)) for r in rows if _identity(r) not in present]
        if fresh:
            self.table.add(pa.Table.from_pylist(fresh, schema=SCHEMA))
        return len(fresh)

    def delete_files(self, file_ids: Sequence[int]) -> None:
        if file_ids:
            self.table.delete(in_list("file_id", file_ids))

    def delete_except(self, keep_ids: np.ndarray) -> int:
        """Drop the rows and the rejections of files no longer in the library; returns how many
        files this table held rows of."""
        gone = np.setdiff1d(self.file_ids(), keep_ids)
        self.delete_files(gone.tolist())
        self.rejections.delete_except(keep_ids)
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
        """{file id: its suggestions, most confident first}; ``file_ids`` None: of every file. Open
        ones (:data:`SUGGESTED`) are this model's, less those the user rejected; rejected ones
        (:data:`REJECTED`) are every model's, as they were rejected."""
        if file_ids is not None and not file_ids:
            return {}
        refused = [s for s, _ in self.rejections.of(file_ids, kinds)] if {TAG, CAPTION} & set(kinds) else []
        found = list(refused) if REJECTED in states else []
        if SUGGESTED in states:
            hidden = {_identity(s) for s in refused}
            found += [s for s in self._rows(file_ids, kinds) if _identity(s) not in hidden]
        out: dict[int, list[Suggestion]] = {}
        for suggestion in found:
            out.setdefault(suggestion.file_id, []).append(suggestion)
        for items in out.values():
            items.sort(key=lambda s: -s.confidence)
        return out

    def _rows(self, file_ids: Sequence[int] | None, kinds: Sequence[str]) -> list[Suggestion]:
        """This table's open rows of ``kinds`` of these files (None: of every file), rejected or not."""
        where = all_of(
            in_list("file_id", file_ids) if file_ids is not None else None,
            f"kind IN ({', '.join(map(quote, kinds))})",
            f"state = {quote(SUGGESTED)}",
        )
        rows = read_all(self.table.search().where(where).limit(None)).to_pylist()
        return [Suggestion(**{k: row[k] for k in _FIELDS}) for row in rows]

    def tagged_by_others(self, file_ids: Sequence[int]) -> set[int]:
        """Those of ``file_ids`` another model has tagged (a run row in its table): the suggestions
        of a model used before, which this one shows none of."""
        if not file_ids:
            return set()
        where = all_of(in_list("file_id", file_ids), f"kind = {quote(RUN)}")
        found: set[int] = set()
        for name in (n for n in model_tables(self.db) if n != self.name):
            rows = read_all(self.db.open_table(name).search().where(where).select(["file_id"]).limit(None))
            found.update(rows["file_id"].to_pylist())
        return found

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
