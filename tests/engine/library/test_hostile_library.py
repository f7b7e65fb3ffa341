"""A library folder a DAW, a careless link or a buggy render left hostile: `earmark index`
(a real process, that cannot override file permissions even as root) ends, names every
bad entry with its reason, indexes every good file, and changes no file."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.index.records import ERROR, OK
from engine.index.store import LibraryStore
from tests.engine.audio.test_audio_nonfinite import nonfinite_wav
from tests.engine.library.helpers import checksums, run_as_user
from tests.factories import noise, tone, write_audio

EARMARK = Path(sys.executable).with_name("earmark")
BOUND_S = 240  # model loading included; before, the run never ended


def hostile_library(folder: Path) -> tuple[dict[str, str], list[str]]:
    """({entry: the reason its error must give}, [good files]) under ``folder``."""
    good = [write_audio(folder / f"good_{i}.wav", tone(200 + 100 * i, 1.0 + i / 2)) for i in range(5)]
    good.append(write_audio(folder / "rain.flac", noise(2.0), format="FLAC"))
    good.append(write_audio(folder / "Takes.wav" / "take_1.wav", tone(900, 1.0)))  # a folder named like a sound
    os.mkfifo(folder / "daw_pipe.wav")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(folder / "socket.wav"))
    os.symlink("/dev/zero", folder / "zero.wav")
    os.symlink("/dev/urandom", folder / "urandom.wav")
    locked = write_audio(folder / "locked.wav", tone(500, 1.0))
    hidden = write_audio(folder / "locked_dir" / "hidden.wav", tone(600, 1.0))
    locked.chmod(0)
    hidden.parent.chmod(0)
    bad = {
        "daw_pipe.wav": "not a regular file: a named pipe (FIFO)",
        "socket.wav": "not a regular file: a socket",
        "zero.wav": "not a regular file: a link to /dev/zero, a character device",
        "urandom.wav": "not a regular file: a link to /dev/urandom, a character device",
        "locked.wav": "permission denied",
        "Takes.wav": "is a folder, not a file",  # reported, and the sound inside it indexed
    }
    return bad, [str(p) for p in good]


def earmark(home: Path, checkpoint: Path, *args: str) -> subprocess.CompletedProcess:
    return run_as_user([str(EARMARK), "--home", str(home), "--model", str(checkpoint), *args], timeout=BOUND_S)


@pytest.mark.slow
def test_index_ends_names_every_bad_entry_and_indexes_every_good_file(tmp_path, tiny_checkpoint):
    library, home = tmp_path / "library", tmp_path / "home"
    bad, good = hostile_library(library)
    render_bug = str(nonfinite_wav(library / "render_bug.wav"))
    before = checksums(library)
    try:
        assert earmark(home, tiny_checkpoint, "add-folder", str(library)).returncode == 0
        result = earmark(home, tiny_checkpoint, "index")
        again = earmark(home, tiny_checkpoint, "index")
    finally:
        (library / "locked.wav").chmod(stat.S_IRUSR | stat.S_IWUSR)
        (library / "locked_dir").chmod(stat.S_IRWXU)
    assert result.returncode == 0, result.stderr[-3000:]
    for name, reason in bad.items():
        assert f"{library / name}: {reason}" in result.stdout, (name, result.stdout)
    assert f"skipped folder {library / 'locked_dir'}: permission denied".lower() in result.stdout.lower()
    assert f"{render_bug}: 6 samples are not numbers (NaN or infinity)" in result.stdout
    store = LibraryStore(home / "data" / "index.lance")
    table = store.embeddings(store.models().popitem()[0])
    for path in [*good, render_bug]:
        record = store.get_file(path)
        assert record is not None and record.status == OK, (path, record)
        windows = table.windows(record.id)
        assert len(windows) and np.isfinite(windows.vectors).all(), path
    assert "NaN" in store.get_file(render_bug).error  # the warning stays on the searchable file
    assert {os.path.basename(r.path) for r in store.find_files(f"status = '{ERROR}'")} == set(bad)
    assert again.returncode == 0 and "0 added, 0 updated" in again.stdout, again.stdout
    assert checksums(library) == before
