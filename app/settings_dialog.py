"""Settings: a list of pages on the left, one page at a time on the right.

A page is a :class:`SettingsPage` subclass listed by :func:`_pages`; it loads from and
applies to the engine's settings (or, for audio output, the app's own state).
The vocabularies' page lives in app/vocabulary_page.py, the library fine-tune's in
app/finetune_page.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPaintEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.engine_client import builtin_model_installed
from app.player import SYSTEM_DEFAULT, output_devices
from app.theme import icon

SIZE = QSize(760, 520)  # what the dialog opens at: no page may ask for more width than this leaves it


class SettingsPage(QWidget):
    title = ""
    icon_name = "settings"

    def __init__(self, dialog: SettingsDialog):
        super().__init__()
        self.dialog = dialog

    def load(self, settings) -> None:
        """Fill the widgets from the engine's settings."""

    def apply(self, settings):
        """Return ``settings`` with this page's values; app-only state is saved here directly."""
        return settings


def _hint(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True, objectName="Hint")
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _folder_row(line: QLineEdit, title: str, parent: QWidget) -> QHBoxLayout:
    browse = QPushButton("Browse…")

    def choose() -> None:
        folder = QFileDialog.getExistingDirectory(parent, title, line.text())
        if folder:
            line.setText(folder)

    browse.clicked.connect(choose)
    row = QHBoxLayout()
    row.addWidget(line, 1)
    row.addWidget(browse)
    return row


class PathButton(QPushButton):
    """A folder's path on a button that opens it in the file manager. A long path (a home deep in a
    studio drive) is elided in its middle, keeping the folder's own name, instead of widening the
    whole dialog to fit it; the tooltip holds it whole."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.setToolTip(f"{folder}\nOpen in the file manager")
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)  # shrinks below its text's width
        self.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))

    def shown_text(self) -> str:
        """The path as it fits the button's width now."""
        return self.fontMetrics().elidedText(self.text(), Qt.ElideMiddle, max(self.width() - self._padding(), 0))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._padding() + self.fontMetrics().horizontalAdvance("/…/") * 4, super().sizeHint().height())

    def _padding(self) -> int:
        """The button's width beside its text (the style's margins and the theme's padding)."""
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())

    def paintEvent(self, _event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.shown_text()
        QStylePainter(self).drawControl(QStyle.CE_PushButton, option)


ONLY_CPU = "No GPU was found on this computer, so the model runs on its CPU."


class ModelPage(SettingsPage):
    """Which model listens to the sounds, said as what each choice means to a sound designer; the
    technical detail (a checkpoint's files, a hub id, vectors) is in the tooltips."""

    title = "Model"
    icon_name = "similar"

    def __init__(self, dialog: SettingsDialog):
        super().__init__(dialog)
        client = dialog.client
        self.builtin = QRadioButton("Earmark's built-in model")
        self.checkpoint = QRadioButton("A model you fine-tuned")
        self.checkpoint.setToolTip(
            "A Cacophony checkpoint folder (config.json and model.safetensors): the Fine-tune page "
            "makes one from your library."
        )
        self.clap = QRadioButton("LAION-CLAP")
        self.clap.setToolTip(
            "A Hugging Face model id, such as laion/clap-htsat-unfused, downloaded into Earmark's models "
            "folder the first time; or the folder of one already downloaded."
        )
        self.kinds = QButtonGroup(self)
        for button in (self.builtin, self.checkpoint, self.clap):
            self.kinds.addButton(button)
        self.checkpoint_path = QLineEdit(placeholderText="The fine-tuned model's folder")
        self.checkpoint_path.setToolTip(self.checkpoint.toolTip())
        self.clap_id = QLineEdit(placeholderText="laion/clap-htsat-unfused  or  its folder")
        self.clap_id.setToolTip(self.clap.toolTip())
        builtin_ok = builtin_model_installed()
        self.builtin_state = _hint(
            "Installed: works offline, nothing to download."
            if builtin_ok
            else "Not installed in this copy of Earmark: choose a model you fine-tuned, or LAION-CLAP."
        )
        self.device = QComboBox()
        for value, text in client.compute_devices():
            self.device.addItem(text, value)
        self.device.setEnabled(self.device.count() > 1)  # the CPU alone: nothing to choose
        self.device.setToolTip("" if self.device.isEnabled() else ONLY_CPU)

        backend = QGroupBox("What listens to your sounds")
        grid = QGridLayout(backend)
        grid.addWidget(self.builtin, 0, 0)
        grid.addWidget(self.builtin_state, 1, 0)
        grid.addWidget(self.checkpoint, 2, 0)
        grid.addLayout(_folder_row(self.checkpoint_path, "Choose the fine-tuned model's folder", self), 3, 0)
        grid.addWidget(self.clap, 4, 0)
        grid.addWidget(
            _hint(
                "Larger and often better at finding sounds, but slower. Downloaded once (progress "
                "is shown), then works offline."
            ),
            5,
            0,
        )
        grid.addLayout(_folder_row(self.clap_id, "Choose a downloaded LAION-CLAP model's folder", self), 6, 0)
        switching = _hint(
            "Changing the model analyses your library again in the background, while search keeps "
            "working. Switching back is instant."
        )
        switching.setToolTip(
            "The library is re-embedded with the new model; searches use the current one until it covers "
            "every file. Each model keeps its own vectors, so switching back re-embeds nothing."
        )
        grid.addWidget(switching, 7, 0)
        compute = QGroupBox("Computer")
        form = QFormLayout(compute)
        form.addRow("Run on", self.device)
        if not self.device.isEnabled():
            form.addRow(_hint(ONLY_CPU))
        layout = QVBoxLayout(self)
        layout.addWidget(backend)
        layout.addWidget(compute)
        if client.engine is None:
            layout.addWidget(_hint("The library is not open: the model chosen here is used when it next opens."))
        layout.addStretch(1)
        self.kinds.buttonToggled.connect(lambda *_: self._enable_fields())

    def _enable_fields(self) -> None:
        self.checkpoint_path.setEnabled(self.checkpoint.isChecked())
        self.clap_id.setEnabled(self.clap.isChecked())

    def load(self, settings) -> None:
        """The model running (which a ``--model`` at start or a fine-tune makes other than the saved one)."""
        spec = self.dialog.client.active_model_spec or "builtin"
        if spec.startswith("clap:"):
            self.clap.setChecked(True)
            self.clap_id.setText(spec.removeprefix("clap:"))
        elif spec == "builtin":
            self.builtin.setChecked(True)
        else:
            self.checkpoint.setChecked(True)
            self.checkpoint_path.setText(spec)
        self.device.setCurrentIndex(max(0, self.device.findData(settings.device)))
        self._enable_fields()
        self._shown = (self.model_spec(), self.device.currentData())

    def model_spec(self) -> str:
        if self.clap.isChecked():
            return f"clap:{self.clap_id.text().strip()}"
        if self.checkpoint.isChecked():
            return self.checkpoint_path.text().strip()
        return "builtin"

    def changed(self) -> bool:
        return (self.model_spec(), self.device.currentData()) != self._shown

    def apply(self, settings):
        """The model and device chosen here, when the user changed them; else ``settings`` as they
        are now (a fine-tune swapped in while the dialog was open stays)."""
        if not self.changed():
            return settings
        return dataclasses.replace(settings, model_spec=self.model_spec(), device=self.device.currentData())

    def problem(self) -> str:
        spec = self.model_spec()
        if spec in ("", "clap:"):
            return "Choose the fine-tuned model's folder, or enter a LAION-CLAP model id or folder."
        if self.checkpoint.isChecked() and not Path(spec).is_dir():
            return f"{spec} is not a folder."
        return ""


class LibraryPage(SettingsPage):
    title = "Library"
    icon_name = "folder"

    def __init__(self, dialog: SettingsDialog):
        super().__init__(dialog)
        paths = dialog.client.paths
        form = QFormLayout()
        for label, folder in (
            ("Index and models", paths.data),
            ("Cache (waveforms, dragged regions)", paths.cache),
            ("Settings", paths.config),
            ("Logs", paths.logs),
        ):
            form.addRow(label, PathButton(folder))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Data location", objectName="PanelTitle"))
        layout.addLayout(form)
        layout.addWidget(
            _hint(
                "To keep everything somewhere else (another disk, a portable install), start "
                "Earmark with --home FOLDER or set EARMARK_HOME=FOLDER. Your sound files stay "
                "where they are; only Earmark's own data moves."
            )
        )
        layout.addStretch(1)


class AudioPage(SettingsPage):
    title = "Audio"
    icon_name = "volume"

    def __init__(self, dialog: SettingsDialog):
        super().__init__(dialog)
        self.output = QComboBox()
        self.output.addItem("System default", SYSTEM_DEFAULT)
        for device in output_devices():
            self.output.addItem(f"{device.name}  ({device.host_api}, {device.default_rate / 1000:g} kHz)", device.name)
        form = QFormLayout()
        form.addRow("Preview output", self.output)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            _hint(
                "Files play at their own sample rate when the device allows it, otherwise they "
                "are resampled on the fly."
            )
        )
        layout.addStretch(1)

    def load(self, settings) -> None:
        self.output.setCurrentIndex(max(0, self.output.findData(self.dialog.player.device_name)))

    def apply(self, settings):
        self.dialog.player.stop()
        self.dialog.player.device_name = self.output.currentData()
        return settings


def _pages() -> tuple[type[SettingsPage], ...]:
    from app.finetune_page import FinetunePage  # they build on SettingsPage, defined above
    from app.vocabulary_page import VocabularyPage

    return ModelPage, LibraryPage, AudioPage, VocabularyPage, FinetunePage


class SettingsDialog(QDialog):
    def __init__(self, client, player, parent: QWidget | None = None):
        super().__init__(parent)
        self.client = client
        self.player = player
        self.setWindowTitle("Earmark Settings")
        self.resize(SIZE)
        self.page_list = QListWidget(objectName="SettingsPages")
        self.page_list.setFixedWidth(170)
        self.page_list.setIconSize(QSize(18, 18))
        self.stack = QStackedWidget()
        self.pages = [page_class(self) for page_class in _pages()]
        settings = client.settings()
        for page in self.pages:
            QListWidgetItem(icon(page.icon_name), page.title, self.page_list)
            self.stack.addWidget(page)
            page.load(settings)
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.page_list.setCurrentRow(0)
        self.error = QLabel(objectName="Hint")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setObjectName("Primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.setContentsMargins(16, 12, 16, 12)
        right.addWidget(self.stack, 1)
        right.addWidget(self.error)
        right.addWidget(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.page_list)
        layout.addLayout(right, 1)

    def page(self, page_class: type[SettingsPage]) -> SettingsPage:
        return next(p for p in self.pages if isinstance(p, page_class))

    def accept(self) -> None:
        model_page = self.page(ModelPage)
        problem = model_page.problem()
        if problem:
            self.page_list.setCurrentRow(self.pages.index(model_page))
            self.error.setText(problem)
            return
        settings = self.client.settings()
        for page in self.pages:
            settings = page.apply(settings)
        self.client.save_settings(settings)
        if model_page.changed() or self.client.model_failure:  # a failed model is tried again
            self._switch_model(model_page.model_spec())
        super().accept()

    def _switch_model(self, spec: str) -> None:
        """Start using the new model; a hub download shows its progress until the model is loaded,
        then the re-embedding goes on in the background with its progress in the status bar. With
        the library closed the choice is only saved: there is nothing to show."""
        if self.client.engine is not None:
            self._show_loading()
        self.client.switch_model(spec)

    def _show_loading(self) -> None:
        """A dialog with the download's progress, closed and deleted when the switch shows progress
        or the model is ready or unavailable."""
        progress = QProgressDialog("Loading the model…", "Hide", 0, 0, self.parentWidget())
        progress.setWindowTitle("Loading model")
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)

        def report(what: str, done: int, total) -> None:
            progress.setLabelText(
                f"Downloading {what or 'model files'}: {done / 1e6:.1f} MB"
                + (f" of {total / 1e6:.1f} MB" if total else "")
            )
            # QProgressDialog counts in 32-bit ints, so it counts kilobytes, not bytes.
            progress.setMaximum(total // 1024 if total else 0)
            progress.setValue(min(done, total) // 1024 if total else 0)

        ends = (self.client.switch_progress, self.client.ready, self.client.unavailable)

        def loaded(*_args) -> None:
            self.client.download_progress.disconnect(report)
            for signal in ends:
                signal.disconnect(loaded)
            progress.close()
            progress.deleteLater()

        self.client.download_progress.connect(report)
        for signal in ends:
            signal.connect(loaded)
