"""Export: a training checkpoint -> the folder the app loads (no MAE decoder, optional fp16)."""

from __future__ import annotations

from pathlib import Path

from engine.models.cacophony.checkpoint import is_checkpoint, load_checkpoint, save_checkpoint


def export(source: Path, out: Path, half: bool = False, name: str | None = None) -> Path:
    """``source`` is a checkpoint folder or a run folder (then its ``final/``, else ``last/``)."""
    source = Path(source)
    if not is_checkpoint(source):
        source = next((source / sub for sub in ("final", "last") if is_checkpoint(source / sub)), source)
    model, tokenizer, meta = load_checkpoint(source)
    extra = {k: v for k, v in meta.items() if k != "model"}
    extra["name"] = name or meta.get("name") or Path(out).name
    return save_checkpoint(model, tokenizer, Path(out), half=half, extra=extra)
