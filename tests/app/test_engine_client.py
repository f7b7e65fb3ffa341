"""The client's status-bar line for an indexing run: the engine's summary plus the window's hints."""

from __future__ import annotations

from app.engine_client import describe_report
from engine.library.report import FileError, IndexReport


def test_the_app_status_line_adds_its_hints_to_the_same_words():
    report = IndexReport(added=2, errors=[FileError("/a/b.wav", "x")], offline_folders=["/mnt/drive"], seconds=1.25)
    assert describe_report(report) == (
        "Library up to date: 2 added, 1 failed (see Failed files), 1 folder(s) offline · 1.2 s"
    )
    assert describe_report(IndexReport(stopped=True)) == "Indexing paused: no changes · 0.0 s"
    skipped = IndexReport(unreadable_formats=["/lib/memo.m4a", "/lib/kit/snare.wv", "/lib/kit/kick.WV"], seconds=0.5)
    assert describe_report(skipped) == (
        "Library up to date: 3 sound(s) in formats Earmark cannot read (1 .m4a, 2 .wv): "
        "convert them to WAV or FLAC to search them · 0.5 s"
    )
