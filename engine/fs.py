"""File-system helpers several packages share: whether a path lies in a folder, and writing a
file so that no reader ever sees half of it. Standard library only: the app imports this at start.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def folder_prefix(folder: str) -> str:
    """``folder`` with exactly one trailing separator: what every path strictly inside it starts
    with (a plain ``startswith(folder)`` would put ``/sounds2/a.wav`` inside ``/sounds``)."""
    return folder.rstrip(os.sep) + os.sep


def is_inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` itself or lies somewhere below it (compared as text, no disk access:
    the folder may be on a drive that hangs)."""
    return path == folder or path.startswith(folder_prefix(folder))


@contextmanager
def atomic_file(target: str | os.PathLike) -> Iterator[Path]:
    """A uniquely named temporary path beside ``target`` to write to; when the block ends without
    an exception it is renamed onto ``target`` in one step, otherwise it is removed.

    Readers see the old file or the new one, never a half-written one, and two writers of the same
    target (worker threads, loader processes, training ranks) each finish a whole file of their own;
    the last rename wins. The folder must exist."""
    target = Path(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
