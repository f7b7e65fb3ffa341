"""The preview: file facts, the waveform, transport, and dragging audio out.

A file indexed with a warning (its audio cut short, say: engine.audio.stream.Repairs) says
so under its name, so a damaged file is never auditioned as if it were whole.

Peaks are computed (or read from the disk cache) on a worker; the panel keeps
a generation number so a slow file's peaks never land on a newer selection. A
search's best-matching window is narrowed to where in it the sound is on a worker
too (engine.search.moment), and the playhead moves on to it.
A waveform selection is written to the region cache in the background as soon
as it is made, so dragging it out starts instantly; one dragged before its file is
written starts dragging when the worker has written it, never writing on the UI
thread. The region cache is kept under its size cap at start-up, on a worker.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QPoint, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QVBoxLayout, QWidget

from app.labels import ElidedLabel, WrappedLabel
from app.player import Player
from app.results_model import file_mime_data
from app.theme import icon
from app.waveform import WaveformView, format_time
from app.workers import submit
from engine.audio.peaks import cached_peaks, prune_peaks
from engine.audio.region import prune_regions, write_region
from engine.search.moment import Moment, narrowed

RegionKey = tuple[str, float, float]  # a file, and a selection's start and end in seconds


TITLE_MIN_WIDTH = 160  # px of the file name kept however narrow the panel (a shorter name keeps its own)
# What the transport row says with no region selected, longest first (an ElidedLabel's wordings): the
# first thing to go when the panel is narrow, shorter, then elided, never cut mid-word
HINT = (
    "Click to seek · drag to scrub · Shift-drag to select · drag a selection out",
    (
        "Click seeks · drag scrubs · Shift-drag selects, then drag it out",
        "Click seeks · drag scrubs · Shift-drag selects",
        "Shift-drag selects a region",
    ),
)


def region_said(start_s: float, end_s: float) -> tuple[str, tuple[str, ...]]:
    """The selected region's start, end and length, as a sound designer trims by them (the shaded
    region said nothing of where it was), in the wordings :data:`HINT` takes; the shortest still
    says it is a region's length (a bare "0:04.342" beside the time readout read as a position)."""
    start, end, length = (format_time(t, precise=True) for t in (start_s, end_s, end_s - start_s))
    shorter = (f"Region {start} – {end} · {length}", f"Region · {length} long", f"{length} long")
    return f"Region {start} – {end} · {length} long · drag it out", shorter


def _tool_button(icon_name: str, tip: str, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setIcon(icon(icon_name))
    button.setIconSize(QSize(18, 18))
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.NoFocus)  # keyboard focus stays in the search field or the results
    return button


class DragHandle(QToolButton):
    """A button you drag rather than click: pulls the selection (or the whole file) into a DAW."""

    drag_started = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if (
            event.buttons() & Qt.LeftButton
            and (event.position().toPoint() - self._press).manhattanLength() >= QApplication.startDragDistance()
        ):
            self.setDown(False)
            self.drag_started.emit()


class PreviewPanel(QWidget):
    similar_requested = Signal(str)
    message = Signal(str)  # readable problems for the status bar
    dragging = Signal(object)  # the QMimeData of a drag that is starting

    def __init__(
        self, player: Player, pool: QThreadPool, peaks_dir: Path, regions_dir: Path, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("PreviewPanel")
        self.player = player
        self.pool = pool
        self.peaks_dir = peaks_dir
        self.regions_dir = regions_dir
        self.path: str | None = None
        self.offline_reason = ""  # set while an offline file is shown: why it cannot be played or dragged
        self._generation = 0
        self._window: Moment | None = None  # the best window the search reported, which the moment narrows
        self._regions: dict[RegionKey, Path] = {}  # the region files written, so their drags start at once
        self._writing: set[RegionKey] = set()  # regions a worker is writing
        self._drag_waiting: RegionKey | None = None  # a region dragged out before its file was written
        submit(self.pool, prune_peaks, self.peaks_dir)  # the overviews of sounds not previewed in a long while
        # the oldest regions of earlier sessions, once the cache is over its cap (engine.audio.region)
        submit(self.pool, prune_regions, self.regions_dir, time.time())

        # elided, not a plain QLabel: a long file name must not widen the panel and with it the window
        self.title = ElidedLabel("No sound selected", objectName="FileTitle")
        self.facts = ElidedLabel("", objectName="FileFacts")
        # what indexing had to mend in the file, in the engine's words (FileRecord.warning): hidden without
        self.warning = WrappedLabel(objectName="FileWarning")
        self.warning.setProperty("dim", True)
        self.warning.setTextInteractionFlags(Qt.TextSelectableByMouse)
        warning_icon = QLabel()
        warning_icon.setPixmap(icon("warning").pixmap(16, 16))
        self.warning_row = QWidget()
        warning_row = QHBoxLayout(self.warning_row)
        warning_row.setContentsMargins(0, 0, 0, 0)
        warning_row.setSpacing(6)
        warning_row.addWidget(warning_icon, 0, Qt.AlignTop)
        warning_row.addWidget(self.warning, 1)
        self.warning_row.hide()
        self.time = QLabel(format_time(0, True), objectName="TimeReadout")
        self.waveform = WaveformView()
        self.play_button = _tool_button("play", "Play / stop (Space)", checkable=True)
        self.play_button.setObjectName("PlayButton")
        self.play_button.setFixedSize(32, 32)
        self.loop_button = _tool_button("loop", "Loop the file, or the selection", checkable=True)
        self.autoplay_button = _tool_button("autoplay", "Play each sound as it is selected", checkable=True)
        self.volume = QSlider(Qt.Horizontal, minimum=0, maximum=100, value=80)
        self.volume.setMinimumWidth(60)  # less in a narrow window: Earmark beside a DAW
        self.volume.setMaximumWidth(110)
        self.volume.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.volume.setFocusPolicy(Qt.NoFocus)
        self.volume.setToolTip("Preview volume")
        self.drag_handle = DragHandle()
        self.drag_handle.setIcon(icon("drag"))
        self.drag_handle.setIconSize(QSize(18, 18))
        self.drag_handle.setText("Drag")
        self.drag_handle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.drag_handle.setToolTip("Drag the selection (or the whole file) into your DAW")
        self.drag_handle.setFocusPolicy(Qt.NoFocus)
        self.similar_button = _tool_button("similar", "Find sounds similar to this one")
        self.similar_button.setText("Similar")
        self.similar_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.hint = ElidedLabel(*HINT, objectName="Hint")  # the first thing to go when narrow
        self.hint.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

        # the name takes the header's free room (the facts sit by the time readout): it is elided only
        # when the name, the facts and the time do not fit side by side, never beside empty space
        self.title.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        # and keeps a name's start when the panel is narrow, the facts giving way (at the window's
        # least width the facts took it all and the name was gone, not even "…" left): _show_title
        self._show_title(self.title.text(), "")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addSpacing(10)
        header.addWidget(self.facts)
        header.addSpacing(6)
        header.addWidget(self.time)
        transport = QHBoxLayout()
        transport.setSpacing(4)
        for widget in (self.play_button, self.loop_button, self.autoplay_button):
            transport.addWidget(widget)
        transport.addSpacing(10)
        volume_icon = QLabel()
        volume_icon.setPixmap(icon("volume").pixmap(16, 16))
        transport.addWidget(volume_icon)
        transport.addWidget(self.volume)
        transport.addSpacing(12)
        transport.addWidget(self.hint, 1)
        transport.addWidget(self.similar_button)
        transport.addWidget(self.drag_handle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.warning_row)
        layout.addWidget(self.waveform, 1)
        layout.addLayout(transport)
        self._set_enabled(False)

        self.play_button.clicked.connect(lambda: self.toggle_playback())
        self.loop_button.toggled.connect(lambda on: setattr(self.player, "loop", on))
        self.volume.valueChanged.connect(lambda value: setattr(self.player, "volume", value / 100))
        self.player.position_changed.connect(self._show_position)
        self.player.playing_changed.connect(self._show_playing)
        self.player.failed.connect(self.message)
        self.waveform.seek_requested.connect(self.player.seek)
        self.waveform.selection_changed.connect(self._selection_changed)
        self.waveform.region_drag_requested.connect(self._drag_region)
        self.drag_handle.drag_started.connect(self._drag_handle_pulled)
        self.similar_button.clicked.connect(lambda: self.path and self.similar_requested.emit(self.path))

    # -- what the window asks for ----------------------------------------------------------
    @property
    def autoplay(self) -> bool:
        return self.autoplay_button.isChecked()

    def show_file(
        self,
        path: str,
        facts: str = "",
        match: tuple[float, float] | None = None,
        play: bool = False,
        warning: str = "",
    ) -> None:
        """Preview ``path``; the playhead starts at the best-matching window when there is one, and
        moves on to where in it the sound is once a worker has found that (:meth:`_narrow`).
        ``warning``: what indexing had to mend in the file (:meth:`show_warning`)."""
        self._generation += 1
        generation = self._generation
        self.path = path
        self.offline_reason = ""
        self._show_title(Path(path).name, path)
        self.facts.setText(facts)
        self.show_warning(warning)
        self._window = match
        self.waveform.set_match_window(match)
        self.waveform.show_message("Drawing waveform…")
        loaded = self.player.load(path)
        self._set_enabled(loaded)
        if not loaded:
            self.waveform.show_message("This file cannot be played")
            return
        self.player.set_loop_range(None, None)
        if match:
            self.player.seek(match[0])

        def peaks():  # a file arrowed past before its turn in the pool is not read at all
            return cached_peaks(path, self.peaks_dir) if generation == self._generation else None

        submit(
            self.pool,
            peaks,
            on_done=lambda found: found and generation == self._generation and self.waveform.set_peaks(found),
            on_failed=lambda text: generation == self._generation and self.waveform.show_message(text),
            context=self,
        )
        self._narrow(match)
        if play:
            self.player.play()

    def show_match(self, match: tuple[float, float] | None) -> None:
        """The file's best-matching window as a newer answer to the same question reports it (the
        search again with the sound, once the model has loaded): drawn, and the playhead moved to
        it unless the file is playing, as :meth:`show_file` would have placed it."""
        if match == self._window:
            return
        self._window = match
        self.waveform.set_match_window(match)
        if match and not self.player.is_playing():
            self.player.seek(match[0])
        self._narrow(match)

    def _narrow(self, window: Moment | None) -> None:
        """Narrow the file's best window to where in it the sound is (engine.search.moment: a
        10-second window for a 1-second bark says little), decoding it on a worker."""
        if window is None:
            return
        generation, path = self._generation, self.path

        def moment() -> Moment | None:  # a file arrowed past before its turn is not read
            return narrowed(path, window) if generation == self._generation and window == self._window else None

        submit(
            self.pool,
            moment,
            on_done=lambda found: found and generation == self._generation and self._show_narrowed(window, found),
            context=self,
        )

    def _show_narrowed(self, window: Moment, moment: Moment) -> None:
        """Highlight ``moment`` instead of the whole ``window``, and move the playhead on to it if it
        is still in the stretch of the window before it (playing from the window's start, or waiting
        there): one the user moved elsewhere stays."""
        if window != self._window:  # a newer answer moved the window meanwhile
            return
        self.waveform.set_match_window(moment)
        if window[0] <= self.player.position_s < moment[0]:
            self.player.seek(moment[0])

    def show_offline(self, path: str, facts: str, reason: str, warning: str = "") -> None:
        """A file whose drive is not connected: its facts and, in words, why it cannot be played or
        dragged. Nothing on disk is touched (the drive may be a share that hangs); "Similar" still
        works, from the sound the index keeps. ``warning`` as :meth:`show_file` takes it."""
        self._generation += 1
        self.player.shutdown()  # stops, and lets go of the file the last preview had open
        self.path = path
        self.offline_reason = reason
        self._show_title(Path(path).name, path)
        self.facts.setText(facts)
        self.show_warning(warning)
        self._window = None
        self.waveform.set_match_window(None)
        self.waveform.show_message(reason)
        self._set_enabled(False)
        self.similar_button.setEnabled(True)

    def clear(self) -> None:
        self._generation += 1
        self.player.shutdown()  # holds no file open, so nothing keeps a drive from being unmounted
        self.path = None
        self.offline_reason = ""
        self._show_title("No sound selected", "")
        self.facts.setText("")
        self.show_warning("")
        self.time.setText(format_time(0, True))  # no file, no time: not the last file's position and length
        self._window = None
        self.waveform.set_match_window(None)
        self.waveform.show_message("Select a sound to preview it")
        self._set_enabled(False)

    def show_warning(self, warning: str) -> None:
        """What indexing had to mend or do without in the file shown (its audio cut short: the
        engine's FileRecord.warning), on a line of its own under the name, wrapped; "" hides it."""
        self.warning.setText(warning)
        self.warning_row.setVisible(bool(warning))

    def toggle_playback(self) -> None:
        if self.offline_reason:
            self.message.emit(self.offline_reason)
        elif self.path:
            self.player.toggle()

    # -- internals -------------------------------------------------------------------------------
    def _show_title(self, text: str, tooltip: str) -> None:
        """The name, which keeps :data:`TITLE_MIN_WIDTH` of a narrow header, or its own width if
        shorter: a short name kept 160 px, its end blank, while the facts beside it were cut to
        "0:…" (the duration)."""
        self.title.setText(text)
        self.title.setToolTip(tooltip)
        self.title.ensurePolished()  # measured in the theme's font
        self.title.setMinimumWidth(0)  # a label's size hint is at least its minimum: the last name's
        self.title.setMinimumWidth(min(TITLE_MIN_WIDTH, self.title.sizeHint().width()))

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.play_button, self.drag_handle, self.similar_button):
            widget.setEnabled(enabled)

    def _show_position(self, seconds: float) -> None:
        self.waveform.set_position(seconds)
        self.time.setText(f"{format_time(seconds, True)} / {format_time(self.player.duration_s, True)}")

    def _show_playing(self, playing: bool) -> None:
        self.play_button.setChecked(playing)
        self.play_button.setIcon(icon("stop" if playing else "play"))

    def _selection_changed(self, selection: tuple[float, float] | None) -> None:
        self.player.set_loop_range(*(selection or (None, None)))
        self.hint.say(*(region_said(*selection) if selection else HINT))
        if selection and self.path:
            self._write_region((self.path, *selection))

    def _write_region(self, key: RegionKey) -> None:
        self._writing.add(key)
        submit(
            self.pool,
            write_region,
            *key,
            self.regions_dir,
            on_done=lambda target: self._region_written(key, target),
            on_failed=lambda text: self._region_failed(key, text),
            context=self,
        )

    def _region_written(self, key: RegionKey, target: Path) -> None:
        """Remember the file; a drag that waited for it starts now if the button is still held (a
        drag started after it was let go would drop wherever the pointer happens to be)."""
        self._regions[key] = target
        self._writing.discard(key)
        if self._drag_waiting != key:
            return
        self._drag_waiting = None
        if QApplication.mouseButtons() & Qt.LeftButton:
            self._start_drag([str(target)])
        else:
            self.message.emit("The region was still being written when you let go: drag it again.")

    def _region_failed(self, key: RegionKey, text: str) -> None:
        self._writing.discard(key)
        if self._drag_waiting == key:
            self._drag_waiting = None
            text = f"Cannot drag the region out: {text}"
        self.message.emit(text)

    def _drag_region(self, start_s: float, end_s: float) -> None:
        """Drag the region's file out; one not written yet is waited for without blocking the UI
        (writing it here would freeze the window for as long as a long region takes)."""
        key = (self.path, start_s, end_s)
        if key in self._regions:
            self._start_drag([str(self._regions[key])])
            return
        self._drag_waiting = key
        if key not in self._writing:  # its write failed (a drive gone, say): try again
            self._write_region(key)

    def _drag_handle_pulled(self) -> None:
        if not self.path:
            return
        if self.waveform.selection:
            self._drag_region(*sorted(self.waveform.selection))
        else:
            self._start_drag([self.path])

    def _start_drag(self, paths: list[str]) -> None:
        drag = QDrag(self)
        drag.setMimeData(file_mime_data(paths))
        self.dragging.emit(drag.mimeData())
        drag.setPixmap(icon("drag").pixmap(32, 32))
        drag.setHotSpot(QPoint(16, 16))
        drag.exec(Qt.CopyAction)
