"""Typed tag lists, and many-file tag edits that keep what only some files carry."""

from __future__ import annotations

from engine.tags import edited_tags, names_tag, parse_tags, unknown_tag


def test_parse_tags_trims_and_dedupes():
    assert parse_tags(" door,  creak ; door,,wood  grain ") == ["door", "creak", "wood grain"]
    assert parse_tags(" , ;") == []


def test_edits_to_the_shared_set_apply_per_file():
    assert edited_tags(["door", "wood", "old"], ["door", "wood"], ["door", "slow"]) == ["door", "old", "slow"]
    assert edited_tags(["rain"], [], ["ambience"]) == ["rain", "ambience"]  # nothing shared: only additions


def test_a_typed_tag_that_names_nothing_is_told_the_nearest_tag_the_files_carry():
    """Review 8, M3: a misspelt tag found nothing, with no word why. The nearest tag is offered as
    it would be typed: a UCS tag by its CatID where the CatID is what was misspelt."""
    carried = ["FIGHT-IMPACT", "door", "ANIMALS-DOG"]
    assert unknown_tag("FIGHT-IMPCT", carried) == "no file is tagged FIGHT-IMPCT; did you mean FIGHT-IMPACT?"
    assert unknown_tag("FGHTImpct", carried) == "no file is tagged FGHTImpct; did you mean FGHTImpt?"
    assert unknown_tag("dorr", carried) == "no file is tagged dorr; did you mean door?"
    assert unknown_tag("helicopter", carried) == "no file is tagged helicopter"
    assert names_tag("fghtimpt", "FIGHT-IMPACT") and names_tag("Door ", "door") and not names_tag("door", "doorbell")
