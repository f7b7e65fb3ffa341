"""The app's first window must not wait for torch, transformers or LanceDB: the modules it
imports at start (its widgets, and the engine's filters, statuses, model checks, settings and
paths) load none of them. Checked in a fresh interpreter, where nothing is imported yet."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "transformers", "lancedb", "pyarrow")
LIGHT = ("app.main_window", "app.engine_client", "engine.search.filters", "engine.index.status",
         "engine.models.registry", "engine.models.folders", "engine.settings", "engine.paths", "engine.logs",
         "engine.library.report", "engine.fs")


def test_what_the_window_imports_at_start_loads_no_heavy_library():
    code = (f"import importlib, sys\nfor name in {LIGHT!r}: importlib.import_module(name)\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"loaded at start: {done.stdout.strip()}"
