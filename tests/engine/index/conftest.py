from __future__ import annotations

import pytest

from engine.index import LibraryStore
from tests.engine.index.index_factories import open_store


@pytest.fixture
def store(tmp_path) -> LibraryStore:
    return open_store(tmp_path)
