"""A file indexed with a warning (a WAV cut a few bytes short: engine.audio.stream.Repairs) says so
in the window, where the sound designer auditions it: under its name in the preview, and by the
warning icon on its row. Review 13: only ``earmark info`` said it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.labels import WrappedLabel
from app.results_model import NAME_COLUMN
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder
from tests.factories import noise, tone, write_audio

CUT_BYTES = 100


def test_a_file_cut_short_shows_its_warning_and_a_healthy_one_none(qtbot, window, tmp_path):
    folder = tmp_path / "Field"
    whole = write_audio(folder / "wind_gust.wav", tone(300, 2.0)).read_bytes()
    (folder / "wind_gust.wav").write_bytes(whole[:-CUT_BYTES])
    write_audio(folder / "rain_roof.wav", noise(1.5, seed=4))
    reports = index_folder(qtbot, window, folder)
    [warned] = reports[-1].warnings
    assert warned.error.startswith(f"cut short: {CUT_BYTES} bytes")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=ENGINE_TIMEOUT_MS)
    cut, healthy = (window.model.row_of(str(folder / name)) for name in ("wind_gust.wav", "rain_roof.wav"))

    window.results.selectRow(cut)
    assert window.preview.path == str(folder / "wind_gust.wav")
    assert window.preview.warning_row.isVisible() and window.preview.warning.text() == warned.error
    name = window.model.index(cut, NAME_COLUMN)
    assert name.data(Qt.DecorationRole) is not None and warned.error in name.data(Qt.ToolTipRole)

    window.results.selectRow(healthy)
    assert window.preview.path == str(folder / "rain_roof.wav")
    assert not window.preview.warning_row.isVisible() and window.preview.warning.text() == ""
    name = window.model.index(healthy, NAME_COLUMN)
    assert name.data(Qt.DecorationRole) is None and name.data(Qt.ToolTipRole) == str(folder / "rain_roof.wav")

    # mended on disk, the file is indexed again and its warning goes, the file still selected
    window.results.selectRow(cut)
    (folder / "wind_gust.wav").write_bytes(whole)
    qtbot.waitUntil(lambda: not window.preview.warning_row.isVisible(), timeout=ENGINE_TIMEOUT_MS)
    assert window.preview.path == str(folder / "wind_gust.wav")


def test_a_wrapped_warning_holds_its_whole_text_in_a_tooltip_only_while_cut(qtbot):
    label = WrappedLabel()
    qtbot.addWidget(label)
    label.resize(200, 400)
    label.show()  # a hidden widget is told of no resize
    label.setText("cut short: 100 bytes (3.1 ms) of the audio its header promises are missing; what is there was read")
    assert not label.is_cut() and label.toolTip() == ""
    label.resize(200, label.fontMetrics().height())  # one line of several
    assert label.is_cut() and label.toolTip() == label.text()
