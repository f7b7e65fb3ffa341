"""The Match column of a search that found nothing close (the engine's ``nothing_close``): its
matches rank the sounds among themselves only, the best 100 however weak, and "footsteps on gravel"
in a folder of interface sounds listed Oxygen-Window-Shade-Down.ogg at 100 with a full bar (its
cosine to the query 0.178), above what a relevant query there tops out at (22)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.results_model import NEAREST_SHOWN, SCORE_COLUMN, SCORE_ROLE, ResultsModel
from app.theme import Colors
from engine.search.searcher import SearchResults
from tests.app.conftest import Hit, shown_results

NEAREST = "Nothing is close to the search: listed only as the nearest by how it sounds, not as a match"


def by_sound_alone() -> SearchResults:
    """What "footsteps on gravel" answers in a folder none of whose names holds or means it."""
    return SearchResults(
        [
            Hit("/lib/Oxygen-Window-Shade-Down.ogg", 100.0, vector_rank=1, vector_score=0.178),
            Hit("/lib/Oxygen-Window-Move.ogg", 94.0, vector_rank=2, vector_score=0.170),
            Hit("/lib/Oxygen-Window-Move-Stop.ogg", 93.0, vector_rank=3, vector_score=0.169),
            Hit("/lib/Oxygen-Sys-Trash.ogg", 12.0, vector_rank=4, vector_score=0.08),
        ]
    )


def names(model: ResultsModel) -> list[str]:
    return [model.hit(row).path.rsplit("/", 1)[1] for row in range(model.rowCount())]


def matches(model: ResultsModel, role=Qt.DisplayRole) -> list:
    return [model.index(row, SCORE_COLUMN).data(role) for row in range(model.rowCount())]


def test_a_list_nothing_is_close_to_shows_no_match_in_the_order_ranked_and_sorts_by_it():
    hits = by_sound_alone()
    assert hits.nothing_close
    model = ResultsModel()
    model.set_hits(hits)
    assert names(model) == [h.path.rsplit("/", 1)[1] for h in hits]  # the ranking's order
    assert matches(model) == [NEAREST_SHOWN] * 4  # no "100" for the nearest of nothing
    assert matches(model, SCORE_ROLE) == [0.0] * 4  # an empty bar
    assert matches(model, Qt.ToolTipRole) == [NEAREST] * 4
    assert matches(model, Qt.ForegroundRole) == [Colors.dim_text] * 4
    assert model.ranked and model.sort_indicator_shown(SCORE_COLUMN)  # still a ranking, sorted by it

    model.sort(SCORE_COLUMN, Qt.AscendingOrder)  # weakest first, by the ranking's own matches
    assert names(model)[0] == "Oxygen-Sys-Trash.ogg" and names(model)[-1] == "Oxygen-Window-Shade-Down.ogg"
    model.sort(SCORE_COLUMN, Qt.DescendingOrder)
    assert names(model) == [h.path.rsplit("/", 1)[1] for h in hits]


def test_a_list_something_is_close_to_and_find_similar_show_their_matches():
    named = SearchResults([Hit("/lib/gravel_steps.wav", 100.0, text_rank=1, vector_rank=5), *by_sound_alone()])
    model = ResultsModel()
    model.set_hits(named)
    assert not named.nothing_close and matches(model)[:2] == ["100", "100"]
    model.set_hits(list(by_sound_alone()), similar_to="/lib/step.wav")  # how alike, not a rank
    assert matches(model)[:2] == ["100", "94"] and matches(model, SCORE_ROLE)[0] == 1.0
    model.set_hits(by_sound_alone(), ranked=False)  # a browse shows no match at all, as ever
    assert matches(model) == [""] * 4


def bar_pixels(view, row: int) -> int:
    """How many pixels of the Match cell in ``row`` are drawn in the score bar's colour."""
    image = view.viewport().grab().toImage()
    cell = view.visualRect(view.model().index(row, SCORE_COLUMN))
    bar = Colors.score_bar
    return sum(
        1
        for x in range(cell.left(), cell.right() + 1)
        for y in range(cell.top(), cell.bottom() + 1)
        if _near(image.pixelColor(x, y), bar)
    )


def _near(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 40


def test_the_nearest_of_nothing_draws_no_bar_where_a_match_draws_a_full_one(qtbot):
    model, view = shown_results(qtbot, 1000, 300, themed=True)
    model.set_hits(SearchResults([Hit("/lib/gravel_steps.wav", 100.0, text_rank=1)]))
    qtbot.waitExposed(view)
    full = bar_pixels(view, 0)
    assert full > 100  # about the cell's width, 3 px high
    model.set_hits(by_sound_alone())
    assert bar_pixels(view, 0) == 0
