"""Review 18, L9: with 500 sounds selected, a suggestion's line read its most confident file's
confidence, "VOICES-MISC 99% · 125 of 500", sure of all 125 where it was so of one. A line for
several sounds says the middle of their confidences, and from the least to the most sure; one
sound's line reads as before. The real tags panel offscreen, in the app's theme."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QListWidget, QStyle, QStyleOptionViewItem

from app.suggestions_box import confidences_said
from app.tags_panel import TagsPanel
from app.theme import resource_dir
from engine.tagging.service import FileSuggestions
from tests.app.test_suggestions_box import Row, lines, settle_layout, suggestion, texts_of

SELECTED = 500


def panel_for(qtbot, confidences: dict[str, list[float]], selected: int = SELECTED) -> TagsPanel:
    """The tags panel for ``selected`` sounds, suggestion ``key`` shown for the first of them at
    each of ``confidences[key]`` in turn ({key: [its confidence for sound 0, sound 1, …]})."""
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.setStyleSheet((resource_dir() / "theme" / "dark.qss").read_text(encoding="utf-8").replace("@THEME_DIR@", ""))
    rows = [Row(f"/library/Game/sound_{i:03}.ogg") for i in range(selected)]
    panel.show_hits(rows)
    found = {}
    for i, row in enumerate(rows):
        tags = [suggestion(i, key, shares[i]) for key, shares in confidences.items() if i < len(shares)]
        found[row.path] = FileSuggestions(row.path, sorted(tags, key=lambda s: -s.confidence), None, 9)
    panel.show_suggestions(found)
    return panel


def spread_over(count: int, least: float, most: float) -> list[float]:
    """``count`` confidences evenly from ``most`` down to ``least``."""
    return [most - (most - least) * i / (count - 1) for i in range(count)]


def test_a_suggestion_for_many_sounds_reads_its_middle_and_its_least_and_most_sure(qtbot):
    """The review's selection: VOICES-MISC for 125 sounds, at 99 % for one of them and 31 % for
    another; USER INTERFACE-CLICK for 14, mostly weak; one file's CARTOON-POP; GAMES-MISC at 90 %
    for all 8 of its sounds."""
    panel = panel_for(
        qtbot,
        {
            "voices": spread_over(125, 0.31, 0.99),  # the middle one: 65 %
            "click": [0.99, 0.40, *[0.32] * 12],
            "pop": [0.98],
            "games": [0.9] * 8,
        },
    )
    assert lines(panel) == [
        ("VOICES-SUB  65% (31–99)  · 125 of 500", True),
        ("CLICK-SUB  32% (32–99)  · 14 of 500", False),  # under 10 % of the selection: not checked (as before)
        ("POP-SUB  98%  · 1 of 500: sound_000.ogg", False),
        ("GAMES-SUB  90%  · 8 of 500", False),
    ]
    tip = panel.suggestions.list.item(0).toolTip()
    assert "For half of these 125 sounds it is 65% sure or more: 31% the least, 99% the most" in tip
    assert "For half" not in panel.suggestions.list.item(2).toolTip()  # one sound: its one number

    panel.resize(378, 600)  # the panel's width in a 1400 px window: each line reads whole
    panel.show()
    settle_layout()
    assert all(drawn_whole(panel.suggestions.list, row) for row in range(panel.suggestions.list.count()))


def drawn_whole(listed: QListWidget, row: int) -> bool:
    """Whether ``row``'s text is drawn whole, not cut on the right, in the room its style gives it."""
    index = listed.indexFromItem(listed.item(row))
    option = QStyleOptionViewItem()
    listed.initViewItemOption(option)
    option.rect = listed.visualRect(index)
    listed.itemDelegateForIndex(index).initStyleOption(option, index)
    room = listed.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, listed)
    inside = option.rect.right() <= listed.viewport().rect().right()
    return inside and option.fontMetrics.horizontalAdvance(option.text) <= room.width()


def test_one_sounds_suggestions_read_as_they_did(qtbot):
    panel = panel_for(qtbot, {"trains": [0.65], "fire": [0.24]}, selected=1)
    assert lines(panel) == [("TRAINS-SUB  65%", True), ("FIRE-SUB  24%", False)]


def test_best_of_each_and_a_model_never_measured_say_the_spread_too(qtbot):
    """Narrowed to the sounds it is the best of, a line says their spread; from a model never
    measured, its middle is marked as the line's one number was ("~")."""
    panel = panel_for(qtbot, {"rain": [0.9, 0.7, 0.5, 0.2], "wind": [0.6, 0.8, 0.4]}, selected=4)
    panel.suggestions.best_button.click()
    assert sorted(texts_of(panel)) == [
        "RAIN-SUB  20%  · best for 1 of 4: sound_003.ogg",  # under 30 %: a line of its own
        "RAIN-SUB  70% (50–90)  · best for 2 of 4",  # of its sure line's three sounds, the best of two
        "WIND-SUB  80%  · best for 1 of 4: sound_001.ogg",
    ]
    found = {path: replace(item, measured=False) for path, item in panel.suggestions._found.items()}
    panel.show_suggestions(found)
    assert texts_of(panel)[0] == "RAIN-SUB  ~60% (20–90)  · 4 of 4"


def test_a_lines_numbers_are_its_sounds_middle_least_and_most():
    def shown(*confidences: float) -> list:
        return [(f"/s{i}.wav", suggestion(i, "k", c)) for i, c in enumerate(confidences)]

    assert confidences_said(shown(0.4, 0.9), measured=True) == "65% (40–90)"  # two: halfway
    assert confidences_said(shown(0.501, 0.499, 0.5), measured=True) == "50%"  # read alike: one number
    assert confidences_said(shown(1.0, 0.3, 0.5), measured=True) == "50% (30–99)"  # a guess is never "100%"
    certain = [(path, replace(s, evidence="catid")) for path, s in shown(1.0, 1.0)]
    assert confidences_said(certain + shown(0.8), measured=False) == "~99% (80–100)"  # a CatID in two names
