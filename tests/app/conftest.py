"""The real window on a real engine: tiny Cacophony model, LanceDB under an isolated home, files on disk."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QThreadPool
from PySide6.QtWidgets import QHeaderView

from app.engine_client import EngineClient
from app.main import ui_state
from app.main_window import MainWindow
from app.player import Player
from app.results_model import COLUMNS, ResultsModel
from app.results_view import ResultsView
from app.theme import resource_dir
from engine.paths import app_paths
from tests.engine.tagging.conftest import (  # noqa: F401 - a fixture
    NAMED,
    measured_as_is,
    tiny_term_cache,
    write_named_library,
)
from tests.factories import noise, tone, write_audio

ENGINE_TIMEOUT_MS = 120_000  # importing torch and LanceDB on a busy 2-core machine


@dataclass(frozen=True)
class Hit:
    """A search hit as the engine gives the results table one (engine.search.searcher.SearchHit's fields)."""

    path: str
    score: float
    duration_s: float = 1.0
    sample_rate: int = 48_000
    channels: int = 2
    format: str = "wav"
    bit_depth: int | None = 24
    tags: list = field(default_factory=list)
    caption: str = ""
    metadata_text: str = ""  # the file's own words (engine.audio.metadata.FileMetadata.text)
    folder: str = "/lib"
    best_start_s: float | None = None
    text_rank: int | None = None
    meaning_rank: int | None = None
    vector_rank: int | None = None
    best_end_s: float | None = None
    copies: tuple[str, ...] = ()
    vector_score: float | None = None


def column(title: str) -> int:
    """The results table's column titled ``title``."""
    return next(i for i, c in enumerate(COLUMNS) if c.title == title)


def shown_results(qtbot, width: int, height: int, themed: bool = False) -> tuple[ResultsModel, ResultsView]:
    """An empty results list shown at ``width`` x ``height``; ``themed``: in the app's dark theme
    (its font size and cell padding decide what fits), set on the view alone, leaving the
    application's style as the other tests expect it."""
    model = ResultsModel()
    view = ResultsView()
    qtbot.addWidget(view)
    if themed:
        view.setStyleSheet(
            (resource_dir() / "theme" / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", "")
        )
    view.setModel(model)
    view.resize(width, height)
    view.show()
    return model, view


def drag_section_edge(qtbot, header: QHeaderView, section: int, width: int) -> None:
    """Size ``section`` of ``header`` to ``width`` as a user does: the mouse drags its right edge."""
    edge = QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) - 1, header.height() // 2)
    moved = edge + QPoint(width - header.sectionSize(section), 0)
    qtbot.mousePress(header.viewport(), Qt.LeftButton, pos=edge)
    qtbot.mouseMove(header.viewport(), moved)
    qtbot.mouseRelease(header.viewport(), Qt.LeftButton, pos=moved)


def settle(pool: QThreadPool, timeout_ms: int = ENGINE_TIMEOUT_MS) -> None:
    """Wait until every task on ``pool`` has finished and its answer has reached the UI thread,
    so a test can then assert that something did not happen, rather than wait a while for it.
    The answers are queued signals: ``qtbot.wait(0)`` returns without running the event loop."""
    assert pool.waitForDone(timeout_ms)
    QCoreApplication.processEvents()


def write_library(folder: Path) -> dict[str, Path]:
    """A few short sounds whose names say what they are; the bark is long enough for several windows."""
    bark = np.zeros(4 * 16_000, np.float32)
    bark[32_000:41_600] = tone(600, 0.6)
    sounds = {
        "door_creak_wooden.wav": np.sin(np.linspace(0, 300, 16_000)).astype(np.float32) * noise(1.0, amp=0.5),
        "dog_bark.wav": bark,
        "rain_on_glass.flac": noise(1.2, seed=3),
        "sine_beep.wav": tone(1000, 0.3),
    }
    return {name: write_audio(folder / name, samples) for name, samples in sounds.items()}


def new_window(qtbot, model_spec: str | None) -> MainWindow:
    """The window in its first moments: the library opens on a worker whose answer only the event
    loop delivers, so until the test waits there is no engine (as while it opens or is repaired)."""
    paths = app_paths().ensure()  # EARMARK_HOME is set by the earmark_home fixture
    window = MainWindow(EngineClient(paths, model_spec), ui_state(paths))
    qtbot.addWidget(window)
    return window


def open_window(qtbot, model_spec: str | None) -> MainWindow:
    """The window once its library is open (its index can be read from a moment before): the model
    loads next."""
    window = new_window(qtbot, model_spec)
    with qtbot.waitSignal(window.client.opened, timeout=ENGINE_TIMEOUT_MS):
        window.show()
    return window


@pytest.fixture
def player():
    """A Player of its own (the window's is its child), stopped and deleted on this, the UI, thread
    when the test ends. Left to Python's cycle collector, a Qt object is destroyed on whichever
    thread happens to collect: a pool's or LanceDB's, while its timer may still be due here."""
    player = Player()
    yield player
    player.shutdown()
    shiboken6.delete(player)


@pytest.fixture
def window(qtbot, earmark_home, tiny_checkpoint) -> MainWindow:
    """The window with the tiny model loaded and no folders yet."""
    window = open_window(qtbot, str(tiny_checkpoint))
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.client.indexing, timeout=ENGINE_TIMEOUT_MS)  # the start-up catch-up run
    return window


def index_folder(qtbot, window: MainWindow, folder: Path) -> list:
    """Add ``folder`` through the window and wait for its indexing run; returns the reports."""
    reports = []
    window.client.index_finished.connect(reports.append)
    window.add_folder(str(folder))
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    return reports


@pytest.fixture
def library(qtbot, window, tmp_path) -> dict[str, Path]:
    """Four sounds, added and indexed through the window."""
    files = write_library(tmp_path / "Sound Effects")
    index_folder(qtbot, window, tmp_path / "Sound Effects")
    return files


@pytest.fixture
def earmark_home(earmark_home, tiny_term_cache):  # noqa: F811 - the root conftest's, with the terms
    """An empty EARMARK_HOME whose cache holds the UCS terms as the tiny model embeds them: a window
    makes the vocabularies of a model as it becomes the active one (app.tagging_client), seconds of
    CPU beside every window test that never suggests a tag."""
    shutil.copytree(tiny_term_cache, earmark_home / "cache" / "tagging")
    return earmark_home


def open_tagging_window(qtbot, home: str, checkpoint: Path, term_cache: Path) -> MainWindow:
    """The window on the tiny model (``checkpoint``), loaded and caught up, with the UCS terms
    embedded already (``term_cache`` copied into ``home``: embedding them takes a while)."""
    shutil.copytree(term_cache, Path(home) / "cache" / "tagging", dirs_exist_ok=True)
    window = open_window(qtbot, str(checkpoint))
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.client.indexing, timeout=ENGINE_TIMEOUT_MS)
    return window


@pytest.fixture
def tagging_window(qtbot, earmark_home, tiny_checkpoint, tiny_term_cache, tmp_path, monkeypatch):  # noqa: F811
    """The window on the tiny model, measured (:func:`measured_as_is`), with the UCS terms embedded
    already and the named library indexed."""
    window = open_tagging_window(qtbot, earmark_home, tiny_checkpoint, tiny_term_cache)
    measured_as_is(monkeypatch, window.client.model_info.name, tmp_path)
    folder = write_named_library(tmp_path / "Named")
    index_folder(qtbot, window, folder)
    qtbot.waitUntil(lambda: window.model.rowCount() == len(NAMED), timeout=ENGINE_TIMEOUT_MS)
    return window, folder
