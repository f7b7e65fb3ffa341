"""Tiny CLAP folders, built once per session (a few seconds each)."""

from __future__ import annotations

import pytest

from tests.engine.models.tiny_clap import make_tiny_clap


@pytest.fixture(scope="session")
def tiny_clap(tmp_path_factory):
    return make_tiny_clap(tmp_path_factory.mktemp("clap") / "tiny-clap")


@pytest.fixture(scope="session")
def tiny_fused_clap(tmp_path_factory):
    return make_tiny_clap(tmp_path_factory.mktemp("clap") / "tiny-clap-fused", fused=True)
