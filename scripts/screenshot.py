"""Open the real app on a demo library, index it, run a query, preview the top hit, save a PNG.

Run through scripts/screenshot.sh (under Xvfb). The model is the builtin one
when installed, else ``--model``, else a random tiny Cacophony (names and
metadata still rank through full-text search, which is what a screenshot shows).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

repo = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(repo))

from PySide6.QtCore import QTimer  # noqa: E402 - imported once sys.path names this repository
from PySide6.QtWidgets import QApplication  # noqa: E402 - imported once sys.path names this repository


def wait_until(app: QApplication, condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshot: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def default_model(scratch: Path) -> str:
    if (repo / "resources" / "models" / "builtin").is_dir():
        return "builtin"
    from tests.factories import make_tiny_cacophony_checkpoint

    return str(make_tiny_cacophony_checkpoint(scratch / "tiny-demo-model"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=repo / "build" / "screenshot.png")
    parser.add_argument("--query", default="wooden door creak, slow")
    parser.add_argument("--home", type=Path, help="Earmark home to use (default: a fresh temporary one)")
    parser.add_argument("--model", help="model spec (default: builtin if installed, else a random tiny model)")
    parser.add_argument("--size", default="1600x960")
    parser.add_argument(
        "--library", type=Path, help="a real library folder to add and index (default: the synthetic demo library)"
    )
    parser.add_argument("--similar", type=Path, help="instead of the query, find sounds like this file (Similar)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="earmark-shot-"))
    home = args.home or scratch / "home"
    from scripts.demo_library import TAGS, write_demo_library

    demo = args.library is None
    library = write_demo_library(scratch / "Sound Effects")[0].parent if demo else args.library.resolve()
    model = args.model or default_model(scratch)

    from app.engine_client import EngineClient
    from app.main import ui_state
    from app.main_window import MainWindow
    from app.theme import apply_theme
    from engine.paths import app_paths

    app = QApplication([sys.argv[0]])
    apply_theme(app)
    paths = app_paths(home).ensure()
    window = MainWindow(EngineClient(paths, model), ui_state(paths))
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    wait_until(app, lambda: window.client.engine is not None, 300, "the engine to open")
    if str(library) not in {f.path for f in window.client.engine.folders()}:  # a --home may hold it already
        finished = []
        window.client.index_finished.connect(finished.append)
        window.add_folder(str(library))
        wait_until(app, lambda: finished, 600, "indexing")
    if demo:
        for name, (tags, caption) in TAGS.items():  # as if typed into the tags panel
            window.client.engine.set_tags([str(library / name)], tags)
            if caption:
                window.client.engine.set_caption(str(library / name), caption)
    window.client.refresh_library()
    if args.similar:
        wait_until(app, lambda: window.client.model_info is not None, 300, "the model")
        window.find_similar(str(args.similar.resolve()))
    else:
        window.search_field.setFocus()
        window.search_field.setText(args.query)
        window.search_field.query_committed.emit(args.query)
    wait_until(app, lambda: window.model.rowCount() > 0, 60, "search results")
    if args.similar:
        wait_until(app, lambda: "similar to" in window.result_label.text(), 60, "similar sounds")
        window.results.selectRow(0)  # a search previews its top hit by itself; here the user clicks it
    wait_until(app, lambda: window.preview.waveform.duration_s > 0, 60, "the waveform")
    window.player.stop()  # the null audio device has drained the file already: park the playhead
    match = window.preview.waveform.match_window
    window.player.seek(match[0] if match else 0.0)
    window.statusBar().clearMessage()
    QTimer.singleShot(300, app.quit)  # let the last paint settle
    app.exec()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    asked = f"sounds like {args.similar.name}" if args.similar else f"“{args.query}”"
    print(f"screenshot: {args.out} ({window.model.rowCount()} results for {asked})")
    window.close()


if __name__ == "__main__":
    main()
