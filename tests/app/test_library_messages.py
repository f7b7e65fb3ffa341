"""What the window says of the library as a whole: how many sounds an empty search lists of how
many there are, which folders went offline, and what to do about one."""

from __future__ import annotations

from types import SimpleNamespace

from app import main_window
from app.main_window import results_line
from app.offline import missing_folders, offline_message
from engine.library.report import IndexReport
from engine.search.searcher import SearchResults
from tests.app.conftest import ENGINE_TIMEOUT_MS, Hit


def page(size: int, total: int | None = None) -> SearchResults:
    return SearchResults([Hit(f"/lib/{k}.wav", 0.0) for k in range(size)], total=total)


def test_an_empty_search_counts_what_it_lists_from_not_the_page_it_lists():
    """A 1,882-sound library said "500 sounds (type to search)": the result limit, read as if
    sounds were missing."""
    full = main_window.RESULT_LIMIT
    assert results_line("", page(full, 1_882)) == "the first 500 of 1,882 sounds (type to search)"
    assert results_line("", page(full, 500)) == "500 sounds (type to search)"
    assert results_line("", page(12, 12)) == "12 sounds (type to search)"
    # a folder's count is its own
    assert results_line("", page(full, 731), "in Doors") == "the first 500 of 731 sounds in Doors (type to search)"
    assert results_line("", page(7, 7), "in Doors") == "7 sounds in Doors (type to search)"


def test_the_window_says_how_many_sounds_the_library_holds_beyond_the_page(qtbot, window, library, monkeypatch):
    monkeypatch.setattr(main_window, "RESULT_LIMIT", 3)  # the four-sound library fills more than a page
    window.run_query("")
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=ENGINE_TIMEOUT_MS)
    assert window.result_label.text().startswith("the first 3 of 4 sounds (type to search) · ")


def test_a_folder_gone_offline_is_named_and_several_are_listed_in_the_tooltip(qtbot, window):
    """ "1 folder offline" left the user to find which; several are counted and listed whole."""
    status = window.statusBar()
    window._watcher_indexed(IndexReport(offline_folders=["/Volumes/SFX Drive"]))
    assert status.currentMessage() == "“SFX Drive” offline"
    assert status.toolTip() == "Offline: /Volumes/SFX Drive"
    window._index_finished(IndexReport(offline_folders=["/Volumes/A", "/Volumes/B"], back_online=["/mnt/C"]))
    assert status.currentMessage().startswith("Library up to date: 2 folders offline, “C” back online")
    assert status.toolTip() == "Offline: /Volumes/A\nOffline: /Volumes/B\nBack online: /mnt/C"
    window.show_error("Something else")  # the list goes with its line
    assert status.toolTip() == ""


def test_an_offline_sound_says_whether_to_connect_its_drive_or_find_its_folder():
    """A library folder renamed or deleted was said to be "not connected. Connect it ..."; the
    engine tells it from an unplugged drive now (FolderStatus.missing), and each is said its way out."""
    hit = Hit("/Volumes/SFX Drive/doors/creak.wav", 0.0, folder="/Volumes/SFX Drive")
    unplugged = offline_message(
        hit, missing_folders([SimpleNamespace(path="/Volumes/SFX Drive", online=False, missing=False)])
    )
    missing = offline_message(
        hit, missing_folders([SimpleNamespace(path="/Volumes/SFX Drive", online=False, missing=True)])
    )
    assert unplugged.startswith("creak.wav is offline: it is on “SFX Drive” (/Volumes/SFX Drive)")
    assert "its drive is not connected: connect it" in unplugged and "moved" not in unplugged
    assert missing.startswith("creak.wav is offline: it is on “SFX Drive” (/Volumes/SFX Drive)")
    assert "missing: moved, renamed or deleted? Add its new place, or remove it" in missing
    assert "not connected" not in missing
