"""The library database: what the indexer writes and the searcher reads.

LanceDB commits one table operation at a time and has no transaction spanning two
tables, so crash safety comes from the order of writes, not from a transaction:

* **Vectors first, record last.** :meth:`LibraryStore.commit_embedded` replaces a
  file's windows (one delete, one append, each atomic), and only then writes its record
  with status "ok" and the new size/mtime/hash. Killed in between, a changed file keeps
  its old record, so the next rescan sees a stat that does not match and redoes it; a
  new file has vectors but no record, an orphan that :meth:`recover` deletes and search
  never returns (hits are joined to records). A file can therefore never end with a
  doubled or half-written set of windows.
* **Nothing is deleted because it is unreachable.** An unplugged drive is marked offline
  (:meth:`set_folder_online`); only :meth:`delete_files` and :meth:`remove_folder`,
  which the caller invokes for files it saw gone from a reachable folder or a folder the
  user removed, delete rows.

Every write is a batch (one LanceDB commit per table per call), and the full-text and
vector indices are brought up to date by :meth:`optimize`, every ``optimize_every``
writes and whenever the caller finishes a run; rows written since are still searched,
only without the index's help.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from functools import cache
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lancedb.index import FTS, Bitmap, BTree
from lancedb.query import BooleanQuery, FullTextOperator, MatchQuery, MultiMatchQuery, Occur, PhraseQuery

from engine.audio.metadata import described
from engine.fs import folder_prefix
from engine.index.meta import Meta
from engine.index.migrations import MIGRATIONS, VERSION_KEY, Migration, migrate, refresh_keyword_fields
from engine.index.records import (
    ERROR,
    FILE_FIELDS,
    OFFLINE,
    OK,
    STATE_COLUMNS,
    FileRecord,
    FileState,
    FolderRecord,
    arrow_to_files,
    arrow_to_folders,
    arrow_to_states,
    files_to_arrow,
    folders_to_arrow,
    path_key,
)
from engine.index.rows import ROW_ID, RowLookup
from engine.index.schema import (
    FILES,
    FILES_SCHEMA,
    FOLDERS,
    FOLDERS_SCHEMA,
    META,
    META_SCHEMA,
    SCHEMA_VERSION,
    open_or_create,
    read_all,
)
from engine.index.sql import EDITED, all_of, file_where, in_list, quote, searchable_under, texts_in
from engine.index.text import (
    FOLDER,
    INFO,
    NAME,
    PHRASE_COLUMN,
    TEXT_FIELDS,
    TEXT_VERSION,
    meaning_parts,
    phrase_texts,
    shelf_words,
)
from engine.index.vectors import AnnPolicy, EmbeddingTable, Windows
from engine.index.word_vectors import WordVectorTable, file_texts
from engine.models.base import ModelInfo
from engine.search.filters import BY_PATH, BrowseOrder, folder_shown
from engine.words import FalseFriends, false_friends, keyword_query_words, ucs_categories

log = logging.getLogger(__name__)

# what lookups and filters hit on every query or commit: B-trees for unique-ish keys,
# bitmaps for the few distinct values of status and folder
SCALAR_INDICES = {"id": BTree, "path": BTree, "content_hash": BTree, "status": Bitmap, "folder": Bitmap}
RECORD_COLUMNS = [*FILE_FIELDS, "path_bytes"]  # all but the derived text columns
TEXT_VERSION_KEY = "text_version"
# Words that say nothing about a sound. LanceDB's English list also drops "up", "down", "over",
# "off", "out" and "under", which do ("power up", "game over", "switch off", "rev down").
STOP_WORDS = "a an the of and or with in on at to for by from is are be this that it its as into".split()
# Quoted phrases and exclusions test exact whole words in order: positions, no stemming, every word
# kept, and no length limit (a word the index skipped could never match).
PHRASE_INDEX = FTS(with_position=True, stem=False, remove_stop_words=False, max_token_length=None)
SPELLED_LIKE_FILES = 20  # files whose words a misspelt query word is compared with (engine.search.respell)
IN_LIST_CHUNK = 1_000  # values per SQL IN list when a set of unknown size is looked up
FEW_IDS_KEPT = 8  # clauses whose ids few_file_ids keeps (one per set of search filters in use)
CLEANUP_AFTER = timedelta(minutes=5)  # old table versions kept this long for concurrent readers


class LibraryStore:
    def __init__(
        self,
        db_path: str | Path,
        *,
        schema_version: int = SCHEMA_VERSION,
        migrations: Sequence[Migration] = MIGRATIONS,
        ann_policy: AnnPolicy = AnnPolicy(),
        optimize_every: int = 200,
    ):
        Path(db_path).mkdir(parents=True, exist_ok=True)
        # Another process's writes (the CLI indexing while the app searches) show within a second.
        # Lance file format 2.1 fetches scattered rows (a page of hits by id) 2-3x faster than 2.0.
        self.db = lancedb.connect(
            str(db_path),
            read_consistency_interval=timedelta(seconds=1),
            storage_options={"new_table_data_storage_version": "2.1"},
        )
        self.ann_policy = ann_policy
        self.optimize_every = optimize_every
        self._writes = 0
        self.meta = Meta(open_or_create(self.db, META, META_SCHEMA))
        version = self.meta.get(VERSION_KEY)
        if version is not None:
            migrate(self.db, self.meta, schema_version, migrations)  # before opening: tables may change
        self.files = open_or_create(self.db, FILES, FILES_SCHEMA)
        self._file_rows = RowLookup(self.files, ["id"])  # the file of each row, for queries that find rows
        if self.meta.get(TEXT_VERSION_KEY) != TEXT_VERSION:
            # words are split or stopped differently now: re-read the names, rebuild the word indices
            refresh_keyword_fields(self.files)
            for index in self.files.list_indices():
                if index.index_type == "FTS":
                    self.files.drop_index(index.name)
            self.meta.set(TEXT_VERSION_KEY, TEXT_VERSION)
        self.folders_table = open_or_create(self.db, FOLDERS, FOLDERS_SCHEMA)
        self._ensure_indices()
        if version is None:
            self.meta.set(VERSION_KEY, schema_version)  # last, so a crash before it redoes all this
        self._embeddings: dict[str, EmbeddingTable] = {}
        self._word_vectors: dict[str, WordVectorTable] = {}
        self._few_ids: dict[str, tuple[int, np.ndarray]] = {}  # clause -> (files table version, ids)
        self._copied: tuple[int, tuple[dict[int, str], frozenset[str]]] | None = None  # (files version, _copies)
        self._described: tuple[int, bool] | None = None  # (files version, holds_descriptions)

    @property
    def schema_version(self) -> int:
        return self.meta.get(VERSION_KEY)

    # -- folders ----------------------------------------------------------------------

    def add_folder(self, path: str | Path, device: int | None = None) -> FolderRecord:
        """``device``: the st_dev the folder is on, to tell it moved or deleted from its drive
        unplugged later (:meth:`set_folder_device` keeps it up to date)."""
        existing = self._folder(path)
        if existing is not None:
            return existing
        folder = FolderRecord(str(path), time.time(), True, device)
        self.folders_table.merge_insert("path").when_not_matched_insert_all().execute(folders_to_arrow([folder]))
        return folder

    def folders(self) -> list[FolderRecord]:
        return arrow_to_folders(read_all(self.folders_table.search()))

    def set_folder_online(self, path: str | Path, online: bool) -> None:
        """An unreachable folder keeps its files (status "offline", vectors kept) until it
        comes back; only files that were "ok" change, so the flip is reversible."""
        was, now = (OFFLINE, OK) if online else (OK, OFFLINE)
        self.files.update(where=file_where(path, was), values={"status": now})
        self.folders_table.update(where=f"path = {quote(path_key(path))}", values={"online": online})

    def set_folder_device(self, path: str | Path, device: int) -> None:
        self.folders_table.update(where=f"path = {quote(path_key(path))}", values={"device": device})

    def remove_folder(self, path: str | Path) -> int:
        """Forget a folder the user removed: its files, their vectors, then the folder
        row last, so an interrupted removal is still listed and can be finished."""
        ids = self.file_ids(file_where(path))
        self.delete_files(ids.tolist())
        self.folders_table.delete(f"path = {quote(path_key(path))}")
        return len(ids)

    def _folder(self, path: str | Path) -> FolderRecord | None:
        rows = read_all(self.folders_table.search().where(f"path = {quote(path_key(path))}"))
        return arrow_to_folders(rows)[0] if rows.num_rows else None

    # -- file records -----------------------------------------------------------------

    def upsert_files(self, records: Sequence[FileRecord]) -> list[FileRecord]:
        """Insert or update records without touching vectors (new, moved, touched or
        failed files). A record without ``id`` takes the id of the row at its path, or a
        new one; a record with ``id`` updates that row, so a move keeps its vectors.
        Records with status "error" lose their vectors in every model: they describe
        content that could not be read."""
        records = self._with_ids(records)
        failed = [r.id for r in records if r.status == ERROR]
        if failed:
            self._delete_vectors(failed)
        self._write_records(records)
        return records

    def commit_embedded(self, model: ModelInfo, items: Sequence[tuple[FileRecord, Windows]]) -> list[FileRecord]:
        """Store freshly embedded files: their windows for ``model`` replace any earlier
        ones, then their records are written with status "ok" (see the module docstring
        for why in this order)."""
        records = self._with_ids([record for record, _ in items])
        stamp = time.time()
        records = [replace(r, status=OK, error="", indexed_at=stamp) for r in records]
        self.replace_windows(model, {r.id: windows for r, (_, windows) in zip(records, items, strict=False)})
        self._write_records(records)
        return records

    def replace_windows(self, model: ModelInfo, windows: dict[int, Windows]) -> None:
        """Make these files' windows for ``model`` exactly the given ones, and, when the model has
        a likeness space, their likeness windows too (written first: a crash between the two
        leaves the file's old model windows, which the files' records still describe)."""
        if model.likeness is not None:
            space = model.likeness.name
            likeness = {file_id: item.in_likeness() for file_id, item in windows.items()}
            dims = {item.vectors.shape[1] for item in likeness.values() if len(item)}
            if len(dims) > 1:
                raise ValueError(f"likeness vectors of sizes {sorted(dims)} for the one space {space!r}")
            if dims or space in self.models():
                self._vector_table(space, dims.pop() if dims else None).replace(likeness)
        self.embeddings(model).replace(windows)

    def move_file(self, file_id: int, path: str) -> FileRecord:
        """Re-link a renamed file (engine.tagging.rename): new path, same id, so its vectors
        stay valid and nothing is re-embedded."""
        record = self.get_files([file_id]).get(file_id)
        if record is None:
            raise KeyError(f"no file with id {file_id} in the index")
        return self.upsert_files([replace(record, path=path)])[0]

    def set_tags(self, file_ids: Iterable[int], tags: Sequence[str]) -> None:
        """Replace the tags of these files; blanks and repeats are dropped, order kept."""
        ids = list(file_ids)
        self.set_tags_of(dict.fromkeys(ids, tags))

    def set_tags_of(self, tags_by_id: Mapping[int, Sequence[str]]) -> None:
        """Replace each file's tags with its own list ({file id: tags}), in one write: an accept of
        "best of each" gives almost every file a set of its own, and a write per set took 23 s of a
        400-file accept. Blanks and repeats are dropped, order kept."""
        records = self.get_files(tags_by_id).values()
        self._write_records(
            [replace(r, tags=list(dict.fromkeys(t.strip() for t in tags_by_id[r.id] if t.strip()))) for r in records]
        )

    def set_caption(self, file_id: int, caption: str) -> None:
        records = list(self.get_files([file_id]).values())
        if not records:
            raise KeyError(f"no file with id {file_id} in the index")
        self._write_records([replace(records[0], caption=caption.strip())])

    def delete_files(self, file_ids: Sequence[int]) -> None:
        """Delete rows, then vectors (a crash in between leaves orphans for :meth:`recover`)."""
        if not file_ids:
            return
        self.files.delete(in_list("id", file_ids))
        self._delete_vectors(file_ids)
        self._wrote()

    def get_file(self, path: str | Path) -> FileRecord | None:
        found = self.find_files(f"path = {quote(path_key(path))}")
        return found[0] if found else None

    def get_files(self, file_ids: Iterable[int]) -> dict[int, FileRecord]:
        ids = list(file_ids)
        if not ids:
            return {}
        return {r.id: r for r in self.find_files(in_list("id", ids))}

    def file_states(self, file_ids: Iterable[int]) -> list[FileState]:
        """The state rows of the files ``file_ids`` (path, folder, status: no metadata, no text), for
        work that needs where files are and not what they hold."""
        ids = list(file_ids)
        return self._states(in_list("id", ids)) if ids else []

    def copied_contents(self) -> frozenset[str]:
        """The contents more than one file holds (a sound copied into several folders): most
        hits have none, and asking the index for every hit's copies took 23 ms of a 500-hit
        search's 72 (:meth:`copies`)."""
        return self._copies()[1]

    def copies(self) -> dict[int, str]:
        """{file id: content hash} of the files whose bytes another file holds too."""
        return self._copies()[0]

    def _copies(self) -> tuple[dict[int, str], frozenset[str]]:
        """:meth:`copies` and :meth:`copied_contents`, read again only once the files table has
        changed (its version: under a millisecond; the two columns, about 20 ms at 100 k files)."""
        version = self.files.version
        known = self._copied
        if known is not None and known[0] == version:
            return known[1]
        rows = read_all(self.files.search().select(["id", "content_hash"]).limit(None))
        counts = pc.value_counts(rows["content_hash"])
        copied = frozenset(counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()) - {""}
        held = pc.is_in(rows["content_hash"], value_set=pa.array(sorted(copied), pa.string()))
        by_id = dict(
            zip(rows["id"].filter(held).to_pylist(), rows["content_hash"].filter(held).to_pylist(), strict=True)
        )
        self._copied = (version, (by_id, copied))
        return by_id, copied

    def paths_by_content(self, content_hashes: Iterable[str]) -> dict[str, list[str]]:
        """{content hash: the paths of the files holding exactly those bytes}, in path order, for
        the contents of ``content_hashes`` that several files hold (:meth:`copied_contents`)."""
        copied = self.copied_contents()
        wanted = sorted({h for h in content_hashes if h in copied})
        if not wanted:
            return {}
        rows = read_all(
            self.files.search()
            .select(["path", "path_bytes", "content_hash"])
            .where(texts_in("content_hash", wanted))
            .limit(None)
        )
        found: dict[str, list[str]] = {}
        for key, exact, digest in sorted(
            zip(*(rows[name].to_pylist() for name in ("path", "path_bytes", "content_hash")), strict=True)
        ):
            # the exact path (a name that is not UTF-8 has an escaped key), as records give it
            found.setdefault(digest, []).append(os.fsdecode(exact) if exact is not None else key)
        return found

    def holds_descriptions(self) -> bool:
        """Whether some searchable file's own metadata says something of it (a BWF or iXML
        description, a title: :func:`engine.audio.metadata.described`, what the results'
        Description column shows). A fact of the library, read again only once the files table has
        changed (as :meth:`_copies`). Most of a UCS library's metadata texts are the category names
        its file names add there (DOORS, WOOD), which :func:`described` leaves out: rows holding
        nothing else are dropped in Arrow, and only the others are read in Python, up to the first
        that says something (a library of 100 k UCS names and no description: 30-60 ms, against
        0.9 s reading every row). A description that is nothing but a category name not the file's
        own ("WOOD" in a plain file's title) is missed."""
        version = self.files.version
        known = self._described
        if known is not None and known[0] == version:
            return known[1]
        where = all_of(texts_in("status", (OK, OFFLINE)), "metadata_text != ''")
        rows = read_all(self.files.search().where(where).select(["path", "metadata_text"]).limit(None))
        lines = pc.split_pattern(rows["metadata_text"].combine_chunks(), "\n")
        line = pc.list_flatten(lines)
        blank = pc.equal(pc.utf8_trim_whitespace(line), "")
        worded = pc.invert(pc.or_(blank, pc.is_in(line, value_set=_ucs_category_names())))
        worded_rows = rows.take(np.unique(pc.list_parent_indices(lines).filter(worded).to_numpy()))
        paths, texts = (worded_rows[column].to_pylist() for column in ("path", "metadata_text"))
        held = any(described(text, os.path.basename(path)) for path, text in zip(paths, texts, strict=True))
        self._described = (version, held)
        return held

    def embedded_with_content(self, content_hashes: Iterable[str]) -> list[FileRecord]:
        """The embedded records (on a connected drive or not) holding any of these contents: whose
        vectors a new copy can take instead of decoding and embedding the same bytes again."""
        embedded = texts_in("status", (OK, OFFLINE))
        return [r for where in self._holding(content_hashes, embedded) for r in self.find_files(where)]

    def offline_with_content(self, content_hashes: Iterable[str]) -> list[FileState]:
        """The rows of unreachable folders (status "offline") holding any of these contents: a
        file found under another library folder with those bytes may be one of them, moved there
        (a renamed or moved library folder; engine.library.sync)."""
        return [s for where in self._holding(content_hashes, file_where(status=OFFLINE)) for s in self._states(where)]

    def _holding(self, content_hashes: Iterable[str], where: str) -> list[str]:
        """Filters for the rows matching ``where`` that hold any of these contents, one for each
        :data:`IN_LIST_CHUNK` of them. The contents are matched against the column first: a first
        run asks about every file of a library, none of which the index holds."""
        wanted = {h for h in content_hashes if h}
        if wanted:
            held = read_all(self.files.search().select(["content_hash"]).where(where).limit(None))
            wanted &= set(held["content_hash"].to_pylist())
        ordered = sorted(wanted)
        return [
            all_of(texts_in("content_hash", ordered[start : start + IN_LIST_CHUNK]), where)
            for start in range(0, len(ordered), IN_LIST_CHUNK)
        ]

    def find_files(self, where: str | None = None, limit: int | None = None) -> list[FileRecord]:
        query = self.files.search().select(RECORD_COLUMNS).limit(limit)
        return arrow_to_files(read_all(query.where(where) if where else query))

    def failed_files(self) -> list[FileRecord]:
        return self.files_with_status(ERROR)

    def warned_files(self) -> list[FileRecord]:
        """The searchable files (online or offline) indexed with a warning: what reading them had
        to mend or do without, kept in ``error`` beside their status (:attr:`FileRecord.warning`)."""
        return self.find_files(all_of(texts_in("status", (OK, OFFLINE)), "error != ''"))

    def files_with_status(self, status: str) -> list[FileRecord]:
        return self.find_files(file_where(status=status))

    def files_in_folder(self, folder: str | Path) -> list[FileRecord]:
        """The whole records of the files filed under the library folder ``folder``."""
        return self.find_files(file_where(folder))

    def folder_files(self, folder: str | Path) -> list[FileState]:
        """The rows an incremental rescan of ``folder`` compares with the disk."""
        return self._states(file_where(folder))

    def _states(self, where: str) -> list[FileState]:
        return arrow_to_states(read_all(self.files.search().where(where).select(STATE_COLUMNS).limit(None)))

    def counts_by_folder(self) -> dict[str, dict[str, int]]:
        """{folder: {status: number of files}}."""
        rows = read_all(self.files.search().select(["folder", "status"]).limit(None))
        counts: dict[str, dict[str, int]] = {}
        for row in rows.group_by(["folder", "status"]).aggregate([([], "count_all")]).to_pylist():
            counts.setdefault(row["folder"], {})[row["status"]] = row["count_all"]
        return counts

    def subfolder_counts(self, folder: str | Path) -> dict[str, int]:
        """{subfolder: searchable files (online or offline) in it and below} for every folder
        below the library folder ``folder`` that holds one: what the library panel's tree and the
        folder filter offer, so a sound designer can point at "SFX/Doors/Wood" rather than search
        its name. The root itself is left out (its counts are :meth:`counts_by_folder`'s). Only the
        path column is read; files are grouped by their parent folder in Arrow (a library of
        250k files has some 10k folders), and only those few are walked up to the root in Python."""
        root = path_key(folder).rstrip(os.sep)
        where = all_of(file_where(folder), f"status IN ({quote(OK)}, {quote(OFFLINE)})")
        paths = read_all(self.files.search().where(where).select(["path"]).limit(None))["path"]
        sep = re.escape(os.sep)
        parents = pc.replace_substring_regex(paths, pattern=f"{sep}[^{sep}]*$", replacement="")  # each file's folder
        counts: dict[str, int] = {}
        prefix = folder_prefix(root)
        for row in pc.value_counts(parents).to_pylist():
            parent, files = row["values"], row["counts"]
            while parent.startswith(prefix):  # the folder and each one above it, up to the root
                counts[parent] = counts.get(parent, 0) + files
                parent = parent.rsplit(os.sep, 1)[0]
        return counts

    def count_files(self, where: str | None = None) -> int:
        return self.files.count_rows(where)

    def count(self, folder: str | Path | None = None, status: str | None = None) -> int:
        """How many files the library holds: in one library folder, of one status, or both."""
        return self.count_files(file_where(folder, status))

    def count_edited(self, folder: str | Path) -> int:
        """How many files of one library folder carry the user's tags or caption."""
        return self.count_files(all_of(file_where(folder), EDITED))

    def searchable_ids_under(self, paths: Sequence[str]) -> np.ndarray:
        """Ids of the searchable files (online or offline) that are, or lie under, any of ``paths``."""
        where = searchable_under(paths)
        return np.empty(0, np.int64) if where is None else np.unique(self.file_ids(where))

    def file_ids(self, where: str | None = None) -> np.ndarray:
        query = self.files.search().select(["id"]).limit(None)
        return read_all(query.where(where) if where else query)["id"].to_numpy()

    def ids_in_order(self, where: str | None = None, order: BrowseOrder = BY_PATH) -> np.ndarray:
        """:meth:`file_ids` in ``order``, ties by path (what a browse lists). Only the ids, the paths
        and the columns the order sorts by are read (:data:`BROWSE_KEYS`): records of a whole
        100k-file library took 2.1 s to build, to show the first hundred."""
        columns, keys = BROWSE_KEYS[order.by]
        query = self.files.search().select(["id", "path", *columns]).limit(None)
        rows = read_all(query.where(where) if where else query)
        direction = "descending" if order.descending else "ascending"
        sorted_by = {f"key{k}": key for k, key in enumerate(keys(rows))}
        sort_keys = [(name, direction) for name in sorted_by] + [("path", "ascending")]
        indices = pc.sort_indices(pa.table({**sorted_by, "path": rows["path"]}), sort_keys=sort_keys)
        return rows["id"].to_numpy()[indices.to_numpy()]

    def few_file_ids(self, where: str) -> np.ndarray:
        """:meth:`file_ids` of a clause every search asks and few files meet (the failed and
        offline files a search leaves out: 10 ms at 250k files), read again only once the files
        table has changed (its version: 0.3 ms)."""
        version = self.files.version
        known = self._few_ids.get(where)
        if known is not None and known[0] == version:
            return known[1]
        ids = self.file_ids(where)
        if len(self._few_ids) >= FEW_IDS_KEPT:
            self._few_ids.clear()  # one step, so a search on another thread never sees it half done
        self._few_ids[where] = (version, ids)
        return ids

    def full_text(
        self, text: str, where: str | None, limit: int, fields: dict[str, float] = TEXT_FIELDS
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 over the keyword fields, each weighed by ``fields``: ids and scores of the
        files holding any word :func:`engine.words.keyword_query_words` reads in ``text``
        (stemmed, stop words ignored; more matched words and rarer ones rank higher), best
        first, ``where`` as a prefilter."""
        query_words = keyword_query_words(text, self.holds_folder_word)
        if not query_words:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        friends = false_friends(query_words)
        ids, scores, texts = self._bm25(query_words, where, limit, fields, with_text=bool(friends))
        for one in friends:
            ids, scores, texts = self._without_false_friend(one, ids, scores, texts, where, fields)
        return ids, scores

    def _bm25(
        self,
        query_words: Sequence[str],
        where: str | None,
        limit: int,
        fields: dict[str, float],
        with_text: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Ids and BM25 scores of the hits, best first, and their ``search_text`` when asked."""
        columns = list(fields)
        match = MultiMatchQuery(
            " ".join(query_words), columns, boosts=[fields[c] for c in columns], operator=FullTextOperator.OR
        )
        query = self.files.search(match, query_type="fts")
        if where:
            query = query.where(where, prefilter=True)
        selected = ["_score", PHRASE_COLUMN] if with_text else ["_score"]
        rows = query.select(selected).with_row_id(True).limit(limit).to_arrow()
        files, found = self._file_rows.look_up(rows[ROW_ID].to_numpy())
        texts = rows[PHRASE_COLUMN].to_numpy(zero_copy_only=False)[found] if with_text else None
        return files["id"], rows["_score"].to_numpy().astype(np.float64)[found], texts

    def _without_false_friend(
        self,
        friends: FalseFriends,
        ids: np.ndarray,
        scores: np.ndarray,
        texts: np.ndarray,
        where: str | None,
        fields: dict[str, float],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The hits holding the false friend and not the query's word ("engineer_die.wav" for
        "engine") scored by the query's other words alone (BM25 adds a score per word: asked
        again without the shared stem, what is left is theirs), or dropped when nothing else
        matched, or when the words left do not rank them among as many hits; the hits re-sorted.
        Which hits hold which word is read in their own ``search_text`` (words as written,
        unstemmed), not in the whole library's: a scan of every file's text cost 25 ms a query
        at 100k files."""
        strangers = np.array([friends.hold_only_others(text) for text in texts], dtype=bool)
        if not strangers.any():
            return ids, scores, texts
        again: dict[int, float] = {}
        if friends.rest:  # over the same files: a prefilter is what LanceDB's BM25 counts words in
            found, found_scores, _ = self._bm25(friends.rest, where, len(ids), fields)
            again = dict(zip(found.tolist(), found_scores.tolist(), strict=True))
        scores = np.where(strangers, [again.get(i, 0.0) for i in ids.tolist()], scores)
        kept = ~strangers | np.isin(ids, list(again))
        order = np.argsort(-scores[kept], kind="stable")
        return ids[kept][order], scores[kept][order], texts[kept][order]

    def holds_folder_word(self, word: str) -> bool:
        """Whether some file's folders hold ``word`` (the one field that keeps a word run
        together as written: engine.index.text.folder_words)."""
        query = self.files.search(MatchQuery(word, FOLDER), query_type="fts").select(["_score"])
        return query.limit(1).to_arrow().num_rows > 0

    def words_spelled_like(self, word: str, stem: str, edits: int, limit: int = SPELLED_LIKE_FILES) -> list[str]:
        """The keyword fields' words of up to ``limit`` files holding a word within ``edits`` edits
        of ``word`` as written (``search_text``) or of its ``stem`` among the stemmed words
        (LanceDB's fuzzy match), for engine.search.respell to find which of them ``word``
        misspells. Both: a letter dropped before a suffix ("explsion") is one edit from the word
        ("explosion") and four from its stem ("explos"); a typo the stemmer shortens ("foostteps",
        "foosttep") is nearer the stem ("footstep"). The match reads the FTS indices, so rows
        added since the last :meth:`optimize` are not among them."""
        clauses = [(Occur.SHOULD, MatchQuery(stem, column, fuzziness=edits)) for column in TEXT_FIELDS]
        clauses.append((Occur.SHOULD, MatchQuery(word, PHRASE_COLUMN, fuzziness=edits)))
        query = self.files.search(BooleanQuery(clauses), query_type="fts").select([*TEXT_FIELDS, "_score"])
        rows = query.limit(limit).to_arrow()
        return [w for column in TEXT_FIELDS for text in rows[column].to_pylist() if text for w in text.split()]

    def files_with_phrase(self, phrase: str) -> np.ndarray | None:
        """Ids of the files (any status) whose words hold ``phrase``'s words consecutively, as
        :func:`engine.index.text.phrase_texts` reads them; None when the phrase has no words (it
        then asks for nothing)."""
        texts = phrase_texts(phrase)
        if not texts:
            return None
        phrases = [PhraseQuery(text, PHRASE_COLUMN) for text in texts]
        match = phrases[0] if len(phrases) == 1 else BooleanQuery([(Occur.SHOULD, p) for p in phrases])
        query = self.files.search(match, query_type="fts").select(["_score"])
        rows = query.with_row_id(True).limit(max(1, self.count_files())).to_arrow()
        return self._file_rows.look_up(rows[ROW_ID].to_numpy())[0]["id"]

    # -- embeddings -------------------------------------------------------------------

    def embeddings(self, model: ModelInfo | str) -> EmbeddingTable:
        """The window-vector table of ``model``, made on first use. A bare name opens an
        existing table only (the dimension comes from the meta table)."""
        if isinstance(model, str):
            return self._vector_table(model, None)
        return self._vector_table(model.name, model.embedding_dim)

    def likeness(self, model: ModelInfo) -> EmbeddingTable | None:
        """The window table of ``model``'s likeness space (ModelInfo.likeness), shared by every
        model with that space; None when it has none or nothing is stored in it yet."""
        space = model.likeness
        return self.embeddings(space.name) if space is not None and space.name in self.models() else None

    def _vector_table(self, name: str, dim: int | None) -> EmbeddingTable:
        """The window table called ``name``; ``dim`` None opens an existing one only."""
        table = self._embeddings.get(name)
        if table is None:
            if dim is None:
                dim = self.models().get(name)
                if dim is None:
                    raise KeyError(f"the index holds no vectors for model {name!r}")
            table = self._embeddings[name] = EmbeddingTable(self.db, self.meta, name, dim, self.ann_policy)
        return table

    def word_vectors(self, model_name: str, dim: int | None = None) -> WordVectorTable | None:
        """The words table of ``model_name`` (engine.index.word_vectors); None when it has none
        yet and no ``dim`` to make it with."""
        table = self._word_vectors.get(model_name)
        if table is None:
            stored = self.meta.get(WordVectorTable.META_PREFIX + WordVectorTable.table_name(model_name))
            dim = stored["dim"] if stored is not None else dim
            if dim is None:
                return None
            table = self._word_vectors[model_name] = WordVectorTable(
                self.db, self.meta, model_name, dim, self.ann_policy
            )
        return table

    def drop_word_vectors(self, model_name: str) -> None:
        """Forget ``model_name``'s words table; the next sync makes it again from the files' texts
        (bench/bench_search.py fills it with synthetic vectors of another size)."""
        name = WordVectorTable.table_name(model_name)
        if name in self.db.list_tables().tables:
            self.db.drop_table(name)
        self.meta.delete(WordVectorTable.META_PREFIX + name)
        self._word_vectors.pop(model_name, None)

    def file_texts(self, file_ids: Sequence[int] | None = None) -> dict[int, tuple[str, ...]]:
        """{file id: the texts its meaning is read from} (engine.index.word_vectors.file_texts),
        of every file or of ``file_ids``."""
        query = self.files.search().select(["id", NAME, INFO, "tags", "path", "folder"]).limit(None)
        rows = read_all(query if file_ids is None else query.where(in_list("id", file_ids)))
        columns = (rows[column].to_pylist() for column in ("id", NAME, INFO, "tags", "path", "folder"))
        return {
            file_id: file_texts(*meaning_parts(name or "", info or "", tags or (), shelf_words(path, folder)))
            for file_id, name, info, tags, path, folder in zip(*columns, strict=True)
        }

    def _word_tables(self) -> list[WordVectorTable]:
        return [self.word_vectors(v["model"]) for v in self.meta.items(WordVectorTable.META_PREFIX).values()]

    def models(self) -> dict[str, int]:
        """{model name: vector size} for every model that has a vector table."""
        return {v["model"]: v["dim"] for v in self.meta.items("embeddings:").values()}

    def files_missing_embeddings(self, model: ModelInfo) -> list[int]:
        """Ids of "ok" files with no windows for ``model``, or none in its likeness space: the
        work left when the active model changes (the old model's table keeps answering
        meanwhile)."""
        done = self.embeddings(model).file_ids()
        if model.likeness is not None:
            likeness = self.likeness(model)
            done = np.intersect1d(done, likeness.file_ids() if likeness is not None else [])
        return np.setdiff1d(self.file_ids(file_where(status=OK)), done).tolist()

    # -- upkeep -----------------------------------------------------------------------

    def recover(self) -> int:
        """Undo what an interrupted run left behind: windows of files that have no row or
        are in error. Returns how many files' windows were dropped."""
        keep = self.file_ids(f"status != {quote(ERROR)}")
        dropped = sum(self.embeddings(name).delete_except(keep) for name in self.models())
        if dropped:
            log.info("recovery: dropped the windows of %d unfinished or failed files", dropped)
        return dropped

    def optimize(self) -> None:
        """Compact small fragments, fold new rows into the FTS and scalar indices, and
        build or retrain the vector index of any model table that outgrew exact search."""
        for table in (self.files, self.folders_table, self.meta.table):
            table.optimize(cleanup_older_than=CLEANUP_AFTER)
        for table in [*(self.embeddings(name) for name in self.models()), *self._word_tables()]:
            table.optimize(CLEANUP_AFTER)
        self._writes = 0

    # -- internals --------------------------------------------------------------------

    def _ensure_indices(self) -> None:
        """Make the files table's indices that are missing (a new database, or one made
        before an index was added here); later rows join them at :meth:`optimize`."""
        indexed = {column for index in self.files.list_indices() for column in index.columns}
        for column, kind in SCALAR_INDICES.items():
            if column not in indexed:
                self.files.create_index(column, config=kind())
        for column in TEXT_FIELDS:
            if column not in indexed:
                # BM25 ranks words, so no token positions (phrases have their own index)
                self.files.create_index(column, config=FTS(with_position=False, custom_stop_words=STOP_WORDS))
        if PHRASE_COLUMN not in indexed:
            self.files.create_index(PHRASE_COLUMN, config=PHRASE_INDEX)

    def _with_ids(self, records: Sequence[FileRecord]) -> list[FileRecord]:
        """Give each record the id of its row: its own, else the row at its path, else new."""
        keys = [path_key(r.path) for r in records]
        if len(set(keys)) != len(keys):
            raise ValueError("a batch names the same path twice")
        at_path = {}
        if keys:
            rows = read_all(
                self.files.search().where(f"path IN ({', '.join(map(quote, keys))})").select(["id", "path"]).limit(None)
            ).to_pylist()
            at_path = {row["path"]: row["id"] for row in rows}
        out, stale = [], []
        for record, key in zip(records, keys, strict=False):
            existing = at_path.get(key)
            if record.id is None:
                record = replace(record, id=existing if existing is not None else _new_id())
            elif existing is not None and existing != record.id:
                stale.append(existing)  # a move onto a path whose old row was never deleted
            out.append(record)
        if stale:
            self.delete_files(stale)
        return out

    def _write_records(self, records: Sequence[FileRecord]) -> None:
        if not records:
            return
        self.files.merge_insert("id").when_matched_update_all().when_not_matched_insert_all().execute(
            files_to_arrow(list(records))
        )
        self._wrote()

    def _delete_vectors(self, file_ids: Sequence[int]) -> None:
        for table in [*(self.embeddings(name) for name in self.models()), *self._word_tables()]:
            table.delete(list(file_ids))

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes >= self.optimize_every:
            self.optimize()


@cache
def _ucs_category_names() -> pa.Array:
    """The category and subcategory names a UCS file name adds to its metadata text
    (engine.audio.metadata.FileMetadata.text)."""
    names = {name for c in ucs_categories().values() for name in (c.category, c.subcategory)}
    return pa.array(sorted(names), pa.string())


def _new_id() -> int:
    """Random 63-bit ids: two processes adding files never collide, unlike max(id) + 1."""
    return secrets.randbits(63)


def _known_first(values: pa.ChunkedArray) -> pa.Array:
    """Numbers as a sort key, an unknown one (null) before every known one: -inf, as the results
    table's sort puts it (app/results_model.py)."""
    return pc.fill_null(pc.cast(values, pa.float64()), float("-inf"))


def _folded(values: pa.ChunkedArray) -> pa.Array:
    """Text as a sort key in any case, none as ""."""
    return pc.utf8_lower(pc.fill_null(values, ""))


def _file_names(rows: pa.Table) -> pa.Array:
    return _folded(pc.replace_substring_regex(rows["path"], pattern=f"^.*{re.escape(os.sep)}", replacement=""))


def _shown_folders(rows: pa.Table) -> pa.Array:
    """Each file's folder as the results show it (:func:`folder_shown`), in any case: worked out once
    per folder in Python, not once per file (100k files in 14,000 folders: 180 ms, the dearest order;
    the others take 11-27 ms)."""
    parents = pc.replace_substring_regex(rows["path"], pattern=f"[^{re.escape(os.sep)}]*$", replacement="")
    pairs = pc.binary_join_element_wise(pc.fill_null(rows["folder"], ""), parents, "\0")
    distinct = pc.unique(pairs)
    shown = []
    for pair in distinct.to_pylist():
        folder, parent = pair.split("\0", 1)
        shown.append(folder_shown(parent, folder).lower())
    return pa.array(shown, pa.string()).take(pc.index_in(pairs, value_set=distinct))


# Each browse order (engine.search.filters.BROWSE_ORDERS): the columns read besides the id and the
# path, and the sort keys made of them, keyed as the results table's columns sort (app/results_model.py)
BROWSE_KEYS: dict[str, tuple[list[str], Callable[[pa.Table], list[pa.Array]]]] = {
    "path": ([], lambda rows: [rows["path"]]),
    "name": ([], lambda rows: [_file_names(rows)]),
    "duration": (["duration_s"], lambda rows: [_known_first(rows["duration_s"])]),
    "format": (
        ["format", "bit_depth"],
        lambda rows: [pc.utf8_upper(pc.fill_null(rows["format"], "")), _known_first(rows["bit_depth"])],
    ),
    "sample_rate": (["sample_rate"], lambda rows: [_known_first(rows["sample_rate"])]),
    "channels": (["channels"], lambda rows: [_known_first(rows["channels"])]),
    "caption": (["caption"], lambda rows: [_folded(rows["caption"])]),
    "folder": (["folder"], lambda rows: [_shown_folders(rows)]),
}
