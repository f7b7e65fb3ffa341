"""Trainer test fixtures: a tiny text tower folder and the synthetic audio-caption set,
built once per session, plus a helper that runs one stage through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_tiny_text_tower
from tests.trainer.synthetic import write_synthetic_set


@pytest.fixture(scope="session")
def text_tower(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tower")
    make_tiny_text_tower(folder)
    return folder


@pytest.fixture(scope="session")
def synthetic_manifest(tmp_path_factory) -> Path:
    return write_synthetic_set(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="session")
def mel_cache(tmp_path_factory) -> Path:
    """One log-mel cache shared by the session's runs (the audio never changes)."""
    return tmp_path_factory.mktemp("mel-cache")


@pytest.fixture(scope="session")
def teacher_cache(tmp_path_factory, synthetic_manifest) -> Path:
    """aiSFX vectors of the synthetic set, precomputed once through ``earmark-train teacher-embed``."""
    from trainer.cli import main

    folder = tmp_path_factory.mktemp("teacher-cache")
    assert (
        main(
            [
                "teacher-embed",
                "--train",
                str(synthetic_manifest),
                "--set",
                f"teacher_cache={folder}",
                "--set",
                "num_workers=0",
            ]
        )
        == 0
    )
    return folder


@pytest.fixture
def run_stage(text_tower, synthetic_manifest, mel_cache):
    """run_stage("stage2", out, *cli_args, steps=..., **config) -> final checkpoint folder, via the CLI."""
    from trainer.cli import main

    def run(stage: str, out: Path, *extra: str, manifest: Path | None = None, **settings) -> Path:
        defaults = {
            "model_overrides.text_model": str(text_tower),
            "batch_size": 12,
            "warmup_steps": 5,
            "log_every": 10,
            "num_workers": 0,
            "cache_dir": str(mel_cache),
            "save_every": 0,
        }
        args = [stage, "--train", str(manifest or synthetic_manifest), "--out", str(out)]
        for key, value in (defaults | settings).items():
            args += ["--set", f"{key}={str(value).lower() if isinstance(value, bool) else value}"]
        assert main(args + list(extra)) == 0
        return out / "final"

    return run
