"""Tags and caption of the selected sounds: show them, edit them, apply to many at once.

With several files selected the field holds the tags they share; what the
user adds to or removes from that shared set is applied to each file
(:func:`engine.tags.edited_tags`), so tags only some of them carry survive an edit.
Every row selected where the results list only the first of the sounds found says so: "edits
apply to all" read as all found, and tagged 500 of a 1,215-sound folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.labels import ElidedLabel
from app.suggestions_box import SuggestionsBox
from engine.tags import edited_tags, parse_tags

CAPTION_LINES = 2  # the caption editor's height: a sentence; the suggestions above take the panel's room


class TagsPanel(QWidget):
    tags_edited = Signal(dict)  # path -> new tag list
    caption_edited = Signal(list, str)  # paths, caption
    suggest_requested = Signal(list, bool)  # paths, with captions
    # paths, {suggested tag key: the paths it goes to}, the suggested caption too
    accept_requested = Signal(list, dict, bool)
    reject_requested = Signal(list, dict, bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("TagsPanel")
        self._hits: list = []
        self._shared: list[str] = []
        self._listed, self._found = 0, 0  # the results list the first ``_listed`` of ``_found`` (0: all)
        self._caption_dirty = False  # setPlainText resets the document's own flag, so keep ours
        self.subject = ElidedLabel("Nothing selected", objectName="Hint")
        self.tags = QLineEdit(placeholderText="Tags, comma separated")
        self.caption = QPlainTextEdit(placeholderText="A sentence describing the sound")
        self.caption.setTabChangesFocus(True)
        self._fit_caption()
        self.apply_button = QPushButton("Apply", objectName="Primary")
        self.revert_button = QPushButton("Revert")
        self.suggestions = SuggestionsBox()  # suggested tags and caption, apart from the user's own
        self.action_row = QHBoxLayout()
        self.action_row.addStretch(1)
        self.action_row.addWidget(self.revert_button)
        self.action_row.addWidget(self.apply_button)
        # the subject beside the title, not under it: in a short window that line is the suggestions'
        title_row = QHBoxLayout()
        title_row.setSpacing(12)
        title_row.addWidget(QLabel("TAGS & CAPTION", objectName="PanelTitle"))
        title_row.addWidget(self.subject, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addLayout(title_row)
        layout.addWidget(self.tags)
        layout.addWidget(self.suggestions, 1)
        layout.addWidget(self.caption)
        layout.addLayout(self.action_row)

        self.tags.textEdited.connect(lambda _text: self._mark_dirty())
        self.caption.textChanged.connect(self._caption_typed)
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(lambda: self._render(self._hits))
        self.tags.returnPressed.connect(self.apply)
        self.suggestions.suggest_requested.connect(lambda captions: self.suggest_requested.emit(self.paths, captions))
        self.suggestions.accept_requested.connect(
            lambda keys, caption: self.accept_requested.emit(self.paths, keys, caption)
        )
        self.suggestions.reject_requested.connect(
            lambda keys, caption: self.reject_requested.emit(self.paths, keys, caption)
        )
        self.suggestions.caption_chosen.connect(self.caption.setPlainText)  # typed, so Apply makes it the user's
        self._render([])  # nothing selected: the fields and buttons start disabled

    def _fit_caption(self) -> None:
        """The caption editor :data:`CAPTION_LINES` lines tall, in its font as the theme sets it (it
        scrolls past them): given the panel's room, it held a sentence in three lines' blank while a
        folder's review showed six of its eighteen suggestions."""
        self.caption.ensurePolished()
        margins = self.caption.contentsMargins()  # the frame and the theme's padding
        text = CAPTION_LINES * self.caption.fontMetrics().lineSpacing() + 2 * self.caption.document().documentMargin()
        self.caption.setFixedHeight(round(text) + margins.top() + margins.bottom())

    def show_hits(self, hits: list) -> None:
        """Show ``hits``; the same files again (a refreshed search) keep an edit in progress."""
        if hits and self.apply_button.isEnabled() and [h.path for h in hits] == [h.path for h in self._hits]:
            self._hits = list(hits)
            return
        self._render(hits)

    def show_listed(self, listed: int, found: int) -> None:
        """The results list the first ``listed`` of the ``found`` sounds the search found (``found``
        0: they list every one); said when every listed sound is selected (the next hits shown)."""
        self._listed, self._found = listed, found

    @property
    def paths(self) -> list[str]:
        return [str(h.path) for h in self._hits]

    def show_suggestions(self, found: dict, why_none: str = "") -> None:
        """Suggestions ({path: FileSuggestions}) for the files shown, and the engine's why none is
        listed ("" when one is); an answer for files no longer selected is dropped."""
        if set(found) <= set(self.paths):
            self.suggestions.show_suggestions(found, len(self._hits), why_none)

    def _render(self, hits: list) -> None:
        if [str(h.path) for h in hits] != self.paths:
            self.suggestions.show_suggestions({}, len(hits))
        self._hits = list(hits)
        tag_sets = [list(h.tags or ()) for h in self._hits]
        self._shared = [t for t in tag_sets[0] if all(t in s for s in tag_sets[1:])] if tag_sets else []
        captions = {h.caption or "" for h in self._hits}
        some_found = len(hits) > 1 and len(hits) == self._listed < self._found
        self._say_subject(hits, some_found)
        self.tags.setText(", ".join(self._shared))
        self.tags.setPlaceholderText(
            "Tags, comma separated"
            if len(hits) < 2
            else f"Tags to add to these {len(hits):,}"
            if some_found
            else "Tags to add to all"
        )
        self.caption.blockSignals(True)
        self.caption.setPlainText(captions.pop() if len(captions) == 1 else "")
        self.caption.setPlaceholderText(
            "A sentence describing the sound"
            if len(hits) < 2 or not captions
            else "Different captions: typing here replaces them all"
        )
        self._caption_dirty = False
        self.caption.blockSignals(False)
        for widget in (self.tags, self.caption):
            widget.setEnabled(bool(hits))
        self._set_dirty(False)

    def _say_subject(self, hits: list, some_found: bool) -> None:
        """Name the file, or count the files an edit applies to; ``some_found``: they are every
        sound the results list, which is not every sound found, so the count says of how many,
        and the tooltip where a whole folder's sounds are reached."""
        if not some_found:
            self.subject.say(
                "Nothing selected"
                if not hits
                else Path(hits[0].path).name
                if len(hits) == 1
                else f"{len(hits)} sounds: edits apply to all"
            )
            self.subject.setToolTip("")
            return
        selected, found = f"{len(hits):,}", f"{self._found:,}"
        self.subject.say(
            f"{selected} of the {found} sounds found: edits apply to these {selected} only",
            [f"{selected} of {found} found: edits apply to these {selected}"],
        )
        self.subject.setToolTip(
            f"The results list the first {selected} of the {found} sounds the search found, and an edit"
            " applies to the sounds selected only. To suggest tags for every sound of a folder,"
            " right-click it in the Library panel: Suggest tags for this folder."
        )

    def apply(self) -> None:
        if not self._hits or not self.apply_button.isEnabled():
            return
        edited = parse_tags(self.tags.text())
        tag_edit = (
            {str(h.path): edited_tags(list(h.tags or ()), self._shared, edited) for h in self._hits}
            if edited != self._shared
            else None
        )
        caption_edit = (
            ([str(h.path) for h in self._hits], self.caption.toPlainText().strip()) if self._caption_dirty else None
        )
        self._caption_dirty = False
        self._set_dirty(False)
        # Both edits are read before either is announced: a listener may refill the panel.
        if tag_edit is not None:
            self.tags_edited.emit(tag_edit)
        if caption_edit is not None:
            self.caption_edited.emit(*caption_edit)

    def _caption_typed(self) -> None:
        self._caption_dirty = True
        self._mark_dirty()

    def _mark_dirty(self) -> None:
        self._set_dirty(bool(self._hits))

    def _set_dirty(self, dirty: bool) -> None:
        self.apply_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
