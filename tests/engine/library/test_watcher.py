"""Real watchdog events: debounced batches, a burst that loses nothing, and live
add/modify/move/delete reaching the index through the Engine."""

from __future__ import annotations

import io
import os
import sys
import threading
import time

import numpy as np
import pytest
import soundfile as sf

from engine.index.status import OK
from engine.library.roots import RootProbe, folder_identity
from engine.library.watcher import LibraryWatcher
from tests.engine.library.helpers import wait_for
from tests.factories import noise, tone, write_audio


def test_events_arrive_debounced_and_a_burst_loses_no_path(tmp_path):
    batches: list[set[str]] = []
    lock = threading.Lock()

    def collect(paths):
        with lock:
            batches.append(paths)

    watcher = LibraryWatcher(collect, debounce_s=0.5)
    watcher.start([str(tmp_path)])
    try:
        time.sleep(0.3)  # inotify watches are in place once start() returns; this is slack for the thread
        names = [tmp_path / f"burst{i:04d}.wav" for i in range(2000)]
        for path in names:
            path.write_bytes(b"x")
        assert wait_for(lambda: {str(p) for p in names} <= set().union(*batches), timeout=30)
        time.sleep(1.0)
    finally:
        watcher.stop()
    assert len(batches) <= 5  # thousands of events, a handful of batches
    assert set().union(*batches) <= {str(p) for p in names}  # and nothing else


def test_reading_files_raises_no_batches(tmp_path):
    path = write_audio(tmp_path / "a.wav", tone())
    batches = []
    watcher = LibraryWatcher(batches.append, debounce_s=0.2)
    watcher.start([str(tmp_path)])
    try:
        time.sleep(0.3)
        for _ in range(3):
            sf.read(path)  # what the indexer does: open, read, close
        written = write_audio(tmp_path / "b.wav", tone())  # then a change: the watcher is alive
        assert wait_for(lambda: bool(batches), timeout=10)
    finally:
        watcher.stop()
    assert batches == [{str(written)}]  # the change alone, none of the reads


def test_a_batch_left_unfinished_comes_again_and_stop_ends_a_long_one(tmp_path):
    handed: list[set[str]] = []
    watcher: LibraryWatcher

    def handle(paths: set[str]) -> bool:
        handed.append(paths)
        if len(handed) == 1:
            return False  # interrupted (a folder removal wanted the lock): not finished
        while not watcher.stopping:  # a long batch that stops when asked
            time.sleep(0.01)
        return False

    watcher = LibraryWatcher(handle, debounce_s=0.2)
    watcher.start([str(tmp_path)])
    try:
        time.sleep(0.3)
        (tmp_path / "new.wav").write_bytes(b"x")
        assert wait_for(lambda: len(handed) >= 2, timeout=10)
        assert handed[0] == handed[1] == {str(tmp_path / "new.wav")}  # the same batch, handed over again
    finally:
        watcher.stop()  # returns once the long batch ends, which it does when asked (else the test hangs)
    assert len(handed) == 2  # and a stopped watcher hands nothing again


def test_closing_the_engine_ends_a_long_watched_batch_at_once(engine, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    engine.add_folder(library)
    reports = []
    engine.start_watching(reports.append)
    time.sleep(0.3)
    for i in range(60):  # a folder of long takes copied in: minutes of embedding
        write_audio(library / f"take{i:02d}.wav", noise(60.0, seed=i))
    assert wait_for(lambda: engine.store.count() > 0, timeout=30)  # the batch is under way
    engine.close()  # quitting the app: it does not wait for the minutes of embedding
    assert engine.store.count() < 60  # it stopped; the next run takes up the rest


@pytest.mark.slow
def test_burst_of_2000_files_is_indexed_completely(engine, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    engine.add_folder(library)
    engine.start_watching()
    time.sleep(0.3)
    clip = tone(800, 0.05)
    for i in range(2000):
        sf.write(library / f"blip{i:04d}.wav", clip, 16_000)
    assert wait_for(lambda: engine.store.count_files("status = 'ok'") == 2000, timeout=600, every=1.0), (
        engine.store.count_files()
    )
    time.sleep(1.0)  # let a late batch land, then check nothing was doubled
    assert engine.store.count_files() == 2000
    assert len(engine.store.embeddings(engine.model_info).file_ids()) == 2000


@pytest.mark.slow
def test_live_add_modify_move_delete(engine, tmp_path):
    library = tmp_path / "library"
    keep = write_audio(library / "keep.wav", tone(300, 1.0))
    edit = write_audio(library / "edit.wav", tone(400, 1.0))
    move = write_audio(library / "move.wav", tone(500, 1.0))
    gone = write_audio(library / "gone.wav", tone(600, 1.0))
    engine.add_folder(library)
    engine.index()
    ids = {p.name: engine.store.get_file(str(p)).id for p in (keep, edit, move, gone)}
    reports = []
    engine.start_watching(reports.append)
    time.sleep(0.3)

    write_audio(library / "added" / "new.wav", noise(1.0))
    write_audio(edit, noise(2.0, seed=3))
    os.rename(move, library / "added" / "moved.wav")
    os.remove(gone)

    def settled():
        files = {os.path.relpath(r.path, library): r for r in engine.store.find_files()}
        return (
            set(files) == {"keep.wav", "edit.wav", os.path.join("added", "new.wav"), os.path.join("added", "moved.wav")}
            and files["edit.wav"].duration_s == 2.0
        )

    assert wait_for(settled, timeout=60), [r.path for r in engine.store.find_files()]
    assert engine.store.get_file(str(library / "added" / "moved.wav")).id == ids["move.wav"]  # re-linked
    assert engine.store.get_file(str(edit)).id == ids["edit.wav"]
    # reports come after each batch's commit: wait for them too
    assert wait_for(lambda: sum(r.moved for r in reports) == 1 and sum(r.removed for r in reports) == 1, 30), reports
    table = engine.store.embeddings(engine.model_info)
    assert ids["gone.wav"] not in set(table.file_ids().tolist())
    assert np.isclose(table.windows(ids["edit.wav"]).ends[-1], 2.0)


@pytest.mark.skipif(sys.platform != "linux", reason="fakes a refusal in watchdog's Linux (inotify) emitter")
def test_a_folder_the_os_refuses_to_watch_leaves_the_others_watched(tmp_path, monkeypatch):
    from watchdog.observers.inotify import InotifyEmitter

    refused, watched = tmp_path / "refused", tmp_path / "watched"
    refused.mkdir()
    watched.mkdir()
    start = InotifyEmitter.on_thread_start

    def limited(emitter):
        if emitter.watch.path == str(refused):
            raise OSError(28, "inotify watch limit reached")
        start(emitter)

    monkeypatch.setattr(InotifyEmitter, "on_thread_start", limited)
    batches = []
    watcher = LibraryWatcher(batches.append, debounce_s=0.2)
    watcher.start([str(refused), str(watched)])
    try:
        time.sleep(0.3)
        (watched / "new.wav").write_bytes(b"x")
        assert wait_for(lambda: str(watched / "new.wav") in set().union(*batches), timeout=10)
        observer = watcher._observer
        watcher.set_folders([str(refused), str(watched)])  # as after every indexed batch
        assert watcher._observer is observer, "an unchanged folder list restarted every watch"
    finally:
        watcher.stop()


def test_a_stop_while_start_arms_its_roots_waits_for_it_and_leaves_nothing_running(tmp_path):
    """The engine closing for a repair stopped the watcher while its start() still probed the
    roots: stop() joined a thread start() had made but not yet started, and the repair failed
    ("cannot join thread before it is started"). A slow root makes that window wide."""
    arming = threading.Event()

    def slow_identity(path):
        arming.set()
        time.sleep(0.5)
        return folder_identity(path)

    earlier = set(threading.enumerate())  # other tests' watchers may still be winding down
    watcher = LibraryWatcher(lambda batch: None, probe=RootProbe(slow_identity, timeout_s=5))
    starting = threading.Thread(target=watcher.start, args=([str(tmp_path)],))
    starting.start()
    assert arming.wait(5)
    watcher.stop()  # from another thread, while start() is inside its probe
    starting.join(5)
    assert not starting.is_alive()
    assert watcher._observer is None and watcher._monitor is None and watcher._worker is None
    names = ("earmark-watcher", "earmark-root-monitor")
    assert not [t for t in threading.enumerate() if t.name in names and t not in earlier]


def test_sounds_in_unreadable_formats_stay_listed_until_they_are_gone(engine, tmp_path):
    """An index run's report names them once; the engine keeps the list for the user to go
    through, a watched change updates it, and a removed folder takes its own with it."""
    library, other = tmp_path / "library", tmp_path / "other"
    memo = library / "memos" / "memo.m4a"
    memo.parent.mkdir(parents=True)
    memo.write_bytes(b"\0\0\0\x18ftypM4A ")
    (other / "kit").mkdir(parents=True)
    snare = other / "kit" / "snare.wv"
    snare.write_bytes(b"wvpk")
    engine.add_folder(library)
    engine.add_folder(other)
    engine.index()
    assert engine.unreadable_files() == [str(memo), str(snare)]
    reports = []
    engine.start_watching(reports.append)
    time.sleep(0.3)
    take = library / "take.m4a"
    take.write_bytes(b"\0\0\0\x18ftypM4A ")
    memo.unlink()
    assert wait_for(lambda: engine.unreadable_files() == [str(take), str(snare)], timeout=15), engine.unreadable_files()
    heard = len(reports)
    take.unlink()  # converted, say: the list changed, and the app hears of it to show it again
    assert wait_for(lambda: len(reports) > heard, timeout=15) and engine.unreadable_files() == [str(snare)]
    engine.stop_watching()
    other.rename(tmp_path / "unplugged")
    engine.index()  # a drive that is away: what was found on it is kept
    assert engine.unreadable_files() == [str(snare)]
    engine.remove_folder(other)
    assert engine.unreadable_files() == []


def _indexing_watcher(indexer, reports: list, **timing) -> LibraryWatcher:
    """A watcher whose batches a real indexer handles, as the engine's do; ``reports`` gets
    each batch's report with the time it ended."""
    return LibraryWatcher(lambda paths: reports.append((time.monotonic(), indexer.index(paths))), **timing)


def test_a_link_to_the_folder_holding_the_library_adds_no_rows_while_watched(store, indexer, tmp_path):
    """``ln -s .. A/loop/up`` under a running watcher: its rescan of the link indexed all of A
    again under ``A/loop/up/A``, which the next full index removed."""
    sounds = tmp_path / "sounds"
    library_a, library_b = sounds / "A", sounds / "B"
    write_audio(library_a / "loop" / "kick.wav", tone(300, 1.0))
    write_audio(library_b / "snare.wav", tone(600, 1.0))
    store.add_folder(str(library_a))
    store.add_folder(str(library_b))
    indexer.index()
    before = sorted(record.path for record in store.find_files())
    reports: list = []
    watcher = _indexing_watcher(indexer, reports, debounce_s=0.2)
    watcher.start([str(library_a), str(library_b)])
    try:
        time.sleep(0.3)
        os.symlink(sounds, library_a / "loop" / "up")
        os.symlink(library_a, library_a / "loop" / "home")
        assert wait_for(lambda: reports, timeout=15)
    finally:
        watcher.stop()
    assert sorted(record.path for record in store.find_files()) == before
    full = indexer.index()
    assert (full.added, full.removed) == (0, 0)
    assert sorted(record.path for record in store.find_files()) == before


def test_a_link_to_a_folder_of_the_library_made_while_watched_adds_no_second_row(store, library, indexer):
    """``ln -s drums "kit/a drums link"`` under a running watcher: its rescan of the link indexed
    the drums a second time, under the link's path, beside the rows the full run had made."""
    drums = library / "drums"
    kick = write_audio(drums / "kick.wav", tone(300, 1.0))
    (library / "kit").mkdir()
    indexer.index()
    reports: list = []
    watcher = _indexing_watcher(indexer, reports, debounce_s=0.2)
    watcher.start([str(library)])
    try:
        time.sleep(0.3)
        os.symlink(drums, library / "kit" / "a drums link")
        snare = write_audio(drums / "snare.wav", tone(600, 1.0))  # seen under its real path only
        assert wait_for(lambda: store.get_file(str(snare)) is not None, timeout=15)  # the link's batch came first
    finally:
        watcher.stop()
    assert sorted(record.path for record in store.find_files()) == [str(kick), str(snare)]
    assert (indexer.index().added, sorted(record.path for record in store.find_files())) == (0, [str(kick), str(snare)])


def test_a_file_still_being_written_is_not_reported_failed_and_a_truncated_one_is(store, library, indexer):
    """A take copied in slowly outlasts ``max_wait_s``: it was reported "truncated" half way,
    then silently indexed. It is held back until quiet; the rest of the batch goes on (a copy
    that stopped half way and stays so is reported failed, while the take is still written)."""
    buffer = io.BytesIO()
    sf.write(buffer, noise(8.0), 16_000, format="WAV")
    whole = buffer.getvalue()
    chunk = len(whole) // 16
    reports: list = []
    watcher = _indexing_watcher(indexer, reports, debounce_s=0.2, max_wait_s=0.5, settle_s=1.0)
    watcher.start([str(library)])
    try:
        time.sleep(0.3)
        broken, slow = library / "broken.wav", library / "slow.wav"
        broken.write_bytes(whole[: len(whole) // 2])
        with open(slow, "wb") as handle:
            for start in range(0, len(whole), chunk):  # about 4 s of writing, quiet 0.25 s at most
                handle.write(whole[start : start + chunk])
                handle.flush()
                time.sleep(0.25)
        written = time.monotonic()

        def indexed() -> bool:
            record = store.get_file(str(slow))
            return record is not None and record.status == OK

        assert wait_for(indexed, timeout=20), [report.errors for _, report in reports]
    finally:
        watcher.stop()
    failed = {error.path: (ended, error.error) for ended, report in reports for error in report.errors}
    assert list(failed) == [str(broken)]
    ended, why = failed[str(broken)]
    assert "truncated" in why and ended < written


def test_an_edit_that_puts_the_mtime_back_is_embedded_again_while_watched(store, library, indexer):
    """Review 6, finding 5: a tool rewrote a sound in place and restored its mtime; the watcher
    saw the write, but a rescan that compared size and mtime only kept the old vectors."""
    edited = write_audio(library / "attach.wav", tone(440, 2.0))
    indexer.index()
    before = store.get_file(str(edited))
    reports: list = []
    watcher = _indexing_watcher(indexer, reports, debounce_s=0.2)
    watcher.start([str(library)])
    try:
        time.sleep(0.3)
        stat = os.stat(edited)
        write_audio(edited, noise(2.0, seed=5))
        os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert wait_for(lambda: store.get_file(str(edited)).content_hash != before.content_hash, timeout=20)
    finally:
        watcher.stop()
    assert sum(report.updated for _, report in reports) == 1 and store.get_file(str(edited)).id == before.id


def test_a_finished_sound_in_a_folder_still_being_copied_in_is_indexed_while_the_rest_is_written(
    store, library, indexer
):
    """Review: a sample pack copied in was thought held whole, its finished sounds unsearchable
    until its last file landed. Each file is held until it settles, and only the pending
    folders above a file still written with it: a finished one goes on alone, once, and the
    growing one is indexed once it stops, never reported truncated. The growing file's writes
    restarted the debounce, so the finished one waited for ``max_wait_s`` (here longer than the
    whole copy): it must come once settled, while the other is still written."""
    buffer = io.BytesIO()
    sf.write(buffer, noise(8.0), 16_000, format="WAV")
    whole = buffer.getvalue()
    chunk = len(whole) // 50
    pack = library / "pack"
    growing = pack / "growing.wav"

    def copy_slowly() -> None:  # about 5 s of writing, never quiet for the debounce
        with open(growing, "wb") as handle:
            for start in range(0, len(whole), chunk):
                handle.write(whole[start : start + chunk])
                handle.flush()
                time.sleep(0.1)

    def indexed(path) -> bool:
        record = store.get_file(str(path))
        return record is not None and record.status == OK

    reports: list = []
    watcher = _indexing_watcher(indexer, reports, debounce_s=0.5, max_wait_s=20.0, settle_s=1.0, max_hold_s=60.0)
    watcher.start([str(library)])
    writer = threading.Thread(target=copy_slowly)
    try:
        time.sleep(0.3)
        pack.mkdir()
        finished = write_audio(pack / "finished.wav", tone(500, 1.0))
        writer.start()
        assert wait_for(lambda: indexed(finished), timeout=4), "the finished sound waited for the growing one"
        assert writer.is_alive() and store.get_file(str(growing)) is None
        writer.join()
        assert wait_for(lambda: indexed(growing), timeout=20)
    finally:
        writer.join()
        watcher.stop()
    assert sorted(record.path for record in store.find_files()) == [str(finished), str(growing)]
    assert sum(report.added for _, report in reports) == 2
    assert [error for _, report in reports for error in report.errors] == []
