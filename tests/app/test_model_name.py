"""A fine-tuned model has one name: the status bar says it as `earmark models` and `earmark status` do."""

from __future__ import annotations

import json
import shutil

from engine.cli import main
from engine.models.folders import CONFIG_FILE
from engine.paths import app_paths
from tests.app.conftest import ENGINE_TIMEOUT_MS, open_window


def test_the_status_bar_names_a_fine_tuned_model_as_the_cli_does(qtbot, earmark_home, tiny_checkpoint, capsys):
    """The review's fine-tune was "named-2026-12-06-1302" in the CLI and its folder, and
    "named_fine_tune_2026_12_06_13_02" (its config's name, made table-safe) in the status bar."""
    adopted = app_paths().ensure().models / "named-2026-12-06-1302"  # where a fine-tune is adopted to
    shutil.copytree(tiny_checkpoint, adopted)
    config = json.loads((adopted / CONFIG_FILE).read_text())
    (adopted / CONFIG_FILE).write_text(json.dumps(config | {"name": "named fine-tune 2026-12-06 13:02"}))

    assert main(["--home", str(earmark_home), "--model", str(adopted), "models"]) == 0
    listed = capsys.readouterr().out.splitlines()
    active = [line.split()[-1] for line in listed if line.startswith(" * ")]  # " * checkpoint ready   NAME"
    assert main(["--home", str(earmark_home), "--model", str(adopted), "status"]) == 0
    said = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("model: "))

    window = open_window(qtbot, str(adopted))  # active by its absolute folder, as an adopted fine-tune is
    qtbot.waitUntil(lambda: window.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    shown = window.model_label.text().removeprefix("Model: ")
    assert active == [shown] and said.startswith(f"model: {shown} ") and f"active: {shown} " in "\n".join(listed)
    assert shown == "named-2026-12-06-1302"
