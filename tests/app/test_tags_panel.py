"""Editing tags of many files at once keeps what only some of them carry; the panel's buttons stay
in view whatever its hint says."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QRect

from app.suggestions_box import PRECHECKED
from app.tags_panel import TagsPanel
from engine.tagging.unlisted import OTHER_MODEL, why_none
from tests.app.conftest import ENGINE_TIMEOUT_MS, settle
from tests.app.test_narrow_window import themed
from tests.app.test_suggestions_box import settle_layout


@dataclass(frozen=True)
class Row:
    path: str
    tags: list = field(default_factory=list)
    caption: str = ""


def test_panel_shows_shared_tags_and_emits_per_file_edits(qtbot):
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav", ["door", "wood"], "a door"), Row("/b.wav", ["door", "metal"], "a gate")])
    assert panel.tags.text() == "door"
    assert panel.caption.toPlainText() == ""  # differing captions are not shown as one
    assert not panel.apply_button.isEnabled()
    qtbot.keyClicks(panel.tags, ", creak")
    with qtbot.waitSignal(panel.tags_edited) as edit:
        panel.apply_button.click()
    assert edit.args[0] == {"/a.wav": ["door", "wood", "creak"], "/b.wav": ["door", "metal", "creak"]}


def test_caption_edit_applies_to_every_selected_file(qtbot):
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav"), Row("/b.wav")])
    panel.caption.setPlainText("rain on a tin roof")
    with qtbot.waitSignal(panel.caption_edited) as edit:
        panel.apply()
    assert edit.args == [["/a.wav", "/b.wav"], "rain on a tin roof"]


def test_a_refresh_of_the_same_files_keeps_an_edit_and_revert_drops_it(qtbot):
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav", ["door"])])
    qtbot.keyClicks(panel.tags, ", creak")
    panel.show_hits([Row("/a.wav", ["door"])])  # the search re-ran while indexing
    assert panel.tags.text() == "door, creak" and panel.apply_button.isEnabled()
    panel.revert_button.click()
    assert panel.tags.text() == "door" and not panel.apply_button.isEnabled()
    qtbot.keyClicks(panel.tags, ", creak")
    panel.show_hits([Row("/b.wav", ["rain"])])  # another file: its own tags
    assert panel.tags.text() == "rain"


def test_with_nothing_selected_the_fields_and_buttons_are_disabled(qtbot):
    panel = TagsPanel()
    qtbot.addWidget(panel)
    widgets = (panel.tags, panel.caption, panel.apply_button, panel.revert_button)
    assert panel.subject.text() == "Nothing selected"
    assert not any(w.isEnabled() for w in widgets)  # at start, before any selection
    panel.show_hits([Row("/a.wav", ["door"])])
    assert panel.tags.isEnabled() and panel.caption.isEnabled()
    qtbot.keyClicks(panel.tags, ", creak")
    assert panel.apply_button.isEnabled() and panel.revert_button.isEnabled()
    panel.show_hits([])  # the selection cleared, with an edit in progress
    assert panel.subject.text() == "Nothing selected" and panel.tags.text() == ""
    assert not any(w.isEnabled() for w in widgets)
    panel.show_hits([Row("/b.wav", ["rain"])])
    assert panel.tags.isEnabled() and panel.caption.isEnabled() and not panel.apply_button.isEnabled()


def test_a_hint_on_two_lines_leaves_revert_and_apply_in_view(qtbot, window, library):
    """Review: while the suggestions' hint read on two lines, the tags panel's Revert and Apply were
    cut at its bottom in the default window: the panel's least height grew, and the splitters
    above its scroll area read it only at the window's next resize. They give it the room at once,
    in the default window and in a small one, and the panel does not scroll."""
    themed(window)  # the theme's font and padding decide where the hint wraps
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    window.results.selectRow(0)
    settle(window.client.work_pool)  # the selection's own answer is in: this sound is not tagged yet
    scroll, hint = window.bottom_split.widget(1), window.tags.suggestions.hint
    wrapped = why_none({OTHER_MODEL: 1}, 0, PRECHECKED)  # "This sound was tagged with another model, …"
    for size in ((1440, 880), (1280, 720)):
        window.resize(*size)
        for said in ("", wrapped, "", wrapped):  # "": suggestions listed, none hidden
            window.tags.show_suggestions({}, said)  # as the engine's answer for the selection shows
            settle_layout()
            if said:
                assert hint.heightForWidth(hint.width()) >= 2 * hint.fontMetrics().lineSpacing()
            for button in (window.tags.revert_button, window.tags.apply_button):
                where = QRect(button.mapTo(scroll.viewport(), QPoint(0, 0)), button.size())
                assert scroll.viewport().rect().contains(where), (size, said, where, scroll.viewport().height())
            assert scroll.verticalScrollBar().maximum() == 0
