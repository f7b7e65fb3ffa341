"""Files on drives that are not connected: how the window recognises them and says so.

Search keeps returning them (the sound exists, and the user needs to know which drive to
plug in), but they cannot be played or dragged, so every place that would try says why
in the same words.
"""

from __future__ import annotations

from pathlib import Path

from engine.index.status import OFFLINE

# A library folder that cannot be reached may be on a drive unplugged (said first) or gone from where it was
MOVED_AWAY = "if the folder was moved, renamed or deleted, add it where it is now, or remove it, in the Library panel."


def is_offline(hit) -> bool:
    return getattr(hit, "status", None) == OFFLINE


def drive_name(hit) -> str:
    """The library folder the file was found under: the name the user knows the drive by."""
    folder = str(getattr(hit, "folder", "") or Path(hit.path).parent)
    return Path(folder).name or folder


def offline_message(hit) -> str:
    """Why an offline file cannot be played or dragged, and what to do about it. The index knows
    only that the library folder cannot be reached: an unplugged drive and a folder renamed or
    deleted look alike to it, so both ways out are said (a renamed folder was told to connect)."""
    return (
        f"{Path(hit.path).name} is offline: it is on “{drive_name(hit)}” ({hit.folder}), which is not "
        f"connected or no longer there. Connect its drive to play or drag this sound; {MOVED_AWAY}"
    )


def drag_message(hits: list) -> str:
    """Said when a drag holds offline files (they are left out of it)."""
    if len(hits) == 1:
        return f"Not dragged: {offline_message(hits[0])}"
    drives = ", ".join(sorted({f"“{drive_name(h)}”" for h in hits}))
    return f"{len(hits)} offline files were not dragged: connect {drives} to use them."
