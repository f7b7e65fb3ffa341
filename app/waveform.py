"""The waveform preview: peaks per channel, playhead, best-match window and a selection.

Mouse grammar, as in most audio editors: click seeks, dragging scrubs;
shift-drag (or dragging in the time ruler) selects a region; pressing inside the
selection and moving drags the region out as a file.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QLinearGradient, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolTip, QWidget

from app.theme import Colors
from engine.audio.peaks import Peaks

RULER_HEIGHT = 18
# A file peaking below -20 dBFS is drawn magnified until its peak fills most of the lane (at most
# 60 dB), and says so: a quiet footstep at -38 dBFS otherwise looks like a flat, silent line.
QUIET_PEAK = 0.1
SHOWN_PEAK = 0.9
MAX_DISPLAY_GAIN = 1000.0
LEVEL_PLATE_MARGIN = 4  # px the level's plate reaches past its text on each side
_LABEL_GAP = 3  # px between a ruler label and its tick, or the widget's right edge
_TICK_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)


def format_time(seconds: float, precise: bool = False) -> str:
    """``m:ss.s`` (``h:mm:ss.s`` from an hour), to the millisecond when ``precise``; rounded
    before it is split, so 59.97 s reads 1:00.0, never 0:60.0."""
    seconds = max(seconds, 0.0)
    # an interface blip of 30 ms would read 0:00.0, as if it were empty
    places = 3 if (precise or 0 < seconds < 0.05) and seconds < 3600 - 0.0005 else 1
    minutes, rest = divmod(round(seconds, places), 60)
    width = places + 3
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{int(hours)}:{int(minutes):02d}:{rest:0{width}.{places}f}"
    return f"{int(minutes)}:{rest:0{width}.{places}f}"


def ruler_step(duration_s: float, width: int) -> float:
    """The tick spacing that keeps ruler labels at least 70 px apart."""
    return next((s for s in _TICK_STEPS if s * width / max(duration_s, 1e-9) >= 70), _TICK_STEPS[-1])


def ruler_labels(
    duration_s: float, width: int, advance: Callable[[str], float]
) -> list[tuple[float, float | None, str]]:
    """The ruler's ticks as (tick x, label x, label), ``advance`` the width of a label drawn. A label
    starts just right of its tick; the last, which ran past the right edge ("4." for the 4.5 s tick
    of a 4.58 s file), ends there instead, and goes unsaid (label x None: its tick stays) where even
    so it would run into the label before it."""
    step = ruler_step(duration_s, width)
    labels: list[tuple[float, float | None, str]] = []
    drawn_to = -2.0 * _LABEL_GAP  # where the label before ends: the first starts inside the left edge too
    for k in range(int(duration_s / step) + 1):
        x = k * step / duration_s * width
        label = f"{k * step:g}s" if step < 60 else format_time(k * step)
        wide = advance(label)
        start = min(x + _LABEL_GAP, width - _LABEL_GAP - wide)
        shown = start >= drawn_to + 2 * _LABEL_GAP
        labels.append((x, start if shown else None, label))
        drawn_to = start + wide if shown else drawn_to
    return labels


def display_gain(peak: float) -> float:
    """The waveform's drawing gain for a file peaking at ``peak``: 1 for a file louder than
    ``QUIET_PEAK``, else enough to show its peak at ``SHOWN_PEAK`` (at most ``MAX_DISPLAY_GAIN``;
    digital silence stays flat)."""
    if peak >= QUIET_PEAK or peak <= 0.0:
        return 1.0
    return min(SHOWN_PEAK / peak, MAX_DISPLAY_GAIN)


def level_said(peak: float, lossy: bool = False) -> str:
    """A file's sample peak in dBFS, and for a quiet one how much it is drawn magnified
    (:func:`display_gain`): "peak -0.3 dBFS", "shown ×72 · peak -38 dBFS"; "" for digital silence.
    Only quiet files said their level, and a designer checking headroom or a clipped master had to
    open an editor. A peak past full scale is a float file's overs ("over full scale"), or for a
    ``lossy`` one its decoder's overshoot, which "over full scale" made read as a clipped file."""
    if peak <= 0.0:
        return ""
    db = 20 * np.log10(peak)
    gain = display_gain(peak)
    if gain != 1.0:
        return f"shown ×{gain:.0f} · peak {db:.0f} dBFS"
    if peak > 1.0:
        return f"peak {db:+.1f} dBFS · {'decoder overshoot' if lossy else 'over full scale'}"
    return f"peak {round(db, 1) + 0.0:.1f} dBFS"  # + 0.0: a peak a hair under full scale is 0.0, not -0.0


def level_meant(peak: float, lossy: bool = False) -> str:
    """What a peak past full scale means (:func:`level_said`), for its tooltip; "" for any other."""
    if peak <= 1.0:
        return ""
    if lossy:
        return (
            "Decoded, this lossy file peaks over full scale, as MP3, Ogg and Opus do near 0 dBFS: the overs "
            "are its decoder's, not samples stored clipped. They clip only where it is converted to 16- or 24-bit."
        )
    return "The file holds samples over full scale: they clip wherever it is converted to 16- or 24-bit."


def column_envelope(values: np.ndarray, width: int, reduce) -> np.ndarray:
    """Reduce ``values`` (buckets,) to ``width`` columns with ``reduce`` (np.minimum or np.maximum)."""
    if len(values) == 0 or width <= 0:
        return np.zeros(max(width, 0), np.float32)
    edges = np.linspace(0, len(values), width + 1).astype(int)
    edges[1:] = np.maximum(edges[1:], edges[:-1] + 1)  # a column narrower than a bucket repeats it
    edges = np.minimum(edges, len(values))
    starts = np.minimum(edges[:-1], len(values) - 1)
    return reduce.reduceat(values, starts)


class WaveformView(QWidget):
    seek_requested = Signal(float)
    selection_changed = Signal(object)  # (start_s, end_s) or None
    region_drag_requested = Signal(float, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.NoFocus)
        self._peaks: Peaks | None = None
        self._message = "Select a sound to preview it"
        self._position = 0.0
        self._match: tuple[float, float] | None = None
        self._selection: tuple[float, float] | None = None
        self._envelope_cache: tuple[int, list[tuple[np.ndarray, np.ndarray]]] | None = None
        self._press: QPointF | None = None
        self._mode = ""  # "scrub" | "select" | "maybe-drag" while a button is down

    # -- state ---------------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        return self._peaks.duration_s if self._peaks else 0.0

    @property
    def selection(self) -> tuple[float, float] | None:
        return self._selection

    @property
    def match_window(self) -> tuple[float, float] | None:
        return self._match

    @property
    def display_gain(self) -> float:
        """How much larger than full scale the waveform is drawn (1.0: as it is)."""
        return display_gain(self._peaks.peak) if self._peaks else 1.0

    def set_peaks(self, peaks: Peaks | None, message: str = "") -> None:
        """Draw another file (or a message): a region selected on the one before is gone, and
        said to be gone, or the panel went on offering "Region 0:00.458 – 0:04.123 · drag it out"
        on a 1.5 s file whose drag exports the whole file."""
        self._peaks = peaks
        self._message = message
        self._envelope_cache = None
        if self._selection is not None:
            self.set_selection(None)
        self.update()

    def show_message(self, message: str) -> None:
        self.set_peaks(None, message)

    def set_position(self, seconds: float) -> None:
        self._position = seconds
        self.update()

    def set_match_window(self, window: tuple[float, float] | None) -> None:
        self._match = window
        self.update()

    def set_selection(self, selection: tuple[float, float] | None) -> None:
        self._selection = selection
        self.selection_changed.emit(selection)
        self.update()

    # -- geometry --------------------------------------------------------------------
    def _wave_rect(self) -> QRectF:
        return QRectF(0, RULER_HEIGHT, self.width(), self.height() - RULER_HEIGHT)

    def _x_of(self, seconds: float) -> float:
        return seconds / self.duration_s * self.width() if self.duration_s else 0.0

    def _seconds_at(self, x: float) -> float:
        return float(np.clip(x / max(self.width(), 1) * self.duration_s, 0.0, self.duration_s))

    def _envelopes(self) -> list[tuple[np.ndarray, np.ndarray]]:
        width = self.width()
        if self._envelope_cache is None or self._envelope_cache[0] != width:
            peaks = self._peaks
            self._envelope_cache = (
                width,
                [
                    (
                        column_envelope(peaks.mins[c], width, np.minimum),
                        column_envelope(peaks.maxs[c], width, np.maximum),
                    )
                    for c in range(peaks.channels)
                ],
            )
        return self._envelope_cache[1]

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Colors.background)
        if self._peaks is None or self.duration_s <= 0:
            painter.setPen(Colors.dim_text)
            # wrapped, in from the edges: one centred line of a long message (an offline drive's) was cut at both ends
            painter.drawText(self.rect().adjusted(12, 4, -12, -4), Qt.AlignCenter | Qt.TextWordWrap, self._message)
            return
        self._paint_ruler(painter)
        self._paint_lanes(painter)
        self._paint_gain(painter)
        self._paint_window(painter, self._match, Colors.match, Colors.match_edge, "best match")
        self._paint_window(painter, self._selection, Colors.selection, Colors.selection_edge, "")
        x = self._x_of(self._position)
        painter.setPen(QPen(Colors.playhead, 1.5))
        painter.drawLine(QPointF(x, RULER_HEIGHT - 4), QPointF(x, self.height()))
        painter.setBrush(Colors.playhead)
        painter.setPen(Qt.NoPen)
        painter.drawPolygon(
            QPolygonF(
                [QPointF(x - 5, RULER_HEIGHT - 9), QPointF(x + 5, RULER_HEIGHT - 9), QPointF(x, RULER_HEIGHT - 2)]
            )
        )

    def _small_font(self) -> QFont:
        """The ruler's labels' font, and the level's."""
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 2))
        return font

    def _paint_ruler(self, painter: QPainter) -> None:
        painter.fillRect(QRectF(0, 0, self.width(), RULER_HEIGHT), Colors.lane)
        font = self._small_font()
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        for x, label_x, label in ruler_labels(self.duration_s, self.width(), metrics.horizontalAdvance):
            painter.setPen(Colors.grid)
            painter.drawLine(QPointF(x, RULER_HEIGHT - 5), QPointF(x, self.height()))
            if label_x is not None:
                painter.setPen(Colors.ruler_text)
                painter.drawText(QPointF(label_x, RULER_HEIGHT - 6), label)

    @property
    def level(self) -> str:
        """The file's level as the waveform's corner says it (:func:`level_said`)."""
        return level_said(self._peaks.peak, self._peaks.lossy) if self._peaks else ""

    @property
    def level_tip(self) -> str:
        """The level's tooltip: what a peak past full scale means (:func:`level_meant`)."""
        return level_meant(self._peaks.peak, self._peaks.lossy) if self._peaks else ""

    def level_rect(self) -> QRectF:
        """Where the level is drawn, in the waveform's top right corner."""
        area = self._wave_rect().adjusted(0, 4, -8, 0)
        return QFontMetricsF(self._small_font()).boundingRect(area, Qt.AlignRight | Qt.AlignTop, self.level)

    def _paint_gain(self, painter: QPainter) -> None:
        """The level on a plate of the background: drawn straight over a loud file's wave, "peak
        +0.7 dBFS · decoder overshoot" could not be read (review 14, M7)."""
        if not self.level:
            return
        rect = self.level_rect()
        painter.fillRect(rect.adjusted(-LEVEL_PLATE_MARGIN, 0, LEVEL_PLATE_MARGIN, 1), Colors.level_plate)
        painter.setFont(self._small_font())
        painter.setPen(Colors.dim_text)
        painter.drawText(rect, Qt.AlignRight | Qt.AlignTop, self.level)

    def event(self, event: QEvent) -> bool:
        """The level's tooltip (:attr:`level_tip`) over the level."""
        if event.type() == QEvent.ToolTip and self.level_tip and self.level_rect().contains(QPointF(event.pos())):
            QToolTip.showText(event.globalPos(), self.level_tip, self)
            return True
        return super().event(event)

    def _paint_lanes(self, painter: QPainter) -> None:
        area = self._wave_rect()
        gain = self.display_gain
        envelopes = [(low * gain, high * gain) for low, high in self._envelopes()]
        lane_h = area.height() / len(envelopes)
        painter.setRenderHint(QPainter.Antialiasing, True)
        for c, (low, high) in enumerate(envelopes):
            top = area.top() + c * lane_h
            mid, half = top + lane_h / 2, lane_h / 2 - 3
            painter.setPen(QPen(Colors.grid, 1))
            painter.drawLine(QPointF(0, mid), QPointF(self.width(), mid))
            if c:
                painter.setPen(QPen(Colors.background, 1))
                painter.drawLine(QPointF(0, top), QPointF(self.width(), top))
            xs = np.arange(len(high), dtype=np.float64) + 0.5
            upper = [QPointF(x, mid - max(h, 1.0 / half) * half) for x, h in zip(xs, high, strict=False)]
            lower = [QPointF(x, mid - min(lo, -1.0 / half) * half) for x, lo in zip(xs[::-1], low[::-1], strict=False)]
            path = QPainterPath()
            path.addPolygon(QPolygonF(upper + lower))
            gradient = QLinearGradient(0, mid - half, 0, mid + half)
            gradient.setColorAt(0.0, Colors.wave_rms)
            gradient.setColorAt(0.5, Colors.wave)
            gradient.setColorAt(1.0, Colors.wave_rms)
            painter.setPen(Qt.NoPen)
            painter.setBrush(gradient)
            painter.drawPath(path)
        painter.setRenderHint(QPainter.Antialiasing, False)

    def _paint_window(self, painter: QPainter, window, fill, edge, label: str) -> None:
        if not window:
            return
        x0, x1 = sorted((self._x_of(window[0]), self._x_of(window[1])))
        painter.fillRect(QRectF(x0, RULER_HEIGHT, max(x1 - x0, 1.0), self.height() - RULER_HEIGHT), fill)
        painter.setPen(QPen(edge, 1))
        painter.drawLine(QPointF(x0, RULER_HEIGHT), QPointF(x0, self.height()))
        painter.drawLine(QPointF(x1, RULER_HEIGHT), QPointF(x1, self.height()))
        if label and x1 - x0 > 60:
            painter.drawText(QPointF(x0 + 4, RULER_HEIGHT + 13), label)

    def resizeEvent(self, event) -> None:
        self._envelope_cache = None
        super().resizeEvent(event)

    # -- mouse -----------------------------------------------------------------------------
    def _in_selection(self, x: float) -> bool:
        if not self._selection:
            return False
        x0, x1 = sorted((self._x_of(self._selection[0]), self._x_of(self._selection[1])))
        return x0 <= x <= x1

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.LeftButton or self.duration_s <= 0:
            return
        pos = event.position()
        self._press = pos
        if event.modifiers() & Qt.ShiftModifier or pos.y() < RULER_HEIGHT:
            self._mode = "select"
            self._selection = (self._seconds_at(pos.x()),) * 2
            self.update()
        elif self._in_selection(pos.x()):
            self._mode = "maybe-drag"
        else:
            self._mode = "scrub"
            self.seek_requested.emit(self._seconds_at(pos.x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if not self._mode:
            over_selection = self._in_selection(pos.x()) and pos.y() >= RULER_HEIGHT
            self.setCursor(
                Qt.OpenHandCursor if over_selection else Qt.IBeamCursor if pos.y() < RULER_HEIGHT else Qt.ArrowCursor
            )
            return
        if self._mode == "scrub":
            self.seek_requested.emit(self._seconds_at(pos.x()))
        elif self._mode == "select":
            self._selection = (self._selection[0], self._seconds_at(pos.x()))
            self.update()
        elif self._mode == "maybe-drag" and (pos - self._press).manhattanLength() >= QApplication.startDragDistance():
            self._mode = ""
            start, end = sorted(self._selection)
            self.region_drag_requested.emit(start, end)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        mode, self._mode = self._mode, ""
        if mode == "select":
            start, end = sorted(self._selection)
            tiny = abs(self._x_of(end) - self._x_of(start)) < 3
            self.set_selection(None if tiny else (start, end))
            if tiny:
                self.seek_requested.emit(start)
        elif mode == "maybe-drag":  # a click inside the selection without moving: seek there
            self.seek_requested.emit(self._seconds_at(event.position().x()))
