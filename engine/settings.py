"""The user's choices that outlive a session, kept as JSON in ``AppPaths.settings_file``.

Writes are atomic (temp file + rename) so a crash never leaves half a settings file;
a damaged or newer-version file falls back to defaults for what it cannot supply
instead of stopping the app from starting.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from engine.fs import atomic_file

log = logging.getLogger(__name__)


@dataclass
class Settings:
    model_spec: str = "builtin"  # see engine.models.registry
    device: str = "cpu"
    window_hop_fraction: float = 0.5  # windows overlap by half: an event on a window edge is seen whole once
    embed_batch_size: int = 16  # windows per model call
    watch_debounce_s: float = 1.0  # quiet time after the last file event before re-indexing
    tag_threshold: float = 0.3  # suggested tags below this confidence are not shown
    tag_top_k: int = 3  # at most this many suggested tags per file and vocabulary
    # The Fine-tune page's time budget and device, as last chosen there (engine.finetune.launcher.DEVICES)
    finetune_minutes: float = 10.0
    finetune_device: str = "auto"

    @classmethod
    def load(cls, path: Path) -> Settings:
        path = Path(path)
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable settings file %s (%s); using defaults", path, exc)
            return cls()
        known = {f.name: f for f in dataclasses.fields(cls)}
        values = {}
        for key, value in data.items():
            field = known.get(key)
            if field is None:
                log.warning("ignoring unknown setting %r in %s", key, path)
            elif not isinstance(value, _python_type(field)):
                log.warning("ignoring setting %s=%r: expected %s", key, value, field.type)
            else:
                values[key] = value
        return cls(**values)

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as partial, open(partial, "w", encoding="utf-8") as handle:
            json.dump(dataclasses.asdict(self), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename, so a power cut keeps old or new


def _python_type(field: dataclasses.Field) -> type | tuple[type, ...]:
    """The JSON value types a field accepts (annotations are strings here: ``from __future__``)."""
    return {"str": str, "float": (int, float), "int": int, "bool": bool}[str(field.type)]
