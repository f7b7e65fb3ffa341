"""Rename to UCS name from the window, on the real engine and real files: the dialog shows the names
first, Rename renames on disk and the results and the index follow, Undo puts the old names back,
Cancel and a name taken meanwhile rename nothing."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit

from app.rename_dialog import (
    CAT_ID_COLUMN,
    FX_COLUMN,
    KEEP_CREATORS,
    NAME_COLUMN,
    NEEDS_CREATOR,
    NOT_RENAMED,
    REASON_COLUMN,
    UCS_COLUMN,
    RenameDialog,
    cat_id_from,
)
from app.theme import resource_dir
from engine.tagging.rename import RenamePlan
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder, open_window, settle
from tests.factories import tone, write_audio

RENAMED = "ANMLDog_Dog Bark_JD_Kennel.wav"  # dog_bark.wav tagged ANIMALS-DOG, creator JD, source Kennel


def rows(dialog: RenameDialog) -> dict[str, tuple[str, str]]:
    """{current name: (UCS name or "not renamed", where the CatID is from or why not)} as the dialog shows them."""
    table = dialog.table
    return {
        item.text(0): (item.text(UCS_COLUMN), item.text(REASON_COLUMN))
        for item in (table.topLevelItem(i) for i in range(table.topLevelItemCount()))
    }


def planned(qtbot, dialog: RenameDialog) -> None:
    """Wait for the answer to the latest plan asked (the IDs typed last) to be shown."""
    qtbot.waitUntil(lambda: not dialog.stale, timeout=ENGINE_TIMEOUT_MS)


def edit(qtbot, dialog: RenameDialog, path: Path, column: int, text: str) -> None:
    """Type ``text`` into a file's CatID or FX name cell as the user does (its editor opened, the
    text typed, Enter), and wait for the plan made with it."""
    dialog.table.editItem(dialog.rows[str(path)], column)
    editor = dialog.table.viewport().findChild(QComboBox if column == CAT_ID_COLUMN else QLineEdit)
    line = editor.lineEdit() if isinstance(editor, QComboBox) else editor
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key_Return)
    qtbot.waitUntil(lambda: dialog.table.state() != dialog.table.State.EditingState, timeout=5_000)
    assert dialog.stale  # planned again with it
    planned(qtbot, dialog)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def dialog(qtbot, window, library) -> RenameDialog:
    """The dialog opened from the window for the dog (tagged with a UCS category) and the beep (no
    category), with the IDs JD and Kennel typed in."""
    dog, beep = str(library["dog_bark.wav"]), str(library["sine_beep.wav"])
    window.client.engine.set_tags([dog], ["ANIMALS-DOG"])
    qtbot.waitUntil(lambda: window.model.row_of(dog) >= 0 and window.model.row_of(beep) >= 0, timeout=10_000)
    window.results.select_paths([dog, beep], dog)
    window.renames.rename_action.trigger()
    dialog = window.renames.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.creator.setText("JD")
    dialog.source.setText("Kennel")
    planned(qtbot, dialog)
    return dialog


def test_the_dialog_shows_each_files_ucs_name_and_why_others_are_not_renamed(qtbot, dialog, library):
    shown = rows(dialog)
    assert shown["dog_bark.wav"] == (RENAMED, "from your tag")
    assert dialog.rows[str(library["dog_bark.wav"])].text(1) == "ANMLDog"
    name, why = shown["sine_beep.wav"]
    assert name == NOT_RENAMED and why.startswith("No UCS category")
    assert dialog.rename_button.isEnabled() and dialog.rename_button.text() == "Rename 1 file"
    assert "1 file will not be" in dialog.summary.text()
    dialog.source.setText("Farm")  # another SourceID: planned again, and Rename waits for it
    assert not dialog.rename_button.isEnabled()
    planned(qtbot, dialog)
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Dog Bark_JD_Farm.wav"
    assert listing(library["dog_bark.wav"].parent) == sorted(library)  # planning renamed nothing


def test_a_file_outside_the_library_is_named_with_why(qtbot, window, library, tmp_path):
    outside = write_audio(tmp_path / "elsewhere" / "mine.wav", tone())
    window.client.engine.set_tags([library["dog_bark.wav"]], ["ANIMALS-DOG"])
    dialog = RenameDialog(window.client.tagging, [str(library["dog_bark.wav"]), str(outside)], "JD", "Kennel")
    qtbot.addWidget(dialog)
    planned(qtbot, dialog)
    name, why = rows(dialog)["mine.wav"]
    assert name == NOT_RENAMED and why.startswith("It is not in the library")
    assert dialog.table.topLevelItem(1).toolTip(REASON_COLUMN).startswith(f"{outside} is not in the library")
    assert rows(dialog)["dog_bark.wav"][0] == RENAMED


def test_rename_renames_on_disk_the_results_and_index_follow_and_undo_puts_it_back(
    qtbot, window, dialog, library, monkeypatch
):
    folder = library["dog_bark.wav"].parent
    dog, new = str(library["dog_bark.wav"]), str(folder / RENAMED)
    record_id = window.client.engine.file_info(dog).record.id
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    assert (folder / RENAMED).is_file() and not library["dog_bark.wav"].exists()
    assert not (folder / "SINEMisc_Sine Beep_JD_Kennel.wav").exists() and library["sine_beep.wav"].is_file()
    assert window.model.row_of(new) >= 0 and window.model.row_of(dog) < 0  # the results show the new name
    assert window.tags.paths[0] == new and window.preview.path == new  # the panels follow the selected file
    assert "Renamed 1 file" in window.statusBar().currentMessage() and window.renames.undo_button.isVisible()
    qtbot.waitUntil(lambda: window.renames.dialog is None, timeout=10_000)
    assert window.ui_state.value("rename/creator") == "JD"  # offered first next time

    hits = window.client.engine.search("kennel", limit=5)  # the new name's words, found by keyword
    assert hits and hits[0].path == new and hits[0].text_rank == 1
    assert window.client.engine.file_info(new).record.id == record_id  # re-linked, not a new file

    with qtbot.waitSignal(window.client.tagging.renamed_back, timeout=ENGINE_TIMEOUT_MS):
        window.renames.undo_action.trigger()
    assert library["dog_bark.wav"].is_file() and not (folder / RENAMED).exists()
    assert window.model.row_of(dog) >= 0 and window.model.row_of(new) < 0
    assert window.statusBar().currentMessage() == "Renamed 1 file back"
    assert not window.renames.undo_button.isVisible()
    assert window.client.engine.file_info(dog).record.id == record_id


def test_cancel_renames_nothing(qtbot, window, dialog, library):
    folder = library["dog_bark.wav"].parent
    dialog.buttons.button(QDialogButtonBox.Cancel).click()
    qtbot.waitUntil(lambda: window.renames.dialog is None, timeout=10_000)
    settle(window.client.edit_pool)
    assert listing(folder) == sorted(library)
    assert window.client.engine.file_info(library["dog_bark.wav"]).record.path == str(library["dog_bark.wav"])


def test_a_name_taken_after_planning_is_said_naming_the_file_and_nothing_is_renamed(qtbot, window, dialog, library):
    folder = library["dog_bark.wav"].parent
    shutil.copy(library["sine_beep.wav"], folder / RENAMED)  # another file takes the name meanwhile
    dialog.rename_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=ENGINE_TIMEOUT_MS)
    assert f"{folder / RENAMED} already exists" in dialog.error.text() and "nothing was renamed" in dialog.error.text()
    assert library["dog_bark.wav"].is_file() and dialog.isVisible()
    planned(qtbot, dialog)  # planned again as the disk is now: the taken name is numbered
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Dog Bark_JD_Kennel_2.wav" and dialog.rename_button.isEnabled()
    dialog.reject()


def test_the_creator_id_is_the_users_to_give_and_rename_waits_for_it(qtbot, window, tiny_checkpoint, library):
    """No login name ("root") offered as the CreatorID: the field starts empty the first time, the
    names show where the ID goes, and Rename waits for one; the ID typed is the one in the names, and
    is offered next time. Undo is offered only once there is a rename to undo, in the next session too."""
    dog = str(library["dog_bark.wav"])
    folder = library["dog_bark.wav"].parent
    assert not window.renames.undo_action.isEnabled()  # nothing renamed yet
    window.client.engine.set_tags([dog], ["ANIMALS-DOG"])
    qtbot.waitUntil(lambda: window.model.row_of(dog) >= 0, timeout=10_000)
    window.results.select_paths([dog], dog)
    window.renames.rename_action.trigger()
    dialog = window.renames.dialog
    assert (
        dialog.creator.text() == ""
        and dialog.creator.placeholderText() == "your initials or ID (for names without one)"
    )
    planned(qtbot, dialog)
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Dog Bark_CreatorID_SoundEffects.wav"  # where it goes
    assert not dialog.rename_button.isEnabled() and dialog.creator_hint.isVisible()
    assert dialog.creator_hint.text() == NEEDS_CREATOR
    dialog.rename()  # as the button would, were it enabled: nothing happens
    settle(window.client.edit_pool)
    assert listing(folder) == sorted(library)

    dialog.creator.setText("MK")
    planned(qtbot, dialog)
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Dog Bark_MK_SoundEffects.wav"
    assert dialog.rename_button.isEnabled() and not dialog.creator_hint.isVisible()
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    assert (folder / "ANMLDog_Dog Bark_MK_SoundEffects.wav").is_file()
    assert window.renames.undo_action.isEnabled()
    qtbot.waitUntil(lambda: window.renames.dialog is None, timeout=10_000)

    window.close()  # the next session: the rename is still there to undo, and MK is offered
    again = open_window(qtbot, str(tiny_checkpoint))
    assert again.renames.undo_action.isEnabled()
    renamed = str(folder / "ANMLDog_Dog Bark_MK_SoundEffects.wav")
    qtbot.waitUntil(lambda: again.model.row_of(renamed) >= 0, timeout=ENGINE_TIMEOUT_MS)
    again.results.select_paths([renamed], renamed)
    again.renames.rename_action.trigger()
    assert again.renames.dialog.creator.text() == "MK"
    again.renames.dialog.reject()
    with qtbot.waitSignal(again.client.tagging.renamed_back, timeout=ENGINE_TIMEOUT_MS):
        again.renames.undo_action.trigger()
    assert library["dog_bark.wav"].is_file() and not again.renames.undo_action.isEnabled()  # none left


def test_why_a_file_is_not_renamed_is_shown_whole_wrapped_to_its_column(qtbot, dialog):
    theme = resource_dir() / "theme"  # the app's look, its items' padding included
    dialog.setStyleSheet((theme / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", theme.as_posix()))
    table = dialog.table
    item = next(
        table.topLevelItem(i)
        for i in range(table.topLevelItemCount())
        if table.topLevelItem(i).text(UCS_COLUMN) == NOT_RENAMED
    )
    reason = item.text(REASON_COLUMN)
    assert reason == "No UCS category: accept a suggested one, or tag it with one (e.g. DOORS-WOOD)"
    for width in (1100, 860):  # the dialog as it opens, and on a smaller screen
        dialog.resize(width, 440)
        qtbot.waitUntil(lambda w=width: dialog.width() == w, timeout=5_000)
        QCoreApplication.processEvents()
        metrics = table.fontMetrics()
        cell = table.visualRect(table.indexFromItem(item, REASON_COLUMN))
        room = cell.width() - 2 * 6 - 2 * 3  # less the items' padding and the style's text margins
        assert metrics.horizontalAdvance(reason) > room  # it does not fit on one line
        wrapped = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextWordWrap, reason)
        assert wrapped.height() <= cell.height()  # the row is as tall as the reason wrapped: every word shows
        assert table.visualRect(table.indexFromItem(item, 0)).height() == cell.height()


def test_a_rows_catid_corrected_from_the_ucs_list_renames_that_file_with_it(qtbot, window, dialog, library):
    """A dog planned as ANMLDog, corrected to a tool: the list offers the CatIDs with their names,
    the engine plans the file again with the one chosen, and Rename (then Undo) does as shown."""
    dog, folder = library["dog_bark.wav"], library["dog_bark.wav"].parent
    edit(qtbot, dialog, dog, CAT_ID_COLUMN, "toolhand")
    assert rows(dialog)["dog_bark.wav"] == ("TOOLHand_Dog Bark_JD_Kennel.wav", "your choice")
    assert dialog.rows[str(dog)].text(CAT_ID_COLUMN) == "TOOLHand" and dialog.overrides[str(dog)].cat_id == "toolhand"
    choices = dialog.cat_ids.choices
    assert any(choices.item(i).text() == "TOOLHand — TOOLS / HAND" for i in range(choices.rowCount()))
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    assert (folder / "TOOLHand_Dog Bark_JD_Kennel.wav").is_file() and not dog.exists()
    with qtbot.waitSignal(window.client.tagging.renamed_back, timeout=ENGINE_TIMEOUT_MS):
        window.renames.undo_action.trigger()
    assert listing(folder) == sorted(library)


def test_only_the_catid_and_fx_name_open_an_editor(qtbot, dialog, library):
    row = dialog.rows[str(library["dog_bark.wav"])]
    for column in range(dialog.table.columnCount()):
        dialog.table.editItem(row, column)
        opened = dialog.table.viewport().findChildren(QComboBox) + dialog.table.viewport().findChildren(QLineEdit)
        editors = [w for w in opened if w.isVisible() and not isinstance(w.parent(), QComboBox)]
        assert bool(editors) == (column in (CAT_ID_COLUMN, FX_COLUMN)), column
        for editor in editors:
            qtbot.keyClick(editor, Qt.Key_Escape)  # left as it was
        qtbot.waitUntil(lambda: dialog.table.state() != dialog.table.State.EditingState, timeout=5_000)
    assert row.text(NAME_COLUMN) == "dog_bark.wav" and not dialog.overrides and not dialog.stale


def test_a_catid_not_in_the_list_is_said_on_its_row_and_a_file_given_one_is_renamed(qtbot, window, dialog, library):
    """The engine checks the CatID typed: one not in the UCS list leaves its file with why; the
    beep, left out for having no UCS category, is renamed once it is given one."""
    dog, beep, folder = library["dog_bark.wav"], library["sine_beep.wav"], library["dog_bark.wav"].parent
    edit(qtbot, dialog, dog, CAT_ID_COLUMN, "GUNSMEH")
    assert rows(dialog)["dog_bark.wav"] == (NOT_RENAMED, "GUNSMEH is not a UCS CatID: choose one from the list")
    assert dialog.rows[str(dog)].text(CAT_ID_COLUMN) == "GUNSMEH"  # what was typed stays, to be corrected
    assert not dialog.rename_button.isEnabled()
    edit(qtbot, dialog, beep, CAT_ID_COLUMN, "BEEPTimer")
    assert rows(dialog)["sine_beep.wav"] == ("BEEPTimer_Sine Beep_JD_Kennel.wav", "your choice")
    assert dialog.rename_button.text() == "Rename 1 file"
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    assert (folder / "BEEPTimer_Sine Beep_JD_Kennel.wav").is_file() and dog.is_file()


def test_an_fx_name_typed_is_cleaned_as_the_engine_cleans_it_and_used(qtbot, window, dialog, library):
    dog, folder = library["dog_bark.wav"], library["dog_bark.wav"].parent
    edit(qtbot, dialog, dog, FX_COLUMN, "the big_dog: barks twice/loud!")
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Big Dog Barks Twice Loud_JD_Kennel.wav"
    assert dialog.rows[str(dog)].text(FX_COLUMN) == "Big Dog Barks Twice Loud"
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    assert (folder / "ANMLDog_Big Dog Barks Twice Loud_JD_Kennel.wav").is_file() and not dog.exists()


def test_files_whose_ucs_names_have_a_creator_id_are_renamed_without_one_typed(qtbot, window, tmp_path):
    """A CreatorID is asked only for names that have none: these keep their own, so a hammer swing
    named as a gun mechanism is corrected and renamed with the CreatorID field left empty; a file
    without one, once it is to be renamed too, waits for it, and the line beside Rename says which."""
    folder = tmp_path / "Shed"
    hammer = write_audio(folder / "GUNMech_Hammer Swing_MK_Shed.wav", tone(300, 0.4))
    door = write_audio(folder / "DOORWood_Creak_AB.wav", tone(500, 0.4))  # no SourceID yet
    saw = write_audio(folder / "saw.wav", tone(700, 0.4))  # no UCS category, no CreatorID
    index_folder(qtbot, window, folder)
    paths = [str(hammer), str(door), str(saw)]
    qtbot.waitUntil(lambda: all(window.model.row_of(path) >= 0 for path in paths))
    window.results.select_paths(paths, str(hammer))
    window.renames.rename_action.trigger()
    dialog = window.renames.dialog
    planned(qtbot, dialog)
    assert dialog.creator.text() == "" and rows(dialog)["DOORWood_Creak_AB.wav"][0] == "DOORWood_Creak_AB_Shed.wav"
    edit(qtbot, dialog, hammer, CAT_ID_COLUMN, "TOOLHand")
    assert rows(dialog)["GUNMech_Hammer Swing_MK_Shed.wav"][0] == "TOOLHand_Hammer Swing_MK_Shed.wav"
    assert dialog.rename_button.isEnabled() and dialog.creator_hint.text() == KEEP_CREATORS

    edit(qtbot, dialog, saw, CAT_ID_COLUMN, "TOOLPowr")  # a name that takes the CreatorID typed
    assert not dialog.rename_button.isEnabled() and "CreatorID for the 1 file" in dialog.creator_hint.text()
    dialog.creator.setText("JD")
    planned(qtbot, dialog)
    assert dialog.rename_button.isEnabled() and dialog.creator_hint.text().startswith("2 files keep the CreatorID")
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    assert listing(folder) == [
        "DOORWood_Creak_AB_Shed.wav",
        "TOOLHand_Hammer Swing_MK_Shed.wav",
        "TOOLPowr_Saw_JD_Shed.wav",
    ]


def test_the_catid_editor_opens_with_its_text_selected_so_typing_replaces_it(qtbot, dialog, library):
    """Double-click a CatID and type: what is typed replaces the CatID, as in the FX name's editor,
    and the list is searched for it ("sword" finds WEAPONS / SWORD), not "TOONImpt — …sword"."""
    table = dialog.table
    dialog.activateWindow()
    cell = table.visualRect(table.indexFromItem(dialog.rows[str(library["dog_bark.wav"])], CAT_ID_COLUMN))
    # a double-click's first press, then its second (QTest's double-click alone sends no press)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=cell.center())
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=cell.center())
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState, timeout=5_000)
    editor = table.viewport().findChild(QComboBox)
    line = editor.lineEdit()
    assert line.text().startswith("ANMLDog") and line.selectedText() == line.text()
    qtbot.keyClicks(line, "sword")
    assert line.text() == "sword"
    completer = editor.completer()
    assert completer.completionCount() >= 1
    assert completer.completionModel().index(0, 0).data().startswith("WEAPSwrd")
    qtbot.keyClick(line, Qt.Key_Escape)


def test_the_tags_panel_shows_the_selected_files_suggestions_again_after_a_rename_and_an_undo(qtbot, tagging_window):
    """A rename changes the selected file's path, which the tags panel takes for another file: it
    must load that file's suggestions again (they followed it), not say "No suggestions yet"."""
    window, folder = tagging_window
    dog = str(folder / "dog_bark.wav")
    window.client.engine.set_tags([dog], ["ANIMALS-DOG"])
    window.results.selectRow(window.model.row_of(dog))
    qtbot.waitUntil(lambda: window.tags.paths == [dog], timeout=10_000)
    box = window.tags.suggestions
    box.set_threshold(0.0)
    window.client.tagging.set_threshold(0.0)  # every file has some suggestions at 0
    box.suggest_button.click()
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    listed = [box.list.item(i).text() for i in range(box.list.count())]

    window.renames.rename_action.trigger()
    dialog = window.renames.dialog
    dialog.creator.setText("JD")
    planned(qtbot, dialog)
    with qtbot.waitSignal(window.client.tagging.renamed, timeout=ENGINE_TIMEOUT_MS):
        dialog.rename_button.click()
    settle(window.client.work_pool)
    assert window.tags.paths != [dog] and not Path(dog).exists()
    assert [box.list.item(i).text() for i in range(box.list.count())] == listed
    assert box.hint.text() != "No suggestions yet: Suggest"

    with qtbot.waitSignal(window.client.tagging.renamed_back, timeout=ENGINE_TIMEOUT_MS):
        window.renames.undo_action.trigger()
    settle(window.client.work_pool)
    assert window.tags.paths == [dog]
    assert [box.list.item(i).text() for i in range(box.list.count())] == listed


def test_a_catid_from_a_suggestion_not_accepted_says_how_sure_it_is():
    guessed = RenamePlan(
        1, "/lib/swing.wav", "/lib/TOONImpt_Swing_JD_Lib.wav", "TOONImpt", "suggestion", confidence=0.42
    )
    assert cat_id_from(guessed) == "from a suggestion at 42%"
    assert cat_id_from(replace(guessed, reason="tag", confidence=None)) == "from your tag"


def test_a_creator_id_written_otherwise_than_typed_is_said_under_the_field(qtbot, dialog):
    """Underscores and spaces cannot be in a UCS ID: the user sees what theirs becomes as they type,
    not only in the names, and the line empties once the ID is written as typed."""
    assert dialog.creator.text() == "JD" and dialog.creator_note.text() == ""
    dialog.creator.clear()
    qtbot.keyClicks(dialog.creator, "J_D x")
    assert dialog.creator_note.isVisible()
    assert dialog.creator_note.text().startswith("Written as JDx: a UCS ID holds no spaces, underscores")
    planned(qtbot, dialog)
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Dog Bark_JDx_Kennel.wav"
    dialog.creator.clear()
    qtbot.keyClicks(dialog.creator, "JD")
    assert dialog.creator_note.text() == ""
    dialog.creator.setText("__")  # nothing left of it: no ID, and Rename waits for one
    assert dialog.creator_note.text().startswith("Written as nothing:")
    planned(qtbot, dialog)
    assert rows(dialog)["dog_bark.wav"][0] == "ANMLDog_Dog Bark_CreatorID_Kennel.wav"
    assert not dialog.rename_button.isEnabled()
    assert dialog.source_note.text() == ""  # the SourceID the same way: "My Show_2024" is MyShow2024
    dialog.source.setText("My Show_2024")
    assert dialog.source_note.text().startswith("Written as MyShow2024:")
