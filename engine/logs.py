"""Logging to a rotating file in the user's log folder, shared by CLI, app and trainer."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the root logger to ``log_dir/earmark.log`` (5 x 2 MB); return the file's path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "earmark.log"
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    return log_file


def close_logging(log_file: Path) -> None:
    """Detach and close the handler ``setup_logging`` added for ``log_file`` (idempotent)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", None) == str(log_file)]:
        root.removeHandler(handler)
        handler.close()
