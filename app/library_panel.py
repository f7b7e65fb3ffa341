"""The library sidebar: watched folders with their counts, and the files that failed and why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.theme import icon

PATH_ROLE = Qt.UserRole + 1


def _title_row(title: QLabel, *buttons: QToolButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(title, 1)
    for button in buttons:
        row.addWidget(button)
    return row


def _button(icon_name: str, tip: str) -> QToolButton:
    button = QToolButton(toolTip=tip)
    button.setIcon(icon(icon_name))
    button.setIconSize(QSize(16, 16))
    return button


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setTextElideMode(Qt.ElideMiddle)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.Stretch)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
    return tree


class LibraryPanel(QWidget):
    add_requested = Signal(str)
    remove_requested = Signal(str)
    rescan_requested = Signal()
    failed_file_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SidePanel")
        self.add_button = _button("folder-add", "Add a folder to the library")
        self.remove_button = _button("folder-remove", "Stop watching the selected folder (files stay on disk)")
        self.rescan_button = _button("rescan", "Rescan every folder for new, changed and removed files")
        self.folders = _tree(["Folder", "Indexed", "Errors"])
        self.failed_title = QLabel("FAILED FILES", objectName="PanelTitle")
        self.failed = _tree(["File and reason"])
        self.failed.setHeaderHidden(True)
        self.failed.setUniformRowHeights(False)  # two lines each: the name, then why it failed
        self.failed.setTextElideMode(Qt.ElideRight)  # the start of a reason says the most

        folders_box = QWidget()
        top = QVBoxLayout(folders_box)
        top.setContentsMargins(10, 8, 6, 4)
        top.addLayout(
            _title_row(
                QLabel("LIBRARY", objectName="PanelTitle"), self.add_button, self.remove_button, self.rescan_button
            )
        )
        top.addWidget(self.folders)
        failed_box = QWidget()
        bottom = QVBoxLayout(failed_box)
        bottom.setContentsMargins(10, 4, 6, 8)
        bottom.addLayout(_title_row(self.failed_title))
        bottom.addWidget(self.failed)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(folders_box)
        self.splitter.addWidget(failed_box)
        self.splitter.setSizes([300, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.add_button.clicked.connect(self.ask_for_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        self.rescan_button.clicked.connect(self.rescan_requested)
        self.folders.itemSelectionChanged.connect(
            lambda: self.remove_button.setEnabled(bool(self.folders.selectedItems()))
        )
        self.failed.itemActivated.connect(lambda item, _col: self.failed_file_activated.emit(item.data(0, PATH_ROLE)))
        self.remove_button.setEnabled(False)

    def ask_for_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of sounds")
        if folder:
            self.add_requested.emit(folder)

    def _remove_selected(self) -> None:
        for item in self.folders.selectedItems():
            self.remove_requested.emit(item.data(0, PATH_ROLE))

    def confirm_removal(self, path: str, edited: int) -> bool:
        """Ask before a folder leaves the library: the tags and captions of its ``edited`` files go
        with it, and adding it again does not bring them back."""
        if edited:
            carry = "carries" if edited == 1 else "carry"
            lost = f"{edited:,} of its files {carry} your tags or captions, which will be forgotten."
        else:
            lost = "None of its files carry your tags or captions."
        answer = QMessageBox.question(
            self,
            "Remove folder",
            f"Stop watching {path}?\n\nIts sounds leave the library (the files stay on disk). {lost}",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        return answer == QMessageBox.Yes

    def show_folders(self, folders: list) -> None:
        """``folders``: the facade's FolderStatus records; "indexed" counts searchable files of all known."""
        selected = {item.data(0, PATH_ROLE) for item in self.folders.selectedItems()}
        self.folders.clear()
        for folder in folders:
            path = str(folder.path)
            total = folder.files + folder.errors + folder.offline
            item = QTreeWidgetItem(
                [Path(path).name or path, f"{folder.files:,}/{total:,}", f"{folder.errors:,}" if folder.errors else ""]
            )
            item.setData(0, PATH_ROLE, path)
            item.setToolTip(0, path if folder.online else f"{path}\nOffline: the folder cannot be reached.")
            item.setIcon(0, icon("folder" if folder.online else "offline"))
            if not folder.online:
                item.setText(1, "offline")
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
            self.folders.addTopLevelItem(item)
            item.setSelected(path in selected)

    def show_failed(self, failures: list) -> None:
        """``failures``: records with ``path`` and ``error``."""
        self.failed.clear()
        self.failed_title.setText(f"FAILED FILES ({len(failures)})" if failures else "FAILED FILES")
        items = []
        for failure in failures:
            reason = failure.error or "unknown error"
            item = QTreeWidgetItem([f"{Path(failure.path).name}\n{reason}"])
            item.setData(0, PATH_ROLE, str(failure.path))
            item.setToolTip(0, f"{failure.path}\n{reason}")
            item.setIcon(0, icon("error"))
            items.append(item)
        self.failed.addTopLevelItems(items)
