"""Settings -> Vocabularies: what tags are suggested from, and importing more.

The page lists the UCS list in use (the shipped one, or an imported release or translation in
its place) and the user's own vocabularies, and imports or forgets them through
:class:`app.tagging_client.TaggingClient`; reading and checking a file is the engine's
(engine/tagging/vocabulary.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from app.settings_dialog import SettingsPage, _hint
from engine.tagging.vocabulary import SPREADSHEET_SUFFIXES, UCS, Vocabulary

INTRO = (
    "Tags are suggested from each vocabulary on its own: a file gets its best UCS category and its "
    "best term of each of your vocabularies. Import the official UCS spreadsheet (.xlsx, or saved as "
    "CSV) or its JSON to use another release or a translation, or your own list: a spreadsheet with a "
    "tag column (description, synonyms separated by ';' and group are optional), or a text file of one "
    "tag a line. Import and Remove act at once (the dialog's Cancel does not undo them). "
    "Suggest tags again to use a new vocabulary; tags you accepted or typed are never changed."
)
FILE_FILTER = f"Vocabularies (*.json {' '.join('*' + s for s in SPREADSHEET_SUFFIXES)})"


def describe(vocabulary: Vocabulary) -> str:
    """One line of the list: what it is and how big (where it came from is its tooltip)."""
    size = f"{len(vocabulary.terms)} terms"
    if len(vocabulary.categories) < len(vocabulary.terms):
        size += f" in {len(vocabulary.categories)} categories"
    if vocabulary.name == UCS:
        return f"UCS list, {'shipped with Earmark' if not vocabulary.source else 'imported'}: {size}"
    return f"{vocabulary.name}: {size}"


class VocabularyPage(SettingsPage):
    title = "Vocabularies"
    icon_name = "tag"

    def __init__(self, dialog):
        super().__init__(dialog)
        self.tagging = dialog.client.tagging
        self.listing = QListWidget()
        self.import_button = QPushButton("Import…")
        self.remove_button = QPushButton("Remove")
        self.state = _hint("")
        buttons = QHBoxLayout()
        for button in (self.import_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_hint(INTRO))
        layout.addWidget(self.listing, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.state)

        self.import_button.clicked.connect(self._choose_file)
        self.remove_button.clicked.connect(self._remove)
        self.listing.currentItemChanged.connect(lambda *_: self._enable_remove())
        self.tagging.vocabularies_loaded.connect(self.show_vocabularies)
        self.tagging.vocabulary_imported.connect(self._imported)  # a bound slot: it goes with the page
        self.tagging.vocabulary_problem.connect(self.state.setText)
        available = dialog.client.engine is not None
        self.import_button.setEnabled(available)
        self._enable_remove()
        if not available:
            self.state.setText("Vocabularies can be changed once the library is open.")
        self.tagging.load_vocabularies()

    def show_vocabularies(self, vocabularies: list[Vocabulary]) -> None:
        self.listing.clear()
        for vocabulary in vocabularies:
            item = QListWidgetItem(describe(vocabulary), self.listing)
            item.setData(Qt.UserRole, vocabulary.name if vocabulary.source else None)  # None: shipped, stays
            item.setToolTip(vocabulary.source or "Shipped with Earmark")
        self._enable_remove()

    def _imported(self, vocabulary: Vocabulary) -> None:
        self.state.setText(f"Imported {describe(vocabulary)}. Suggest tags again to use it.")

    def import_file(self, path: str) -> None:
        self.state.setText(f"Importing {path}…")
        self.tagging.import_vocabulary(path)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a vocabulary", "", FILE_FILTER)
        if path:
            self.import_file(path)

    def _selected(self) -> str | None:
        item = self.listing.currentItem()
        return item.data(Qt.UserRole) if item is not None else None

    def _enable_remove(self) -> None:
        name = self._selected()
        self.remove_button.setEnabled(name is not None)
        self.remove_button.setText("Back to the shipped UCS list" if name == UCS else "Remove")

    def _remove(self) -> None:
        name = self._selected()
        if name is not None:
            self.state.setText("")
            self.tagging.remove_vocabulary(name)
