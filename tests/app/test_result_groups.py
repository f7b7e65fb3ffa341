"""A search's two groups: the hits its words found (the results counted), then the sounds the
fused ranking lists after them up to the result limit, for how they sound and what their names
mean. The count, the order under any column's sort, the dimmer rows, and the columns that show a
name, a folder and a sample rate by the part of them that is read."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyleOptionViewItem

from app.main_window import results_line, scope_said
from app.results_model import SCORE_COLUMN, ResultsModel
from app.results_view import BADGE_SHARE, ResultsView, badge_width, elide_folder, elide_name, text_width
from app.theme import Colors
from engine.search.filters import SearchFilters
from engine.search.searcher import SearchResults
from tests.app.conftest import ENGINE_TIMEOUT_MS, Hit, column, shown_results

NAME, DURATION, FOLDER, RATE = (column(title) for title in ("Name", "Duration", "Folder", "Rate"))


def door_search() -> list[Hit]:
    """What "door" answers, in the engine's order: two files its words found, among sounds only a
    name's meaning or the sound found; a meaning match may outscore a weak word match."""
    return [
        Hit("/lib/door_slam.wav", 90.0, 2.0, text_rank=1, meaning_rank=1, vector_rank=3),
        Hit("/lib/gate_creak.wav", 60.0, 0.2, meaning_rank=2, vector_rank=1),
        Hit("/lib/door_knock.wav", 40.0, 3.0, text_rank=2, vector_rank=4),
        Hit("/lib/sheepfield.ogg", 8.0, 0.1, vector_rank=2),
        Hit("/lib/thunder.wav", 5.0, 9.0, meaning_rank=3),
    ]


def shown_names(model: ResultsModel) -> list[str]:
    return [model.index(row, NAME).data() for row in range(model.rowCount())]


WORD_MATCHES = {"door_slam.wav", "door_knock.wav"}


def test_the_hits_the_words_found_come_first_and_stay_first_under_any_sort(qtbot):
    """Sorted by Duration, a search for "door" listed a 0.1 s field recording first, the two doors
    lost among sounds no word found: each group is sorted on its own, the doors above, both ways."""
    model = ResultsModel()
    view = ResultsView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.set_hits(door_search())
    assert model.grouped and model.first_unworded_row() == 2
    assert shown_names(model) == ["door_slam.wav", "door_knock.wav", "gate_creak.wav", "sheepfield.ogg", "thunder.wav"]
    view.selectRow(model.row_of("/lib/sheepfield.ogg"))
    view.sortByColumn(DURATION, Qt.AscendingOrder)
    assert shown_names(model) == ["door_slam.wav", "door_knock.wav", "sheepfield.ogg", "gate_creak.wav", "thunder.wav"]
    assert view.selected_paths() == ["/lib/sheepfield.ogg"]  # the selection follows its row
    view.sortByColumn(DURATION, Qt.DescendingOrder)
    assert shown_names(model) == ["door_knock.wav", "door_slam.wav", "thunder.wav", "gate_creak.wav", "sheepfield.ogg"]
    assert view.selected_paths() == ["/lib/sheepfield.ogg"]
    view.sortByColumn(SCORE_COLUMN, Qt.AscendingOrder)
    assert set(shown_names(model)[:2]) == WORD_MATCHES and shown_names(model)[2] == "thunder.wav"
    view.sortByColumn(NAME, Qt.DescendingOrder)
    assert shown_names(model)[:2] == ["door_slam.wav", "door_knock.wav"]


def test_the_sounds_no_word_found_are_drawn_dimmer_and_say_why_they_are_listed():
    model = ResultsModel()
    model.set_hits(door_search())
    for row in range(model.rowCount()):
        worded = model.index(row, NAME).data() in WORD_MATCHES
        assert model.index(row, DURATION).data(Qt.ForegroundRole) == (None if worded else Colors.dim_text)
    tip = model.index(model.row_of("/lib/gate_creak.wav"), NAME).data(Qt.ToolTipRole)
    assert tip.startswith("/lib/gate_creak.wav\n\n") and "how it sounds and what its name means" in tip
    assert model.index(model.row_of("/lib/door_slam.wav"), NAME).data(Qt.ToolTipRole) == "/lib/door_slam.wav"


def test_a_browse_find_similar_and_a_search_whose_words_found_none_are_one_group(qtbot):
    """Only a search whose words found some of its hits has two groups: elsewhere a column sorts
    the whole list, and no row is dimmed."""
    model = ResultsModel()
    browse = [
        dataclasses.replace(h, score=0.0, text_rank=None, meaning_rank=None, vector_rank=None) for h in door_search()
    ]
    sound_only = [dataclasses.replace(h, text_rank=None) for h in door_search()]
    for hits, ranked, similar_to in (
        (browse, False, None),
        (door_search(), True, "/lib/x.wav"),
        (sound_only, True, None),
    ):
        model.set_hits(hits, ranked, similar_to=similar_to)
        assert not model.grouped and model.first_unworded_row() == -1
        model.sort(DURATION, Qt.AscendingOrder)
        assert shown_names(model)[0] == "sheepfield.ogg"
        assert all(model.index(row, NAME).data(Qt.ForegroundRole) is None for row in range(model.rowCount()))


def test_the_results_line_counts_only_what_the_words_found_and_names_the_rest():
    """The engine lists up to 500 sounds for any query: "500 results" for nonsense was the limit,
    not a count. The words' matches are counted; the rest are named for what ranked them."""
    hits = SearchResults(door_search())
    assert results_line("door", hits) == (
        "2 results for “door”, then 3 ranked by how they sound and what their names mean"
    )
    slam, gate, knock, sheep, _ = door_search()
    meant = [dataclasses.replace(h, vector_rank=None, meaning_rank=h.meaning_rank or 4) for h in (gate, sheep)]
    by_meaning = SearchResults([slam, knock, *meant])
    assert results_line("door", by_meaning) == "2 results for “door”, then 2 ranked by what their names mean"
    assert results_line("door", by_meaning, rest=False) == "2 results for “door”"  # a narrow window's wording
    assert results_line("door, then creak", by_meaning, rest=False) == "2 results for “door, then creak”"
    assert results_line("door", SearchResults([slam, gate])) == (
        "1 result for “door”, then 1 ranked by how it sounds and what its name means"
    )
    assert results_line("door", SearchResults(door_search()[:4:2])) == "2 results for “door”"
    nonsense = SearchResults([dataclasses.replace(h, text_rank=None) for h in door_search()])
    assert results_line("xqzvbnm", nonsense) == (
        "No file is named so: 5 sounds ranked by how they sound and what their names mean, for “xqzvbnm”"
    )
    by_sound = SearchResults([Hit("/lib/a.wav", 100.0, vector_rank=1)])
    assert results_line("whoosh", by_sound) == (  # the sound alone ranked it: never close (searcher.CLOSE_MATCH)
        "No file is named so or close to it: 1 sound ranked by how it sounds, for “whoosh”"
    )
    partly = SearchResults(door_search(), unheld=("oak", "slow"))  # words no file holds are named
    assert results_line("oak door slow", partly) == (
        "2 results for “oak door slow” (no file says “oak” or “slow”), then 3 ranked by how they sound and"
        " what their names mean"
    )
    excluded = SearchResults([Hit("/lib/a.wav", 0.0), Hit("/lib/b.wav", 0.0)])  # "-laser": the files kept
    assert results_line("-laser", excluded) == "2 results for “-laser”"


def test_the_results_line_says_where_the_filters_looked():
    """A folder chosen in the Library panel narrows every later search: "No file is named so" was
    said of the whole library while 27 files outside the folder were."""
    in_wood = scope_said(SearchFilters(folder="/lib/Doors/Wood"), "Doors/Wood")
    assert in_wood == "in Doors/Wood"
    assert scope_said(SearchFilters(min_duration_s=2.0), "") == "within these filters"
    assert scope_said(SearchFilters(folder="/lib/Doors", format="wav"), "Doors") == "in Doors, within these filters"
    assert scope_said(SearchFilters(), "All folders") == ""
    hits = SearchResults(door_search())
    assert results_line("door", hits, in_wood).startswith("2 results for “door” in Doors/Wood, then 3 ranked by")
    nonsense = SearchResults([dataclasses.replace(h, text_rank=None) for h in door_search()])
    assert results_line("xqzvbnm", nonsense, in_wood).startswith("No file in Doors/Wood is named so: 5 sounds")
    assert results_line("", hits, in_wood) == "5 sounds in Doors/Wood (type to search)"


def shown_text(view: ResultsView, row: int, column: int) -> tuple[str, int]:
    """The text the column's delegate draws in its cell (elided as the style elides it), and the
    width it has for it."""
    index = view.model().index(row, column)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    width = text_width(option)
    return option.fontMetrics.elidedText(option.text, option.textElideMode, width), width


def test_the_name_column_keeps_a_ucs_names_catid_and_fx_name_and_a_takes_number(qtbot):
    """Elided in the middle, a UCS name lost its FX name ("DOORWood_Cr…_JD_ACME.wav"); elided on
    the right, a file's numbered variations read alike ("DOORWood_Creak Heavy Slo…" three times)."""
    model, view = shown_results(qtbot, 1060, 300, themed=True)
    names = [f"DOORWood_Creak Heavy Slow Long Groan {n:02d}_JD_ACME Foley Library.wav" for n in (1, 2)]
    model.set_hits([Hit(f"/lib/{name}", 50.0) for name in names])
    shown = [shown_text(view, row, NAME) for row in (0, 1)]
    for (text, width), n in zip(shown, ("01", "02"), strict=True):
        assert text.startswith("DOORWood_Cr") and n in text and "…" in text, text
        assert view.fontMetrics().horizontalAdvance(text) <= width
    metrics = QFontMetrics(view.font())
    core = "DOORWood_Creak Heavy Slow Long Groan 01"
    assert elide_name(names[0], metrics, metrics.horizontalAdvance(core + "_…")) == core + "_…"  # the IDs go first
    take = elide_name("Door Creak Long Heavy Slow 03.wav", metrics, metrics.horizontalAdvance("Door Cr…w 03.wav"))
    assert take.startswith("Door") and take.endswith("03.wav"), take


def test_a_copies_badge_leaves_the_name_most_of_its_cell(qtbot):
    """At half the cell, a badged library's names all read "DOORW…": the pill takes its text's
    width, at most :data:`BADGE_SHARE` of the cell."""
    _model, view = shown_results(qtbot, 1060, 300, themed=True)
    metrics = QFontMetrics(view.font())
    assert badge_width("+12 copies", metrics, 1000) == metrics.horizontalAdvance("+12 copies") + 14
    assert badge_width("+12 copies", metrics, 120) <= BADGE_SHARE * 120


def test_the_folder_column_shows_where_a_sound_comes_from_and_its_deepest_folder(qtbot):
    """Elided in the middle, every folder of a library read "lib/f…ounds": its start, the library's
    own name, says nothing. Then cut to its deepest folders, a library of 37 packs read "…/sound",
    "…/sounds" and never which pack (review 11, M5): the folder below the library folder stays
    with the deepest one while they fit, then the deepest folders alone."""
    model, view = shown_results(qtbot, 1060, 300, themed=True)
    # with a caption to read: it takes the room the Folder shares where nothing is to read (test_blank_columns.py)
    deep = Hit("/sfx/lib/kolf/usr/share/sounds/wall.wav", 50.0, folder="/sfx/lib", caption="a ball hits a wall")
    model.set_hits([deep])
    text, width = shown_text(view, 0, FOLDER)
    assert text.startswith("kolf/") and text.endswith("/sounds"), text
    assert view.fontMetrics().horizontalAdvance(text) <= width
    metrics = QFontMetrics(view.font())
    folder = "lib/freedroidrpg/effects/item_sounds"

    def fitted(text: str) -> str:  # the folder fitted to exactly ``text``'s width
        return elide_folder(folder, metrics, metrics.horizontalAdvance(text))

    assert elide_folder(folder, metrics, 10_000) == folder
    for shown in ("freedroidrpg/effects/item_sounds", "freedroidrpg/…/item_sounds", "…/effects/item_sounds"):
        assert fitted(shown) == shown
    assert fitted("…/item_sounds") == "…/item_sounds"
    cut = elide_folder(folder, metrics, metrics.horizontalAdvance("…unds"))  # not even the deepest fits: its end
    assert cut.startswith("…") and cut.endswith("ds") and "/" not in cut
    assert elide_folder("lib\\Doors\\Wood", metrics, metrics.horizontalAdvance("Doors\\Wood")) == "Doors\\Wood"


def test_a_deepest_folder_that_says_nothing_gives_way_to_the_pack_it_is_in(qtbot):
    """Four games' sounds read "…/sounds" side by side at 1024 px, none told from another (review
    14, M6): where the pack and the deepest folder do not both fit, a deepest folder named only
    "sounds" or "sfx", or by a language's code, gives way to the pack, cut at its right where even
    it does not fit (at 1024 px planetblupi's read "…/sound/en" again); one that names something
    keeps its place."""
    model, view = shown_results(qtbot, 1060, 300, themed=True)
    metrics = QFontMetrics(view.font())
    for folder, short in (
        ("lib/openssn-data/usr/share/games/openssn/sounds", "openssn-data/…"),
        ("lib/madbomber-data/usr/share/games/madbomber/data/sfx", "madbomber-data/…"),
        ("lib/planetblupi-common/usr/share/planetblupi/sound/he", "planetblupi-common/…"),  # a language (review 16)
    ):
        both = folder.split("/")[1] + "/…/" + folder.split("/")[-1]
        assert elide_folder(folder, metrics, metrics.horizontalAdvance(both)) == both
        assert elide_folder(folder, metrics, metrics.horizontalAdvance(both) - 1) == short
        narrow = elide_folder(folder, metrics, metrics.horizontalAdvance(short) - 1)  # the pack, cut at its right
        assert narrow.startswith(short[:3]) and narrow.endswith("…") and "/" not in narrow, narrow
    named = "lib/openssn-data/usr/share/games/openssn/torpedoes"
    assert elide_folder(named, metrics, metrics.horizontalAdvance("openssn-data/…")) == "…/torpedoes"
    assert elide_folder("lib/sounds", metrics, metrics.horizontalAdvance("…/sounds")) == "…/sounds"  # no pack


def test_the_rate_column_reads_a_sample_rate_whole(qtbot):
    """At 68 px the dark theme showed "44.1 …" and "22.0…": the Rate has room for "11.025 kHz"."""
    model, view = shown_results(qtbot, 1060, 300, themed=True)
    rates = (11_025, 22_050, 44_100)
    model.set_hits([Hit(f"/lib/{rate}.wav", 50.0, sample_rate=rate) for rate in rates])
    for row, shown in enumerate(("11.025 kHz", "22.05 kHz", "44.1 kHz")):
        text, width = shown_text(view, row, RATE)
        assert text == shown and view.fontMetrics().horizontalAdvance(text) <= width, (text, width)


# -- the real window ---------------------------------------------------------------------------------


def type_query(qtbot, window, text: str) -> None:
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    qtbot.waitUntil(lambda: f"for “{text}”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_a_search_counts_the_files_its_words_found_and_sorts_them_above_the_rest(qtbot, window, library):
    """ "door" names one file of four: it is the one result, the other three follow it, dimmer, in
    the engine's ranking by sound and meaning, and stay below it sorted by Duration either way."""
    type_query(qtbot, window, "door")
    model, view = window.model, window.results
    assert window.result_label.text().startswith("1 result for “door”, then 3 ranked by how they sound")
    assert model.index(0, NAME).data() == "door_creak_wooden.wav" and model.first_unworded_row() == 1
    assert model.index(1, NAME).data(Qt.ForegroundRole) == Colors.dim_text
    view.selectionModel().select(
        model.index(model.row_of(str(library["dog_bark.wav"])), 0),
        QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows,
    )
    for order, rest in (
        (Qt.AscendingOrder, ["sine_beep.wav", "rain_on_glass.flac", "dog_bark.wav"]),
        (Qt.DescendingOrder, ["dog_bark.wav", "rain_on_glass.flac", "sine_beep.wav"]),
    ):
        view.sortByColumn(DURATION, order)
        assert shown_names(model) == ["door_creak_wooden.wav", *rest]
        assert view.selected_paths() == [str(library["dog_bark.wav"])]
    assert model.index(0, NAME).data(Qt.ForegroundRole) is None  # the one match, drawn as ever


def test_a_nonsense_query_says_no_file_is_named_so(qtbot, window, library):
    """ "xqzvbnm" said "4 results", every file listed for its sound and its name's meaning: no file
    is named so, and the line says what the list is instead."""
    type_query(qtbot, window, "xqzvbnm")
    assert window.result_label.text().startswith("No file is named so: 4 sounds ranked by how they sound")
    assert not window.model.grouped
