"""The "Export tagged copies…" action: the selected sounds, or a folder of the library panel (its
right-click menu), copied with the user's tags and caption in their metadata to a folder the user
picks, for another tool or a colleague. The engine walks and writes (:mod:`engine.tagging.export`)
on the engine client's work pool; the window only asks where, and says how it went: the summary in
the status bar, and the files that were not copied, each with why, in a message beside the window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.engine_client import LIBRARY_CLOSED
from app.workers import submit

EXPORTING = "Exporting tagged copies…"
SHOWN_MS = 15_000  # how long the status bar shows how an export went
LINES_SHOWN = 5  # files not copied named in the message itself; the rest behind Show Details


class ExportController(QObject):
    finished = Signal(object)  # engine.tagging.export.ExportReport, once its summary is shown

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.action = QAction("Export tagged copies…", window)
        self.action.setToolTip("Copy the selected sounds that carry your tags or caption, with them, to a folder")
        self.action.triggered.connect(lambda: self.export(self.window.results.selected_paths()))
        self.problems_box: QMessageBox | None = None  # the last export's files not copied, while it is shown
        self._running = False
        window.library.export_requested.connect(lambda folder: self.export([folder]))

    def export(self, paths: list[str]) -> None:
        """Ask for the folder the copies of ``paths`` (library files or folders) go to, then write them."""
        if not paths:
            return
        if self.window.client.engine is None:
            self.window.show_error(LIBRARY_CLOSED)
            return
        if self._running:
            self.window.show_error("An export is running: wait for it to finish")
            return
        out = QFileDialog.getExistingDirectory(self.window, "Export tagged copies to")
        if not out:
            return
        self._running = True
        self.window.statusBar().showMessage(EXPORTING)
        tagging = self.window.client.engine.tagging
        submit(
            self.window.client.work_pool,
            lambda progress: tagging.export_tagged_copies(paths, out, lambda done, total: progress((done, total))),
            context=self,
            on_done=self._done,
            on_failed=self._failed,
            on_progress=self._progress,
        )

    def _progress(self, counts: tuple[int, int]) -> None:
        done, total = counts
        self.window.statusBar().showMessage(f"{EXPORTING} {done:,} of {total:,}")

    def _failed(self, message: str) -> None:
        self._running = False
        self.window.show_error(f"Nothing was exported: {message}")

    def _done(self, report) -> None:
        from app.main_window import sentence  # the window imports this module
        from engine.tagging.export import problems, summary  # its format writers: not before the window shows

        self._running = False
        said = sentence(summary(report))
        self.window.statusBar().showMessage(said, SHOWN_MS)
        if lines := problems(report):
            self._show_problems(said, lines)
        self.finished.emit(report)

    def _show_problems(self, said: str, lines: list[str]) -> None:
        """The files not copied, each with why, in a message that leaves the window usable."""
        if self.problems_box is not None:
            self.problems_box.close()
        box = QMessageBox(QMessageBox.Warning, "Export tagged copies", said, parent=self.window)
        more = "\n…" if len(lines) > LINES_SHOWN else ""
        box.setInformativeText("Not copied:\n" + "\n".join(lines[:LINES_SHOWN]) + more)
        box.setDetailedText("\n".join(lines))
        box.finished.connect(lambda _result: setattr(self, "problems_box", None))
        self.problems_box = box
        box.open()
