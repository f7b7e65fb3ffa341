"""The results' Name column in the default window: the file names get the room first, and widths
the user sized come back while widths only fitted to a window are fitted to the next one."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QStyleOptionViewItem

from app.results_model import COLUMNS, NAME_COLUMN
from tests.app.conftest import ENGINE_TIMEOUT_MS, drag_section_edge, index_folder, open_window, write_library
from tests.app.test_main_window import type_query

# The review's names, cut in the middle at 1440 px: "DOORWood_C… Old Hinge", "FOOTGrvl_W…low_ERMK_01.wav"
UCS_NAMES = ("DOORWood_Creak Slow Old Hinge_ERMK_01.wav", "FOOTGrvl_Walk Boots Slow_ERMK_01.wav")


def drawn_name(view, row: int) -> str:
    """The Name cell's text as its delegate draws it: the name whole, or cut to the cell."""
    index = view.model().index(row, NAME_COLUMN)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    view.itemDelegateForColumn(NAME_COLUMN).initStyleOption(option, index)
    return option.text


def test_in_the_default_window_ucs_names_show_whole_beside_every_other_column(qtbot, window, library):
    """Every column holds words (a description, tags, a caption), the window is as big as at a
    first start: the Name column is as wide as the names need, and every column is still in view."""
    type_query(qtbot, window, "door")
    worded = dataclasses.replace(
        window.model.hits()[0],
        tags=["door", "wood", "creak"],
        caption="an old wooden door creaks open slowly",
        metadata_text="Wooden door creaking slowly",
    )
    window.results.show_descriptions(True)
    window.model.set_hits([dataclasses.replace(worded, path=f"/lib/Doors/{name}") for name in UCS_NAMES])
    view, header = window.results, window.results.horizontalHeader()
    qtbot.waitUntil(lambda: all(header.sectionSize(c) > 0 for c in range(len(COLUMNS))), timeout=5_000)
    assert window.size().toTuple() == (1440, 880)  # nothing saved: the window's own first size
    assert [drawn_name(view, row) for row in range(len(UCS_NAMES))] == list(UCS_NAMES)
    assert view.horizontalScrollBar().maximum() == 0  # the other columns gave way, none left the view


def test_widths_the_user_sized_come_back_and_widths_fitted_to_one_window_fit_the_next(
    qtbot, earmark_home, tiny_checkpoint, tmp_path
):
    """Closing saved the widths fitted to that window as if the user had sized them: every later
    start kept them, scrolled sideways in a smaller window and never gave the Name the room a new
    layout gives it. Only widths the user sized are kept."""
    window = open_window(qtbot, str(tiny_checkpoint))
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    index_folder(qtbot, window, write_library(tmp_path / "Sound Effects")["dog_bark.wav"].parent)
    type_query(qtbot, window, "door")
    window.close()  # no column sized by hand

    again = open_window(qtbot, str(tiny_checkpoint))
    header = again.results.horizontalHeader()
    again.resize(1280, 720)  # the review's laptop
    qtbot.waitUntil(lambda: again.results.viewport().width() < 1280 - again.library.width(), timeout=5_000)
    qtbot.waitUntil(lambda: again.results.horizontalScrollBar().maximum() == 0, timeout=5_000)  # fitted anew
    drag_section_edge(qtbot, header, NAME_COLUMN, 180)
    assert header.sectionSize(NAME_COLUMN) == 180
    again.close()

    last = open_window(qtbot, str(tiny_checkpoint))
    last.resize(1440, 880)
    qtbot.waitUntil(lambda: last.results.viewport().width() > 1000, timeout=5_000)
    assert last.results.horizontalHeader().sectionSize(NAME_COLUMN) == 180  # the user's, not fitted
