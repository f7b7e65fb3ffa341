"""What the status bar says on the real window when the desktop around it fails: an audio output
that cannot play is said once, not at each sound selected; a folder no file manager opened is named."""

from __future__ import annotations

import sys

import pytest

from app.player import NO_OUTPUT
from tests.app.conftest import ENGINE_TIMEOUT_MS
from tests.app.test_player import no_output  # noqa: F401 - a fixture


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
