"""Playback through sounddevice to the ALSA null device that tests/conftest.py makes the default."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from app.player import NO_OUTPUT, fold_down, output_devices, output_problem
from tests.factories import tone, write_audio


def test_output_devices_lists_the_null_default():
    names = [d.name for d in output_devices()]
    assert "default" in names


@pytest.mark.parametrize(
    "name, container, subtype",
    [("beep.wav", "WAV", "PCM_16"), ("beep.caf", "CAF", "ALAC_16"), ("beep.w64", "W64", "PCM_24")],
)
def test_play_runs_the_stream_and_consumes_every_frame(qtbot, tmp_path, name, container, subtype, player):
    path = write_audio(tmp_path / name, tone(880, 0.5, 44_100), 44_100, subtype=subtype, format=container)
    states = []
    player.playing_changed.connect(states.append)
    assert player.load(path)
    player.play()
    assert player.is_playing()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)  # the null sink drains without pacing
    assert states == [True, False]
    assert player.frames_played >= int(0.5 * 44_100)
    assert np.isclose(player.position_s, 0.5, atol=0.01)


def test_files_of_more_channels_are_heard_whole_never_some_channels_dropped(qtbot, tmp_path, player):
    frames = np.zeros((4, 6), np.float32)
    frames[:, 2] = 1.0  # a 5.1 file with sound in its centre channel only
    stereo = fold_down(frames, 2)
    assert stereo.shape == (4, 2) and np.allclose(stereo[:, 0], stereo[:, 1]) and stereo[0, 0] > 0.2
    quad = np.tile([[0.0, 0.0, 0.8, 0.0]], (4, 1)).astype(np.float32)  # sound behind, on the left only
    assert np.allclose(fold_down(quad, 2), 0.2) and np.allclose(fold_down(quad, 1), 0.2)
    assert np.abs(fold_down(np.ones((4, 6), np.float32), 2)).max() <= 1.0  # folded down without clipping
    centre = np.zeros((22_050, 6), np.float32)
    centre[:, 2] = tone(440, 0.5, 44_100)
    path = write_audio(tmp_path / "centre.wav", centre, 44_100)
    assert player.load(path)
    player.play()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    assert player.frames_played >= 22_050


def test_play_from_a_window_starts_there_and_a_loop_range_wraps(qtbot, tmp_path, player):
    path = write_audio(tmp_path / "long.wav", tone(220, 2.0, 16_000), 16_000)
    player.load(path)
    player.play(start_s=1.5)
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    assert 0.4 * 16_000 <= player.frames_played <= 0.6 * 16_000  # only the last half second

    player.loop = True
    player.set_loop_range(0.25, 0.5)
    before = player.frames_played
    player.play()
    qtbot.waitUntil(lambda: player.frames_played - before > 4 * 0.25 * 16_000, timeout=5000)
    assert player.is_playing()  # looping keeps the stream alive past the region's end
    assert 0.25 <= player.position_s <= 0.5 + 1e-6
    player.stop()
    assert not player.is_playing()


def test_an_unreadable_file_is_a_message_not_a_crash(qtbot, tmp_path, player):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt nonsense")
    with qtbot.waitSignal(player.failed) as signal:
        assert not player.load(broken)
    assert "broken.wav" in signal.args[0]
    player.play()  # nothing loaded: a no-op
    assert not player.is_playing()


def test_a_failed_switch_to_resampling_keeps_the_file_playable(qtbot, tmp_path, monkeypatch, player):
    import app.player as player_module

    path = write_audio(tmp_path / "odd_rate.wav", tone(440, 1.0, 16_000), 16_000)
    assert player.load(path)

    def refuse(**_settings):
        raise player_module.sd.PortAudioError("rate not supported")

    monkeypatch.setattr(player_module.sd, "check_output_settings", refuse)  # the device's answer: a process boundary
    path.rename(tmp_path / "moved.wav")  # the file goes (its drive unplugged): a new reader cannot open it
    with qtbot.waitSignal(player.failed):
        player.play()
    assert not player.is_playing()
    monkeypatch.undo()
    player.seek(0.5)  # the reader it had is still open
    player.play()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    assert player.frames_played > 0


@pytest.fixture
def no_output():
    """No default output, as on a machine without a sound card: PortAudio's "Error querying device -1"."""
    sd = pytest.importorskip("sounddevice")
    sd.default.device = None, -1
    yield
    sd.default.reset()


def test_an_output_that_cannot_play_is_said_once_until_it_plays_or_another_is_picked(
    qtbot, tmp_path, no_output, player, caplog
):
    """Said once, and logged once: a review found a traceback in the log at every sound selected."""
    import sounddevice as sd

    caplog.set_level(logging.DEBUG, logger="app.player")

    said = []
    player.failed.connect(said.append)
    sounds = [write_audio(tmp_path / f"{n}.wav", tone(440 + n, 0.2)) for n in range(3)]
    for path in sounds:  # each sound auditioned as it is selected
        assert player.load(path)
        player.play()
        assert not player.is_playing()
    # in a sound designer's words, not PortAudio's "Error querying device -1"
    assert said == ["Cannot play: no audio output device was found (connect one, then choose it in Settings → Audio)"]
    # the why, once, on one line: the status bar says it, and a traceback on stderr said no more (review 19, L5)
    logged = [r for r in caplog.records if r.name == "app.player" and r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in logged] == [
        "cannot open the output stream: sounddevice.PortAudioError: Error querying device -1"
    ]
    assert not any(r.exc_info for r in logged)
    traced = [r for r in caplog.records if r.name == "app.player" and r.exc_info]
    assert [r.levelno for r in traced] == [logging.DEBUG]  # the traceback for a debug log alone

    player.toggle()  # Space: the user asked, and is told why nothing plays
    assert len(said) == 2
    player.device_name = "Studio Monitors"  # another output picked in Settings (gone: the default again)
    player.play()
    assert said[-1] == f"Cannot play through Studio Monitors: {NO_OUTPUT}" and len(said) == 3  # the one chosen, named
    player.play()
    assert len(said) == 3

    player.device_name = ""  # back to the default, which still cannot play
    player.play()
    player.play()
    assert len(said) == 4 and said[-1] == said[0]
    sd.default.reset()  # the output works again
    player.play()
    assert player.is_playing()
    player.stop()
    sd.default.device = None, -1  # and fails once more: that is news
    player.play()
    assert len(said) == 5 and said[-1] == said[0]


def test_an_output_that_is_there_but_fails_is_named_with_why_less_portaudios_error_code(monkeypatch):
    """A device that is connected but busy keeps PortAudio's reason, not its "[PaErrorCode -9985]"."""
    import app.player

    monkeypatch.setattr(app.player, "_has_output", lambda: True)
    busy = Exception("Error opening OutputStream: Device unavailable [PaErrorCode -9985]")
    assert output_problem("Studio Monitors", busy) == (
        "Cannot play through Studio Monitors: Error opening OutputStream: Device unavailable"
    )
    assert output_problem("", busy).startswith("Cannot play through the default output: Error opening")
    monkeypatch.setattr(app.player, "_has_output", lambda: False)  # and none there at all
    assert output_problem("", busy) == f"Cannot play: {NO_OUTPUT}"
