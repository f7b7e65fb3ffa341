"""The window while a drive comes and goes under its watcher (a real unmount where the test can
mount, a renamed folder everywhere): results stay, greyed; the preview says why it will not play;
the Offline filter hides them; back online with no manual index. And a drive whose stat hangs
does not freeze the window."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.offline import is_offline
from app.results_model import COLUMNS
from app.theme import Colors
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder, write_library
from tests.app.test_main_window import names, type_query
from tests.drives import HangingShare
from tests.factories import tone, write_audio

WATCH_TIMEOUT_MS = 30_000


def test_an_unplugged_drive_stays_searchable_greyed_and_comes_back(qtbot, window, drive):
    write_library(drive.root)
    index_folder(qtbot, window, drive.root)
    type_query(qtbot, window, "dog bark")
    assert names(window)[0] == "dog_bark.wav" and not is_offline(window.model.hit(0))

    drive.unplug()
    folders = window.library.folders
    qtbot.waitUntil(lambda: folders.topLevelItem(0).text(1) == "offline", timeout=WATCH_TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: window.model.rowCount() and all(is_offline(h) for h in window.model.hits()), timeout=WATCH_TIMEOUT_MS
    )  # the open query refreshed by itself
    assert names(window)[0] == "dog_bark.wav"  # still found, where it was
    assert all(window.model.index(0, c).data(Qt.ForegroundRole) == Colors.offline for c in range(len(COLUMNS)))

    window.results.selectRow(0)
    assert "on “SFX Drive”" in window.preview.offline_reason
    # a renamed-away folder (where nothing mounts) is missing from a drive that is there, not unplugged
    said = "missing: moved, renamed or deleted?" if drive.kind == "rename" else "its drive is not connected"
    assert said in window.preview.offline_reason and said in folders.topLevelItem(0).toolTip(0)
    assert not window.preview.play_button.isEnabled() and not window.preview.drag_handle.isEnabled()
    window.preview.toggle_playback()  # Space
    assert not window.player.is_playing()
    assert window.statusBar().currentMessage().startswith("dog_bark.wav is offline: it is on “SFX Drive”")

    window.filter_bar.offline.setChecked(False)
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=ENGINE_TIMEOUT_MS)
    window.filter_bar.offline.setChecked(True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=ENGINE_TIMEOUT_MS)

    drive.replug()
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 4 and not any(is_offline(h) for h in window.model.hits()),
        timeout=WATCH_TIMEOUT_MS,
    )
    qtbot.waitUntil(lambda: window.preview.offline_reason == "", timeout=10_000)  # the selection plays again
    write_audio(drive.root / "bell_ring.wav", tone(1200, 0.5))
    store = window.client.engine.store
    qtbot.waitUntil(
        lambda: getattr(store.get_file(str(drive.root / "bell_ring.wav")), "status", "") == "ok",
        timeout=WATCH_TIMEOUT_MS,
    )
    type_query(qtbot, window, "bell")
    assert names(window)[0] == "bell_ring.wav"
    window.results.clearSelection()  # the preview lets go of the file, so the drive can be unmounted


def test_a_drive_whose_stat_hangs_never_freezes_the_window(qtbot, window, library, tmp_path):
    share = HangingShare(tmp_path / "Sound Effects")
    probe = window.client.engine.root_probe  # the watcher's, swapped in place for a hanging stat
    probe.timeout_s, probe.check = 0.5, share
    try:  # a UI thread stuck in the hung stat would never get here: the share hangs until the end
        folders = window.library.folders
        qtbot.waitUntil(lambda: folders.topLevelItem(0).text(1) == "offline", timeout=WATCH_TIMEOUT_MS)
        type_query(qtbot, window, "dog bark")  # and searching goes on while the share still hangs
        assert is_offline(window.model.hit(0)) and not share.release.is_set()
    finally:
        share.release.set()
