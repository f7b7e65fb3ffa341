"""UCS renames: proposed from tags, applied only when asked, re-linked in the index without
re-embedding, undoable, and never outside the library or over another file."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
import pytest

from engine.facade import Engine
from engine.index.records import FileRecord
from engine.tagging.rename import (
    Override,
    RenameError,
    RenamePlan,
    default_source,
    fx_name,
    id_block,
    planned_fx_name,
    propose,
    ucs_name,
    unique_targets,
)
from engine.tagging.vocabulary import UCS
from tests.engine.library.helpers import checksums
from tests.engine.tagging.conftest import meaning_is_current
from tests.factories import tone, write_audio


def test_fx_names_are_short_titles_and_names_have_four_blocks():
    assert fx_name("a wooden door creaks slowly, then slams shut") == "Wooden Door Creaks Slowly"
    assert len(fx_name("supercalifragilisticexpialidocious noises")) <= 25
    assert ucs_name("DOORWood", "Creak_Slow", "JDoe", "My Lib/2", ".wav") == "DOORWood_Creak Slow_JDoe_My Lib 2.wav"
    # an ID block holds no spaces, underscores or path characters; the dialog shows what one becomes
    assert [id_block(typed) for typed in ("J_D x", " JD ", 'a/b\\c:d*e?f"g<h>i|j', "__")] == [
        "JDx",
        "JD",
        "abcdefghij",
        "",
    ]


@pytest.mark.parametrize(
    ("name", "fx"),
    [
        ("Menu_Item_Selected_Sound_1", "Menu Item Selected 1"),  # was "Menu Item Selected Sound": the 1 cut
        ("Menu_Item_Deselected_Sound_0", "Menu Item Deselected 0"),  # was "Menu Item Deselected"
        ("Shop_ItemRepairedSound_0", "Shop Item Repaired 0"),
        ("Takeover_Game_Won_Sound_0", "Takeover Game Won 0"),
        ("Laser_SFX_Blast_Long_Heavy_Distant_03", "Laser Blast Long Heavy 03"),  # words before the number go
        ("glass_smash_01", "Glass Smash 01"),
        ("Sound_01", "Sound 01"),  # the filler is all that names it
        ("DoorCreak_20230101", "Door Creak 20230101"),  # a date, not a variation: cut like a word
    ],
)
def test_a_planned_fx_name_keeps_its_variation_number_and_drops_filler_words(name, fx):
    """Variations are numbered at the end of the FX name ("Door Creak 01"), and every file in a
    sound library is a sound: a name that lost its number to the 25-character cut gave two
    variations one FX name, and "Sound" took the place of what told them apart."""
    assert planned_fx_name(FileRecord(path=f"/lib/{name}.wav", folder="/lib"), "") == fx
    assert len(fx) <= 25


def test_a_caption_planned_as_an_fx_name_drops_filler_words_too():
    assert planned_fx_name(FileRecord(path="/lib/x.wav", folder="/lib"), "a door creaks, sound 2") == "Door Creaks 2"


def test_an_fx_name_the_user_types_keeps_its_words_and_its_number():
    assert fx_name("Whoosh Sound FX 3") == "Whoosh Sound Fx 3"  # the user's words, not filler to us
    assert fx_name("menu item selected sound 12") == "Menu Item Selected 12"  # the number fits, not "Sound"


def weak_reason(engine: Engine, path: str) -> str:
    """Why ``path`` is not renamed when its UCS suggestions are all under the threshold: its best
    one and how sure it is, as the engine holds them."""
    best = next(s for s in engine.tagging.suggestions([path], 0.0, 1)[path].tags if s.vocabulary == UCS)
    assert best.confidence < engine.settings.tag_threshold
    return (
        f"no UCS suggestion reaches {engine.settings.tag_threshold:.0%}: the best is {best.value} ({best.key}) "
        f"at {best.confidence:.0%}; accept it or type a CatID"
    )


def test_a_name_already_in_ucs_form_keeps_every_block_it_has():
    def proposed(name: str, creator: str | None = None) -> str:
        record = FileRecord(path=f"/lib/Doors/{name}", folder="/lib")
        return propose(record, "DOORWood", "a caption", creator, None)

    named = "DOORWood-MyDoors_VND-Creak Long_JD_OldLib_Take_01.wav"
    assert proposed(named) == proposed(named, creator="ME") == named  # user category, vendor, creator, user data
    assert proposed("DOORWood_Creak_JD.wav", creator="ME") == "DOORWood_Creak_JD_Doors.wav"  # only the missing block
    assert proposed("door_creak.wav", creator="ME") == "DOORWood_Caption_ME_Doors.wav"


def test_colliding_names_are_numbered_and_right_names_left_alone(tmp_path):
    taken = write_audio(tmp_path / "DOORWood_Creak_JD_LIB.wav", tone())
    plans = [
        RenamePlan(1, str(tmp_path / "a.wav"), str(taken), "DOORWood"),
        RenamePlan(2, str(tmp_path / "b.wav"), str(taken), "DOORWood"),
        RenamePlan(3, str(taken), str(taken), "DOORWood"),
    ]
    assert [os.path.basename(p.new) for p in unique_targets(plans)] == [
        "DOORWood_Creak_JD_LIB_2.wav",
        "DOORWood_Creak_JD_LIB_3.wav",
    ]


def test_a_whole_ucs_name_is_kept_as_its_maker_wrote_it(tag_engine, named_library):
    """The review saw "…_JD_ACME Foley Library.wav" planned as "…_JD_ACMEFoleyLibrary.wav": a
    vendor's name rewritten for nothing, and again when the user gave it another FX name or CatID.
    A name that lacks its IDs is still completed, with the IDs as a UCS ID holds them."""
    vendor = named_library / "DOORWood_Creak Heavy Sound_JD_ACME Foley Library.wav"
    partial = named_library / "DOORMetl_Clang.wav"
    for path in (vendor, partial):
        write_audio(path, tone(220, 0.3))
    tag_engine.index()
    plans, skipped = tag_engine.tagging.rename_plan([vendor, partial], creator="M E", source="My Lib")
    assert skipped == {str(vendor): "it has its UCS name already"}
    assert [os.path.basename(p.new) for p in plans] == ["DOORMetl_Clang_ME_MyLib.wav"]
    retitled = {str(vendor): Override(fx_name="Creak Heavy")}  # unless the user changes it: its IDs stay
    plans, _ = tag_engine.tagging.rename_plan([vendor], creator="ME", overrides=retitled)
    assert [os.path.basename(p.new) for p in plans] == ["DOORWood_Creak Heavy_JD_ACME Foley Library.wav"]
    recatalogued = {str(vendor): Override(cat_id="DOORMetl")}
    plans, _ = tag_engine.tagging.rename_plan([vendor], creator="ME", overrides=recatalogued)
    assert [os.path.basename(p.new) for p in plans] == ["DOORMetl_Creak Heavy Sound_JD_ACME Foley Library.wav"]


def test_a_name_in_ucs_form_with_a_catid_not_in_the_list_keeps_its_fx_name_and_ids(tag_engine, named_library):
    """``VEHEngn`` is no UCS 8.2.1 CatID: the name was read as words, so its CatID, CreatorID and
    SourceID leaked into the FX name it was planned ("Veh Engn Idle Rumble Jd Acme") and the IDs
    were replaced. It gets a listed CatID, and keeps the rest as its maker wrote it."""
    older = named_library / "VEHEngn_Idle Rumble_JD_ACME Foley Library.wav"
    write_audio(older, tone(110, 0.3))
    tag_engine.index()
    plans, skipped = tag_engine.tagging.rename_plan(
        [older], creator="ME", overrides={str(older): Override(cat_id="VEHCar")}
    )
    assert skipped == {}
    assert [os.path.basename(p.new) for p in plans] == ["VEHCar_Idle Rumble_JD_ACME Foley Library.wav"]


def test_rename_relinks_without_reembedding_and_undo_puts_everything_back(tag_engine, named_library):
    before = checksums(named_library)
    tag_engine.tagging.tag([named_library])
    dog = named_library / "dog_bark.wav"
    tag_engine.set_tags([dog], ["ANIMALS-DOG"])
    plans, skipped = tag_engine.tagging.rename_plan([named_library], creator="JD", source="TOWN")
    named_so = str(named_library / "DOORWood_Slam Heavy_JD_TOWN.wav")
    assert skipped.pop(named_so) == "it has its UCS name already"
    assert skipped and all(why == weak_reason(tag_engine, path) for path, why in skipped.items())
    by_old = {os.path.basename(p.old): p for p in plans}
    assert os.path.basename(by_old["dog_bark.wav"].new) == "ANMLDog_Dog Bark_JD_TOWN.wav"
    assert by_old["dog_bark.wav"].reason == "tag"
    assert checksums(named_library) == before  # planning touches nothing
    assert not tag_engine.tagging.can_undo_rename()  # nothing renamed yet: no journal

    record = tag_engine.file_info(dog).record
    vectors = tag_engine.store.embeddings(tag_engine.model_info).windows(record.id).vectors
    tag_engine.tagging.rename(plans)
    new = named_library / "ANMLDog_Dog Bark_JD_TOWN.wav"
    assert new.is_file() and not dog.exists()
    assert meaning_is_current(tag_engine)  # the new name's words, at once
    moved = tag_engine.file_info(new).record
    assert (moved.id, moved.tags, moved.content_hash) == (record.id, ["ANIMALS-DOG"], record.content_hash)
    np.testing.assert_array_equal(tag_engine.store.embeddings(tag_engine.model_info).windows(moved.id).vectors, vectors)
    report = tag_engine.index()
    assert (report.added, report.removed, report.embedded) == (0, 0, 0)  # re-linked, not re-embedded
    assert tag_engine.search("dog bark", limit=1)[0].path == str(new)
    assert sorted(checksums(named_library).values()) == sorted(before.values())  # same contents, new names

    assert tag_engine.tagging.can_undo_rename()
    undone = tag_engine.tagging.undo_rename()
    assert not tag_engine.tagging.can_undo_rename()
    assert len(undone.renamed_back) == len(plans) and not undone.waiting and checksums(named_library) == before
    assert meaning_is_current(tag_engine)
    assert tag_engine.file_info(dog).record.id == record.id and tag_engine.store.get_file(str(new)) is None
    assert tag_engine.index().embedded == 0
    with pytest.raises(RenameError, match="no rename to undo"):
        tag_engine.tagging.undo_rename()


def test_the_users_own_catid_and_fx_name_replace_the_planned_ones(tag_engine, named_library):
    """The plan's CatID and FX name can be wrong (a hammer swing planned as a gun): the user's own
    are checked against the UCS list, cleaned like a caption's, and name even a file with no UCS
    category; a UCS name keeps its CreatorID, so only the others need one."""
    dog, glass, wind, loud, named = (
        str(named_library / name)
        for name in (
            "dog_bark.wav",
            "glass_smash_01.wav",
            "wind_howl.wav",
            "laser_shot.wav",
            "DOORWood_Slam Heavy_JD_TOWN.wav",
        )
    )
    tag_engine.set_tags([dog], ["ANIMALS-DOG"])
    overrides = {
        dog: Override("TOOLHand", "the hammer_swing, heavy!"),
        glass: Override("glasbrk"),  # no UCS category of its own; the case is the list's
        wind: Override("GUNSMEH"),
        loud: Override(fx_name="!!"),
        named: Override("DOORMetl"),
    }
    plans, skipped = tag_engine.tagging.rename_plan([named_library], "MK", "TOWN", overrides)
    by_old = {os.path.basename(p.old): p for p in plans}
    assert os.path.basename(by_old["dog_bark.wav"].new) == "TOOLHand_Hammer Swing Heavy_MK_TOWN.wav"
    assert (by_old["dog_bark.wav"].reason, by_old["dog_bark.wav"].fx) == ("user", "Hammer Swing Heavy")
    assert os.path.basename(by_old["glass_smash_01.wav"].new) == "GLASBrk_Glass Smash 01_MK_TOWN.wav"
    assert skipped[wind] == "GUNSMEH is not a UCS CatID: choose one from the list"
    assert "has no words" in skipped[loud]
    renamed = by_old["DOORWood_Slam Heavy_JD_TOWN.wav"]
    assert os.path.basename(renamed.new) == "DOORMetl_Slam Heavy_JD_TOWN.wav" and not renamed.needs_creator
    assert by_old["dog_bark.wav"].needs_creator and named not in skipped
    assert "no UCS category" in skipped[str(named_library / "door_creak_wood.wav")]  # no override: as before

    tag_engine.tagging.rename(plans)
    assert (named_library / "TOOLHand_Hammer Swing Heavy_MK_TOWN.wav").is_file() and not os.path.exists(dog)
    assert (named_library / "DOORMetl_Slam Heavy_JD_TOWN.wav").is_file() and os.path.exists(wind)


def test_renames_outside_the_library_offline_or_over_a_file_are_refused(tag_engine, named_library, tmp_path):
    before = checksums(named_library)
    dog = tag_engine.file_info(named_library / "dog_bark.wav").record
    outside = write_audio(tmp_path / "elsewhere" / "mine.wav", tone())
    refused = {
        "stays in its folder": [RenamePlan(dog.id, dog.path, str(tmp_path / "elsewhere" / "x.wav"), "ANMLDog")],
        "not in an online library folder": [
            RenamePlan(dog.id, str(outside), str(outside.with_name("y.wav")), "ANMLDog")
        ],
        "already exists": [RenamePlan(dog.id, dog.path, str(named_library / "wind_howl.wav"), "ANMLDog")],
        "same name": [
            RenamePlan(dog.id, dog.path, str(named_library / "z.wav"), "ANMLDog"),
            RenamePlan(dog.id + 1, str(named_library / "glass_smash_01.wav"), str(named_library / "z.wav"), "GLASMisc"),
        ],
    }
    for message, plans in refused.items():
        with pytest.raises(RenameError, match=message):
            tag_engine.tagging.rename(plans)
    tag_engine.set_tags([dog.path], ["ANIMALS-DOG"])
    tag_engine.store.set_folder_online(str(named_library), False)
    with pytest.raises(RenameError, match="not in an online library folder"):
        tag_engine.tagging.rename([RenamePlan(dog.id, dog.path, str(named_library / "w.wav"), "ANMLDog")])
    # the plan says so before anything is asked: the drive is unplugged, the other file is no library's
    plans, skipped = tag_engine.tagging.rename_plan([dog.path, outside])
    assert plans == []
    assert "not in an online library folder" in skipped[dog.path]
    assert "is not in the library" in skipped[str(outside)]
    assert checksums(named_library) == before and outside.is_file()


def _renamed_dog(tag_engine, named_library):
    dog = tag_engine.file_info(named_library / "dog_bark.wav").record
    new = named_library / "ANMLDog_Dog Bark_JD_TOWN.wav"
    tag_engine.tagging.rename([RenamePlan(dog.id, dog.path, str(new), "ANMLDog")])
    return dog, new


def test_undo_never_puts_a_record_on_a_new_file_that_took_the_old_name(tag_engine, named_library):
    dog, new = _renamed_dog(tag_engine, named_library)
    newcomer = write_audio(named_library / "dog_bark.wav", tone(freq=1234.0))
    tag_engine.index()
    newcomer_id = tag_engine.file_info(newcomer).record.id
    undone = tag_engine.tagging.undo_rename()
    assert not undone.renamed_back and "another file now" in undone.waiting[str(new)]
    assert tag_engine.file_info(new).record.id == dog.id  # each record still on its own file
    assert tag_engine.file_info(newcomer).record.id == newcomer_id
    # the rename waits in the journal: once the old name is free, the next undo takes it back
    newcomer.unlink()
    tag_engine.index()
    undone = tag_engine.tagging.undo_rename()
    assert [p.file_id for p in undone.renamed_back] == [dog.id] and not new.exists()
    assert tag_engine.file_info(named_library / "dog_bark.wav").record.id == dog.id


def test_an_undo_while_the_folder_is_gone_keeps_the_batch_for_later(tag_engine, named_library, tmp_path):
    dog, new = _renamed_dog(tag_engine, named_library)
    unplugged = tmp_path / "unplugged"
    named_library.rename(unplugged)  # the drive is gone
    undone = tag_engine.tagging.undo_rename()
    assert not undone.renamed_back and "offline" in undone.waiting[str(new)]
    unplugged.rename(named_library)  # back
    undone = tag_engine.tagging.undo_rename()
    assert [p.file_id for p in undone.renamed_back] == [dog.id] and (named_library / "dog_bark.wav").is_file()
    with pytest.raises(RenameError, match="no rename to undo"):
        tag_engine.tagging.undo_rename()


def test_a_rename_with_nothing_to_rename_is_not_what_undo_takes_back(tag_engine, named_library):
    dog, new = _renamed_dog(tag_engine, named_library)
    assert tag_engine.tagging.rename([]) == ""
    undone = tag_engine.tagging.undo_rename()
    assert [p.file_id for p in undone.renamed_back] == [dog.id] and not new.exists()


def test_undo_finishes_a_rename_that_stopped_halfway_and_skips_files_it_never_reached(tag_engine, named_library):
    before = checksums(named_library)
    dog = tag_engine.file_info(named_library / "dog_bark.wav").record
    wind = tag_engine.file_info(named_library / "wind_howl.wav").record
    gone = str(named_library / "deleted_since_planning.wav")
    plans = [
        RenamePlan(dog.id, dog.path, str(named_library / "ANMLDog_Bark_JD_TOWN.wav"), "ANMLDog"),
        RenamePlan(wind.id + 1000, gone, str(named_library / "MISC_Gone_JD_TOWN.wav"), "MISCMisc"),
        RenamePlan(wind.id, wind.path, str(named_library / "WINDGust_Howl_JD_TOWN.wav"), "WINDGust"),
    ]
    with pytest.raises(FileNotFoundError):
        tag_engine.tagging.rename(plans)  # stops at the missing file: the wind is never reached
    os.link(plans[0].new, dog.path)  # and the dog as a crash leaves it between link and unlink
    undone = tag_engine.tagging.undo_rename()
    assert [p.file_id for p in undone.renamed_back] == [dog.id] and not undone.waiting
    assert checksums(named_library) == before
    assert (tag_engine.file_info(dog.path).record.id, tag_engine.file_info(wind.path).record.id) == (dog.id, wind.id)
    with pytest.raises(RenameError, match="no rename to undo"):
        tag_engine.tagging.undo_rename()


def test_a_catid_from_a_suggestion_not_accepted_comes_with_how_sure_it_is(tag_engine, named_library):
    """The rename dialog says "from a suggestion at 84%": a file renamed by a guess the user never
    accepted is read first. The CatIDs from a name, a tag or the user carry no confidence."""
    tag_engine.tagging.tag([named_library])
    tag_engine.tagging.settings = dataclasses.replace(tag_engine.tagging.settings, tag_threshold=0.0)
    tag_engine.set_tags([named_library / "dog_bark.wav"], ["ANIMALS-DOG"])
    shown = tag_engine.tagging.suggestions([named_library])
    plans, _ = tag_engine.tagging.rename_plan([named_library], creator="JD", source="TOWN")
    guessed = [plan for plan in plans if plan.reason == "suggestion"]
    assert guessed and any(plan.reason != "suggestion" for plan in plans)
    for plan in guessed:
        best = next(s for s in shown[plan.old].tags if s.vocabulary == UCS)
        assert (plan.cat_id, plan.confidence) == (best.key, best.confidence)
    assert all(plan.confidence is None for plan in plans if plan.reason != "suggestion")


def test_a_files_source_id_is_its_pack_the_first_folder_below_its_library_folder():
    """A one-root library ("lib") named every file ..._lib: the pack or vendor folder says where a sound comes from."""
    deep = FileRecord(path="/sfx/BOOM Doors/Wood/creak.wav", folder="/sfx")
    assert default_source(deep.path, deep.folder) == "BOOM Doors"
    assert propose(deep, "DOORWood", "", "JD", None).endswith("_JD_BOOMDoors.wav")
    assert default_source("/sfx/creak.wav", "/sfx") == "sfx"  # in the library folder itself: its name
    assert propose(deep, "DOORWood", "", "JD", "Town").endswith("_JD_Town.wav")  # one the user gives wins
