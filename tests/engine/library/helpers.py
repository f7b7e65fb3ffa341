"""Shared by the library tests: a model that counts its work, index snapshots, and
subprocesses that obey file permissions even when the tests run as root."""

from __future__ import annotations

import ctypes
import hashlib
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.index.store import LibraryStore
from engine.models.base import AudioTextModel

REPO = Path(__file__).resolve().parents[3]
_PR_CAPBSET_DROP = 24
_DAC_CAPS = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: what lets root ignore permissions


class CountingModel(AudioTextModel):
    """A real model that also counts the clips it embeds, to prove what was not re-embedded,
    and keeps each batch's clip lengths (samples), to show how windows were batched."""

    def __init__(self, model: AudioTextModel):
        self.inner = model
        self.info = model.info
        self.clips = 0
        self.batches: list[list[int]] = []

    def embed_audio(self, clips):
        return self.embed_audio_and_likeness(clips)[0]

    def embed_audio_and_likeness(self, clips):
        self.clips += len(clips)
        self.batches.append([len(clip) for clip in clips])
        return self.inner.embed_audio_and_likeness(clips)

    def embed_text(self, texts):
        return self.inner.embed_text(texts)


def snapshot(store: LibraryStore, model_name: str) -> dict[str, tuple]:
    """Everything a run decides about each file, by path: record facts and its windows."""
    table = store.embeddings(model_name)
    records = store.find_files()
    out = {}
    for record in records:
        windows = table.windows(record.id)
        out[record.path] = (
            record.content_hash,
            record.status,
            record.error,
            record.size,
            record.duration_s,
            record.folder,
            tuple(np.round(windows.starts, 3)),
            tuple(np.round(windows.ends, 3)),
            windows.vectors,
        )
    assert len(out) == len(records), "two records for one path"
    return out


def assert_same_index(got: dict[str, tuple], want: dict[str, tuple]) -> None:
    """Same files with the same facts and windows; vectors equal up to float noise."""
    assert sorted(got) == sorted(want)
    for path in want:
        assert got[path][:-1] == want[path][:-1], path
        np.testing.assert_allclose(got[path][-1], want[path][-1], atol=1e-5, err_msg=path)


def sample_library(folder: Path) -> Path:
    """Four sounds named for what they are (mono/stereo, 16/48 kHz, WAV/FLAC) and one broken file."""
    from tests.factories import noise, tone, write_audio

    write_audio(folder / "door_creak.wav", tone(300, 2.0))
    write_audio(folder / "dog_bark.wav", tone(900, 1.0))
    write_audio(folder / "rain" / "rain_on_roof.flac", noise(3.0), format="FLAC")
    write_audio(folder / "stereo_bell.wav", np.stack([tone(1200, 1.5, 48_000)] * 2, 1), sr=48_000)
    (folder / "broken.wav").write_text("no audio here")
    return folder


def checksums(folder: Path) -> dict[str, str]:
    """Content digest of every regular file under ``folder`` (links, pipes and sockets not followed)."""
    sums = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            try:
                with open(path, "rb") as handle:
                    sums[path] = hashlib.sha256(handle.read()).hexdigest()
            except PermissionError:
                sums[path] = "unreadable"
    return sums


def drop_permission_override() -> None:
    """In a child before exec: take the DAC capabilities out of the bounding set, so even
    uid 0 gets EACCES on a chmod 000 file, as the user would."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _DAC_CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_as_user(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command that respects file permissions (as root too)."""
    preexec = drop_permission_override if os.geteuid() == 0 else None
    return subprocess.run(args, preexec_fn=preexec, capture_output=True, text=True, cwd=REPO, **kwargs)


def python_args(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def wait_for(condition: Callable[[], object], timeout: float = 60.0, every: float = 0.1) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; its last answer decides."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return bool(condition())
