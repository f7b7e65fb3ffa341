"""A pack dropped into a watched folder: the watcher's batch shows its progress as an indexing run
does (the status bar's "Embedding 12 / 40", the folder's "12 so far"), then reads finished."""

from __future__ import annotations

import re
import threading

from PySide6.QtCore import Qt

from app import engine_client, library_panel
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder
from tests.factories import tone, write_audio

WATCH_TIMEOUT_MS = 60_000


def test_a_pack_the_watcher_indexes_shows_its_progress_and_the_folders_count_so_far(
    qtbot, window, tmp_path, monkeypatch
):
    """The reviewer's 1,500-file pack indexed for a minute with the status bar empty and the folder
    still reading "69/75"; here the batch is held at its 30th file while the window is read."""
    monkeypatch.setattr(engine_client, "WATCH_SHOWN_AFTER_S", 0.0)  # this small pack is quick
    monkeypatch.setattr(library_panel, "COUNTS_EVERY_S", 0.0)
    folder = tmp_path / "lib"
    write_audio(folder / "first.wav", tone(300, 0.3))
    index_folder(qtbot, window, folder)
    client, row = window.client, window.library.folders.topLevelItem(0)
    qtbot.waitUntil(lambda: row.text(1) == "1/1", timeout=10_000)
    held, shown, ended = threading.Event(), threading.Event(), []

    def hold(progress) -> None:  # on the watcher's thread: the batch waits until the window has said it
        if progress is None:
            ended.append(True)
        elif progress.phase == "embedding" and progress.done == 30:
            held.set()
            shown.wait(timeout=ENGINE_TIMEOUT_MS / 1000)

    client.watch_progress.connect(hold, Qt.DirectConnection)
    for k in range(40):
        write_audio(tmp_path / "pack" / f"hum_{k:02}.wav", tone(150 + 10 * k, 0.2))
    (tmp_path / "pack").rename(folder / "pack")  # dropped into the watched folder at once: one batch
    qtbot.waitUntil(held.is_set, timeout=WATCH_TIMEOUT_MS)
    try:
        qtbot.waitUntil(lambda: window.indexing.label.text().startswith("Embedding 30 / 40"), timeout=10_000)
        assert window.indexing.isVisible() and not window.indexing.pause_button.isVisible()
        qtbot.waitUntil(lambda: re.fullmatch(r"\d+ so far", row.text(1)) is not None, timeout=10_000)
        assert not client.indexing  # said of the watcher's batch, not of an indexing run
    finally:
        shown.set()
    qtbot.waitUntil(lambda: bool(ended), timeout=WATCH_TIMEOUT_MS)
    qtbot.waitUntil(lambda: row.text(1) == "41/41", timeout=10_000)
    qtbot.waitUntil(lambda: not window.indexing.isVisible(), timeout=10_000)
