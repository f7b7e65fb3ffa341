"""What the names mean: the words table follows the files (every change, only what changed),
on a real LanceDB with the real tiny model's words space, and through a real index run."""

from __future__ import annotations

import os

import pytest

from engine.facade import Engine
from engine.index.word_vectors import sync_word_vectors
from engine.paths import app_paths
from engine.search.searcher import MEANING, Searcher
from tests.engine.index.index_factories import open_store, record
from tests.factories import tone, write_audio


@pytest.fixture(scope="module")
def tiny_model(tiny_checkpoint):
    from engine.models.cacophony.backend import CacophonyBackend

    return CacophonyBackend.from_checkpoint(tiny_checkpoint)


class CountingEmbed:
    """The model's embed_words, remembering every text it was asked for."""

    def __init__(self, model):
        self.model, self.texts = model, []

    def __call__(self, texts):
        self.texts.extend(texts)
        return self.model.embed_words(texts)


def test_sync_embeds_each_text_once_and_follows_every_change(store, tiny_model):
    door, take, dog, dog2 = store.upsert_files(
        [
            record("Door03_Creak.wav"),
            record("Take_017.wav", metadata_text="Wooden door, slow"),
            record("dog_bark.wav"),
            record("Dogs/dog_bark.wav"),
        ]
    )
    embed = CountingEmbed(tiny_model)
    assert sync_word_vectors(store, "tiny", embed) == 4
    table = store.word_vectors("tiny")
    assert table.texts() == store.file_texts()
    assert table.texts()[door.id] == ("door creak",) and table.texts()[take.id] == ("wooden door slow",)  # no "take"
    assert sorted(embed.texts) == sorted(set(embed.texts))  # the two dog_bark names: one text, embedded once

    embed.texts.clear()
    assert sync_word_vectors(store, "tiny", embed) == 0 and embed.texts == []  # nothing changed, nothing embedded

    store.set_tags([dog.id], ["Barking"])
    store.delete_files([door.id])
    assert sync_word_vectors(store, "tiny", embed) == 1
    assert embed.texts == ["barking"]  # only the new description; the name's vector is kept
    assert table.texts() == store.file_texts() and door.id not in table.texts()
    assert table.count() == 1 + 2 + 1  # take: its description only; dog: name + description; dog2: name


def test_numbers_say_nothing_of_what_a_name_means(store, tiny_model):
    """Take and variation numbers are left out of the meaning: numbered takes of one sound share
    one text (embedded once), and a name of numbers alone has no meaning row."""
    first, second, numbers = store.upsert_files([record("hit_03.wav"), record("Hit04.wav"), record("0017.wav")])
    embed = CountingEmbed(tiny_model)
    assert sync_word_vectors(store, "tiny", embed) == 2
    texts = store.word_vectors("tiny").texts()
    assert texts[first.id] == texts[second.id] == ("hit",) and numbers.id not in texts
    assert embed.texts == ["hit"]
    assert store.get_file(numbers.path) is not None and store.full_text("0017", None, 5)[0].tolist() == [numbers.id]


def test_a_sync_of_a_few_files_reads_and_writes_only_theirs(store, tiny_model):
    door, dog = store.upsert_files([record("door_creak.wav"), record("dog_bark.wav")])
    sync_word_vectors(store, "tiny", tiny_model.embed_words)
    store.set_tags([door.id, dog.id], ["loud"])
    embed = CountingEmbed(tiny_model)
    assert sync_word_vectors(store, "tiny", embed, file_ids=[dog.id]) == 1
    texts = store.word_vectors("tiny").texts()
    assert texts[dog.id] == store.file_texts()[dog.id] and embed.texts == ["loud"]
    assert texts[door.id] == ("door creak",)  # not asked for: left to the next sync
    assert sync_word_vectors(store, "tiny", embed, file_ids=[]) == 0  # no file: nothing read or written
    assert sync_word_vectors(store, "tiny", embed) == 1 and store.word_vectors("tiny").texts() == store.file_texts()


def test_rows_written_twice_by_two_syncs_are_written_once_again(store, tiny_model):
    [door] = store.upsert_files([record("door_creak.wav")])
    sync_word_vectors(store, "tiny", tiny_model.embed_words)
    table = store.word_vectors("tiny")
    vectors = {"door creak": tiny_model.embed_words(["door creak"])[0]}
    table.table.add(table.table.search().limit(None).to_arrow())  # a second writer's append of the same rows
    assert table.count() == 2
    assert sync_word_vectors(store, "tiny", tiny_model.embed_words) == 1 and table.count() == 1
    assert set(vectors) == set(table.texts()[door.id])


def test_an_index_run_a_rename_and_a_tag_edit_keep_the_meaning_current(tmp_path, tiny_checkpoint):
    library = tmp_path / "Library"
    write_audio(library / "Whooshes" / "sword_slash.wav", tone(300, 0.5))
    write_audio(library / "rain_loop.wav", tone(500, 0.5))
    with Engine(app_paths(tmp_path / "home"), str(tiny_checkpoint)) as engine:
        engine.add_folder(library)
        engine.index()
        table = engine.store.word_vectors(engine.model.info.name)
        texts = sorted(t for texts in table.texts().values() for t in texts)
        assert texts == ["rain", "sword slash"]  # "loop" says how the file was cut, not what it is

        os.rename(library / "rain_loop.wav", library / "thunder_crack.wav")
        engine.index()
        assert sorted(t for texts in table.texts().values() for t in texts) == ["sword slash", "thunder crack"]

        engine.set_tags([library / "thunder_crack.wav"], ["storm"])  # searchable by meaning at once
        assert sorted(t for texts in table.texts().values() for t in texts) == [
            "storm",
            "sword slash",
            "thunder crack",
        ]
        hits = Searcher(engine.store, engine.model).search("thunder crack", rankings=frozenset({MEANING}))
        assert hits[0].name == "thunder_crack.wav" and hits[0].meaning_score == pytest.approx(1.0, abs=1e-4)


def test_a_watcher_batch_brings_only_its_own_files_meaning_up_to_date(tmp_path, tiny_checkpoint):
    from engine.library.indexer import Indexer

    library = tmp_path / "Library"
    write_audio(library / "sword_slash.wav", tone(300, 0.5))
    write_audio(library / "rain_loop.wav", tone(500, 0.5))
    with Engine(app_paths(tmp_path / "home"), str(tiny_checkpoint)) as engine:
        engine.add_folder(library)
        engine.index()
        table = engine.store.word_vectors(engine.model.info.name)
        slash = engine.store.get_file(str(library / "sword_slash.wav"))
        engine.store.set_tags([slash.id], ["whoosh"])  # written beside the engine: its meaning is stale now

        os.rename(library / "rain_loop.wav", library / "thunder_crack.wav")
        batch = [str(library / "rain_loop.wav"), str(library / "thunder_crack.wav")]  # what the watcher saw
        Indexer(engine.store, engine.model).index(batch)
        texts = table.texts()
        thunder = engine.store.get_file(str(library / "thunder_crack.wav"))
        assert texts[thunder.id] == ("thunder crack",) and len(texts) == 2  # the renamed file, and no stale row
        assert texts[slash.id] == ("sword slash",)  # outside the batch: not read, left to a full run
        engine.index()
        assert table.texts() == engine.store.file_texts()


def test_a_dropped_words_table_is_made_again_by_the_next_sync(store, tiny_model):
    store.upsert_files([record("door_creak.wav"), record("dog_bark.wav")])
    sync_word_vectors(store, "tiny", tiny_model.embed_words)
    store.drop_word_vectors("tiny")
    assert store.word_vectors("tiny") is None  # the table, its size and the store's handle are gone
    assert sync_word_vectors(store, "tiny", tiny_model.embed_words) == 2
    assert store.word_vectors("tiny").texts() == store.file_texts()


def test_a_files_meaning_holds_the_words_of_its_folder(tmp_path):
    """What the names mean reads a file with its folder: a bgm track, not a "track" (review 12, H1)."""
    store = open_store(tmp_path)
    (track,) = store.upsert_files([record("bgm/track6.ogg")])
    assert store.file_texts()[track.id] == ("track bgm",)
