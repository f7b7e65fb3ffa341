"""UCS file names, checked against the examples in the convention itself."""

from __future__ import annotations

import json

import pytest

from engine.audio.ucs import parse_ucs_filename, parse_ucs_shaped
from engine.words import UCS_LIST, ucs_categories


def test_the_shipped_list_is_the_whole_ucs_8_2_1():
    entries = json.loads(UCS_LIST.read_text())
    assert {e["version"] for e in entries} == {"8.2.1"}
    categories = ucs_categories()
    assert len(categories) == len(entries) == 752
    assert (categories["DOORWood"].category, categories["DOORWood"].subcategory) == ("DOORS", "WOOD")
    assert (UCS_LIST.parent / "LICENSE").read_text().startswith("Creative Commons Legal Code\n\nCC0 1.0")


def test_basic_example_from_the_convention():
    name = parse_ucs_filename("GUNAuto_Uzi 9mm Rapid Fire Close Up Short Bursts_TN_DORY")
    assert (name.cat_id, name.category, name.subcategory, name.category_full) == (
        "GUNAuto",
        "GUNS",
        "AUTOMATIC",
        "GUNS-AUTOMATIC",
    )
    assert (name.fx_name, name.creator_id, name.source_id) == ("Uzi 9mm Rapid Fire Close Up Short Bursts", "TN", "DORY")
    assert (name.user_data, name.user_category, name.vendor_category) == ("", "", "")


def test_user_category_and_vendor_category_examples():
    user = parse_ucs_filename("GUNAuto-INT_UZI 9mm Rapid Fire Close Up Short Bursts_TN_DORY ")
    assert (user.cat_id, user.user_category, user.vendor_category) == ("GUNAuto", "INT", "")
    vendor = parse_ucs_filename("GUNAuto_UZI 9mm-Rapid Fire Close Up Short Bursts_TN_DORY ")
    assert vendor.vendor_category == "UZI 9mm"
    assert vendor.fx_name == "UZI 9mm-Rapid Fire Close Up Short Bursts"  # the convention keeps the whole block


def test_full_example_with_every_block_and_an_extension():
    name = parse_ucs_filename("GUNAuto-EXT_UZI 9mm-Rapid Fire Close Up Short Bursts_TN_NONE_416-MKH8040-DualMono.wav")
    assert (name.cat_id, name.user_category, name.vendor_category) == ("GUNAuto", "EXT", "UZI 9mm")
    assert (name.creator_id, name.source_id, name.user_data) == ("TN", "NONE", "416-MKH8040-DualMono")


def test_extra_underscores_stay_in_user_data():
    assert parse_ucs_filename("DOORWood_Creak_TN_FARM_MKH416_take_2.flac").user_data == "MKH416_take_2"


def test_dots_in_the_fx_name_are_not_an_extension():
    assert parse_ucs_filename("VEHCar_Mustang 5.0 Idle_TN_CARS").fx_name == "Mustang 5.0 Idle"


@pytest.mark.parametrize(
    "name",
    [
        "GunAudio_UZI 9mm Rapid Fire Close Up Short Bursts_TN_DORY_WideStereoMKH8020",  # the doc's typo: not a CatID
        "gunauto_Uzi burst_TN_DORY",  # the case must be honoured
        "GUNAUTO_Uzi burst_TN_DORY",
        "Door_Creak_01.wav",
        "door creak slow.wav",
        "DOORWood.wav",  # a CatID with no FX name
        "DOORWood_.wav",
        "",
    ],
)
def test_non_ucs_names_are_rejected(name):
    assert parse_ucs_filename(name) is None


@pytest.mark.parametrize(
    ("name", "cat_id"),
    [
        ("VEHEngn_Idle Rumble_JD_ACME.wav", "VEHEngn"),  # a vehicle CatID the list does not hold
        ("UIClck-Menus_Beep_JD_ACME.wav", "UIClck"),  # a misspelt one, with a user category
        ("DOORWood_Creak_JD_ACME.wav", "DOORWood"),  # a listed one, read as parse_ucs_filename reads it
    ],
)
def test_a_name_in_ucs_form_is_read_whether_or_not_its_catid_is_listed(name, cat_id):
    shaped = parse_ucs_shaped(name)
    assert shaped is not None and (shaped.cat_id, shaped.fx_name, shaped.creator_id) == (
        cat_id,
        name.split("_")[1],
        "JD",
    )
    assert (shaped.category == "") == (parse_ucs_filename(name) is None)


@pytest.mark.parametrize(
    "name", ["SFXDoor_Creak_JD.wav", "VEHEngn.wav", "Door_Creak_JD.wav", "vehEngn_Idle_JD.wav", "VEHICLECar_Idle.wav"]
)
def test_a_name_not_in_ucs_form_is_not_read_as_ucs(name):
    """Its first block is not a listed category's short name and a subcategory's (SFX, vehICLE),
    or no FX name follows it."""
    assert parse_ucs_shaped(name) is None
