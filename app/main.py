"""``python -m app.main`` / ``earmark-app``: open the Earmark window."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from engine.logs import entry_logging
from engine.paths import HOME_ENV, AppPaths, app_paths

log = logging.getLogger("app")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="earmark-app", description="Search your sound library by describing the sound."
    )
    parser.add_argument("--home", help=f"keep every Earmark file under this folder (also ${HOME_ENV})")
    parser.add_argument(
        "--model",
        help="model to load instead of the one in Settings: 'builtin', a checkpoint folder, or 'clap:<id or folder>'",
    )
    args, _qt_args = parser.parse_known_args(argv)
    return args


def ui_state(paths: AppPaths) -> QSettings:
    """Window layout and preview preferences, kept next to the engine's settings (so --home isolates them)."""
    return QSettings(str(paths.config / "app.ini"), QSettings.IniFormat)


def _report_unexpected(window):
    def hook(kind, value, tb) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if window is not None:
            window.show_error(f"Something went wrong: {value or kind.__name__} (details in the log file)")

    return hook


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.home:
        os.environ[HOME_ENV] = args.home  # child processes (trainer, CLI) see the same library
    paths = app_paths(args.home).ensure()
    with entry_logging(paths.logs):
        return _run(args, paths)


def _run(args: argparse.Namespace, paths: AppPaths) -> int:
    from app.engine_client import EngineClient
    from app.main_window import MainWindow
    from app.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Earmark")
    app.setOrganizationName("Earmark")
    app.setDesktopFileName("earmark")
    apply_theme(app)
    window = MainWindow(EngineClient(paths, args.model), ui_state(paths))
    sys.excepthook = _report_unexpected(window)
    _close_on_signals(window)
    window.show()
    return app.exec()


def _close_on_signals(window) -> None:
    """Ctrl-C or a TERM closes the window properly (layout saved, engine closed).

    Python runs signal handlers only between bytecodes, so a light timer keeps
    the interpreter ticking while Qt's event loop waits.
    """
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: window.close())
    ticker = QTimer(window, interval=300)
    ticker.timeout.connect(lambda: None)
    ticker.start()


if __name__ == "__main__":
    sys.exit(main())
