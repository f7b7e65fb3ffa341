"""The preview panel end to end: real peaks on a worker, real playback, a real drag of a region."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt, QThreadPool

from app import preview_panel
from app.player import Player
from app.preview_panel import TITLE_MIN_WIDTH, PreviewPanel
from app.waveform import WaveformView
from engine.audio.region import prune_regions, write_region
from engine.search.moment import narrowed
from tests.app.conftest import settle
from tests.factories import noise, tone, write_audio


def _panel(qtbot, tmp_path) -> PreviewPanel:
    pool = QThreadPool()
    player = Player()
    panel = PreviewPanel(player, pool, tmp_path / "cache" / "peaks", tmp_path / "cache" / "regions")
    player.setParent(panel)  # deleted with the panel, on this thread (as the window's is with the window)
    panel.resize(1000, 260)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _showing(qtbot, tmp_path, source) -> PreviewPanel:
    """A panel showing ``source``, its waveform drawn."""
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source))
    qtbot.waitUntil(lambda: panel.waveform.duration_s > 0, timeout=5000)
    return panel


def test_show_file_draws_peaks_from_a_worker_and_caches_them(qtbot, tmp_path):
    source = write_audio(tmp_path / "lib" / "rain.wav", noise(2.0, 48_000), 48_000, subtype="PCM_24")
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source), "WAV 24-bit", match=(0.5, 1.0))
    qtbot.waitUntil(lambda: panel.waveform.duration_s > 0, timeout=5000)
    assert panel.waveform.match_window == (0.5, 1.0)
    assert np.isclose(panel.player.position_s, 0.5)  # the playhead waits at the best-matching window
    assert len(list((tmp_path / "cache" / "peaks").glob("*.npz"))) == 1


def _take_with_a_bark(path: Path) -> Path:
    """40 s of quiet bed with a 0.8-s bark at 23.3 s."""
    take = noise(40.0, 16_000, amp=0.002, seed=5)
    take[round(23.3 * 16_000) : round(24.1 * 16_000)] += tone(700, 0.8, 16_000, amp=0.4)
    return write_audio(path, take, 16_000)


def test_the_moment_narrows_to_the_sound_in_the_matching_window(qtbot, tmp_path):
    """The model's best window is 10 s for a 0.8-s bark: the preview highlights the bark and waits
    just before it (from the window's start, the bed plays for 3 s first); the same window
    answered again keeps the bark."""
    window = (20.48, 30.72)
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(_take_with_a_bark(tmp_path / "lib" / "take.wav")), "WAV", match=window)
    qtbot.waitUntil(lambda: panel.waveform.match_window != window, timeout=5000)
    start, end = panel.waveform.match_window
    assert 23.0 <= start <= 23.3 and end == pytest.approx(24.1, abs=0.06)
    assert panel.player.position_s == pytest.approx(start)
    panel.show_match(window)  # the search again, once the model has loaded: the same window
    settle(panel.pool)
    assert panel.waveform.match_window == (start, end)


def test_a_playhead_the_user_moved_stays_when_the_moment_narrows(qtbot, tmp_path, monkeypatch):
    """Clicked elsewhere in the waveform before the narrowed moment came back: the playhead stays
    where the user put it, and the bark is still highlighted."""
    go = threading.Event()
    monkeypatch.setattr(preview_panel, "narrowed", lambda *args: go.wait(10) and narrowed(*args))
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(_take_with_a_bark(tmp_path / "lib" / "take.wav")), "WAV", match=(20.48, 30.72))
    panel.waveform.seek_requested.emit(5.0)
    go.set()
    qtbot.waitUntil(lambda: panel.waveform.match_window != (20.48, 30.72), timeout=5000)
    assert 23.0 <= panel.waveform.match_window[0] <= 23.3
    assert panel.player.position_s == pytest.approx(5.0)


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


def _select(qtbot, wave: WaveformView, start_s: float, end_s: float) -> QPoint:
    """Shift-drag from ``start_s`` to ``end_s``; returns a point inside the selection."""
    x_of = lambda seconds: int(seconds / wave.duration_s * wave.width())  # noqa: E731 - a one-line conversion
    y = wave.height() // 2
    qtbot.mousePress(wave, Qt.LeftButton, Qt.ShiftModifier, QPoint(x_of(start_s), y))
    qtbot.mouseMove(wave, QPoint(x_of(end_s), y))
    qtbot.mouseRelease(wave, Qt.LeftButton, Qt.ShiftModifier, QPoint(x_of(end_s), y))
    return QPoint(x_of((start_s + end_s) / 2), y)


def _held_back_writer(monkeypatch) -> tuple[list[threading.Thread], threading.Event]:
    """The real region writer, made to wait until the test lets it go (a long region, a slow
    disk); returns the threads it was called on, and the event that lets it write."""
    threads, go = [], threading.Event()

    def write(*args) -> Path:
        threads.append(threading.current_thread())
        go.wait(10)
        return write_region(*args)

    monkeypatch.setattr(preview_panel, "write_region", write)
    return threads, go


def test_dragging_a_waveform_selection_writes_a_matching_region_file(qtbot, tmp_path):
    stereo = np.stack([noise(2.0, 44_100, seed=3), noise(2.0, 44_100, seed=4)], 1)
    source = write_audio(tmp_path / "lib" / "door.aiff", stereo, 44_100, subtype="PCM_24")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    panel = _showing(qtbot, tmp_path, source)
    wave = panel.waveform
    inside = _select(qtbot, wave, 0.5, 1.5)
    start, end = wave.selection
    settle(panel.pool)  # the selection's region is written, and the panel told
    drags = []
    panel.dragging.connect(drags.append)
    qtbot.mousePress(wave, Qt.LeftButton, pos=inside)
    qtbot.mouseMove(wave, inside + QPoint(40, 10))
    assert len(drags) == 1  # at once, from the file written in the background
    qtbot.mouseRelease(wave, Qt.LeftButton, pos=inside + QPoint(40, 10))

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


def test_a_selected_region_says_where_it_starts_and_ends_and_how_long_it_is(qtbot, tmp_path):
    """The shaded region said nothing of where it was: a sound designer trims by its times."""
    source = write_audio(tmp_path / "lib" / "hit.wav", noise(2.0), 16_000)
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source))
    hint = panel.hint.text()
    panel.waveform.set_selection((0.25, 1.5))
    assert panel.hint.text() == "Region 0:00.250 – 0:01.500 · 0:01.250 long · drag it out"
    panel.waveform.set_selection(None)
    assert panel.hint.text() == hint


def test_the_region_of_the_file_before_is_not_said_of_the_next(qtbot, tmp_path):
    """A region selected on one file, then another file chosen: the waveform dropped the region
    but the row still said "Region 0:00.250 – 0:01.500 · drag it out", on any file after it."""
    first = write_audio(tmp_path / "lib" / "river.wav", noise(2.0), 16_000)
    second = write_audio(tmp_path / "lib" / "beep.wav", noise(0.5), 16_000)
    panel = _showing(qtbot, tmp_path, first)
    hint = panel.hint.text()
    panel.waveform.set_selection((0.25, 1.5))
    panel.show_file(str(second))
    assert panel.waveform.selection is None and panel.hint.text() == hint
    panel.waveform.set_selection((0.1, 0.3))
    panel.clear()
    assert panel.hint.text() == hint


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


def test_a_region_dragged_before_its_file_is_written_is_dragged_once_a_worker_wrote_it(qtbot, tmp_path, monkeypatch):
    stereo = np.stack([noise(2.0, 48_000, seed=5), noise(2.0, 48_000, seed=6)], 1)
    source = write_audio(tmp_path / "lib" / "whoosh.wav", stereo, 48_000, subtype="PCM_24")
    writers, go = _held_back_writer(monkeypatch)
    panel = _showing(qtbot, tmp_path, source)
    wave = panel.waveform
    inside = _select(qtbot, wave, 0.25, 1.75)
    start, end = wave.selection
    dropped = []  # what a DAW would read from each drag's file as the drag starts

    def read_dragged(mime) -> None:
        (url,) = mime.urls()
        dropped.append(sf.read(url.toLocalFile(), dtype="int32")[0])

    panel.dragging.connect(read_dragged)
    qtbot.mousePress(wave, Qt.LeftButton, pos=inside)
    qtbot.mouseMove(wave, inside + QPoint(40, 10))
    qtbot.mouseMove(wave, inside + QPoint(80, 20))  # on towards the DAW
    assert dropped == [] and not list((tmp_path / "cache" / "regions").rglob("*.wav"))  # nothing written yet

    go.set()
    qtbot.waitUntil(lambda: bool(dropped), timeout=5000)  # the button still held: the drag starts
    qtbot.mouseRelease(wave, Qt.LeftButton, pos=inside + QPoint(80, 20))
    first = round(start * 48_000)
    expected = sf.read(str(source), start=first, stop=round(end * 48_000), dtype="int32")[0]
    assert len(dropped) == 1 and np.array_equal(dropped[0], expected)
    assert len(writers) == 1  # the drag waited for the selection's own write, on a worker
    assert writers[0] is not threading.main_thread()


def _selected(qtbot, tmp_path, name: str):
    """A panel showing two seconds of noise with half a second selected (a region the drag handle
    pulls out); the source, and lists of what the panel drags and says."""
    source = write_audio(tmp_path / "lib" / name, noise(2.0, 44_100), 44_100)
    panel = _showing(qtbot, tmp_path, source)
    drags, messages = [], []
    panel.dragging.connect(drags.append)
    panel.message.connect(messages.append)
    panel.waveform.set_selection((0.5, 1.0))
    return panel, source, drags, messages


def test_letting_go_before_the_region_is_written_starts_no_drag_and_says_so(qtbot, tmp_path, monkeypatch):
    writers, go = _held_back_writer(monkeypatch)
    panel, _source, drags, messages = _selected(qtbot, tmp_path, "thud.wav")
    handle = panel.drag_handle
    qtbot.mousePress(handle, Qt.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseMove(handle, QPoint(40, 30))
    qtbot.mouseRelease(handle, Qt.LeftButton, pos=QPoint(40, 30))  # let go over the DAW, too soon

    go.set()
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert messages == ["The region was still being written when you let go: drag it again."]
    assert drags == []  # a drag started now would drop wherever the pointer is
    qtbot.mousePress(handle, Qt.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseMove(handle, QPoint(40, 30))
    assert len(drags) == 1  # again: the file is written, the drag starts at once
    qtbot.mouseRelease(handle, Qt.LeftButton, pos=QPoint(40, 30))
    assert len(writers) == 1 and writers[0] is not threading.main_thread()


def test_a_region_that_cannot_be_written_is_not_dragged_and_says_why(qtbot, tmp_path, monkeypatch):
    _writers, go = _held_back_writer(monkeypatch)
    panel, source, drags, messages = _selected(qtbot, tmp_path, "gone.wav")
    source.unlink()  # the drive went away, say
    go.set()
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)  # the background write says so
    handle = panel.drag_handle
    qtbot.mousePress(handle, Qt.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseMove(handle, QPoint(40, 30))
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=5000)  # the drag tried again, on a worker
    qtbot.mouseRelease(handle, Qt.LeftButton, pos=QPoint(40, 30))
    assert messages == ["file not found", "Cannot drag the region out: file not found"]
    assert drags == []


def test_start_up_prunes_the_region_cache_on_a_worker_and_keeps_the_regions(qtbot, tmp_path, monkeypatch):
    regions = tmp_path / "cache" / "regions"
    source = write_audio(tmp_path / "lib" / "step.wav", noise(2.0, 44_100), 44_100)
    old, recent = write_region(source, 0.0, 0.5, regions), write_region(source, 0.5, 1.0, regions)
    crashed = old.with_name(".step_0.000-0.500s-k3j4.partial")  # a write a crash cut short
    crashed.write_bytes(b"half a file")
    last_month = time.time() - 30 * 24 * 3600
    for path in (old, crashed):
        os.utime(path, (last_month, last_month))
    pruners = []

    def prune(*args) -> int:
        pruners.append(threading.current_thread())
        return prune_regions(*args)

    monkeypatch.setattr(preview_panel, "prune_regions", prune)
    panel = _showing(qtbot, tmp_path, source)
    panel.waveform.set_selection((1.0, 1.5))  # a region of this session
    settle(panel.pool)
    assert not crashed.exists() and old.is_file() and recent.is_file()  # a project may still use last month's
    assert len(list(regions.rglob("*.wav"))) == 3
    assert len(pruners) == 1 and pruners[0] is not threading.main_thread()


def test_the_waveform_hint_fits_its_room_instead_of_being_cut_off(qtbot, tmp_path):
    panel = _panel(qtbot, tmp_path)
    hint, whole = panel.hint, panel.hint.text()
    wordings = {whole, *hint._shorter}
    shown_at = {}
    for width in (1400, 760, 640, 560, 480):  # the panel beside the tags panel, in ever narrower windows
        panel.resize(width, 260)
        qtbot.waitUntil(lambda w=width: panel.width() == w, timeout=2000)
        shown = shown_at[width] = hint.shown_text()
        assert hint.fontMetrics().horizontalAdvance(shown) <= hint.contentsRect().width()
        assert hint.geometry().right() < panel.similar_button.geometry().left()  # nothing drawn under Similar
        assert shown in wordings or shown.endswith("…") or not shown  # a shorter wording, or elided: never cut
        assert hint.toolTip() == ("" if shown == whole else whole)  # shortened or elided: whole in its tooltip
    assert shown_at[1400] == whole
    assert len(set(shown_at.values())) > 2  # it gave way a step at a time


def test_clearing_the_preview_resets_the_time_readout_and_title(qtbot, tmp_path):
    source = write_audio(tmp_path / "lib" / "rain.wav", noise(2.0, 48_000), 48_000)
    panel = _panel(qtbot, tmp_path)
    empty = panel.time.text()
    panel.show_file(str(source))
    panel.player.seek(1.5)
    assert panel.time.text() != empty and "/" in panel.time.text()
    assert panel.title.toolTip() == str(source)  # the whole path, kept though the name fits
    panel.clear()
    assert panel.title.text() == "No sound selected" and panel.title.toolTip() == ""
    assert panel.time.text() == empty  # not the last file's position and length


def test_the_title_takes_the_free_room_and_is_elided_only_when_it_does_not_fit(qtbot, tmp_path):
    source = write_audio(tmp_path / "lib" / "foley_body_impact-01.wav", noise(1.2, 48_000), 48_000)
    panel = _panel(qtbot, tmp_path)
    panel.show_file(str(source), "WAV · 24-bit · 96 kHz · Stereo · 0:01.2")
    title = panel.title
    for width in (1000, 760):
        panel.resize(width, 260)
        qtbot.waitUntil(lambda w=width: panel.width() == w and panel.facts.width() >= 100, timeout=2000)
        # the room between the name and the facts is the name's: all of it, up to the facts
        assert title.width() > title.sizeHint().width()
        assert panel.facts.geometry().left() - title.geometry().right() < 30  # only the spacing between them
        assert title.shown_text() == "foley_body_impact-01.wav"  # whole, not "foley_body_impact-01.…"
    narrowest = panel.minimumSizeHint().width()  # too narrow for the name, the facts and the time side by side
    panel.resize(narrowest, 260)
    qtbot.waitUntil(lambda: panel.width() == narrowest, timeout=2000)
    # the facts give way first and the name keeps its room (at the window's least width the facts
    # took it all and the name was gone, not even "…" left): this one is short enough to stay whole
    assert title.width() >= TITLE_MIN_WIDTH and title.shown_text() == "foley_body_impact-01.wav"
    assert panel.facts.shown_text().endswith("…")
    long = write_audio(
        tmp_path / "lib" / "DOORWood_Creak Heavy Slow Long Groan 01_JD_ACME.wav", noise(0.2, 48_000), 48_000
    )
    panel.show_file(str(long), "WAV · 24-bit · 96 kHz · Stereo · 0:00.2")
    qtbot.waitUntil(lambda: title.shown_text().endswith("…"), timeout=2000)
    assert title.shown_text().startswith("DOORWood_") and title.toolTip() == str(long)
