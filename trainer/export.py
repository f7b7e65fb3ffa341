"""Export: a training checkpoint -> the folder the app loads (no MAE decoder, optional fp16)."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.models.cacophony.checkpoint import is_checkpoint, load_checkpoint, save_checkpoint
from engine.models.folders import CLASSES_FILE, EXEMPLARS_FILE, WORDS_HEAD_FILE


def export(
    source: Path, out: Path, half: bool = False, name: str | None = None, bridge_from: Path | None = None
) -> Path:
    """``source`` is a checkpoint folder or a run folder (then its ``final/``, else ``last/``).
    A UCS bridge (``ucs-classes.json``, its words head and its exemplars, which do not train here) comes along
    from ``bridge_from`` (a fine-tune's starting model), else from ``source`` when it has one."""
    source = Path(source)
    if not is_checkpoint(source):
        source = next((source / sub for sub in ("final", "last") if is_checkpoint(source / sub)), source)
    model, tokenizer, meta = load_checkpoint(source)
    extra = {k: v for k, v in meta.items() if k != "model"}
    extra["name"] = name or meta.get("name") or Path(out).name
    folder = save_checkpoint(model, tokenizer, Path(out), half=half, extra=extra)
    for part in (CLASSES_FILE, WORDS_HEAD_FILE, EXEMPLARS_FILE):
        if (Path(bridge_from or source) / part).is_file():
            shutil.copy2(Path(bridge_from or source) / part, Path(folder) / part)
    return folder
