"""Typed tag lists, and many-file tag edits that keep what only some files carry."""

from __future__ import annotations

from engine.tags import edited_tags, parse_tags


def test_parse_tags_trims_and_dedupes():
    assert parse_tags(" door,  creak ; door,,wood  grain ") == ["door", "creak", "wood grain"]
    assert parse_tags(" , ;") == []


def test_edits_to_the_shared_set_apply_per_file():
    assert edited_tags(["door", "wood", "old"], ["door", "wood"], ["door", "slow"]) == ["door", "old", "slow"]
    assert edited_tags(["rain"], [], ["ambience"]) == ["rain", "ambience"]  # nothing shared: only additions
