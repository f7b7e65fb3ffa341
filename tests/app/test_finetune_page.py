"""Settings -> Fine-tune, in the real window: the real trainer process on a named library, its
progress on the page and in the status bar, the swap in the background, and the way back."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.finetune_page import FinetunePage
from app.settings_dialog import SettingsDialog
from tests.app.conftest import index_folder
from tests.engine.finetune.conftest import FAST
from tests.finetune_library import write_named_library

FINETUNE_TIMEOUT_MS = 600_000  # a fresh Python with torch, the run, then re-embedding, on a busy 2-core machine


@pytest.mark.slow
def test_finetune_from_settings_shows_progress_and_swaps_in_the_background(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # see tests/engine/finetune/conftest.py
    index_folder(qtbot, window, write_named_library(tmp_path / "Library", files_per_folder=4))
    start_model = window.client.engine.model_spec
    start_name = window.client.model_info.name
    window.client.finetune.overrides = ["steps=30", *FAST]  # a few seconds of the tiny model
    re_embedded = []
    window.client.switch_progress.connect(lambda done, total: re_embedded.append((done, total)))

    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    page = dialog.page(FinetunePage)
    dialog.page_list.setCurrentRow(dialog.pages.index(page))
    dialog.show()
    page.minutes.setValue(5)
    page.device.setCurrentIndex(page.device.findData("cpu"))
    qtbot.mouseClick(page.start_button, Qt.LeftButton)

    qtbot.waitUntil(lambda: page.progress.isVisible() and page.progress.value() > 0, timeout=FINETUNE_TIMEOUT_MS)
    assert "step" in page.state.text() and not page.start_button.isEnabled() and page.cancel_button.isEnabled()
    assert "Plan:" in page.plan.text() and "Held-out folders before" in page.validation.text()
    assert window.finetune_label.text().startswith("Fine-tuning")

    # Done and better: the swap starts by itself and re-embeds in the background.
    qtbot.waitUntil(lambda: window.client.model_info is not None and window.client.model_info.name != start_name,
                    timeout=FINETUNE_TIMEOUT_MS)
    assert window.client.model_info.name.startswith("library_fine_tune")
    assert re_embedded and re_embedded[-1][0] == re_embedded[-1][1]
    page.finetune.poll()
    qtbot.waitUntil(lambda: page.rollback_button.isVisible(), timeout=30_000)
    assert "before" in page.result.text() and "after" in page.result.text()
    assert page.start_button.isEnabled() and window.finetune_label.text() == ""

    # The model it started from is one click away.
    qtbot.mouseClick(page.rollback_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.client.model_info is not None and window.client.model_info.name == start_name,
                    timeout=FINETUNE_TIMEOUT_MS)
    assert window.client.engine.model_spec == start_model
    dialog.reject()
