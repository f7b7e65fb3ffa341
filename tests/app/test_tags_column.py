"""The results' Tags column: each tag in the words a sound designer reads ("Splash", not
"WATER-SPLASH", which the tooltip and the file keep), as many whole as fit, then "+N" (review 15,
L10: "WATER-SPL…" and "USER INTER…" at 1440 px, "WATER-…" at 1024 px)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyleOptionViewItem

from app.results_model import TAGS_COLUMN, TAGS_ROLE, tag_words
from app.results_view import elide_tags, text_width
from tests.app.conftest import Hit, shown_results

TAGGED = {
    "splash1.wav": ["WATER-SPLASH", "EXPLOSIONS-MISC", "USER INTERFACE-CLICK"],
    "splash2.wav": ["WATER-SPLASH", "DOORS-WOOD", "debris"],
    "splash3.wav": ["WATER-SPLASH"],
    "spray.wav": ["WATER-SPRAY"],
}


def drawn_tags(view, row: int) -> tuple[str, bool]:
    """The Tags cell's text as its delegate draws it, and whether it fits the cell's text width."""
    index = view.model().index(row, TAGS_COLUMN)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text, option.fontMetrics.horizontalAdvance(option.text) <= text_width(option)


@pytest.mark.parametrize(
    ("tag", "said"),
    [
        ("WATER-SPLASH", "Splash"),  # its subcategory names one category alone
        ("water-splash", "Splash"),  # in any case
        ("EXPLOSIONS-MISC", "Explosions"),  # a subcategory that says nothing: the category
        ("GLASS-BREAK", "Glass break"),  # BREAK is eight categories': "Break" would not say which
        ("DIRT & SAND-IMPACT", "Dirt & sand impact"),
        ("USER INTERFACE-CLICK", "User interface click"),
        ("debris", "debris"),  # the user's own tag, as written
    ],
)
def test_a_tag_reads_as_words(tag, said):
    assert tag_words(tag) == said


def test_the_tags_column_shows_words_and_its_tooltip_the_names_the_file_keeps(qtbot):
    model, _view = shown_results(qtbot, 1100, 300, themed=True)
    model.set_hits([Hit(f"/lib/{name}", 90.0, tags=tags) for name, tags in TAGGED.items()])
    cell = model.index(1, TAGS_COLUMN)
    assert cell.data() == "Splash, Doors wood, debris"
    assert cell.data(TAGS_ROLE) == ["Splash", "Doors wood", "debris"]
    assert cell.data(Qt.ToolTipRole) == "WATER-SPLASH\nDOORS-WOOD\ndebris"
    assert model.hit(1).tags == TAGGED["splash2.wav"]  # what is stored, and exported, stays the UCS name


@pytest.mark.parametrize(
    ("width", "drawn"),
    [
        # the results of a 1440 px window: the tags whole where they fit the column's most, else "+N"
        (1100, ["Splash, Explosions +1", "Splash, Doors wood, debris", "Splash", "Spray"]),
        # of a 1024 px window: the first tag whole, and how many more
        (780, ["Splash +2", "Splash +2", "Splash", "Spray"]),
    ],
)
def test_the_tags_column_reads_whole_tags_and_counts_the_others_at_1440_and_1024(qtbot, width, drawn):
    model, view = shown_results(qtbot, width, 300, themed=True)
    view.show_descriptions(True)  # a library whose files describe themselves: one column more
    model.set_hits([Hit(f"/lib/{name}", 90.0, tags=tags, metadata_text="Water") for name, tags in TAGGED.items()])
    qtbot.waitUntil(lambda: view.columnWidth(TAGS_COLUMN) > 0, timeout=5_000)
    cells = [drawn_tags(view, row) for row in range(len(TAGGED))]
    assert [text for text, _fits in cells] == drawn
    assert all(fits for _text, fits in cells)
    assert view.horizontalScrollBar().maximum() == 0


def test_a_tag_too_long_for_its_cell_is_cut_and_keeps_its_count(qtbot):
    _model, view = shown_results(qtbot, 400, 100, themed=True)
    metrics = QFontMetrics(view.font())
    cut = elide_tags(["Footsteps gravel", "Splash", "debris"], metrics, metrics.horizontalAdvance("Footsteps +2"))
    assert cut.endswith("… +2") and cut.startswith("Foot")
    alone = elide_tags(["Footsteps gravel"], metrics, metrics.horizontalAdvance("Footsteps"))
    assert alone.endswith("…") and "+" not in alone
