"""Logging, set up by the entry points only: the app and ``earmark`` log to a rotating file in
the user's log folder, ``earmark-train`` and the corpus builder to their terminal.

Library code (the facade, the indexer, the trainer's modules) only asks for loggers and never
adds or removes a handler: a library that configures logging fights its host, as the facade once
did by closing the handler the app had installed. Each entry point wraps its run in
:func:`entry_logging`, which takes away on leaving exactly what it added, so a ``main()`` called
in-process again and again (as the tests do) never piles up handlers or holds a file open.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_NAME = "earmark.log"
MAX_BYTES, BACKUPS = 2_000_000, 5  # the README's "logs rotate, 5 x 2 MB"


@contextmanager
def entry_logging(log_dir: Path | None = None, level: int = logging.INFO) -> Iterator[None]:
    """For the length of the block, send the root logger to ``log_dir/earmark.log`` (rotating),
    or to stderr when ``log_dir`` is None. A destination that already has a handler (the app's
    file, when the app runs a command in-process) keeps it and gets no second one."""
    root = logging.getLogger()
    handler = _new_handler(root, log_dir)
    if handler is not None:
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    previous_level = root.level
    root.setLevel(level)
    try:
        yield
    finally:
        root.setLevel(previous_level)
        if handler is not None:
            root.removeHandler(handler)
            handler.close()


def described(exc: BaseException) -> str:
    """An exception as a log line or a file's error names it: its kind (module-qualified outside
    the builtins: "struct.error", "soundfile.LibsndfileError") and its message's first line; the
    kind alone when the message is empty (wavinfo fails on some chunks with a bare
    StopIteration, which "%s" of the exception shows as nothing at all)."""
    kind = type(exc)
    named = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    text = str(exc).strip()
    return f"{named}: {text.splitlines()[0]}" if text else named


def _new_handler(root: logging.Logger, log_dir: Path | None) -> logging.Handler | None:
    if log_dir is None:
        if any(type(h) is logging.StreamHandler and h.stream is sys.stderr for h in root.handlers):
            return None
        return logging.StreamHandler(sys.stderr)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / LOG_FILE_NAME
    if any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
        return None
    return logging.handlers.RotatingFileHandler(log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
