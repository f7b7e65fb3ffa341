"""Turn a sound file's name into the words a person would search for.

Library names are written for sorting, not reading: "DoorCreak_Slow_03",
"METAL-Impact-Big_tk2", "01 Rain on roof v2". The index's full-text search and
the trainer's caption cleaning both want "door creak slow", "metal impact big",
"rain on roof".
"""
from __future__ import annotations

import re

# Lower→Upper ("doorCreak"), ACRONYMWord ("UZIRapid"), letter→digit ("Door03"),
# and digit→Capitalised word ("44Magnum"); digit→lowercase stays ("9mm", "24bit").
_BOUNDARIES = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\W_]+")
# A take, version or sequence marker: "03", "take3", "tk 2", "t02", "v2", "var3", "alt", "#4".
_TAKE = re.compile(r"^(?:\d+|take|tk|t|v|ver|version|var|alt)$")


def name_to_words(stem: str) -> str:
    """Lower-case search words from a file name without its extension; take numbers dropped."""
    tokens = _SEPARATORS.sub(" ", _BOUNDARIES.sub(" ", stem)).lower().split()
    while tokens and _TAKE.match(tokens[-1]):
        tokens.pop()
    while tokens and tokens[0].isdigit():
        tokens.pop(0)
    return " ".join(tokens)
