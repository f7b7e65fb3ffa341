"""The rename dialog's table as it is read: long names cut as the results cut them, and a table that
stays in place while an ID is typed. The dialog alone, on a stand-in for the tagging client that
answers with the plans a test gives (no engine: only what is shown is tested here)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.rename_dialog import COLUMN_WIDTHS, NAME_COLUMN, UCS_COLUMN, UCS_LEAST_WIDTH, RenameDialog
from app.tagging_client import RenameProposal
from app.theme import resource_dir
from engine.tagging.rename import RenamePlan
from tests.app.test_result_groups import shown_text

OLD = "/lib/Shed/GUNMech_Hammer Swing Heavy Slow 01_MK_Shed Foley Library.wav"
NEW = "/lib/Shed/TOOLHand_Hammer Swing Heavy Slow 01_MK_Shed Foley Library.wav"


class PlanningClient(QObject):
    """What the dialog uses of :class:`app.tagging_client.TaggingClient`: its latest request is
    answered by :meth:`answer`."""

    rename_planned = Signal(object)
    renamed = Signal(dict)
    rename_failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.asked = 0

    def plan_rename(self, paths, creator, source, overrides=None) -> int:
        self.asked += 1
        return self.asked

    def answer(self, plans: list[RenamePlan]) -> None:
        self.rename_planned.emit(RenameProposal(self.asked, plans=plans))


def shown_dialog(qtbot, creator: str = "MK") -> RenameDialog:
    """The dialog in the app's theme (its font and padding decide what fits), showing the hammer's plan."""
    client = PlanningClient()
    dialog = RenameDialog(client, [OLD], creator, "Shed")
    qtbot.addWidget(dialog)
    theme = resource_dir() / "theme"
    dialog.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))
    client.answer([RenamePlan(1, OLD, NEW, "TOOLHand", "user", fx="Hammer Swing Heavy Slow 01")])
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_long_names_keep_their_catid_and_fx_names_end_as_in_the_results(qtbot):
    """Cut in the middle, "GUNMech_Hammer Sw…Foley Library.wav" hid which take a row renames, and the
    IDs, the same on every row, took the room: the IDs go first, as in the results table."""
    dialog = shown_dialog(qtbot)
    for column, cat_id in ((NAME_COLUMN, "GUNMech_"), (UCS_COLUMN, "TOOLHand_")):
        text, width = shown_text(dialog.table, 0, column)
        assert text.startswith(cat_id) and "01" in text and "…" in text, text
        assert "Library" not in text and dialog.table.fontMetrics().horizontalAdvance(text) <= width, text


def test_the_table_stays_in_place_when_a_note_comes_under_an_id(qtbot):
    """A "Written as …" line shown as the user types moved the table down under their eyes."""
    dialog = shown_dialog(qtbot, creator="")
    QCoreApplication.processEvents()
    top = dialog.table.geometry().y()
    qtbot.keyClicks(dialog.creator, "J_D x")
    dialog.source.setText("My Show_2024")
    QCoreApplication.processEvents()
    assert dialog.creator_note.text().startswith("Written as JDx") and dialog.source_note.text()
    assert dialog.table.geometry().y() == top
    dialog.creator.setText("JD")
    QCoreApplication.processEvents()
    assert not dialog.creator_note.text() and dialog.table.geometry().y() == top


def test_a_narrowed_dialog_keeps_its_columns_in_view(qtbot):
    """At 700 px the columns outgrew the view: it scrolled sideways and the UCS names were cut at its
    edge ("DOORMetl_Creak Heavy Slo") instead of elided; the other columns now give way alike."""
    dialog = shown_dialog(qtbot)
    dialog.resize(700, dialog.height())
    qtbot.waitUntil(lambda: dialog.width() == 700)
    QCoreApplication.processEvents()
    header = dialog.table.header()
    assert header.length() <= dialog.table.viewport().width()
    assert header.sectionSize(UCS_COLUMN) >= UCS_LEAST_WIDTH
    text, width = shown_text(dialog.table, 0, UCS_COLUMN)
    assert text.startswith("TOOLHand_") and text.endswith("01") and "…" in text, text  # elided, its IDs first
    dialog.resize(1100, dialog.height())  # and take their widths back in a wide dialog
    qtbot.waitUntil(lambda: dialog.width() == 1100)
    QCoreApplication.processEvents()
    assert (
        header.sectionSize(NAME_COLUMN) == COLUMN_WIDTHS[NAME_COLUMN]
        and header.length() <= dialog.table.viewport().width()
    )
