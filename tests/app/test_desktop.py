"""The clipboard holds files as a drag carries them, and an app that copied still exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COPY_AND_EXIT = """
import sys
from PySide6.QtWidgets import QApplication
from app.desktop import copy_paths
app = QApplication(sys.argv)
copy_paths(sys.argv[1:])
print("\\n".join(url.toLocalFile() for url in app.clipboard().mimeData().urls()))
"""


def test_copied_files_are_file_urls_and_the_process_exits_cleanly(tmp_path):
    """Qt's offscreen clipboard deleted the copied data after Python had shut down: the process
    segfaulted at exit (rc -11) once the files were copied as URLs."""
    paths = [str(tmp_path / "door creak.wav"), str(tmp_path / "rain.flac")]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", COPY_AND_EXIT, *paths],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == paths
