"""A search's results line says the column its rows are sorted by when that is not the ranking
(review 9, L9): the sort chosen for one search stays for the next, and only its arrow said so."""

from __future__ import annotations

from tests.app.conftest import column
from tests.app.test_browse_order import click_header
from tests.app.test_main_window import type_query

DURATION, MATCH = column("Duration"), column("Match")
SORTED = "sorted by Duration: click Match for the best first"


def test_the_results_line_says_a_sort_that_is_not_the_ranking_and_keeps_saying_it(qtbot, window, library):
    type_query(qtbot, window, "beep")
    assert "sorted by" not in window.result_label.text()
    click_header(window, DURATION)
    assert SORTED in window.result_label.text() and "for “beep”" in window.result_label.text()
    type_query(qtbot, window, "rain")  # the next search keeps the sort, and says so
    assert SORTED in window.result_label.text()
    click_header(window, MATCH)  # back to the ranking, best first
    assert "sorted by" not in window.result_label.text() and "for “rain”" in window.result_label.text()
    click_header(window, DURATION)
    window.search_field.clear()  # a browse is listed in its sort: nothing to point out
    window.run_query("")
    qtbot.waitUntil(lambda: "(type to search)" in window.result_label.text(), timeout=10_000)
    assert "sorted by" not in window.result_label.text()
