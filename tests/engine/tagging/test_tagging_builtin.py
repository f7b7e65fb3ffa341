"""The real builtin model tags a small named library: the right UCS category first for most files,
with the confidence its calibration gives (bench/tagging.py measures the same on 514 unseen files)."""

from __future__ import annotations

import pytest

from engine.facade import Engine
from engine.models.registry import load_model
from engine.paths import app_paths
from engine.tagging.calibration import DEFAULT, load_calibration
from engine.tagging.vocabulary import shipped_ucs
from tests.engine.tagging.conftest import NAMED, write_named_library

pytestmark = pytest.mark.slow


def test_the_builtin_model_ranks_the_named_category_first_for_most_files(tmp_path):
    library = write_named_library(tmp_path / "library")
    with Engine(app_paths(tmp_path / "home"), "builtin") as engine:
        engine.add_folder(library)
        engine.index()
        report = engine.tagging.tag([library])
        assert report.tagged == len(NAMED) and report.without_sound == 0
        found = engine.tagging.suggestions([library], threshold=0.0, top_k=3)
        ucs = shipped_ucs()
        first = {name: next(s for s in found[str(library / name)].tags if s.vocabulary == "ucs") for name in NAMED}
        right = [name for name, category in NAMED.items() if ucs.term(first[name].key).category == category]
        assert len(right) >= 0.75 * len(NAMED), {n: first[n].key for n in NAMED if n not in right}
        confident = [first[n].confidence for n in right]
        assert sum(confident) / len(confident) > 0.3  # calibrated on unseen names, right answers are not timid


def test_the_shipped_calibration_is_the_builtin_models_own():
    """A changed builtin model (weights, config or UCS bridge: its name changes) must be measured
    again with ``python -m bench.tagging --write-calibration``: without it, suggestions would be
    weighed by uncalibrated defaults and its captions, measured worse than nothing, shown."""
    calibration = load_calibration(load_model("builtin").info.name)
    assert calibration != DEFAULT and calibration.caption_threshold == 1.0
