"""UCS file names from the tags, and renames that only happen when asked and can be undone.

A proposal is ``CatID_FXName_CreatorID_SourceID`` (the four blocks the UCS convention asks
for): the CatID from the name itself, else from a UCS tag the user accepted, else from the
best UCS suggestion; the FX name from the name a UCS file already has, else from its caption,
else from its current name's words; creator and source from the name a UCS file already has,
else from what the user gives (default source: :func:`default_source`, the file's pack). A
CreatorID says who recorded the sounds, which only the user knows: none given, the names hold
:data:`CREATOR_PLACEHOLDER` where it goes, and neither the app nor the CLI renames by them.

Renaming is a journal plus ``os.link``/``unlink`` (which refuses to overwrite) and then
:meth:`LibraryStore.move_file`, so the file keeps its id and vectors and nothing is
re-embedded. Each batch is appended to a JSON-lines journal before any file moves, which is
what :func:`undo_last` reads. Only files inside an online library folder are ever touched,
and a new name never leaves the file's folder.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.audio.ucs import parse_ucs_shaped
from engine.fs import atomic_file, is_inside
from engine.plural import percent
from engine.words import words

if TYPE_CHECKING:  # the app imports this module for Override: no database at its start
    from engine.index.records import FileRecord
    from engine.index.store import LibraryStore

MAX_FX_NAME = 25  # characters, as the UCS convention recommends
MAX_VARIATION = 4  # digits of a trailing variation number ("01", "0017"); a longer one is a date or an id
# Words that say nothing in a sound library's FX name: every file in it is a sound
FILLER = frozenset({"sound", "sounds", "sfx", "snd", "audio", "fx"})
_UNSAFE = str.maketrans({c: " " for c in '_/\\:*?"<>|'})
# What stands for the CreatorID in a planned name while the user has given none. It was the login
# name ("BEEP_Beep_root_tuxfootball.wav" from `earmark rename`), which is not who recorded them.
CREATOR_PLACEHOLDER = "CreatorID"
# where a plan's CatID came from (RenamePlan.reason), said to the user (cat_id_from)
CAT_ID_FROM = {
    "name": "from its name",
    "tag": "from your tag",
    "suggestion": "from a suggestion",
    "user": "your choice",
}
# What a file whose UCS suggestions are all under the threshold can do to be renamed, where the
# user reads it ({key}: its best suggestion's CatID): the dialog has a CatID column to type in,
# the CLI has no per-file CatID, but accepting the suggestion makes it the file's tag.
TYPE_CAT_ID = "accept it or type a CatID"
ACCEPT_FIRST = "accept it first: `earmark accept --tag {key} --min-confidence 0 PATH`"


class RenameError(ValueError):
    """A rename that would leave the library, overwrite a file, or cannot be undone."""


@dataclass(frozen=True)
class RenamePlan:
    file_id: int
    old: str
    new: str
    cat_id: str
    reason: str = ""  # where the CatID came from: "name", "tag", "suggestion", "user" (an Override)
    fx: str = ""  # the FX name block of ``new``: shown to be corrected, not read back
    needs_creator: bool = False  # ``new`` takes the CreatorID given: the old name has none of its own
    confidence: float | None = None  # the suggestion's, when the CatID is one not accepted ("suggestion")


@dataclass(frozen=True)
class Override:
    """What the user gives one file instead of what the plan would take ("" keeps that): a CatID
    (checked against the UCS list) and an FX name (cleaned by :func:`fx_name`, its words kept)."""

    cat_id: str = ""
    fx_name: str = ""


def fx_name(text: str, drop_filler: bool = False) -> str:
    """A title of at most 25 characters (what the UCS convention recommends), cut at a word
    boundary: "a wooden door creaks slowly, then slams shut" -> "Wooden Door Creaks Slowly".
    A trailing variation number is kept and the words before it cut to fit instead: sound
    designers number variations at the end of the FX name ("Door Creak 01"), and a cut that
    dropped it gave ``Menu_Item_Selected_Sound_1`` and ``_0`` one FX name. ``drop_filler`` drops
    the words that say nothing in a sound library (:data:`FILLER`: "Menu Item Selected Sound"),
    unless nothing else would remain; an FX name the user typed keeps them."""
    found = [w for w in words(text) if w not in {"a", "an", "the"}]
    kept = [w for w in found if w not in FILLER] if drop_filler else found
    if all(w.isdigit() for w in kept):
        kept = found  # "Sound_01": the filler is all that names it
    number = kept.pop() if len(kept) > 1 and kept[-1].isdigit() and len(kept[-1]) <= MAX_VARIATION else ""
    room = MAX_FX_NAME - (len(number) + 1 if number else 0)
    title = ""
    for word in kept:
        candidate = f"{title} {word.capitalize()}".strip()
        if len(candidate) > room:
            break
        title = candidate
    title = title or (kept[0].capitalize()[:room] if kept else "Sound")
    return f"{title} {number}" if number else title


def _block(text: str) -> str:
    """A name block: no underscores or path characters, spaces folded."""
    return " ".join(text.translate(_UNSAFE).split())


def id_block(text: str) -> str:
    """A CreatorID, SourceID or UserCategory as a name holds it: a block without spaces ("J_D x"
    is written JDx; the rename dialog shows the user what theirs becomes)."""
    return _block(text).replace(" ", "")


def ucs_name(
    cat_id: str, fx: str, creator: str, source: str, suffix: str, user_data: str = "", user_category: str = ""
) -> str:
    """``CatID(-UserCategory)_FXName_CreatorID_SourceID(_UserData)``; UserData, the rest of the
    name, keeps its own underscores. The IDs are written as given, made safe as blocks: one typed
    is passed through :func:`id_block` by the caller, one from the file's own name is its maker's."""
    head = f"{cat_id}-{id_block(user_category)}" if user_category else cat_id
    blocks = [head, _block(fx), _block(creator), _block(source)]
    kept = [_block(part) for part in user_data.split("_")]
    if any(kept):
        blocks += kept
    return "_".join(blocks) + suffix


def planned_fx_name(record: FileRecord, caption: str) -> str:
    """The FX name ``record``'s UCS name gets unless the user gives one: the one its UCS name has
    (its CatID listed or not: :func:`parse_ucs_shaped`), else its caption's, else its current
    name's words."""
    path = Path(record.path)
    existing = parse_ucs_shaped(path.name)
    if existing is not None:
        return existing.fx_name
    return fx_name(caption or " ".join(words(path.stem)), drop_filler=True)


def default_source(path: str, library_folder: str) -> str:
    """The SourceID a file's UCS name gets when none is given: the first folder below its library
    folder, where a library keeps each pack or vendor ("SFX/BOOM Doors/Wood/creak.wav" -> "BOOM
    Doors"), else the library folder's own name. The library folder alone named every file of a
    one-root library after the root ("lib")."""
    try:
        parts = Path(path).parent.relative_to(library_folder).parts
    except ValueError:  # not below it (a path of another spelling): the library folder's name
        parts = ()
    return parts[0] if parts else (Path(library_folder).name or "Library")


def propose(
    record: FileRecord, cat_id: str, caption: str, creator: str | None, source: str | None, fx: str = ""
) -> str:
    """The UCS name ``record`` should have (file name only), with the FX name ``fx`` when given
    (the user's, cleaned) instead of :func:`planned_fx_name`."""
    path = Path(record.path)
    existing = parse_ucs_shaped(path.name)
    fx = fx or planned_fx_name(record, caption)
    # the file's own IDs as its maker wrote them ("ACME Foley Library"), others as a UCS ID holds them
    creator = (existing.creator_id if existing else "") or id_block(creator or "") or CREATOR_PLACEHOLDER
    source = (existing.source_id if existing else "") or id_block(source or default_source(record.path, record.folder))
    user_data, user_category = (existing.user_data, existing.user_category) if existing else ("", "")
    return ucs_name(cat_id, fx, creator, source, path.suffix, user_data, user_category)


def cat_id_from(plan: RenamePlan) -> str:
    """Where a plan's CatID came from, and how sure a suggestion not accepted is ("from a
    suggestion at 84%"): renaming by a guess the user never saw asks to be read first."""
    said = CAT_ID_FROM.get(plan.reason, "")
    return f"{said} at {percent(plan.confidence)}" if plan.confidence is not None else said


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
        out.append(replace(plan, new=target))
    return out


# -- doing and undoing ---------------------------------------------------------------------------


def _inside(path: str, folders: Sequence[str]) -> bool:
    return any(is_inside(path, folder) for folder in folders)


def refusal(plan: RenamePlan, online_folders: Sequence[str]) -> str | None:
    """Why ``plan`` cannot be done now (it leaves its folder or the library's online folders, or
    would overwrite a file), or None: asked when the names are planned, so the user reads why
    before pressing Rename, and again by :func:`check` before anything moves."""
    if os.path.dirname(plan.new) != os.path.dirname(plan.old):
        return f"{plan.old}: a rename stays in its folder, not {plan.new}"
    if not _inside(plan.old, online_folders):
        return f"{plan.old} is not in an online library folder: it is not renamed"
    if os.path.lexists(plan.new):
        return f"{plan.new} already exists: nothing was renamed"
    return None


def check(plans: Sequence[RenamePlan], online_folders: Sequence[str]) -> None:
    """Refuse, before anything moves, a batch with a plan :func:`refusal` refuses, or two plans
    with one name."""
    for plan in plans:
        if why := refusal(plan, online_folders):
            raise RenameError(why)
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
    """Rename the files and re-link their records; returns the batch id :func:`undo_last` takes
    back ("" when there is nothing to rename: no batch is written, so the last one stays the one
    an undo takes back)."""
    check(plans, online_folders)
    if not plans:
        return ""
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


@dataclass(frozen=True)
class Undone:
    """What an undo did: the renames it took back, and {new name: why not} for those that
    cannot go back yet and stay in the journal for the next undo."""

    renamed_back: list[RenamePlan]
    waiting: dict[str, str]


def can_undo(journal: Path) -> bool:
    """Whether the journal holds a batch :func:`undo_last` would take back: a stat, not a read
    (it is appended a line per batch and rewritten without the batch an undo took back, empty
    once none is left)."""
    try:
        return journal.stat().st_size > 0
    except OSError:  # no journal yet: nothing was ever renamed
        return False


def undo_last(store: LibraryStore, journal: Path) -> Undone:
    """Put the last batch's files back under their old names (and their records with them).

    A file renamed or moved on since (neither name is in its folder) is left alone. One that
    cannot go back now, because its folder is offline or a new file has taken its old name,
    stays in the journal with the batch, so the next undo tries it again (and the batch before
    is not undone until it has gone back): the old name's file is never replaced, and a record
    never points at a file that is not the one it indexed. A rename that stopped halfway (the
    new name linked, the old one not yet unlinked: both names are the same file) is finished
    backwards."""
    entries = _read(journal)
    if not entries:
        raise RenameError("there is no rename to undo")
    last = entries[-1]
    plans = [RenamePlan(**p) for p in last["renames"]]
    renamed_back, waiting = [], {}
    for plan in reversed(plans):
        has_new, has_old = os.path.lexists(plan.new), os.path.lexists(plan.old)
        if has_new and has_old and not os.path.samefile(plan.new, plan.old):
            waiting[plan.new] = f"{os.path.basename(plan.old)} is another file now: rename or remove it first"
            continue
        if not has_new and not has_old:
            if not os.path.isdir(os.path.dirname(plan.old)):
                waiting[plan.new] = "its folder is not there (offline?): undo again when it is"
            continue  # the user renamed or moved it on
        record = store.get_files([plan.file_id]).get(plan.file_id)
        if not has_new and (record is None or record.path != plan.new):
            continue  # never renamed: the batch stopped before this file
        if has_new and has_old:
            os.unlink(plan.new)  # the same file under both names: the rename stopped halfway
        elif has_new:
            move(plan.new, plan.old)
        if record is not None:  # (only the old name left: the file went back, its record did not)
            store.move_file(plan.file_id, plan.old)
        renamed_back.append(plan)
    left = [asdict(p) for p in plans if p.new in waiting]
    kept = entries[:-1] + ([{**last, "renames": left}] if left else [])
    with atomic_file(journal) as partial:
        partial.write_text("".join(json.dumps(e) + "\n" for e in kept), encoding="utf-8")
    return Undone(renamed_back, waiting)


def _read(journal: Path) -> list[dict]:
    if not journal.is_file():
        return []
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]
