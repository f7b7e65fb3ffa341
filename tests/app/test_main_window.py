"""The window on a real engine: search as you type, audition, drag, folders, watcher, failures, state."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.results_model import COLUMNS, SCORE_COLUMN
from app.results_view import NAME_LEAST
from engine.library.report import IndexProgress
from tests.app.conftest import (
    ENGINE_TIMEOUT_MS,
    drag_section_edge,
    index_folder,
    new_window,
    open_window,
    settle,
    write_library,
)
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk
from tests.factories import noise, tone, write_audio

NAME = next(i for i, c in enumerate(COLUMNS) if c.title == "Name")
CAPTION = next(i for i, c in enumerate(COLUMNS) if c.title == "Caption")
TAGS = next(i for i, c in enumerate(COLUMNS) if c.title == "Tags")
DESCRIPTION = next(i for i, c in enumerate(COLUMNS) if c.title == "Description")


def names(window) -> list[str]:
    return [window.model.index(row, NAME).data() for row in range(window.model.rowCount())]


def type_query(qtbot, window, text: str) -> None:
    """Type ``text`` and wait for its (debounced) results to be on screen."""
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    qtbot.waitUntil(lambda: f"for “{text}”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_first_run_asks_for_a_folder(qtbot, window):
    qtbot.waitUntil(lambda: window.center.currentWidget() is window.empty, timeout=10_000)
    assert window.empty.button.text().strip() == "Add a folder…"
    assert "No folders" in window.result_label.text()


def test_adding_a_folder_indexes_it_with_visible_progress(qtbot, window, tmp_path):
    write_library(tmp_path / "lib")
    seen = []
    window.client.index_progress.connect(
        lambda progress: seen.append((window.indexing.isVisible(), window.indexing.label.text(), progress.phase))
    )
    reports = index_folder(qtbot, window, tmp_path / "lib")
    assert reports[-1].added == 4
    assert seen and all(visible for visible, _, _ in seen)
    assert any(label.startswith("Embedding") and "/ 4" in label for _, label, _ in seen)
    assert not window.indexing.isVisible()  # gone once the run ends
    folders = window.library.folders
    qtbot.waitUntil(
        lambda: folders.topLevelItemCount() == 1 and folders.topLevelItem(0).text(1) == "4/4", timeout=10_000
    )
    assert folders.topLevelItem(0).text(0) == "lib"
    assert window.center.currentWidget() is window.center_split


def test_typing_a_query_shows_ranked_results(qtbot, window, library):
    type_query(qtbot, window, "dog bark")
    assert names(window)[0] == "dog_bark.wav"  # the only file whose name has the words
    scores = [window.model.hit(row).score for row in range(window.model.rowCount())]
    assert scores == sorted(scores, reverse=True)
    assert " ms" in window.result_label.text() and "result" in window.result_label.text()

    window.filter_bar.format.setCurrentIndex(window.filter_bar.format.findData("flac"))
    qtbot.waitUntil(lambda: names(window) == ["rain_on_glass.flac"], timeout=ENGINE_TIMEOUT_MS)


def test_enter_commits_and_arrow_keys_audition(qtbot, window, library):
    window.preview.autoplay_button.setChecked(True)
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "sine beep")
    qtbot.keyClick(window.search_field, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.preview.path is not None, timeout=ENGINE_TIMEOUT_MS)
    assert Path(window.preview.path).name == "sine_beep.wav"  # Enter selected the top hit
    assert window.results.hasFocus()
    qtbot.waitUntil(lambda: window.player.frames_played > 0, timeout=10_000)
    qtbot.keyClick(window.results, Qt.Key_Down)
    assert window.preview.path == str(window.model.hit(1).path)


def test_keyboard_focus_search_and_reveal(qtbot, window, library):
    type_query(qtbot, window, "rain")
    window.results.setFocus()
    window.results.selectRow(0)
    qtbot.keyClick(window.results, Qt.Key_F, Qt.ControlModifier)
    assert window.search_field.hasFocus() and window.search_field.selectedText() == "rain"
    window.results.reveal_requested.disconnect()  # keep the real file manager out of the test
    revealed = []
    window.results.reveal_requested.connect(revealed.append)
    window.results.setFocus()
    with qtbot.waitSignal(window.player.playing_changed):  # a second, habitual Enter: it plays or stops
        qtbot.keyClick(window.results, Qt.Key_Return)
    assert revealed == []
    qtbot.keyClick(window.results, Qt.Key_Return, Qt.ControlModifier)
    assert revealed == [[str(window.model.hit(0).path)]]


def test_selecting_a_result_plays_it_through_sounddevice(qtbot, window, library):
    window.preview.autoplay_button.setChecked(True)
    type_query(qtbot, window, "dog bark")
    states = []
    window.player.playing_changed.connect(states.append)
    window.results.selectRow(0)
    qtbot.waitUntil(lambda: states == [True, False], timeout=10_000)  # the null sink drains it quickly
    hit = window.model.hit(0)  # dog_bark.wav, found by its name: the whole of it answers
    assert (hit.best_start_s, hit.best_end_s) == (None, None) and window.preview.waveform.match_window is None
    played_s = window.player.frames_played / 16_000  # playback started at its start (the moment: test_preview_panel)
    assert abs(played_s - 4.0) < 0.1
    qtbot.waitUntil(lambda: window.preview.waveform.duration_s > 0, timeout=10_000)

    with qtbot.waitSignal(window.player.playing_changed):
        qtbot.keyClick(window.results, Qt.Key_Space)  # space plays again from the results


def test_results_drag_out_as_file_urls_and_copy_paths(qtbot, window, library):
    type_query(qtbot, window, "rain")
    assert window.model.rowCount() == 4  # every file has a vector: all are candidates
    window.results.selectAll()
    paths = window.results.selected_paths()
    mime = window.model.mimeData(window.results.selectionModel().selectedIndexes())
    assert sorted(url.toLocalFile() for url in mime.urls()) == sorted(str(p) for p in library.values())
    assert sorted(paths) == sorted(str(p) for p in library.values())
    window.results.setFocus()
    qtbot.keyClick(window.results, Qt.Key_C, Qt.ControlModifier)
    assert QGuiApplication.clipboard().text().splitlines() == paths
    assert window.statusBar().currentMessage().startswith(f"Copied {len(paths)} file")  # said (review 10)
    # pasted into a file manager or a DAW, the files themselves (a text field gets the paths)
    assert [url.toLocalFile() for url in QGuiApplication.clipboard().mimeData().urls()] == paths


def test_a_file_created_on_disk_appears_without_a_restart(qtbot, window, library, tmp_path):
    type_query(qtbot, window, "thunder")
    assert "thunder_rumble.wav" not in names(window)
    write_audio(tmp_path / "Sound Effects" / "thunder_rumble.wav", noise(1.5, seed=9))
    qtbot.waitUntil(lambda: names(window)[:1] == ["thunder_rumble.wav"], timeout=ENGINE_TIMEOUT_MS)
    (tmp_path / "Sound Effects" / "voice memo.m4a").write_bytes(b"\0\0\0\x20ftypM4A ")  # not silently left out
    said = "1 sound in a format Earmark cannot read (1 .m4a): convert it"
    qtbot.waitUntil(lambda: said in window.statusBar().currentMessage(), timeout=ENGINE_TIMEOUT_MS)


def test_a_refreshed_search_keeps_the_selection_playing(qtbot, window, library):
    type_query(qtbot, window, "rain")
    window.preview.loop_button.setChecked(True)  # keeps the stream alive on the null sink
    window.preview.autoplay_button.setChecked(True)
    window.results.selectRow(window.model.row_of(str(library["rain_on_glass.flac"])))
    assert window.player.is_playing()
    stops = []
    window.player.playing_changed.connect(stops.append)
    answers = []
    window.client.results.connect(lambda *answer: answers.append(answer))
    window.run_query("rain")  # what the watcher and indexing progress do
    qtbot.waitUntil(lambda: bool(answers), timeout=ENGINE_TIMEOUT_MS)
    assert window.player.is_playing() and not stops
    assert window.results.selected_paths() == [str(library["rain_on_glass.flac"])]
    window.player.stop()


def test_a_corrupt_file_shows_its_error_and_a_sound_it_cannot_read_is_named(qtbot, window, tmp_path):
    """The status bar's line about a format Earmark cannot read goes after seconds: the files stay
    listed under the failed ones."""
    folder = tmp_path / "lib"
    write_audio(folder / "fine.wav", tone(300, 0.5))
    (folder / "broken.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(64))
    memo = folder / "voice memos" / "memo.m4a"
    memo.parent.mkdir()
    memo.write_bytes(b"\0\0\0\x18ftypM4A ")
    reports = index_folder(qtbot, window, folder)
    assert [Path(e.path).name for e in reports[-1].errors] == ["broken.wav"]
    failed = window.library.failed
    qtbot.waitUntil(lambda: failed.topLevelItemCount() == 2, timeout=10_000)
    name, reason = failed.topLevelItem(0).text(0).split("\n")
    assert name == "broken.wav"
    assert reason == reports[-1].errors[0].error  # the engine's reason, in words
    group = failed.topLevelItem(1)
    assert group.text(0) == "1 sound Earmark cannot read\n1 .m4a: convert to WAV or FLAC"
    said = "1 sound in a format Earmark cannot read (1 .m4a): convert it to WAV or FLAC to search it"
    assert group.toolTip(0) == said
    assert group.isExpanded() and group.childCount() == 1
    assert group.child(0).text(0) == "memo.m4a\nin voice memos" and str(memo) in group.child(0).toolTip(0)
    assert window.library.failed_title.text() == "FAILED FILES (2)"
    root = window.library.folders.topLevelItem(0)
    qtbot.waitUntil(lambda: root.toolTip(1) == "1 sound could not be read: see Failed files", timeout=10_000)


def test_an_unplugged_folder_shows_offline(qtbot, window, library, tmp_path):
    (tmp_path / "Sound Effects").rename(tmp_path / "elsewhere")
    window.library.rescan_button.click()
    folders = window.library.folders
    qtbot.waitUntil(
        lambda: folders.topLevelItemCount() == 1 and folders.topLevelItem(0).text(1) == "offline",
        timeout=ENGINE_TIMEOUT_MS,
    )
    assert "Offline" in folders.topLevelItem(0).toolTip(0)


def test_pause_stops_the_run_and_resume_finishes_it(qtbot, window, tmp_path):
    folder = tmp_path / "lib"
    for k in range(6):
        write_audio(folder / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
    client = window.client
    paused, reports = [], []
    client.index_paused.connect(lambda: paused.append(True))
    client.index_finished.connect(reports.append)
    # Pause while the first file is in work (a click would land later on so small a library).
    client.index_progress.connect(lambda _p: client.set_paused(True), Qt.DirectConnection)
    window.add_folder(str(folder))
    qtbot.waitUntil(lambda: bool(paused), timeout=ENGINE_TIMEOUT_MS)
    assert window.indexing.isVisible() and window.indexing.label.text().startswith("Paused")
    assert not reports
    client.index_progress.disconnect()
    window.indexing.pause_button.click()  # resume
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: (
            window.library.folders.topLevelItemCount() == 1 and window.library.folders.topLevelItem(0).text(1) == "6/6"
        ),
        timeout=10_000,
    )


def test_a_folder_removed_during_a_run_stops_it_only_for_the_removal(qtbot, window, tmp_path):
    kept, removed = tmp_path / "kept", tmp_path / "removed"
    for k in range(6):
        write_audio(kept / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
    write_audio(removed / "old.wav", tone(300, 0.5))
    index_folder(qtbot, window, removed)
    client = window.client
    reports = []
    client.index_finished.connect(reports.append)
    # Remove the other folder while the first file of the new one is in work.
    client.index_progress.connect(lambda _p: client.remove_folder(str(removed)), Qt.SingleShotConnection)
    window.add_folder(str(kept))
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert not reports[-1].stopped  # the run went on after the removal, to the end
    qtbot.waitUntil(
        lambda: (
            window.library.folders.topLevelItemCount() == 1 and window.library.folders.topLevelItem(0).text(1) == "6/6"
        ),
        timeout=10_000,
    )


def test_a_pause_pressed_as_a_run_ends_leaves_the_next_run_free_to_index(qtbot, window, tmp_path):
    """A run with nothing to do (no folders yet: nothing asks it to stop) ends before a Pause can
    stop it: indexing must not stay paused out of sight, the next folder added never indexed."""
    reports = []
    window.client.index_finished.connect(reports.append)
    window.library.rescan_button.click()
    window.indexing.pause_button.click()  # before the run's answer can reach the window
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert not reports[0].stopped and not window.indexing.isVisible() and not window.indexing.paused
    write_library(tmp_path / "Sound Effects")
    assert index_folder(qtbot, window, tmp_path / "Sound Effects")[-1].added == 4


def test_re_embedding_offers_no_pause_and_a_run_paused_before_it_shows_again(qtbot, window, tmp_path, monkeypatch):
    from engine.library import switch

    # One file per slice, so three files report progress before the end as a large library does.
    monkeypatch.setattr(switch, "SWITCH_SLICE", 1)
    indexed = tmp_path / "indexed"
    for k in range(3):
        write_audio(indexed / f"hum_{k}.wav", tone(100 + 50 * k, 0.5))
    index_folder(qtbot, window, indexed)
    folder = tmp_path / "lib"
    for k in range(6):
        write_audio(folder / f"tone_{k}.wav", tone(200 + 100 * k, 0.5))
    client, paused, reports, shown = window.client, [], [], []
    client.index_paused.connect(lambda: paused.append(True))
    client.index_finished.connect(reports.append)
    pause = lambda _progress: client.set_paused(True)  # noqa: E731 - connected, then disconnected
    client.index_progress.connect(pause, Qt.DirectConnection)  # while the first file is in work
    window.add_folder(str(folder))
    qtbot.waitUntil(lambda: bool(paused), timeout=ENGINE_TIMEOUT_MS)
    client.index_progress.disconnect(pause)
    # What the window shows after each report of a real switch's re-embedding (connected after its own).
    bar = window.indexing
    client.switch_progress.connect(
        lambda done, total: shown.append((done, total, bar.label.text(), bar.pause_button.isVisible()))
    )
    client.switch_model("builtin")
    qtbot.waitUntil(lambda: client.engine.model_spec == "builtin", timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: shown and shown[-1][0] == shown[-1][1], timeout=10_000)  # its last report
    during = [report for report in shown if report[0] < report[1]]
    assert during  # it reported before it ended, as a large library's switch does
    for done, total, label, pause_offered in during:
        assert label.startswith(f"Re-embedding {done} / {total}") and not pause_offered  # a pause would mean nothing
    assert bar.isVisible() and bar.label.text().startswith("Paused")
    assert bar.pause_button.isVisible() and bar.paused
    bar.pause_button.click()  # resume
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert not reports[0].stopped and not bar.isVisible()


@pytest.mark.parametrize("confirmed", [True, False], ids=["yes removes", "no keeps"])
def test_removing_a_folder_asks_first_saying_how_many_of_its_files_the_user_tagged(
    qtbot, window, library, tmp_path, monkeypatch, confirmed
):
    from PySide6.QtWidgets import QMessageBox

    write_audio(tmp_path / "Other" / "gong.wav", tone(220, 0.8))
    index_folder(qtbot, window, tmp_path / "Other")
    client, edited = window.client, []
    client.edited.connect(lambda: edited.append(True))
    client.set_tags({str(library["dog_bark.wav"]): ["good boy"]})
    client.set_caption([str(library["sine_beep.wav"])], "a short beep")
    qtbot.waitUntil(lambda: len(edited) == 2, timeout=10_000)
    window.run_query("")  # the whole library
    qtbot.waitUntil(lambda: len(names(window)) == 5, timeout=ENGINE_TIMEOUT_MS)
    asked = []
    answer = QMessageBox.Yes if confirmed else QMessageBox.No
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda _parent, _title, text, *_: asked.append(text) or answer)
    )
    folders = window.library.folders
    next(
        folders.topLevelItem(i)
        for i in range(folders.topLevelItemCount())
        if folders.topLevelItem(i).text(0) == "Sound Effects"
    ).setSelected(True)

    window.library.remove_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=ENGINE_TIMEOUT_MS)
    assert "2 of its files carry your tags or captions, which will be forgotten" in asked[0]
    if confirmed:
        qtbot.waitUntil(lambda: names(window) == ["gong.wav"], timeout=ENGINE_TIMEOUT_MS)  # searched again
        assert [f.path for f in client.engine.folders()] == [str(tmp_path / "Other")]
    else:
        settle(client.work_pool)  # a removal, had one been asked, is done now and its answer delivered
        assert len(client.engine.folders()) == 2 and len(names(window)) == 5
        assert client.engine.file_info(library["dog_bark.wav"]).record.tags == ["good boy"]


def test_removing_a_folder_while_the_library_is_closed_says_so(qtbot, earmark_home, tiny_checkpoint, tmp_path):
    from app.engine_client import LIBRARY_CLOSED

    window = new_window(qtbot, str(tiny_checkpoint))
    window.library.remove_requested.emit(str(tmp_path))  # the library is still opening (or being repaired)
    assert window.statusBar().currentMessage() == LIBRARY_CLOSED
    window.client.remove_folder(str(tmp_path))
    assert window.statusBar().currentMessage() == LIBRARY_CLOSED
    qtbot.waitUntil(lambda: window.client.engine is not None, timeout=ENGINE_TIMEOUT_MS)


def test_a_refresh_keeps_every_selected_file_and_the_edit_in_progress(qtbot, window, library):
    window.search_field.clear()
    window.run_query("")  # the whole library
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=ENGINE_TIMEOUT_MS)
    chosen = sorted(str(p) for p in list(library.values())[:3])
    window.results.select_paths(chosen, chosen[0])
    assert sorted(window.results.selected_paths()) == chosen and len(window.tags.paths) == 3
    qtbot.keyClicks(window.tags.tags, "outdoor")
    answers = []
    window.client.results.connect(lambda *args: answers.append(args))
    window._ask_again()  # what a watcher batch or the model becoming ready does
    qtbot.waitUntil(lambda: bool(answers), timeout=ENGINE_TIMEOUT_MS)
    assert sorted(window.results.selected_paths()) == chosen and len(window.tags.paths) == 3
    assert window.tags.tags.text() == "outdoor" and window.tags.apply_button.isEnabled()


def test_a_query_without_results_does_not_select_a_later_answers_first_file(qtbot, window, library):
    window.search_field.setText('"nothing holds this phrase"')
    qtbot.keyClick(window.search_field, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.result_label.text().startswith("0 results"), timeout=ENGINE_TIMEOUT_MS)
    type_query(qtbot, window, "beep")  # typed, not committed: nothing is selected and played for it
    assert window.results.selected_paths() == []


def test_escape_in_the_search_field_clears_the_search(qtbot, window, library):
    type_query(qtbot, window, "beep")
    window.search_field.setFocus()
    qtbot.waitUntil(window.search_field.hasFocus, timeout=5_000)
    qtbot.keyClick(window.search_field, Qt.Key_Escape)
    assert window.search_field.text() == ""
    qtbot.waitUntil(lambda: "type to search" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_escape_browses_without_selecting_or_playing_anything(qtbot, window, library, monkeypatch):
    """A clear is not a commit: the browse list shows, nothing is selected, nothing plays, and what
    played stops."""
    window.preview.autoplay_button.setChecked(True)
    window.preview.loop_button.setChecked(True)  # keeps the stream alive on the null sink
    type_query(qtbot, window, "beep")
    window.results.selectRow(0)  # auditioned (it may fail on a machine without a sound card)
    assert window.preview.path is not None
    plays = []
    monkeypatch.setattr(window.player, "play", lambda *args: plays.append(args))
    window.search_field.setFocus()
    qtbot.waitUntil(window.search_field.hasFocus, timeout=5_000)
    qtbot.keyClick(window.search_field, Qt.Key_Escape)
    assert not window.player.is_playing()  # Escape stops playback
    qtbot.waitUntil(lambda: "type to search" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.search_pool)
    assert window.model.rowCount() == 4
    assert window.results.selected_paths() == [] and not window.results.currentIndex().isValid()
    assert window.preview.path is None and plays == []
    assert window.search_field.hasFocus()


def test_a_new_query_shows_its_results_from_the_top_and_down_picks_the_best_hit(qtbot, window, library):
    """The last query's pick is not carried into a new query's results (it scrolled the list to it
    and made Down go to the row after it); a refresh of the same query still keeps it."""
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "sine beep")
    qtbot.keyClick(window.search_field, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.results.selected_paths() != [], timeout=ENGINE_TIMEOUT_MS)
    assert window.results.selected_paths() == [str(library["sine_beep.wav"])]
    window.search_field.setFocus()
    type_query(qtbot, window, "rain")
    assert window.model.rowCount() == 4 and names(window)[0] != "sine_beep.wav"
    assert window.results.selected_paths() == [] and not window.results.currentIndex().isValid()
    assert window.results.verticalScrollBar().value() == 0
    window.search_field.setFocus()
    qtbot.keyClick(window.search_field, Qt.Key_Down)
    assert window.results.selected_paths() == [str(window.model.hit(0).path)]  # the best hit

    answers = []
    window.client.results.connect(lambda *answer: answers.append(answer))
    window.run_query("rain")  # a refresh, as while indexing: the pick stays
    qtbot.waitUntil(lambda: bool(answers), timeout=ENGINE_TIMEOUT_MS)
    assert window.results.selected_paths() == [str(window.model.hit(0).path)]


def test_a_long_file_name_does_not_widen_the_window(qtbot, window, library, tmp_path):
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=ENGINE_TIMEOUT_MS)  # the results page shows
    settle(window.client.search_pool)
    qtbot.wait(100)
    narrowest = window.minimumSizeHint().width()
    long_name = ("application-data-base-failed-" * 5)[:116] + ".wav"
    assert len(long_name) == 120
    source = write_audio(tmp_path / "lib" / long_name, tone(440, 0.3))
    window.preview.show_file(str(source))
    qtbot.wait(100)  # the layout requests travel up to the window
    assert window.minimumSizeHint().width() <= narrowest
    assert window.preview.title.toolTip() == str(source)  # the whole name is still there to read


def test_tags_edited_in_the_panel_are_saved_and_searchable(qtbot, window, library):
    type_query(qtbot, window, "beep")
    window.results.selectRow(window.model.row_of(str(library["sine_beep.wav"])))
    qtbot.keyClicks(window.tags.tags, "interface, notification")
    window.tags.caption.setPlainText("a short high beep")
    edited = []
    window.client.edited.connect(lambda: edited.append(True))
    window.tags.apply_button.click()
    qtbot.waitUntil(lambda: len(edited) == 2, timeout=10_000)
    record = window.client.engine.file_info(str(library["sine_beep.wav"])).record
    assert record.tags == ["interface", "notification"] and record.caption == "a short high beep"
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "notification")
    qtbot.waitUntil(lambda: names(window)[:1] == ["sine_beep.wav"], timeout=ENGINE_TIMEOUT_MS)


def test_dropping_a_file_finds_similar_sounds(qtbot, window, library, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    outside = write_audio(tmp_path / "elsewhere" / "bark_again.wav", tone(610, 0.6))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside))])
    drop = QDropEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: "similar to bark_again.wav" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.model.rowCount() == 4
    assert "bark_again.wav" not in names(window)


def test_a_typo_is_searched_as_the_word_it_misspells_and_the_status_says_so(qtbot, window, library):
    type_query(qtbot, window, "wodden")
    assert names(window)[0] == "door_creak_wooden.wav"
    assert "searched “wooden” for “wodden”" in window.result_label.text()
    type_query(qtbot, window, "wooden")  # spelt right: nothing to say
    assert "searched" not in window.result_label.text()


def test_similar_sounds_stay_shown_while_the_library_changes(qtbot, window, library, tmp_path):
    """A folder indexed meanwhile refreshes what is shown: the sounds like the file, not the query
    typed before; typing again goes back to searching."""
    qtbot.keyClicks(window.search_field, "rain")
    qtbot.waitUntil(lambda: "for “rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    window.find_similar(str(library["dog_bark.wav"]))
    qtbot.waitUntil(lambda: "similar to dog_bark.wav" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    write_audio(tmp_path / "More" / "bark_too.wav", tone(600, 0.7))
    index_folder(qtbot, window, tmp_path / "More")
    window._rerun.timeout.emit()  # what the watcher's burst of changes ends in
    qtbot.waitUntil(lambda: "bark_too.wav" in names(window), timeout=ENGINE_TIMEOUT_MS)
    assert "similar to dog_bark.wav" in window.result_label.text() and "dog_bark.wav" not in names(window)
    assert window.search_field.text() == ""  # emptied while the sounds like the file show
    qtbot.keyClicks(window.search_field, "rainy")
    qtbot.waitUntil(lambda: "for “rainy”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    window._rerun.timeout.emit()
    qtbot.waitUntil(lambda: "for “rainy”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_the_results_are_asked_again_while_a_fast_run_indexes(qtbot, window):
    """Every 50 files a run or a watcher batch has indexed ask again within the refresh's delay, however
    fast files come: a 50th file that restarted the delay starved it while they came faster than 50 a
    delay (a pack dropped in, a light model), and the results said nothing new until the run ended."""
    asked = []
    window._rerun.timeout.connect(lambda: asked.append(True))
    for done in range(1, 301):  # 50 files every ~0.25 s, the delay 0.6 s
        window._show_progress(IndexProgress("embedding", done, 300, f"/library/pack/{done:03d}.wav"))
        qtbot.wait(5)
    # the second may still be on its way as the run's last files come (a starved delay fires once, at the end)
    qtbot.waitUntil(lambda: len(asked) >= 2, timeout=1_000)


def test_layout_folders_and_last_query_survive_a_restart(qtbot, window, library):
    qtbot.keyClicks(window.search_field, "rain")
    # The offscreen screen is 800x800: only a size that fits comes back unclamped (a narrower
    # window wraps the filters onto more rows, which takes height from the splitter checked).
    window.resize(780, 700)
    qtbot.waitUntil(lambda: window.height() == 700, timeout=5_000)
    window.center_split.setSizes([250, 350])
    saved = window.center_split.sizes()
    window.close()
    again = open_window(qtbot, None)
    assert again.search_field.text() == "rain"
    assert again.height() == 700
    qtbot.waitUntil(lambda: again.center_split.sizes() == saved, timeout=5_000)
    qtbot.waitUntil(lambda: again.library.folders.topLevelItemCount() == 1, timeout=ENGINE_TIMEOUT_MS)


def _fully_in_view(window, title: str) -> bool:
    """Whether column ``title`` is on screen whole, without scrolling the results sideways."""
    header, column = window.results.horizontalHeader(), next(i for i, c in enumerate(COLUMNS) if c.title == title)
    left = header.sectionViewportPosition(column)
    return not header.isSectionHidden(column) and 0 <= left and left + header.sectionSize(column) <= header.width()


def test_the_match_and_what_a_sound_designer_reads_first_fit_a_1400_px_window(qtbot, window, library):
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.search_pool)  # no later answer replaces the rows below
    worded = [dataclasses.replace(hit, tags=["door"], caption="a door creaks") for hit in window.model.hits()]
    window.model.set_hits(worded)  # the Tags and Caption fold where no row has any (tests/app/test_blank_columns.py)
    window.resize(1400, 850)
    qtbot.waitUntil(lambda: window.size().width() == 1400 and window.results.viewport().width() > 0, timeout=5_000)
    window.results.horizontalScrollBar().setValue(0)
    titles = ("Name", "Match", "Duration", "Tags", "Caption")
    qtbot.waitUntil(lambda: all(_fully_in_view(window, title) for title in titles), timeout=5_000)


def test_a_header_saved_for_the_old_column_order_does_not_scramble_the_columns(
    qtbot, earmark_home, tiny_checkpoint, tmp_path
):
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QHeaderView

    from app.main import ui_state
    from engine.facade import Engine
    from engine.paths import app_paths

    # what an older Earmark saved: Name, Duration, Format, Rate, Channels, Tags, Caption, Match, Folder,
    # sorted by Match (its 8th column), widths its own
    old = QHeaderView(Qt.Horizontal)
    old.setModel(QStandardItemModel(0, 9, old))
    for column, width in enumerate((330, 86, 100, 96, 92, 170, 220, 96, 260)):
        old.resizeSection(column, width)
    old.setSortIndicator(7, Qt.DescendingOrder)
    state = ui_state(app_paths().ensure())
    state.setValue("results/header", old.saveState())
    state.sync()
    with Engine(
        app_paths(), str(tiny_checkpoint)
    ) as engine:  # a library: its results page shows, not the first-run one
        engine.add_folder(tmp_path)

    window = open_window(qtbot, str(tiny_checkpoint))
    header = window.results.horizontalHeader()
    assert header.sortIndicatorSection() == SCORE_COLUMN and header.sortIndicatorOrder() == Qt.DescendingOrder
    widths = [header.sectionSize(c) for c in range(len(COLUMNS))]
    # the Name takes what the others leave, the empty Tags and Caption shrink, the Description is hidden
    fitted = {NAME, DESCRIPTION, TAGS, CAPTION}
    assert [w for c, w in enumerate(widths) if c not in fitted] == [
        spec.width for c, spec in enumerate(COLUMNS) if c not in fitted
    ]
    assert widths[NAME] >= COLUMNS[NAME].width
    assert [header.logicalIndex(v) for v in range(len(COLUMNS))] == list(range(len(COLUMNS)))
    window.resize(1400, 850)
    qtbot.waitUntil(lambda: _fully_in_view(window, "Match"), timeout=5_000)

    drag_section_edge(qtbot, header, SCORE_COLUMN, 90)  # what the user sets for these columns comes back
    drag_section_edge(qtbot, header, CAPTION, 400)
    window.close()
    again = open_window(qtbot, str(tiny_checkpoint))
    again.resize(1400, 850)
    qtbot.waitUntil(lambda: again.results.viewport().width() < 1200, timeout=5_000)
    assert again.results.horizontalHeader().sectionSize(SCORE_COLUMN) == 90
    assert again.results.horizontalHeader().sectionSize(CAPTION) == 400  # not fitted to the window: theirs


def test_at_1280x720_with_failed_files_and_descriptions_every_column_still_fits(qtbot, window, library):
    """The review's laptop window, the Library panel as wide as a folder with failed files asks, a Description
    shown: the Folder was scrolled out of view. The words to read and the Folder give way, then the
    Name."""
    window.resize(1280, 720)
    window.library.show_folders([dataclasses.replace(window.library._folders[0], errors=2)])
    type_query(qtbot, window, "door")
    hits = window.model.hits()
    said = [dataclasses.replace(h, metadata_text="Barn door, slow creak, rusty hinge") for h in hits]
    window.results.show_descriptions(True)  # what the client says of a library whose files say what they are
    window.model.set_hits([dataclasses.replace(said[0], path=f"/lib/take_{i:03}.wav") for i in range(200)] + said)
    view, header = window.results, window.results.horizontalHeader()
    qtbot.waitUntil(
        lambda: view.verticalScrollBar().isVisible() and not header.isSectionHidden(DESCRIPTION), timeout=5_000
    )
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=5_000)
    shown = [column.title for index, column in enumerate(COLUMNS) if not header.isSectionHidden(index)]
    assert all(_fully_in_view(window, title) for title in shown)
    assert {column.title for column in COLUMNS} - set(shown) <= {"Tags", "Caption"}  # only empty ones fold away
    assert header.sectionSize(NAME) >= NAME_LEAST


def test_at_1400x850_every_column_fits_the_results_without_scrolling_sideways(qtbot, window, library):
    """On a first start (no saved widths) the columns show whole in the default window and
    splitters, also once a long list brings its scroll bar. The Name and the Folder take what the
    others leave (UCS names were cut at 220 px), the Tags and Caption, empty here, fold away; once
    a result has a caption, the Caption comes back with room to read it."""
    window.resize(1400, 850)
    type_query(qtbot, window, "door")
    hits = window.model.hits()
    window.model.set_hits([dataclasses.replace(hits[0], path=f"/lib/take_{i:03}.wav") for i in range(200)] + hits)
    view = window.results
    qtbot.waitUntil(lambda: view.verticalScrollBar().isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0, timeout=5_000)
    assert not view.horizontalScrollBar().isVisible()
    header = view.horizontalHeader()
    blank = {"Description", "Tags", "Caption"}  # no file here says anything of itself, nor is tagged
    assert all(header.isSectionHidden(column) for column, spec in enumerate(COLUMNS) if spec.title in blank)
    assert all(_fully_in_view(window, column.title) for column in COLUMNS if column.title not in blank)
    assert header.sectionSize(NAME) > COLUMNS[NAME].width
    settle(window.client.work_pool)  # the results' own generated captions (none) are in: they do not undo this one
    window.model.set_suggested_captions({hits[0].path: "a wooden door creaks open slowly"})
    qtbot.waitUntil(
        lambda: not header.isSectionHidden(CAPTION) and header.sectionSize(CAPTION) >= COLUMNS[CAPTION].width,
        timeout=5_000,
    )
    assert view.horizontalScrollBar().maximum() == 0 and header.sectionSize(NAME) >= COLUMNS[NAME].width
    said = [dataclasses.replace(hits[0], metadata_text="Barn door, slow creak")] + window.model.hits()[1:]
    window.results.show_descriptions(True)  # a library whose files say what they are: the Description shows,
    window.model.set_hits(said)  # all still in view
    qtbot.waitUntil(lambda: not header.isSectionHidden(DESCRIPTION), timeout=5_000)
    assert view.horizontalScrollBar().maximum() == 0  # the words to read gave way first, then the Name a little
    assert header.sectionSize(NAME) >= NAME_LEAST and header.sectionSize(DESCRIPTION) >= header.sectionSizeHint(
        DESCRIPTION
    )


def test_the_description_column_shows_while_the_results_and_the_library_hold_a_description(qtbot, window, tmp_path):
    """The Description shows while a sound of the library has one and a row listed does: blank in
    every row listed, it folds once the results stay (review 18, L10; answers while the user types
    move no column: tests/app/test_blank_columns.py), and it goes once no sound of the library
    has one, also where the column widths are the user's (they froze it as the last page left it)."""
    write_library(tmp_path / "Sound Effects")
    barn = write_audio(tmp_path / "Field Recordings" / "barn_door.wav", tone(300, 1.0))
    append_riff_chunks(barn, {b"bext": bext_chunk("Barn door, slow creak, rusty hinge")})
    index_folder(qtbot, window, tmp_path / "Sound Effects")
    index_folder(qtbot, window, tmp_path / "Field Recordings")
    header = window.results.horizontalHeader()
    type_query(qtbot, window, "door")  # a ranked list's sort arrow widens the titles: both pages below have it
    type_query(qtbot, window, "rain -barn")
    rows = range(window.model.rowCount())
    assert rows and not any(window.model.index(row, DESCRIPTION).data() for row in rows)  # no file here says any
    qtbot.waitUntil(lambda: header.isSectionHidden(DESCRIPTION), timeout=5_000)
    type_query(qtbot, window, "barn door")
    assert "Barn door, slow creak, rusty hinge" in window.model.index(0, DESCRIPTION).data()
    qtbot.waitUntil(lambda: not header.isSectionHidden(DESCRIPTION), timeout=5_000)
    window.results.keep_column_widths()  # as once the user sized a column, or at a start that restores them
    window.client.remove_folder(str(tmp_path / "Field Recordings"))
    qtbot.waitUntil(lambda: header.isSectionHidden(DESCRIPTION), timeout=ENGINE_TIMEOUT_MS)  # no sound has one now


def test_the_results_line_stays_shown_under_a_message_that_keeps_coming_back(qtbot, window, library):
    said = "Cannot play through the default output: no such device"
    window.player.failed.emit(said)  # what a machine without audio output says at each sound played
    assert window.statusBar().currentMessage() == said
    type_query(qtbot, window, "door")
    assert window.statusBar().currentMessage() == said
    label = window.result_label
    # the words' matches, then what the rest are ranked by (tests/app/test_result_groups.py)
    line = r"\d+ results? for “door”(, then \d+ ranked by [a-z ]+)? · \d+ ms"
    assert label.isVisible() and re.fullmatch(line, label.text())
    assert label.shown_text() == label.text()  # whole, not elided, at the window's size
    # and the message, drawn at the left up to the results line, has the room to be read too
    assert label.geometry().left() > window.statusBar().fontMetrics().horizontalAdvance(said)


def test_a_model_that_cannot_load_is_explained_and_text_search_still_works(qtbot, earmark_home, tmp_path):
    window = open_window(qtbot, str(tmp_path / "no-such-model"))
    qtbot.waitUntil(window.banner.isVisible, timeout=ENGINE_TIMEOUT_MS)
    assert "could not be loaded" in window.banner.text.text()
    assert "Traceback" not in window.banner.text.text()
    assert "text search only" in window.model_label.text()
    window.add_folder(str(tmp_path))
    assert "pick one in Settings" in window.statusBar().currentMessage()
    window.client._load_model()  # loading again, as after a switch: the old failure no longer holds
    (tmp_path / "more").mkdir()
    window.add_folder(str(tmp_path / "more"))
    assert window.statusBar().currentMessage() == "Folder added: it is indexed as soon as the model has loaded."
    qtbot.waitUntil(lambda: window.client.model_failure != "", timeout=ENGINE_TIMEOUT_MS)  # fails again


def test_a_folder_added_while_the_model_loads_is_not_blamed_on_the_model(qtbot, window, tmp_path):
    info, window.client.model_info = window.client.model_info, None  # as in the first seconds after start
    window.add_folder(str(tmp_path))
    assert window.statusBar().currentMessage() == "Folder added: it is indexed as soon as the model has loaded."
    window.client.model_info = info
    window.client.ready.emit(info)  # loaded: the message said something no longer true (review 10)
    assert window.statusBar().currentMessage() == ""


def test_a_missing_builtin_model_says_so(qtbot, earmark_home, tmp_path, monkeypatch):
    from engine.models import registry

    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path / "not-installed")  # as in a checkout without it
    window = open_window(qtbot, "builtin")
    qtbot.waitUntil(window.banner.isVisible, timeout=ENGINE_TIMEOUT_MS)
    assert "builtin model is not installed in this copy of Earmark" in window.banner.text.text()
    assert window.banner.button.text() == "Open Settings…"


def test_settings_pick_another_model_when_the_current_one_cannot_load(qtbot, earmark_home, tmp_path, tiny_checkpoint):
    from app.settings_dialog import AudioPage, ModelPage, SettingsDialog

    window = open_window(qtbot, str(tmp_path / "no-such-model"))
    qtbot.waitUntil(window.banner.isVisible, timeout=ENGINE_TIMEOUT_MS)
    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    dialog.show()
    pages = [dialog.page_list.item(i).text() for i in range(dialog.page_list.count())]
    assert pages == ["Model", "Library", "Audio", "Vocabularies", "Fine-tune"]
    model_page = dialog.page(ModelPage)
    assert model_page.device.itemData(0) == "cpu"
    model_page.checkpoint.setChecked(True)
    model_page.checkpoint_path.setText(str(tmp_path / "still-missing"))
    dialog.accept()
    assert dialog.isVisible() and "not a folder" in dialog.error.text()  # refused, nothing lost

    model_page.checkpoint_path.setText(str(tiny_checkpoint))
    audio_page = dialog.page(AudioPage)
    audio_page.output.setCurrentIndex(audio_page.output.findData("default"))
    dialog.accept()
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    assert not window.banner.isVisible()
    name = window.client.model_info.name  # tiny_test_<the weights' fingerprint>, the index's name for it
    assert window.model_label.text() == f"Model: {tiny_checkpoint.name}" and name.startswith("tiny_test_")
    assert name in window.model_label.toolTip()
    assert window.player.device_name == "default"
    qtbot.waitUntil(lambda: window.client.engine.settings.model_spec == str(tiny_checkpoint), timeout=10_000)


def test_ok_in_settings_keeps_a_model_swapped_in_while_they_were_open(qtbot, window, tmp_path):
    from app.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    dialog.show()
    finetuned = str(tmp_path / "models" / "library-fine-tune")
    window.client.engine.settings.model_spec = finetuned  # what a fine-tune swapped in meanwhile saves
    dialog.accept()  # the Model page untouched
    settle(window.client.switch_pool)  # a switch back, had one been asked, has started now
    assert window.client.engine.status().switching is None
    assert window.client.settings().model_spec == finetuned


def test_model_download_progress_is_shown_until_the_model_is_ready(qtbot, window, tiny_checkpoint):
    """The hub itself is out of reach in tests: the engine's download callback is driven by hand."""
    from PySide6.QtWidgets import QProgressDialog

    from app.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.client, window.player, window)
    qtbot.addWidget(dialog)
    window.client.model_info = None  # as after a failed load: switching must bring it back
    dialog._switch_model(str(tiny_checkpoint))
    progress = window.findChild(QProgressDialog)
    # Larger than a 32-bit int can count in bytes, as the large CLAP checkpoints are.
    window.client._report_download("model.safetensors", 3_000_000_000, 6_000_000_000)
    qtbot.waitUntil(lambda: "3000.0 MB of 6000.0 MB" in progress.labelText(), timeout=5_000)
    assert progress.value() / progress.maximum() == pytest.approx(0.5, abs=1e-6)
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.findChild(QProgressDialog) is None, timeout=5_000)  # closed and deleted


def test_only_the_newest_search_or_find_similar_is_shown(qtbot, window, library):
    """A query asked and then overtaken by a find-similar (or a query typed on) never reaches the
    window, whether it had started or not: the window would flash results the user left behind."""
    client, shown = window.client, []
    client.results.connect(lambda query, hits, seconds: shown.append(("search", query)))
    client.similar_results.connect(lambda path, hits, seconds: shown.append(("similar", path)))
    client.search("rain", window.filter_bar.values(), 50)
    client.similar(str(library["dog_bark.wav"]), 50)
    qtbot.waitUntil(lambda: bool(shown), timeout=ENGINE_TIMEOUT_MS)
    client.search("bark", window.filter_bar.values(), 50)
    client.search("door", window.filter_bar.values(), 50)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=ENGINE_TIMEOUT_MS)
    settle(client.search_pool)  # every answer is in, and delivered were it let through
    assert shown == [("similar", str(library["dog_bark.wav"])), ("search", "door")]


def test_quitting_hides_the_window_before_waiting_for_the_work_still_running(qtbot, window):
    import threading
    import time

    release, seen = threading.Event(), []
    window.client._submit(window.client.work_pool, lambda: release.wait(30))  # work that takes its time

    def look_while_closing() -> None:  # while close() waits on the pool: is the window still up?
        deadline = time.monotonic() + 10
        while window.isVisible() and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(window.isVisible())
        release.set()

    threading.Thread(target=look_while_closing).start()
    window.close()
    assert seen == [False]


def press_similar(qtbot, window, path: Path) -> None:
    """Select ``path`` in the results and press the preview's Similar button, as a user would."""
    window.results.selectRow(window.model.row_of(str(path)))
    assert window.preview.path == str(path)
    window.preview.similar_button.click()
    qtbot.waitUntil(lambda: f"similar to {path.name}" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)


def test_similar_sounds_say_so_in_the_search_field_and_escape_goes_back_to_the_query(qtbot, window, library):
    type_query(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    field = window.search_field
    assert field.text() == ""  # not the query's words over results that are not its
    assert "dog_bark.wav" in field.placeholderText() and "Esc" in field.placeholderText()
    assert field.back_action.isVisible()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5_000)
    qtbot.keyClick(field, Qt.Key_Escape)
    qtbot.waitUntil(lambda: "for “rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert field.text() == "rain" and "dog_bark.wav" not in field.placeholderText()
    assert not field.back_action.isVisible()


def test_a_file_that_cannot_be_heard_goes_back_to_the_search_and_says_which_file(qtbot, window, library, tmp_path):
    """Random bytes named .wav, dropped for its likes: the window stayed on "Finding sounds like
    corrupt.wav…" over the last search's results, and the status bar did not name the file."""
    corrupt = tmp_path / "elsewhere" / "corrupt.wav"
    corrupt.parent.mkdir()
    corrupt.write_bytes(bytes(range(256)) * 64)
    type_query(qtbot, window, "rain")
    window.find_similar(str(corrupt))
    qtbot.waitUntil(lambda: "for “rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    field = window.search_field
    assert field.text() == "rain" and not field.back_action.isVisible()
    assert window.statusBar().currentMessage().startswith("Cannot find sounds like corrupt.wav: ")


def test_the_back_button_and_enter_in_the_emptied_field_go_back_to_the_query(qtbot, window, library):
    type_query(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    window.search_field.back_action.trigger()
    qtbot.waitUntil(lambda: "for “rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.search_field.text() == "rain"
    press_similar(qtbot, window, library["sine_beep.wav"])
    qtbot.keyClick(window.search_field, Qt.Key_Return)
    qtbot.waitUntil(lambda: "for “rain”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.search_field.text() == "rain"


def test_the_match_of_a_similar_sound_says_how_alike_it_sounds(qtbot, window, library):
    type_query(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    tip = window.model.index(0, SCORE_COLUMN).data(Qt.ToolTipRole)
    assert tip.startswith(f"Match {window.model.hit(0).score:.0f} of 100 for how much it sounds like dog_bark.wav")
    assert "100 is the same sound" in tip and "rank among" not in tip


def test_typing_in_similar_mode_searches_the_new_words(qtbot, window, library):
    type_query(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    qtbot.keyClicks(window.search_field, "beep")
    qtbot.waitUntil(lambda: "for “beep”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert "dog_bark.wav" not in window.search_field.placeholderText()
    assert not window.search_field.back_action.isVisible()
    window.save_state()
    assert window.ui_state.value("search/last_query") == "beep"


def test_the_last_query_is_saved_while_similar_sounds_are_shown(qtbot, window, library):
    type_query(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    window.save_state()
    assert window.ui_state.value("search/last_query") == "rain"


def test_the_reference_sound_stays_in_the_preview_to_compare_with(qtbot, window, library, tmp_path):
    type_query(qtbot, window, "rain")
    press_similar(qtbot, window, library["dog_bark.wav"])
    settle(window.client.search_pool)
    assert "dog_bark.wav" not in names(window)  # not among its own results...
    assert window.preview.path == str(library["dog_bark.wav"])  # ...but still there to play
    assert window.preview.title.text() == "dog_bark.wav"
    window.results.selectRow(0)  # a result is auditioned; unselected, the reference comes back
    assert window.preview.path != str(library["dog_bark.wav"])
    window.results.selectionModel().clear()
    assert window.preview.path == str(library["dog_bark.wav"])


def test_a_dropped_file_is_shown_in_the_preview_with_its_similar_sounds(qtbot, window, library, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    outside = write_audio(tmp_path / "elsewhere" / "bark_again.wav", tone(610, 0.6))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside))])
    window.dropEvent(QDropEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    qtbot.waitUntil(lambda: "similar to bark_again.wav" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.preview.path == str(outside)
    assert "bark_again.wav" in window.search_field.placeholderText()


def test_the_filters_apply_to_similar_sounds_and_a_changed_filter_asks_again(qtbot, window, library):
    type_query(qtbot, window, "beep")
    window.filter_bar.max_duration.setValue(1.1)  # the 4 s bark and the 1.2 s rain are too long
    qtbot.waitUntil(lambda: "dog_bark.wav" not in names(window), timeout=ENGINE_TIMEOUT_MS)
    press_similar(qtbot, window, library["sine_beep.wav"])
    settle(window.client.search_pool)
    assert names(window) == ["door_creak_wooden.wav"]
    window.filter_bar.max_duration.setValue(0.0)  # any length again: still the sounds like the beep
    qtbot.waitUntil(lambda: "dog_bark.wav" in names(window), timeout=ENGINE_TIMEOUT_MS)
    assert "similar to sine_beep.wav" in window.result_label.text()
    assert sorted(names(window)) == ["dog_bark.wav", "door_creak_wooden.wav", "rain_on_glass.flac"]
    assert window.search_field.text() == "" and "sine_beep.wav" in window.search_field.placeholderText()


def test_a_search_no_name_or_meaning_matched_says_its_sounds_are_ranked_by_sound_alone(qtbot, window, library):
    """When no file's words nor their meaning match, every file is ranked by how it sounds: the
    count is the library's and says nothing, so the line says what the list is instead."""
    from engine.search.searcher import SearchResults

    type_query(qtbot, window, "whoosh")
    hits = window.model.hits()
    # the tiny random model finds a meaning in any name: what a real one answers for "whoosh" here
    by_sound = SearchResults([dataclasses.replace(h, text_rank=None, meaning_rank=None) for h in hits])
    assert all(h.vector_rank for h in by_sound)
    window.client.results.emit("whoosh", by_sound, 0.012)
    assert window.result_label.text() == (
        f"No file is named so or close to it: {len(hits)} sounds ranked by how they sound, for “whoosh” · 12 ms"
    )
    named = SearchResults([dataclasses.replace(by_sound[0], text_rank=1), *by_sound[1:]])
    window.client.results.emit("whoosh", named, 0.012)  # one file's words match: one result, then the rest
    assert window.result_label.text() == (
        f"1 result for “whoosh”, then {len(hits) - 1} ranked by how they sound · 12 ms"
    )
    # a name's meaning is no word of it either: a list ranked by it too is still named by none
    meant = SearchResults([dataclasses.replace(by_sound[0], meaning_rank=1), *by_sound[1:]])
    window.client.results.emit("whoosh", meant, 0.012)
    ranked = f"{len(hits)} sounds ranked by how they sound and what their names mean"
    assert window.result_label.text() == f"No file is named so: {ranked}, for “whoosh” · 12 ms"


def test_a_rescan_that_changes_nothing_does_not_search_again_and_one_that_adds_a_sound_does(
    qtbot, window, library, tmp_path
):
    """Every launch rescans the library once the model is ready: when nothing changed, the results
    shown stand (the whole search ran a second time, half a second after the first); a new sound
    asks again."""
    type_query(qtbot, window, "door")
    asked: list[str] = []
    window.client.results.connect(lambda query, _hits, _seconds: asked.append(query))
    reports: list = []
    window.client.index_finished.connect(reports.append)
    window.client.index()
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=ENGINE_TIMEOUT_MS)
    qtbot.wait(300)  # a search asked again would have answered by now
    assert reports[0].unchanged == len(library) and asked == []
    write_audio(tmp_path / "Sound Effects" / "door_slam_metal.wav", tone(300, 0.5))
    window.client.index()
    qtbot.waitUntil(lambda: len(reports) == 2 and asked == ["door"], timeout=ENGINE_TIMEOUT_MS)
    assert "door_slam_metal.wav" in [Path(hit.path).name for hit in window.model.hits()]


def test_a_switch_that_ends_after_the_window_closed_loads_nothing(qtbot, window):
    """A switch's end, queued to the UI thread, can arrive after the client shut its engine down
    (the window closed as the switch ended): loading the new model then raised AttributeError."""
    failures = []
    window.client.unavailable.connect(failures.append)
    window.client.shutdown()
    window.client._switch_done.emit("")  # as the switch thread signals its end
    qtbot.wait(200)
    assert window.client.engine is None and failures == [] and window.client.model_failure == ""
