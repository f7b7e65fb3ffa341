"""Universal Category System file names: ``CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID_UserData``.

The CatID at the head is the one requirement of the convention and "must not be
altered from the list", case included, so it is matched exactly against the
UCS list shipped in ``resources/ucs`` (CC0). The other blocks are optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from engine.words import cat_id_block, file_stem, name_blocks, ucs_categories, ucs_category_of

# A CatID's form: its category's short name in capitals, then its subcategory's ("VEHCar", "DOORWood")
CAT_ID_FORM = re.compile(r"([A-Z]{2,})[A-Z][a-z0-9]+")


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
        """ "DOORS-WOOD": the form database tools build from a CatID."""
        return f"{self.category}-{self.subcategory}"


def parse_ucs_filename(name: str) -> UcsName | None:
    """Split a UCS file name (an audio extension is dropped) into its blocks; None if it is not one.

    A name counts as UCS when its first block is an exact CatID and an FX name follows.
    """
    stem = file_stem(name)
    category = ucs_category_of(stem)
    if category is None:
        return None
    return _blocks(stem, category.category, category.subcategory)


def parse_ucs_shaped(name: str) -> UcsName | None:
    """:func:`parse_ucs_filename`, and also a name in the convention's form whose CatID is not in
    the list, an older version's or a misspelt one (``VEHEngn_Idle Rumble_JD_ACME.wav``): its
    category's short name is one of the list's and an FX name follows; its category and
    subcategory are left empty. Renamed to a listed CatID it keeps its FX name and IDs, which,
    read as words, leaked into the new FX name ("Veh Engn Idle Rumble Jd")."""
    stem = file_stem(name)
    if (listed := parse_ucs_filename(stem)) is not None:
        return listed
    form = CAT_ID_FORM.fullmatch(cat_id_block(stem))
    return _blocks(stem, "", "") if form is not None and form.group(1) in _category_shorts() else None


def _blocks(stem: str, category: str, subcategory: str) -> UcsName:
    head, fx_name, creator_id, source_id, user_data = name_blocks(stem)
    cat_id, _, user_category = head.partition("-")
    vendor_category = fx_name.partition("-")[0].strip() if "-" in fx_name else ""
    return UcsName(
        cat_id=cat_id,
        category=category,
        subcategory=subcategory,
        fx_name=fx_name,
        creator_id=creator_id,
        source_id=source_id,
        user_data=user_data,
        user_category=user_category,
        vendor_category=vendor_category,
    )


@cache
def _category_shorts() -> frozenset[str]:
    """The categories' short names the listed CatIDs begin with: AIR, DOOR, VEH, ..."""
    return frozenset(form.group(1) for cat_id in ucs_categories() if (form := CAT_ID_FORM.fullmatch(cat_id)))
