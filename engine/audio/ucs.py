"""Universal Category System file names: ``CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID_UserData``.

The CatID at the head is the one requirement of the convention and "must not be
altered from the list", case included, so it is matched exactly against the
UCS list shipped in ``resources/ucs`` (CC0). The other blocks are optional.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.words import file_stem, name_blocks, ucs_category_of


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
    head, fx_name, creator_id, source_id, user_data = name_blocks(stem)
    cat_id, _, user_category = head.partition("-")
    vendor_category = fx_name.partition("-")[0].strip() if "-" in fx_name else ""
    return UcsName(
        cat_id=cat_id,
        category=category.category,
        subcategory=category.subcategory,
        fx_name=fx_name,
        creator_id=creator_id,
        source_id=source_id,
        user_data=user_data,
        user_category=user_category,
        vendor_category=vendor_category,
    )
