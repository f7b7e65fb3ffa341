"""The app's first window must not wait for torch, transformers or LanceDB: the modules it
imports at start (its widgets, and the engine's filters, statuses, model checks, settings and
paths) load none of them. Checked in a fresh interpreter, where nothing is imported yet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "transformers", "lancedb", "pyarrow")
LIGHT = (
    "app.main_window",
    "app.engine_client",
    "engine.search.filters",
    "engine.index.status",
    "engine.models.registry",
    "engine.models.folders",
    "engine.settings",
    "engine.paths",
    "engine.logs",
    "engine.library.report",
    "engine.fs",
    "engine.finetune.job",
)


def fresh_python(code: str) -> str:
    """What ``code`` prints, run by a new interpreter in this checkout."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        text=True,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_what_the_window_imports_at_start_loads_no_heavy_library():
    loaded = fresh_python(
        f"import importlib, sys\nfor name in {LIGHT!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert loaded == "[]", f"loaded at start: {loaded}"


def test_the_engine_client_imports_no_widget():
    """The client is the app's door to the engine, not part of the window."""
    assert fresh_python("import sys, app.engine_client\nprint('PySide6.QtWidgets' in sys.modules)") == "False"
