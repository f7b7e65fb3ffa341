"""The one-line summary of an indexing run that the CLI and the app's status bar both print."""

from __future__ import annotations

from engine.library.report import FileError, IndexReport


def test_summary_names_every_count_or_only_what_happened():
    report = IndexReport(added=4, moved=1, errors=[FileError("/a/broken.wav", "not audio")])
    assert report.summary() == "4 added, 0 updated, 1 moved, 0 removed, 1 failed"
    assert report.summary(zeros=False) == "4 added, 1 moved, 1 failed"
    assert IndexReport().summary(zeros=False) == ""
    assert IndexReport(reread=3).summary(zeros=False) == "3 descriptions read again"
    assert IndexReport(added=1, reread=3).summary().endswith("0 failed, 3 descriptions read again")


def test_files_embedded_again_are_said_only_when_there_were_some():
    """After a repair or a model switch, every file kept as it was is embedded again: said, not "0 updated"."""
    again = IndexReport(embedded=1_775, embedded_again=1_775)
    assert again.summary() == "0 added, 0 updated, 0 moved, 0 removed, 0 failed, 1,775 embedded again"
    assert again.summary(zeros=False) == "1,775 embedded again"
    assert "again" not in IndexReport(added=2, embedded=2).summary()


def test_files_indexed_with_a_warning_are_said_only_when_there_were_some_and_the_hint_follows_them():
    """Searchable, so not "failed"; said so the user checks them, the hint of where they are
    listed after the last of the two counts it is said of."""
    cut = FileError("/a/cut.wav", "cut short: 100 bytes (1.1 ms) of the audio its header promises are missing")
    warned = IndexReport(added=3, warnings=[cut], copies=2)
    duplicates = "2 duplicate files (each sound embedded once)"
    assert warned.summary() == f"3 added, 0 updated, 0 moved, 0 removed, 0 failed, 1 with a warning, {duplicates}"
    assert warned.summary(zeros=False, where_listed=" (see X)") == f"3 added, 1 with a warning (see X), {duplicates}"
    both = IndexReport(added=3, errors=[FileError("/a/b.wav", "not audio")], warnings=[cut, cut])
    assert both.summary(zeros=False, where_listed=" (see X)") == "3 added, 1 failed, 2 with a warning (see X)"
    assert IndexReport(added=3).summary(zeros=False, where_listed=" (see X)") == "3 added"
    assert "warning" not in IndexReport(added=3).summary()


def test_a_run_and_the_rerun_after_it_are_said_as_one():
    """A run asked for again during a long one (a folder added, the watcher) said only the empty
    rerun's "no changes · 0.1 s" after three minutes of embedding 1,289 files (review 16, M7): what
    each did adds up, the library is as the later run left it, a file that failed twice is one."""
    broken, cut = FileError("/a/broken.wav", "not audio"), FileError("/a/cut.wav", "cut short")
    long_run = IndexReport(
        scanned=1_289,
        added=1_288,
        embedded=1_288,
        moved=2,
        moved_from={"/old": 2},
        errors=[broken],
        warnings=[cut],
        failed_ids=[7],
        offline_folders=["/mnt/drive"],
        back_online=["/mnt/usb"],
        unreadable_formats=["/a/memo.m4a"],
        stopped=True,
        seconds=192.9,
    )
    rerun = IndexReport(
        scanned=1_290,
        unchanged=1_288,
        added=1,
        embedded=1,
        moved=1,
        moved_from={"/old": 1},
        errors=[FileError("/a/broken.wav", "not audio still")],
        failed_ids=[7],
        seconds=0.1,
    )
    both = long_run.then(rerun)
    assert both.summary(zeros=False) == "1,289 added, 3 moved from /old, 1 failed, 1 with a warning"
    assert (both.scanned, both.unchanged, both.embedded, both.failed_ids) == (1_290, 1_288, 1_289, [7])
    assert both.errors == [FileError("/a/broken.wav", "not audio still")] and both.warnings == [cut]
    assert both.offline_folders == [] and both.unreadable_formats == [] and both.back_online == ["/mnt/usb"]
    assert not both.stopped and round(both.seconds, 1) == 193.0
    assert long_run.added == 1_288 and rerun.added == 1  # neither changed
