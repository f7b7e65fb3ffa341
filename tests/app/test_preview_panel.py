"""The preview panel end to end: real peaks on a worker, real playback, a real drag of a region."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import soundfile as sf
from PySide6.QtCore import QPoint, Qt, QThreadPool

from app.player import Player
from app.preview_panel import PreviewPanel
from tests.factories import noise, write_audio


def _panel(qtbot, tmp_path) -> PreviewPanel:
    pool = QThreadPool()
    panel = PreviewPanel(Player(), pool, tmp_path / "cache" / "peaks", tmp_path / "cache" / "regions")
    panel.resize(1000, 260)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_show_file_draws_peaks_from_a_worker_and_caches_them(qtbot, tmp_path):
    source = write_audio(tmp_path / "lib" / "rain.wav", noise(2.0, 48_000), 48_000, subtype="PCM_24")
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source), "WAV 24-bit", match=(0.5, 1.0))
    qtbot.waitUntil(lambda: panel.waveform.duration_s > 0, timeout=5000)
    assert panel.waveform.match_window == (0.5, 1.0)
    assert np.isclose(panel.player.position_s, 0.5)  # the playhead waits at the best-matching window
    assert len(list((tmp_path / "cache" / "peaks").glob("*.npz"))) == 1


def test_files_arrowed_past_before_their_turn_are_not_read(qtbot, tmp_path):
    sources = [write_audio(tmp_path / "lib" / f"take{i}.wav", noise(1.0, 48_000, seed=i), 48_000) for i in range(5)]
    panel = _panel(qtbot, tmp_path)
    panel.pool.setMaxThreadCount(1)
    busy = threading.Event()
    panel.pool.start(lambda: busy.wait(10))  # the pool is busy (a region being written, say)
    for source in sources:  # the user holds Down through the results
        panel.show_file(str(source))
    busy.set()
    qtbot.waitUntil(lambda: panel.waveform.duration_s > 0, timeout=5000)
    panel.pool.waitForDone(5000)
    assert len(list((tmp_path / "cache" / "peaks").glob("*.npz"))) == 1  # only the file shown now


def test_dragging_a_waveform_selection_writes_a_matching_region_file(qtbot, tmp_path):
    stereo = np.stack([noise(2.0, 44_100, seed=3), noise(2.0, 44_100, seed=4)], 1)
    source = write_audio(tmp_path / "lib" / "door.aiff", stereo, 44_100, subtype="PCM_24")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source))
    qtbot.waitUntil(lambda: panel.waveform.duration_s > 0, timeout=5000)
    wave = panel.waveform
    x_of = lambda seconds: int(seconds / 2.0 * wave.width())  # noqa: E731 - a one-line conversion
    y = wave.height() // 2
    qtbot.mousePress(wave, Qt.LeftButton, Qt.ShiftModifier, QPoint(x_of(0.5), y))
    qtbot.mouseMove(wave, QPoint(x_of(1.5), y))
    qtbot.mouseRelease(wave, Qt.LeftButton, Qt.ShiftModifier, QPoint(x_of(1.5), y))
    start, end = wave.selection
    drags = []
    panel.dragging.connect(drags.append)
    qtbot.mousePress(wave, Qt.LeftButton, pos=QPoint(x_of(1.0), y))
    qtbot.mouseMove(wave, QPoint(x_of(1.0) + 40, y + 10))
    qtbot.mouseRelease(wave, Qt.LeftButton, pos=QPoint(x_of(1.0) + 40, y + 10))

    assert len(drags) == 1
    urls = drags[0].urls()
    assert len(urls) == 1 and urls[0].isLocalFile()
    region = urls[0].toLocalFile()
    assert region.startswith(str(tmp_path / "cache" / "regions")) and region.endswith(".aiff")
    info, source_info = sf.info(region), sf.info(str(source))
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        source_info.format,
        source_info.subtype,
        source_info.samplerate,
        source_info.channels,
    )
    first = round(start * 44_100)
    assert info.frames == round(end * 44_100) - first
    expected = sf.read(str(source), start=first, stop=first + info.frames, dtype="int32")[0]
    assert np.array_equal(sf.read(region, dtype="int32")[0], expected)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_the_drag_handle_without_a_selection_drags_the_whole_file(qtbot, tmp_path):
    source = write_audio(tmp_path / "lib" / "hit.wav", noise(0.5), 16_000)
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source))
    drags = []
    panel.dragging.connect(drags.append)
    handle = panel.drag_handle
    qtbot.mousePress(handle, Qt.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseMove(handle, QPoint(40, 30))
    qtbot.mouseRelease(handle, Qt.LeftButton, pos=QPoint(40, 30))
    assert [u.toLocalFile() for u in drags[0].urls()] == [str(source)]


def test_space_bar_style_toggle_plays_to_the_null_device(qtbot, tmp_path):
    source = write_audio(tmp_path / "lib" / "tone.wav", noise(0.3), 16_000)
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source))
    with qtbot.waitSignal(panel.player.playing_changed):
        panel.toggle_playback()
    qtbot.waitUntil(lambda: not panel.player.is_playing(), timeout=5000)
    assert panel.player.frames_played >= int(0.3 * 16_000)
    assert not panel.play_button.isChecked()
