from __future__ import annotations

import pytest

from engine.index import LibraryStore
from engine.models.cacophony.backend import CacophonyBackend
from tests.engine.index.index_factories import open_store


@pytest.fixture(scope="session")
def tiny_model(tiny_checkpoint) -> CacophonyBackend:
    return CacophonyBackend.from_checkpoint(tiny_checkpoint)


@pytest.fixture
def store(tmp_path) -> LibraryStore:
    return open_store(tmp_path)
