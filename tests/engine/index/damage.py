"""Damaging a real index the way a full disk, a crash or a sync tool does: bytes cut off
the end of a data file, bytes overwritten in the middle, a version's manifest garbled."""

from __future__ import annotations

import os
from pathlib import Path

from engine.cli import main
from engine.facade import Engine
from engine.paths import app_paths
from tests.factories import noise, tone, write_audio

TAGS = ["animals", "my pick"]


def tagged_index(home: Path, library: Path, checkpoint: Path, files: int = 10) -> dict[str, Path]:
    """An indexed library of ``files`` sounds; two tagged, then one captioned (the last write)."""
    paths = {
        f"clip_{i:02d}.wav": write_audio(library / f"clip_{i:02d}.wav", tone(150 + 60 * i, 1.0 + i % 3))
        for i in range(files - 1)
    }
    paths["rain.flac"] = write_audio(library / "rain.flac", noise(2.5), format="FLAC")
    spec = ["--home", str(home), "--model", str(checkpoint)]
    assert main([*spec, "add-folder", str(library)]) == 0
    assert main([*spec, "index"]) == 0
    with Engine(app_paths(home), str(checkpoint)) as engine:
        engine.set_tags([paths["clip_01.wav"], paths["clip_02.wav"]], TAGS)
        engine.set_caption(paths["clip_03.wav"], "a low hum")
    return paths


def index_dir(home: Path) -> Path:
    return home / "data" / "index.lance"


def data_files(home: Path, table: str) -> list[Path]:
    """The table's data files, oldest first."""
    return sorted((index_dir(home) / f"{table}.lance" / "data").glob("*.lance"), key=lambda p: p.stat().st_mtime_ns)


def vector_table(home: Path) -> str:
    return next(p.name.removesuffix(".lance") for p in index_dir(home).iterdir() if p.name.startswith("emb_"))


def truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def overwrite_middle(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(os.urandom(size // 3))


def garble_newest_manifest(home: Path, table: str) -> None:
    newest = max(
        (index_dir(home) / f"{table}.lance" / "_versions").glob("*.manifest"), key=lambda p: p.stat().st_mtime_ns
    )
    with open(newest, "r+b") as handle:
        handle.write(os.urandom(256))
