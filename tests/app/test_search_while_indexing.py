"""A search while the library is still being indexed, with the real engine and the tiny model: its
results line says only part of the library is ranked yet (review 16, L11)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder
from tests.factories import tone, write_audio

INDEXED, FILES, HELD_AT = 3, 6, 4


def test_a_search_during_indexing_says_how_much_of_the_library_is_embedded_so_far(qtbot, window, tmp_path):
    """Three minutes into indexing 1,289 files, "telephone ring" said "No file is named so or close
    to it: 500 sounds ranked by how they sound ..." as if of the whole library. Here a folder is
    added to a library of a few sounds, and searched while its files are embedded."""
    for k in range(INDEXED):
        write_audio(tmp_path / "indexed" / f"hum_{k}.wav", tone(150 + 20 * k, 0.5))
    index_folder(qtbot, window, tmp_path / "indexed")
    folder = tmp_path / "lib"
    for k in range(FILES):
        write_audio(folder / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
    client, reports, go_on = window.client, [], threading.Event()
    client.index_finished.connect(reports.append)

    def hold(progress) -> None:
        """The indexer's thread waits at its HELD_AT-th file while the test searches: a run mid-way."""
        if progress.phase == "embedding" and progress.done == HELD_AT:
            go_on.wait(ENGINE_TIMEOUT_MS / 1000)

    client.index_progress.connect(hold, Qt.DirectConnection)
    try:
        window.add_folder(str(folder))
        bar = window.indexing.label  # the status bar's progress, as the user sees the run
        qtbot.waitUntil(lambda: bar.text().startswith(f"Embedding {HELD_AT:,} / {FILES:,}"), timeout=ENGINE_TIMEOUT_MS)
        window.search_field.setText("telephone ring")
        window.run_query("telephone ring")
        line = window.result_label
        qtbot.waitUntil(lambda: "telephone ring" in line.text(), timeout=ENGINE_TIMEOUT_MS)
        said = f": {INDEXED} sounds ranked by how they sound"  # those embedded before the run
        assert line.text().startswith("No file is named so") and said in line.text(), line.text()
        assert f"for “telephone ring” (indexing: {HELD_AT} of {FILES} sounds so far) · " in line.text()
    finally:
        go_on.set()
        client.index_progress.disconnect(hold)
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    # the run's end asks again: the library is whole, and the line says nothing of indexing
    qtbot.waitUntil(lambda: "indexing" not in line.text(), timeout=ENGINE_TIMEOUT_MS)
    assert line.text().startswith("No file is named so"), line.text()
    assert f": {INDEXED + FILES} sounds ranked by how they sound" in line.text()
