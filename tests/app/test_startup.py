"""The app's first seconds: the library and searches by words come from the index at once, while
the model loads behind them and says so; once it is ready, searches hear the sounds too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.main import ui_state
from engine.facade import Engine
from engine.paths import app_paths
from engine.settings import Settings
from tests.app.conftest import ENGINE_TIMEOUT_MS, new_window, write_library
from tests.app.test_main_window import type_query


def indexed_library(folder: Path, model_spec: str) -> None:
    """``folder`` in the library and indexed, as an earlier session left it, with "door" the last query."""
    write_library(folder)
    paths = app_paths().ensure()
    with Engine(paths, model_spec) as engine:
        engine.add_folder(folder)
        engine.index()
    state = ui_state(paths)
    state.setValue("search/last_query", "door")
    state.sync()


def test_the_library_and_searches_by_words_come_before_the_model_which_says_it_is_loading(
    qtbot, earmark_home, tiny_checkpoint, tmp_path
):
    indexed_library(tmp_path / "Sound Effects", str(tiny_checkpoint))
    window = new_window(qtbot, str(tiny_checkpoint))
    # nothing read yet: the empty list says what it waits for
    assert window.no_results.text() == "Opening your library…" and not window.no_results.isHidden()
    client, held = window.client, []
    # A slow model (a large one, a slow drive): its load waits for the lock the engine loads it under,
    # held from the moment the library is open until the test lets it go.
    client.opened.connect(lambda: held.append(client.engine._model_lock.acquire()))
    window.show()
    try:
        qtbot.waitUntil(lambda: window.library.folders.topLevelItemCount() == 1, timeout=ENGINE_TIMEOUT_MS)
        assert "Opening" not in window.no_results.text() or window.no_results.isHidden()
        qtbot.waitUntil(lambda: "for “door”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
        qtbot.waitUntil(lambda: bool(held), timeout=ENGINE_TIMEOUT_MS)
        assert client.engine.status().model_name is None  # not loaded: what shows came from the index alone
        assert "Loading the sound model" in window.model_label.text()
        # the suggestions' threshold is the saved one already (it read "≥ 0 %" until the model was ready)
        assert window.tags.suggestions.threshold.value() == round(100 * Settings().tag_threshold) > 0
        shown = [Path(hit.path).name for hit in window.model.hits()]
        assert shown == ["door_creak_wooden.wav"] and window.model.hits()[0].vector_rank is None
        type_query(qtbot, window, "whoosh")  # no name says it: the sounds are still to come, not "try other words"
        assert window.model.rowCount() == 0 and "once the sound model has loaded" in window.no_results.text()
        type_query(qtbot, window, "bark")  # the search box takes new words meanwhile
        assert [Path(hit.path).name for hit in window.model.hits()] == ["dog_bark.wav"]
        window.results.selectRow(0)  # previewed before the sound has said where in it the bark is
        assert window.preview.path.endswith("dog_bark.wav") and window.preview.waveform.match_window is None
        assert "Loading the sound model" in window.model_label.text()
    finally:
        if held:
            client.engine._model_lock.release()
    qtbot.waitUntil(lambda: client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    assert window.model_label.text() == f"Model: {tiny_checkpoint.name}"  # the folder's name, as the CLI says it
    # the same question answered again with the sound: the file still previewed and selected, and,
    # found by its name, still played from its start (no moment: engine.search.searcher._judge_moments)
    qtbot.waitUntil(lambda: window.model.hits()[0].vector_rank is not None, timeout=ENGINE_TIMEOUT_MS)
    bark = window.model.hit(window.model.row_of(window.preview.path))
    assert Path(bark.path).name == "dog_bark.wav" and window.results.selected_paths() == [bark.path]
    assert bark.best_start_s is None and window.preview.waveform.match_window is None
    # asked again with the model: the sounds are ranked by how they sound, as the results line says
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=ENGINE_TIMEOUT_MS)
    assert all(hit.vector_rank is not None for hit in window.model.hits())
    assert "ranked by" in window.result_label.text() and not window.no_results.isVisible()


# The client alone in a new interpreter: the test session has torch imported on its main thread
# already, which the app has not.
OPEN_IN_A_NEW_PROCESS = """
import gc, os, sys
from PySide6.QtCore import QCoreApplication
from app.engine_client import EngineClient
from engine.paths import app_paths

app = QCoreApplication([])
client = EngineClient(app_paths(sys.argv[1]), sys.argv[2])
client.index_opened.connect(lambda: print("index opened, torch imported:", "torch" in sys.modules, flush=True))
client.opened.connect(lambda: print("opened", flush=True))
# torch, LanceDB and the model, frozen out of the collector's full collections (a 0.3 s pause each)
ready = lambda info: print("model ready, the process's objects frozen:", gc.get_freeze_count() > 0, flush=True)
client.ready.connect(lambda info: (ready(info), app.quit()))
client.unavailable.connect(lambda message: (print("unavailable:", message, flush=True), app.quit()))
client.start()
app.exec()
client.shutdown()
"""


def test_a_new_app_reads_its_index_before_importing_torch_then_loads_the_model(earmark_home, tiny_checkpoint, tmp_path):
    """torch and the model take seconds to load: the index comes first. And the model loads in a
    process that imported torch the app's way (its first torch call on a worker crashed it)."""
    indexed_library(tmp_path / "Sound Effects", str(tiny_checkpoint))
    done = subprocess.run(
        [sys.executable, "-c", OPEN_IN_A_NEW_PROCESS, str(earmark_home), str(tiny_checkpoint)],
        cwd=Path(__file__).resolve().parents[2],
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        text=True,
        capture_output=True,
        timeout=ENGINE_TIMEOUT_MS / 1000,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "index opened, torch imported: False",
        "opened",
        "model ready, the process's objects frozen: True",
    ]
