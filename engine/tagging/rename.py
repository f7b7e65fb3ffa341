"""UCS file names from the tags, and renames that only happen when asked and can be undone.

A proposal is ``CatID_FXName_CreatorID_SourceID`` (the four blocks the UCS convention asks
for): the CatID from the name itself, else from a UCS tag the user accepted, else from the
best UCS suggestion; the FX name from the name a UCS file already has, else from its caption,
else from its current name's words; creator and source from the name a UCS file already has,
else from what the user gives (default: the library folder's name as the source).

Renaming is a journal plus ``os.link``/``unlink`` (which refuses to overwrite) and then
:meth:`LibraryStore.move_file`, so the file keeps its id and vectors and nothing is
re-embedded. Each batch is appended to a JSON-lines journal before any file moves, which is
what :func:`undo_last` reads. Only files inside an online library folder are ever touched,
and a new name never leaves the file's folder.
"""

from __future__ import annotations

import getpass
import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.audio.ucs import parse_ucs_filename
from engine.fs import atomic_file, is_inside
from engine.index.records import FileRecord
from engine.index.store import LibraryStore
from engine.words import words

MAX_FX_NAME = 25  # characters, as the UCS convention recommends
_UNSAFE = str.maketrans({c: " " for c in '_/\\:*?"<>|'})


class RenameError(ValueError):
    """A rename that would leave the library, overwrite a file, or cannot be undone."""


@dataclass(frozen=True)
class RenamePlan:
    file_id: int
    old: str
    new: str
    cat_id: str
    reason: str = ""  # where the CatID came from: "name", "tag", "suggestion"


def fx_name(text: str) -> str:
    """A title of at most 25 characters, cut at a word boundary: "a wooden door creaks slowly"
    -> "Wooden Door Creaks"."""
    kept = [w for w in words(text) if w not in {"a", "an", "the"}]
    title = ""
    for word in kept:
        candidate = f"{title} {word.capitalize()}".strip()
        if len(candidate) > MAX_FX_NAME:
            break
        title = candidate
    return title or (kept[0].capitalize()[:MAX_FX_NAME] if kept else "Sound")


def _block(text: str) -> str:
    """A name block: no underscores or path characters, spaces folded."""
    return " ".join(text.translate(_UNSAFE).split())


def ucs_name(cat_id: str, fx: str, creator: str, source: str, suffix: str, user_data: str = "") -> str:
    blocks = [cat_id, _block(fx), _block(creator).replace(" ", ""), _block(source).replace(" ", "")]
    if user_data:
        blocks.append(_block(user_data))
    return "_".join(blocks) + suffix


def propose(record: FileRecord, cat_id: str, caption: str, creator: str | None, source: str | None) -> str:
    """The UCS name ``record`` should have (file name only)."""
    path = Path(record.path)
    existing = parse_ucs_filename(path.name)
    if existing is not None:
        fx = existing.fx_name
    elif caption:
        fx = fx_name(caption)
    else:
        fx = fx_name(" ".join(w for w in words(path.stem)))
    creator = creator or (existing.creator_id if existing else "") or getpass.getuser()
    source = source or (existing.source_id if existing else "") or Path(record.folder).name or "Library"
    user_data = existing.user_data if existing else ""
    return ucs_name(cat_id, fx, creator, source, path.suffix, user_data)


def unique_targets(plans: Sequence[RenamePlan]) -> list[RenamePlan]:
    """Number the names that would collide (with each other or with a file on disk) in a last
    UserData block: ``..._Source_2``. A file whose name is already right is left out."""
    taken: set[str] = set()
    out = []
    for plan in plans:
        if plan.new == plan.old:
            continue
        target, number = plan.new, 1
        stem, suffix = os.path.splitext(plan.new)
        while target in taken or (os.path.lexists(target) and target != plan.old):
            number += 1
            target = f"{stem}_{number}{suffix}"
        taken.add(target)
        out.append(RenamePlan(plan.file_id, plan.old, target, plan.cat_id, plan.reason))
    return out


# -- doing and undoing ---------------------------------------------------------------------------


def _inside(path: str, folders: Sequence[str]) -> bool:
    return any(is_inside(path, folder) for folder in folders)


def check(plans: Sequence[RenamePlan], online_folders: Sequence[str]) -> None:
    """Refuse, before anything moves, a plan that leaves its folder or the library, or that
    would overwrite a file."""
    for plan in plans:
        if os.path.dirname(plan.new) != os.path.dirname(plan.old):
            raise RenameError(f"{plan.old}: a rename stays in its folder, not {plan.new}")
        if not _inside(plan.old, online_folders):
            raise RenameError(f"{plan.old} is not in an online library folder: it is not renamed")
        if os.path.lexists(plan.new):
            raise RenameError(f"{plan.new} already exists: nothing was renamed")
    if len({p.new for p in plans}) != len(plans):
        raise RenameError("two files would get the same name: nothing was renamed")


def move(old: str, new: str) -> None:
    """Rename without ever overwriting: a hard link then unlink, or (on file systems without
    hard links) a rename after checking the name is free."""
    try:
        os.link(old, new)
    except FileExistsError:
        raise RenameError(f"{new} already exists: {old} was not renamed") from None
    except OSError:
        if os.path.lexists(new):
            raise RenameError(f"{new} already exists: {old} was not renamed") from None
        os.rename(old, new)
        return
    os.unlink(old)


def apply(plans: Sequence[RenamePlan], store: LibraryStore, journal: Path, online_folders: Sequence[str]) -> str:
    """Rename the files and re-link their records; returns the batch id :func:`undo_last` takes back."""
    check(plans, online_folders)
    batch = uuid.uuid4().hex[:12]
    journal.parent.mkdir(parents=True, exist_ok=True)
    with journal.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"batch": batch, "at": time.time(), "renames": [asdict(p) for p in plans]}) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    for plan in plans:
        move(plan.old, plan.new)
        store.move_file(plan.file_id, plan.new)
    return batch


def undo_last(store: LibraryStore, journal: Path) -> list[RenamePlan]:
    """Put the last batch's files back under their old names (and their records with them);
    returns what was undone. Files that were moved or renamed again since are left alone."""
    entries = _read(journal)
    if not entries:
        raise RenameError("there is no rename to undo")
    last = entries[-1]
    undone = []
    for plan in reversed([RenamePlan(**p) for p in last["renames"]]):
        if os.path.lexists(plan.new) and not os.path.lexists(plan.old):
            move(plan.new, plan.old)
        elif not os.path.lexists(plan.old):
            continue  # neither name exists any more: the user moved it on
        if store.get_files([plan.file_id]):
            store.move_file(plan.file_id, plan.old)
        undone.append(plan)
    with atomic_file(journal) as partial:
        partial.write_text("".join(json.dumps(e) + "\n" for e in entries[:-1]), encoding="utf-8")
    return undone


def _read(journal: Path) -> list[dict]:
    if not journal.is_file():
        return []
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]
