"""A narrow window beside a DAW: the window goes down to about 700 px with every filter in reach,
a deep subfolder's name reads whole in the Library tree, the results' names and folders get the
room before empty columns (and the user picks the columns), and the preview's header gives its
room to what it says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QStyledItemDelegate, QStyleOptionViewItem

from app.labels import ElidedLabel
from app.library_panel import PANEL_WIDTH
from app.preview_panel import region_said
from app.results_model import CAPTION_COLUMN, DESCRIPTION_COLUMN, FOLDER_COLUMN, NAME_COLUMN, TAGS_COLUMN
from app.results_view import NAME_LEAST, ROW_HEIGHT, deepest_folder
from app.theme import resource_dir
from tests.app.conftest import (
    ENGINE_TIMEOUT_MS,
    Hit,
    column,
    index_folder,
    open_window,
    shown_results,
    write_library,
)
from tests.app.test_library_panel import folder_status, shown_name, themed_panel
from tests.app.test_preview_panel import _panel
from tests.app.test_result_groups import shown_text
from tests.factories import noise, write_audio

BESIDE_A_DAW = 720  # px: half a 1440 px laptop screen


def _rect_in(widget, window) -> QRect:
    """Where ``widget`` lies in ``window``."""
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_the_window_fits_beside_a_daw_with_every_filter_in_reach(qtbot, window, library):
    """The filter bar in one row held the window 1,150 px wide at the least, with the preview and
    the tags panel side by side: it could not sit beside the DAW a sound is dragged into. The
    filters now take more rows and the tags panel goes under the preview, every control shown."""
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    assert window.center.currentWidget() is window.center_split  # the results' page, a library open
    qtbot.wait(50)  # the layout requests travel up to the window
    assert window.minimumSizeHint().width() <= BESIDE_A_DAW
    window.resize(700, 820)
    qtbot.waitUntil(lambda: window.width() == 700, timeout=5_000)
    bar = window.filter_bar
    filters = [bar.min_duration, bar.max_duration, bar.format, bar.sample_rate, bar.channels, bar.tag, bar.folder]
    filters += [bar.offline, bar.reset]
    rects = [_rect_in(widget, window) for widget in filters]
    assert all(widget.isVisible() for widget in filters)
    assert all(window.rect().contains(rect) for rect in rects), rects  # none cut off at the right
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])  # nor over another
    assert len({rect.top() for rect in rects}) > 1  # on more than one row
    assert window.bottom_split.orientation() == Qt.Vertical  # the tags panel under the preview
    for widget in (window.preview.play_button, window.preview.drag_handle, window.tags.tags):
        assert widget.isVisible() and window.rect().contains(_rect_in(widget, window).center())

    window.resize(1440, 880)  # a wide window lays them out side by side again
    qtbot.waitUntil(lambda: window.bottom_split.orientation() == Qt.Horizontal, timeout=5_000)
    qtbot.waitUntil(lambda: len({_rect_in(widget, window).center().y() for widget in filters}) == 1, timeout=5_000)


DEEP = ["Vendor", "Pack", "Foley", "Footsteps", "Boots", "Gravel", "Slow", "Heel Scuffs Long Takes"]


def test_a_deep_subfolders_name_reads_whole_when_it_is_chosen(qtbot):
    """Eight levels down (Vendor/Library/Category/Subcategory…), the chosen folder's row was a
    blank highlighted bar with a count: its name was indented out of the Folder column. The tree
    scrolls sideways to it, its name whole, its count beside it."""
    panel = themed_panel(qtbot)
    root = "/lib/Library"
    panel.show_folders([folder_status(root, 40)])
    paths = [f"{root}/{'/'.join(DEEP[: depth + 1])}" for depth in range(len(DEEP))]
    panel.show_subfolders(root, {path: 40 for path in paths})
    panel.resize(330, 700)
    QCoreApplication.processEvents()
    panel.select_folder(paths[-1])
    QCoreApplication.processEvents()
    tree = panel.folders
    item = tree.selectedItems()[0]
    assert shown_name(tree, item) == DEEP[-1]  # not elided to "…" or nothing
    index = tree.indexFromItem(item, 0)
    option = QStyleOptionViewItem()
    tree.initViewItemOption(option)
    whole = tree.itemDelegateForIndex(index).sizeHint(option, index).width()  # its icon and name, padded
    name = tree.visualItemRect(item)
    assert name.left() >= 0 and name.left() + whole <= tree.viewport().width()  # in view, whole
    counts = tree.header().sectionViewportPosition(1)
    assert 0 <= counts and counts + tree.header().sectionSize(1) <= tree.viewport().width()
    assert tree.horizontalScrollBar().value() > 0  # it scrolled to show it


def _long_hits() -> list[Hit]:
    folder = "/lib/flare-game/usr/share/games/flare/mods/fantasycore/soundfx/environment"
    names = ["cave_wind_loop_stereo.ogg", "x-deepin-system-shutdown.wav", "inventory_metal_heavy.ogg"]
    return [Hit(path=f"{folder}/{name}", score=80 - i, folder="/lib") for i, name in enumerate(names)]


def test_empty_columns_fold_before_names_and_folders_are_cut(qtbot):
    """At laptop width the empty Tags and Caption kept 188 px while names read "cave_wi…oop.ogg"
    and folders "…oundfx": they fold away, and stay folded where there is room (blank in every row
    listed, they keep none: tests/app/test_blank_columns.py)."""
    model, view = shown_results(qtbot, 880, 300, themed=True)
    model.set_hits(_long_hits(), True)
    header = view.horizontalHeader()
    qtbot.waitUntil(lambda: header.isSectionHidden(CAPTION_COLUMN), timeout=5_000)
    for row, hit in enumerate(_long_hits()):
        assert shown_text(view, row, NAME_COLUMN)[0] == Path(hit.path).name
        assert shown_text(view, row, FOLDER_COLUMN)[0] == deepest_folder(model.index(row, FOLDER_COLUMN).data())
    assert view.horizontalScrollBar().maximum() == 0  # and nothing left the view
    view.resize(1400, 300)
    qtbot.waitUntil(lambda: view.viewport().width() > 1300, timeout=5_000)
    assert header.isSectionHidden(CAPTION_COLUMN) and header.isSectionHidden(TAGS_COLUMN)


def test_a_description_blank_in_the_rows_on_screen_folds_before_the_names_are_cut(qtbot):
    """Review 10, M4: at 1024 px the Description, blank in every row on screen, kept 134 px while
    the names read "sound_sma…ion_1.wav": a result far down the list had a description. It folds
    where the names would be cut, and comes back where there is room."""
    names = [f"sound_{size}_explosion_{take}.wav" for take in range(1, 21) for size in ("small", "medium", "big")]
    hits = [Hit(path=f"/lib/opengameart/sounds/{name}", score=90 - row) for row, name in enumerate(names)]
    hits[-1] = dataclasses.replace(hits[-1], metadata_text="A far rumble")  # row 60: scrolled out of view
    model, view = shown_results(qtbot, 750, 300, themed=True)  # the results beside the Library at 1024 px
    view.show_descriptions(True)  # the library holds a description
    model.set_hits(hits, True)
    header = view.horizontalHeader()
    qtbot.waitUntil(lambda: header.isSectionHidden(DESCRIPTION_COLUMN), timeout=5_000)
    assert [shown_text(view, row, NAME_COLUMN)[0] for row in range(10)] == names[:10]
    assert view.horizontalScrollBar().maximum() == 0
    view.resize(1400, 300)
    qtbot.waitUntil(lambda: not header.isSectionHidden(DESCRIPTION_COLUMN), timeout=5_000)


def test_a_column_hidden_from_the_headers_menu_stays_hidden_after_a_restart(qtbot, earmark_home, tiny_checkpoint):
    """No column could be hidden: a right-click on the header now lists them, and the choice is
    kept as the column widths are. The Name cannot be hidden."""
    window = open_window(qtbot, str(tiny_checkpoint))
    menu = window.results.columns_menu()
    actions = {action.text(): action for action in menu.actions()}
    assert not actions["Name"].isEnabled() and actions["Name"].isChecked()
    actions["Rate"].trigger()  # unticked
    header = window.results.horizontalHeader()
    assert header.isSectionHidden(column("Rate"))
    window.close()

    again = open_window(qtbot, str(tiny_checkpoint))
    header = again.results.horizontalHeader()
    assert header.isSectionHidden(column("Rate"))
    # what the user chose (a column may also fold away where the window is too narrow for it)
    ticked = {action.text(): action for action in again.results.columns_menu().actions()}
    assert not ticked["Rate"].isChecked() and ticked["Format"].isChecked()
    assert again.results.hidden_columns == ["Rate"]
    ticked["Rate"].trigger()  # ticked again: it shows where there is room
    assert again.results.hidden_columns == []


def test_a_short_name_leaves_the_header_to_the_facts(qtbot, tmp_path):
    """At 1366 px the facts read "WAV 16-bit · 44.1 kHz · Stereo · 0:…" while "gravel.wav" kept
    white space after it: the name kept 160 px whatever its length."""
    source = write_audio(tmp_path / "lib" / "gravel.wav", noise(0.5, 44_100), 44_100)
    panel = _panel(qtbot, tmp_path)
    facts = "WAV 16-bit  ·  44.1 kHz  ·  Stereo  ·  0:00.50"
    panel.show_file(str(source), facts)
    header = panel.layout().itemAt(0).layout()  # the name, 10 px, the facts, 6 px, the time
    texts = [label.fontMetrics().horizontalAdvance(label.text()) for label in (panel.title, panel.facts)]
    needed = sum(texts) + panel.time.sizeHint().width() + 10 + 6 + 4 * header.spacing()
    width = max(needed + 2 * 12 + 2, panel.minimumSizeHint().width())  # all three whole, just
    panel.resize(width, 260)
    qtbot.waitUntil(lambda: panel.width() == width and panel.facts.width() > 0, timeout=2_000)
    assert panel.title.shown_text() == "gravel.wav"
    assert panel.facts.shown_text() == facts  # whole: the duration too


def test_a_regions_length_says_it_is_one_in_its_shortest_wording(qtbot):
    """With little room the region's readout fell back to a bare "0:04.342" beside the time
    readout, where it read as a position."""
    label = ElidedLabel(*region_said(2.171, 6.513))
    qtbot.addWidget(label)
    label.resize(label.fontMetrics().horizontalAdvance("0:04.342 long") + 4, 20)
    assert label.shown_text().startswith("0:04.342") and "long" in label.shown_text()


def themed(widget) -> None:
    """``widget`` in the app's dark theme (its font and padding decide what fits), set on it alone,
    leaving the application's style as the other tests expect it."""
    theme = resource_dir() / "theme"
    widget.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))


def test_from_1000_px_down_to_the_least_width_the_results_fit_without_scrolling_sideways(qtbot, window, library):
    """With the Library panel open, the results scrolled sideways below about 1,000 px: the facts
    kept widths their themed titles ask (Duration 100, Channels 104) beside a Name cut to 130. The
    facts give way to their values whole (their titles elided), and where even so they do not fit,
    the least needed fold away; the Name and the Match stay."""
    themed(window)
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    view, header = window.results, window.results.horizontalHeader()
    facts = [column(title) for title in ("Duration", "Format", "Rate", "Channels")]
    for width in (1000, 900, 800, 1):  # 1: as narrow as the window goes
        was = view.viewport().width()
        window.resize(width, 760)
        qtbot.waitUntil(lambda was=was: view.viewport().width() < was, timeout=5_000)  # laid out anew
        qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=5_000)
        assert not any(header.isSectionHidden(c) for c in (NAME_COLUMN, column("Match")))
        assert header.sectionSize(NAME_COLUMN) >= NAME_LEAST
        for fact in (c for c in facts if not header.isSectionHidden(c)):  # their values whole
            assert all(shown_text(view, r, fact)[0] == view.model().index(r, fact).data() for r in range(len(library)))
        if width == 1000:  # room for every fact, narrowed
            assert window.width() == 1000 and not any(header.isSectionHidden(c) for c in (*facts, FOLDER_COLUMN))
    assert window.width() <= BESIDE_A_DAW


def test_a_small_window_keeps_ten_results_in_view_whatever_sizes_were_saved(qtbot, window, library, tiny_checkpoint):
    """Splitter sizes saved in a 1440 x 880 window left the results 5 rows above the preview and
    the tags panel (stacked) at the next start in a smaller window, and 5 rows again once the
    window was made 1024 x 700: the results took all of the height it lost."""
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    window.resize(1440, 880)
    qtbot.waitUntil(lambda: window.results.height() > 300, timeout=5_000)
    window.save_state()
    window.resize(1024, 700)  # where the next start opens (as the screen lets it)
    qtbot.waitUntil(lambda: window.height() == 700, timeout=5_000)
    window.ui_state.setValue("window/geometry", window.saveGeometry())
    window.close()

    again = open_window(qtbot, str(tiny_checkpoint))
    ten_rows = 10 * ROW_HEIGHT
    qtbot.waitUntil(lambda: again.bottom_split.orientation() == Qt.Vertical, timeout=5_000)  # stacked: narrow
    qtbot.waitUntil(lambda: again.results.viewport().height() >= ten_rows, timeout=5_000)
    again.resize(1440, 880)
    again.resize(1024, 700)
    qtbot.waitUntil(lambda: again.size().toTuple() == (1024, 700), timeout=5_000)
    qtbot.waitUntil(lambda: again.results.viewport().height() >= ten_rows, timeout=5_000)
    assert again.preview.play_button.isVisible() and again.preview.height() > 100  # the preview keeps its room


def _drag_handle(qtbot, splitter: QSplitter, by: int) -> None:
    """Move ``splitter``'s handle ``by`` px down or right (up or left where negative) as a user does, with the mouse."""
    handle = splitter.handle(1)
    start = QPoint(handle.width() // 2, handle.height() // 2)
    moved = start + (QPoint(by, 0) if splitter.orientation() == Qt.Horizontal else QPoint(0, by))
    qtbot.mousePress(handle, Qt.LeftButton, pos=start)
    qtbot.mouseMove(handle, moved)
    qtbot.mouseRelease(handle, Qt.LeftButton, pos=moved)


def test_a_list_the_user_made_shorter_than_ten_rows_stays_so_in_a_shorter_window(
    qtbot, window, library, tiny_checkpoint
):
    """Review: results dragged down to 5 rows, to give the preview and the tags panel the room, grew
    back to 10 as the window was made shorter, over the user's choice. The height the user chose
    stays (ten rows are kept only where the user chose none), also at the next start."""
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    window.resize(1440, 880)
    split, view = window.center_split, window.results
    qtbot.waitUntil(lambda: view.viewport().height() > 10 * ROW_HEIGHT, timeout=5_000)
    chosen = view.height() - view.viewport().height() + 5 * ROW_HEIGHT  # 5 rows under the header
    _drag_handle(qtbot, split, chosen - split.sizes()[0])
    assert split.sizes()[0] == chosen
    window.resize(1440, 760)
    qtbot.waitUntil(lambda: window.height() == 760, timeout=5_000)
    assert split.sizes()[0] == chosen
    window.resize(1440, 880)
    window.close()  # its sizes are saved

    again = open_window(qtbot, str(tiny_checkpoint))
    again.resize(1440, 880)
    again.resize(1440, 760)
    qtbot.waitUntil(lambda: again.height() == 760, timeout=5_000)
    split = again.center_split
    assert split.chosen == chosen and chosen <= split.sizes()[0] < split.list_height()  # not ten rows


def test_at_1024x700_the_library_of_one_folder_is_as_wide_as_its_row_and_the_results_get_the_rest(
    qtbot, window, tiny_checkpoint, tmp_path
):
    """Review 11, L1: at 1024 x 700 the Library panel kept 330 px for one folder's row, its name a
    third of them, the results and the waveform narrowed beside it. The panel is as wide as its rows
    need, again as folders come, the results and the preview take the rest (ten results in view
    above the preview, the tags panel under it: side by side at 1024 px beside the narrower panel,
    they took five of the ten and half the waveform's width); a width the user drags it to stays as
    folders come, and at the next start."""
    library = write_library(tmp_path / "SFX")
    index_folder(qtbot, window, tmp_path / "SFX")
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    themed(window)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 700), timeout=5_000)
    panel, tree, ten_rows = window.library, window.library.folders, 10 * ROW_HEIGHT
    qtbot.wait(50)  # the layout requests travel up to the window
    name, room = shown_text(tree, 0, 0)
    assert name == tree.topLevelItem(0).text(0) == "SFX"  # whole, its count beside it in view
    assert tree.header().length() <= tree.viewport().width()
    assert room - tree.fontMetrics().horizontalAdvance(name) <= 3 * tree.fontMetrics().averageCharWidth()
    assert window.results.width() == window.width() - panel.width() - window.main_split.handleWidth()
    assert window.bottom_split.orientation() == Qt.Vertical  # the tags panel under the preview
    assert window.preview.width() == window.results.width()
    assert window.results.viewport().height() >= ten_rows

    fitted = panel.width()
    wide = fitted + window.main_split.handleWidth() + window.bottom_split.side_by_side_width() + 20
    window.resize(wide, 700)  # room beside it for the preview and the tags panel side by side
    qtbot.waitUntil(lambda: window.bottom_split.orientation() == Qt.Horizontal, timeout=5_000)
    qtbot.waitUntil(lambda: window.results.viewport().height() < ten_rows, timeout=5_000)  # the tags panel took some
    longer = tmp_path / "Field Recordings of the Northern Coast"  # a row that asks for more room
    write_audio(longer / "surf.wav", noise(0.5))
    index_folder(qtbot, window, longer)
    qtbot.waitUntil(lambda: panel.width() >= PANEL_WIDTH, timeout=ENGINE_TIMEOUT_MS)
    assert window.bottom_split.orientation() == Qt.Vertical  # no room beside it now
    qtbot.waitUntil(lambda: window.results.viewport().height() >= ten_rows, timeout=5_000)  # its rows back

    _drag_handle(qtbot, window.main_split, 100)
    dragged = panel.width()
    assert dragged > PANEL_WIDTH + 90 and window.main_split.chosen == dragged
    write_audio(tmp_path / "Rain" / "drops.wav", noise(0.5, seed=2))
    index_folder(qtbot, window, tmp_path / "Rain")
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 3, timeout=ENGINE_TIMEOUT_MS)
    qtbot.wait(50)
    assert panel.width() == dragged
    window.close()  # its sizes are saved

    again = open_window(qtbot, str(tiny_checkpoint))
    again.resize(wide, 700)
    qtbot.waitUntil(lambda: again.size().toTuple() == (wide, 700), timeout=5_000)
    qtbot.waitUntil(lambda: again.library.folders.topLevelItemCount() == 3, timeout=ENGINE_TIMEOUT_MS)
    qtbot.wait(50)
    assert again.library.width() == dragged


def test_the_first_run_page_fits_a_window_beside_a_daw(qtbot, window):
    """The first-run page's lines, one line each, held the window 1,142 px wide at the least: its
    lines wrap now, whole, and it is no wider than the results' page at the least."""
    themed(window)
    assert window.center.currentWidget() is window.empty  # no folders yet
    assert window.empty.minimumSizeHint().width() <= window.center_split.minimumSizeHint().width()
    qtbot.waitUntil(lambda: window.minimumSizeHint().width() <= BESIDE_A_DAW, timeout=5_000)
    window.resize(BESIDE_A_DAW, 700)
    qtbot.waitUntil(lambda: window.width() == BESIDE_A_DAW, timeout=5_000)
    labels = [label for label in window.empty.findChildren(QLabel) if label.text()]
    assert labels and all(label.height() >= label.heightForWidth(label.width()) for label in labels)  # none cut
    for widget in (*labels, window.empty.button):
        assert window.rect().contains(_rect_in(widget, window))


def test_the_folders_counts_stay_in_view_as_the_names_scroll_sideways(qtbot):
    """In a narrow Library panel scrolled back to the folders' names' start, the counts were
    scrolled out of view at the right: they stay at the right edge, drawn whole, the names passing
    under them, and pointing at one shows the count's tooltip."""
    panel = themed_panel(qtbot)
    root = "/lib/Library"
    panel.show_folders([folder_status(root, 1_240)])
    paths = [f"{root}/{'/'.join(DEEP[: depth + 1])}" for depth in range(len(DEEP))]
    panel.show_subfolders(root, {path: 1_240 - 100 * depth for depth, path in enumerate(paths)})
    panel.resize(panel.minimumSizeHint().width(), 500)
    QCoreApplication.processEvents()
    panel.select_folder(paths[-1])
    tree = panel.folders
    drawn: list[tuple[str, QRect]] = []

    class Recording(QStyledItemDelegate):
        def paint(self, painter, option, index) -> None:
            drawn.append((index.data(), QRect(option.rect)))
            super().paint(painter, option, index)

    tree.setItemDelegateForColumn(1, Recording(tree))
    bar = tree.horizontalScrollBar()
    assert bar.maximum() > 0  # the deepest name is wider than the panel
    counts = {tree.topLevelItem(0).text(1)} | {f"{1_240 - 100 * depth:,}" for depth in range(len(DEEP))}
    for value in (0, bar.maximum() // 2, bar.maximum()):
        bar.setValue(value)
        drawn.clear()
        tree.viewport().grab()
        whole = {text for text, rect in drawn if rect.left() >= 0 and rect.right() < tree.viewport().width()}
        assert whole == counts, value
    bar.setValue(0)
    row = tree.visualItemRect(tree.topLevelItem(0))
    assert tree.indexAt(QPoint(tree.viewport().width() - 4, row.center().y())).column() == 1  # its tooltip


def test_a_message_has_its_room_beside_a_long_results_line_in_a_narrow_window(qtbot, window, library):
    """Review 10, H1: the results line asked for its whole text's width, QStatusBar gives permanent
    widgets theirs first, and a message ("Suggestions ready…", "Cannot play…") got none at 712 px.
    While a message shows the line gives way to it (keeping a third of the bar); after, it widens."""
    themed(window)
    window.resize(1, 760)  # as narrow as the window goes
    qtbot.waitUntil(lambda: window.width() <= BESIDE_A_DAW, timeout=5_000)
    window.run_query("sine beep")
    qtbot.waitUntil(lambda: "then" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    bar, line = window.statusBar(), window.result_label
    message = "Suggestions ready for 20 of 107 sounds"
    qtbot.waitUntil(lambda: line.geometry().left() < bar.fontMetrics().horizontalAdvance(message), timeout=5_000)
    bar.showMessage(message)
    qtbot.waitUntil(lambda: line.geometry().left() > bar.fontMetrics().horizontalAdvance(message), timeout=5_000)
    assert line.width() >= bar.width() // 3 - 1
    bar.clearMessage()
    qtbot.waitUntil(lambda: line.geometry().left() < bar.fontMetrics().horizontalAdvance(message), timeout=5_000)


def test_in_a_narrow_window_the_results_line_keeps_the_sort_and_drops_the_rest_first(qtbot, window, library):
    """Review 10, M3: at 712 px "sorted by Duration" came after "then 401 ranked by how they sound
    and what their names mean" and was cut off; the sort changes which sound Enter plays."""
    from tests.app.test_browse_order import click_header

    themed(window)
    window.resize(712, 760)  # the Library panel as narrow as its one folder lets the window go narrower
    qtbot.waitUntil(lambda: window.width() == 712, timeout=5_000)
    window.run_query("sine beep")
    qtbot.waitUntil(lambda: "then" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    click_header(window, column("Duration"))
    # a status message shown meanwhile ("Library up to date") takes its share of the line for a while
    qtbot.waitUntil(lambda: not window.statusBar().currentMessage(), timeout=ENGINE_TIMEOUT_MS)
    shown = window.result_label.shown_text()
    assert "sorted by Duration" in shown and "then" not in shown, shown
    assert "then" in window.result_label.text()  # whole in the text and its tooltip


def test_a_library_named_short_widens_its_panel_for_the_subfolders_opened(qtbot, window, tmp_path):
    """Review 12, M3: a library folder named "lib" held three games' packs eight levels down; the
    panel, as wide as "lib" needed (183 px), read its open subfolders as "co" and "fill" beside
    their counts. It widens for the names of the rows opened, up to :data:`PANEL_WIDTH`."""
    deep = tmp_path / "lib" / "colobot-common-sounds" / "usr" / "share" / "games" / "colobot" / "sounds"
    write_audio(deep / "sound001.wav", noise(0.5))
    index_folder(qtbot, window, tmp_path / "lib")
    themed(window)
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1440, 900), timeout=5_000)
    panel, tree = window.library, window.library.folders
    qtbot.wait(50)
    closed = panel.width()
    item = tree.topLevelItem(0)
    for _level in range(3):  # lib, then colobot-common-sounds, then usr open
        item.setExpanded(True)
        qtbot.waitUntil(lambda item=item: item.childCount() > 0, timeout=ENGINE_TIMEOUT_MS)
        item = item.child(0)
    qtbot.wait(50)
    pack = tree.topLevelItem(0).child(0)
    assert panel.width() > closed
    assert shown_name(tree, pack) == "colobot-common-sounds"  # whole, not "co…"
    assert tree.horizontalScrollBar().maximum() == 0  # in view beside the counts, no scrolling sideways
    assert panel.width() <= PANEL_WIDTH
