"""Suggested tags and the generated caption of the selected sounds, apart from the user's own.

Suggestions are not the user's until accepted, so they look different: italic, in the accent
colour, each with its confidence and a check box, under their own "SUGGESTED" title, while the
accepted tags sit in the plain tags field above. With several files selected, one line stands
for a suggestion shown for any of them ("DOORS-WOOD 64% (41–82) · 3 of 5", counting only the files
it is shown for, above the threshold and in the top k; "· 1 of 5: door_close.wav" when it is one),
how sure it is of them said as the middle of their confidences and from the least to the most
sure (:func:`confidences_said`), and its tooltip names those files with each one's confidence;
accepting adds it to them alone.
A generated caption can be accepted as it is, or double-clicked into the caption editor to be
edited first (then it is the user's once applied).

A lowered threshold lists less confident suggestions, but only those at or above the default
threshold (:data:`PRECHECKED`, 30 %) come checked: a 0 % guess is there to read, not to be
accepted along with the rest. So a suggestion listed for some sounds at or above it and for others
below is two lines (:func:`engine.tags.review_lines`): "CREATURES-DRAGON 98% · 2 of 18" as at
30 %, checked, and "CREATURES-DRAGON 7% · 1 of 18: open_fire_loop.ogg", unchecked; Accept as
the lines come adds what it adds at 30 %, and the weak files get the tag only when their own line
is checked. With a large selection, a suggestion for only a few of its sounds comes unchecked too
(:func:`widely_shared`, counting the sounds of its line): it is not what the user reviews the
selection for.
The hint under the list says how many more are not listed and why
(below the threshold, past the top k of a vocabulary), in the terms the list is made by; under
an empty list it says why nothing is listed, as the engine tells it apart
(:mod:`engine.tagging.unlisted`: not tagged yet, not reached by the running job, all under the
threshold, all accepted or rejected, not indexed).

A folder's review is another: each sound's own best guess, not the few shared ones. "Best of
each" checks, for each selected sound, its most confident suggestion listed, and narrows each
such line to the sounds it is the best of ("· best for 9 of 107"), so one Accept gives every
sound its own best tag and no other (:func:`best_of_each`).

A model whose confidences were never measured (a fine-tune: no calibration entry, so default
weights, :attr:`engine.tagging.service.FileSuggestions.measured`) ranks its guesses without giving
their chances: a wrong guess read 65 % where the measured builtin gave it 19 %. The box says so
above the list (:data:`~engine.tagging.calibration.UNMEASURED`), each confidence reads "~65%"
(:func:`said`), and no line comes checked, for the 30 % that checks one is a chance these numbers
are not. *Best of each* still checks each sound's top guess when asked: it goes by their order,
which is what they do tell.
"""

from __future__ import annotations

from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from engine.plural import counted, percent
from engine.settings import Settings
from engine.tagging.calibration import UNMEASURED
from engine.tags import review_lines

if TYPE_CHECKING:  # the index's modules (LanceDB) are imported once the window shows, not for a hint
    from engine.index.suggestions import Suggestion

KIND_ROLE = Qt.UserRole + 1  # ("tag", key) or ("caption", text)
TARGETS_ROLE = Qt.UserRole + 2  # a tag line's paths: those it goes to when accepted or rejected
SUGGESTION_COLOUR = QColor("#7ee8dc")
CAPTIONS_TIP = "Also write a caption with the model's decoder (slower)"  # the box's and the folder menu's
# In view without scrolling, in a short window too: a folder review's first lines (at 6, its 7th, a
# checked ANIMALS-FARM, showed half); a taller panel gives the list the room (WholeRows)
SHOWN_ROWS = 8
NAMED_FILES = 10  # files a tooltip names before it counts the rest
# Suggestions at least this confident come checked: the settings' default threshold, whatever the
# box shows (a threshold lowered to look at the weak ones does not make them worth accepting).
PRECHECKED = Settings().tag_threshold
# With more sounds selected than LARGE_SELECTION, a suggestion for fewer than MIN_SHARE_PERCENT of
# them comes unchecked, however confident (widely_shared says why).
LARGE_SELECTION = 20
MIN_SHARE_PERCENT = 10


class WrappedHint(QLabel):
    """A word-wrapped label that asks for the height of its text wrapped at its width. A layout
    asks a widget's minimum height without its width, so a label wrapped to more lines than that
    guess was given less height than it drew and covered what was above it (the list's last rows)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent, objectName="Hint", wordWrap=True)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.setMinimumHeight(self.heightForWidth(self.width()) if self.text() else 0)


class _ListWide(QStyledItemDelegate):
    """A row as wide as the list's view at most, so its text is cut on the right (a list lays out a
    row of one line as wide as its text, and scrolled sideways)."""

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(min(size.width(), self.parent().viewport().width()), size.height())


class WholeRows(QListWidget):
    """The suggestions' list, given the room its panel has, showing whole rows only: the height
    under its last whole row is left blank (a margin under the rows), where the next row showed
    cut in half, its check box among the halves. Every row is one line, as tall as the others
    (:attr:`row_height`, measured once the list is styled: SuggestionsBox._fit_rows)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="Suggestions")
        self.row_height = 0
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # rows are cut to its width (_ListWide)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.show_whole_rows()

    def show_whole_rows(self) -> None:
        if self.row_height > 0:
            margins = self.contentsMargins()
            self.setViewportMargins(0, 0, 0, (self.height() - margins.top() - margins.bottom()) % self.row_height)


class SuggestionsBox(QWidget):
    suggest_requested = Signal(bool)  # with captions
    accept_requested = Signal(dict, bool)  # {tag key: the paths it goes to}, the caption too
    reject_requested = Signal(dict, bool)
    caption_chosen = Signal(str)  # a generated caption to edit before applying
    threshold_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("SUGGESTED", objectName="PanelTitle")
        self.title.setToolTip("Suggestions are not your tags until you accept them")
        self.threshold = QSpinBox(minimum=0, maximum=100, singleStep=5, suffix=" %", prefix="≥ ")
        self.threshold.setToolTip(
            f"Hide suggested tags less confident than this (those under {PRECHECKED:.0%} are listed unchecked)"
        )
        self.top_k = Settings().tag_top_k  # suggestions listed per sound and vocabulary (the settings')
        self.with_captions = QCheckBox("Caption")
        self.with_captions.setToolTip(CAPTIONS_TIP)
        self.suggest_button = QPushButton("Suggest")
        self.suggest_button.setToolTip("Suggest UCS tags (and a caption) for the selected sounds, in the background")
        self.list = WholeRows()
        # one line each, cut on the right (what and how sure come first; the files are in the tooltip):
        # wrapped, a long file name made rows two lines tall and the list's last row showed half
        self.list.setWordWrap(False)
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setItemDelegate(_ListWide(self.list))
        self.list.setResizeMode(QListView.Adjust)  # rows laid out again as the list's width changes
        self._fit_rows()
        self.hint = WrappedHint()
        self.unmeasured = WrappedHint()  # above the list, shown for a model whose confidences were never measured
        self.unmeasured.setText(UNMEASURED)
        self.unmeasured.setToolTip(
            "It has no calibration: a fine-tune is never checked against known sounds. "
            "Its suggestions are listed most likely first, and none comes checked"
        )
        self.best_button = QPushButton("Best of each")
        self.best_button.setToolTip(
            "Check only each sound's most confident suggestion: Accept then gives every sound its own best tag"
        )
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Add the checked suggestions to the sounds' own tags and caption")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("Hide the checked suggestions for good: tagging again never offers them back")

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title, 1)
        for widget in (self.threshold, self.with_captions, self.suggest_button):
            header.addWidget(widget)
        # The hint under the list, the panel's width to itself and as tall as it wraps (WrappedHint):
        # a long "1528 more for these 169 sounds, …" wrapped to three lines in a row laid out at the
        # buttons' height was drawn over the list's last rows, and beside three buttons it had a
        # word's width, five lines of it.
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.best_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.unmeasured)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)

        self.suggest_button.clicked.connect(lambda: self.suggest_requested.emit(self.with_captions.isChecked()))
        self.best_button.clicked.connect(self.check_best_of_each)
        self.accept_button.clicked.connect(lambda: self._emit(self.accept_requested))
        self.reject_button.clicked.connect(lambda: self._emit(self.reject_requested))
        self.threshold.valueChanged.connect(lambda value: self.threshold_changed.emit(value / 100))
        self.list.itemChanged.connect(lambda _item: self._update_buttons())
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self._found: dict = {}  # {path: FileSuggestions} listed
        self._measured = True  # their model's confidences were measured (FileSuggestions.measured)
        self._selected = 0
        self.show_suggestions({}, 0)

    def set_threshold(self, value: float, top_k: int | None = None) -> None:
        """The settings' threshold (and top k, listed per sound and vocabulary), without asking again."""
        self.threshold.blockSignals(True)
        self.threshold.setValue(round(value * 100))
        self.threshold.blockSignals(False)
        if top_k is not None:
            self.top_k = top_k

    def show_busy(self, text: str) -> None:
        self.list.clear()
        self.hint.setText(text)
        self._update_buttons()

    def _fit_rows(self) -> None:
        """Room for :data:`SHOWN_ROWS` suggestions at least, each row as tall as the theme draws
        one, measured on one (its check box and italic text): the font's height and a guess at
        the margins made the list 6.4 rows tall, and its last row showed half."""
        self.list.ensurePolished()
        self._add("SUGGESTED", ("tag", ""), "")
        self.list.row_height = self.list.sizeHintForRow(0)
        self.list.clear()
        margins = self.list.contentsMargins()
        self.list.setMinimumHeight(SHOWN_ROWS * self.list.row_height + margins.top() + margins.bottom())

    def show_suggestions(self, found: dict, selected: int, why_none: str = "") -> None:
        """``found``: {path: FileSuggestions} of the ``selected`` files; ``why_none``: when it lists
        nothing, why, as the engine says it (not tagged yet, all under the threshold, …)."""
        measured = all(item.measured for item in found.values())
        self._found, self._selected, self._measured = found, selected, measured
        self.unmeasured.setVisible(not measured)
        self.list.blockSignals(True)
        self.list.clear()
        # unmeasured, PRECHECKED would split lines by a chance these numbers are not: one line a term
        lines = review_lines({path: item.tags for path, item in found.items()}, PRECHECKED if measured else 0.0)
        weak = {line.key: len(line.shown) for line in lines if not line.sure}
        for line in lines:
            best, shared = most_confident(line.shown), widely_shared(len(line.shown), selected)
            why_not = (
                " (its confidence was never measured: not checked)"
                if not measured
                else f" (under {PRECHECKED:.0%}: not checked)"
                if not line.sure
                else f" (for fewer than {MIN_SHARE_PERCENT} % of the selected sounds: not checked)"
                if not shared
                else ""
            )
            apart = (
                f"; for {counted(weak[line.key], 'more sound')} it is under {PRECHECKED:.0%}, on a line of its own"
                if line.sure and line.key in weak
                else ""
            )
            self._add(
                f"{best.value}  {confidences_said(line.shown, measured)}{share_text(line.shown, selected)}",
                ("tag", line.key),
                f"{about(best)}; not your tag until you accept it{why_not}{apart}"
                f"{spread_text(line.shown, measured)}{files_text(line.shown, selected, measured)}",
                measured and line.sure and shared,
                [path for path, _ in line.shown],
            )
        captions = [item.caption for item in found.values() if item.caption is not None]
        for caption in captions[:1] if selected == 1 else []:
            self._add(
                f"“{caption.value}”  {said(caption, measured)}",
                ("caption", caption.value),
                "Generated caption: accept it as it is, or double-click to edit it first",
            )
        if selected > 1 and captions:
            self._add(
                f"generated captions for {len(captions)} of {selected}",
                ("caption", ""),
                "Accepting fills the captions of the sounds that have none",
            )
        self.list.blockSignals(False)
        hidden = sum(item.hidden for item in found.values())
        left_out = hidden_text(hidden, selected, self.threshold.value(), self.top_k) if hidden else ""
        self.hint.setText(why_none or left_out)
        self.hint.setToolTip(
            f"Lower the threshold to list less confident suggestions; at most {self.top_k} per vocabulary "
            "are listed for each sound"
            if hidden
            else ""
        )
        self.setEnabled(bool(selected))
        self.best_button.setVisible(selected > 1)  # one sound's best is its first line, checked already
        self._update_buttons()

    def check_best_of_each(self) -> None:
        """Check each selected sound's most confident suggestion and nothing else, each line narrowed
        to the sounds it is the best of: Accept then gives every sound its own best tag alone (a
        folder's 50 lines are too many to check one by one)."""
        best = best_of_each(self._found)
        self.list.blockSignals(True)
        for item in (self.list.item(i) for i in range(self.list.count())):
            kind, key = item.data(KIND_ROLE)
            listed = set(item.data(TARGETS_ROLE))  # a term's sure and weak sounds are two lines
            shown = [(path, s) for path, s in best.get(key, []) if path in listed] if kind == "tag" else []
            item.setCheckState(Qt.Checked if shown else Qt.Unchecked)
            if shown:
                self._narrow(item, shown)
        self.list.blockSignals(False)
        self._update_buttons()

    def _narrow(self, item: QListWidgetItem, shown: list) -> None:
        """``item``'s line as it goes only to the sounds ``shown`` ([(path, Suggestion)]) it is the
        best suggestion of."""
        best, measured = most_confident(shown), self._measured
        item.setText(
            f"{best.value}  {confidences_said(shown, measured)}{share_text(shown, self._selected, 'best for ')}"
        )
        item.setToolTip(
            f"{about(best)}; the best suggestion for {len(shown)} of the selected sounds: accepting adds it to "
            f"those alone{spread_text(shown, measured)}{files_text(shown, self._selected, measured)}"
        )
        item.setData(TARGETS_ROLE, [path for path, _ in shown])

    def _add(
        self, text: str, kind: tuple[str, str], tip: str, checked: bool = True, targets: list[str] | None = None
    ) -> None:
        item = QListWidgetItem(text)
        item.setData(KIND_ROLE, kind)
        item.setData(TARGETS_ROLE, targets or [])
        item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
        item.setCheckState(Qt.Checked if checked else Qt.Unchecked)
        font = QFont(self.list.font())
        font.setItalic(True)
        item.setFont(font)
        item.setForeground(SUGGESTION_COLOUR)
        item.setToolTip(tip)
        self.list.addItem(item)

    def checked(self) -> tuple[dict[str, list[str]], bool]:
        """({tag key: the paths it goes to}, whether the caption) checked: a term's paths are those
        of its checked lines (its sure sounds' line, its weak sounds' line, or both)."""
        items = [self.list.item(i) for i in range(self.list.count())]
        items = [item for item in items if item.checkState() == Qt.Checked]
        kinds = [item.data(KIND_ROLE) for item in items]
        tags: dict[str, list[str]] = {}
        for item, (kind, key) in zip(items, kinds, strict=True):
            if kind == "tag":
                tags.setdefault(key, []).extend(item.data(TARGETS_ROLE))
        return tags, any(kind == "caption" for kind, _ in kinds)

    def _emit(self, signal) -> None:
        keys, caption = self.checked()
        if keys or caption:
            signal.emit(keys, caption)

    def _double_clicked(self, item: QListWidgetItem) -> None:
        kind, text = item.data(KIND_ROLE)
        if kind == "caption" and text:
            self.caption_chosen.emit(text)

    def _update_buttons(self) -> None:
        """Accept and Reject act on the checked suggestions: with none, they are disabled (and Best of
        each with no tag listed). A button disabled with the focus on it (Reject, once the
        suggestions it rejected are gone) hands the focus to the list, not to whatever follows it
        (the caption editor)."""
        focus = QApplication.focusWidget()
        keys, caption = self.checked()
        for button in (self.accept_button, self.reject_button):
            button.setEnabled(bool(keys or caption))
        kinds = (self.list.item(i).data(KIND_ROLE)[0] for i in range(self.list.count()))
        self.best_button.setEnabled("tag" in kinds)
        if focus in (self.accept_button, self.reject_button) and not focus.isEnabled() and self.list.isEnabled():
            self.list.setFocus(Qt.OtherFocusReason)


def widely_shared(shown_for: int, selected: int) -> bool:
    """Whether a suggestion shown for ``shown_for`` of the ``selected`` sounds is for enough of them
    to come checked (when it is confident too): any is, with up to :data:`LARGE_SELECTION` sounds
    selected; with more, one for at least :data:`MIN_SHARE_PERCENT` of them.

    A few sounds selected are a few the user is looking at, and a line for one of them names it
    ("· 1 of 5: door_close.wav"). A large selection (a whole folder) is reviewed as one: "ROBOTS-
    VOCAL · 70 of 169" is what the user accepts for it, while "GLASS-BREAK · 1 of 169" is one
    file's guess nobody auditioned. All checked, one Accept wrote 35 categories over 169 files;
    unchecked, such a suggestion stays listed, one click away."""
    if selected <= LARGE_SELECTION:
        return True
    return 100 * shown_for >= MIN_SHARE_PERCENT * selected  # whole numbers: 0.1 * 30 is not 3


def hidden_text(hidden: int, selected: int, threshold_percent: int, top_k: int) -> str:
    """How many open suggestions the list leaves out, and why, as the list is made: a sound's
    suggestions under the threshold, and those past the top k of their vocabulary (at a threshold
    of 0 only these). With several sounds, counted per sound (one left out for two sounds is two)."""
    past = f"past the top {top_k} per vocabulary"
    why = past if threshold_percent <= 0 else f"below {threshold_percent} % or {past}"
    sounds = f" for these {selected} sounds," if selected > 1 else ""
    return f"{hidden} more{sounds} {why}"


def best_of_each(found: dict) -> dict[str, list]:
    """{tag key: [(path, Suggestion)] of the sounds it is the most confident suggestion of}, from
    ``found`` ({path: FileSuggestions}, as listed: at or above the threshold)."""
    best: dict[str, list] = {}
    for path, item in found.items():
        if item.tags:
            top = max(item.tags, key=lambda s: s.confidence)
            best.setdefault(top.key, []).append((path, top))
    return best


def most_confident(shown: list) -> Suggestion:
    """The most confident of a line's suggestions (``shown``: [(path, Suggestion)]): what it shows."""
    return max((s for _, s in shown), key=lambda s: s.confidence)


def said(suggestion: Suggestion, measured: bool) -> str:
    """A suggestion's confidence as its line reads it: "~65%" from a model never measured, so that
    it is not read as a chance; a CatID the file's name holds is certain whatever the model."""
    return suggestion.said if measured or suggestion.certain else f"~{suggestion.said}"


def spread(shown: list, measured: bool) -> tuple[str, str, str] | None:
    """How sure a line is of its several sounds (``shown``: [(path, Suggestion)]), as read: the
    middle of their confidences (half of them at least as sure; "~" from a model never measured,
    :func:`said`), the least and the most sure ("58%", "31%", "99%"); None where those read alike,
    as one sound's do. The most confident alone read "VOICES-MISC 99% · 125 of 500": sure of all
    125, where it was so of one (review 18, L9)."""
    suggestions = sorted((s for _, s in shown), key=lambda s: s.confidence)
    least, most = suggestions[0], suggestions[-1]
    if least.said == most.said:
        return None
    certain = all(s.certain for s in suggestions)
    middle = percent(median(s.confidence for s in suggestions), certain=certain)
    return middle if measured or certain else f"~{middle}", least.said, most.said


def confidences_said(shown: list, measured: bool) -> str:
    """A line's confidence, for the sounds ``shown``: one sound's as :func:`said` has it ("84%");
    for several, the middle of theirs and from the least to the most sure (:func:`spread`):
    "58% (31–99)"."""
    numbers = spread(shown, measured)
    if numbers is None:
        return said(most_confident(shown), measured)
    middle, least, most = numbers
    return f"{middle} ({least.removesuffix('%')}–{most.removesuffix('%')})"


def spread_text(shown: list, measured: bool) -> str:
    """The tooltip's words for the three numbers of :func:`confidences_said`; "" where it says one."""
    numbers = spread(shown, measured)
    if numbers is None:
        return ""
    middle, least, most = numbers
    return f"\n\nFor half of these {len(shown)} sounds it is {middle} sure or more: {least} the least, {most} the most"


def about(suggestion: Suggestion) -> str:
    """A tooltip's first words: the term, its vocabulary and what it rests on."""
    return f"{suggestion.key} ({suggestion.vocabulary}) from the {suggestion.evidence.replace('+', ' and the ')}"


def share_text(shown: list, selected: int, share: str = "") -> str:
    """What a suggestion's line says of the files it is for (``shown``: [(path, Suggestion)]): how
    many of the ``selected``, and which when it is one ("· 1 of 8: door_close.wav"); ``share``
    says how they were chosen ("best for ")."""
    if selected < 2:
        return ""  # the panel's subject names the one file
    name = f": {Path(shown[0][0]).name}" if len(shown) == 1 else ""
    return f"  · {share}{len(shown)} of {selected}{name}"


def files_text(shown: list, selected: int, measured: bool) -> str:
    """The tooltip's list of the files a suggestion is for, each with its own confidence (the line
    shows the best of them, :func:`said` as ``measured`` says), the :data:`NAMED_FILES` most
    confident by name and the rest counted."""
    if selected < 2:
        return ""
    ranked = sorted(shown, key=lambda ps: -ps[1].confidence)
    names = [f"{Path(path).name} {said(s, measured)}" for path, s in ranked[:NAMED_FILES]]
    more = f"\nand {len(ranked) - NAMED_FILES} more" if len(ranked) > NAMED_FILES else ""
    return f"\n\nFor {len(shown)} of the {selected} selected sounds:\n" + "\n".join(names) + more
