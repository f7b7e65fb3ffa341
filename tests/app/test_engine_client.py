"""The client's status-bar line for an indexing run: the engine's summary plus the window's hints."""

from __future__ import annotations

from app.engine_client import describe_report, describe_watched, folder_news_details
from engine.library.report import FileError, IndexReport


def test_the_app_status_line_adds_its_hints_to_the_same_words():
    report = IndexReport(added=2, errors=[FileError("/a/b.wav", "x")], offline_folders=["/mnt/drive"], seconds=1.25)
    assert describe_report(report) == (
        "Library up to date: 2 added, 1 failed (see Failed files), “drive” offline · 1.2 s"
    )
    assert describe_report(IndexReport(stopped=True)) == "Indexing paused: no changes · 0.0 s"
    copied = IndexReport(added=3, copies=2, errors=[FileError("/a/b.wav", "x")])  # the hint by the failures
    assert describe_report(copied) == (
        "Library up to date: 3 added, 1 failed (see Failed files), 2 duplicate files (each sound embedded once) · 0.0 s"
    )
    warned = IndexReport(added=3, warnings=[FileError("/a/cut.wav", "cut short")], seconds=0.4)  # listed there too
    assert describe_report(warned) == "Library up to date: 3 added, 1 with a warning (see Failed files) · 0.4 s"
    skipped = IndexReport(unreadable_formats=["/lib/memo.m4a", "/lib/kit/snare.wv", "/lib/kit/kick.WV"], seconds=0.5)
    assert describe_report(skipped) == (
        "Library up to date: 3 sounds in formats Earmark cannot read (1 .m4a, 2 .wv): "
        "convert them to WAV or FLAC to search them · 0.5 s"
    )


def test_counts_in_the_status_line_are_said_in_words():
    """One of a thing is said in the singular, sentence and all; two or more in the plural."""
    offline = IndexReport(offline_folders=["/mnt/a", "/mnt/b"])
    assert describe_report(offline) == "Library up to date: 2 folders offline · 0.0 s"
    assert describe_report(IndexReport(back_online=["/mnt/a"])) == "Library up to date: “a” back online · 0.0 s"
    one = IndexReport(unreadable_formats=["/lib/memo.m4a"])
    assert describe_report(one) == (
        "Library up to date: 1 sound in a format Earmark cannot read (1 .m4a): "
        "convert it to WAV or FLAC to search it · 0.0 s"
    )
    two = IndexReport(unreadable_formats=["/lib/memo.m4a", "/lib/take.m4a"])  # two sounds, one format
    assert describe_report(two).startswith("Library up to date: 2 sounds in a format Earmark cannot read (2 .m4a)")


def test_a_watched_batch_says_only_what_the_user_must_act_on():
    """A file dropped in that fails was listed in Failed files without a word in the status bar."""
    assert describe_watched(IndexReport(added=3, seconds=0.4)) == ""
    broken = IndexReport(added=1, errors=[FileError("/lib/new/broken.wav", "not a sound file")])
    assert describe_watched(broken) == "broken.wav could not be indexed (see Failed files)"
    both = IndexReport(
        errors=[FileError("/lib/a.wav", "x"), FileError("/lib/b.wav", "y")], unreadable_formats=["/lib/m.m4a"]
    )
    assert describe_watched(both) == (
        "2 files could not be indexed (see Failed files), "
        "1 sound in a format Earmark cannot read (1 .m4a): convert it to WAV or FLAC to search it"
    )
    assert (
        describe_watched(IndexReport(offline_folders=["/mnt/drive"])) == "“drive” offline"
    )  # was said by rescans only
    assert describe_watched(IndexReport(added=4, back_online=["/mnt/drive"])) == "“drive” back online"


def test_a_watched_batch_says_which_offline_folder_its_moves_came_from():
    """The user renamed a library folder and added the new name: its files are followed, tags and
    all, from the old name's offline rows. The batch said nothing of it."""
    followed = IndexReport(moved=18, moved_from={"/lib/C renamed": 18})
    assert describe_watched(followed) == "18 files moved from “C renamed”"
    two = IndexReport(moved=21, moved_from={"/lib/C renamed": 20, "/mnt/old/D": 1}, offline_folders=["/mnt/x"])
    assert describe_watched(two) == "21 files moved from 2 folders, “x” offline"
    assert describe_watched(IndexReport(moved=3)) == ""  # moves inside a folder: the results say them


def test_the_tooltip_lists_the_folders_moves_came_from_as_the_line_counts_them():
    """ "21 files moved from 2 folders" (and a run's "21 moved (20 from ..., 1 from ...)", cut at the
    status bar's width) named the folders nowhere the user could read them whole: the tooltip over
    the line listed the offline and back online folders only."""
    two = IndexReport(moved=21, moved_from={"/lib/C renamed": 20, "/mnt/old/D": 1}, offline_folders=["/mnt/x"])
    assert describe_watched(two) == "21 files moved from 2 folders, “x” offline"
    assert folder_news_details(two) == (
        "Moved from: /lib/C renamed (20 files)\nMoved from: /mnt/old/D (1 file)\nOffline: /mnt/x"
    )
    run = IndexReport(moved=18, moved_from={"/lib/C renamed": 18}, back_online=["/mnt/a"])
    assert folder_news_details(run) == "Moved from: /lib/C renamed (18 files)\nBack online: /mnt/a"
    assert folder_news_details(IndexReport(moved=3)) == ""  # moves inside a folder come from none
