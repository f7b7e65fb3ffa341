"""Configs refuse keys they do not have, naming them (the Cacophony and training configs share this)."""

from __future__ import annotations

import pytest

from engine.models.cacophony.config import CacophonyConfig, get_config


def test_a_known_key_sets_the_field_and_an_unknown_one_is_named():
    assert CacophonyConfig.from_dict({"width": 64}).width == 64
    with pytest.raises(ValueError, match=r"unknown Cacophony config keys: \['widht'\]; known: .*'width'"):
        CacophonyConfig.from_dict({"widht": 64})
    assert get_config("tiny").name == "tiny"
