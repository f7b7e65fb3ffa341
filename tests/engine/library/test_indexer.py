"""The indexer against a real LanceDB store and real files: incremental runs, moves,
deletions, offline folders, stopping and resuming."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

import mutagen
import numpy as np
import pytest

from engine.audio.metadata import METADATA_VERSION
from engine.index.records import ERROR, OFFLINE, OK
from engine.index.store import LibraryStore
from engine.library.indexer import METADATA_VERSION_KEY, Indexer, IndexerOptions
from engine.library.report import IndexProgress
from engine.models.registry import load_model
from tests.engine.library.helpers import CountingModel, assert_same_index, snapshot
from tests.factories import bridged_checkpoint, noise, tone, write_audio


def make_files(folder, n=4, seconds=1.0):
    return [write_audio(folder / f"sound{i}.wav", tone(220 * (i + 1), seconds + 0.3 * i)) for i in range(n)]


def record(store, path):
    return store.get_file(str(path))


def test_first_run_embeds_every_file_in_windows(library, store, indexer, model):
    files = make_files(library)
    write_audio(library / "sub" / "rain.flac", noise(3.0), format="FLAC")
    events = []
    report = indexer.index(progress=events.append)
    assert (report.scanned, report.added, report.embedded, report.errors) == (5, 5, 5, [])
    assert {e.phase for e in events} >= {"scanning", "hashing", "embedding"}
    assert events[-1] == IndexProgress("embedding", 5, 5, events[-1].path, 0, frozenset({str(library)}))
    table = store.embeddings(model.info)
    rain = record(store, library / "sub" / "rain.flac")
    assert rain.status == OK and rain.format == "flac" and rain.duration_s == 3.0 and rain.folder == str(library)
    windows = table.windows(rain.id)
    window = model.info.window_seconds
    assert np.allclose(windows.starts[:-1], np.arange(len(windows) - 1) * window / 2)  # a hop of half a window
    assert np.allclose(windows.ends - windows.starts, window) and windows.ends[-1] == 3.0  # the last ends the file
    np.testing.assert_allclose(np.linalg.norm(windows.vectors, axis=1), 1, atol=1e-5)
    assert len(table.file_ids()) == 5 and record(store, files[0]).content_hash


def test_another_library_folder_linked_in_is_indexed_once_as_itself(library, store, indexer, tmp_path):
    other = tmp_path / "other"
    make_files(other, 2)
    store.add_folder(str(other))
    make_files(library, 1)
    os.symlink(other, library / "linked")  # the user's shortcut to the other library folder
    report = indexer.index()
    assert report.added == 3
    assert sorted(os.path.relpath(r.path, tmp_path) for r in store.find_files()) == [
        os.path.join("library", "sound0.wav"),
        os.path.join("other", "sound0.wav"),
        os.path.join("other", "sound1.wav"),
    ]


def indexed_paths(store) -> list[str]:
    """Every row's path, a path with two rows listed twice."""
    return sorted(r.path for r in store.find_files())


@pytest.mark.parametrize("link_name", ["a drums link", "z drums link"])  # walked before, or after, the folder
def test_a_link_to_a_folder_of_the_same_library_folder_indexes_its_files_once_under_their_real_path(
    library, store, indexer, link_name
):
    """Review: the full run reached the folder by whichever way it walked first, the link or the
    folder itself, and the watcher's rescan of one of them by the other: a row under each path."""
    (hat,) = make_files(library / "kit", 1)
    drums = library / "kit" / "drums"
    kick, snare = make_files(drums, 2)
    link = library / "kit" / link_name
    os.symlink(drums, link)
    want = sorted(str(path) for path in (hat, kick, snare))
    assert indexer.index().added == 3 and indexed_paths(store) == want
    for rescanned in ([drums], [link], [link, drums], [drums, link], [link / kick.name], [library / "kit"]):
        report = indexer.index([str(path) for path in rescanned])
        assert (report.added, report.removed, indexed_paths(store)) == (0, 0, want), rescanned
    assert indexer.index().added == 0 and indexed_paths(store) == want


@pytest.mark.parametrize("link_name", ["a to B", "z to B"])
def test_a_link_into_a_folder_of_another_library_folder_indexes_its_files_there_once(
    library, store, indexer, tmp_path, link_name
):
    """Only the other library folder itself was kept out: a link to a folder inside it was
    walked, and its files indexed under both library folders."""
    other = tmp_path / "other"
    store.add_folder(str(other))
    (mine,) = make_files(library, 1)
    kick, snare = make_files(other / "kit", 2)
    link = library / link_name
    os.symlink(other / "kit", link)
    want = sorted(str(path) for path in (mine, kick, snare))
    assert indexer.index().added == 3 and indexed_paths(store) == want
    for rescanned in ([link], [other / "kit"], [link, other / "kit"], [link / snare.name], [library]):
        report = indexer.index([str(path) for path in rescanned])
        assert (report.added, report.removed, indexed_paths(store)) == (0, 0, want), rescanned
    assert {r.path: r.folder for r in store.find_files()}[str(kick)] == str(other)


def test_a_change_in_a_hidden_folder_is_none_of_the_librarys(library, store, indexer):
    (kept,) = make_files(library, 1)
    indexer.index()
    trashed = library / ".Trash-1000" / "files" / kept.name
    trashed.parent.mkdir(parents=True)
    kept.rename(trashed)  # deleted in a file manager, on a drive mounted as the library folder
    report = indexer.index([str(kept), str(trashed)])  # what the watcher hands over: a move
    assert report.removed == 1 and store.find_files() == []


def test_second_run_touches_nothing(library, store, indexer, model):
    make_files(library)
    indexer.index()
    before, clips = snapshot(store, model.info.name), model.clips
    report = indexer.index()
    assert (report.unchanged, report.added, report.updated, report.embedded) == (4, 0, 0, 0)
    assert model.clips == clips
    assert_same_index(snapshot(store, model.info.name), before)


def test_touched_file_is_rehashed_not_reembedded(library, store, indexer, model):
    path = make_files(library, 1)[0]
    indexer.index()
    clips = model.clips
    os.utime(path, (1_000_000_000, 1_000_000_000))
    report = indexer.index()
    assert report.touched == 1 and model.clips == clips
    assert record(store, path).mtime == 1_000_000_000


def test_changed_content_is_reembedded_and_keeps_tags(library, store, indexer, model):
    path = make_files(library, 1)[0]
    indexer.index()
    old = record(store, path)
    store.set_tags([old.id], ["keeper"])
    old_vectors = store.embeddings(model.info).windows(old.id).vectors
    write_audio(path, noise(2.0, seed=5))
    report = indexer.index()
    new = record(store, path)
    assert report.updated == 1 and new.id == old.id and new.content_hash != old.content_hash
    assert new.tags == ["keeper"] and new.duration_s == 2.0
    new_windows = store.embeddings(model.info).windows(new.id)
    assert len(new_windows) != len(old_vectors) or not np.allclose(new_windows.vectors, old_vectors)
    assert store.embeddings(model.info).count() == len(new_windows)


def test_moved_and_renamed_files_are_relinked_not_reembedded(library, store, indexer, model, tmp_path):
    files = make_files(library, 3)
    other = tmp_path / "second-library"
    other.mkdir()
    store.add_folder(str(other))
    indexer.index()
    ids = {p.name: record(store, p).id for p in files}
    store.set_tags([ids["sound0.wav"]], ["door"])
    rows, clips = store.embeddings(model.info).count(), model.clips
    os.makedirs(library / "moved")
    os.rename(files[0], library / "moved" / "renamed.wav")
    os.rename(files[1], other / "elsewhere.wav")
    report = indexer.index()
    assert (report.moved, report.added, report.removed, report.embedded) == (2, 0, 0, 0)
    assert model.clips == clips and store.embeddings(model.info).count() == rows
    renamed = record(store, library / "moved" / "renamed.wav")
    assert renamed.id == ids["sound0.wav"] and renamed.tags == ["door"]
    moved = record(store, other / "elsewhere.wav")
    assert moved.id == ids["sound1.wav"] and moved.folder == str(other)
    assert record(store, files[0]) is None and store.count_files() == 3


def renamed_root(library, store, indexer, tmp_path):
    """A root indexed with a tagged, captioned file in a subfolder, then renamed on disk
    (``mv "C renamed" "C again"``), its new name added as a library folder: (files, new root)."""
    files = make_files(library, 2) + [write_audio(library / "city" / "road.wav", tone(1500, 1.2))]
    indexer.index()
    road = record(store, files[2])
    store.set_tags([road.id], ["roottag"])
    store.set_caption(road.id, "traffic at dusk")
    again = tmp_path / "C again"
    os.rename(library, again)
    assert indexer.index().offline_folders == [str(library)]
    store.add_folder(str(again))
    return files, again


def test_a_renamed_root_added_again_takes_its_rows_with_their_tags(library, store, indexer, model, tmp_path):
    files, again = renamed_root(library, store, indexer, tmp_path)
    ids = {p.relative_to(library): record(store, p).id for p in files}
    rows, clips = store.embeddings(model.info).count(), model.clips
    report = indexer.index()
    assert (report.moved, report.added, report.copies, report.removed) == (3, 0, 0, 0)
    assert report.moved_from == {str(library): 3} and f"3 moved from {library}" in report.summary()
    road = record(store, again / "city" / "road.wav")
    assert (road.id, road.tags, road.caption) == (ids[files[2].relative_to(library)], ["roottag"], "traffic at dusk")
    assert {r.path: r.id for r in store.find_files()} == {str(again / rel): i for rel, i in ids.items()}
    assert {(r.folder, r.status) for r in store.find_files()} == {(str(again), OK)}
    assert model.clips == clips and store.embeddings(model.info).count() == rows  # nothing embedded again
    assert store.count(str(library)) == 0 and store.count_edited(str(library)) == 0  # nothing left to forget


def test_the_old_drive_coming_back_holds_copies_and_the_tags_stay_where_they_went(
    library, store, indexer, model, tmp_path
):
    """The renamed root's old name reappears (a backup drive plugged in again): its files are
    copies of the moved rows, found again without tags and without embedding anything."""
    files, again = renamed_root(library, store, indexer, tmp_path)
    indexer.index()
    shutil.copytree(again, library)
    clips = model.clips
    report = indexer.index()
    assert (report.added, report.copies, report.moved, model.clips) == (3, 3, 0, clips)
    assert record(store, again / "city" / "road.wav").tags == ["roottag"] and record(store, files[2]).tags == []
    paths = [r.path for r in store.find_files()]
    assert len(paths) == len(set(paths)) == 6 and {r.status for r in store.find_files()} == {OK}


def test_a_reachable_folders_file_is_never_taken_only_copied(library, store, indexer, tmp_path):
    """Even when the index still says its folder is offline (a drive plugged in again since the
    last check) and the run looks only at the other folder (a watcher batch): it is asked again."""
    [original] = make_files(library, 1)
    indexer.index()
    store.set_tags([record(store, original).id], ["mine"])
    store.set_folder_online(str(library), False)
    other = tmp_path / "other"
    copy = other / "same bytes.wav"
    other.mkdir()
    shutil.copyfile(original, copy)
    store.add_folder(str(other))
    report = indexer.index([str(copy)])
    assert (report.added, report.copies, report.moved, report.moved_from) == (1, 1, 0, {})
    assert record(store, original).tags == ["mine"] and record(store, copy).tags == []


def test_deleted_files_leave_the_index_with_their_vectors(library, store, indexer, model):
    files = make_files(library, 3)
    indexer.index()
    gone = record(store, files[1])
    os.remove(files[1])
    report = indexer.index()
    assert report.removed == 1 and record(store, files[1]) is None
    assert gone.id not in set(store.embeddings(model.info).file_ids().tolist())


def test_vanished_folder_goes_offline_and_comes_back_without_reembedding(library, store, indexer, model, tmp_path):
    make_files(library, 3)
    indexer.index()
    before, clips = snapshot(store, model.info.name), model.clips
    parked = tmp_path / "unplugged"
    os.rename(library, parked)
    report = indexer.index()
    assert report.offline_folders == [str(library)] and report.removed == 0
    assert {r.status for r in store.find_files()} == {OFFLINE} and store.count_files() == 3
    assert not store.folders()[0].online
    os.rename(parked, library)
    report = indexer.index()
    assert report.offline_folders == [] and report.unchanged == 3 and model.clips == clips
    assert_same_index(snapshot(store, model.info.name), before)
    assert store.folders()[0].online


def test_empty_mount_point_is_offline_not_emptied(library, store, indexer, tmp_path):
    make_files(library, 2)
    indexer.index()
    shutil.move(str(library), str(tmp_path / "drive-contents"))
    library.mkdir()  # the mount point stays behind when the drive goes
    report = indexer.index()
    assert report.offline_folders == [str(library)] and store.count_files() == 2


def test_stopped_run_resumes_to_the_clean_result(library, store, model, tmp_path):
    make_files(library, 6)
    progress = []
    stopper = Indexer(store, model, IndexerOptions(batch_size=1, commit_every=1))
    report = stopper.index(
        progress=progress.append, should_stop=lambda: sum(p.phase == "embedding" for p in progress) >= 2
    )
    assert report.stopped and 0 < store.count_files() < 6
    Indexer(store, model).index()
    clean = LibraryStore(tmp_path / "clean.lance")
    clean.add_folder(str(library))
    Indexer(clean, model).index()
    assert_same_index(snapshot(store, model.info.name), snapshot(clean, model.info.name))


def test_targeted_paths_update_only_what_they_name(library, store, indexer, tmp_path):
    files = make_files(library, 3)
    indexer.index()
    write_audio(library / "new.wav", tone(1000, 1.0))
    os.remove(files[0])
    report = indexer.index([str(library / "new.wav")])
    assert report.added == 1 and report.removed == 0 and record(store, files[0]) is not None
    outside = write_audio(tmp_path / "not-in-library.wav", tone(700, 1.0))
    report = indexer.index([str(files[0]), str(outside)])
    assert report.removed == 1 and record(store, files[0]) is None and record(store, outside) is None


def test_failed_file_is_retried_once_readable_and_counted_added(library, store, indexer):
    """Review 13: 61 files fixed after they had failed were "71 updated" with 10 edited ones,
    though they had never been in the index: a file searchable for the first time is added."""
    path = library / "later.wav"
    path.write_bytes(b"not yet audio")
    edited = write_audio(library / "edited.wav", tone(300, 1.0))
    indexer.index()
    assert record(store, path).status == ERROR
    write_audio(path, tone(500, 1.0))
    write_audio(edited, tone(700, 1.0))
    report = indexer.index()
    assert (report.added, report.updated, report.summary()) == (
        1,
        1,
        "1 added, 1 updated, 0 moved, 0 removed, 0 failed",
    )
    assert record(store, path).status == OK and record(store, path).error == ""


def test_half_finished_offline_flip_is_repaired(library, store, indexer):
    """Killed inside set_folder_online(False): files say offline, the folder still says online."""
    make_files(library, 2)
    indexer.index()
    store.set_folder_online(str(library), False)
    store.folders_table.update(where="true", values={"online": True})  # the second write never happened
    indexer.index()
    assert {r.status for r in store.find_files()} == {OK}


def test_a_model_with_a_likeness_space_fills_it_in_for_files_indexed_before_it_had_one(
    library, store, tiny_checkpoint, tmp_path
):
    model = CountingModel(load_model(str(bridged_checkpoint(tiny_checkpoint, tmp_path / "ucs", weight=0.3))))
    paths = make_files(library, 3)
    indexer = Indexer(store, model)
    indexer.index()
    likeness, table = store.likeness(model.info), store.embeddings(model.info)
    ids = sorted(store.file_ids().tolist())
    assert likeness.dim == 512 and sorted(likeness.file_ids().tolist()) == ids
    for file_id in ids:  # the same windows in both spaces
        np.testing.assert_array_equal(likeness.windows(file_id).starts, table.windows(file_id).starts)
    example = indexer.embedder.example_windows(str(paths[0]), 4)  # a clip searched by its sound has its likeness
    stored = likeness.windows(record(store, paths[0]).id)
    np.testing.assert_allclose(example.likeness, stored.vectors, atol=1e-4)

    likeness.delete(ids[:2])  # as an index made before the model had its likeness space
    before, clips = snapshot(store, model.info.name), model.clips
    report = indexer.index()
    assert report.embedded == 2 and model.clips > clips
    assert sorted(likeness.file_ids().tolist()) == ids
    assert_same_index(snapshot(store, model.info.name), before)  # windows replaced, not doubled
    assert indexer.index().embedded == 0


def test_metadata_read_by_an_older_reader_is_read_again_once_not_reembedded(library, store, indexer, model):
    """A library indexed before the metadata reader changed (METADATA_VERSION) has its files'
    headers read again by the next full run: the words an older reader took from the recorder's
    stamp leave, the audio is not decoded again, and the next run reads nothing."""
    path = write_audio(library / "creak.ogg", tone(seconds=1.0), format="OGG", subtype="VORBIS")
    tagged = mutagen.File(path)
    tagged["DESCRIPTION"], tagged["ORIGINATOR"] = "old door creak", "Pro Tools"
    tagged.save()
    make_files(library, 2)
    indexer.index()
    assert store.meta.get(METADATA_VERSION_KEY) == METADATA_VERSION
    # as an index written before version 2 holds it
    store.upsert_files([replace(record(store, path), metadata_text="old door creak\nPro Tools")])
    store.optimize()
    store.meta.set(METADATA_VERSION_KEY, 1)
    creak = record(store, path).id

    def found(word):
        return store.full_text(word, None, 10)[0].tolist()

    assert found("tools") == [creak]
    clips = model.clips

    events = []
    report = indexer.index(progress=events.append)
    assert (report.reread, report.embedded, report.updated, model.clips) == (1, 0, 0, clips)
    assert [e.done for e in events if e.phase == "reading metadata"] == [1, 2, 3]
    assert record(store, path).metadata_text == "old door creak"
    assert found("tools") == [] and found("creak") == [creak]
    assert store.meta.get(METADATA_VERSION_KEY) == METADATA_VERSION
    assert indexer.index().reread == 0


def test_metadata_is_read_again_only_once_every_folder_is_reachable(library, store, indexer, tmp_path):
    """A drive unplugged during the pass keeps its files' old text, so the pass is not marked
    done until a run reaches it."""
    make_files(library, 2)
    drive = tmp_path / "drive"
    make_files(drive, 1)
    store.add_folder(str(drive))
    indexer.index()
    store.meta.set(METADATA_VERSION_KEY, 1)
    parked = tmp_path / "unplugged"
    os.rename(drive, parked)
    assert indexer.index().offline_folders == [str(drive)]
    assert store.meta.get(METADATA_VERSION_KEY) == 1
    os.rename(parked, drive)
    indexer.index()
    assert store.meta.get(METADATA_VERSION_KEY) != 1


def test_copies_of_one_sound_are_embedded_once_and_keep_their_own_tags(library, store, indexer, model):
    """A vendor pack copied into each project: the same bytes decode to the same windows, so a
    copy takes the first one's vectors and facts, in the same run or a later one."""
    files = make_files(library, 3)
    for copy in (library / "backup" / "sound0.wav", library / "old" / "take.wav"):
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(files[0], copy)
    report = indexer.index()
    assert (report.added, report.embedded, report.copies, report.errors) == (5, 5, 2, [])
    assert "2 duplicate files (each sound embedded once)" in report.summary()
    table = store.embeddings(model.info)
    first = record(store, files[0])
    assert model.clips == sum(len(table.windows(record(store, f).id)) for f in files)  # the copies decoded nothing
    for copy in (library / "backup" / "sound0.wav", library / "old" / "take.wav"):
        twin = record(store, copy)
        assert twin.id != first.id and twin.status == OK and twin.content_hash == first.content_hash
        assert (twin.duration_s, twin.sample_rate, twin.format) == (first.duration_s, first.sample_rate, first.format)
        np.testing.assert_array_equal(table.windows(twin.id).vectors, table.windows(first.id).vectors)

    store.set_tags([first.id], ["mine"])
    clips = model.clips
    third = library / "later" / "sound0 copy.wav"
    third.parent.mkdir()
    shutil.copyfile(files[0], third)
    report = indexer.index()
    assert (report.added, report.copies, model.clips) == (1, 1, clips)  # from the index: nothing decoded
    assert record(store, third).tags == [] and record(store, files[0]).tags == ["mine"]
    np.testing.assert_array_equal(table.windows(record(store, third).id).vectors, table.windows(first.id).vectors)
    assert indexer.index().embedded == 0


def test_a_copy_takes_the_likeness_windows_too(library, store, tiny_checkpoint, tmp_path):
    model = CountingModel(load_model(str(bridged_checkpoint(tiny_checkpoint, tmp_path / "ucs", weight=0.3))))
    indexer = Indexer(store, model)
    [original] = make_files(library, 1)
    indexer.index()
    copy = library / "copy.wav"
    shutil.copyfile(original, copy)
    clips = model.clips
    assert indexer.index().copies == 1 and model.clips == clips
    likeness = store.likeness(model.info)
    np.testing.assert_array_equal(
        likeness.windows(record(store, copy).id).vectors, likeness.windows(record(store, original).id).vectors
    )


def test_progress_names_the_folders_the_run_embeds_files_of(tmp_path, library, store, indexer):
    """A front end shows a folder as still filling ("64 so far") only while the run embeds files
    of it: a folder it has nothing to do in reads as done."""
    make_files(library, 2)
    indexer.index()
    other = tmp_path / "other"
    make_files(other, 3)
    store.add_folder(str(other))
    events = []
    indexer.index(progress=events.append)
    assert [e.filling for e in events if e.phase == "embedding"] == [frozenset({str(other)})] * 3
    assert all(e.filling is None for e in events if e.phase != "embedding")

    store.embeddings(indexer.model.info).delete(sorted(store.file_ids().tolist()))  # as after a model switch
    events = []
    indexer.embed_missing(progress=events.append)
    assert [e.filling for e in events] == [frozenset({str(library), str(other)})] * 5


def test_after_a_model_switch_copies_are_embedded_once_too(library, store, indexer, model):
    files = make_files(library, 2)
    (library / "backup").mkdir()
    shutil.copyfile(files[0], library / "backup" / "sound0.wav")
    indexer.index()
    table = store.embeddings(model.info)
    ids = sorted(store.file_ids().tolist())
    table.delete(ids)  # as files a newly chosen model has not embedded yet
    clips = model.clips
    report = indexer.embed_missing()
    assert (report.embedded, report.copies, report.errors) == (3, 1, [])
    assert model.clips - clips == sum(len(table.windows(record(store, f).id)) for f in files)
    copy = record(store, library / "backup" / "sound0.wav")
    np.testing.assert_array_equal(table.windows(copy.id).vectors, table.windows(record(store, files[0]).id).vectors)

    table.delete([copy.id])  # its original has this model's vectors: the copy takes them
    clips = model.clips
    assert (indexer.embed_missing().copies, model.clips) == (1, clips)
    assert len(table.windows(copy.id)) == len(table.windows(record(store, files[0]).id))


def test_a_copy_takes_the_vectors_of_whichever_copy_has_them(library, store, indexer, model):
    [original] = make_files(library, 1)
    shutil.copyfile(original, library / "copy.wav")
    indexer.index()
    table = store.embeddings(model.info)
    table.delete([record(store, original).id])  # one copy without this model's vectors, the other with
    shutil.copyfile(original, library / "third.wav")
    clips = model.clips
    report = indexer.index()
    assert (report.added, report.copies, model.clips) == (1, 2, clips)  # the third, then the one without
    expected = table.windows(record(store, library / "copy.wav").id).vectors
    for path in (original, library / "third.wav"):
        np.testing.assert_array_equal(table.windows(record(store, path).id).vectors, expected)


def test_an_edit_keeping_size_and_mtime_is_found_when_the_watcher_names_the_file(library, store, indexer, model):
    """Review 6, finding 5: a tool that rewrites a sound and puts its mtime back. A full run stays
    stat only (reading every file each run is too slow), and so does a rescan of its folder; the
    watcher's rescan of the file it saw written reads it, and embeds it again."""
    edited = write_audio(library / "attach.wav", tone(440, 2.0))
    indexer.index()
    before, vectors = record(store, edited), store.embeddings(model.info).windows(record(store, edited).id).vectors
    stat = os.stat(edited)
    write_audio(edited, noise(2.0, seed=5))
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(edited).st_size == stat.st_size
    for stat_only in (indexer.index(), indexer.index([str(library)])):
        assert (stat_only.unchanged, stat_only.updated) == (1, 0)
    assert record(store, edited).content_hash == before.content_hash
    report = indexer.index([str(edited)])
    assert (report.updated, report.embedded) == (1, 1)
    after = record(store, edited)
    assert (after.id, after.mtime) == (before.id, before.mtime) and after.content_hash != before.content_hash
    assert not np.allclose(store.embeddings(model.info).windows(after.id).vectors, vectors)
    clips = model.clips
    again = indexer.index([str(edited)])  # read again, found as it was: nothing written
    assert (again.unchanged, again.changed_anything, model.clips) == (1, False, clips)


def test_files_whose_vectors_went_missing_are_said_embedded_again(library, store, indexer, model):
    """Review 6, finding 6: after a repair dropped a model's vectors, the re-index embedded every
    file again and said "0 added, 0 updated, 0 moved, 0 removed"."""
    make_files(library, 3)
    indexer.index()
    store.embeddings(model.info).delete(sorted(store.file_ids().tolist()))  # as a repair that lost them
    report = indexer.index()
    assert (report.added, report.updated, report.embedded, report.embedded_again) == (0, 0, 3, 3)
    assert report.summary() == "0 added, 0 updated, 0 moved, 0 removed, 0 failed, 3 embedded again"
    assert indexer.index().embedded_again == 0
