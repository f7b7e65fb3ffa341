"""LibraryStore against a real LanceDB in a temp folder."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import numpy as np
import pytest

from engine.index import ERROR, OFFLINE, OK, AnnPolicy, FileRecord, LibraryStore, Windows
from engine.index.schema import FILES, FOLDERS, META, SCHEMA_VERSION, embeddings_table_name
from engine.models.base import LikenessSpace, l2_normalise
from tests.engine.index.index_factories import LIB, model_info, record, windows

MODEL = model_info()


def window_rows(store: LibraryStore, file_id: int, model=MODEL) -> list[tuple[float, float]]:
    table = store.embeddings(model).table
    rows = table.search().where(f"file_id = {file_id}").limit(None).to_arrow()
    return sorted(zip(rows["start_s"].to_pylist(), rows["end_s"].to_pylist(), strict=False))


def test_fresh_database_has_tables_indices_and_version(store, tmp_path):
    assert store.schema_version == SCHEMA_VERSION
    assert {FILES, FOLDERS, META} <= set(store.db.list_tables().tables)
    indexed = {i.columns[0]: i.index_type for i in store.files.list_indices()}
    assert indexed == {
        "name_text": "FTS",
        "folder_text": "FTS",
        "info_text": "FTS",
        "search_text": "FTS",
        "id": "BTree",
        "path": "BTree",
        "content_hash": "BTree",
        "status": "Bitmap",
        "folder": "Bitmap",
    }
    store.upsert_files([record("a.wav")])
    store.files.drop_index("path_idx")  # as if made by a version without it
    reopened = LibraryStore(tmp_path / "index.lance")
    assert "path" in {i.columns[0] for i in reopened.files.list_indices()}
    assert reopened.get_file(f"{LIB}/a.wav") is not None
    assert [f.path for f in reopened.folders()] == [LIB]


def test_upsert_assigns_ids_and_updates_by_path(store):
    (first,) = store.upsert_files([record("door.wav", size=10)])
    assert isinstance(first.id, int)
    (again,) = store.upsert_files([record("door.wav", size=20, metadata_text="creaky")])
    assert again.id == first.id
    assert store.count_files() == 1
    stored = store.get_file(f"{LIB}/door.wav")
    assert (stored.size, stored.metadata_text, stored.status) == (20, "creaky", OK)
    assert store.get_files([first.id])[first.id].path == f"{LIB}/door.wav"
    with pytest.raises(ValueError, match="same path twice"):
        store.upsert_files([record("x.wav"), record("x.wav")])


def test_non_utf8_file_names_round_trip(store):
    path = os.fsdecode(f"{LIB}/caf".encode() + b"\xe9 door.wav")  # Latin-1 byte: a lone surrogate in str
    (saved,) = store.upsert_files([FileRecord(path=path, folder=LIB, content_hash="h")])
    assert store.get_file(path).path == path
    assert store.get_files([saved.id])[saved.id].path == path
    assert store.folder_files(LIB)[0].path == path


def test_a_renamed_file_is_relinked_keeping_its_id_and_vectors(store):
    (saved,) = store.commit_embedded(MODEL, [(record("old name.wav", content_hash="abc"), windows(3))])
    before = window_rows(store, saved.id)
    moved = store.move_file(saved.id, f"{LIB}/sub/new name.wav")
    assert moved.id == saved.id
    assert store.get_file(f"{LIB}/old name.wav") is None
    assert store.get_file(f"{LIB}/sub/new name.wav").content_hash == "abc"
    assert window_rows(store, saved.id) == before
    assert store.full_text("new", None, 10)[0].tolist() == [saved.id]  # the name words followed the move
    assert store.full_text("old", None, 10)[0].tolist() == []


def test_rewriting_windows_replaces_them_without_duplicates(store):
    for round_, n in enumerate([3, 5, 2, 2]):
        (saved,) = store.commit_embedded(MODEL, [(record("amb.wav"), windows(n, seed=round_, start=10 * round_))])
    assert window_rows(store, saved.id) == [(30.0, 31.0), (31.0, 32.0)]
    assert store.embeddings(MODEL).count() == 2
    assert store.count_files() == 1


def test_windows_written_from_stored_ones_are_the_same_bits(store):
    """A copy of a sound takes the stored vectors of the file it copies (engine/library/copies.py):
    writing them again must not move a bit (dividing a unit vector by its norm again did)."""
    [original] = store.commit_embedded(MODEL, [(record("a.wav"), windows(200, seed=5))])
    stored = store.embeddings(MODEL).windows(original.id)
    [copy] = store.commit_embedded(MODEL, [(record("copy/a.wav"), stored)])
    np.testing.assert_array_equal(store.embeddings(MODEL).windows(copy.id).vectors, stored.vectors)


def test_the_windows_of_many_files_come_in_one_read_each_in_time_order(store):
    written = windows(4, seed=3)
    order = [2, 0, 3, 1]  # stored out of time order
    shuffled = Windows(written.starts[order], written.ends[order], written.vectors[order])
    long, short, silent = store.commit_embedded(
        MODEL,
        [(record("long.wav"), shuffled), (record("short.wav"), windows(1, seed=4)), (record("x.wav"), windows(0))],
    )
    found = store.embeddings(MODEL).windows_of([short.id, silent.id, long.id, 999])
    assert list(found) == [short.id, silent.id, long.id, 999]
    assert found[long.id].starts.tolist() == [0.0, 1.0, 2.0, 3.0] and found[long.id].ends.tolist() == [1, 2, 3, 4]
    assert np.allclose(found[long.id].vectors, l2_normalise(written.vectors), atol=1e-6)  # each with its own start
    assert np.allclose(found[short.id].vectors, l2_normalise(windows(1, seed=4).vectors), atol=1e-6)
    assert [len(found[i]) for i in (silent.id, 999)] == [0, 0]
    assert all(item.vectors.shape == (len(item), MODEL.embedding_dim) for item in found.values())
    assert store.embeddings(MODEL).windows_of([]) == {}


def test_commit_rejects_vectors_of_the_wrong_size(store):
    with pytest.raises(ValueError, match="4-d vectors for the 8-d model"):
        store.commit_embedded(MODEL, [(record("a.wav"), windows(2, dim=4))])
    with pytest.raises(ValueError, match="NaN"):
        Windows([0.0], [1.0], np.full((1, 8), np.nan))
    with pytest.raises(ValueError, match="same windows"):
        Windows([0.0, 1.0], [1.0], np.zeros((2, 8)))
    assert store.count_files() == 0  # nothing half-written


def test_delete_removes_rows_and_vectors_of_every_model(store):
    other = model_info("other-model", dim=3)
    a, b = store.commit_embedded(MODEL, [(record("a.wav"), windows(2)), (record("b.wav"), windows(1))])
    store.commit_embedded(other, [(record("a.wav"), windows(2, dim=3))])
    store.delete_files([a.id])
    assert store.get_file(a.path) is None
    assert window_rows(store, a.id) == [] and window_rows(store, a.id, other) == []
    assert window_rows(store, b.id) == [(0.0, 1.0)]


def test_error_records_are_listed_and_lose_stale_vectors(store):
    (saved,) = store.commit_embedded(MODEL, [(record("bad.wav"), windows(2))])
    store.upsert_files([record("bad.wav", status=ERROR, error="truncated WAV: data chunk ends early")])
    [failed] = store.failed_files()
    assert (failed.id, failed.error) == (saved.id, "truncated WAV: data chunk ends early")
    assert window_rows(store, saved.id) == []


def test_files_indexed_with_a_warning_are_listed_while_searchable_and_until_embedded_again(store):
    """A warning is kept in ``error`` beside a searchable status (the committer writes it after
    commit_embedded); a failed file's error is no warning, and an unplugged drive's warned file is
    still one."""
    cut = "cut short: 100 bytes (1.1 ms) of the audio its header promises are missing; what is there was indexed"
    store.add_folder("/mnt/drive")
    cut_rec, _, far = store.commit_embedded(
        MODEL,
        [
            (record("cut.wav"), windows(1)),
            (record("fine.wav"), windows(1)),
            (record("far.wav", folder="/mnt/drive"), windows(1)),
        ],
    )
    store.upsert_files([replace(cut_rec, error=cut), replace(far, error="3 samples are not numbers")])
    store.upsert_files([record("bad.wav", status=ERROR, error="not an audio file")])
    store.set_folder_online("/mnt/drive", False)
    warned = {r.path: (r.status, r.warning) for r in store.warned_files()}
    assert warned == {cut_rec.path: (OK, cut), far.path: (OFFLINE, "3 samples are not numbers")}
    store.commit_embedded(MODEL, [(record("cut.wav", size=2000), windows(2))])  # mended, read whole
    assert [r.path for r in store.warned_files()] == [far.path]


def test_offline_folder_keeps_everything_and_comes_back(store):
    store.add_folder("/mnt/drive")
    saved = store.commit_embedded(
        MODEL, [(record("a.wav", folder="/mnt/drive"), windows(2)), (record("b.wav", folder="/mnt/drive"), windows(1))]
    )
    store.upsert_files([record("c.wav", folder="/mnt/drive", status=ERROR, error="unreadable")])
    store.commit_embedded(MODEL, [(record("x.wav"), windows(1))])
    store.set_folder_online("/mnt/drive", False)
    assert store.counts_by_folder() == {"/mnt/drive": {OFFLINE: 2, ERROR: 1}, LIB: {OK: 1}}
    assert {f.path: f.online for f in store.folders()} == {LIB: True, "/mnt/drive": False}
    assert store.embeddings(MODEL).count() == 4  # vectors kept
    store.set_folder_online("/mnt/drive", True)
    assert store.counts_by_folder()["/mnt/drive"] == {OK: 2, ERROR: 1}
    assert [window_rows(store, r.id) for r in saved] == [[(0.0, 1.0), (1.0, 2.0)], [(0.0, 1.0)]]


def test_remove_folder_deletes_only_that_folder(store):
    store.add_folder("/other")
    (gone,) = store.commit_embedded(MODEL, [(record("a.wav", folder="/other"), windows(2))])
    (kept,) = store.commit_embedded(MODEL, [(record("a.wav"), windows(1))])
    assert store.remove_folder("/other") == 1
    assert [f.path for f in store.folders()] == [LIB]
    assert store.get_files([gone.id, kept.id]).keys() == {kept.id}
    assert window_rows(store, gone.id) == []


def test_file_states_read_where_the_files_are_by_id(store):
    a, b, _ = store.upsert_files([record("a.wav"), record("Doors/b.wav"), record("c.wav")])
    states = store.file_states([b.id, a.id, 10_000])
    expected = {(a.id, f"{LIB}/a.wav", LIB), (b.id, f"{LIB}/Doors/b.wav", LIB)}
    assert len(states) == 2 and {(s.id, s.path, s.folder) for s in states} == expected
    assert store.file_states([]) == []


def test_folder_files_lists_scan_state_of_one_folder(store):
    store.add_folder("/other")
    (saved,) = store.upsert_files([record("a.wav", size=12, mtime=3.5, content_hash="h1")])
    store.upsert_files([record("b.wav", folder="/other")])
    [state] = store.folder_files(LIB)
    assert (state.id, state.path, state.size, state.mtime, state.content_hash, state.status) == (
        saved.id,
        f"{LIB}/a.wav",
        12,
        3.5,
        "h1",
        OK,
    )


def test_tags_and_caption_are_stored_and_searchable(store):
    a, b = store.upsert_files([record("one.wav"), record("two.wav")])
    store.set_tags([a.id, b.id], ["Foley", " foley ", "", "Foley", "door"])
    store.set_caption(b.id, "a dog barks twice in the distance")
    assert store.get_files([a.id])[a.id].tags == ["Foley", "foley", "door"]
    assert store.full_text("door", None, 10)[0].tolist() in ([a.id, b.id], [b.id, a.id])
    assert store.full_text("barks distance", None, 10)[0].tolist() == [b.id]
    with pytest.raises(KeyError):
        store.set_caption(12345, "nothing")


def test_each_file_gets_its_own_tags_in_one_write(store):
    """An accept of "best of each" gives almost every file a tag set of its own: one write for
    them all (a write per set took 23 s of a 400-file accept), each file its own list, cleaned."""
    files = store.upsert_files([record(f"take_{i}.wav") for i in range(5)])
    before = store.files.version
    store.set_tags_of({f.id: [f"DOORWood {i}", " ", f"take {i}", f"take {i}"] for i, f in enumerate(files)})
    assert store.files.version == before + 1
    found = store.get_files([f.id for f in files])
    assert [found[f.id].tags for f in files] == [[f"DOORWood {i}", f"take {i}"] for i in range(5)]
    store.set_tags_of({})  # nothing to write: no write
    assert store.files.version == before + 1


def test_recover_drops_orphan_and_error_vectors(store):
    (ok,) = store.commit_embedded(MODEL, [(record("ok.wav"), windows(2))])
    store.embeddings(MODEL).replace({999: windows(3)})  # vectors written, killed before the record
    (bad,) = store.commit_embedded(MODEL, [(record("bad.wav"), windows(2))])
    store.files.update(where=f"id = {bad.id}", values={"status": ERROR})  # killed before its vectors went
    assert store.recover() == 2
    assert store.embeddings(MODEL).file_ids().tolist() == [ok.id]


def test_files_missing_embeddings_for_a_new_model(store):
    a, b = store.commit_embedded(MODEL, [(record("a.wav"), windows(1)), (record("b.wav"), windows(1))])
    new_model = model_info("new-model", dim=4)
    store.commit_embedded(new_model, [(store.get_file(a.path), windows(1, dim=4))])
    assert store.files_missing_embeddings(new_model) == [b.id]
    assert store.models() == {MODEL.name: 8, new_model.name: 4}


def test_a_model_with_a_likeness_space_stores_its_windows_there_too_and_misses_files_without(store):
    space = LikenessSpace("like-v1", unrelated=0.5)
    liked, other = model_info("liked", dim=4, likeness=space), model_info("also-liked", dim=6, likeness=space)
    a, b = store.commit_embedded(MODEL, [(record("a.wav"), windows(2)), (record("b.wav"), windows(1))])
    assert store.likeness(liked) is None and store.files_missing_embeddings(liked) == sorted([a.id, b.id])
    store.commit_embedded(liked, [(store.get_file(a.path), windows(2, dim=4, likeness_dim=3))])
    table = store.likeness(liked)
    assert table.dim == 3 and window_rows(store, a.id, space.name) == [(0.0, 1.0), (1.0, 2.0)]
    assert store.files_missing_embeddings(liked) == [b.id]
    # b's windows for this model without likeness vectors (written by an older version) still miss
    store.replace_windows(liked, {b.id: windows(1, dim=4)})
    assert store.files_missing_embeddings(liked) == [b.id] and window_rows(store, b.id, space.name) == []
    # another model of the same space shares the table: a's likeness counts for it
    store.commit_embedded(other, [(store.get_file(a.path), windows(1, dim=6, likeness_dim=3))])
    assert store.files_missing_embeddings(other) == [b.id] and window_rows(store, a.id, space.name) == [(0.0, 1.0)]
    with pytest.raises(ValueError, match="sizes"):
        store.replace_windows(liked, {a.id: windows(1, dim=4, likeness_dim=3), b.id: windows(1, dim=4, likeness_dim=5)})
    store.delete_files([a.id])
    assert window_rows(store, a.id, space.name) == []


def test_a_tables_file_ids_are_read_again_after_every_write(store):
    table = store.embeddings(MODEL)
    a, b = store.commit_embedded(MODEL, [(record("a.wav"), windows(2)), (record("b.wav"), windows(1))])
    assert table.file_ids().tolist() == sorted([a.id, b.id]) and not table.file_ids().flags.writeable
    (c,) = store.commit_embedded(MODEL, [(record("c.wav"), windows(1))])
    assert table.file_ids().tolist() == sorted([a.id, b.id, c.id])
    store.delete_files([a.id])
    assert table.file_ids().tolist() == sorted([b.id, c.id])
    assert LibraryStore(store.db.uri).embeddings(MODEL.name).file_ids().tolist() == sorted([b.id, c.id])


def test_nearest_windows_stay_right_as_rows_move_here_and_in_another_process(store):
    """A search reads LanceDB's row ids and looks the windows up in a row index it keeps per table
    version: each write, a compaction (which moves every row) and another process's writes must
    all still give the right file and window."""
    table = store.embeddings(MODEL)

    def nearest(vector) -> list[tuple[int, float, float]]:
        found = table.nearest(vector, 1)
        return list(zip(found.file_ids.tolist(), found.starts.tolist(), found.ends.tolist(), strict=True))

    a, b = store.commit_embedded(MODEL, [(record("a.wav"), windows(3, seed=1)), (record("b.wav"), windows(2, seed=2))])
    assert nearest(windows(3, seed=1).vectors[2]) == [(a.id, 2.0, 3.0)]
    assert nearest(windows(2, seed=2).vectors[1]) == [(b.id, 1.0, 2.0)]
    store.replace_windows(MODEL, {b.id: windows(2, seed=3, start=10.0)})  # b's rows are new rows
    assert nearest(windows(2, seed=3, start=10.0).vectors[0]) == [(b.id, 10.0, 11.0)]
    store.optimize()  # compaction rewrites every row
    assert nearest(windows(3, seed=1).vectors[0]) == [(a.id, 0.0, 1.0)]
    other = LibraryStore(store.db.uri)  # the CLI indexing while the app searches
    (c,) = other.commit_embedded(MODEL, [(record("c.wav"), windows(1, seed=4, start=5.0))])
    other.replace_windows(MODEL, {a.id: windows(3, seed=5, start=20.0)})
    other.optimize()
    time.sleep(1.1)  # the store sees another process's writes within a second
    assert nearest(windows(1, seed=4).vectors[0]) == [(c.id, 5.0, 6.0)]
    assert nearest(windows(3, seed=5).vectors[1]) == [(a.id, 21.0, 22.0)]
    assert nearest(windows(3, seed=1).vectors[2]) != [(a.id, 2.0, 3.0)]  # a's old windows are gone


def test_keyword_and_phrase_hits_name_the_right_files_as_rows_move(store):
    """BM25 and phrase lookups also return row ids, looked up in the files' ids per version."""
    door, rain = store.upsert_files([record("door_creak.wav"), record("rain.wav")])
    assert store.full_text("door", None, 10)[0].tolist() == [door.id]
    store.upsert_files([record("door_creak.wav", size=5)])  # the same file, rewritten as a new row
    store.optimize()
    assert store.full_text("door", None, 10)[0].tolist() == [door.id]
    other = LibraryStore(store.db.uri)
    (gate,) = other.upsert_files([record("gate_creak.wav")])
    time.sleep(1.1)  # another process's rows show within a second
    assert sorted(store.files_with_phrase("creak").tolist()) == sorted([door.id, gate.id])
    assert store.full_text("rain creak", None, 10)[0].tolist()[0] == rain.id  # the rarer word first


def test_model_table_names_are_safe_and_distinct(store):
    assert embeddings_table_name("tiny") == "emb_tiny"
    odd = embeddings_table_name("clap:laion/larger_clap_general")
    assert odd.startswith("emb_clap_laion_larger_clap_general_") and odd != embeddings_table_name("clap_laion/x")
    store.embeddings(model_info("clap:laion/x", dim=4))
    with pytest.raises(ValueError, match="has 5-d vectors"):
        LibraryStore(store.db.uri).embeddings(model_info("clap:laion/x", dim=5))


def test_optimize_builds_vector_index_and_new_rows_are_still_found(tmp_path):
    store = LibraryStore(tmp_path / "db", ann_policy=AnnPolicy(min_rows=300, rows_per_partition=50))
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((400, 8)).astype(np.float32)
    items = [(record(f"f{i}.wav"), Windows([0.0], [1.0], vectors[i : i + 1])) for i in range(400)]
    saved = store.commit_embedded(MODEL, items)
    table = store.embeddings(MODEL)
    assert not table.has_vector_index
    store.optimize()
    assert any(i.index_type == "IvfFlat" for i in table.table.list_indices())
    (late,) = store.commit_embedded(MODEL, [(record("late.wav"), windows(1, seed=7))])  # after the index
    for query, expected in [(vectors[17], saved[17].id), (windows(1, seed=7).vectors[0], late.id)]:
        assert table.nearest(query, 1).file_ids.tolist() == [expected]


def test_a_sound_library_abbreviation_is_found_by_its_word(store):
    blast, ambience, plain = store.upsert_files(
        [record("EXPL_Big_03.wav"), record("AMB/forest_dawn.wav"), record("explosion_small.wav")]
    )
    assert set(store.full_text("explosion", None, 10)[0].tolist()) == {blast.id, plain.id}
    assert store.full_text("ambience", None, 10)[0].tolist() == [ambience.id]  # by its folder
    assert store.files_with_phrase("explosion big").tolist() == [blast.id]  # read where the abbreviation stands


def test_a_sound_word_is_found_by_the_word_it_stands_for(store):
    bubbles, car, plain = store.upsert_files(
        [record("toon/blubPop.wav"), record("wroum.wav"), record("bubbles_01.wav")]
    )
    assert set(store.full_text("bubbles", None, 10)[0].tolist()) == {bubbles.id, plain.id}
    assert store.full_text("engine", None, 10)[0].tolist() == [car.id]


def test_automatic_optimize_after_many_writes(tmp_path):
    store = LibraryStore(tmp_path / "db", optimize_every=5)
    for i in range(5):
        store.upsert_files([record(f"f{i}.wav")])
    fts = next(i for i in store.files.list_indices() if i.index_type == "FTS")
    assert (fts.num_indexed_rows, fts.num_unindexed_rows) == (5, 0)


def test_a_query_compound_also_finds_files_named_by_its_head(store):
    from engine.search import Searcher

    hit, steps, named = store.upsert_files(
        [record("metal.wav"), record("step_metal_01.wav"), record("footsteps_gravel.wav")]
    )
    assert set(store.full_text("metal footsteps", None, 10)[0].tolist()) == {hit.id, steps.id, named.id}
    # both sounds of the query first, where "metal" alone held only "metal" and "footsteps_gravel",
    # which the index holds with its head ("footsteps steps"), only one of them twice over
    assert Searcher(store, None).search("metal footsteps")[0].id == steps.id


def test_copies_are_known_by_content_and_a_write_is_seen_at_once(store):
    a, b, c = store.upsert_files(
        [record("a.wav", content_hash="x"), record("b.wav", content_hash="y"), record("c.wav", content_hash="")]
    )
    assert store.copied_contents() == frozenset() and store.paths_by_content(["x", "y", ""]) == {}
    store.upsert_files([record("copies/a.wav", content_hash="x"), record("d.wav", content_hash="")])
    assert store.copied_contents() == {"x"}  # files whose bytes could not be read are no one's copies
    assert store.paths_by_content(["x", "y"]) == {"x": [a.path, f"{LIB}/copies/a.wav"]}
    store.delete_files([a.id])
    assert store.copied_contents() == frozenset()


def test_the_library_holds_a_description_once_a_searchable_file_says_something_of_itself(store):
    """What the results' Description column is shown by: a UCS name's category words (and its user
    and vendor categories) are the name's, not a description, and a failed file is no result."""
    assert not store.holds_descriptions()
    store.upsert_files(
        [
            record("plain.wav"),
            record("DOORWood_Creak Heavy_JD_ACME.wav", metadata_text="DOORS\nWOOD"),
            record("DOORWood-Barn_ACME-Creak_JD_ACME.wav", metadata_text="DOORS\nWOOD\nBarn\nACME"),
            record("broken.wav", metadata_text="Harbour ambience at night", status=ERROR),
        ]
    )
    assert not store.holds_descriptions()
    [harbour] = store.upsert_files([record("harbour.wav", metadata_text="Harbour ambience at night")])
    assert store.holds_descriptions()  # a write is seen at once
    store.set_folder_online(LIB, False)
    assert store.holds_descriptions()  # an unplugged drive's sounds are still listed
    store.delete_files([harbour.id])
    assert not store.holds_descriptions()


def test_embedded_records_are_found_by_content_in_chunks_and_only_if_held(store, monkeypatch):
    from engine.index import store as store_module

    monkeypatch.setattr(store_module, "IN_LIST_CHUNK", 2)
    info = model_info()
    store.commit_embedded(info, [(record(f"{k}.wav", content_hash=f"c{k}"), windows(1)) for k in range(5)])
    store.upsert_files([record("failed.wav", content_hash="c9", status=ERROR)])
    found = store.embedded_with_content([f"c{k}" for k in range(10)] + ["", "nowhere"])
    assert sorted(r.content_hash for r in found) == ["c0", "c1", "c2", "c3", "c4"]  # not the failed one
    assert store.embedded_with_content(["nowhere"]) == [] and store.embedded_with_content([]) == []


def test_a_word_behind_a_short_prefix_is_found_and_the_name_typed_finds_its_file_first(store):
    plain, hidden, _ = store.upsert_files([record("alarm.wav"), record("ralarm.wav"), record("rtank.wav")])
    assert set(store.full_text("alarm", None, 10)[0].tolist()) == {plain.id, hidden.id}
    assert store.full_text("ralarm", None, 10)[0].tolist()[0] == hidden.id  # the name as written is held too


def test_a_word_the_stemmer_folds_into_another_does_not_find_it(store):
    """Snowball reads "engine" and "engineer" as one stem: a search for engines listed a strategy
    game's engineer voice lines first, by their names and their folder."""
    engine, truck, engineer, engineer_idle, engine_room = store.upsert_files(
        [
            record("engine_loop.wav"),
            record("VEHTruck_Wroum Engines Idle.wav"),
            record("units/engineer/engineer_select.wav"),
            record("units/engineer/engineer_idle.wav"),
            record("units/engineer/engine_room.wav"),  # holds both: the engine is found
        ]
    )
    assert set(store.full_text("engine", None, 10)[0].tolist()) == {engine.id, truck.id, engine_room.id}
    ids, scores = store.full_text("engine idle", None, 10)
    assert set(ids.tolist()) == {engine.id, truck.id, engine_room.id, engineer_idle.id}
    assert list(scores) == sorted(scores, reverse=True)
    idle = dict(zip(*(part.tolist() for part in store.full_text("idle", None, 10)), strict=True))
    assert scores[ids.tolist().index(engineer_idle.id)] == pytest.approx(idle[engineer_idle.id])  # by "idle" alone
    assert set(store.full_text("engineering", None, 10)[0].tolist()) == {engineer.id, engineer_idle.id, engine_room.id}
    assert len(store.full_text("engine engineer", None, 10)[0]) == 5  # a query asking for both finds both
    where = f"id NOT IN ({engine.id}, {engine_room.id})"
    assert store.full_text("engine", where, 10)[0].tolist() == [truck.id]  # a filter still holds
