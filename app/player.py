"""Audition through sounddevice: an ``OutputStream`` callback pulls frames from the engine's reader.

The callback runs on PortAudio's thread, so the UI never touches the reader
while a stream is open: it leaves requests in attributes that the callback picks
up on its next block, and a 30 Hz timer reads the position back for the playhead.
Volume and the loop range are replaced whole (one atomic store each); a seek is
taken and cleared under a lock, so one asked for while a block is being filled
is not lost.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine.audio.files import AudioDecodeError
from engine.audio.preview import PreviewReader
from engine.logs import described

log = logging.getLogger(__name__)

try:
    import sounddevice as sd

    _AUDIO_PROBLEM = ""
except OSError as exc:  # no PortAudio library on this machine
    sd = None
    _AUDIO_PROBLEM = f"Audio output is unavailable ({exc}). Install PortAudio (libportaudio2)."

SYSTEM_DEFAULT = ""  # the device name stored when the user keeps the system's default output


@dataclass(frozen=True)
class OutputDevice:
    name: str
    host_api: str
    default_rate: int


def output_devices() -> list[OutputDevice]:
    if sd is None:
        return []
    apis = [api["name"] for api in sd.query_hostapis()]
    return [
        OutputDevice(d["name"], apis[d["hostapi"]], int(d["default_samplerate"]))
        for d in sd.query_devices()
        if d["max_output_channels"] > 0
    ]


def _device_index(name: str) -> int | None:
    """The index of the device called ``name`` now (indices move when devices come and go)."""
    if not name or sd is None:
        return None
    for index, device in enumerate(sd.query_devices()):
        if device["name"] == name and device["max_output_channels"] > 0:
            return index
    return None


NO_OUTPUT = "no audio output device was found (connect one, then choose it in Settings → Audio)"


def output_problem(device_name: str, exc: Exception) -> str:
    """Why nothing plays, in a sound designer's words: PortAudio's "Error querying device -1" is a
    machine with no output device at all (none connected, or a chosen one gone and no default to
    fall back on), said as that, with the device chosen named; any other error (a device busy,
    a rate it refuses) is said as PortAudio says it, less its error code."""
    said = re.sub(r"\s*\[PaErrorCode -?\d+\]", "", str(exc)).strip()
    where = f"Cannot play through {device_name}" if device_name else "Cannot play"
    if "device -1" in said or not _has_output():
        return f"{where}: {NO_OUTPUT}"
    return f"{where if device_name else 'Cannot play through the default output'}: {said}"


def _has_output() -> bool:
    """Whether PortAudio lists any output device now (asking may fail too: then it does not)."""
    try:
        return bool(output_devices())
    except Exception:  # PortAudio errors come in several types
        return False


class Player(QObject):
    position_changed = Signal(float)  # seconds
    playing_changed = Signal(bool)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.volume = 0.8
        self.loop = False
        self._device_name = SYSTEM_DEFAULT
        # the output's problem said last ("Cannot play through …"): each sound selected would say it
        # again, so it is said once, and again only once the output worked or another was picked
        self._output_problem = ""
        self.frames_played = 0  # frames handed to the device since the app started
        self.path: Path | None = None
        self._reader: PreviewReader | None = None
        self._stream = None
        self._position_s = 0.0
        self._seek_to: float | None = None
        self._seek_lock = threading.Lock()
        self._loop_range: tuple[float, float] | None = None
        self._out_channels = 2
        self._timer = QTimer(self, interval=33)
        self._timer.timeout.connect(self._tick)

    # -- what the UI asks for -------------------------------------------------
    @property
    def device_name(self) -> str:
        """The output device's name, :data:`SYSTEM_DEFAULT` for the system's default output."""
        return self._device_name

    @device_name.setter
    def device_name(self, name: str) -> None:
        if name != self._device_name:
            self._output_problem = ""  # another device: its problem, if it has one, is news
        self._device_name = name

    @property
    def position_s(self) -> float:
        return self._position_s

    @property
    def duration_s(self) -> float:
        return self._reader.duration_s if self._reader else 0.0

    def is_playing(self) -> bool:
        return self._stream is not None

    def load(self, path: str | Path) -> bool:
        """Make ``path`` the current file (stopping the last one); False with ``failed`` emitted if unreadable."""
        self.stop()
        self._close_reader()
        self.path = Path(path)
        self._loop_range = None
        self._position_s = 0.0
        try:
            self._reader = PreviewReader(self.path)
        except AudioDecodeError as exc:
            self.failed.emit(f"Cannot play {self.path.name}: {exc}")
            return False
        self.position_changed.emit(0.0)
        return True

    def set_loop_range(self, start_s: float | None, end_s: float | None) -> None:
        """Where looping (and playing a selection) wraps; ``None`` for the whole file."""
        self._loop_range = (start_s, end_s) if start_s is not None and end_s is not None and end_s > start_s else None

    def play(self, start_s: float | None = None, *, asked: bool = False) -> None:
        """Play from the playhead (or ``start_s``). An output that cannot play is said once, not at
        every sound auditioned (autoplay), until it plays again or another output is picked; a
        play the user ``asked`` for (Space, the play button) says it every time, or nothing would
        answer the key."""
        if self._reader is None:
            return
        if start_s is not None:
            self.seek(start_s)
        if self._stream is not None:
            return
        if _AUDIO_PROBLEM:
            self._output_failed(_AUDIO_PROBLEM, asked)
            return
        start, end = self._loop_range or (0.0, self.duration_s)
        if not start <= self._position_s < end - 1e-3:
            self._position_s = start  # a finished file or a playhead outside the selection starts over
        try:
            self._open_stream()
        except Exception as exc:  # PortAudio errors come in several types; all end up as a message
            self._stream = None
            message = output_problem(self.device_name, exc)
            if message != self._output_problem:  # logged once, as it is said: not at every sound auditioned
                # one line: the status bar says why already, and a PortAudioError traceback on stderr
                # at each Play said nothing more (review 19, L5); the traceback for a debug log alone
                log.warning("cannot open the output stream: %s", described(exc))
                log.debug("cannot open the output stream", exc_info=True)
            self._output_failed(message, asked)
            return
        self._output_problem = ""  # the output works: a problem it has later is news again
        self._timer.start()
        self.playing_changed.emit(True)

    def _output_failed(self, message: str, asked: bool) -> None:
        if asked or message != self._output_problem:
            self.failed.emit(message)
        self._output_problem = message

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._timer.stop()
        try:
            stream.abort()
            stream.close()
        except Exception:  # a device that vanished mid-play still counts as stopped
            log.exception("closing the output stream failed")
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        """Space or the play button: the user asked, so a failing output is said again."""
        self.stop() if self.is_playing() else self.play(asked=True)

    def seek(self, seconds: float) -> None:
        seconds = float(np.clip(seconds, 0.0, self.duration_s))
        if self._stream is not None:
            with self._seek_lock:
                self._seek_to = seconds
        elif self._reader is not None:
            self._reader.seek(seconds)
        self._position_s = seconds
        self.position_changed.emit(seconds)

    def shutdown(self) -> None:
        self.stop()
        self._close_reader()

    # -- the stream -------------------------------------------------------------
    def _open_stream(self) -> None:
        device = _device_index(self.device_name)
        info = sd.query_devices(device, "output")
        self._out_channels = max(1, min(2, int(info["max_output_channels"])))
        rate = self._reader.file_rate
        try:
            sd.check_output_settings(device=device, channels=self._out_channels, samplerate=rate)
        except Exception:  # the device cannot run at the file's rate: resample to its own
            rate = int(info["default_samplerate"])
        if rate != self._reader.sample_rate:
            resampling = PreviewReader(self.path, output_rate=rate)  # may fail: keep the open reader until it did not
            self._reader.close()
            self._reader = resampling
        self._reader.seek(self._position_s)
        self._seek_to = None
        stream = sd.OutputStream(
            samplerate=rate, channels=self._out_channels, dtype="float32", device=device, callback=self._fill
        )
        try:
            stream.start()
        except Exception:  # a device busy or just unplugged: the stream is closed, not left open
            stream.close()
            raise
        self._stream = stream

    def _fill(self, out: np.ndarray, frames: int, _time, _status) -> None:
        """PortAudio thread: fill ``out`` from the reader, wrapping at the loop range."""
        reader = self._reader
        with self._seek_lock:
            seek_to, self._seek_to = self._seek_to, None
        if seek_to is not None:
            reader.seek(seek_to)
        start, end = self._loop_range or (0.0, reader.duration_s)
        written, wrapped = 0, False
        while written < frames:
            room = max(0, int(round((end - reader.tell()) * reader.sample_rate)))
            block = reader.read(min(frames - written, room))
            out[written : written + len(block)] = fold_down(block, self._out_channels)
            written += len(block)
            if written < frames:
                if not self.loop or (wrapped and len(block) == 0):
                    break
                reader.seek(start)
                wrapped = True
        out[written:] = 0
        out *= self.volume
        self.frames_played += written
        self._position_s = reader.tell()
        if written < frames:
            raise sd.CallbackStop

    def _tick(self) -> None:
        self.position_changed.emit(self._position_s)
        if self._stream is not None and not self._stream.active:
            self.stop()

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


# 5.1 in a WAV file's channel order (front left, front right, centre, LFE, surround left and
# right) folded to stereo as ITU-R BS.775 does: centre and surrounds at -3 dB, LFE left out;
# divided by the coefficients' sum, so the fold-down never clips where the channels did not
_FIVE_ONE_TO_STEREO = np.array([[1.0, 0.0], [0.0, 1.0], [0.7071, 0.7071], [0.0, 0.0], [0.7071, 0.0], [0.0, 0.7071]])
_FIVE_ONE_TO_STEREO /= _FIVE_ONE_TO_STEREO.sum(axis=0)


def fold_down(block: np.ndarray, channels: int) -> np.ndarray:
    """(frames, file channels) as ``channels`` output channels: mono to every output, stereo as
    it is, 5.1 to stereo by ITU-R BS.775, anything else (quad, Ambisonics, 8 tracks) as the mix
    of all its channels, which is what the index hears too; never some channels dropped."""
    have = block.shape[1]
    if have == channels:
        return block
    if have == 1:
        return np.repeat(block, channels, axis=1)
    if have == 6 and channels == 2:
        return (block @ _FIVE_ONE_TO_STEREO).astype(block.dtype)
    return np.repeat(block.mean(axis=1, keepdims=True), channels, axis=1).astype(block.dtype)
