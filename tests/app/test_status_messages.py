"""What the status bar says on the real window when the desktop around it fails: an audio output
that cannot play is said once, not at each sound selected; a folder no file manager opened is named;
a fine-tune's end is said in a few words that leave the results line whole, until it has been read."""

from __future__ import annotations

import sys

import pytest

from app.finetune_page import FinetunePage
from app.player import NO_OUTPUT
from app.settings_dialog import SettingsDialog
from engine.finetune.job import FAILED, PREPARING, BudgetTooShort
from tests.app.conftest import ENGINE_TIMEOUT_MS, settle
from tests.app.test_main_window import type_query
from tests.app.test_player import no_output  # noqa: F401 - a fixture

# What the trainer raised after 35 s of a 1-minute fine-tune on the review's machine.
TOO_SHORT = BudgetTooShort(
    "1.0 minutes is too short on this machine: preparing took 35 s, a training step takes 1.4 s and evaluating "
    "20 s; choose at least 2 minutes",
    2,
    "preparing took 35 s, a training step takes 1.4 s and evaluating 20 s",
)


def said(window, messages: list[str]) -> None:
    window.statusBar().messageChanged.connect(lambda text: text and messages.append(text))


def test_an_output_that_cannot_play_is_said_once_not_at_each_selection(qtbot, window, library, no_output):  # noqa: F811
    window.preview.autoplay_button.setChecked(True)
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    messages: list[str] = []
    said(window, messages)
    for row in (0, 1, 2, 3, 0):  # a sound designer arrowing through the results
        window.results.selectRow(row)
        assert window.preview.path == str(window.model.hit(row).path)
        window.statusBar().clearMessage()  # as the message's ten seconds do: it does not come back
    assert messages == [f"Cannot play: {NO_OUTPUT}"]
    window.preview.toggle_playback()  # Space: asked for, so said again
    assert len(messages) == 2 and messages[-1] == messages[0]


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="Finder and Explorer are always there")
def test_show_in_folder_says_so_naming_the_folder_when_no_file_manager_opens_it(qtbot, window, library):
    # the offscreen platform has no file manager to hand a folder to: openUrl answers False, as on a
    # desktop with no default application for folders
    beep = library["sine_beep.wav"]
    qtbot.waitUntil(lambda: window.model.row_of(str(beep)) >= 0, timeout=ENGINE_TIMEOUT_MS)
    window.results.select_paths([str(beep)], str(beep))
    window.statusBar().clearMessage()
    window.reveal_action.trigger()
    assert window.statusBar().currentMessage() == f"Could not open {beep.parent} in a file manager"


def test_a_fine_tune_budget_too_short_is_said_briefly_beside_a_whole_results_line_until_read(qtbot, window, library):
    """The trainer's 150-character sentence, a permanent label, squeezed the results line to
    "20 results f…" at 1280x720 and stayed there until another run was started."""
    window.resize(1280, 720)
    type_query(qtbot, window, "door")
    job = window.client.engine.finetuner.job  # the job folder the trainer writes, as it left it
    job.event(PREPARING, "No GPU found")
    job.failed(TOO_SHORT)
    window.client.finetune.poll()
    qtbot.waitUntil(lambda: window.client.finetune.status.state == FAILED, timeout=ENGINE_TIMEOUT_MS)
    label, results = window.finetune_label, window.result_label
    assert label.text() == "Fine-tune: time budget too short"
    qtbot.waitUntil(lambda: label.shown_text() == label.text(), timeout=5_000)  # whole once the bar laid it out
    assert "needs at least 2 minutes on this machine: preparing took 35 s" in label.toolTip()
    assert "failed" not in label.toolTip()
    assert results.shown_text() == results.text()  # whole, not elided

    dialog = SettingsDialog(window.client, window.player, window)  # where the user reads it in full
    qtbot.addWidget(dialog)
    page = dialog.page(FinetunePage)
    dialog.show()
    assert label.text() == "Fine-tune: time budget too short"  # Settings open on another page: not read yet
    dialog.page_list.setCurrentRow(dialog.pages.index(page))
    assert label.text() == "" and label.toolTip() == ""
    dialog.reject()
    window.client.finetune.poll()  # looked at again: still the same failure, still read
    settle(window.client.work_pool)
    assert label.text() == ""
