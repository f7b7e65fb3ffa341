"""Things the window says to the user: a banner for problems to act on, the empty-library
call to action, what an empty results list means, and the indexing progress in the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.theme import icon
from engine.search.filters import SearchFilters
from engine.search.query import parse_query

NO_FOLDERS = "No folders yet: add one to start"
FORMATS_READ = "WAV · AIFF · FLAC · OGG · Opus · MP3 · CAF · W64"
# What Earmark does to the files: it reads them, and renames them only when asked (Rename to UCS
# name, undoable); tags and captions live in its index. "Never changed" alone was not true.
FILES_PROMISE = "your files are only read, never changed unless you ask to rename them"


class Banner(QWidget):
    """A strip under the search bar: a message and, optionally, the button that fixes it."""

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.icon = QLabel()
        self.text = QLabel(wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.clicked.connect(self.action_clicked)
        close = QToolButton()
        close.setIcon(icon("clear"))
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, action: str = "", kind: str = "warning", details: str = "") -> None:
        """``details``: what a user need not read to act (an error's raw words), in the text's tooltip."""
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.icon.setPixmap(icon("error" if kind == "error" else "warning").pixmap(18, 18))
        self.text.setText(text)
        self.text.setToolTip(f"Details:\n{details}" if details else "")
        self.button.setText(action)
        self.button.setVisible(bool(action))
        self.show()


READABLE_CHARACTERS = 72  # the longest line of the first-run page's sentences: a paragraph reads best so


def _measured(label: QLabel) -> QHBoxLayout:
    """``label`` in a row, centred, its lines wrapped at :data:`READABLE_CHARACTERS` at the most (in
    the page's width, a line ran 970 px in a wide window), or at the row's width where that is less."""
    label.ensurePolished()  # measured in the theme's font, which polishing applies
    label.setMaximumWidth(label.fontMetrics().averageCharWidth() * READABLE_CHARACTERS)
    row = QHBoxLayout()
    row.addWidget(label)  # a widget narrower than its row is centred in it
    return row


class EmptyLibrary(QWidget):
    """The first-run page: one clear thing to do. Its lines wrap: in one line each they held the
    window 830 px wide beside the Library panel, wider than a window beside a DAW."""

    add_folder_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("EmptyState")
        self.setAttribute(Qt.WA_StyledBackground, True)
        logo = QLabel(alignment=Qt.AlignCenter)
        logo.setPixmap(icon("earmark").pixmap(96, 96))
        title = QLabel(
            "Your sound library starts here", objectName="EmptyTitle", alignment=Qt.AlignCenter, wordWrap=True
        )
        text = QLabel(
            "Add a folder of sound effects. Earmark indexes every file in it and keeps watching it, "
            "so you can describe a sound in words and hear it a second later.",
            objectName="EmptyText",
            alignment=Qt.AlignCenter,
            wordWrap=True,
        )
        self.button = QPushButton("  Add a folder…", objectName="CallToAction")
        self.button.setIcon(icon("folder-add"))
        self.button.setIconSize(QSize(20, 20))
        self.button.clicked.connect(self.add_folder_clicked)
        formats = QLabel(
            f"{FORMATS_READ} — {FILES_PROMISE}.", objectName="EmptyText", alignment=Qt.AlignCenter, wordWrap=True
        )
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addLayout(_measured(text))
        layout.addSpacing(14)
        layout.addWidget(self.button, 0, Qt.AlignCenter)
        layout.addSpacing(10)
        layout.addLayout(_measured(formats))
        layout.addStretch(3)


def quoted(query: str) -> str:
    """A query as the window quotes it: in “ ”, unless it is quoted already ("swing hammer", a
    phrase, stays as typed rather than reading “"swing hammer"”)."""
    query = query.strip()
    return query if len(query) > 1 and query[0] == query[-1] == '"' else f"“{query}”"


def filtered(filters: SearchFilters | None) -> bool:
    """Whether the filter bar narrows the search (its defaults, offline drives shown, do not)."""
    return filters is not None and filters != SearchFilters()


def _either(tips: list[str]) -> str:
    return tips[0] if len(tips) == 1 else f"{', '.join(tips[:-1])} or {tips[-1]}"


def no_results_message(
    query: str = "",
    filters: SearchFilters | None = None,
    similar_to: str = "",
    indexing: bool = False,
    model_loading: bool = False,
) -> str:
    """What an empty results list says: what found nothing, and what to try instead. While the
    sound model loads (``model_loading``) a query is read for its words alone: what is to come
    is said instead of other words to try."""
    narrowed = filtered(filters)
    clear = "clearing the filters (Reset)"
    if similar_to:
        name = Path(similar_to).name
        return (
            f"No sounds like {name} pass these filters — try {clear}"
            if narrowed
            else f"No other sounds to compare with {name} yet"
        )
    if not query.strip():
        if narrowed:
            return f"No sounds pass these filters — try {clear}"
        if indexing:
            return "No sounds indexed yet — they are listed here as they are indexed"
        return f"No sounds in your folders yet: Earmark reads {FORMATS_READ}"
    if model_loading and not narrowed:
        return (
            f"No name, description, tag or caption says {quoted(query)} — once the sound model has loaded, "
            "it finds sounds by how they sound"
        )
    parsed = parse_query(query)
    terms = [term for alternative in parsed.alternatives for term in alternative.terms]
    tips = []
    if len(terms) > 1 or any(len(term.text.split()) > 1 for term in terms):
        tips.append("fewer words")
    if any(term.phrase for term in terms):
        tips.append("without the quotes")
    if parsed.excludes:
        tips.append("without " + " ".join(f"-{word}" for word in parsed.excludes))
    if narrowed:
        tips.append(clear)
    if not tips:
        tips.append("other words, or describe how it sounds")
    return f"No sounds match {quoted(query)}{' with these filters' if narrowed else ''} — try {_either(tips)}"


class NoResults(QLabel):
    """Over an empty results list, in its middle: what found nothing and what to try (the list
    alone would be a blank area). It follows the view's size, lets clicks through, and goes as
    soon as the list has rows."""

    def __init__(self, view: QAbstractItemView):
        super().__init__(view.viewport(), objectName="EmptyText", alignment=Qt.AlignCenter, wordWrap=True)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setContentsMargins(24, 24, 24, 24)
        self._view = view
        view.viewport().installEventFilter(self)
        if view.model() is not None:
            view.model().modelReset.connect(self._follow_rows)
            view.model().rowsInserted.connect(self._follow_rows)
        self.hide()

    def show_for(
        self,
        count: int,
        query: str = "",
        filters: SearchFilters | None = None,
        similar_to: str = "",
        indexing: bool = False,
        model_loading: bool = False,
    ) -> None:
        """The answer just shown had ``count`` hits: with none, say why (see :func:`no_results_message`)."""
        if count:
            self.hide()
            return
        self.show_text(no_results_message(query, filters, similar_to, indexing, model_loading))

    def show_text(self, text: str) -> None:
        """Say ``text`` over the empty list: why it is empty, or what it waits for."""
        self.setText(text)
        self.setGeometry(self._view.viewport().rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Resize:
            self.setGeometry(self._view.viewport().rect())
        return False

    def _follow_rows(self, *_args) -> None:
        if self._view.model().rowCount():
            self.hide()


class IndexingStatus(QWidget):
    """Indexing progress for the status bar, with pause and resume."""

    pause_toggled = Signal(bool)  # True: pause

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar(minimum=0, maximum=100, textVisible=False)
        self.bar.setFixedSize(150, 10)
        self.pause_button = QToolButton(checkable=True)
        self.pause_button.setIcon(icon("pause"))
        self.pause_button.setIconSize(QSize(14, 14))
        self.pause_button.setToolTip("Pause indexing")
        self.pause_button.toggled.connect(self._toggled)
        self._last: tuple = ("indexing", 0, 0, "", 0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.pause_button)
        self.hide()

    @property
    def paused(self) -> bool:
        return self.pause_button.isChecked()

    def show_progress(
        self, phase: str, done: int, total: int, current: str = "", errors: int = 0, *, pausable: bool = True
    ) -> None:
        """An indexing run's progress; ``total`` 0 means not known yet: the bar runs busy. A batch
        the folder watcher indexes is not ``pausable`` (the watcher goes on while a run is paused),
        and it leaves a paused run's counts for :meth:`show_paused` once it ends."""
        if pausable:
            self._last = (phase, done, total, current, errors)
        self.pause_button.setVisible(pausable)
        paused = pausable and self.paused
        self._show("Paused" if paused else phase.capitalize(), done, total, "" if paused else current, errors)
        self.label.setToolTip(current)

    def show_reembedding(self, done: int, total: int) -> None:
        """A model switch re-embedding the library: it cannot be paused, so there is no button, and
        the indexing run's counts are kept for when it ends."""
        self.pause_button.hide()
        self._show("Re-embedding", done, total)
        self.label.setToolTip("")

    def _show(self, what: str, done: int, total: int, current: str = "", errors: int = 0) -> None:
        self.show()
        self.bar.setMaximum(total)
        self.bar.setValue(min(done, total))
        text = f"{what} {done:,} / {total:,}" if total else f"{what} {done:,}"
        if errors:
            text += f" · {errors} failed"
        if current:
            text += f" · {self.label.fontMetrics().elidedText(current, Qt.ElideMiddle, 260)}"
        self.label.setText(text)

    def finish(self) -> None:
        self._set_paused(False)
        self.hide()

    def show_paused(self) -> None:
        """The run stopped for a pause: keep its counts on screen, offer resume."""
        self._set_paused(True)
        self.show_progress(*self._last)

    def _set_paused(self, paused: bool) -> None:
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.blockSignals(False)
        self._set_pause_icon(paused)

    def _set_pause_icon(self, paused: bool) -> None:
        self.pause_button.setIcon(icon("resume" if paused else "pause"))
        self.pause_button.setToolTip("Resume indexing" if paused else "Pause indexing")

    def _toggled(self, paused: bool) -> None:
        self._set_pause_icon(paused)
        self.show_progress(*self._last)
        self.pause_toggled.emit(paused)
