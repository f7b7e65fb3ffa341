"""The files indexed with a warning (a WAV cut a few bytes short: engine.audio.stream.Repairs) are
listed in the Library panel's Failed files under one row of them, and the run's status line counts
them: after indexing a drive, the sound designer was told of them only on selecting one."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QCoreApplication

from app.library_panel import GROUP_OPEN, LibraryPanel
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder
from tests.factories import noise, tone, write_audio

CUT_BYTES = 100
GROUP_LINES = "indexed with a warning\nsearchable; each says what was amiss"


def test_files_indexed_with_a_warning_are_listed_apart_from_the_failed_until_mended(qtbot, window, tmp_path):
    folder = tmp_path / "Field"
    whole = write_audio(folder / "wind_gust.wav", tone(300, 2.0)).read_bytes()
    (folder / "wind_gust.wav").write_bytes(whole[:-CUT_BYTES])
    write_audio(folder / "rain_roof.wav", noise(1.5, seed=4))
    (folder / "broken.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(64))
    reports = index_folder(qtbot, window, folder)
    [warned] = reports[-1].warnings
    said = window.statusBar().currentMessage()
    assert said.startswith("Library up to date: 2 added, 1 failed, 1 with a warning (see Failed files)"), said

    library, failed = window.library, window.library.failed
    qtbot.waitUntil(lambda: failed.topLevelItemCount() == 2, timeout=ENGINE_TIMEOUT_MS)
    assert failed.topLevelItem(0).text(0).startswith("broken.wav\n")
    group = failed.topLevelItem(1)
    assert group.text(0) == f"1 sound {GROUP_LINES}" and not group.icon(0).isNull()
    assert group.childCount() == 1 and group.isExpanded()
    row = group.child(0)
    assert row.text(0) == f"wind_gust.wav\n{warned.error}"
    assert row.toolTip(0) == f"{folder / 'wind_gust.wav'}\n{warned.error}" and not row.icon(0).isNull()
    assert library.failed_title.text() == "FAILED FILES (1)"  # searchable: not counted as failed

    shown = []
    library.failed_file_activated.connect(shown.append)
    failed.itemActivated.emit(group, 0)
    failed.itemActivated.emit(row, 0)
    assert shown == [str(folder / "wind_gust.wav")]  # the row of them only opens and closes
    library.failed_file_activated.disconnect(shown.append)

    (folder / "wind_gust.wav").write_bytes(whole)  # mended on disk: the watcher indexes it again
    qtbot.waitUntil(lambda: failed.topLevelItemCount() == 1, timeout=ENGINE_TIMEOUT_MS)
    assert failed.topLevelItem(0).text(0).startswith("broken.wav\n")
    assert library.failed_title.text() == "FAILED FILES (1)"


def test_files_indexed_with_a_warning_alone_open_the_pane_and_many_wait_under_a_closed_row(qtbot):
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.resize(330, 800)
    panel.show()
    cut = SimpleNamespace(path="/lib/Field/wind_gust.wav", warning="cut short: 100 bytes (1.1 ms) of the audio")
    panel.show_failed([], [], [cut])
    QCoreApplication.processEvents()
    assert panel.failed_title.text() == "FAILED FILES"  # nothing failed
    assert not panel.failed.isHidden() and panel.splitter.sizes()[1] >= 150
    assert panel.failed.topLevelItem(0).text(0) == f"1 sound {GROUP_LINES}"
    many = [SimpleNamespace(path=f"/lib/Field/take{i:02d}.wav", warning="cut short") for i in range(GROUP_OPEN + 1)]
    panel.show_failed([SimpleNamespace(path="/lib/broken.wav", error="not a sound file")], ["/lib/a.m4a"], many)
    assert panel.failed_title.text() == "FAILED FILES (2)"
    group = panel.failed.topLevelItem(1)
    assert group.text(0) == f"{GROUP_OPEN + 1} sounds {GROUP_LINES}" and not group.isExpanded()
    assert panel.failed.topLevelItem(2).text(0).startswith("1 sound Earmark cannot read")
    panel.show_failed([], [], [])
    assert panel.failed.topLevelItemCount() == 0 and panel.failed.isHidden()
