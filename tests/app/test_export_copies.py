"""The window's "Export tagged copies…": from a library folder's right-click menu or the selected
results, to the folder the OS dialog gives (its static call patched: the dialog is another process's
window on some systems), written off the UI thread by the engine and said in the status bar."""

from __future__ import annotations

import mutagen
from PySide6.QtWidgets import QFileDialog

from engine.audio.metadata import read_metadata
from tests.app.conftest import ENGINE_TIMEOUT_MS
from tests.engine.library.helpers import checksums


def choose_folder(monkeypatch, folder) -> list[str]:
    """The OS folder dialog answering ``folder``; returns the titles it was opened with."""
    asked = []

    def answer(parent, title, *args, **kwargs) -> str:
        asked.append(title)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", answer)
    return asked


def menu_action(menu, text: str):
    return next(action for action in menu.actions() if action.text() == text)


def test_a_folders_menu_exports_its_tagged_sounds_and_the_status_bar_says_how_it_went(
    qtbot, window, library, tmp_path, monkeypatch
):
    folder = library["dog_bark.wav"].parent
    engine = window.client.engine
    engine.set_tags([library["dog_bark.wav"]], ["ANIMALS-DOG", "bark"])
    engine.set_caption(library["rain_on_glass.flac"], "rain patters on a window")
    before = checksums(folder)
    qtbot.waitUntil(lambda: window.library.item_for(str(folder)) is not None, timeout=ENGINE_TIMEOUT_MS)
    row = window.library.item_for(str(folder))

    choose_folder(monkeypatch, folder / "Exports")  # inside the library: refused, said why
    menu_action(window.library.folder_menu(row), "Export tagged copies…").trigger()
    qtbot.waitUntil(lambda: "inside the library" in window.statusBar().currentMessage(), timeout=ENGINE_TIMEOUT_MS)
    assert not (folder / "Exports").exists()

    out = tmp_path / "Handoff"
    out.mkdir()
    asked = choose_folder(monkeypatch, out)
    with qtbot.waitSignal(window.exports.finished, timeout=ENGINE_TIMEOUT_MS) as done:
        menu_action(window.library.folder_menu(row), "Export tagged copies…").trigger()
    assert asked == ["Export tagged copies to"] and len(done.args[0].written) == 2
    assert window.statusBar().currentMessage() == (
        f"2 tagged copies written to {out}; 2 files without tags or a caption left out"
    )
    copies = out / folder.name
    assert "KEYWORDS=ANIMALS-DOG, bark" in read_metadata(copies / "dog_bark.wav").fields["ixml.user"]
    assert mutagen.File(copies / "rain_on_glass.flac")["DESCRIPTION"] == ["rain patters on a window"]
    assert checksums(folder) == before and window.exports.problems_box is None

    with qtbot.waitSignal(window.exports.finished, timeout=ENGINE_TIMEOUT_MS):  # again: nothing is overwritten
        menu_action(window.library.folder_menu(row), "Export tagged copies…").trigger()
    box = window.exports.problems_box
    assert box is not None and box.isVisible() and "2 files skipped" in box.text()
    assert str(library["dog_bark.wav"]) in box.detailedText() and "already exists" in box.detailedText()


def test_the_selected_results_are_exported_from_their_menu(qtbot, window, library, tmp_path, monkeypatch):
    window.client.engine.set_tags([library["sine_beep.wav"]], ["beep"])
    window.run_query("beep")
    qtbot.waitUntil(lambda: window.model.rowCount() > 0, timeout=ENGINE_TIMEOUT_MS)
    beep = window.model.row_of(str(library["sine_beep.wav"]))
    window.results.selectRow(beep)
    choose_folder(monkeypatch, tmp_path)
    action = menu_action(window.results_menu(), "Export tagged copies…")
    assert action.isEnabled()
    with qtbot.waitSignal(window.exports.finished, timeout=ENGINE_TIMEOUT_MS):
        action.trigger()
    assert window.statusBar().currentMessage() == f"Wrote {tmp_path / 'sine_beep.wav'} with 1 tag from sine_beep.wav"
    assert "KEYWORDS=beep" in read_metadata(tmp_path / "sine_beep.wav").fields["ixml.user"]
