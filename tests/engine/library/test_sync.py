"""The rescan decisions, on hand-made rows and scans (the indexer tests run them for real)."""

from __future__ import annotations

from engine.index.records import ERROR, OFFLINE, OK, FileState
from engine.library.scanner import ScannedFile, ScanResult
from engine.library.sync import resolve, triage


def row(id, path, digest="h", size=10, mtime=1.0, status=OK, error="", indexed_at=1.0, folder="/lib"):
    return FileState(id, path, folder, digest, size, mtime, status, error, indexed_at)


def test_unchanged_rechecked_new_and_vanished():
    known = [row(1, "/lib/same.wav"), row(2, "/lib/edited.wav"), row(3, "/lib/gone.wav")]
    scan = ScanResult(
        [
            ScannedFile("/lib/same.wav", 10, 1.0),
            ScannedFile("/lib/edited.wav", 10, 2.0),
            ScannedFile("/lib/new.wav", 5, 1.0),
        ]
    )
    tri = triage(scan, known)
    assert [r.id for r in tri.unchanged] == [1]
    assert [r.id for r, _ in tri.recheck] == [2]
    assert [f.path for f in tri.new] == ["/lib/new.wav"]
    assert [r.id for r in tri.vanished] == [3]


def test_same_hash_is_a_touch_a_new_hash_a_change():
    tri = triage(
        ScanResult([ScannedFile("/lib/a.wav", 10, 5.0), ScannedFile("/lib/b.wav", 11, 5.0)]),
        [row(1, "/lib/a.wav", "A"), row(2, "/lib/b.wav", "B")],
    )
    plan = resolve(tri, {"/lib/a.wav": "A", "/lib/b.wav": "B2"})
    assert [r.id for r, _ in plan.touched] == [1]
    assert [(r.id, digest) for r, _, digest in plan.changed] == [(2, "B2")]


def test_a_new_path_with_a_vanished_hash_is_a_move():
    tri = triage(
        ScanResult([ScannedFile("/lib/sub/renamed.wav", 10, 1.0), ScannedFile("/lib/other.wav", 3, 1.0)]),
        [row(7, "/lib/old.wav", "X"), row(8, "/lib/deleted.wav", "Y")],
    )
    plan = resolve(tri, {"/lib/sub/renamed.wav": "X", "/lib/other.wav": "Z"})
    assert [(r.id, f.path) for r, f in plan.moved] == [(7, "/lib/sub/renamed.wav")]
    assert [f.path for f, _ in plan.added] == ["/lib/other.wav"]
    assert [r.id for r in plan.deleted] == [8]


def test_two_copies_moved_at_once_relink_both_rows():
    tri = triage(
        ScanResult([ScannedFile("/lib/n1.wav", 10, 1.0), ScannedFile("/lib/n2.wav", 10, 1.0)]),
        [row(1, "/lib/o1.wav", "X"), row(2, "/lib/o2.wav", "X")],
    )
    plan = resolve(tri, {"/lib/n1.wav": "X", "/lib/n2.wav": "X"})
    assert sorted(r.id for r, _ in plan.moved) == [1, 2] and not plan.added and not plan.deleted


def test_a_row_of_an_unreachable_folder_is_moved_after_the_folders_own_vanished_rows():
    """A renamed root: its old name's rows are offline; a vanished row of the scanned folder
    itself claims its bytes first; of an offline row's copies, the one whose path ends alike."""
    old = [
        row(1, "/C renamed/a/hit.wav", "X", status=OFFLINE, folder="/C renamed"),
        row(2, "/C renamed/b/hit.wav", "X", status=OFFLINE, folder="/C renamed"),
        row(3, "/C renamed/c/own.wav", "Y", status=OFFLINE, folder="/C renamed"),
    ]
    scan = ScanResult([ScannedFile(p, 10, 1.0) for p in ("/lib/b/hit.wav", "/lib/a/hit.wav", "/lib/c/own.wav")])
    tri = triage(scan, [row(7, "/lib/was/own.wav", "Y")])
    plan = resolve(tri, dict.fromkeys(["/lib/a/hit.wav", "/lib/b/hit.wav"], "X") | {"/lib/c/own.wav": "Y"}, old)
    assert sorted((r.id, f.path) for r, f in plan.moved) == [
        (1, "/lib/a/hit.wav"),
        (2, "/lib/b/hit.wav"),
        (7, "/lib/c/own.wav"),
    ]
    assert not plan.added and not plan.deleted


def test_a_failed_file_is_never_the_source_of_a_move():
    tri = triage(ScanResult([ScannedFile("/lib/new.wav", 10, 1.0)]), [row(1, "/lib/bad.wav", "X", status=ERROR)])
    plan = resolve(tri, {"/lib/new.wav": "X"})
    assert not plan.moved and [r.id for r in plan.deleted] == [1]


def test_unreadable_files_are_retried_and_unlisted_folders_keep_their_rows():
    known = [row(1, "/lib/locked.wav", "", status=ERROR, error="permission denied"), row(2, "/lib/hidden/x.wav")]
    scan = ScanResult([ScannedFile("/lib/locked.wav", 10, 1.0)], unreadable_dirs={"/lib/hidden": "permission denied"})
    tri = triage(scan, known)
    assert [r.id for r, _ in tri.recheck] == [1]
    assert tri.vanished == []


def test_duplicate_rows_for_a_path_keep_the_newest():
    known = [row(1, "/lib/a.wav", indexed_at=1.0), row(2, "/lib/a.wav", indexed_at=2.0)]
    tri = triage(ScanResult([ScannedFile("/lib/a.wav", 10, 1.0)]), known)
    assert [r.id for r in tri.unchanged] == [2] and [r.id for r in tri.duplicates] == [1]
    assert [r.id for r in resolve(tri, {}).deleted] == [1]


def test_a_file_the_watcher_saw_written_is_read_again_whatever_its_stat():
    """Review 6, finding 5: a tool that rewrites a sound in place and puts its mtime back leaves
    size and mtime as they were; only the file the watcher names is read again, not the files
    of a folder it names."""
    known = [row(1, "/lib/edited.wav", "A"), row(2, "/lib/sub/kept.wav", "B"), row(3, "/lib/saved.wav", "C")]
    scan = ScanResult([ScannedFile(r.path, 10, 1.0) for r in known])
    assert [r.id for r, _ in triage(scan, known).recheck] == []  # a full run: stat only
    tri = triage(scan, known, written={"/lib/edited.wav", "/lib/saved.wav", "/lib/sub"})
    assert sorted(r.id for r, _ in tri.recheck) == [1, 3] and [r.id for r in tri.unchanged] == [2]
    plan = resolve(tri, {"/lib/edited.wav": "A2", "/lib/saved.wav": "C"})
    assert [(r.id, digest) for r, _, digest in plan.changed] == [(1, "A2")]
    assert [r.id for r in plan.confirmed] == [3] and plan.touched == []  # as it was: nothing to store
