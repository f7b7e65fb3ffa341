"""A batch the store refuses because of one file's text: that file alone loses its words."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from engine.index.records import OK, FileRecord
from engine.index.vectors import Windows
from engine.library.committer import Committer


def windows(dim: int) -> Windows:
    return Windows([0.0], [1.0], np.random.default_rng(0).standard_normal((1, dim)))


def test_a_record_the_store_cannot_encode_is_stored_without_its_words_the_others_as_they_are(store, model):
    # a lone surrogate: what a non-UTF-8 byte becomes in a Python string; Arrow refuses it
    bad = FileRecord(path="/lib/bad.wav", folder="/lib", metadata_text="caf\udce9 door", duration_s=1.0)
    good = FileRecord(path="/lib/good.wav", folder="/lib", metadata_text="wooden door", duration_s=1.0)
    mended = FileRecord(
        path="/lib/mended.wav", folder="/lib", metadata_text="rain", duration_s=1.0, error="3 samples are not numbers"
    )
    dim = model.info.embedding_dim
    with Committer(store, model, commit_every=10, commit_interval_s=60, row_lock=nullcontext()) as committer:
        for record in (bad, good, mended):
            committer.embedded(record, windows(dim))
    stored = {r.path: r for r in store.find_files()}
    assert {path: r.status for path, r in stored.items()} == dict.fromkeys(stored, OK) and len(stored) == 3
    assert stored["/lib/good.wav"].metadata_text == "wooden door" and stored["/lib/good.wav"].error == ""
    assert stored["/lib/bad.wav"].metadata_text == ""
    assert stored["/lib/bad.wav"].error.startswith("its metadata text could not be stored in the index")
    assert stored["/lib/mended.wav"].error == "3 samples are not numbers"  # a warning stays on an "ok" record
    table = store.embeddings(model.info)
    assert all(len(table.windows(r.id)) == 1 for r in stored.values())
