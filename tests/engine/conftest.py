"""Fixtures the engine's front-end tests (facade, CLI) share."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.library.helpers import sample_library


@pytest.fixture
def library(tmp_path) -> Path:
    """The sample library folder: four sounds with telling names and one damaged file."""
    return sample_library(tmp_path / "library")
