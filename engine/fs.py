"""File-system helpers several packages share: whether a path lies in a folder, the folders
between a library folder and a file, what to call a folder, and writing a file (or swapping a
folder) so that no reader ever sees half of it. Standard library only: the app imports this at
start."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_SUFFIX = ".partial"  # a file being written by atomic_file; one left behind is a crash's


def absolute_path(path: str | os.PathLike) -> str:
    """``path`` as the index keys files and folders: absolute, ``~`` expanded, links not followed."""
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


def folder_prefix(folder: str) -> str:
    """``folder`` with exactly one trailing separator: what every path strictly inside it starts
    with (a plain ``startswith(folder)`` would put ``/sounds2/a.wav`` inside ``/sounds``)."""
    return folder.rstrip(os.sep) + os.sep


def is_inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` itself or lies somewhere below it (compared as text, no disk access:
    the folder may be on a drive that hangs)."""
    return path == folder or path.startswith(folder_prefix(folder))


def folders_below(path: str, library_folder: str) -> list[str]:
    """Names of the folders between ``library_folder`` and the file ``path`` (``Doors``, ``Wood``
    for ``/lib/Doors/Wood/a.wav`` under ``/lib``); none for a file directly in it or outside it.
    A folder whose name starts with two dots (``..Misc``) is a folder below, not the one above."""
    relative = os.path.relpath(os.path.dirname(path), library_folder)
    if relative in (os.curdir, os.pardir) or relative.startswith(os.pardir + os.sep):
        return []
    return relative.split(os.sep)


def folder_names(folders: list[str]) -> dict[str, str]:
    """Each folder as the app names it: its own name ("ucslib"), and where two library folders share
    one, the folders above it that tell them apart ("ucslib (s35/review)", "ucslib (s36/review)"), which
    the panel and the folder filter showed as two rows alike."""
    parts = {folder: Path(folder).parts for folder in folders}
    named = {}
    for folder, own in parts.items():
        depth = 1
        for depth in range(1, len(own) + 1):  # the depth it stops at is the one named by
            tail = own[-depth:]
            if all(other[-depth:] != tail for path, other in parts.items() if path != folder):
                break
        name = own[-1] if own else folder  # "/" is its own last part
        named[folder] = f"{name} ({'/'.join(own[-depth:-1])})" if depth > 1 else name
    return named


@contextmanager
def atomic_file(target: str | os.PathLike) -> Iterator[Path]:
    """A uniquely named temporary path beside ``target`` to write to; when the block ends without
    an exception it is renamed onto ``target`` in one step, otherwise it is removed.

    Readers see the old file or the new one, never a half-written one, and two writers of the same
    target (worker threads, loader processes, training ranks) each finish a whole file of their own;
    the last rename wins. The folder must exist."""
    target = Path(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=PARTIAL_SUFFIX, dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def swap_folder_in(staging: Path, folder: Path) -> None:
    """Put the finished folder ``staging`` in place of ``folder`` by renames, the old one set
    aside as ``<folder>.old`` until the new one is in: a crash (or a stop signal) at any moment
    leaves a whole ``folder`` or a whole ``<folder>.old``, which :func:`recovered_folder` puts back."""
    aside = folder.with_name(folder.name + ".old")
    shutil.rmtree(aside, ignore_errors=True)
    if folder.exists():
        folder.rename(aside)
    staging.rename(folder)
    shutil.rmtree(aside, ignore_errors=True)


def recovered_folder(folder: Path) -> Path:
    """``folder``, put back from ``<folder>.old`` when a :func:`swap_folder_in` stopped between
    its renames."""
    aside = folder.with_name(folder.name + ".old")
    if not folder.exists() and aside.is_dir():
        aside.rename(folder)
    return folder
