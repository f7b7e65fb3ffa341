"""Files on drives that are not connected: how the window recognises them and says so.

Search keeps returning them (the sound exists, and the user needs to know which drive to
plug in), but they cannot be played or dragged, so every place that would try says why
in the same words. The engine tells a library folder whose drive is not connected from one
that is missing from a drive that is (moved, renamed or deleted: ``FolderStatus.missing``),
and the way out differs: connect the drive, or add the folder's new place.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from engine.index.status import OFFLINE

MISSING = "missing: moved, renamed or deleted? Add its new place, or remove it"
UNPLUGGED = "its drive is not connected: connect it"


def missing_folders(folders: list) -> frozenset[str]:
    """Those of ``folders`` (the facade's FolderStatus records) that are missing from a drive that
    is there: what a hit's offline message is said by, handed to whatever says it (the results
    model is given the folders each time they are listed), so no window reads another's list."""
    return frozenset(str(f.path) for f in folders if not f.online and f.missing)


def folder_said(missing: bool) -> str:
    """Why a library folder is offline and what to do, for its tooltip."""
    return f"Offline, {MISSING}." if missing else f"Offline: {UNPLUGGED}."


def is_offline(hit) -> bool:
    return getattr(hit, "status", None) == OFFLINE


def drive_name(hit) -> str:
    """The library folder the file was found under: the name the user knows the drive by."""
    folder = str(getattr(hit, "folder", "") or Path(hit.path).parent)
    return Path(folder).name or folder


def is_missing(hit, missing: Collection[str]) -> bool:
    """Whether the hit's library folder is gone from a drive that is there, not unplugged:
    ``missing`` is :func:`missing_folders` of the folders as listed now."""
    return str(getattr(hit, "folder", "")) in missing


def offline_message(hit, missing: Collection[str]) -> str:
    """Why an offline file cannot be played or dragged, and what to do about it: connect its
    drive, or (its folder moved, renamed or deleted: among ``missing``, :func:`missing_folders`)
    add the folder's new place in the Library panel."""
    where = f"{Path(hit.path).name} is offline: it is on “{drive_name(hit)}” ({hit.folder})"
    if is_missing(hit, missing):
        return f"{where}, which is {MISSING}, in the Library panel."
    return f"{where}, and {UNPLUGGED} to play or drag this sound."


def drag_message(hits: list, missing: Collection[str]) -> str:
    """Said when a drag holds offline files (they are left out of it); ``missing`` as for
    :func:`offline_message`."""
    if len(hits) == 1:
        return f"Not dragged: {offline_message(hits[0], missing)}"
    unplugged = sorted({f"“{drive_name(h)}”" for h in hits if not is_missing(h, missing)})
    gone = sorted({f"“{drive_name(h)}”" for h in hits if is_missing(h, missing)})
    ways = ([f"connect {', '.join(unplugged)}"] if unplugged else []) + (
        [f"find {', '.join(gone)} (moved, renamed or deleted?)"] if gone else []
    )
    return f"{len(hits)} offline files were not dragged: {' and '.join(ways)} to use them."
