"""What each file's name and description mean, as vectors in the model's words space.

Keyword search finds the files that share a word with the query; a library's names also say
what a sound is in words the user did not type: "splash" is ``puddle.wav``, "eating" is
``bite.wav``, "airplane" is ``biplane.ogg``. The model's text tower has learnt which words mean
the same (``AudioTextModel.embed_words``: for the builtin model, its pretrained MiniLM), so each
file's name words, and its description (metadata, tags, caption) when it has one, are embedded
once and kept here, one row per text; the search's third ranking orders files by their
nearest text (engine.search.fusion). The table is a window table whose windows are texts, so the same
nearest-file search, filters and ANN index serve it.

Rows are derived data: :func:`sync_word_vectors` compares the texts stored with the files'
current ones after every index run and edit, and embeds only what changed, so a rename, a
tag edit, a crash in the middle or a new tokeniser all end with the table matching the files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from engine.index.schema import WORDS_PREFIX, model_table_name, read_all, words_schema
from engine.index.sql import in_list
from engine.index.vectors import AnnPolicy, EmbeddingTable
from engine.models.base import embed_in_batches, l2_normalise
from engine.words import describing

if TYPE_CHECKING:
    from engine.index.store import LibraryStore

log = logging.getLogger(__name__)

EMBED_BATCH = 256  # texts per embed_words call
WRITE_CHUNK = 4_096  # files whose rows are replaced per delete + append


# LanceDB's exact scan costs about 1.2 us a row (bench/bench_search.py: 120 ms at 100k rows), so
# the words table, a row or two per file, gets its IVF_FLAT index at far fewer rows than windows do.
WORDS_ANN_MIN_ROWS = 10_000


class WordVectorTable(EmbeddingTable):
    META_PREFIX = "words:"
    ROWS_PER_FILE = 1  # its name; a description too for some

    def __init__(self, db, meta, model_name: str, dim: int, policy: AnnPolicy = AnnPolicy()):
        super().__init__(db, meta, model_name, dim, replace(policy, min_rows=min(policy.min_rows, WORDS_ANN_MIN_ROWS)))

    @staticmethod
    def table_name(model_name: str) -> str:
        return model_table_name(WORDS_PREFIX, model_name)

    @staticmethod
    def schema(dim: int) -> pa.Schema:
        return words_schema(dim)

    def texts(self, file_ids: Sequence[int] | None = None) -> dict[int, tuple[str, ...]]:
        """{file id: the texts its rows hold}, as last embedded; of every file or of ``file_ids``."""
        query = self.table.search().select(["file_id", "text"]).limit(None)
        rows = read_all(query if file_ids is None else query.where(in_list("file_id", file_ids)))
        out: dict[int, list[str]] = {}
        for file_id, text in zip(rows["file_id"].to_pylist(), rows["text"].to_pylist(), strict=True):
            out.setdefault(file_id, []).append(text)
        return {file_id: tuple(sorted(texts)) for file_id, texts in out.items()}

    def known(self, file_ids: Sequence[int]) -> dict[str, np.ndarray]:
        """{text: vector} of the texts these files' rows hold now (kept when a file changes)."""
        if not file_ids:
            return {}
        rows = read_all(self.table.search().where(in_list("file_id", file_ids)).select(["text", "vector"]).limit(None))
        vectors = rows["vector"].combine_chunks().flatten().to_numpy().reshape(-1, self.dim)
        return dict(zip(rows["text"].to_pylist(), vectors, strict=True))

    def put(self, rows: dict[int, Sequence[str]], vectors: dict[str, np.ndarray]) -> None:
        """Make these files' rows exactly their texts (one delete, then one append, as
        :meth:`EmbeddingTable.replace`); ``vectors`` holds each text's vector."""
        self.delete(list(rows))
        pairs = [(file_id, text) for file_id, texts in rows.items() for text in texts]
        if not pairs:
            return
        matrix = l2_normalise(np.stack([vectors[text] for _, text in pairs]))
        zeros = np.zeros(len(pairs))
        self.table.add(
            pa.table(
                {
                    "file_id": np.array([file_id for file_id, _ in pairs], np.int64),
                    "start_s": zeros,
                    "end_s": zeros,
                    "vector": pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), self.dim),
                    "text": [text for _, text in pairs],
                },
                schema=self.table.schema,
            )
        )


def file_texts(name_text: str, info_text: str) -> tuple[str, ...]:
    """The texts a file is known by: its name words, and its description (its tags' words after
    it, engine.index.text.meaning_parts) when it has one, each only as far as it is
    :func:`engine.words.describing`: take and variation numbers
    (``hit_03.wav``) and words such as "take" or "sfx" say nothing of what a sound is, yet pulled
    its meaning toward every other name holding them."""
    texts = (" ".join(describing(text.split())) for text in (name_text, info_text))
    return tuple(sorted({text for text in texts if text}))


def sync_word_vectors(
    store: LibraryStore,
    model_name: str,
    embed: Callable[[list[str]], np.ndarray],
    file_ids: Sequence[int] | None = None,
) -> int:
    """Bring ``model_name``'s words table to the files' current texts: rows of files that are
    gone or whose texts changed are replaced, new files added, each distinct text embedded
    once (``embed``: the model's ``embed_words``; a text a changed file still holds keeps its
    vector). ``file_ids`` limits it to those files (an edit of a few: the library is not read).
    Returns how many files' rows were written."""
    wanted = store.file_texts(file_ids)
    table = store.word_vectors(model_name)
    stored = table.texts(file_ids) if table is not None else {}
    gone = [file_id for file_id in stored if file_id not in wanted]
    todo = [file_id for file_id, texts in wanted.items() if stored.get(file_id, ()) != texts]
    if table is not None:
        table.delete(gone)
    for start in range(0, len(todo), WRITE_CHUNK):
        chunk = {file_id: wanted[file_id] for file_id in todo[start : start + WRITE_CHUNK]}
        vectors = table.known([file_id for file_id in chunk if file_id in stored]) if table is not None else {}
        unique = sorted({text for texts in chunk.values() for text in texts} - vectors.keys())
        if unique:
            vectors.update(zip(unique, embed_in_batches(embed, unique, EMBED_BATCH), strict=True))
        if table is None:
            if not unique:
                continue
            table = store.word_vectors(model_name, dim=len(vectors[unique[0]]))
        table.put(chunk, vectors)
    if gone or todo:
        log.info("word vectors of %s: %d files embedded, %d dropped", model_name, len(todo), len(gone))
    return len(todo)
