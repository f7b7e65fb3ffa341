"""Drives that come and go under a running watcher: a real unmount where the test can mount,
a folder renamed away everywhere; and a folder whose stat hangs (a dead network share)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.cli import main
from engine.facade import Engine
from engine.index.records import OFFLINE, OK
from engine.library.roots import RootProbe
from engine.library.watcher import LibraryWatcher
from tests.drives import HangingShare
from tests.engine.library.helpers import wait_for
from tests.factories import noise, tone, write_audio

OFFLINE_WITHIN_S = 15.0  # the watcher checks every second; the rest is slack for a busy 2-core machine


def statuses(engine: Engine, folder) -> dict[str, str]:
    return {os.path.basename(r.path): r.status for r in engine.store.files_in_folder(folder)}


def test_unplug_and_replug_under_a_running_watcher(engine, drive):
    root = str(drive.root)
    for name, samples in (
        ("door_creak.wav", tone(300, 1.0)),
        ("dog_bark.wav", noise(1.0)),
        ("rain_drip.wav", noise(0.5, seed=2)),
    ):
        write_audio(drive.root / name, samples)
    engine.add_folder(root)
    engine.index()
    ids = {r.path: r.id for r in engine.store.find_files()}
    table = engine.store.embeddings(engine.model_info)
    windows = {i: table.windows(i).vectors.tolist() for i in ids.values()}
    reports = []
    engine.start_watching(reports.append)

    unplugged = time.monotonic()
    drive.unplug()
    assert wait_for(
        lambda: set(statuses(engine, root).values()) == {OFFLINE} and not engine.folders()[0].online, OFFLINE_WITHIN_S
    ), statuses(engine, root)
    print(f"\n[{drive.kind}] offline after {time.monotonic() - unplugged:.1f} s")
    assert wait_for(lambda: any(r.offline_folders == [root] for r in reports), 10)
    assert {r.path: r.id for r in engine.store.find_files()} == ids  # nothing deleted...
    assert {i: table.windows(i).vectors.tolist() for i in ids.values()} == windows  # ...vectors included
    door = engine.search("door creak")[0]
    assert (door.name, door.status, door.folder) == ("door_creak.wav", OFFLINE, root)  # still found, marked
    similar = engine.similar(drive.root / "door_creak.wav")  # from its kept windows: nothing is read
    assert {h.name for h in similar} == {"dog_bark.wav", "rain_drip.wav"}

    away = drive.away_folder()  # files added on another computer while the drive was unplugged
    write_audio(away / "glass_break.wav", noise(0.8, seed=5))
    drive.done_away()
    drive.replug()
    assert wait_for(
        lambda: (
            statuses(engine, root)
            == dict.fromkeys(["door_creak.wav", "dog_bark.wav", "rain_drip.wav", "glass_break.wav"], OK)
        ),
        60,
    ), statuses(engine, root)
    assert engine.folders()[0].online
    assert wait_for(lambda: any(r.back_online == [root] for r in reports), 10)  # reported after the commit
    assert {p: i for p, i in ((r.path, r.id) for r in engine.store.find_files()) if p in ids} == ids  # same ids
    assert {i: table.windows(i).vectors.tolist() for i in ids.values()} == windows  # nothing re-embedded
    assert engine.search("glass break")[0].name == "glass_break.wav"  # no manual index

    write_audio(drive.root / "bell_ring.wav", tone(1200, 0.5))  # the watch is armed on the drive again
    assert wait_for(lambda: statuses(engine, root).get("bell_ring.wav") == OK, 60), statuses(engine, root)
    assert engine.search("bell")[0].name == "bell_ring.wav"


@pytest.mark.slow
def test_earmark_watch_says_when_a_drive_goes_and_comes_back(drive, tmp_path, tiny_checkpoint):
    """The issue's scenario, through the installed command: `earmark watch` running, the drive
    unmounted, then mounted again with a new file on it."""
    write_audio(drive.root / "door_creak.wav", tone(300, 1.0))
    base = [
        str(Path(sys.executable).with_name("earmark")),
        "--home",
        str(tmp_path / "home"),
        "--model",
        str(tiny_checkpoint),
    ]
    subprocess.run(base + ["add-folder", str(drive.root)], check=True, capture_output=True, timeout=300)
    watcher = subprocess.Popen(base + ["watch"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True).start()

    def line_with(text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if text in line:
                return line

    try:
        line_with("watching for changes")
        drive.unplug()
        assert f"offline: {drive.root} (unreachable; its files are kept" in line_with("offline:", OFFLINE_WITHIN_S)
        drive.replug()
        line_with(f"back online: {drive.root}", 60)
        write_audio(drive.root / "bell_ring.wav", tone(1200, 0.5))
        assert "1 added" in line_with("added", 60)
    finally:
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(60) == 0


def test_cli_marks_offline_files(tmp_path, tiny_checkpoint, capsys):
    home, library = str(tmp_path / "home"), tmp_path / "lib"
    write_audio(library / "door_creak.wav", tone(300, 1.0))
    base = ["--home", home, "--model", str(tiny_checkpoint)]
    assert main([*base, "add-folder", str(library)]) == 0
    assert main([*base, "index"]) == 0
    library.rename(tmp_path / "unplugged")
    assert main([*base, "index"]) == 0
    capsys.readouterr()

    assert main([*base, "search", "door", "--json"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert (hit["status"], hit["folder"]) == ("offline", str(library))
    assert main([*base, "search", "door"]) == 0
    assert f"[offline: {library} is not connected]" in capsys.readouterr().out
    assert main([*base, "search", "door", "--online-only"]) == 0
    assert capsys.readouterr().out.strip() == "no matches"
    assert main([*base, "status"]) == 0
    assert "[MISSING (moved, renamed or deleted?)] 0 files, 0 failed, 1 offline" in capsys.readouterr().out


# -- a root whose stat hangs -------------------------------------------------------------------


def in_thread(fn, timeout: float = 20.0) -> bool:
    """Run ``fn`` in a thread; True if it returned within ``timeout`` (False: it blocked)."""
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    thread.join(timeout)
    return not thread.is_alive()


def test_a_hanging_root_blocks_neither_start_nor_the_checks_of_other_roots(tmp_path):
    share, local, other = tmp_path / "share", tmp_path / "local", tmp_path / "other"
    for folder in (share, local, other):
        folder.mkdir()
    hanging = HangingShare(share)
    lost, batches = [], []
    watcher = LibraryWatcher(
        batches.append,
        debounce_s=0.2,
        check_every_s=0.1,
        on_unreachable=lambda root, why: lost.append((root, why)),
        probe=RootProbe(hanging, timeout_s=0.3),
    )
    try:
        assert in_thread(lambda: watcher.start([str(share), str(local), str(other)])), "start() waited for the share"
        assert lost == [(str(share), "not responding (no answer in 0.3 s)")]
        (local / "new.wav").write_bytes(b"x")  # the reachable roots are watched
        assert wait_for(lambda: str(local / "new.wav") in set().union(*batches), 10)
        other.rename(tmp_path / "other, renamed")  # the monitor keeps checking the others meanwhile
        assert wait_for(lambda: (str(other), "No such file or directory") in lost, 10), lost
        stuck = [t for t in threading.enumerate() if t.name == "earmark-root-check" and t.is_alive()]
        assert len(stuck) == 1, "each round started another stat on the hung share"

        hanging.release.set()  # the share answers again: rescanned as a batch of its own root
        assert wait_for(lambda: str(share) in set().union(*batches), 10)
        assert [root for root, _ in lost].count(str(share)) == 1
    finally:
        hanging.release.set()
        assert in_thread(watcher.stop)


def test_a_hung_share_costs_one_stuck_check_however_the_roots_are_probed(tmp_path):
    share, local = tmp_path / "share", tmp_path / "local"
    share.mkdir()
    local.mkdir()
    hanging = HangingShare(share)
    probe = RootProbe(hanging, timeout_s=0.1)
    try:
        for roots in ([share, local], [local], [share], [local], [share, local]):  # one at a time, as a run asks
            states = probe.probe([str(r) for r in roots])
            assert states[str(local)].reachable if local in roots else not states[str(share)].reachable
        stuck = [t for t in threading.enumerate() if t.name == "earmark-root-check" and t.is_alive()]
        assert len(stuck) == 1
    finally:
        hanging.release.set()


def test_engine_marks_a_hanging_root_offline_and_keeps_searching(engine, tmp_path):
    library = tmp_path / "share"
    write_audio(library / "door_creak.wav", tone(300, 1.0))
    engine.add_folder(library)
    engine.index()
    hanging = HangingShare(library)
    engine.root_probe = RootProbe(hanging, timeout_s=0.3)
    reports = []
    try:
        assert in_thread(lambda: engine.start_watching(reports.append))
        assert wait_for(lambda: not engine.folders()[0].online, OFFLINE_WITHIN_S)
        assert wait_for(lambda: reports and reports[0].offline_folders == [str(library)], 10)
        assert [(h.name, h.status) for h in engine.search("door")] == [("door_creak.wav", OFFLINE)]
        hanging.release.set()
        assert wait_for(lambda: engine.folders()[0].online and statuses(engine, library) == {"door_creak.wav": OK})
    finally:
        hanging.release.set()


def test_an_index_run_goes_on_without_a_share_that_does_not_answer(engine, tmp_path):
    """A dead network share blocks ``stat``: the run marks it offline within the probe's timeout,
    keeps its files, and indexes the other folders."""
    share, local = tmp_path / "share", tmp_path / "local"
    write_audio(share / "door_creak.wav", tone(300, 1.0))
    engine.add_folder(share)
    engine.index()
    write_audio(local / "dog_bark.wav", noise(1.0))
    engine.add_folder(local)
    hanging = HangingShare(share)
    engine.root_probe = RootProbe(hanging, timeout_s=0.3)
    reports = []
    try:
        assert in_thread(lambda: reports.append(engine.index()), timeout=60), "the run waited for the dead share"
        assert reports[0].offline_folders == [str(share)] and reports[0].added == 1
        assert statuses(engine, share) == {"door_creak.wav": OFFLINE}
        assert statuses(engine, local) == {"dog_bark.wav": OK}
        hanging.release.set()  # it answers again: the next run brings it back
        assert engine.index().back_online == [str(share)] and statuses(engine, share) == {"door_creak.wav": OK}
    finally:
        hanging.release.set()


def test_a_drive_unplugged_between_the_check_and_the_walk_loses_nothing(engine, tmp_path, monkeypatch):
    """The race the reachability check alone leaves: the mount point is checked while the drive
    is there, then walked once it is gone (an empty folder). Its rows, tags and vectors stay."""
    from engine.library import indexer

    drive = tmp_path / "SFX Drive"
    for name in ("door_creak.wav", "dog_bark.wav"):
        write_audio(drive / name, tone(300, 1.0))
    engine.add_folder(drive)
    engine.index()
    engine.set_tags([drive / "dog_bark.wav"], ["good take"])
    before = {r.path: r.id for r in engine.store.find_files()}

    real_scan = indexer.scan

    def unplug_then_walk(roots, library=None):
        os.rename(drive, tmp_path / "unplugged")  # what the drive held leaves the mount point...
        drive.mkdir()  # ...which stays behind, empty
        return real_scan(roots, library)

    monkeypatch.setattr(indexer, "scan", unplug_then_walk)
    report = engine.index()
    assert report.removed == 0 and str(drive) in report.unreadable_dirs, report
    assert {r.path: r.id for r in engine.store.find_files()} == before
    assert engine.store.get_file(str(drive / "dog_bark.wav")).tags == ["good take"]
