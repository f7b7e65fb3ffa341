"""Opening a user's file for reading, with the failure said in words.

Every reader of a user's file goes through :func:`open_readonly`, so a file is
never opened for writing and every way a path can be unreadable (missing, a
folder, a pipe, a device, empty, no permission, a symlink loop) becomes one
:class:`AudioDecodeError` the indexer can store next to the file.

Only regular files are ever opened: the type is checked with ``stat`` first (a
FIFO would block ``open`` until a writer comes, ``/dev/zero`` never ends), and the
open itself is non-blocking and checked again on the descriptor, so a file swapped
for a pipe between the two checks cannot hang the caller either.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

import soundfile as sf

PathLike = str | bytes | os.PathLike


class AudioDecodeError(Exception):
    """A file Earmark cannot read; ``str(error)`` is a short sentence meant for the user."""

    def __init__(self, message: str, path: PathLike | None = None):
        super().__init__(message)
        self.path = path


def open_readonly(path: PathLike, allow_empty: bool = False) -> BinaryIO:
    """Open a regular, non-empty (unless ``allow_empty``) file in binary read mode, or raise AudioDecodeError."""
    info = regular_file(path)
    if info.st_size == 0 and not allow_empty:
        raise AudioDecodeError("file is empty (0 bytes)", path)
    try:
        handle = open(path, "rb", opener=_open_nonblocking)
    except OSError as exc:
        raise AudioDecodeError(_os_reason(exc), path) from exc
    opened = os.fstat(handle.fileno())
    if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
        handle.close()
        raise AudioDecodeError("the file changed while it was being opened (replaced by another)", path)
    return handle


def regular_file(path: PathLike) -> os.stat_result:
    """``stat`` of the regular file ``path`` names, following links; AudioDecodeError saying
    what it is instead (a folder, a pipe, a device, a link loop) when it is not one."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise AudioDecodeError(_os_reason(exc), path) from exc
    if stat.S_ISDIR(info.st_mode):
        raise AudioDecodeError("is a folder, not a file", path)
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _SPECIAL_KINDS if test(info.st_mode)), "a special file")
        raise AudioDecodeError(f"not a regular file: {_via_link(path)}{kind}", path)
    return info


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _via_link(path: PathLike) -> str:
    """ "a link to /dev/zero, " when ``path`` is a symbolic link, so the user sees where it points."""
    try:
        if not os.path.islink(path):
            return ""
        return f"a link to {os.fsdecode(os.path.realpath(path))}, "
    except (OSError, ValueError):
        return ""


def _open_nonblocking(path: PathLike, flags: int) -> int:
    """O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (the
    descriptor is checked before anything reads it). No controlling terminal from a tty."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))


def _os_reason(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "file not found",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "symbolic link loop",
        errno.ENAMETOOLONG: "file name too long",
    }
    return reasons.get(exc.errno) or f"cannot open file: {exc.strerror or exc}"


def libsndfile_reason(exc: sf.LibsndfileError) -> str:
    """libsndfile's own explanation, trimmed to fit inside one of our sentences."""
    message = exc.error_string.removeprefix("Error : ").strip().rstrip(".")
    return message[:1].lower() + message[1:]
