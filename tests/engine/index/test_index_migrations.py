"""Schema versions: a database made at an older version is migrated in order, once."""

from __future__ import annotations

from dataclasses import asdict, replace

import lancedb
import pyarrow as pa
import pytest
from lancedb.index import FTS

from engine.index import LibraryStore
from engine.index.meta import Meta
from engine.index.migrations import VERSION_KEY, Migration, SchemaVersionError
from engine.index.records import files_to_arrow
from engine.index.schema import FILES, FILES_SCHEMA, META, META_SCHEMA, SCHEMA_VERSION
from engine.index.suggestions import (
    REJECTED,
    SCHEMA,
    SUGGESTED,
    TAG,
    Rejections,
    Suggestion,
    SuggestionTable,
    move_rejections_out_of_model_tables,
    suggestions_table_name,
)
from engine.index.text import TEXT_VERSION
from tests.engine.index.index_factories import record


def add_rating(db) -> None:
    files = db.open_table(FILES)
    if "rating" not in files.schema.names:  # safe to run twice, as migrations must be
        files.add_columns({"rating": "CAST(0 AS INT)"})


def fill_rating(db) -> None:
    db.open_table(FILES).update(values={"rating": 3})


def test_old_database_is_migrated_in_order_once(tmp_path):
    path = tmp_path / "index.lance"
    v1 = LibraryStore(path, schema_version=1)
    (saved,) = v1.upsert_files([record("door.wav")])
    calls = []
    migrations = [
        Migration(3, "fill ratings", lambda db: (calls.append(3), fill_rating(db))),
        Migration(2, "add a rating column", lambda db: (calls.append(2), add_rating(db))),
    ]

    v3 = LibraryStore(path, schema_version=3, migrations=migrations)
    assert calls == [2, 3]
    assert v3.schema_version == 3
    assert v3.files.to_arrow().select(["id", "rating"]).to_pylist() == [{"id": saved.id, "rating": 3}]
    assert v3.meta.get("migration:2")["description"] == "add a rating column"
    assert v3.get_file(saved.path).path == saved.path  # the store still reads the migrated table

    LibraryStore(path, schema_version=3, migrations=migrations)
    assert calls == [2, 3]  # already at version 3: nothing re-runs


def test_a_migration_interrupted_before_its_version_bump_reruns_safely(tmp_path):
    path = tmp_path / "index.lance"
    LibraryStore(path, schema_version=1).upsert_files([record("a.wav")])
    add_rating(LibraryStore(path, schema_version=1).db)  # applied, then "killed" before the bump
    store = LibraryStore(path, schema_version=2, migrations=[Migration(2, "add rating", add_rating)])
    assert store.schema_version == 2
    assert store.files.schema.field("rating").type == pa.int32()


def test_newer_or_unreachable_versions_are_refused(tmp_path):
    path = tmp_path / "index.lance"
    LibraryStore(path, schema_version=2, migrations=[Migration(2, "add rating", add_rating)])
    with pytest.raises(SchemaVersionError, match="newer than this Earmark understands"):
        LibraryStore(path, schema_version=1)
    with pytest.raises(SchemaVersionError, match="no migration path from schema version 2 to 4"):
        LibraryStore(path, schema_version=4, migrations=[Migration(4, "skip 3", add_rating)])


def test_a_version_1_index_gains_the_keyword_fields(tmp_path):
    """A database as Earmark 0.1 wrote it (one search_text column and its FTS index) is
    migrated in place: every row gets its name/folder/description words, searchable."""
    path = tmp_path / "index.lance"
    db = lancedb.connect(str(path))
    v1_schema = pa.schema([f for f in FILES_SCHEMA if f.name not in ("name_text", "folder_text", "info_text")])
    rows = files_to_arrow([record("Doors/DoorCreak03.wav", id=1), record("x.wav", id=2, metadata_text="Wind gust")])
    files = db.create_table(FILES, rows.select(v1_schema.names).cast(v1_schema))
    files.create_index("search_text", config=FTS(with_position=False))
    Meta(db.create_table(META, schema=META_SCHEMA)).set(VERSION_KEY, 1)

    store = LibraryStore(path)
    assert store.schema_version == SCHEMA_VERSION and store.meta.get("migration:2")
    by_name = {r["path"].rsplit("/", 1)[1]: r for r in store.files.to_arrow().to_pylist()}
    assert (by_name["DoorCreak03.wav"]["name_text"], by_name["DoorCreak03.wav"]["folder_text"]) == (
        "door creak 03",
        "doors",
    )
    assert by_name["x.wav"]["info_text"] == "wind gust"
    phrase_index = {i.columns[0]: i for i in store.files.list_indices() if i.index_type == "FTS"}["search_text"]
    assert phrase_index.index_details["with_position"]  # the old word index gave way to the phrase index
    assert store.files_with_phrase("door creak").tolist() == [1]
    for query in ("door", "doors", "gust"):
        ids, _ = store.full_text(query, None, 10)
        assert len(ids) == 1, query


def test_a_new_tokeniser_rereads_the_stored_names_on_open(tmp_path, monkeypatch):
    store = LibraryStore(tmp_path / "index.lance")
    (saved,) = store.upsert_files([record("gameover.wav")])
    store.files.update(where=f"id = {saved.id}", values={"name_text": "gameover"})  # as an older tokeniser left it
    store.meta.set("text_version", 1)
    reopened = LibraryStore(tmp_path / "index.lance")
    assert reopened.files.to_arrow()["name_text"].to_pylist() == ["game over"]
    for word in ("game", "over"):  # "over" is no stop word here: "game over", "power up" are sounds
        assert reopened.full_text(word, None, 5)[0].tolist() == [saved.id]
    assert reopened.meta.get("text_version") == TEXT_VERSION


def test_a_version_3_index_moves_every_models_rejections_into_one_table(tmp_path):
    """Version 3 kept each model's rejections in its own suggestion table ("rejected" rows), so a
    model change offered them back; version 4 keeps them in one, for every model."""
    path = tmp_path / "index.lance"
    v3 = LibraryStore(path, schema_version=3)
    door, dog = (
        Suggestion(i, TAG, value, 0.6, key, "ucs", "sound")
        for i, value, key in ((1, "DOORS-WOOD", "DOORWood"), (2, "ANIMALS-DOG", "ANMLDog"))
    )
    for model, rows in (
        ("a", [replace(door, state=REJECTED), dog]),
        ("b", [replace(door, state=REJECTED, confidence=0.4)]),
    ):
        v3.db.create_table(
            suggestions_table_name(model), pa.Table.from_pylist([asdict(r) for r in rows], schema=SCHEMA)
        )

    store = LibraryStore(path)
    assert store.schema_version == SCHEMA_VERSION and store.meta.get("migration:4")
    move_rejections_out_of_model_tables(store.db)  # run again (killed before the bump): nothing doubles
    rejections = Rejections(store.db)
    a, b, c = (SuggestionTable(store.db, model, rejections) for model in ("a", "b", "c"))
    assert [(s.key, s.said) for s in c.for_files(None, states=(REJECTED,))[1]] == [("DOORWood", "60%")]  # any model's
    assert [s.key for s in a.for_files([1, 2])[2]] == ["ANMLDog"] and 1 not in a.for_files([1, 2])  # hidden
    a.set_state(a.for_files([1], states=(REJECTED,))[1], SUGGESTED)
    assert [s.key for s in a.for_files([1])[1]] == ["DOORWood"]  # taken back: the model's own row shows at once
