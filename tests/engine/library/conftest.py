"""Fixtures for the library tests: the tiny model, a fresh store, a library folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.facade import Engine
from engine.index.store import LibraryStore
from engine.library.indexer import Indexer
from engine.models.registry import load_model
from engine.paths import app_paths
from tests.engine.library.helpers import CountingModel


@pytest.fixture(scope="session")
def tiny_model(tiny_checkpoint):
    return load_model(str(tiny_checkpoint))


@pytest.fixture
def model(tiny_model):
    return CountingModel(tiny_model)


@pytest.fixture
def store(tmp_path):
    return LibraryStore(tmp_path / "index.lance")


@pytest.fixture
def library(tmp_path, store) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    store.add_folder(str(folder))
    return folder


@pytest.fixture
def indexer(store, model):
    return Indexer(store, model)


@pytest.fixture
def engine(tmp_path, tiny_checkpoint):
    """A whole engine for the watcher and drive tests, quick to react (0.3 s debounce)."""
    engine = Engine(app_paths(tmp_path / "home"), str(tiny_checkpoint))
    engine.settings.watch_debounce_s = 0.3
    yield engine
    engine.close()
