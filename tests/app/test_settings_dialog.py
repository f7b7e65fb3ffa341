"""Settings -> Model in the real window: what it shows, and what OK does while the model loads and
while the library is closed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QProgressDialog

from app.settings_dialog import ONLY_CPU, SIZE, LibraryPage, ModelPage, PathButton, SettingsDialog
from engine.settings import Settings
from tests.app.conftest import ENGINE_TIMEOUT_MS, new_window

CLAP = "laion/clap-htsat-unfused"


def test_ok_while_the_first_model_loads_does_not_load_it_a_second_time(qtbot, earmark_home, tiny_checkpoint):
    window = new_window(qtbot, str(tiny_checkpoint))
    client, seen = window.client, []

    def ok_in_settings() -> None:  # the library is open and its model is about to load
        seen.append((client.model_info, client.model_failure))
        dialog = SettingsDialog(client, window.player, window)
        dialog.accept()
        dialog.deleteLater()

    client.opened.connect(ok_in_settings)
    qtbot.waitUntil(lambda: client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    client.switch_pool.waitForDone(30_000)
    assert seen == [(None, "")]  # still loading: neither loaded nor failed
    assert client.engine.status().switching is None  # no switch: the model loaded once
    assert window.findChild(QProgressDialog) is None


def test_settings_show_the_model_running_rather_than_the_saved_one(qtbot, window, tiny_checkpoint):
    assert Settings.load(window.client.paths.settings_file).model_spec == "builtin"  # the window runs --model
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(ModelPage)
    assert page.checkpoint.isChecked() and page.checkpoint_path.text() == str(tiny_checkpoint)
    assert not page.changed()
    page.device.addItem("Another device", "mps")  # this machine has only its CPU
    page.device.setCurrentIndex(page.device.count() - 1)
    chosen = page.apply(window.client.settings())
    assert (chosen.model_spec, chosen.device) == (str(tiny_checkpoint), "mps")  # the device alone changes


def test_a_model_chosen_while_the_library_is_closed_is_kept_for_its_next_opening(qtbot, earmark_home, tiny_checkpoint):
    window = new_window(qtbot, str(tiny_checkpoint))
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(ModelPage)
    assert any("The library is not open" in label.text() for label in page.findChildren(QLabel))
    page.clap.setChecked(True)
    page.clap_id.setText(CLAP)
    dialog.accept()
    assert Settings.load(window.client.paths.settings_file).model_spec == f"clap:{CLAP}"
    assert window.findChild(QProgressDialog) is None  # nothing loads, so nothing to wait for
    again = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(again)
    assert again.page(ModelPage).clap.isChecked() and again.page(ModelPage).clap_id.text() == CLAP
    qtbot.waitUntil(lambda: window.client.engine is not None, timeout=ENGINE_TIMEOUT_MS)


def test_the_dialog_opens_at_its_size_however_long_its_paths_are(qtbot, tmp_path, monkeypatch, tiny_checkpoint):
    """Earmark's home deep in a studio drive: the dialog still opens at the size it asks for, the
    Library page's paths elided in their middle (not widening every page) and whole in their tooltips."""
    home = tmp_path / "Studio Shared Drive (do not reorganise)" / "Application Support Folders" / "earmark-home"
    monkeypatch.setenv("EARMARK_HOME", str(home))
    window = new_window(qtbot, str(tiny_checkpoint))
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.size() == SIZE
    for row, page in enumerate(dialog.pages):
        dialog.page_list.setCurrentRow(row)
        assert page.minimumSizeHint().width() <= dialog.stack.width(), page.title  # shown whole, nothing cut
    buttons = dialog.page(LibraryPage).findChildren(PathButton)
    assert len(buttons) == 4
    for button in buttons:
        assert button.toolTip().startswith(button.text() + "\n") and str(home) in button.text()
        shown = button.shown_text()
        assert "…" in shown and shown.endswith(Path(button.text()).name)  # the folder's own name shows
    qtbot.waitUntil(lambda: window.client.engine is not None, timeout=ENGINE_TIMEOUT_MS)


def shown_words(page: ModelPage) -> list[str]:
    """What the page says without a tooltip: its labels, buttons, group titles and placeholders."""
    return (
        [label.text() for label in page.findChildren(QLabel)]
        + [button.text() for button in page.findChildren(QAbstractButton)]
        + [group.title() for group in page.findChildren(QGroupBox)]
        + [line.placeholderText() for line in page.findChildren(QLineEdit)]
    )


def test_the_model_page_says_what_each_model_means_for_a_sound_designer(qtbot, window):
    """It read "Cacophony checkpoint", "a Hugging Face model id", "re-embeds the library" and a
    placeholder of file names: the words of whoever wrote the engine. They are in the tooltips."""
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(ModelPage)
    shown = " ".join(shown_words(page)).lower()
    for jargon in ("cacophony", "checkpoint", "hugging face", "hub id", "re-embed", "vectors", "safetensors"):
        assert jargon not in shown, jargon
    assert page.checkpoint.text() == "A model you fine-tuned" and "search keeps working" in shown
    assert "Cacophony checkpoint" in page.checkpoint.toolTip() and "Hugging Face" in page.clap.toolTip()


def test_run_on_is_a_choice_only_when_there_is_one(qtbot, window, monkeypatch):
    """With the CPU alone, "Run the model on" was a combo of one item that did nothing: it is shown
    disabled, saying why; with a GPU it offers both."""
    monkeypatch.setattr(window.client, "compute_devices", lambda: [("cpu", "CPU")])
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(ModelPage)
    assert not page.device.isEnabled() and page.device.currentText() == "CPU"
    assert page.device.toolTip() == ONLY_CPU and ONLY_CPU in shown_words(page)

    monkeypatch.setattr(window.client, "compute_devices", lambda: [("cpu", "CPU"), ("cuda", "GPU: NVIDIA H100")])
    with_gpu = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(with_gpu)
    page = with_gpu.page(ModelPage)
    assert page.device.isEnabled() and page.device.count() == 2 and ONLY_CPU not in shown_words(page)
