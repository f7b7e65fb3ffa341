"""Walk library folders and list the audio files in them, cheaply (stat only, no reads).

Symlinks are followed, but every directory is entered once by its (device, inode), so
a link back to an ancestor cannot loop and a linked-in folder is not indexed twice (nor is
another library folder linked in: the indexer names those to skip). The folders above where
a walk starts are never entered either: a link to the library folder itself, or to a folder
that holds it, would index it a second time under other paths. A full scan and the watcher's
rescan of one path inside the folder thus skip the same links.
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
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.audio.files import open_readonly
from engine.audio.formats import AUDIO_EXTENSIONS, UNREADABLE_AUDIO_EXTENSIONS
from engine.fs import folders_below, is_inside

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


def scan(roots: Iterable[str], skip: Iterable[tuple[int, int]] = ()) -> ScanResult:
    """Every audio file under ``roots`` (folders, or single files for a targeted rescan),
    never entering the folders whose (device, inode) ``skip`` holds: the other library
    folders, which a link in this one must not index a second time under other paths. Nor
    is any folder above a root entered: its own library folder, the folders between that and
    a rescanned path, and those holding the library folder (a link to ``/`` indexed the disk)."""
    result = ScanResult()
    visited: set[tuple[int, int]] = set(skip)
    identities: dict[str, tuple[int, int] | None] = {}
    for root in roots:
        if os.path.isdir(root):
            if is_audio_name(os.path.basename(root)):
                result.files.append(_stat_file(root))
            _walk(root, visited, _identities_above(root, identities), result)
        elif is_audio_name(os.path.basename(root)) and os.path.lexists(root):
            result.files.append(_stat_file(root))
        elif is_audio_name(os.path.basename(root), UNREADABLE_AUDIO_EXTENSIONS) and os.path.isfile(root):
            result.unreadable_formats.append(root)
    unique = {item.path: item for item in result.files}  # roots may overlap (a folder and a file in it)
    result.files = list(unique.values())
    result.unreadable_formats = list(dict.fromkeys(result.unreadable_formats))
    return result


def _identities_above(path: str, known: dict[str, tuple[int, int] | None]) -> frozenset[tuple[int, int]]:
    """(device, inode) of every folder above ``path`` (by name, up to ``/``): a walk from
    ``path`` has passed through them, as a full scan has when it gets there, so a link back
    to one of them is skipped alike. Kept apart from ``visited``: another root of the same
    scan may lie above this one and must still be walked. ``known`` caches the stats."""
    above = set()
    folder, parent = os.path.abspath(path), os.path.dirname(os.path.abspath(path))
    while parent != folder:
        if parent not in known:
            try:
                info = os.stat(parent)
                known[parent] = (info.st_dev, info.st_ino)
            except OSError:
                known[parent] = None
        if known[parent] is not None:
            above.add(known[parent])
        folder, parent = parent, os.path.dirname(parent)
    return frozenset(above)


def _walk(top: str, visited: set[tuple[int, int]], above: frozenset[tuple[int, int]], result: ScanResult) -> None:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
        except OSError as exc:
            result.unreadable_dirs[folder] = exc.strerror or str(exc)
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in visited or identity in above:
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
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(entry.path)
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
