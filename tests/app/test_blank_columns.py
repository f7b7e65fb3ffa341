"""Review 18, L10: in a library whose names say nothing (Take_0001.ogg…), the Description, Tags and
Caption were blank in every row and still took their room beside the names. Blank in every row
listed, they fold and the Name and the Folder have their room; rows with words bring them back,
once the results stay, so the columns do not move at each answer while the user types. The
real results table, offscreen, in the app's theme."""

from __future__ import annotations

import dataclasses

from app.results_model import CAPTION_COLUMN, COLUMNS, DESCRIPTION_COLUMN, FOLDER_COLUMN, NAME_COLUMN, TAGS_COLUMN
from app.results_view import BLANK_SETTLES_MS
from tests.app.conftest import Hit, shown_results

BLANKABLE = (DESCRIPTION_COLUMN, TAGS_COLUMN, CAPTION_COLUMN)


def takes(first: int = 0) -> list[Hit]:
    """An opaque library's results: names and folders that say nothing, no description, tag or caption."""
    return [
        Hit(path=f"/lib/opaque/Disc0{n % 8 + 1}/Take_{n:04}.{'ogg' if n % 7 == 0 else 'wav'}", score=None)
        for n in range(first, first + 500)
    ]


def layout(view) -> list[int]:
    """The width of each column, 0 where it is folded."""
    header = view.horizontalHeader()
    return [0 if header.isSectionHidden(column) else header.sectionSize(column) for column in range(len(COLUMNS))]


def test_columns_blank_in_every_row_listed_give_their_room_to_the_names_and_folders(qtbot):
    """The results of a 1440 px window (the review's screenshot): 350 px of blank Description, Tags
    and Caption sat between the names and the facts. They fold, and the Name and the Folder share
    the room, the table no wider than its view."""
    model, view = shown_results(qtbot, 1115, 400, themed=True)
    view.show_descriptions(True)  # a file of the library describes itself, none of these
    model.set_hits(takes(), False)
    qtbot.waitUntil(view.verticalScrollBar().isVisible, timeout=5_000)  # the view as narrow as it gets
    widths = layout(view)
    assert [widths[column] for column in BLANKABLE] == [0, 0, 0]
    assert widths[NAME_COLUMN] > COLUMNS[NAME_COLUMN].width and widths[FOLDER_COLUMN] > COLUMNS[FOLDER_COLUMN].width
    assert abs(widths[NAME_COLUMN] - widths[FOLDER_COLUMN]) < COLUMNS[FOLDER_COLUMN].width  # shared, not all to one
    assert sum(widths) == view.viewport().width() and view.horizontalScrollBar().maximum() == 0


def test_words_arriving_bring_their_column_back_once_the_results_stay_and_nothing_moves_while_typing(qtbot):
    """A row with a caption (generated, arriving after the results) or a description brings its
    column back, with room to read it, and a list blank again folds it, each once the results have
    stayed: answers a moment apart, as a query typed is answered at each pause, move no column."""
    model, view = shown_results(qtbot, 1115, 400, themed=True)
    view.show_descriptions(True)
    header = view.horizontalHeader()
    model.set_hits(takes(), False)  # the first results: fitted at once, nothing was on screen
    qtbot.waitUntil(view.verticalScrollBar().isVisible, timeout=5_000)
    blank = layout(view)
    assert header.isSectionHidden(CAPTION_COLUMN) and header.isSectionHidden(DESCRIPTION_COLUMN)

    moves = []
    header.sectionResized.connect(lambda *resized: moves.append(resized))
    described = takes(500)
    described[3] = dataclasses.replace(described[3], metadata_text="Rain on a tin roof, light")
    model.set_hits(described, False)  # the answer to one pause in the typing…
    assert layout(view) == blank
    qtbot.wait(100)
    model.set_hits(takes(1000), False)  # …and to the next: blank again, as the columns are
    qtbot.wait(BLANK_SETTLES_MS + 300)
    assert layout(view) == blank and not moves  # nothing moved, then or since

    model.set_suggested_captions({model.hit(0).path: "a door creaks open slowly"})
    assert layout(view) == blank  # not at once…
    qtbot.waitUntil(lambda: not header.isSectionHidden(CAPTION_COLUMN), timeout=BLANK_SETTLES_MS * 3)  # …but soon
    assert header.sectionSize(CAPTION_COLUMN) >= COLUMNS[CAPTION_COLUMN].width  # room to read it
    assert header.isSectionHidden(DESCRIPTION_COLUMN) and header.isSectionHidden(TAGS_COLUMN)  # still blank
    assert view.horizontalScrollBar().maximum() == 0

    model.set_hits(described, False)
    qtbot.waitUntil(lambda: not header.isSectionHidden(DESCRIPTION_COLUMN), timeout=BLANK_SETTLES_MS * 3)
    assert header.isSectionHidden(CAPTION_COLUMN)  # these rows have no caption
    model.set_hits(takes(1500), False)
    assert not header.isSectionHidden(DESCRIPTION_COLUMN)  # not at once
    qtbot.waitUntil(lambda: layout(view) == blank, timeout=BLANK_SETTLES_MS * 3)  # the room back to the names
