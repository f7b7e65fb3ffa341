"""Pairs from a library's own text: names through the one tokeniser, UCS category words, folder
context, BWF descriptions read from real files, tags and captions; names that say nothing are
left out; whole folders are held out."""

from __future__ import annotations

import os

import pytest

from engine.index.records import FileRecord
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk
from tests.factories import tone, write_audio
from trainer.data.manifest import Item
from trainer.library.pairs import (
    library_pairs,
    name_caption_words,
    record_item,
    says_nothing,
    split_by_folder,
    split_unit,
    splits_by_folder,
)


@pytest.mark.parametrize(
    "name",
    [
        "Take_017.wav",
        "ZOOM0001.WAV",
        "STE-003.wav",
        "Audio 01.aif",
        "Track 12.wav",
        "New Recording 12.m4a",
        "2021-03-04 10.22.wav",
        "DR0000_0001.WAV",
        "Scene1_Take3.wav",
        "H4n_0042.wav",
        "untitled.wav",
        "a8f3c9d2.wav",
    ],
)
def test_names_that_say_nothing(name):
    assert says_nothing(name)
    assert name_caption_words(f"/lib/x/{name}") == []


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Door_Creak_01.wav", "door creak"),
        ("wind_take3.wav", "wind"),  # the take marker goes, the sound stays
        ("Race_Track_Ambience.wav", "race track ambience"),  # a recorder's word inside a real name stays
        ("DOORWood_Creak Heavy_ACME_PRJ.wav", "creak heavy doors wood"),  # FX name + CatID words, no creator/source
        ("AMBForst_ZOOM0001_ME.wav", "ambience forest"),  # a UCS name with a recorder's FX name: its category
        ("MetalImpactBig03.flac", "metal impact big"),
        ("Shot_01.wav", "shot"),  # a gunshot, not a film take
        ("roll_sound.wav", "roll"),
    ],
)
def test_names_that_describe(name, expected):
    assert not says_nothing(name)
    assert " ".join(name_caption_words(f"/lib/x/{name}")) == expected


def record(path, folder, **fields) -> FileRecord:
    return FileRecord(path=str(path), folder=str(folder), **fields)


def test_caption_is_the_name_with_its_folders_as_context(tmp_path):
    library = tmp_path / "Sound Effects"
    path = write_audio(library / "Doors" / "Wood Heavy" / "Creak_Slow_03.wav", tone())
    item = record_item(record(path, library), None)
    assert item.captions == ["creak slow, doors wood heavy"]
    assert item.tags == []


def test_only_the_nearest_two_folders_are_context(tmp_path):
    library = tmp_path / "lib"
    path = write_audio(library / "Boom Library" / "Cinematic Metal" / "Impacts" / "Heavy" / "Hit_Big_01.wav", tone())
    assert record_item(record(path, library), None).captions == ["hit big, impacts heavy"]


def test_description_tags_and_caption_join_the_text_and_a_bare_title_does_not(tmp_path):
    library = tmp_path / "lib"
    path = write_audio(library / "Harbour" / "Harbour_Night_01.wav", tone())
    append_riff_chunks(
        path, {b"bext": bext_chunk("Waves lapping at a wooden pier, gulls far off", "Sound Devices 833")}
    )
    from engine.audio.metadata import read_metadata

    item = record_item(
        record(path, library, tags=["water", "pier"], caption="  waves  against a pier "), read_metadata(path)
    )
    assert item.captions == ["harbour night", "Waves lapping at a wooden pier, gulls far off", "waves against a pier"]
    assert item.tags == ["water", "pier"]  # keyword-to-caption text at training time
    assert "Sound Devices" not in " ".join(item.captions)  # the originator is not a description


def test_a_name_that_says_nothing_trains_only_on_its_own_other_text(tmp_path):
    library = tmp_path / "lib"
    silent = write_audio(library / "Rain" / "ZOOM0001.WAV", tone())
    assert record_item(record(silent, library), None) is None  # the folder alone is not its text
    tagged = record_item(record(silent, library, tags=["rain"]), None)
    assert tagged.captions == [] and tagged.tags == ["rain"]


def test_library_pairs_hold_out_whole_folders_and_leave_out_silent_names(tmp_path):
    from tests.finetune_library import SAYS_NOTHING, write_named_library

    root = write_named_library(tmp_path / "lib", folders_per_kind=3, files_per_folder=4)
    records = [record(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files]
    pairs = library_pairs(records, val_fraction=0.2, min_train=10, min_val=4)
    assert sorted(os.path.basename(p) for p in pairs.says_nothing) == sorted(SAYS_NOTHING)
    train_folders = {str(item.audio.parent) for item in pairs.train}
    val_folders = {str(item.audio.parent) for item in pairs.val}
    assert val_folders and not train_folders & val_folders
    assert set(pairs.val_folders) == val_folders
    assert 0.1 <= len(pairs.val) / len(pairs.items) <= 0.3
    assert all(item.split == "val" for item in pairs.val) and all(item.split == "train" for item in pairs.train)
    again = library_pairs(list(reversed(records)), val_fraction=0.2, min_train=10, min_val=4)
    assert again.val_folders == pairs.val_folders  # a resumed or repeated run holds out the same folders


def test_too_little_text_is_a_clear_error(tmp_path):
    library = tmp_path / "lib"
    records = [record(write_audio(library / f"d{i}" / f"Take_{i:03d}.wav", tone()), library) for i in range(5)]
    with pytest.raises(ValueError, match="names that say nothing"):
        library_pairs(records)


def test_one_folder_is_split_by_name_keeping_numbered_variants_together(tmp_path):
    items = [
        Item(tmp_path / f"{name}_{i:02d}.wav", [name])
        for name in ("door", "glass", "wind", "fire", "rain")
        for i in range(4)
    ]
    train, val, held = split_by_folder(items, val_fraction=0.2)
    assert len(val) == 4 and len(held) == 1
    assert {i.captions[0] for i in val}.isdisjoint(i.captions[0] for i in train)


def test_names_that_give_one_caption_are_held_out_together(tmp_path):
    names = ["Door Creak Take 2", "Door_Creak_v2", "door creak 01", "Glass_Smash_A", "glass smash 2", "wind howl"]
    items = [Item(tmp_path / f"{name}.wav", [" ".join(name_caption_words(name))]) for name in names * 4]
    for seed in range(8):
        train, val, _ = split_by_folder(items, val_fraction=0.3, seed=seed)
        assert val and {i.captions[0] for i in val}.isdisjoint(i.captions[0] for i in train), seed


def test_what_is_held_out_whole_is_what_the_verdict_resamples(tmp_path):
    kinds = ("door", "glass", "wind", "fire", "rain")
    one_folder = [Item(tmp_path / f"{n}_{i}.wav", [n]) for n in kinds for i in (1, 2)]
    folders = [Item(tmp_path / f"f{k}" / f"{i}.wav", [f"sound {k}"]) for k in range(8) for i in range(3)]
    for items, by_folder in ((one_folder, False), (folders, True)):
        assert splits_by_folder(items) is by_folder
        _, val, held = split_by_folder(items, val_fraction=0.4)
        assert sorted({split_unit(item, by_folder) for item in val}) == held  # one unit per held-out group
    assert split_unit(one_folder[0], False) == "door" and split_unit(folders[0], True) == str(tmp_path / "f0")


def test_held_out_files_with_tags_only_are_scored_on_their_keyword_caption(tmp_path):
    items = [Item(tmp_path / f"f{i}" / "x.wav", [], ["door", "creak"]) for i in range(10)]
    _, val, _ = split_by_folder(items, val_fraction=0.3)
    assert val and all(v.captions and "door" in v.captions[0] for v in val)


def test_the_same_library_mounted_elsewhere_holds_out_the_same_folders(tmp_path):
    def held_out(root):
        items = [Item(root / "sfx" / f"folder {f}" / f"{i}.wav", [f"sound {f}"]) for f in range(12) for i in range(3)]
        return [os.path.relpath(folder, root) for folder in split_by_folder(items, val_fraction=0.2)[2]]

    first = held_out(tmp_path / "drive a")
    assert first and first == held_out(tmp_path / "mnt" / "other name" / "b")
