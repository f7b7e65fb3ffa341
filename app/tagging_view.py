"""Wires tagging into the main window: the tags panel's suggestions, the results' generated
captions, a folder's "Suggest tags" action, the job's progress with Cancel in the status bar, and
"Undo last accept" and "Undo last reject" (a status-bar button once done, and in the results'
right-click menu beside "Undo last rename").

Kept apart from :mod:`app.main_window` so the window stays about layout and search; this object
only listens to the window's widgets and the :class:`app.tagging_client.TaggingClient`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from app.suggestions_box import CAPTIONS_TIP
from app.theme import icon
from engine.models.registry import shown_name
from engine.plural import counted

PREPARING = "Reading the tag vocabulary…"
STARTING = "Suggesting…"
STOPPING = "Stopping…"


SELECT_TO_REVIEW = " · select sounds to accept or reject them"
REVIEW_SELECTED = ": accept or reject them in the tags panel"
UNDO_ACCEPT, UNDO_REJECT = "Undo last accept", "Undo last reject"
NOTHING_NEW = "Nothing new to add: the sounds have these already"


def vocabulary_read(name: str) -> str:
    """A vocabulary's read, named (the status bar's phase, before its count)."""
    return f"Reading the {name} vocabulary"


def reading_vocabulary(model: str, name: str = "", done: int = 0, total: int = 0) -> str:
    """What the tags panel says while a Suggest waits for the vocabulary to be read with ``model``
    (as the status bar names it), and once the read counts its texts, which vocabulary and how far
    along (``done`` of ``total``): the first Suggest after a switch to a fine-tune waited 55 s with
    no word why (review 15, L8), and "about a minute" was said of a read that took six (review 18, M8)."""
    if not total:
        return f"Reading the tag vocabulary with {model} (once per model)…"
    return f"{vocabulary_read(name)} with {model} (once per model): {done:,} of {total:,} phrases…"


def describe_job(report, selected: bool = False) -> str:
    """A finished or stopped job in one status-bar line. Nothing is tagged by a job: it suggests
    tags (and captions) for ``report.tagged`` sounds in this run, after ``resumed_from`` that an
    earlier, interrupted run of it did; it counts only what is sure enough to be shown, so it
    never asks to review suggestions the panel does not list. ``selected``: the job's sounds are
    the selected ones, so the tags panel shows their suggestions already (a folder's job asks to
    select some first)."""
    if report is None:
        return "Tagging stopped"
    if report.stopped:
        return describe_stop(report.resumed_from + report.tagged)
    review = REVIEW_SELECTED if selected else SELECT_TO_REVIEW
    if not report.tagged:
        if not report.resumed_from:
            return "No sounds to suggest tags for"
        return f"{counted(report.resumed_from, 'sound')} already had suggestions{review}"
    if not report.suggested and not report.resumed_from:
        return f"No suggestion sure enough to show for {counted(report.tagged, 'sound')}"
    done = f"for {report.suggested:,} of {counted(report.tagged, 'sound')}"
    if report.suggested == report.tagged:
        done = f"for {counted(report.tagged, 'sound')}"
    if report.captioned:
        done += f", {report.captioned:,} with a caption"
    elif report.captions_unsure:
        done += ", no caption sure enough to show"
    if report.resumed_from:
        done += f"; {counted(report.resumed_from, 'sound')} done before"
    return f"Suggestions ready {done}{review}"


def describe_stop(kept: int) -> str:
    """A job the user stopped: it is cancelled, and what it suggested so far stays (short enough
    for the status bar beside the permanent widgets)."""
    if not kept:
        return "Tagging stopped before any suggestions were made"
    return f"Tagging stopped: the suggestions for {counted(kept, 'sound')} are kept"


def describe_accepted(report) -> str:
    """What an Accept added, in one status-bar line ("Added DOORS-WOOD to 12 sounds", "Added 14
    tags to 107 sounds: DOORS-WOOD to 60 sounds, …"), as the engine says it (``report``: its
    ``AcceptReport``, which knows what each file got): Accept worked silently, and the user could
    not tell what it had done."""
    return report.summary(noun="sound") if report.added else NOTHING_NEW


def describe_rejected(paths: list[str], keys: dict[str, list[str]], caption: bool) -> str:
    """A Reject in one status-bar line ("Rejected 3 suggestions for 12 sounds"): ``keys`` {tag key:
    the paths it is rejected for} and the caption of every one of ``paths``."""
    sounds = set(paths) if caption else {path for targets in keys.values() for path in targets}
    also = f" for {counted(len(sounds), 'sound')}" if len(sounds) > 1 else ""
    return f"Rejected {counted(len(keys) + caption, 'suggestion')}{also}"


class UndoLast(QObject):
    """One "Undo last …" for the status bar and the results' menu, as the rename's undo is: its
    button shows from the action it undoes until it is undone, and it is enabled while the engine
    holds one to undo (kept in the index: from this session, one before, or the command line)."""

    def __init__(self, text: str, tip: str, can_undo, undo, status_bar: QStatusBar, parent: QObject):
        super().__init__(parent)
        self._can_undo = can_undo
        self.action = QAction(text, parent, toolTip=tip, enabled=False)
        self.action.triggered.connect(undo)
        self.button = QToolButton()
        self.button.setDefaultAction(self.action)
        self.button.hide()
        status_bar.addPermanentWidget(self.button)

    def done(self) -> None:
        """What it undoes was just done: the button comes."""
        self.button.show()
        self.enable()

    def undone(self) -> None:
        self.button.hide()
        self.enable()

    def enable(self) -> None:
        self.action.setEnabled(self._can_undo())


class TagJobStatus(QWidget):
    """Tagging progress for the status bar, with Stop (what is done stays done), shown from the
    job's first moment: the first job with a model reads its vocabulary for minutes before its
    first file (counted as it goes), and an empty status bar meanwhile gives the user nothing to
    stop it by."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar(minimum=0, maximum=100, textVisible=False)
        self.bar.setFixedSize(120, 10)
        self.cancel_button = QToolButton(toolTip="Stop tagging (the suggestions made so far are kept)")
        self.cancel_button.setIcon(icon("clear"))
        self.cancel_button.setIconSize(QSize(14, 14))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        for widget in (self.label, self.bar, self.cancel_button):
            layout.addWidget(widget)
        self.hide()

    def show_starting(self, first: bool) -> None:
        """A job asked for, before its first progress: ``first``, its vocabulary is read first."""
        self.show()
        self.bar.setRange(0, 0)  # busy: how long is not known
        self.label.setText(PREPARING if first else STARTING)

    def show_stopping(self) -> None:
        """Stop was pressed: the job ends at the end of what it is doing."""
        self.label.setText(STOPPING)

    def show_progress(self, phase: str, done: int, total: int) -> None:
        self.show()
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        self.label.setText(f"{phase} {done:,} / {total:,}")


class TaggingController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.client = window.client.tagging
        self.status = TagJobStatus()
        self._job_paths: set[str] | None = None  # what the job asked for here was for (None: a resumed job)
        self._reading_line = ""  # the tags panel's line while the job asked for here waits for the vocabulary
        window.statusBar().addPermanentWidget(self.status)
        panel = window.tags
        panel.suggest_requested.connect(self.suggest)
        panel.accept_requested.connect(self.client.accept)
        panel.reject_requested.connect(self.client.reject)
        panel.reject_requested.connect(
            lambda paths, keys, caption: window.statusBar().showMessage(
                f"{describe_rejected(paths, keys, caption)} · {UNDO_REJECT} offers them again", 10_000
            )
        )
        self.undo_accept = UndoLast(
            UNDO_ACCEPT,
            "Take the tags and captions the last Accept added off again, and suggest them again",
            lambda: self._can_undo(lambda tagging: tagging.can_undo_accept()),
            self.client.undo_accept,
            window.statusBar(),
            window,
        )
        self.undo_reject = UndoLast(
            UNDO_REJECT,
            "Suggest the suggestions the last Reject hid again",
            lambda: self._can_undo(lambda tagging: tagging.can_undo_reject()),
            self.client.undo_reject,
            window.statusBar(),
            window,
        )
        self.client.rejected.connect(lambda _count: self.undo_reject.done())
        self.client.accept_undone.connect(self._accept_undone)
        self.client.reject_undone.connect(self._reject_undone)
        for undo in (self.undo_accept, self.undo_reject):
            # a failed undo may have found none left (undone on the command line meanwhile)
            for change in (self.client.error, window.client.opened, window.client.repaired):
                change.connect(lambda *_, u=undo: u.enable())
            window.client.damaged.connect(lambda *_, u=undo: u.action.setEnabled(False))
        panel.suggestions.threshold_changed.connect(self._threshold_changed)
        window.results.selectionModel().selectionChanged.connect(lambda *_: self.client.load(panel.paths))
        window.client.results.connect(lambda _query, hits, _seconds: self.client.load_captions(hits))
        window.client.similar_results.connect(lambda _path, hits, _seconds: self.client.load_captions(hits))
        window.client.ready.connect(self._model_ready)
        self.client.suggestions_loaded.connect(panel.show_suggestions)
        self.client.captions_loaded.connect(window.model.set_suggested_captions)
        self.client.accepted.connect(self._accepted)
        self.client.job_progress.connect(self._job_progressed)
        self.client.vocabulary_progress.connect(self._vocabulary_progressed)
        self.client.job_finished.connect(self._job_finished)
        self.client.error.connect(window.show_error)
        self.status.cancel_button.clicked.connect(self._stop_job)
        self.folder_actions = {}
        for captions, text in (
            (False, "Suggest tags for this folder"),
            (True, "Suggest tags and captions for this folder"),
        ):
            action = QAction(text, window.library.folders)
            action.triggered.connect(lambda _checked=False, c=captions: self.suggest_for_folder(c))
            window.library.folders.addAction(action)  # shown in the panel's folder menu (LibraryPanel.folder_menu)
            self.folder_actions[captions] = action
        self._show_threshold()  # the saved one from the first moment, not the box's 0 % until the model is ready

    def suggest(self, paths: list[str], captions: bool) -> None:
        if self.client.running:
            self.window.show_error("A tagging job is running: wait for it, or stop it in the status bar.")
            return
        engine, info = self.window.client.engine, self.window.client.model_info
        first = engine is not None and info is not None and not engine.tagging.vocabularies_ready(info)
        self._reading_line = self._reading() if first else ""
        self.window.tags.suggestions.show_busy(self._reading_line or STARTING)
        self._job_paths = set(paths)
        self.status.show_starting(first)
        self.client.tag(paths, captions)

    def _reading(self, name: str = "", done: int = 0, total: int = 0) -> str:
        """The tags panel's line while a Suggest waits for the vocabulary (:func:`reading_vocabulary`)."""
        return reading_vocabulary(shown_name(self.window.client.active_model_spec), name, done, total)

    def _vocabulary_progressed(self, name: str, done: int, total: int) -> None:
        """A vocabulary's read, counted, while a job waits for it (a Suggest pressed before the
        background read ended, or a job reading one itself): in the status bar, and in the tags
        panel while it still says that it waits. A read no job waits for says nothing."""
        if not self.client.running:
            return
        self.status.show_progress(vocabulary_read(name), done, total)
        box = self.window.tags.suggestions
        if self._reading_line and box.hint.text() == self._reading_line:
            self._reading_line = self._reading(name, done, total)
            box.show_busy(self._reading_line)

    def _job_progressed(self, phase: str, done: int, total: int) -> None:
        """A job's progress, in the status bar; the vocabulary is read by now, so a tags panel still
        saying it waits for that says it suggests."""
        self.status.show_progress(phase, done, total)
        box = self.window.tags.suggestions
        if self._reading_line and box.hint.text() == self._reading_line:
            box.show_busy(STARTING)
        self._reading_line = ""

    def _stop_job(self) -> None:
        self.client.cancel()
        self.status.show_stopping()

    def suggest_for_folder(self, captions: bool) -> None:
        """The job of the folder whose menu it was chosen in (:meth:`LibraryPanel.menu_folder`): a
        library folder, or any folder below one (the engine's job takes the files at or under each
        path it is given). The search's folder filter stays: the user asked to tag the folder."""
        folder = self.window.library.menu_folder()
        if folder is not None:
            self.suggest([folder], captions)

    def _show_threshold(self) -> None:
        settings = self.window.client.settings()
        self.window.tags.suggestions.set_threshold(settings.tag_threshold, settings.tag_top_k)

    def _model_ready(self, info) -> None:
        box = self.window.tags.suggestions
        self._show_threshold()
        engine = self.window.client.engine
        problem = engine.tagging.caption_problem(info) if engine is not None else "The library is not open yet"
        box.with_captions.setEnabled(not problem)
        box.with_captions.setToolTip(problem or CAPTIONS_TIP)
        if problem:
            box.with_captions.setChecked(False)
        captioned = self.folder_actions[True]  # greyed, it said nothing of why
        captioned.setEnabled(not problem)
        captioned.setToolTip(problem or CAPTIONS_TIP)
        captioned.setStatusTip(problem or CAPTIONS_TIP)

    def _threshold_changed(self, value: float) -> None:
        self.client.set_threshold(value)
        self.client.load(self.window.tags.paths)

    def _can_undo(self, ask) -> bool:
        """The open engine's tagging's answer to ``ask`` (its ``can_undo_accept``, ``can_undo_reject``:
        a read of the index's meta table, no worker needed); False while no library is open."""
        engine = self.window.client.engine
        return engine is not None and ask(engine.tagging)

    def _accepted(self, report, changed: dict) -> None:
        """An Accept is done (``report``: the engine's ``AcceptReport``): said in the status bar,
        with how to undo it when it added something, and the results and the panel show it."""
        line = describe_accepted(report)
        if report.added:
            self.undo_accept.done()
            line += f" · {UNDO_ACCEPT} takes it back"
        self.window.statusBar().showMessage(line, 15_000)
        self._show_files(changed)

    def _show_files(self, changed: dict) -> None:
        """The results and the tags panel show these files' tags and captions ({path: (tags, caption)})."""
        for path, (tags, caption) in changed.items():
            self.window.model.update_paths([path], tags=tags, caption=caption)
        self.window.tags.show_hits(self.window.results.selected_hits())

    def _accept_undone(self, undone, changed: dict) -> None:
        """The last Accept is undone: said, shown, and the selected sounds' suggestions loaded again
        (the accepted ones are suggestions again)."""
        from app.main_window import sentence  # the window imports this module

        self.undo_accept.undone()
        self.window.statusBar().showMessage(sentence(undone.summary()), 15_000)
        self._show_files(changed)
        self.client.load(self.window.tags.paths)

    def _reject_undone(self, offered: int) -> None:
        self.undo_reject.undone()
        self.window.statusBar().showMessage(f"{counted(offered, 'suggestion')} offered again", 10_000)
        self.client.load(self.window.tags.paths)

    def _job_finished(self, report) -> None:
        self.status.hide()
        self._reading_line = ""
        # the sounds suggested for are still the selection: the tags panel shows their suggestions now
        asked, self._job_paths = self._job_paths, None
        selected = (
            asked is not None
            and report is not None
            and report.total == len(asked)  # not a resumed job that ended first
            and asked == set(self.window.tags.paths)
        )
        self.window.statusBar().showMessage(describe_job(report, selected), 10_000)
        self.client.load(self.window.tags.paths)
        self.client.load_captions(self.window.model.hits())
