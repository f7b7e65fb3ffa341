"""Is a library folder there, and is it still the same folder? Asked with a timeout.

An unplugged USB drive leaves its empty mount point behind (a folder of another
device), a renamed or deleted folder leaves nothing, and a network share that dropped
can make ``stat`` block for minutes. :class:`RootProbe` runs each check in a daemon
thread and waits at most ``timeout_s`` for it, so its caller (the watcher's loop, and
through it the app) never waits longer than that. A root whose check has not answered
counts as unreachable, and no second check is started on it while the first still
hangs: a dead share costs one stuck thread, not one more every few seconds.

A folder that is gone is told apart from one whose drive is gone by the folder it was in:
the check also gives the device of the nearest folder above a gone one that is still there
(:attr:`RootState.parent_device`). On the device the folder was on, the drive is connected
and the folder was moved, renamed or deleted (:meth:`RootState.missing_from`); on another
(the empty mount point, the folder above it), the drive is what went.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Identity = tuple[int, int]  # (st_dev, st_ino): a remount or another folder at the same path differs
PathCheck = Callable[[str], Identity]  # raises OSError when the folder cannot be reached


@dataclass(frozen=True)
class RootState:
    reachable: bool
    identity: Identity | None = None  # None when unreachable
    reason: str = ""  # why it is unreachable, in words
    # a folder that is gone: the device of the nearest folder above it that is there (None when
    # that is a network share's or a FUSE root, whose share may be what went: gvfs holds each as a folder)
    parent_device: int | None = None

    def missing_from(self, device: int | None) -> bool:
        """Whether the folder is gone from ``device`` (the one it was last seen on) while that
        device is still there: moved, renamed or deleted, not unplugged."""
        return device is not None and self.parent_device == device


def folder_identity(path: str) -> Identity:
    """The (device, inode) of the folder at ``path``; OSError when it is not a reachable folder."""
    info = os.stat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{path} is not a folder")
    return info.st_dev, info.st_ino


# File systems whose folders are shares that come and go (gvfs keeps each share as a folder of
# one FUSE mount): a folder gone from the top of one is not a folder gone from a drive
SHARE_FILE_SYSTEMS = ("fuse", "nfs", "cifs", "smb", "9p", "afp", "davfs", "sshfs")


def nearest_device(path: str) -> int | None:
    """The device of the nearest folder above ``path`` that exists; None when that folder is the
    root of a network or FUSE file system (:data:`SHARE_FILE_SYSTEMS`), whose share may be what went."""
    parent = os.path.dirname(path)
    while True:
        try:
            info = os.stat(parent)
        except OSError:
            if parent == os.path.dirname(parent):
                return None
            parent = os.path.dirname(parent)
            continue
        if os.path.ismount(parent) and _is_share(parent, info.st_dev):
            return None
        return info.st_dev


def _is_share(mount_point: str, device: int) -> bool:
    """Whether the file system mounted at ``mount_point`` is a network or FUSE one, by its type in
    /proc/self/mounts (the last mount there is the one seen); where that cannot be read (not
    Linux), whether it is on no block device (a tmpfs is then taken for a share, the safe side:
    its folder is said unplugged, not gone)."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            types = [fields[2] for fields in map(str.split, mounts) if _unescaped(fields[1]) == mount_point]
    except (OSError, IndexError):
        return os.major(device) == 0
    return bool(types) and types[-1].startswith(SHARE_FILE_SYSTEMS)


def _unescaped(path: str) -> str:
    """A path as /proc/self/mounts writes it: a space as backslash 040, a tab, a newline and a
    backslash alike (three octal digits)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


class _Check(threading.Thread):
    """One call of the path check, on its own daemon thread (a hung one never blocks exit)."""

    def __init__(self, check: PathCheck, path: str):
        super().__init__(name="earmark-root-check", daemon=True)
        self.check, self.path = check, path
        self.identity: Identity | None = None
        self.error = ""
        self.parent_device: int | None = None

    def run(self) -> None:
        try:
            self.identity = self.check(self.path)
        except FileNotFoundError as exc:
            self.error = exc.strerror or str(exc)
            self.parent_device = nearest_device(self.path)
        except OSError as exc:
            self.error = exc.strerror or str(exc)


class RootProbe:
    def __init__(self, check: PathCheck = folder_identity, timeout_s: float = 2.0):
        self.check = check
        self.timeout_s = timeout_s
        self._hanging: dict[str, _Check] = {}
        self._lock = threading.Lock()

    def probe(self, roots: Iterable[str]) -> dict[str, RootState]:
        """The state of every root, checked in parallel; returns within ``timeout_s`` (at once
        for a root whose earlier check still hangs: it is not waited for again)."""
        with self._lock:
            checks, fresh = {}, []
            for root in dict.fromkeys(roots):
                check = self._hanging.get(root)
                if check is None or not check.is_alive():  # a hang that ended is asked afresh
                    check = _Check(self.check, root)
                    check.start()
                    fresh.append(check)
                checks[root] = check
            deadline = time.monotonic() + self.timeout_s
            for check in fresh:
                check.join(max(0.0, deadline - time.monotonic()))
            # every root still hanging, not only those of this call: roots are often probed one at a time
            everything = {**self._hanging, **checks}
            self._hanging = {root: check for root, check in everything.items() if check.is_alive()}
            return {root: self._state(check) for root, check in checks.items()}

    def _state(self, check: _Check) -> RootState:
        if check.is_alive():
            return RootState(False, reason=f"not responding (no answer in {self.timeout_s:g} s)")
        if check.identity is None:
            return RootState(False, reason=check.error or "unreachable", parent_device=check.parent_device)
        return RootState(True, check.identity)
