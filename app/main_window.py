"""The main window: search bar and filters on top, library on the left, results over the preview.

The window only wires widgets to the :class:`EngineClient`; anything that
touches files, the index or the model happens behind that client on a worker.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QThreadPool, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.desktop import copy_paths, reveal_in_file_manager
from app.engine_client import LIBRARY_CLOSED, EngineClient, describe_report, describe_watched, folder_news_details
from app.export_copies import ExportController
from app.finetune_page import FinetuneLabel
from app.labels import ElidedLabel
from app.layouts import FoldingSplitter, ListSplitter, PageStack, SideSplitter, StatusBar, UpDownScroll
from app.library_panel import PANEL_WIDTH, FolderTree, LibraryPanel
from app.notices import NO_FOLDERS, Banner, EmptyLibrary, IndexingStatus, NoResults, filtered, quoted
from app.offline import is_offline
from app.player import Player
from app.preview_panel import PreviewPanel
from app.rename_dialog import RenameController
from app.results_model import (
    COLUMNS,
    SCORE_COLUMN,
    ResultsModel,
    browse_order,
    channels_text,
    duration_text,
    format_text,
    has_score,
    rate_text,
    warning_of,
)
from app.results_view import ResultsView
from app.search_bar import FilterBar, SearchField
from app.tagging_view import TaggingController
from app.tags_panel import TagsPanel
from app.theme import icon
from engine.audio.formats import AUDIO_EXTENSIONS
from engine.models.registry import shown_name
from engine.plural import counted
from engine.search.explain import describe_respellings, ranked_by
from engine.search.filters import BY_PATH, BrowseOrder, SearchFilters
from engine.search.listing import PAGE, found_by_words
from engine.search.moment import WHOLE_FILE

if TYPE_CHECKING:
    from engine.paths import AppPaths
    from engine.search.searcher import SearchResults

log = logging.getLogger(__name__)

RESULT_LIMIT = PAGE
MODEL_LOADING = "Loading the sound model…"
OPENING_LIBRARY = "Opening your library…"  # over the results until the index can be read
_PAGE_EMPTY, _PAGE_RESULTS = 0, 1


def describe(hit) -> str:
    """The preview's one-line technical summary of a hit."""
    parts = [format_text(hit), rate_text(hit), channels_text(hit), duration_text(hit.duration_s)]
    return "  ·  ".join(p for p in parts if p)


def best_window(hit) -> tuple[float, float] | None:
    """The window to start at and highlight; none when it is (nearly) the whole file, which says nothing."""
    if hit.best_start_s is None or hit.best_end_s is None:
        return None
    whole = hit.duration_s or 0.0
    covers = min(hit.best_end_s, whole) - max(hit.best_start_s, 0.0)
    return None if whole and covers >= WHOLE_FILE * whole else (hit.best_start_s, hit.best_end_s)


def never_opened(paths: AppPaths) -> bool:
    """Whether no library was ever opened in this home, as on a first launch: the first opening makes
    the index, so without one there is no folder either. One look at the disk, where opening the
    index takes a second or more (LanceDB's import): the first-run page shows from the first paint,
    not after a second of the results layout "Opening your library…" (review 9, L8)."""
    return not paths.index.exists()


WAITS_FOR_MODEL = "Folder added: it is indexed as soon as the model has loaded."


def dropped_audio_paths(mime) -> list[str]:
    return [
        url.toLocalFile()
        for url in mime.urls()
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in AUDIO_EXTENSIONS
    ]


def sentence(message: str) -> str:
    """``message`` as a sentence for the status bar: the engine words its errors to follow a colon
    ("there is no rename to undo"), so a first plain lower-case word gets its capital. A message
    that starts with a file name or a path ("dog_bark.wav …", "/Volumes/…") is left as it is."""
    return message[:1].upper() + message[1:] if re.match(r"[a-z]+(?=[ ,;:])", message) else message


def _key(key) -> str:
    """A key as a menu shows it beside an action whose key the results view handles itself."""
    return QKeySequence(key).toString(QKeySequence.NativeText)


def results_line(query: str, hits: SearchResults, scope: str = "", rest: bool = True) -> str:
    """What the results line says of a search's hits. The engine lists up to the result limit
    whatever the query (its sound and name-meaning rankings rank the whole library), so only the
    hits the words found are counted as results ("12 results for “door”"), and the sounds after
    them are named for what they are ("then 488 ranked by how they sound and what their names
    mean"); with none the words found, the line says no file is named so, and where none is close
    either (the engine's ``nothing_close``: Enter plays none of them), "or close to it". A list no ranking
    scored (an exclusion-only query's, "-laser") is counted whole: those are the files it keeps.
    ``scope`` (:func:`scope_said`) says where the filters looked: a folder chosen in the Library
    panel narrowed every later search, and "No file is named so" was said of the whole library.
    A list cut at the limit counts what the search found in all (:func:`found_in_all`): "the first
    500 of 3,221 results for “whoosh”", "the first 500 of 1,882 sounds" ("500 results" read as exact).
    Without ``rest`` the sounds after the results go unsaid: the shorter wording a narrow window shows.
    The query's words no file holds are named (the engine's ``unheld``): "baby cry" listed the war
    cry first with nothing to say the library holds no baby."""
    respelled = f" ({describe_respellings(hits.respelled)})" if hits.respelled else ""
    within = f" {scope}" if scope else ""
    in_all = found_in_all(hits)
    if not query:
        return f"{first_of(len(hits), in_all, 'sound')}{within} (type to search){respelled}"
    if not any(has_score(hit) for hit in hits):
        return f"{first_of(len(hits), in_all, 'result')} for {quoted(query)}{within}{respelled}"
    others = [hit for hit in hits if not found_by_words(hit)]
    if len(others) == len(hits):
        ranked = f"{counted(len(others), 'sound')} ranked by {ranked_by(others)}"
        close = " or close to it" if hits.nothing_close else ""
        return f"No file{within} is named so{close}: {ranked}, for {quoted(query)}{respelled}"
    found = f"{first_of(len(hits) - len(others), in_all, 'result')} for {quoted(query)}{within}{respelled}"
    found += f" (no file says {' or '.join(map(quoted, hits.unheld))})" if hits.unheld else ""
    return f"{found}, then {len(others):,} ranked by {ranked_by(others)}" if others and rest else found


def indexing_said(done: int, total: int) -> str:
    """What a search's results line adds while an indexing run embeds the library: its sounds rank
    only the files embedded so far, and "No file is named so or close to it: 300 sounds ranked by
    how they sound" read as said of the whole library, three minutes into indexing 1,289 (review
    16, L11)."""
    return f" (indexing: {done:,} of {counted(total, 'sound')} so far)"


def sorted_said(header: QHeaderView) -> str:
    """ " · sorted by Duration: click Match for the best first" where a search's rows are sorted by
    another column than the ranking's, best first; "" where they are not."""
    section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
    if section == SCORE_COLUMN:
        return "" if order == Qt.DescendingOrder else " · sorted by Match, weakest first"
    return f" · sorted by {COLUMNS[section].title}: click Match for the best first"


def found_in_all(hits: SearchResults) -> int:
    """How many the search found in all (the engine's ``total``: the sounds its words matched, a
    group of copies once as the list folds it; a browse's files); 0 where the engine did not
    count. More than the list shows of them only where the limit cut it (:func:`first_of`). Not
    judged by the list's length: a search's list fills to the limit with sounds the words did
    not find, so its words' rows are what the count is set against (:func:`results_line`)."""
    return hits.total or 0


def first_of(shown: int, in_all: int, noun: str) -> str:
    """ "12 results", or, where the list holds the first ``shown`` of ``in_all``, "the first 500 of
    3,221 results"."""
    return f"the first {shown:,} of {counted(in_all, noun)}" if in_all > shown else counted(shown, noun)


def scope_said(filters: SearchFilters, folder_name: str) -> str:
    """Where a search looked, when the filters narrowed it: "in Doors/Wood", "within these
    filters", "in Doors/Wood, within these filters"; "" for the whole library."""
    said = [f"in {folder_name}"] if filters.folder else []
    if filtered(replace(filters, folder=None)):
        said.append("within these filters")
    return ", ".join(said)


def _column_titles() -> list[str]:
    """The results' columns, saved with their header state: the state is only good for these."""
    return [column.title for column in COLUMNS]


class MainWindow(QMainWindow):
    def __init__(self, client: EngineClient, ui_state: QSettings):
        super().__init__()
        self.client = client
        self.ui_state = ui_state
        self.setWindowTitle("Earmark")
        self.setWindowIcon(icon("earmark"))
        self.setAcceptDrops(True)
        self.resize(1440, 880)
        self._folders: list = []
        self._similar_to: str | None = None  # the file whose similar sounds are shown, when they are
        self._select_first_on_answer = False
        self._refreshing = False  # True while new hits replace old ones: the selection is restored, not new
        # what the shown results answer: ("search", query) or ("similar", path); the selection is kept
        # only when hits for the same question replace them (a refresh), never for a new question
        self._shown_for: tuple[str, str] | None = None
        # the results line's words, the same without the sounds after the results, ms, ranked
        self._search_said: tuple[str, str, float, bool] | None = None
        self._embedding: tuple[int, int] | None = None  # files embedded, of how many, while a run embeds them
        self._shown = False
        self._cut = False  # the results shown are the first of more the search found (the engine's total)
        self._asked_order = BY_PATH  # the order the last search asked lists a browse in

        self.player = Player(self)
        self.peaks_pool = QThreadPool(self)
        self.peaks_pool.setMaxThreadCount(2)
        self._rerun = QTimer(self, singleShot=True, interval=600)  # watcher bursts become one refresh
        self._rerun.timeout.connect(self._library_changed)
        self._build(client.paths.cache)
        self._connect()
        self.folder_tree = FolderTree(self)  # subfolders in the library panel and the folder filter
        self.tagging = TaggingController(self)  # suggested tags and captions (app/tagging_view.py)
        self._restore()
        self._show_model_loading()
        if never_opened(client.paths):  # before the start makes the index: no folders, the first-run page
            self._show_folders([])
        else:
            self.no_results.show_text(OPENING_LIBRARY)
        client.start()

    # -- construction ------------------------------------------------------------------------------
    def _build(self, cache: Path) -> None:
        self.search_field = SearchField()
        self.settings_button = QToolButton(toolTip="Settings")
        self.settings_button.setIcon(icon("settings"))
        self.settings_button.setIconSize(QSize(20, 20))
        top = QWidget(objectName="TopBar")
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(12, 8, 10, 6)
        logo = QLabel()
        logo.setPixmap(icon("earmark").pixmap(26, 26))
        top_row.addWidget(logo)
        top_row.addWidget(QLabel("Earmark", objectName="Brand"))
        top_row.addSpacing(14)
        top_row.addWidget(self.search_field, 1)
        top_row.addWidget(self.settings_button)
        self.filter_bar = FilterBar()
        self.banner = Banner()

        self.library = LibraryPanel()
        self.model = ResultsModel(self)
        self.results = ResultsView()
        self.results.setModel(self.model)
        self.model.lists_anew = self._list_browse_anew
        self.no_results = NoResults(self.results)  # over an empty results list: why, and what to try
        self.preview = PreviewPanel(self.player, self.peaks_pool, cache / "peaks", cache / "regions")
        self.tags = TagsPanel()
        self.empty = EmptyLibrary()

        # stacked under the preview in a narrow window, the tags panel scrolls rather than hold the
        # window taller than a laptop's screen
        self.bottom_split = FoldingSplitter(self.preview, UpDownScroll(self.tags))
        self.bottom_split.setSizes([900, 300])
        self.center_split = ListSplitter(self.results, self.bottom_split)
        self.center_split.setSizes([560, 260])
        self.center = PageStack()
        self.center.addWidget(self.empty)
        self.center.addWidget(self.center_split)
        self.center.setCurrentIndex(_PAGE_RESULTS)
        self.main_split = SideSplitter(self.library, self.center)  # the library as wide as its rows need
        self.main_split.setSizes([PANEL_WIDTH, 1110])  # until its folders are read, where no width was saved

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for widget in (top, self.banner, self.filter_bar):
            column.addWidget(widget)
        column.addWidget(self.main_split, 1)
        self.setCentralWidget(body)

        # The results line is permanent: QStatusBar hides its normal widgets while a message shows, and
        # a message that keeps coming back (no audio output, say) would hide it for good. Messages show
        # at the left, up to it; it gives way (eliding, whole in its tooltip) before they do (StatusBar).
        self.result_label = ElidedLabel("")
        self.result_label.setObjectName("ResultLine")  # ruled off from a message cut at its left (theme)
        self.indexing = IndexingStatus()
        self.model_label = QLabel("")
        self.finetune_label = FinetuneLabel(self.client.finetune)  # short, bounded, follows the job itself
        self.setStatusBar(StatusBar())
        self.statusBar().addPermanentWidget(self.result_label)
        self.statusBar().give_way(self.result_label)
        self.statusBar().addPermanentWidget(self.indexing)
        self.statusBar().addPermanentWidget(self.model_label)
        self.statusBar().addPermanentWidget(self.finetune_label)
        # a tooltip set for a message (the folders a run names, whole) goes with it
        self.statusBar().messageChanged.connect(lambda _message: self.statusBar().setToolTip(""))
        self._build_actions()

    def _build_actions(self) -> None:
        """What can be done to the selected results, as the window's actions: the right-click menu
        shows these, so a menu item and its key do the same. Ctrl+Return and Ctrl+C stay the results
        view's own keys (the menu only names them): as window shortcuts they would take Return
        and Copy from the search field. Rename (F2), Find similar (Ctrl+Shift+S) and Suggest tags
        (Ctrl+T) act on the selected results and are keys of the results view alone, so they never
        take a key from the search field or the tags and caption editors; Ctrl+Shift+S rather than
        Ctrl+L, which file dialogs and browsers use to go to the location field (a user pressing it
        for the search field would get similar sounds instead). Settings (Ctrl+,), Loop
        (Ctrl+Shift+L) and Autoplay (Ctrl+Shift+A) work anywhere: no text field uses the keys, and
        the transport's buttons take no focus (it stays in the search field or the results)."""
        self.play_action = QAction("Play / stop", self, shortcut=QKeySequence(Qt.Key_Space))
        self.play_action.triggered.connect(self.preview.toggle_playback)
        self.similar_action = QAction("Find similar sounds", self, shortcut=QKeySequence("Ctrl+Shift+S"))
        self.similar_action.triggered.connect(self._find_similar_to_selected)
        self.reveal_action = QAction(f"Show in folder\t{_key(Qt.CTRL | Qt.Key_Return)}", self)
        self.reveal_action.triggered.connect(lambda: self.reveal(self.results.selected_paths()))
        self.copy_action = QAction("Copy path", self)
        self.copy_action.triggered.connect(lambda: self._copy(self.results.selected_paths()))
        self.suggest_action = QAction("Suggest tags", self, shortcut=QKeySequence("Ctrl+T"))
        self.suggest_action.triggered.connect(self._suggest_for_selected)
        self.settings_action = QAction("Settings…", self, shortcut=QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.settings_button.setToolTip(f"Settings ({_key(self.settings_action.shortcut())})")
        self.loop_action = QAction("Loop", self, shortcut=QKeySequence("Ctrl+Shift+L"))
        self.loop_action.triggered.connect(self.preview.loop_button.toggle)
        self.autoplay_action = QAction("Autoplay", self, shortcut=QKeySequence("Ctrl+Shift+A"))
        self.autoplay_action.triggered.connect(self.preview.autoplay_button.toggle)
        for action, button in (
            (self.loop_action, self.preview.loop_button),
            (self.autoplay_action, self.preview.autoplay_button),
        ):
            button.setToolTip(f"{button.toolTip()} ({_key(action.shortcut())})")
        self.addActions([self.play_action, self.settings_action, self.loop_action, self.autoplay_action])
        self.renames = RenameController(self)  # Rename to UCS name…, Undo last rename (app/rename_dialog.py)
        self.exports = ExportController(self)  # Export tagged copies… (app/export_copies.py)
        for action in (self.similar_action, self.suggest_action, self.renames.rename_action):
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.setShortcutVisibleInContextMenu(True)  # named in the menu on every system (macOS too)
            self.results.addAction(action)  # the key works while the results have the focus
        self.results.setContextMenuPolicy(Qt.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._show_results_menu)

    def _connect(self) -> None:
        client = self.client
        self.search_field.query_changed.connect(self.run_query)
        self.search_field.query_committed.connect(self._commit_query)
        self.search_field.navigate.connect(self._navigate_from_search)
        self.results.typed.connect(self._type_into_search)
        self.search_field.back_requested.connect(self.back_to_search)
        self.filter_bar.changed.connect(self._ask_again)  # the sounds like a file stay that, filtered anew
        self.results.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.results.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self._show_sort_indicator())
        self.results.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self._sort_changed())
        self.results.selectionModel().selectionChanged.connect(lambda *_: self._enable_actions())
        self.model.modelReset.connect(self._enable_actions)  # a reset drops the selection unsaid
        self.results.reveal_requested.connect(self.reveal)
        self.results.play_requested.connect(self.preview.toggle_playback)
        self.results.copy_requested.connect(self._copy)
        self.results.message.connect(self.show_error)
        self.preview.similar_requested.connect(self.find_similar)
        self.preview.message.connect(self.show_error)
        self.tags.tags_edited.connect(self._save_tags)
        self.tags.caption_edited.connect(self._save_caption)
        self.library.add_requested.connect(self.add_folder)
        self.library.remove_requested.connect(client.count_folder_edits)  # the answer asks the user
        self.library.rescan_requested.connect(client.index)
        self.library.failed_file_activated.connect(lambda path: self.reveal([path]))
        self.empty.add_folder_clicked.connect(self.library.ask_for_folder)
        self.indexing.pause_toggled.connect(client.set_paused)
        self._banner_action = self.open_settings  # what the banner's button does: it depends on the message
        self.banner.action_clicked.connect(lambda: self._banner_action())
        self.settings_button.clicked.connect(self.settings_action.trigger)

        for change in (client.index_opened, client.ready, client.unavailable, client.damaged, client.repaired):
            change.connect(lambda *_: self._enable_actions())  # Find similar needs the library, Suggest a model
        client.index_opened.connect(self._engine_opened)
        client.ready.connect(self._engine_ready)
        client.unavailable.connect(self._engine_unavailable)
        client.damaged.connect(self._index_damaged)
        client.repaired.connect(self._index_repaired)
        client.results.connect(self._show_results)
        client.similar_results.connect(self._show_similar)
        client.similar_failed.connect(self._similar_failed)
        client.folders_changed.connect(self._show_folders)
        client.descriptions_held.connect(self.results.show_descriptions)
        client.folder_edits_counted.connect(self._confirm_removal)
        client.folder_removed.connect(lambda _path: self._ask_again())  # its sounds leave the results
        client.folder_added.connect(lambda _path: self._ask_again())  # the results line stops saying "no folders"
        client.failures_changed.connect(self.library.show_failed)
        client.index_progress.connect(self._show_progress)
        client.watch_progress.connect(self._show_watch_progress)
        client.index_finished.connect(self._index_finished)
        client.index_paused.connect(self.indexing.show_paused)
        client.switch_progress.connect(self._show_switch_progress)
        client.library_changed.connect(self._watcher_indexed)
        client.error.connect(self.show_error)
        client.tagging.rename_failed.connect(lambda _message: self._ask_again())  # the dialog says why

        shortcuts = (
            (QKeySequence.Find, self.focus_search),
            (Qt.Key_Escape, self._escape),
        )
        for key, slot in shortcuts:
            QShortcut(QKeySequence(key), self, activated=slot)
        quit_action = QAction("Quit", self, shortcut=QKeySequence.Quit, triggered=self.close)
        self.addAction(quit_action)
        self._enable_actions()  # nothing is selected yet: the results' keys wait for a selection

    def _escape(self) -> None:
        """Escape stops playback, and in the search field with a query, clears the search too (the
        window's shortcut takes the key before the field sees it): the library is browsed from the
        top, nothing selected or played (a clear is not a commit). While similar sounds are shown,
        it goes back to the search typed before (an Escape that stopped playback outside the
        search field only stops it)."""
        playing = self.player.is_playing()
        self.player.stop()
        if self._similar_to is not None and not self.search_field.text():
            if self.search_field.hasFocus() or not playing:
                self.back_to_search()
        elif self.search_field.hasFocus() and self.search_field.text():
            self._select_first_on_answer = False  # an Enter's answer still on its way selects nothing now
            self.search_field.clear_search()

    # -- persistence -------------------------------------------------------------------------------
    def _restore(self) -> None:
        state = self.ui_state
        if state.value("window/geometry"):
            self.restoreGeometry(state.value("window/geometry"))
        # a header state saved for other columns (an older Earmark's order, Match and Folder last) would
        # give their widths, order and sort to the wrong columns: it is kept only for the same columns
        if state.value("results/header") and state.value("results/columns", [], type=list) == _column_titles():
            self.results.horizontalHeader().restoreState(state.value("results/header"))
            # the user's widths win over fitting the columns to the window; widths only fitted to the
            # last window are fitted again (kept, they froze the first start's layout for good, and
            # the room a new window or a new Earmark gives the Name never reached it)
            if state.value("results/widths_kept", False, type=bool):
                self.results.keep_column_widths()
        self.results.hide_columns(state.value("results/hidden_columns", [], type=list))  # by title, kept apart
        self.preview.autoplay_button.setChecked(state.value("preview/autoplay", True, type=bool))
        self.preview.loop_button.setChecked(state.value("preview/loop", False, type=bool))
        self.preview.volume.setValue(state.value("preview/volume", 80, type=int))
        self.player.device_name = state.value("audio/output_device", "", type=str)
        self.search_field.setText(state.value("search/last_query", "", type=str))
        self.search_field.set_recent(state.value("search/recent", [], type=list))
        self.search_field.recent_changed.connect(lambda recent: state.setValue("search/recent", recent))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:  # splitter sizes only stick once the window has its real size
            self._shown = True
            QTimer.singleShot(0, self._restore_splitters)

    def _restore_splitters(self) -> None:
        for name, splitter in self._splitters().items():
            saved = self.ui_state.value(f"splitters/{name}")
            if saved:
                splitter.restoreState(saved)
        self.bottom_split.fit(self.bottom_split.width())  # saved side by side in a window now narrow, say

    def save_state(self) -> None:
        state = self.ui_state
        state.setValue("window/geometry", self.saveGeometry())
        for name, splitter in self._splitters().items():
            state.setValue(f"splitters/{name}", splitter.saveState())
        state.setValue("results/header", self.results.horizontalHeader().saveState())
        state.setValue("results/widths_kept", self.results.widths_kept)
        state.setValue("results/columns", _column_titles())
        state.setValue("results/hidden_columns", self.results.hidden_columns)
        state.setValue("preview/autoplay", self.preview.autoplay)
        state.setValue("preview/loop", self.preview.loop_button.isChecked())
        state.setValue("preview/volume", self.preview.volume.value())
        state.setValue("audio/output_device", self.player.device_name)
        state.setValue("search/last_query", self.search_field.query())
        state.sync()

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "main": self.main_split,
            "center": self.center_split,
            "bottom": self.bottom_split,
            "library": self.library.splitter,
        }

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window goes at once; then the work still running is waited for (a model load or a
        fine-tune stop can take seconds) and the engine closed."""
        self.save_state()
        self.hide()
        self.player.shutdown()
        self.peaks_pool.waitForDone(5_000)
        self.client.shutdown()
        super().closeEvent(event)

    # -- engine life cycle --------------------------------------------------------------------------
    def _engine_opened(self) -> None:
        """The index can be read: the folders are on their way, and the query in the field is
        searched by its words while the model loads (its answer comes again with the sound)."""
        self._show_model_loading()
        self.no_results.hide()
        self.run_query(self.search_field.text())

    def _show_model_loading(self) -> None:
        """Said where the model's name goes once it is loaded, which no passing message hides."""
        self.model_label.setText(MODEL_LOADING)
        self.model_label.setToolTip(
            "Searches match names, metadata, tags and captions until it has loaded; then they hear the sounds too."
        )

    def _copy(self, paths: list[str]) -> None:
        """The files on the clipboard, and a word that they are (Ctrl+C said nothing; review 10)."""
        if paths:
            copy_paths(paths)
            self.statusBar().showMessage(
                f"Copied {counted(len(paths), 'file')}: paste them into a DAW or a folder", 4000
            )

    def _engine_ready(self, info) -> None:
        if self.statusBar().currentMessage() == WAITS_FOR_MODEL:  # it has loaded: the run says what it indexes
            self.statusBar().clearMessage()
        if not self.client.damage:
            self.banner.hide()
        self.model_label.setText(f"Model: {shown_name(self.client.active_model_spec)}")  # as the CLI says it
        self.model_label.setToolTip(
            f"The model that hears your sounds and reads your words ({info.name}). It listens to "
            f"{info.window_seconds:g}-second stretches of each sound; another can be chosen in Settings."
        )
        self._ask_again()

    def _engine_unavailable(self, message: str) -> None:
        self._show_no_model()
        if self.client.engine is None:  # the library did not open: the banner says why
            self.no_results.hide()
        self._banner_action = self.open_settings
        self.banner.show_message(message, "Open Settings…", kind="error")

    def _show_no_model(self) -> None:
        self.model_label.setToolTip("")
        self.model_label.setText("No model · text search only" if self.client.engine else "Library closed")

    def _index_damaged(self, summary: str, details: str) -> None:
        """The banner says what is damaged and what Repair does; what the storage said (jargon such
        as "LanceError(IO): ... failed to fill whole buffer") goes to the log and the text's tooltip."""
        from engine.index.health import REPAIR_KEEPS

        log.warning("the index is damaged: %s", details)
        if self.client.engine is None:  # it could not open: no model loads until it is repaired
            self._show_no_model()
            self.no_results.hide()  # the banner says why
        self._banner_action = self._repair
        self.banner.show_message(
            f"{summary} Repair rebuilds it from what is still readable and from your files on disk; {REPAIR_KEEPS}.",
            "Repair the index",
            kind="error",
            details=details,
        )

    def _repair(self) -> None:
        self.banner.hide()
        self.statusBar().showMessage("Repairing the index…")
        self.client.repair()

    def _index_repaired(self, report) -> None:
        kept = f"; {report.tags_kept} files keep their tags or caption" if report.repaired else ""
        self.statusBar().showMessage(f"The index is repaired{kept}. Looking for what was lost on disk…", 15_000)

    # -- searching -----------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.ShortcutFocusReason)
        self.search_field.selectAll()

    def _type_into_search(self, text: str) -> None:
        """What was typed in the results starts a new query in the search field, as if typed there."""
        self.focus_search()  # the query selected, so the first letter replaces it
        for letter in text:
            QApplication.sendEvent(self.search_field, QKeyEvent(QEvent.KeyPress, 0, Qt.NoModifier, letter))

    def run_query(self, text: str) -> None:
        """Search (an empty query browses the library, filters included, in the order the results
        are sorted by: :func:`browse_order`)."""
        header = self.results.horizontalHeader()
        self._search(text, browse_order(header.sortIndicatorSection(), header.sortIndicatorOrder()))

    def _search(self, text: str, order: BrowseOrder) -> None:
        self._similar_to = None
        self.search_field.end_similar()
        if self.client.engine is not None:
            self._asked_order = order
            self.client.search(text.strip(), self.filter_bar.values(), RESULT_LIMIT, order)

    def _list_browse_anew(self, column: int, order: Qt.SortOrder) -> bool:
        """The results sorted by ``column`` (a header click, new hits): where they are a browse that
        lists only the first of its files (the library, a folder: the first 500 of 3,000) and the
        engine can order by the column, the engine lists the browse anew in that order, over every
        file that passes (a sort of the rows listed showed the shortest of the first 500 by path,
        not the folder's), and True: the rows stay until its answer replaces them. False, and the
        rows listed are sorted in the model, where they are every file found, a search's ranking
        or find similar, or the column is one the engine cannot order by (Match, Tags)."""
        if self.model.ranked or not self._cut or COLUMNS[column].browse_by is None:
            return False
        wanted = browse_order(column, order)
        if wanted != self._asked_order:  # else asked already: Qt sorts a sortByColumn twice; or listed so
            self._search(self._shown_for[1], wanted)
        return True

    def back_to_search(self) -> None:
        """Leave the sounds like a file for the search typed before them, put back in the field."""
        self._select_first_on_answer = False
        self.run_query(self.search_field.end_similar(restore=True))

    def _commit_query(self, text: str) -> None:
        if self._similar_to is not None and not text:  # Enter in the emptied field: back to the search
            self.back_to_search()
            return
        self.ui_state.setValue("search/last_query", text)
        self._select_first_on_answer = True
        self.run_query(text)

    def _show_results(self, query: str, hits: SearchResults, seconds: float) -> None:
        self.tags.show_listed(len(hits), found_in_all(hits))  # before the selection shows in the panel
        self._cut = found_in_all(hits) > len(hits)  # before the rows are sorted (_list_browse_anew)
        if hits.nothing_close:  # Enter selects and plays none of it: "xyzzy" played bang.wav (review 9, L7)
            self._select_first_on_answer = False
            self.search_field.forget_latest(query)  # nor is it a search to go back to
        self._set_hits(hits, ranked=bool(query), answers=("search", query))
        filters = self.filter_bar.values()
        scope = scope_said(filters, self.filter_bar.folder.currentText())
        said = (results_line(query, hits, scope), results_line(query, hits, scope, rest=False))
        if query and self.client.indexing and self._embedding is not None:  # only part of the library is ranked
            said = tuple(f"{line}{indexing_said(*self._embedding)}" for line in said)
        self._search_said = (*said, seconds, bool(query)) if hits or self._folders else None
        self._say_search()
        loading = bool(hits.text_only) and not self.client.model_failure  # words only until the model is ready
        self.no_results.show_for(len(hits), query, filters, indexing=self.client.indexing, model_loading=loading)

    def _say_search(self) -> None:
        """The results line of the search shown, and the column its rows are sorted by where that
        is not the ranking: a sort chosen for one search stays for the next (its arrow is all that
        said so), and a first-day user saw "explosion" begin with hit_05.wav at 62 before the 88s
        (review 9, L9)."""
        if self._search_said is None:
            self.result_label.say(NO_FOLDERS)
            return
        found, results, seconds, ranked = self._search_said
        sort = sorted_said(self.results.horizontalHeader()) if ranked else ""
        took = f" · {seconds * 1000:.0f} ms"
        # narrower, the rest of the library after the results goes first, then the time: the sort
        # stays, as it changes which sound Enter plays (a window beside a DAW cut it off; review 10)
        self.result_label.say(f"{found}{sort}{took}", [f"{results}{sort}{took}", f"{results}{sort}"])

    def find_similar(self, path: str) -> None:
        if self.client.engine is None:
            return
        self._similar_to = path
        self._select_first_on_answer = False
        self.search_field.show_similar(Path(path).name)
        self.result_label.say(f"Finding sounds like {Path(path).name}…")
        self.client.similar(path, RESULT_LIMIT, self.filter_bar.values())

    def _show_similar(self, path: str, hits: list, seconds: float) -> None:
        self.tags.show_listed(len(hits), 0)  # not counted beyond the list
        self._cut = False
        self._set_hits(hits, answers=("similar", path))
        self.no_results.show_for(len(hits), filters=self.filter_bar.values(), similar_to=path)
        self.result_label.say(f"{len(hits):,} sounds similar to {Path(path).name} · {seconds * 1000:.0f} ms")

    def _similar_failed(self, path: str, message: str) -> None:
        """The file cannot be heard (random bytes named .wav, dropped on the window): the window
        said "Finding sounds like corrupt.wav…" over the last search's results for good. It goes
        back to that search, and the status bar says which file failed and why."""
        if path != self._similar_to:
            return
        self.back_to_search()
        self.show_error(f"Cannot find sounds like {Path(path).name}: {message}")

    def _set_hits(self, hits: list, ranked: bool = True, answers: tuple[str, str] | None = None) -> None:
        """Show new hits, keeping the column sort. A refresh (hits for the question already shown, as
        while indexing) keeps the selected file when it is still there, so it neither interrupts
        playback nor loses an edit in the tags panel. Hits for a new question (another query typed,
        the search cleared) show from the top with nothing selected: the next Down picks the best hit,
        not the row after the last query's pick."""
        refresh = answers is not None and answers == self._shown_for
        self._shown_for = answers
        current, selected = self.preview.path, self.results.selected_paths()
        self._refreshing = True
        self.model.set_hits(hits, ranked, similar_to=answers[1] if answers and answers[0] == "similar" else None)
        header = self.results.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (SCORE_COLUMN, Qt.DescendingOrder):
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._show_sort_indicator()
        row = self.model.row_of(current) if current and refresh else -1
        if row >= 0:  # every selected file still shown stays selected, so a multi-file edit goes on
            self.results.select_paths(selected or [current], current)
        else:
            self.results.selectionModel().clear()  # no current row either: Down starts at the top
            self.results.scrollToTop()
        self._refreshing = False
        if row >= 0 and is_offline(self.model.hit(row)) != bool(self.preview.offline_reason):
            self._selection_changed()  # its drive went away or came back: the preview follows
        elif row >= 0:
            self.tags.show_hits(self.results.selected_hits())
            self.preview.show_warning(warning_of(self.model.hit(row)))  # the file re-indexed once mended, say
            if not is_offline(self.model.hit(row)):  # the answer may have found its moment (the sound's, now)
                self.preview.show_match(best_window(self.model.hit(row)))
        else:
            self._selection_changed()
        if self._select_first_on_answer:  # the answer to a query just committed, with hits or none
            self._select_first_on_answer = False
            if hits:
                self.results.setFocus()
                self.results.selectRow(0)

    def _sort_changed(self) -> None:
        if self._shown_for is not None and self._shown_for[0] == "search":  # its line says the sort
            self._say_search()

    def _show_sort_indicator(self) -> None:
        """No Match arrow over a browse (no query, or one that only excludes): its order is the
        paths', not a ranking; an arrow on another column shows as ever."""
        header = self.results.horizontalHeader()
        header.setSortIndicatorShown(self.model.sort_indicator_shown(header.sortIndicatorSection()))

    def _navigate_from_search(self, key: int) -> None:
        # moved before the focus goes over: a table taking the focus with no current row makes its
        # first row current (unselected), and the key would then step past the best hit
        self.results.move_current(key)
        self.results.setFocus()

    # -- selection and preview --------------------------------------------------------------------
    def _selection_changed(self) -> None:
        if self._refreshing:
            return
        hits = self.results.selected_hits()
        self.tags.show_hits(hits)
        current = self.results.currentIndex()
        hit = self.model.hit(current.row()) if current.isValid() and hits else (hits[0] if hits else None)
        if hit is None and self._similar_to is not None:
            self._show_reference(self._similar_to)
            return
        if hit is None:
            self.preview.clear()
            return
        if str(hit.path) == self.preview.path and bool(self.preview.offline_reason) == is_offline(hit):
            return
        if is_offline(hit):
            self.preview.show_offline(str(hit.path), describe(hit), self.model.offline_message(hit), warning_of(hit))
            return
        match = best_window(hit)
        self.preview.show_file(str(hit.path), describe(hit), match, self.preview.autoplay, warning_of(hit))

    def _show_reference(self, path: str) -> None:
        """With no result selected, the preview keeps (or shows) the file the similar sounds are
        like, to compare them with; it is not played again."""
        if self.preview.path == path:
            return
        self.preview.show_file(path, "The sound these are similar to")

    # -- library ----------------------------------------------------------------------------------------
    def add_folder(self, path: str) -> None:
        if self.client.engine is None:
            self.show_error(LIBRARY_CLOSED)
            return
        self.client.add_folder(path)
        if self.client.model_info is None and self.client.model_failure:
            self.show_error("Folder added. It is indexed as soon as a model is loaded: pick one in Settings.")
        elif self.client.model_info is None:  # still loading: the start-up index run takes the folder
            self.statusBar().showMessage(WAITS_FOR_MODEL, 10_000)

    def _confirm_removal(self, path: str, edited: int) -> None:
        if self.library.confirm_removal(path, edited):
            self.client.remove_folder(path)

    def _show_folders(self, folders: list) -> None:
        self._folders = folders
        self.library.show_folders(folders)
        self.model.set_folders(folders)  # which offline results say to find their folder, not connect a drive
        self.filter_bar.set_folders([str(f.path) for f in folders])
        self.center.setCurrentIndex(_PAGE_RESULTS if folders else _PAGE_EMPTY)
        self.filter_bar.setVisible(bool(folders))  # nothing to filter yet: the first-run page alone (review 10)
        if not folders:
            self.result_label.say(NO_FOLDERS)

    def _show_progress(self, progress, pausable: bool = True) -> None:
        embedding = progress.phase == "embedding" and progress.total
        self._embedding = (progress.done, progress.total) if embedding else None
        self.indexing.show_progress(
            progress.phase, progress.done, progress.total, Path(progress.path).name, progress.errors, pausable=pausable
        )
        if progress.done and progress.done % 50 == 0 and not self._rerun.isActive():
            self._rerun.start()  # not restarted: files coming faster than 50 a delay would starve it

    def _show_watch_progress(self, progress) -> None:
        """A batch the folder watcher indexes (a pack dropped into a folder) shows as a run does,
        without Pause; at its end (None) the status bar says what it said before: nothing, a paused
        run's counts with Resume, or, where a run waited for the batch, that run's progress next."""
        if progress is not None:
            self._show_progress(progress, pausable=False)
        elif self.client.paused and not self.client.indexing:
            self.indexing.show_paused()
        elif not self.client.indexing:
            self.indexing.finish()

    def _show_switch_progress(self, done: int, total: int) -> None:
        """A model switch's re-embedding; once it ends, an indexing run paused before it shows again,
        with Resume (hiding it would leave indexing paused out of sight)."""
        if done < total:
            self.indexing.show_reembedding(done, total)
        elif self.client.paused:
            self.indexing.show_paused()
        else:
            self.indexing.finish()

    def _index_finished(self, report) -> None:
        self.indexing.finish()
        if report is not None and (line := describe_report(report)):  # "" with no sound in any folder
            self._say_run(line, report)
        if report is not None and not (report.changed_anything or report.offline_folders or report.back_online):
            self.client.refresh_library()  # a launch's rescan of an unchanged library: the results stand
        else:
            self._library_changed()

    def _watcher_indexed(self, report) -> None:
        """A burst of changes ends in one search again; a sound that cannot be indexed is said now."""
        self._rerun.start()
        if line := describe_watched(report):
            self._say_run(line, report)

    def _say_run(self, line: str, report) -> None:
        """A run's or a watcher batch's line in the status bar, the folders it names or counts
        listed whole in its tooltip while it shows."""
        self.statusBar().showMessage(line, 8000)
        self.statusBar().setToolTip(folder_news_details(report))

    def _library_changed(self) -> None:
        self.client.refresh_library()
        self._ask_again()

    def _ask_again(self) -> None:
        """Ask again for what the user is looking at (the library or the model changed): the sounds
        like a file stay that, and are not replaced by the last typed query's results."""
        if self._similar_to is None:
            self.run_query(self.search_field.text())
        else:
            self.client.similar(self._similar_to, RESULT_LIMIT, self.filter_bar.values())

    # -- tags ---------------------------------------------------------------------------------------------
    def _save_tags(self, tags_by_path: dict) -> None:
        self.client.set_tags(tags_by_path)
        for path, tags in tags_by_path.items():
            self.model.update_paths([path], tags=list(tags))
        self.tags.show_hits(self.results.selected_hits())

    def _save_caption(self, paths: list, caption: str) -> None:
        self.client.set_caption(paths, caption)
        self.model.update_paths(paths, caption=caption)
        self.tags.show_hits(self.results.selected_hits())

    # -- drops ----------------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.source() is None and dropped_audio_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_audio_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.find_similar(paths[0])

    # -- messages and settings ---------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        message = sentence(message)
        log.warning("shown to the user: %s", message)
        self.statusBar().showMessage(message, 10_000)

    def open_settings(self) -> None:
        from app.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.client, self.player, self)
        dialog.exec()
        dialog.deleteLater()  # its pages listen to the engine's signals: a closed dialog must not stay

    # -- the results' right-click menu ---------------------------------------------------------------
    def results_menu(self) -> QMenu:
        """The menu for the selected results, made anew each time: its texts and what is enabled
        follow the selection (Play is never disabled: it is also the space bar)."""
        self._enable_actions()
        menu = QMenu(self.results)
        menu.addActions([self.play_action, self.similar_action])
        menu.addSeparator()
        menu.addActions([self.reveal_action, self.copy_action])
        menu.addSeparator()
        menu.addActions([self.suggest_action, self.renames.rename_action, self.renames.undo_action])
        menu.addActions([self.tagging.undo_accept.action, self.tagging.undo_reject.action])
        menu.addAction(self.exports.action)
        return menu

    def _enable_actions(self) -> None:
        """Enable what can be done to the selection now: a disabled action's key does nothing
        either, so this follows the selection and the engine, not only the menu being opened."""
        hits = self.results.selected_hits()
        self.copy_action.setText(f"Copy path{'s' * (len(hits) > 1)}\t{_key(QKeySequence.Copy)}")
        for action, enabled in (
            (self.similar_action, bool(hits) and self.client.engine is not None),
            (self.reveal_action, bool(hits)),
            (self.copy_action, bool(hits)),
            (self.suggest_action, bool(hits) and self.client.model_info is not None),
            (self.renames.rename_action, bool(hits) and self.client.engine is not None),
            (self.exports.action, bool(hits) and self.client.engine is not None),
        ):
            action.setEnabled(enabled)

    def _show_results_menu(self, position) -> None:
        menu = self.results_menu()
        menu.exec(self.results.viewport().mapToGlobal(position))
        menu.deleteLater()

    def reveal(self, paths: list[str]) -> None:
        """Show the first of ``paths`` in the file manager (Ctrl+Return in the results, the menu, a file
        that failed to index); when none could be started, the status bar says so, naming the folder."""
        if paths and not reveal_in_file_manager(paths[0]):
            self.show_error(f"Could not open {Path(paths[0]).parent} in a file manager")

    def _find_similar_to_selected(self) -> None:
        """The sounds like the row right-clicked (the current one), else the first selected."""
        current = self.results.currentIndex()
        hits = self.results.selected_hits()
        hit = self.model.hit(current.row()) if current.isValid() and hits else (hits[0] if hits else None)
        if hit is not None:
            self.find_similar(str(hit.path))

    def _suggest_for_selected(self) -> None:
        """What the tags panel's Suggest does, for the selection (captions as its box says)."""
        self.tagging.suggest(self.results.selected_paths(), self.tags.suggestions.with_captions.isChecked())

    # -- renamed files ---------------------------------------------------------------------------------
    def follow_renames(self, moves: dict[str, str]) -> None:
        """Show renamed files ({old path: new path}) under their new names wherever the window shows
        them, without a new search: the index re-linked them, nothing was re-embedded."""
        previewed = moves.get(self.preview.path or "")
        for old, new in moves.items():
            self.model.update_paths([old], path=new)
        if self._similar_to in moves:
            self._similar_to = moves[self._similar_to]
            self.model.similar_to = self._similar_to  # the Match tooltips name it
            self._shown_for = ("similar", self._similar_to)
            self.search_field.show_similar(Path(self._similar_to).name)
        self.tags.show_hits(self.results.selected_hits())
        if previewed:
            row = self.model.row_of(previewed)
            hit = self.model.hit(row) if row >= 0 else None
            if hit is None:
                self.preview.show_file(previewed, self.preview.facts.text(), warning=self.preview.warning.text())
            else:
                self.preview.show_file(previewed, describe(hit), best_window(hit), warning=warning_of(hit))
        renamed = set(moves.values())
        self.client.tagging.load_captions([h for h in self.model.hits() if str(h.path) in renamed])
