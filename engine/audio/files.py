"""Opening a user's file for reading, with the failure said in words.

Every reader in this package goes through :func:`open_readonly`, so a file is
never opened for writing and every way a path can be unreadable (missing, a
folder, a pipe, empty, no permission, a symlink loop) becomes one
:class:`AudioDecodeError` the indexer can store next to the file.
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


def open_readonly(path: PathLike) -> BinaryIO:
    """Open a regular, non-empty file in binary read mode, or raise AudioDecodeError."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise AudioDecodeError(_os_reason(exc), path) from exc
    if stat.S_ISDIR(info.st_mode):
        raise AudioDecodeError("is a folder, not a file", path)
    if not stat.S_ISREG(info.st_mode):
        raise AudioDecodeError("not a regular file (a pipe, socket or device)", path)
    if info.st_size == 0:
        raise AudioDecodeError("file is empty (0 bytes)", path)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise AudioDecodeError(_os_reason(exc), path) from exc


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
