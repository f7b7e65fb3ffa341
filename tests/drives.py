"""A library folder that can be unplugged and plugged back in, for real where the test may mount.

``Drive(folder, "mount")`` loop-mounts an ext4 image at ``folder`` (as the issue's user did
with a real drive image), or, where loop devices are missing, bind-mounts a tmpfs that
keeps the drive's files while it is unplugged. Either way ``unplug()`` is a real ``umount``
that leaves the empty mount point behind, and ``replug()`` a real ``mount``. Where nothing
can be mounted (not root, no mount support), it falls back to the renamed-folder drive,
so the test still runs: ``Drive(folder, "rename")`` makes the folder vanish by renaming it
away and come back by renaming it back. ``kind`` says which one a test got.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from engine.library.roots import folder_identity

log = logging.getLogger(__name__)

IMAGE_MB = 32


class Drive:
    def __init__(self, root: Path, kind: str):
        self.root = Path(root)
        self.base = self.root.parent / f".{self.root.name}.drive"  # the image, the tmpfs, the renamed folder
        self.base.mkdir(parents=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.kind = kind
        self._mount = None  # the command that plugs the drive in, for "mount"
        self._tmpfs: Path | None = None
        if kind == "mount":
            self._mount = self._mountable()
            if self._mount is None:
                log.warning("cannot mount here: %s uses a renamed folder instead", self.root)
                self.kind = "rename"
        self.plugged = True

    # -- what tests do -------------------------------------------------------------------------
    def unplug(self) -> None:
        if self.kind == "rename":
            os.rename(self.root, self.base / "away")
        else:
            _retry(["umount", str(self.root)])  # busy for a moment if the indexer is reading a file
        self.plugged = False

    def replug(self) -> None:
        if self.kind == "rename":
            os.rename(self.base / "away", self.root)
        else:
            _run(self._mount)
        self.plugged = True

    def away_folder(self) -> Path:
        """Where the unplugged drive's files are, to change them "on another computer"; call
        :meth:`done_away` afterwards."""
        assert not self.plugged
        if self.kind == "rename":
            return self.base / "away"
        if self._tmpfs is not None:
            return self._tmpfs
        elsewhere = self.base / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        _run(self._mount[:-1] + [str(elsewhere)])
        return elsewhere

    def done_away(self) -> None:
        if self.kind == "mount" and self._tmpfs is None:
            _retry(["umount", str(self.base / "elsewhere")])

    def close(self) -> None:
        for mounted in (self.root, self.base / "elsewhere", self._tmpfs):
            if mounted is not None and os.path.ismount(mounted):
                _retry(["umount", str(mounted)])
        if self.kind == "rename" and not self.plugged:
            self.replug()

    # -- mounting ------------------------------------------------------------------------------
    def _mountable(self) -> list[str] | None:
        """The mount command that worked (it is left mounted), or None."""
        image = self.base / "drive.img"
        if shutil.which("mkfs.ext4") and shutil.which("mount"):
            try:
                with open(image, "wb") as handle:
                    handle.truncate(IMAGE_MB << 20)
                _run(["mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", str(image)])
                command = ["mount", "-o", "loop", str(image), str(self.root)]
                _run(command)
                return command
            except (OSError, subprocess.CalledProcessError) as exc:
                log.warning("no loop-mounted ext4 image here (%s); trying a tmpfs", exc)
        tmpfs = self.base / "tmpfs"
        tmpfs.mkdir()
        try:
            _run(["mount", "-t", "tmpfs", "-o", f"size={IMAGE_MB}m", "tmpfs", str(tmpfs)])
            command = ["mount", "--bind", str(tmpfs), str(self.root)]
            _run(command)
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("no tmpfs either (%s)", exc)
            if os.path.ismount(tmpfs):
                _retry(["umount", str(tmpfs)])
            return None
        self._tmpfs = tmpfs
        return command


class HangingShare:
    """A FUSE-free stand-in for a dead network share: a path check (for ``RootProbe``) that
    blocks on one folder until released, as ``stat`` does there, and answers normally elsewhere."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.release = threading.Event()

    def __call__(self, path: str):
        if path == self.folder:
            self.release.wait(300)
        return folder_identity(path)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)


def _retry(command: list[str], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            _run(command)
            return
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
