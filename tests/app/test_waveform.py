"""The waveform widget's drawing maths and its mouse grammar, driven by real mouse events."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip

from app.waveform import (
    RULER_HEIGHT,
    WaveformView,
    column_envelope,
    display_gain,
    format_time,
    level_said,
    ruler_labels,
    ruler_step,
)
from engine.audio.peaks import compute_peaks
from tests.app.test_preview_panel import _panel
from tests.factories import tone, write_audio


def test_column_envelope_keeps_extremes_when_shrinking_and_repeats_when_stretching():
    values = np.array([0.1, 0.9, -0.5, 0.2, 0.3, -0.8], np.float32)
    assert column_envelope(values, 2, np.maximum).tolist() == [np.float32(0.9), np.float32(0.3)]
    assert column_envelope(values, 2, np.minimum).tolist() == [np.float32(-0.5), np.float32(-0.8)]
    stretched = column_envelope(values[:2], 4, np.maximum)
    assert len(stretched) == 4 and set(stretched.tolist()) == {np.float32(0.1), np.float32(0.9)}


def test_time_formatting_and_ruler_spacing():
    assert format_time(3.25) == "0:03.2"
    assert format_time(0.032) == "0:00.032"  # a 32 ms blip is not shown as empty
    assert format_time(0.0) == "0:00.0"
    assert format_time(0.0999) == "0:00.1"  # what rounds to a tenth keeps the column's tenths
    assert (format_time(59.97), format_time(119.96), format_time(3599.97)) == ("1:00.0", "2:00.0", "1:00:00.0")
    assert format_time(59.9996, precise=True) == "1:00.000"  # rounded before minutes are split off
    assert format_time(61.5, precise=True) == "1:01.500"
    assert format_time(3725) == "1:02:05.0"
    assert ruler_step(10.0, 700) == 1  # 70 px per second
    assert ruler_step(3600.0, 700) == 600


def _view(qtbot, tmp_path, seconds=4.0):
    path = write_audio(tmp_path / "w.wav", np.stack([tone(440, seconds), tone(660, seconds) * 0.5], 1))
    view = WaveformView()
    view.resize(800, 200)
    qtbot.addWidget(view)
    view.set_peaks(compute_peaks(path, 1000))
    view.show()
    return view


def test_peaks_are_per_channel_and_drawn(qtbot, tmp_path):
    view = _view(qtbot, tmp_path)
    assert view.duration_s == 4.0
    image = view.grab().toImage()
    lane_middle = RULER_HEIGHT + (200 - RULER_HEIGHT) // 4
    assert image.pixelColor(400, lane_middle) != image.pixelColor(400, RULER_HEIGHT + 2)  # signal drawn, not blank


def test_a_quiet_file_is_drawn_magnified_and_says_so(qtbot, tmp_path):
    assert display_gain(0.5) == 1.0 and display_gain(0.0) == 1.0  # loud as it is; silence stays flat
    assert display_gain(0.01) == pytest.approx(90.0) and display_gain(1e-6) == 1000.0
    loud = write_audio(tmp_path / "loud.wav", tone(440, 1.0) * 0.8)
    quiet = write_audio(tmp_path / "quiet.wav", tone(440, 1.0) * 0.01)
    view = WaveformView()
    view.resize(800, 200)
    qtbot.addWidget(view)
    view.show()
    # a row halfway between the lane's middle and its top: inside a 0.8 peak, above a 0.01 one
    row = RULER_HEIGHT + (200 - RULER_HEIGHT) // 4
    drawn = {}
    for name, path in (("loud", loud), ("quiet", quiet)):
        view.set_peaks(compute_peaks(path, 1000))
        drawn[name] = (view.display_gain, view.grab().toImage().pixelColor(400, row))
    background = view.grab().toImage().pixelColor(400, 199)
    assert drawn["loud"][0] == 1.0 and drawn["quiet"][0] > 50
    assert drawn["quiet"][1] != background  # magnified into that row, not a flat line


def test_every_file_says_its_peak_level_and_a_quiet_one_its_magnification(qtbot, tmp_path):
    """Only quiet files said their level: a loud file's headroom took an editor to read."""
    view = WaveformView()
    qtbot.addWidget(view)
    for amplitude, said in ((0.8, "peak -1.9 dBFS"), (0.01, "shown ×90 · peak -40 dBFS")):
        view.set_peaks(compute_peaks(write_audio(tmp_path / f"{amplitude}.wav", tone(440, 1.0, amp=amplitude)), 1000))
        assert view.level == said
    assert level_said(1.05) == "peak +0.4 dBFS · over full scale"  # a float file's overs
    assert level_said(0.0) == ""  # digital silence has no level to say
    assert level_said(0.99999) == "peak 0.0 dBFS"  # not "-0.0"


def test_a_lossy_files_decoded_overshoot_is_not_said_to_be_over_full_scale(qtbot, tmp_path):
    """Review 12, L3: an OGG whose decoded samples peak past 1.0 said "over full scale", which reads
    as a clipped file; a lossy codec overshoots near 0 dBFS with no sample clipped in the file. A
    float WAV holding overs still says "over full scale"."""
    full_scale = np.sign(np.sin(2 * np.pi * 440 * np.arange(16_000) / 16_000)).astype(np.float32)
    ogg = write_audio(tmp_path / "laser.ogg", full_scale)  # Vorbis decodes a full-scale square past 1.0
    wav = write_audio(tmp_path / "hot.wav", full_scale * 1.2, subtype="FLOAT")
    panel = _panel(qtbot, tmp_path)  # the preview hands the waveform its file
    panel.show_file(str(ogg), "OGG · 16 kHz")
    waveform = panel.waveform
    qtbot.waitUntil(lambda: waveform.duration_s > 0, timeout=5_000)
    assert waveform.level.startswith("peak +") and waveform.level.endswith("· decoder overshoot"), waveform.level
    spot = waveform.level_rect().center().toPoint()
    QCoreApplication.sendEvent(waveform, QHelpEvent(QEvent.ToolTip, spot, waveform.mapToGlobal(spot)))
    assert "not samples stored clipped" in QToolTip.text()  # what the label means, over it
    QToolTip.hideText()
    waveform.set_peaks(compute_peaks(wav, 1000))
    assert waveform.level == "peak +1.6 dBFS · over full scale"
    assert level_said(1.07, lossy=True) == "peak +0.6 dBFS · decoder overshoot"


def test_the_level_is_read_on_a_plate_over_a_loud_files_wave(qtbot, tmp_path):
    """Review 14, M7: "peak +0.7 dBFS · decoder overshoot" drawn straight over a loud file's wave
    could not be read; beside its letters is the background's colour, not the wave's."""
    square = np.sign(np.sin(2 * np.pi * 440 * np.arange(16_000) / 16_000)) * 0.99
    view = WaveformView()
    view.resize(800, 200)
    qtbot.addWidget(view)
    view.show()
    view.set_peaks(compute_peaks(write_audio(tmp_path / "loud.wav", square.astype(np.float32)), 1000))
    rect = view.level_rect()
    image = view.grab().toImage()
    beside_text = image.pixelColor(int(rect.left()) - 2, int(rect.center().y()))
    under_wave = image.pixelColor(int(rect.left()) - 40, int(rect.center().y()))
    assert under_wave.green() > 150  # the wave fills the lane there
    assert beside_text.green() < 60, beside_text.name()  # the plate, dark as the background


def test_click_seeks_drag_scrubs(qtbot, tmp_path):
    view = _view(qtbot, tmp_path)
    seeks = []
    view.seek_requested.connect(seeks.append)
    qtbot.mousePress(view, Qt.LeftButton, pos=QPoint(200, 100))
    qtbot.mouseMove(view, QPoint(300, 100))
    qtbot.mouseMove(view, QPoint(400, 100))
    qtbot.mouseRelease(view, Qt.LeftButton, pos=QPoint(400, 100))
    assert np.allclose(seeks, [1.0, 1.5, 2.0])
    assert view.selection is None


def test_shift_drag_selects_and_dragging_the_selection_asks_for_a_region(qtbot, tmp_path):
    view = _view(qtbot, tmp_path)
    selections, regions = [], []
    view.selection_changed.connect(selections.append)
    view.region_drag_requested.connect(lambda a, b: regions.append((a, b)))
    qtbot.mousePress(view, Qt.LeftButton, Qt.ShiftModifier, QPoint(600, 100))
    qtbot.mouseMove(view, QPoint(200, 100))
    qtbot.mouseRelease(view, Qt.LeftButton, Qt.ShiftModifier, QPoint(200, 100))
    assert np.allclose(selections[-1], (1.0, 3.0))
    qtbot.mousePress(view, Qt.LeftButton, pos=QPoint(400, 100))
    qtbot.mouseMove(view, QPoint(430, 120))
    assert np.allclose(regions, [(1.0, 3.0)])
    qtbot.mouseRelease(view, Qt.LeftButton, pos=QPoint(430, 120))


def test_a_click_in_the_ruler_clears_the_selection(qtbot, tmp_path):
    view = _view(qtbot, tmp_path)
    view.set_selection((1.0, 2.0))
    qtbot.mouseClick(view, Qt.LeftButton, pos=QPoint(100, 5))
    assert view.selection is None


def _ruler_ink_columns(view: WaveformView) -> list[int]:
    """The columns of the ruler where a label's text is drawn: the rows above its ticks."""
    image = view.grab().toImage()
    lane = image.pixelColor(view.width() // 2, 1)
    return [
        x
        for x in range(view.width())
        if any(image.pixelColor(x, y) != lane for y in range(RULER_HEIGHT - 5))
        and not abs(x - view._x_of(view._position)) <= 6  # the playhead's triangle
    ]


@pytest.mark.parametrize("width", [645, 660, 700])  # 0.5 s ticks, the last near the edge
def test_the_rulers_last_label_is_drawn_whole_inside_the_right_edge(qtbot, tmp_path, width):
    """A 4.58 s file's ruler read "4." at its right edge: its 4.5 s label ran past it."""
    view = _view(qtbot, tmp_path, seconds=4.58)
    view.resize(width, 200)
    ticks = ruler_labels(view.duration_s, width, lambda label: 7.0 * len(label))
    assert ticks[-1][2] == "4.5s" and ticks[-1][1] is not None
    assert ticks[-1][1] + 7.0 * len("4.5s") <= width - 3  # ends inside, before the edge
    ink = _ruler_ink_columns(view)
    assert ink and max(ink) < width - 2  # nothing cut at the edge
    assert max(ink) > width - 30  # the last label is there, not dropped


def test_a_ruler_label_with_no_room_whole_goes_unsaid_and_no_two_labels_overlap():
    ticks = ruler_labels(4.58, 700, lambda label: 60.0)  # labels nearly as wide as their ticks are apart (76 px)
    shown = [(start, label) for _x, start, label in ticks if start is not None]
    assert len(ticks) == 10 and ticks[-1][1] is None  # its tick stays; its label would run into 4s
    assert [label for _, label in shown] == [f"{k * 0.5:g}s" for k in range(9)]
    assert all(a + 60.0 < b for (a, _), (b, _) in zip(shown, shown[1:], strict=False))
    assert all(0 <= start and start + 60.0 <= 700 for start, _ in shown)
    assert ruler_labels(4.58, 20, lambda label: 30.0)[0][1] is None  # "0s" wider than the widget
