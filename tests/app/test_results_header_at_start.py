"""The results' header at a start: the first one painted is the one that stays once the library is
open and its first results are in. The real window on a real engine, offscreen, two sessions."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView

from app.results_model import COLUMNS, DESCRIPTION_COLUMN
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder, new_window, open_window, settle, write_library
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk
from tests.factories import tone, write_audio


class PaintedHeaders(QObject):
    """Each header ``header`` paints that differs from the one before: its shown columns' titles and widths."""

    def __init__(self, header: QHeaderView):
        super().__init__()
        self.header = header
        self.seen: list[list[tuple[str, int]]] = []
        header.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint:
            shown = [
                (spec.title, self.header.sectionSize(column))
                for column, spec in enumerate(COLUMNS)
                if not self.header.isSectionHidden(column)
            ]
            if not self.seen or self.seen[-1] != shown:
                self.seen.append(shown)
        return False


def test_the_header_painted_first_at_a_start_is_the_one_that_stays(qtbot, earmark_home, tiny_checkpoint, tmp_path):
    """Review: at each start the header showed the Tags and Caption, then the Description once the
    library opened (it holds a description), then other widths again for the results: it was
    fitted to the empty list before the library said what it holds. The header the last session
    left comes back as it was, and stays so until the first results, which it was fitted to."""
    write_library(tmp_path / "Sound Effects")
    barn = write_audio(tmp_path / "Sound Effects" / "barn_door.wav", tone(300, 1.0))
    append_riff_chunks(barn, {b"bext": bext_chunk("Barn door, slow creak, rusty hinge")})
    window = open_window(qtbot, str(tiny_checkpoint))
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.client.indexing, timeout=ENGINE_TIMEOUT_MS)
    index_folder(qtbot, window, tmp_path / "Sound Effects")
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=ENGINE_TIMEOUT_MS)
    window.resize(1440, 880)
    header = window.results.horizontalHeader()
    qtbot.waitUntil(lambda: not header.isSectionHidden(DESCRIPTION_COLUMN), timeout=5_000)
    window.close()  # the header is saved

    again = new_window(qtbot, str(tiny_checkpoint))
    painted = PaintedHeaders(again.results.horizontalHeader())
    again.resize(1440, 880)  # the size it was saved at (restoreGeometry fits it to the offscreen screen)
    again.show()
    qtbot.waitUntil(lambda: again.model.rowCount() == 5, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: again.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    settle(again.client.search_pool)  # the answer by the words, then the one by the sound too
    again.results.horizontalHeader().viewport().repaint()  # the header as it stands now, painted
    assert len(painted.seen) == 1, painted.seen
    assert "Description" in dict(painted.seen[0])
