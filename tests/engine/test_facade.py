"""The Engine facade end to end: real files, real LanceDB, the tiny models."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import threading

import pytest

from engine import facade
from engine.facade import Engine
from engine.index.migrations import VERSION_KEY, SchemaVersionError
from engine.index.records import ERROR, OK
from engine.index.schema import SCHEMA_VERSION
from engine.index.store import LibraryStore
from engine.logs import entry_logging
from engine.models import registry
from engine.models.base import AISFX_BLOCKS
from engine.paths import app_paths
from engine.search.filters import SearchFilters
from engine.settings import Settings
from tests.engine.index.index_factories import model_info, windows
from tests.engine.models.tiny_clap import make_tiny_clap
from tests.factories import make_tiny_cacophony_checkpoint, noise, tone, write_audio


@pytest.fixture
def engine(tmp_path, tiny_checkpoint, library):
    with Engine(app_paths(tmp_path / "home"), str(tiny_checkpoint)) as engine:
        engine.add_folder(library)
        yield engine


def names(hits):
    return [os.path.basename(h.path) for h in hits]


def test_index_then_search_with_filters(engine, library):
    report = engine.index()
    assert (report.added, len(report.errors)) == (4, 1)
    hits = engine.search("door creak")
    assert names(hits)[0] == "door_creak.wav" and hits[0].text_rank == 1 and hits[0].vector_rank is not None
    assert hits.text_only == ""
    assert (hits[0].best_start_s, hits[0].best_end_s) == (None, None)  # found by its name: it plays from its start
    assert set(names(hits)) <= {"door_creak.wav", "dog_bark.wav", "rain_on_roof.flac", "stereo_bell.wav"}
    assert names(engine.search("sound", SearchFilters(channels=2))) == ["stereo_bell.wav"]
    assert names(engine.search("sound", SearchFilters(format="flac"))) == ["rain_on_roof.flac"]
    assert names(engine.search("sound", SearchFilters(folder=str(library / "rain")))) == ["rain_on_roof.flac"]
    assert set(names(engine.search("sound", SearchFilters(min_duration_s=1.8)))) == {
        "door_creak.wav",
        "rain_on_roof.flac",
    }
    assert names(engine.failed_files()) == ["broken.wav"] and engine.failed_files()[0].status == ERROR


def test_folders_nested_refused_parent_absorbs(engine, library, tmp_path):
    engine.index()
    with pytest.raises(ValueError, match="already in the library"):
        engine.add_folder(library / "rain")
    with pytest.raises(ValueError, match="not a folder"):
        engine.add_folder(tmp_path / "missing")
    rain_id = engine.store.get_file(str(library / "rain" / "rain_on_roof.flac")).id
    engine.add_folder(tmp_path)  # contains the library folder: takes it over
    assert [f.path for f in engine.folders()] == [str(tmp_path)]
    report = engine.index()
    assert report.embedded == 0 and report.added == 0  # nothing re-embedded
    assert engine.store.get_file(str(library / "rain" / "rain_on_roof.flac")).id == rain_id
    status = engine.folders()[0]
    assert (status.files, status.errors, status.online) == (4, 1, True)
    assert engine.remove_folder(tmp_path) == 5 and engine.folders() == [] and engine.store.count_files() == 0
    with pytest.raises(ValueError, match="not a library folder"):
        engine.remove_folder(tmp_path)


def test_similar_for_library_and_outside_files(engine, library, tmp_path):
    engine.index()
    hits = engine.similar(library / "dog_bark.wav", limit=10)
    assert "dog_bark.wav" not in names(hits) and len(hits) == 3
    outside = write_audio(tmp_path / "elsewhere" / "bark_copy.wav", tone(900, 1.0))
    hits = engine.similar(outside, limit=2)
    assert names(hits)[0] == "dog_bark.wav" and hits[0].score == pytest.approx(100.0, abs=1e-2)
    long_outside = write_audio(tmp_path / "elsewhere" / "long.wav", noise(90.0))  # more windows than it samples
    assert len(engine.similar(long_outside, limit=4)) == 4
    # a library file whose windows are not stored yet (its embedding still to come) is heard now
    dog = engine.store.get_file(str(library / "dog_bark.wav"))
    engine.store.embeddings(engine.model_info).delete([dog.id])
    hits = engine.similar(library / "dog_bark.wav", limit=10)
    assert "dog_bark.wav" not in names(hits) and len(hits) == 3


def test_file_info_tags_and_caption(engine, library, tmp_path):
    engine.index()
    info = engine.file_info(library / "door_creak.wav")
    assert info.record.status == OK and info.facts.duration_s == 2.0 and info.windows >= 2 and info.error == ""
    engine.set_tags([library / "door_creak.wav", library / "dog_bark.wav"], ["foley", " foley", "keeper"])
    engine.set_caption(library / "dog_bark.wav", "a small dog yapping twice")
    assert engine.file_info(library / "dog_bark.wav").record.tags == ["foley", "keeper"]
    assert set(names(engine.search("sound", SearchFilters(tag="keeper")))) == {"door_creak.wav", "dog_bark.wav"}
    assert names(engine.search("yapping"))[0] == "dog_bark.wav"
    outside = engine.file_info(tmp_path / "nothing.wav")
    assert outside.record is None and outside.error == "file not found"
    with pytest.raises(KeyError):
        engine.set_tags([tmp_path / "nothing.wav"], ["x"])


def test_tags_and_caption_written_at_once_both_survive(engine, library):
    engine.index()
    path = str(library / "door_creak.wav")
    for round_ in range(5):
        tags, caption = [f"tag{round_}"], f"caption {round_}"
        writers = [
            threading.Thread(target=engine.set_tags, args=([path], tags)),
            threading.Thread(target=engine.set_caption, args=(path, caption)),
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        record = engine.file_info(path).record
        assert (record.tags, record.caption) == (tags, caption)


def test_an_edit_during_a_long_index_waits_for_one_commit_not_the_run(engine, library):
    engine.index()
    door = library / "door_creak.wav"
    write_audio(door, tone(950, 1.5))  # changed content: re-embedded by the next run
    for i in range(20):
        write_audio(library / "many" / f"take{i:02d}.wav", tone(200 + 10 * i, 1.0))
    embedding, edited, results = threading.Event(), threading.Event(), []

    def progress(event):
        if event.phase == "embedding" and not embedding.is_set():
            embedding.set()
            edited.wait(30)  # the run stays in the middle until the edit is through

    worker = threading.Thread(target=lambda: results.append(engine.index(progress=progress)))
    worker.start()
    assert embedding.wait(60)
    editor = threading.Thread(target=engine.set_tags, args=([door], ["keeper"]))
    editor.start()
    editor.join(15)
    finished_mid_run = not editor.is_alive()
    edited.set()
    editor.join(60)
    worker.join(120)
    assert finished_mid_run and worker.is_alive() is False
    assert results[0].updated == 1 and results[0].added == 20
    assert engine.file_info(door).record.tags == ["keeper"]  # the re-embedded row kept the edit


def test_status_counts_and_models(engine):
    engine.index()
    status = engine.status()
    assert (status.files, status.errors, status.offline) == (4, 1, 0)
    assert status.model_name == engine.model_info.name and status.indexed_models == {engine.model_info.name: 16}
    assert not status.watching and status.switching is None


def test_status_tells_a_likeness_space_from_the_models(engine):
    """Review 17: ``earmark status`` listed "aisfx_blocks_v1" among the models whose vectors it
    keeps; it is find similar's space, shared by every model with a UCS bridge."""
    engine.index()
    bridged = model_info("bridged", dim=4, likeness=AISFX_BLOCKS)
    door = next(iter(engine.store.get_files(engine.store.file_ids(f"status = '{OK}'")[:1]).values()))
    engine.store.commit_embedded(bridged, [(door, windows(1, dim=4, likeness_dim=3))])
    status = engine.status()
    assert status.indexed_models == {engine.model_info.name: 16, "bridged": 4}
    assert status.likeness_spaces == [AISFX_BLOCKS.name]


def test_missing_model_still_searches_text(engine, tmp_path, monkeypatch):
    engine.index()
    monkeypatch.setattr(registry, "BUILTIN_DIR", tmp_path / "no-builtin")
    with Engine(engine.paths, "builtin") as without_model:
        hits = without_model.search("door creak")
        assert names(hits) == ["door_creak.wav"] and hits[0].vector_rank is None and hits[0].text_rank == 1
        assert "builtin model is not installed" in hits.text_only and hits.text_only == without_model.model_error
        with pytest.raises(registry.ModelLoadError):
            without_model.index()


def test_damaged_model_still_searches_text(engine, tiny_checkpoint, tmp_path, monkeypatch):
    engine.index()
    damaged = tmp_path / "damaged-model"
    damaged.mkdir()
    for item in tiny_checkpoint.iterdir():
        if item.is_file():
            (damaged / item.name).write_bytes(item.read_bytes())
    (damaged / "config.json").write_text(json.dumps({"model": {"width": "wide"}}))
    with Engine(engine.paths, str(damaged)) as with_broken_model:
        hits = with_broken_model.search("door creak")
        assert names(hits) == ["door_creak.wav"] and hits[0].vector_rank is None
        assert "could not load model" in with_broken_model.model_error
        shutil.copytree(tiny_checkpoint, damaged, dirs_exist_ok=True)  # mended meanwhile
        # the next keystroke's search does not read the checkpoint again: a failed load waits its minute
        assert with_broken_model.search("door creak").text_only
    monkeypatch.setattr(facade, "RETRY_LOAD_SECONDS", 0.0)
    (damaged / "config.json").write_text(json.dumps({"model": {"width": "wide"}}))
    with Engine(engine.paths, str(damaged)) as with_broken_model:
        assert with_broken_model.search("door creak").text_only
        shutil.copytree(tiny_checkpoint, damaged, dirs_exist_ok=True)
        assert not with_broken_model.search("door creak").text_only  # once the minute is up, it is tried again


def test_switch_model_reembeds_in_background_and_flips_when_complete(engine, tmp_path):
    engine.index()
    old = engine.model_info
    clap = make_tiny_clap(tmp_path / "clap")
    first_slice = threading.Event()
    release = threading.Event()

    def progress(job):
        first_slice.set()
        release.wait(60)

    job = engine.switch_model(f"clap:{clap}", progress)
    assert first_slice.wait(120), job.error
    # the new table is complete but not yet flipped: searches still use the old model
    assert engine.model_info == old and not job.finished
    hits = engine.search("door creak")
    assert hits and hits[0].vector_rank is not None
    assert engine.status().switching == job.state and not job.state.finished
    assert json.loads(json.dumps(dataclasses.asdict(engine.status())))["switching"]["spec"] == f"clap:{clap}"
    release.set()
    assert job.wait(120) and job.error == ""
    new = engine.model_info
    assert new.backend == "clap" and new.embedding_dim == 12 and job.done == 4 and job.total == 4
    assert len(engine.store.embeddings(new).file_ids()) == 4 and len(engine.store.embeddings(old).file_ids()) == 4
    assert engine.search("door creak")[0].vector_rank is not None
    assert json.loads(engine.paths.settings_file.read_text())["model_spec"] == f"clap:{clap}"
    with Engine(engine.paths) as reopened:
        assert reopened.model_spec == f"clap:{clap}"


def test_a_switch_says_each_file_it_has_heard(engine, tmp_path):
    """Review 15's Fine-tune page read "loading it" through most of a switch, which reported only
    after a slice of 256 files: it now says how many it must hear once the model is loaded, then
    each file."""
    engine.index()
    heard = []
    job = engine.switch_model(
        str(make_tiny_cacophony_checkpoint(tmp_path / "other", seed=5)),
        lambda job: heard.append((job.done, job.total, job.finished)),
    )
    assert job.wait(120) and job.error == ""
    assert heard[0] == (0, 4, False)
    counted = [done for done, _, finished in heard if not finished]
    assert counted == sorted(counted) and {1, 2, 3, 4} <= set(counted)
    assert heard[-1] == (4, 4, True)


def test_switch_keeps_files_added_meanwhile(engine, library, tmp_path):
    """A file indexed with the old model while the switch runs is embedded by the new one before the flip."""
    engine.index()
    other = make_tiny_cacophony_checkpoint(tmp_path / "other", seed=3)
    added = threading.Event()

    def progress(job):
        if not added.is_set():
            write_audio(library / "late.wav", tone(1500, 1.0))
            engine.index()  # with the old model, once the new one is loaded
            added.set()

    job = engine.switch_model(str(other), progress)
    assert job.wait(120) and job.error == "" and added.is_set()
    late = engine.store.get_file(str(library / "late.wav"))
    assert late.id in set(engine.store.embeddings(engine.model_info).file_ids().tolist())
    assert engine.model_info.name.startswith("tiny_test_")


def test_cancelled_switch_changes_nothing(engine, tmp_path):
    engine.index()
    old = engine.model_info
    job = engine.switch_model(str(make_tiny_cacophony_checkpoint(tmp_path / "other", seed=4)), lambda job: job.cancel())
    assert job.wait(120) is True and engine.model_info == old
    assert engine.settings.model_spec == "builtin"  # never saved


def test_a_switch_to_the_active_model_on_its_device_only_saves_the_choice(tmp_path, library, tiny_checkpoint):
    """The settings dialog's OK and `earmark models --use` switch to the model in use as readily as
    to another one, which used to load a second copy of it; only another device is worth a load."""
    paths = app_paths(tmp_path / "home")
    Settings(model_spec=str(tiny_checkpoint)).save(paths.settings_file)
    with Engine(paths, "builtin") as engine:  # `earmark --model builtin`: the saved choice is another
        engine.add_folder(library)
        engine.index()
        active, heard = engine.model, []
        job = engine.switch_model("builtin", heard.append)
        assert job.wait(120) and engine.model is active  # no second copy loaded and flipped in
        assert heard == [job] and (job.error, job.done, job.total) == ("", 0, 0)  # told at once, as the app waits
        assert engine.status().switching == job.state
        assert Settings.load(paths.settings_file).model_spec == "builtin"
        engine.settings.device = "cpu:0"  # another name for the CPU: a device of its own on every machine
        job = engine.switch_model("builtin")
        assert job.wait(120) and job.error == "" and engine.model is not active
        moved = engine.model
        assert engine.switch_model("builtin").finished and engine.model is moved


def test_remove_folder_stops_a_running_index_instead_of_waiting(engine, library):
    for i in range(40):
        write_audio(library / "many" / f"take{i:02d}.wav", tone(200 + 10 * i, 1.0))
    embedding = threading.Event()
    results = []

    def progress(event):
        if event.phase == "embedding":
            embedding.set()

    worker = threading.Thread(target=lambda: results.append(engine.index(progress=progress)))
    worker.start()
    assert embedding.wait(60)
    engine.remove_folder(library)  # the run stops for it (how many rows it held depends on the moment)
    worker.join(60)
    assert results[0].stopped and results[0].added < 44
    assert engine.store.count_files() == 0 and engine.folders() == []
    assert len(engine.store.embeddings(engine.model_info).file_ids()) == 0


def test_the_engine_leaves_logging_to_its_host(tmp_path, tiny_checkpoint):
    """Opening and closing an engine, or an open the index refuses, neither adds a log handler nor
    removes the one the app (the host) installed on the same log file."""
    paths = app_paths(tmp_path / "home")
    root = logging.getLogger()
    with entry_logging(paths.logs):
        before = list(root.handlers)
        Engine(paths, str(tiny_checkpoint)).close()
        assert root.handlers == before
        LibraryStore(paths.index).meta.set(VERSION_KEY, SCHEMA_VERSION + 1)
        with pytest.raises(SchemaVersionError):
            Engine(paths, str(tiny_checkpoint))
        assert root.handlers == before


def test_a_saved_device_this_machine_lacks_is_named(engine, tmp_path):
    """A setting saved on a machine with a GPU, read on one without: the search says which setting."""
    engine.index()
    engine.settings.device = "cuda:7"
    engine.settings.save(engine.paths.settings_file)
    with Engine(engine.paths) as elsewhere:
        hits = elsewhere.search("door creak")
        assert names(hits)[0] == "door_creak.wav"
        assert "compute device 'cuda:7' is not available here" in hits.text_only and "Settings" in hits.text_only


def test_the_warm_up_search_leaves_a_damaged_index_for_the_users_search_to_report(tmp_path, tiny_checkpoint, caplog):
    """The app warms the search up on the model's worker (its first search paid for the tables'
    first reads): on a damaged index that search fails, and failing there would read as the model
    failing to load. It logs; the user's own search says what is damaged."""
    from tests.engine.index.damage import data_files, tagged_index, truncate, vector_table

    home = tmp_path / "home"
    tagged_index(home, tmp_path / "library", tiny_checkpoint, files=5)
    with Engine(app_paths(home), str(tiny_checkpoint)) as engine:
        engine.model  # noqa: B018 - loaded, as when the app warms up
        for path in data_files(home, vector_table(home)):
            truncate(path)
        with caplog.at_level(logging.WARNING, logger="engine.facade"):
            engine.warm_up()
        assert "warming the search up failed" in caplog.text
        with pytest.raises(Exception, match="(?i)lance|damaged"):  # the host diagnoses it (app, CLI)
            engine.search("clip")
