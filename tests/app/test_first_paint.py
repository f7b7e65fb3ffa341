"""The window's first paint (review 9, L8): on a new home the results, preview and tags layout
showed "Opening your library…" for a second before the first-run page. The real window offscreen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from app.notices import NO_FOLDERS
from engine.facade import Engine
from engine.paths import app_paths
from tests.app.conftest import ENGINE_TIMEOUT_MS, new_window


def ready(qtbot, window) -> None:
    """Wait for the model and the start-up run, so no work of the window outlives the test."""
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.client.indexing, timeout=ENGINE_TIMEOUT_MS)


class Paints(QObject):
    """The names of the watched widgets, in the order they were painted."""

    def __init__(self, **widgets):
        super().__init__()
        self.names = {widget: name for name, widget in widgets.items()}
        self.seen: list[str] = []
        for widget in widgets.values():
            widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint:
            self.seen.append(self.names[watched])
        return False


def test_a_new_home_paints_the_first_run_page_first_and_nothing_else(qtbot, earmark_home, tiny_checkpoint):
    window = new_window(qtbot, str(tiny_checkpoint))
    assert window.client.engine is None  # the index is still to open
    assert window.center.currentWidget() is window.empty and window.result_label.text() == NO_FOLDERS
    paints = Paints(first_run=window.empty, results=window.results.viewport())
    listed = []
    window.client.folders_changed.connect(listed.append)
    window.show()
    assert window.empty.isVisible() and not window.results.isVisible()
    qtbot.waitUntil(lambda: listed == [[]], timeout=ENGINE_TIMEOUT_MS)  # the index, opened, says: none
    assert "first_run" in paints.seen and "results" not in paints.seen
    assert not window.filter_bar.isVisible()  # nothing to filter yet
    assert window.center.currentWidget() is window.empty
    ready(qtbot, window)


def test_a_home_with_a_library_opens_on_the_results_saying_it_is_opening(
    qtbot, earmark_home, tiny_checkpoint, tmp_path
):
    (tmp_path / "Sound Effects").mkdir()
    with Engine(app_paths().ensure(), str(tiny_checkpoint)) as engine:  # an earlier session's index, with a folder
        engine.add_folder(tmp_path / "Sound Effects")
    window = new_window(qtbot, str(tiny_checkpoint))
    assert window.center.currentWidget() is window.center_split
    assert window.no_results.text() == "Opening your library…"
    ready(qtbot, window)
