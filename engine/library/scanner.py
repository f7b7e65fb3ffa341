"""Walk library folders and list the audio files in them, cheaply (stat only, no reads).

Symlinks are followed, but every directory is entered once by its (device, inode), so a link
back to an ancestor cannot loop. A folder whose real location lies in a library folder (this
one or another: the indexer names them all) is walked only from that library folder, by its path
there: a link to it is not entered, and a library folder inside another is not walked as part
of it. That depends on the folder alone, never on which way a walk reached it first, so
a full scan and the watcher's rescan of any one path (a link, the folder it points to, the
folder holding it) list each file under the same one path. A link to a folder outside every
library folder is followed, and its files listed under the link's path. The folders above where
a walk starts are never entered either: a link to a folder that holds the library folder would
index it again under other paths.
Directories that cannot be listed are reported, so the indexer can keep what it knew
about them instead of taking their files for deleted. Anything named like a sound is listed,
whatever it is (a pipe, a device, a folder called ``Takes.wav``): opening it reports what it
is, per file, and a folder's sounds are walked as well. Sounds in a format Earmark cannot read
(``.m4a``, ``.wv``) are listed apart, for the report to name.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.audio.files import open_readonly
from engine.audio.formats import AUDIO_EXTENSIONS, UNREADABLE_AUDIO_EXTENSIONS
from engine.fs import folders_below, is_inside
from engine.library.roots import Identity

log = logging.getLogger(__name__)

_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class ScannedFile:
    path: str
    size: int  # -1 when the entry cannot be stat'ed (a dangling or looping link): the decoder says why
    mtime: float


@dataclass
class ScanResult:
    files: list[ScannedFile] = field(default_factory=list)
    unreadable_dirs: dict[str, str] = field(default_factory=dict)  # path -> reason
    unreadable_formats: list[str] = field(default_factory=list)  # sounds in formats Earmark cannot read

    def covers(self, path: str) -> bool:
        """False if ``path`` lies under a folder this scan could not list (its fate is unknown)."""
        return not any(is_inside(path, d) for d in self.unreadable_dirs)


def is_audio_name(name: str, extensions: frozenset[str] = AUDIO_EXTENSIONS) -> bool:
    """Whether a name is a sound's of the kind ``extensions`` name (by default those Earmark
    reads); "._x.wav" is macOS metadata (AppleDouble) that sits next to every file copied to a
    foreign disk."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in extensions


def is_hidden_below(path: str, folder: str) -> bool:
    """Whether ``path`` is or lies in a hidden folder below ``folder`` (``.Trash-1000``,
    ``.git``): the walk never enters those, so a watched change there is none of the library's
    (a file deleted in a file manager is moved to the drive's trash, and stays out of search)."""
    return any(name.startswith(".") for name in folders_below(os.path.join(path, ""), folder))


def scan(roots: Iterable[str], library: Mapping[str, Identity] | None = None) -> ScanResult:
    """Every audio file under ``roots`` (folders, or single files for a targeted rescan).

    ``library``: each library folder's path and (device, inode), as the probe found them (one
    that did not answer is left out: looking it up could hang the walk). A folder whose real
    location lies in a library folder is walked only from that folder, by its path there:
    never through a link, nor from another library folder. A root belongs to the library folder
    it lies in by name (the innermost), as the indexer files the paths found. Nor is any folder
    above a root entered: its own library folder, the folders between that and a rescanned
    path, and those holding the library folder (a link to ``/`` indexed the disk)."""
    result = ScanResult()
    layout = _Layout(library or {})
    visited: set[Identity] = set()
    for root in roots:
        is_dir = os.path.isdir(root)
        start, home = layout.reached(root if is_dir else os.path.dirname(root)), layout.home(root)
        if not start.walked_from(home):
            continue  # a link's way into a library folder, or another library folder's files
        if is_dir:
            if is_audio_name(os.path.basename(root)):
                result.files.append(_stat_file(root))
            _walk(start, home, layout, visited, layout.above(root), result)
        elif is_audio_name(os.path.basename(root)) and os.path.lexists(root):
            result.files.append(_stat_file(root))
        elif is_audio_name(os.path.basename(root), UNREADABLE_AUDIO_EXTENSIONS) and os.path.isfile(root):
            result.unreadable_formats.append(root)
    unique = {item.path: item for item in result.files}  # roots may overlap (a folder and a file in it)
    result.files = list(unique.values())
    result.unreadable_formats = list(dict.fromkeys(result.unreadable_formats))
    return result


@dataclass(frozen=True)
class _Reached:
    """A folder as a walk reached it: whether through a link, and the library folder its real
    location lies in (None: outside every one)."""

    path: str
    linked: bool
    owner: Identity | None

    def walked_from(self, home: Identity | None) -> bool:
        """Whether the walk of the library folder ``home`` enters this folder: one outside every
        library folder (a folder the user linked in from elsewhere, indexed under the link's
        path), or one of ``home``'s reached with no link on the way. Decided by the folder alone, never
        by which way a walk came first, so a full scan and a rescan of any path agree."""
        return self.owner is None or (self.owner == home and not self.linked)


class _Layout:
    """Where folders really lie: the library folders by (device, inode), and the stats of the
    folders a scan looked up (cached: many links and roots share the folders above them)."""

    def __init__(self, library: Mapping[str, Identity]):
        self.library = dict(library)
        self.identities = frozenset(self.library.values())
        self._known: dict[str, Identity | None] = {}

    def identity(self, folder: str) -> Identity | None:
        if folder not in self._known:
            try:
                info = os.stat(folder)
                self._known[folder] = (info.st_dev, info.st_ino)
            except OSError:
                self._known[folder] = None
        return self._known[folder]

    def home(self, path: str) -> Identity | None:
        """The library folder ``path`` lies in by name (the innermost), whose walk it is part of."""
        folder = self._home_path(path)
        return None if folder is None else self.library[folder]

    def reached(self, folder: str) -> _Reached:
        """Where a walk starting at ``folder`` stands: reached through a link if a folder between
        its library folder (by name) and it is one."""
        home = self._home_path(folder)
        names = [] if home is None else folders_below(os.path.join(folder, ""), home)
        linked = any(os.path.islink(os.path.join(home, *names[: depth + 1])) for depth in range(len(names)))
        return _Reached(folder, linked, self.owner(folder))

    def below(self, folder: _Reached, entry: os.DirEntry, is_link: bool) -> _Reached:
        """The folder ``entry`` in ``folder``: a link's target is looked up where it really lies;
        a plain folder lies where its parent does (or is a library folder: see :func:`_walk`)."""
        if is_link:
            return _Reached(entry.path, True, self.owner(entry.path))
        return _Reached(entry.path, folder.linked, folder.owner)

    def owner(self, path: str) -> Identity | None:
        """The library folder ``path``'s real location lies in (the nearest one above it), or None."""
        if not self.identities:
            return None
        folder = os.path.realpath(path)
        while (identity := self.identity(folder)) not in self.identities:
            if os.path.dirname(folder) == folder:
                return None
            folder = os.path.dirname(folder)
        return identity

    def above(self, path: str) -> frozenset[Identity]:
        """(device, inode) of every folder above ``path`` (by name, up to ``/``): a walk from
        ``path`` has passed through them, as a full scan has when it gets there, so a link back
        to one of them is skipped alike. Kept apart from ``visited``: another root of the same
        scan may lie above this one and must still be walked."""
        above = set()
        folder, parent = os.path.abspath(path), os.path.dirname(os.path.abspath(path))
        while parent != folder:
            if (identity := self.identity(parent)) is not None:
                above.add(identity)
            folder, parent = parent, os.path.dirname(parent)
        return frozenset(above)

    def _home_path(self, path: str) -> str | None:
        inside = [folder for folder in self.library if is_inside(path, folder)]
        return max(inside, key=len, default=None)


def _walk(
    top: _Reached,
    home: Identity | None,
    layout: _Layout,
    visited: set[Identity],
    above: frozenset[Identity],
    result: ScanResult,
) -> None:
    """List the files under ``top`` that the walk of the library folder ``home`` indexes."""
    stack = [top]
    while stack:
        reached = stack.pop()
        folder = reached.path
        try:
            info = os.stat(folder)
        except OSError as exc:
            result.unreadable_dirs[folder] = exc.strerror or str(exc)
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in layout.identities:  # a library folder inside this one: its own walk's
            reached = _Reached(folder, reached.linked, identity)
        if identity in visited or identity in above or not reached.walked_from(home):
            continue
        visited.add(identity)
        try:
            with os.scandir(folder) as entries:
                entries = list(entries)
        except OSError as exc:
            log.warning("cannot list %r: %s", folder, exc)
            result.unreadable_dirs[folder] = exc.strerror or str(exc)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows links
                is_link = is_dir and entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if is_dir:
                stack.append(layout.below(reached, entry, is_link))
            if is_audio_name(entry.name):  # a folder named like a sound too: reported ("is a folder"), and walked
                result.files.append(_stat_file(entry.path))
            elif not is_dir and is_audio_name(entry.name, UNREADABLE_AUDIO_EXTENSIONS):
                result.unreadable_formats.append(entry.path)


def _stat_file(path: str) -> ScannedFile:
    try:
        info = os.stat(path)
    except OSError:
        return ScannedFile(path, -1, 0.0)
    return ScannedFile(path, info.st_size, info.st_mtime_ns / 1e9)


def content_hash(path: str) -> str:
    """blake2b-128 of the whole file: identifies a file's audio across renames and moves.

    Opens regular files only (AudioDecodeError says what else it is) and reads no more
    than the size they had when opened, so a file that keeps growing cannot keep it busy."""
    digest = hashlib.blake2b(digest_size=16)
    with open_readonly(path, allow_empty=True) as handle:
        left = os.fstat(handle.fileno()).st_size
        while left > 0 and (block := handle.read(min(_HASH_BLOCK, left))):
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()
