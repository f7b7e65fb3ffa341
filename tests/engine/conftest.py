"""Fixtures the engine's front-end tests (facade, CLI, repair) share."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from tests.engine.library.helpers import sample_library


@pytest.fixture
def library(tmp_path) -> Path:
    """The sample library folder: four sounds with telling names and one damaged file."""
    return sample_library(tmp_path / "library")


@pytest.fixture
def cli(tmp_path, tiny_checkpoint, capsys):
    """``earmark`` in-process on a fresh home with the tiny model: ``cli("status")`` gives
    (exit code, stdout, stderr); ``cli.home`` is the home."""
    home = tmp_path / "home"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--home", str(home), "--model", str(tiny_checkpoint), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    run.home = home
    return run
