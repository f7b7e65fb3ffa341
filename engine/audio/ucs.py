"""Universal Category System file names: ``CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID_UserData``.

The CatID at the head is the one requirement of the convention and "must not be
altered from the list", case included, so it is matched exactly against the
UCS list shipped in ``resources/ucs`` (CC0). The other blocks are optional.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.audio.formats import AUDIO_EXTENSIONS
from engine.audio.names import name_to_words

UCS_LIST = Path(__file__).resolve().parents[2] / "resources" / "ucs" / "ucs-8.2.1-en.json"


@dataclass(frozen=True)
class UcsCategory:
    cat_id: str
    category: str  # e.g. "DOORS"
    subcategory: str  # e.g. "WOOD"
    explanation: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class UcsName:
    cat_id: str
    category: str
    subcategory: str
    fx_name: str  # the whole second block, vendor category included, as the convention defines it
    creator_id: str = ""
    source_id: str = ""
    user_data: str = ""
    user_category: str = ""
    vendor_category: str = ""

    @property
    def category_full(self) -> str:
        """"DOORS-WOOD": the form database tools build from a CatID."""
        return f"{self.category}-{self.subcategory}"

    @property
    def fx_words(self) -> str:
        return name_to_words(self.fx_name)

    @property
    def words(self) -> str:
        """Category, subcategory and FX name as lower-case search words."""
        return " ".join(filter(None, (self.category.lower(), self.subcategory.lower(), self.fx_words)))


@cache
def ucs_categories() -> dict[str, UcsCategory]:
    """CatID → category, from the shipped UCS list."""
    entries = json.loads(UCS_LIST.read_text(encoding="utf-8"))
    return {e["CatID"]: UcsCategory(e["CatID"], e["Category"], e["SubCategory"], e.get("Explanations", ""),
                                    tuple(e.get("Synonyms", ()))) for e in entries}


def parse_ucs_filename(name: str) -> UcsName | None:
    """Split a UCS file name (an audio extension is dropped) into its blocks; None if it is not one.

    A name counts as UCS when its first block is an exact CatID and an FX name follows.
    """
    stem, dot, suffix = os.path.basename(name).rpartition(".")
    if not dot or f".{suffix.lower()}" not in AUDIO_EXTENSIONS:
        stem = os.path.basename(name)
    blocks = [block.strip() for block in stem.split("_")]
    cat_id, _, user_category = blocks[0].partition("-")
    category = ucs_categories().get(cat_id)
    if category is None or len(blocks) < 2 or not blocks[1]:
        return None
    fx_name = blocks[1]
    vendor_category = fx_name.partition("-")[0].strip() if "-" in fx_name else ""
    creator_id, source_id = (blocks[2:4] + ["", ""])[:2]
    return UcsName(cat_id=cat_id, category=category.category, subcategory=category.subcategory, fx_name=fx_name,
                   creator_id=creator_id, source_id=source_id, user_data="_".join(blocks[4:]),
                   user_category=user_category, vendor_category=vendor_category)
