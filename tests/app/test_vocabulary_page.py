"""Settings -> Vocabularies in the real window: importing the user's own list and a UCS
spreadsheet through the real file dialog, a bad file refused on the page, and removing both."""

from __future__ import annotations

from openpyxl import Workbook
from PySide6.QtCore import SIGNAL, QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from app.settings_dialog import SettingsDialog
from app.vocabulary_page import VocabularyPage
from engine.tagging.vocabulary import UCS

SHIPPED = "UCS list, shipped with Earmark: 752 terms in 82 categories"


def listed(page: VocabularyPage) -> list[str]:
    return [page.listing.item(row).text() for row in range(page.listing.count())]


def choose_in_file_dialog(qtbot, page: VocabularyPage, path, tries: int = 100) -> None:
    """Click Import… and choose ``path`` in the file dialog it opens (looked for until it shows):
    its file name written into the name field, then Open. Typed key by key, the name's completer
    popped up in time, on a loaded machine, to take the Return, and the dialog waited for ever;
    one that still will not close after ``tries`` is cancelled, so the test fails instead of hanging."""
    left = [tries]

    def pick() -> None:
        left[0] -= 1
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()]
        if dialogs and not left[0]:
            dialogs[0].reject()
        elif dialogs:
            dialogs[0].findChild(QLineEdit, "fileNameEdit").setText(str(path))
            dialogs[0].accept()
        if left[0] and (not dialogs or dialogs[0].isVisible()):
            QTimer.singleShot(100, pick)

    QTimer.singleShot(100, pick)
    qtbot.mouseClick(page.import_button, Qt.LeftButton)


def test_vocabularies_are_imported_and_removed_from_settings(qtbot, window, tmp_path):
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(VocabularyPage)
    dialog.page_list.setCurrentRow(dialog.pages.index(page))
    dialog.show()
    qtbot.waitUntil(lambda: listed(page) == [SHIPPED])
    page.listing.setCurrentRow(0)
    assert not page.remove_button.isEnabled()  # the shipped list cannot be removed

    foley = tmp_path / "foley.csv"
    foley.write_text("Tag,Synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    choose_in_file_dialog(qtbot, page, foley)
    qtbot.waitUntil(lambda: listed(page) == [SHIPPED, "foley: 2 terms"])
    assert page.state.text() == "Imported foley: 2 terms. Suggest tags again to use it."
    assert [v.name for v in window.client.engine.tagging.vocabularies()] == [UCS, "foley"]

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    page.import_file(str(broken))
    qtbot.waitUntil(lambda: "not valid JSON" in page.state.text())
    assert str(broken) in page.state.text() and listed(page) == [SHIPPED, "foley: 2 terms"]

    workbook = Workbook()  # a UCS release in the official spreadsheet's layout
    for row in (
        ["UCS v9 (a newer release)"],
        [],
        ["Category", "SubCategory", "CatID", "CatShort", "Explanations", "Synonyms - Comma Separated"],
        ["DOORS", "WOOD", "DOORWood", "DOOR", "Wooden doors", "creak, slam"],
        ["DOORS", "METAL", "DOORMetl", "DOOR", "Metal doors", "clang"],
        ["GLASS", "BREAK", "GLASBrk", "GLAS", "Glass breaking", "shatter"],
    ):
        workbook.active.append(row)
    sheet = tmp_path / "UCS v9.xlsx"
    workbook.save(sheet)
    page.import_file(str(sheet))
    imported_ucs = "UCS list, imported: 3 terms in 2 categories"
    qtbot.waitUntil(lambda: listed(page) == [imported_ucs, "foley: 2 terms"])
    assert window.client.engine.tagging.vocabularies()[0].term("DOORWood").synonyms == ("creak", "slam")

    page.listing.setCurrentRow(0)
    assert page.remove_button.isEnabled() and page.remove_button.text() == "Back to the shipped UCS list"
    qtbot.mouseClick(page.remove_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: listed(page) == [SHIPPED, "foley: 2 terms"])
    page.listing.setCurrentRow(1)
    assert page.remove_button.text() == "Remove"
    qtbot.mouseClick(page.remove_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: listed(page) == [SHIPPED])
    assert [v.name for v in window.client.engine.tagging.vocabularies()] == [UCS]


def test_settings_opened_again_and_again_leave_no_page_listening(qtbot, window, tmp_path):
    """Each closed dialog's page stops listening with it: an import later answers only the open
    page (a listener left behind wrote to its deleted label, an error each time)."""
    tagging = window.client.tagging
    listeners = tagging.receivers(SIGNAL("vocabulary_imported(PyObject)"))
    for _ in range(2):
        closed = SettingsDialog(window.client, window.player, window)
        closed.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert tagging.receivers(SIGNAL("vocabulary_imported(PyObject)")) == listeners
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(VocabularyPage)
    foley = tmp_path / "foley.csv"
    foley.write_text("Tag\nlaser zap\n", encoding="utf-8")
    page.import_file(str(foley))
    qtbot.waitUntil(lambda: page.state.text() == "Imported foley: 1 terms. Suggest tags again to use it.")
