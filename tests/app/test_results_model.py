"""The results model: columns, sorting that carries the selection, drag mime data, 100 k rows."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QItemSelectionModel, QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHeaderView

from app.results_model import BADGE_ROLE, HIT_ROLE, SCORE_COLUMN, SCORE_ROLE, ResultsModel, duration_text
from app.results_view import ResultsView
from tests.app.conftest import Hit, column, shown_results


def test_columns_show_what_a_sound_designer_reads():
    model = ResultsModel()
    creak = Hit("/lib/doors/creak.wav", 83.2, 3.25, 96_000, 1, "wav", 24, ["door", "wood"], "slow creak")
    model.set_hits([dataclasses.replace(creak, metadata_text="Barn door\nrusty hinge")])
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row == [  # what a sound designer reads first, first: it fits a window without scrolling
        "creak.wav",
        "83",
        "0:03.25",
        "Barn door · rusty hinge",  # what the file's own metadata says (a BWF description, a title)
        "door, wood",
        "slow creak",
        "WAV 24-bit",
        "96 kHz",
        "Mono",
        "lib/doors",  # from the library folder down: the part of the path that tells files apart
    ]
    model.set_hits([Hit("/elsewhere/x.wav", 50.0)])  # not under its library folder: the whole folder
    assert model.index(0, column("Folder")).data() == "/elsewhere"


def test_a_sound_with_copies_says_how_many_and_where():
    model = ResultsModel()
    model.set_hits(
        [
            Hit("/lib/doors/slam.wav", 90.0, copies=("/lib/backup/slam.wav", "/lib/old/slam copy.wav")),
            Hit("/lib/doors/creak.wav", 80.0, copies=("/lib/backup/creak.wav",)),
            Hit("/lib/doors/knock.wav", 70.0),
        ]
    )
    badges = [model.index(r, 0).data(BADGE_ROLE) for r in range(3)]
    assert badges == [("+2 copies", "+2"), ("+1 copy", "+1"), None]  # whole, and short for a tight Name cell
    tip = model.index(0, 0).data(Qt.ToolTipRole)
    assert tip.startswith("/lib/doors/slam.wav") and "/lib/backup/slam.wav" in tip and "/lib/old/slam copy.wav" in tip
    assert model.index(2, 0).data(Qt.ToolTipRole) == "/lib/doors/knock.wav"


def test_formats_sort_by_bit_depth_as_a_number():
    model = ResultsModel()
    depths = [16, 8, 32, 24, None]
    model.set_hits([Hit(f"/lib/{d}.wav", 50.0, bit_depth=d) for d in depths])
    model.sort(column("Format"), Qt.AscendingOrder)
    shown = [model.index(row, column("Format")).data() for row in range(len(depths))]
    assert shown == ["WAV", "WAV 8-bit", "WAV 16-bit", "WAV 24-bit", "WAV 32-bit"]


def test_sort_moves_the_selection_with_its_row(qtbot):
    model = ResultsModel()
    model.set_hits(
        [
            Hit(f"/lib/{name}.wav", score, duration)
            for name, score, duration in (("c", 0.9, 5.0), ("a", 0.5, 1.0), ("b", 0.7, 3.0))
        ]
    )
    view = ResultsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectRow(model.row_of("/lib/b.wav"))
    view.sortByColumn(column("Name"), Qt.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(3)] == ["a.wav", "b.wav", "c.wav"]
    assert view.selected_paths() == ["/lib/b.wav"]
    view.sortByColumn(column("Duration"), Qt.DescendingOrder)
    assert [model.hit(r).duration_s for r in range(3)] == [5.0, 3.0, 1.0]
    assert view.selected_paths() == ["/lib/b.wav"]


def test_drag_mime_data_carries_file_urls_of_the_selected_rows():
    model = ResultsModel()
    model.set_hits([Hit("/lib/one shot.wav", 0.9), Hit("/lib/two.flac", 0.8), Hit("/lib/three.wav", 0.1)])
    mime = model.mimeData([model.index(0, 0), model.index(0, 3), model.index(2, 1)])
    assert [u.toLocalFile() for u in mime.urls()] == ["/lib/one shot.wav", "/lib/three.wav"]
    assert bytes(mime.data("text/uri-list")).split(b"\r\n")[0] == b"file:///lib/one%20shot.wav"
    assert model.flags(model.index(1, 0)) & Qt.ItemIsDragEnabled


def test_update_paths_edits_rows_in_place():
    model = ResultsModel()
    model.set_hits([Hit("/lib/a.wav", 0.9), Hit("/lib/b.wav", 0.8)])
    changed = []
    model.dataChanged.connect(lambda first, last: changed.append(first.row()))
    model.update_paths(["/lib/b.wav"], tags=["rain"], caption="rain on glass")
    assert changed == [1]
    assert model.index(1, column("Tags")).data() == "rain"
    assert model.index(1, 0).data(HIT_ROLE).caption == "rain on glass"


def test_a_hundred_thousand_rows_sort_and_select(qtbot):
    """A search answered with every file of a large library: the rows sort and select right (their
    cost is not asserted here: timings are the benches')."""
    hits = [Hit(f"/lib/sound_{i:06d}.wav", (i * 7919 % 100_000) / 100_000, i % 300 / 10) for i in range(100_000)]
    model, view = shown_results(qtbot, 1000, 600)
    model.set_hits(hits)
    view.sortByColumn(SCORE_COLUMN, Qt.AscendingOrder)
    assert model.rowCount() == 100_000
    assert model.hit(0).score == 0.0 and model.hit(99_999).score == max(h.score for h in hits)
    view.selectionModel().select(model.index(50_000, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
    assert [h.path for h in view.selected_hits()] == [model.hit(50_000).path]


def test_a_browse_list_hides_meaningless_scores():
    model = ResultsModel()
    model.set_hits([Hit("/lib/a.wav", 0.0), Hit("/lib/b.wav", 0.0)], ranked=False)
    assert model.index(0, SCORE_COLUMN).data() == ""
    assert model.index(0, SCORE_COLUMN).data(SCORE_ROLE) is None
    model.set_hits([Hit("/lib/a.wav", 87.4), Hit("/lib/b.wav", 25.0)])
    assert model.index(0, SCORE_COLUMN).data() == "87"  # a 0-100 match, and its bar
    assert model.index(1, SCORE_COLUMN).data(SCORE_ROLE) == 0.25


def test_hits_no_ranking_found_show_no_match_and_no_sort_arrow_on_match():
    """An exclusion-only query ("-laser") lists the files without the word, by path: each carries
    the 0 nobody measured, which is no match to show (no "0", no sliver of a bar), and the list
    is a browse, whose order no Match arrow should claim."""
    model = ResultsModel()
    model.set_hits([Hit("/lib/a.wav", 0.0), Hit("/lib/b.wav", 0.0)], ranked=True)  # what "-laser" answers
    assert [model.index(row, SCORE_COLUMN).data() for row in range(2)] == ["", ""]
    assert [model.index(row, SCORE_COLUMN).data(SCORE_ROLE) for row in range(2)] == [None, None]
    assert model.index(0, SCORE_COLUMN).data(Qt.ToolTipRole) is None
    assert not model.ranked
    assert not model.sort_indicator_shown(SCORE_COLUMN) and model.sort_indicator_shown(column("Name"))
    # a search's hit that a ranking found is shown even at 0, beside hits with a real match
    model.set_hits([Hit("/lib/a.wav", 42.0, text_rank=1), Hit("/lib/b.wav", 0.0, vector_rank=9)])
    assert model.ranked and model.sort_indicator_shown(SCORE_COLUMN)
    assert [model.index(row, SCORE_COLUMN).data() for row in range(2)] == ["42", "0"]
    model.set_hits([Hit("/lib/a.wav", 0.0)], ranked=False)  # a browse: no arrow on Match either
    assert not model.sort_indicator_shown(SCORE_COLUMN)


def test_every_duration_reads_in_one_format_to_the_hundredth():
    """One rule for the Duration column: m:ss.ss, so a 32 ms click is not 0:00.032 beside a
    0:00.10 (nor 0:00.0, as if empty), and the decimal points line up."""
    model = ResultsModel()
    lengths = [0.032, 0.1, 4.0, 75.5, 59.997, 3725.25]
    model.set_hits([Hit(f"/lib/{i}.wav", 50.0, length) for i, length in enumerate(lengths)])
    shown = [model.index(row, column("Duration")).data() for row in range(len(lengths))]
    assert shown == ["0:00.03", "0:00.10", "0:04.00", "1:15.50", "1:00.00", "1:02:05.25"]
    assert len({text.index(".") - len(text) for text in shown}) == 1  # two decimals, every time
    assert (duration_text(0.002), duration_text(0.0), duration_text(None)) == ("<0:00.01", "0:00.00", "")


def test_the_match_says_which_rankings_found_the_file():
    model = ResultsModel()
    model.set_hits(
        [
            Hit("/lib/swing.wav", 61.0, meaning_rank=1, vector_rank=7),
            Hit("/lib/door.wav", 93.0, text_rank=1, meaning_rank=2, vector_rank=3),
            Hit("/lib/take_017.wav", 40.0, vector_rank=1),
        ]
    )

    def reasons(path: str) -> str:  # the word match comes first, whatever its score (the groups)
        return model.index(model.row_of(path), SCORE_COLUMN).data(Qt.ToolTipRole)

    assert reasons("/lib/swing.wav") == "Match 61 of 100, found by what its name or description means and how it sounds"
    assert reasons("/lib/door.wav") == (
        "Match 93 of 100, found by the words of its name or description, what its name or description means "
        "and how it sounds"
    )
    assert reasons("/lib/take_017.wav") == (
        "Match 40 of 100, found by how it sounds alone: a rank among this search's sounds, not a certainty"
    )


def test_in_find_similar_the_match_says_how_alike_the_sounds_are_not_a_rank():
    """Find similar scores how alike two sounds are (engine Searcher.similar), not a rank among the list."""
    model = ResultsModel()
    model.set_hits([Hit("/lib/lion.wav", 56.6, vector_rank=1, vector_score=0.9)], similar_to="/lib/dog.ogg")
    tip = model.index(0, SCORE_COLUMN).data(Qt.ToolTipRole)
    assert tip == "Match 57 of 100 for how much it sounds like dog.ogg: 100 is the same sound"
    model.set_hits([Hit("/lib/lion.wav", 90.0, vector_rank=1, vector_score=0.9)])  # a search again
    assert "a rank among this search's sounds" in model.index(0, SCORE_COLUMN).data(Qt.ToolTipRole)


def arrow_points_down(header: QHeaderView, section: int) -> bool:
    """Whether the sort arrow drawn in ``section`` is ▼: of the pixels the arrow changes (the section
    drawn with it and without, where it is then: the columns fit titles that make room for the arrow
    or not), the widest row is its top one."""

    def drawn() -> QImage:
        rect = QRect(header.sectionViewportPosition(section), 0, header.sectionSize(section), header.height())
        return header.viewport().grab(rect).toImage()

    shown = drawn()
    header.setSortIndicatorShown(False)
    bare = drawn()
    header.setSortIndicatorShown(True)
    widths = [sum(shown.pixel(x, y) != bare.pixel(x, y) for x in range(shown.width())) for y in range(shown.height())]
    rows = [w for w in widths if w]
    assert len(rows) > 2 and rows[0] != rows[-1], widths  # an arrow is drawn, and it is a triangle
    return rows[0] > rows[-1]


def test_the_sort_arrow_reads_as_the_list_is_sorted_and_a_header_click_sorts_as_expected(qtbot):
    """Best match first is a descending sort: ▼. A click on Match reverses it and back; Name and
    Duration sort A to Z and shortest first on their first click (▲)."""
    model = ResultsModel()
    view = ResultsView()
    view.setModel(model)
    qtbot.addWidget(view)
    model.set_hits([Hit("/lib/a.wav", 90.0, 3.0), Hit("/lib/c.wav", 70.0, 1.0), Hit("/lib/b.wav", 40.0, 2.0)])
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)
    header = view.horizontalHeader()

    def click(title: str) -> list[str]:
        section = column(title)
        x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))
        assert header.sortIndicatorSection() == section
        return [model.index(row, 0).data() for row in range(model.rowCount())]

    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (SCORE_COLUMN, Qt.DescendingOrder)
    assert arrow_points_down(header, SCORE_COLUMN)  # as ranked: the best match first
    assert click("Match") == ["b.wav", "c.wav", "a.wav"] and not arrow_points_down(header, SCORE_COLUMN)
    assert click("Match") == ["a.wav", "c.wav", "b.wav"] and arrow_points_down(header, SCORE_COLUMN)
    assert click("Name") == ["a.wav", "b.wav", "c.wav"] and not arrow_points_down(header, column("Name"))
    assert click("Duration") == ["c.wav", "b.wav", "a.wav"] and not arrow_points_down(header, column("Duration"))
    assert click("Duration") == ["a.wav", "b.wav", "c.wav"] and arrow_points_down(header, column("Duration"))
    assert click("Match") == ["a.wav", "c.wav", "b.wav"] and arrow_points_down(header, SCORE_COLUMN)
