"""A header click on a browse that lists only the first of its files (the library, a folder: "the
first 500 of 48,419 sounds") lists the browse anew in that order, by the engine, over every file:
a sort of the rows listed showed the shortest of the first 500 by path, not of the folder (scale
review). The real window on the real engine, and the engine's orders against the table's own sort."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app import main_window
from app.results_model import COLUMNS, ResultsModel, browse_order
from engine.search import Searcher
from tests.app.conftest import ENGINE_TIMEOUT_MS, column, index_folder
from tests.engine.index.index_factories import open_store, record
from tests.factories import tone, write_audio

DURATION = column("Duration")
LENGTHS = [1.4, 1.2, 1.0, 0.8, 0.6, 0.4]  # take_0 … take_5: the longest first by path


def names(window) -> list[str]:
    return [window.model.index(row, column("Name")).data() for row in range(window.model.rowCount())]


def click_header(window, section: int) -> None:
    header = window.results.horizontalHeader()
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    QTest.mouseClick(header.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(x, header.height() // 2))


def browse(qtbot, window) -> None:
    """Browse the library, and wait for the answer to be shown."""
    with qtbot.waitSignal(window.client.results, timeout=ENGINE_TIMEOUT_MS):
        window.run_query("")


def test_clicking_duration_on_a_cut_browse_lists_the_librarys_shortest_sounds(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(main_window, "RESULT_LIMIT", 3)  # the six takes fill more than a page
    folder = tmp_path / "Takes"
    for k, seconds in enumerate(LENGTHS):
        write_audio(folder / f"take_{k}.wav", tone(300 + 100 * k, seconds))
    index_folder(qtbot, window, folder)
    window.run_query("")
    qtbot.waitUntil(lambda: names(window) == ["take_0.wav", "take_1.wav", "take_2.wav"], timeout=ENGINE_TIMEOUT_MS)

    click_header(window, DURATION)  # the shortest first: of the library, not of the three listed
    qtbot.waitUntil(lambda: names(window) == ["take_5.wav", "take_4.wav", "take_3.wav"], timeout=20_000)
    header = window.results.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (DURATION, Qt.AscendingOrder)
    assert header.isSortIndicatorShown()
    assert window.result_label.text().startswith("the first 3 of 6 sounds (type to search) · ")

    browse(qtbot, window)  # asked again (the library changed, a folder clicked): listed in the order shown
    assert names(window) == ["take_5.wav", "take_4.wav", "take_3.wav"]

    monkeypatch.setattr(main_window, "RESULT_LIMIT", 10)  # every take listed: a click sorts the rows at once
    browse(qtbot, window)
    assert names(window) == [f"take_{k}.wav" for k in reversed(range(len(LENGTHS)))]
    click_header(window, DURATION)
    assert names(window) == [f"take_{k}.wav" for k in range(len(LENGTHS))]  # the longest first


def test_the_engine_orders_a_browse_as_the_results_table_sorts_each_column_it_can(qtbot, tmp_path):
    """Each column the engine lists a browse by (a name in any case, a length not known, a format's
    bit depth, the folder as shown) puts the files where the table's own sort puts them, ties by path."""
    store = open_store(tmp_path)
    store.add_folder("/Other Drive")
    store.upsert_files(
        [
            record("Doors/Creak.wav", duration_s=2.5, sample_rate=48_000, channels=2, format="wav", bit_depth=24),
            record("doors/slam.wav", duration_s=None, format=None, caption="Old hinge"),
            record("Wind/gust.flac", duration_s=0.3, sample_rate=96_000, channels=1, format="flac", bit_depth=16),
            record("wind/Gust.wav", duration_s=2.5, sample_rate=44_100, channels=2, format="wav", bit_depth=16),
            record("a.wav", duration_s=0.0, sample_rate=48_000, channels=6, format="wav", caption="breeze"),
            record("x/creak.aiff", folder="/Other Drive", duration_s=1.0, format="aiff", bit_depth=8),
            record("Zed.mp3", duration_s=0.3, sample_rate=44_100, format="mp3", caption="old hinge"),
        ]
    )
    browser = Searcher(store, None)
    by_path = browser.search("", limit=100)
    for section in (c for c, spec in enumerate(COLUMNS) if spec.browse_by):
        for order in (Qt.AscendingOrder, Qt.DescendingOrder):
            table = ResultsModel()
            table.set_hits(by_path, ranked=False)
            table.sort(section, order)
            listed = browser.search("", limit=100, order=browse_order(section, order))
            assert [h.path for h in listed] == [h.path for h in table.hits()], (COLUMNS[section].title, order)
