"""An indexing run asked for again while it ran, with the real engine and the tiny model: what the
status bar says when the runs end (review 16, M7)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.app.conftest import ENGINE_TIMEOUT_MS
from tests.factories import tone, write_audio


def test_a_run_asked_for_again_says_what_the_first_run_added(qtbot, window, tmp_path):
    """After three minutes of embedding 1,289 files the status bar said "Library up to date: no
    changes · 0.1 s": the second run, asked for during the first, said only what it did."""
    folder = tmp_path / "lib"
    for k in range(6):
        write_audio(folder / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
    client, reports, asked = window.client, [], []
    client.index_finished.connect(reports.append)

    def ask_again(progress) -> None:
        """While the first file is embedded, the run is asked for again, as a folder added or the
        start-up's catch-up asks (on the indexer's thread here, so it is surely mid-run: the call
        only marks the run to be done once more)."""
        if progress.phase == "embedding" and not asked:
            asked.append(progress)
            client.index()

    client.index_progress.connect(ask_again, Qt.DirectConnection)
    window.add_folder(str(folder))
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    qtbot.wait(300)  # room for a second answer, had the rerun said its own
    client.index_progress.disconnect(ask_again)
    assert asked and not client.indexing
    assert len(reports) == 1 and reports[0].added == 6 and reports[0].scanned == 6
    assert window.statusBar().currentMessage().startswith("Library up to date: 6 added · ")
