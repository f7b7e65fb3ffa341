"""The desktop bundle's entry script (packaging/launcher.py) is the app, and the trainer when the
app starts its own binary with ``-m trainer.cli`` for a fine-tune; run here as a script, the way
the frozen binary runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parents[1] / "packaging" / "launcher.py"


def launch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(LAUNCHER), *args], capture_output=True, text=True, timeout=300)


def test_the_bundle_runs_the_trainer_for_a_fine_tune_and_the_app_otherwise():
    trainer = launch("-m", "trainer.cli", "library-finetune", "--help")
    assert trainer.returncode == 0, trainer.stderr
    assert trainer.stdout.startswith("usage: earmark-train library-finetune") and "--minutes" in trainer.stdout
    app = launch("--help")
    assert app.returncode == 0, app.stderr
    assert app.stdout.startswith("usage: earmark-app")
