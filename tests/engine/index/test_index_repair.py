"""A real index, really damaged (truncated and overwritten data files, a garbled manifest):
every command says in words which table is damaged and to run `earmark repair`, which
brings back a working index that keeps the tags wherever they could still be read."""

from __future__ import annotations

from dataclasses import asdict

import lancedb
import numpy as np
import pyarrow as pa
import pytest

from engine.index.health import diagnose, valid_vectors
from engine.index.meta import Meta
from engine.index.migrations import VERSION_KEY
from engine.index.repair import repair_index
from engine.index.schema import FOLDERS, META, SCHEMA_VERSION, read_all
from engine.index.store import LibraryStore
from engine.index.suggestions import (
    REJECTED,
    REJECTIONS,
    SCHEMA,
    TAG,
    Suggestion,
    SuggestionTable,
    suggestions_table_name,
)
from tests.engine.index.damage import (
    TAGS,
    data_files,
    garble_newest_manifest,
    index_dir,
    overwrite_middle,
    tagged_index,
    truncate,
    vector_table,
)
from tests.engine.library.helpers import checksums

pytestmark = pytest.mark.slow


def assert_says_damaged(cli, table: str) -> None:
    for command in (["status"], ["search", "hum"], ["index"]):
        code, _, err = cli(*command)
        assert code == 1, (command, err)
        message = err.strip().splitlines()[-1]
        assert message.startswith("earmark: The index is damaged:") and f"(table '{table}')" in message, message
        assert "Run `earmark repair`" in message and "Traceback" not in err, message


def assert_works(cli, files: int) -> LibraryStore:
    code, out, _ = cli("status")
    assert code == 0 and f"files: {files} searchable, 0 failed" in out, out
    code, out, _ = cli("search", "clip")
    assert code == 0 and "clip_" in out
    assert diagnose(index_dir(cli.home)) == []
    store = LibraryStore(index_dir(cli.home))
    assert len({r.path for r in store.find_files()}) == len(store.find_files()) == files
    table = store.embeddings(store.models().popitem()[0])
    rows = read_all(table.table.search().limit(None))
    assert valid_vectors(rows).all() and set(np.unique(rows["file_id"].to_numpy())) == {
        r.id for r in store.find_files()
    }
    return store


def test_a_truncated_data_file_is_named_and_repair_keeps_the_tags(cli, tmp_path, tiny_checkpoint):
    library = tmp_path / "library"
    paths = tagged_index(cli.home, library, tiny_checkpoint)
    before = checksums(library)
    truncate(data_files(cli.home, "files")[-1])  # the caption's write: the newest fragment
    assert_says_damaged(cli, "files")
    code, out, _ = cli("repair")
    assert code == 0, out
    assert (
        "repaired the list of indexed files, with your tags and captions (table 'files'): 10 file records kept" in out
        and "failed to fill whole buffer" in out
    )
    store = assert_works(cli, 10)
    for name in ("clip_01.wav", "clip_02.wav"):
        assert store.get_file(str(paths[name])).tags == TAGS  # written before the damaged fragment: kept
    assert store.get_file(str(paths["clip_03.wav"])).caption == ""  # it was in the truncated file: lost
    code, out, _ = cli("repair")
    assert code == 0 and "the index is healthy: nothing to repair" in out
    assert checksums(library) == before


def test_every_files_data_file_truncated_the_files_on_disk_come_back(cli, tmp_path, tiny_checkpoint):
    tagged_index(cli.home, tmp_path / "library", tiny_checkpoint)
    for path in data_files(cli.home, "files"):
        truncate(path)
    code, out, _ = cli("repair")
    assert code == 0 and "0 file records kept, 10 lost: the next index run finds those files on disk again" in out
    assert "10 added" in out
    assert_works(cli, 10)


def test_overwritten_vectors_and_a_garbled_manifest_are_repaired(cli, tmp_path, tiny_checkpoint):
    paths = tagged_index(cli.home, tmp_path / "library", tiny_checkpoint)
    vectors = vector_table(cli.home)
    for path in data_files(cli.home, vectors):
        overwrite_middle(path)  # reads without an error: only the numbers are wrong
    garble_newest_manifest(cli.home, "meta")
    assert {d.table for d in diagnose(index_dir(cli.home))} == {vectors, "meta"}
    code, _, err = cli("status")
    assert code == 1 and "(table 'meta')" in err and "Run `earmark repair`" in err
    code, out, _ = cli("repair")
    assert code == 0, out
    assert f"(table '{vectors}'): the windows of" in out and "are not unit length" in out
    assert "(table 'meta')" in out and "unreadable version" in out and "moved aside" in out
    assert "what could not be read is kept in" in out and "updated" in out
    store = assert_works(cli, 10)
    assert store.get_file(str(paths["clip_03.wav"])).caption == "a low hum"
    assert store.get_file(str(paths["clip_01.wav"])).tags == TAGS


def test_a_damaged_words_table_is_set_aside_and_the_next_index_run_remakes_it(cli, tmp_path, tiny_checkpoint):
    tagged_index(cli.home, tmp_path / "library", tiny_checkpoint)
    words = next(p.name.removesuffix(".lance") for p in index_dir(cli.home).iterdir() if p.name.startswith("words_"))
    truncate(data_files(cli.home, words)[-1])
    code, _, err = cli("search", "clip")
    assert code == 1 and f"(table '{words}')" in err and "Run `earmark repair`" in err and "Traceback" not in err
    code, out, _ = cli("repair")
    assert code == 0 and "what the names mean" in out, out
    code, out, _ = cli("index")
    assert code == 0, out
    store = assert_works(cli, 10)
    assert store.word_vectors(store.models().popitem()[0]).texts() == store.file_texts()


def test_a_version_lost_with_the_meta_table_is_read_from_the_tables_columns(cli, tmp_path, tiny_checkpoint):
    """An index from before the folders kept their device (version 2) loses its meta table, the
    schema version with it: repair must not call it version 3, or the migration adding the column
    never runs and the next run fails to note a folder's device."""
    library = tmp_path / "library"
    tagged_index(cli.home, library, tiny_checkpoint)
    db = lancedb.connect(str(index_dir(cli.home)))
    folders = read_all(db.open_table(FOLDERS).search())
    db.drop_table(FOLDERS)
    db.create_table(FOLDERS, folders.drop_columns(["device"]))  # as version 2 kept them
    for data in data_files(cli.home, META):  # the meta table unreadable, its version with it
        truncate(data)
    assert repair_index(index_dir(cli.home)).repaired
    assert Meta(lancedb.connect(str(index_dir(cli.home))).open_table(META)).get(VERSION_KEY) == 2
    store = LibraryStore(index_dir(cli.home))  # opening migrates it
    assert store.schema_version == SCHEMA_VERSION and "device" in store.folders_table.schema.names
    code, out, err = cli("index")
    assert code == 0, out + err
    assert [f.device for f in LibraryStore(index_dir(cli.home)).folders()] == [library.stat().st_dev]


def test_a_damaged_rejections_table_is_repaired_keeping_the_rejections_it_still_holds(cli, tmp_path, tiny_checkpoint):
    """The user's rejections cannot be recomputed: like their tags, repair keeps every one it can read."""
    paths = tagged_index(cli.home, tmp_path / "library", tiny_checkpoint)
    store = LibraryStore(index_dir(cli.home))
    table = SuggestionTable(store.db, store.models().popitem()[0])
    clip_1, clip_2 = (store.get_file(str(paths[name])).id for name in ("clip_01.wav", "clip_02.wav"))
    for file_id in (clip_1, clip_2):  # two writes: the second one's data file is damaged
        table.set_state([Suggestion(file_id, TAG, "DOORS-WOOD", 0.8, "DOORWood", "ucs", "sound")], REJECTED)
    truncate(data_files(cli.home, REJECTIONS)[-1])
    assert {d.table for d in diagnose(index_dir(cli.home))} == {REJECTIONS}
    code, out, _ = cli("repair")
    assert code == 0 and f"(table '{REJECTIONS}'): 1 rejected suggestion kept" in out, out
    assert_works(cli, 10)
    store = LibraryStore(index_dir(cli.home))
    rejected = SuggestionTable(store.db, "another model").for_files(None, states=(REJECTED,))
    assert {i: [s.key for s in items] for i, items in rejected.items()} == {clip_1: ["DOORWood"]}


def test_a_version_3_index_losing_its_meta_table_still_moves_its_rejections(cli, tmp_path, tiny_checkpoint):
    """Version 3 kept rejections in each model's suggestion table: repair must not call an index
    that still does version 4, or they are never moved and a model change offers them back."""
    paths = tagged_index(cli.home, tmp_path / "library", tiny_checkpoint)
    db = lancedb.connect(str(index_dir(cli.home)))
    clip = LibraryStore(index_dir(cli.home)).get_file(str(paths["clip_01.wav"])).id
    rejected = Suggestion(clip, TAG, "DOORS-WOOD", 0.8, "DOORWood", "ucs", "sound", state=REJECTED)
    db.create_table(suggestions_table_name("a"), pa.Table.from_pylist([asdict(rejected)], schema=SCHEMA))
    for data in data_files(cli.home, META):
        truncate(data)
    assert repair_index(index_dir(cli.home)).repaired
    assert Meta(lancedb.connect(str(index_dir(cli.home))).open_table(META)).get(VERSION_KEY) == 3
    store = LibraryStore(index_dir(cli.home))  # opening migrates it
    assert store.schema_version == SCHEMA_VERSION
    assert [s.key for s in SuggestionTable(store.db, "b").for_files([clip], states=(REJECTED,))[clip]] == ["DOORWood"]
