"""The results' Tags column: each tag as the file holds it, the UCS name (WATER-SPLASH) as the tags
field, the suggestions, the status line, the Tag filter and ``earmark`` say it (review 19, L1: the
column read "Cartoon animal" where all of those said CARTOON-ANIMAL), as many whole as fit, then
"+N" (review 15, L10: "WATER-SPL…" and "USER INTER…" at 1440 px, "WATER-…" at 1024 px)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyleOptionViewItem

from app.results_model import TAGS_COLUMN, TAGS_ROLE
from app.results_view import elide_tags, text_width
from app.tags_panel import TagsPanel
from engine.tags import names_tag
from tests.app.conftest import Hit, shown_results

TAGGED = {
    "splash1.wav": ["WATER-SPLASH", "EXPLOSIONS-MISC", "USER INTERFACE-CLICK"],
    "splash2.wav": ["WATER-SPLASH", "debris", "DOORS-WOOD"],
    "splash3.wav": ["WATER-SPLASH"],
    "toon.wav": ["CARTOON-ANIMAL"],
}


def drawn_tags(view, row: int) -> tuple[str, bool]:
    """The Tags cell's text as its delegate draws it, and whether it fits the cell's text width."""
    index = view.model().index(row, TAGS_COLUMN)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text, option.fontMetrics.horizontalAdvance(option.text) <= text_width(option)


def test_a_tag_reads_in_the_column_as_in_the_tags_field_and_the_tag_filter_takes_it(qtbot):
    model, _view = shown_results(qtbot, 1100, 300, themed=True)
    hits = [Hit(f"/lib/{name}", 90.0, tags=tags) for name, tags in TAGGED.items()]
    model.set_hits(hits)
    panel = TagsPanel()
    qtbot.addWidget(panel)
    for row, hit in enumerate(hits):
        panel.show_hits([hit])
        cell = model.index(row, TAGS_COLUMN)
        assert cell.data() == panel.tags.text()  # "CARTOON-ANIMAL" both, not "Cartoon animal" in the column
        assert all(names_tag(shown, *hit.tags) for shown in cell.data(TAGS_ROLE))  # typed in the Tag filter
    assert model.index(3, TAGS_COLUMN).data() == "CARTOON-ANIMAL"
    assert model.index(1, TAGS_COLUMN).data(Qt.ToolTipRole) == "WATER-SPLASH\ndebris\nDOORS-WOOD"  # "+N"'s too
    assert model.hit(1).tags == TAGGED["splash2.wav"]


@pytest.mark.parametrize(
    ("width", "drawn"),
    [
        # the results of a 1440 px window: the tags whole where they fit the column's most, else "+N"
        (1100, ["WATER-SPLASH +2", "WATER-SPLASH, debris +1", "WATER-SPLASH", "CARTOON-ANIMAL"]),
        # of a 1024 px window: the first tag whole, and how many more (the Rate and Format fold for it)
        (780, ["WATER-SPLASH +2", "WATER-SPLASH +2", "WATER-SPLASH", "CARTOON-ANIMAL"]),
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
    tags = ["USER INTERFACE-CLICK", "WATER-SPLASH", "debris"]
    cut = elide_tags(tags, metrics, metrics.horizontalAdvance("USER INTER +2"))
    assert cut.endswith("… +2") and cut.startswith("USER")
    alone = elide_tags(tags[:1], metrics, metrics.horizontalAdvance("USER INTER"))
    assert alone.endswith("…") and "+" not in alone
