"""Suggestions of a model whose confidences were never measured (a fine-tune: no calibration
entry, default weights) are not shown as chances. After a fine-tune, FIRE-SIZZLE read 96 % where
the measured builtin said 24 %, and a wrong TRAINS-HIGH SPEED 65 % (19 %): over the 30 % that
checks a line, so Accept as the lines came would have added it. The real tags panel offscreen."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from engine.tagging.calibration import UNMEASURED
from tests.app.test_suggestions_box import checks, lines, panel_with, suggestion


def unmeasured(panel):
    """The panel's suggestions again, as a model never measured made them."""
    found = {path: replace(item, measured=False) for path, item in panel.suggestions._found.items()}
    panel.show_suggestions(found)
    return panel


def test_a_model_never_measured_is_said_above_the_list_its_confidences_marked_and_none_checked(qtbot):
    panel = panel_with(qtbot, {"trains": (1, 0.65), "fire": (1, 0.24)}, selected=1)
    box = panel.suggestions
    panel.show()
    assert box.unmeasured.isHidden() and lines(panel) == [
        ("TRAINS-SUB  65%", True),
        ("FIRE-SUB  24%", False),
    ]  # measured

    unmeasured(panel)
    assert box.unmeasured.isVisible() and box.unmeasured.text() == UNMEASURED
    assert box.unmeasured.geometry().bottom() < box.list.geometry().top()  # above the list
    assert lines(panel) == [("TRAINS-SUB  ~65%", False), ("FIRE-SUB  ~24%", False)]  # an order, not chances
    assert "never measured: not checked" in box.list.item(0).toolTip()
    assert not box.accept_button.isEnabled()  # nothing checked, nothing accepted by default

    box.list.item(0).setCheckState(Qt.Checked)  # the user's own choice still goes
    with qtbot.waitSignal(panel.accept_requested) as accepted:
        box.accept_button.click()
    assert list(accepted.args[1]) == ["trains"]


def test_a_model_never_measured_splits_no_line_at_30_percent_and_best_of_each_goes_by_order(qtbot):
    """Unmeasured, "under 30 %" means nothing: a term is one line, and Best of each, asked, checks
    each sound's top guess (the order is what these numbers tell), its files said with "~"."""
    panel = unmeasured(panel_with(qtbot, {"splash": (3, 0.2), "scream": (2, 0.9)}, selected=4))
    box = panel.suggestions
    assert [text for text, _ in lines(panel)] == ["SCREAM-SUB  ~90%  · 2 of 4", "SPLASH-SUB  ~20%  · 3 of 4"]
    assert checks(panel) == {"scream": False, "splash": False}
    box.best_button.click()
    assert lines(panel) == [
        ("SCREAM-SUB  ~90%  · best for 2 of 4", True),
        ("SPLASH-SUB  ~20%  · best for 1 of 4: sound_002.ogg", True),
    ]
    assert "sound_000.ogg ~90%" in box.list.item(0).toolTip()


def test_a_catid_in_the_name_reads_certain_whatever_the_model(qtbot):
    panel = panel_with(qtbot, {}, selected=1)
    path = panel.paths[0]
    exact = replace(suggestion(0, "rain", 1.0), evidence="catid")
    panel.show_suggestions({path: replace(panel.suggestions._found[path], tags=[exact], measured=False)})
    assert lines(panel) == [("RAIN-SUB  100%", False)]
