"""Settings -> Fine-tune: teach the model the user's own library, in a time budget.

The page only shows and asks; the work is the engine's (engine/finetune, a process of its
own) through :class:`app.finetune_client.FinetuneClient`. It shows the plan once the run has
measured it, the step, loss and time left, each validation, and at the end the
held-out scores before and after. A better model is swapped in by itself (the old one keeps
answering while the library is re-embedded); a worse one only if the user insists, and the
model it started from stays one click away. A button does nothing twice: a click disables it until
the job's next status says what can be done, and nothing can be done with the library closed.
The main window's status bar says the job in a few words (:class:`FinetuneLabel`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.finetune_client import (
    SCORES_EXPLAINED,
    FinetuneClient,
    describe_status,
    outcome,
    plain_scores,
    status_bar_text,
)
from app.labels import ElidedLabel
from app.settings_dialog import SettingsPage, _hint
from engine.finetune.job import DONE, FAILED, NONE, RUNNING, STARTING, FinetuneStatus, scores_line

INTRO = (
    "Earmark learns your library's sounds from what your library already says about them: file and "
    "folder names (UCS categories included), BWF/iXML descriptions, your tags and captions. Files whose "
    "names say nothing (Take_017, ZOOM0001) are not learnt from but stay searchable. Whole folders are "
    "held out to check that the new model hears better, by sound alone, before it replaces the current "
    "one. Training runs in its own process: it goes on if you close Earmark, and continues after a crash."
)
LIBRARY_CLOSED = "Fine-tuning is possible once the library is open."
# The least time budget offered: a run prepares (reads the held-out audio, times its steps, scores the
# starting model) before it can tell whether the budget fits, and on a CPU preparing, ten steps and the
# final evaluation took 35 + 14 + 20 s: a 1-minute run failed after 40 s. A run that finds even this too
# short names the budget this machine needs (FinetuneStatus.needs_minutes), which then becomes the least.
MIN_MINUTES = 2


class FinetunePage(SettingsPage):
    title = "Fine-tune"
    icon_name = "rescan"

    def __init__(self, dialog):
        super().__init__(dialog)
        self.finetune = dialog.client.finetune
        self.minutes = QSpinBox(minimum=MIN_MINUTES, maximum=24 * 60, value=10, suffix=" min")
        self.device = QComboBox()
        self.device.addItem("Automatic (a GPU when there is one)", "auto")
        for value, text in dialog.client.compute_devices():
            self.device.addItem(text, value.split(":")[0])
        self.start_button = QPushButton("Fine-tune on my library", objectName="Primary")
        self.continue_button = QPushButton("Continue")
        self.cancel_button = QPushButton("Stop fine-tuning")  # not the dialog's Cancel: it ends the run
        self.progress = QProgressBar(textVisible=True)
        self.state = _hint("")
        self.plan = _hint("")
        self.validation = _hint("")
        self.result = _hint("")
        self.use_button = QPushButton("Use it anyway")
        self.discard_button = QPushButton("Keep the current model")
        self.rollback_button = QPushButton("")

        form = QFormLayout()
        form.addRow("Time budget", self.minutes)
        form.addRow("Run on", self.device)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.continue_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        decisions = QHBoxLayout()
        for button in (self.use_button, self.discard_button, self.rollback_button):
            decisions.addWidget(button)
        decisions.addStretch(1)
        # in a scroll area: at the dialog's size the wrapped text and the scores take more height
        # than there is, and a layout squeezed below its wrapped labels' heights overlaps them
        body = QWidget()
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_hint(INTRO))
        layout.addLayout(form)
        layout.addLayout(buttons)
        for widget in (self.progress, self.state, self.plan, self.validation, self.result):
            layout.addWidget(widget)
        layout.addLayout(decisions)
        layout.addStretch(1)

        self._on_click(self.start_button, lambda: self.finetune.start(self.minutes.value(), self.device.currentData()))
        self._on_click(self.continue_button, self.finetune.resume)
        self._on_click(self.cancel_button, self.finetune.cancel)
        self.use_button.clicked.connect(lambda: self._decide(lambda: self.finetune.use(force=True)))
        self.discard_button.clicked.connect(lambda: self._decide(self.finetune.discard))
        self._on_click(self.rollback_button, self._roll_back)
        self.finetune.status_changed.connect(self.show_status)
        self.show_status(self.finetune.status)
        self.finetune.poll()

    @staticmethod
    def _on_click(button: QPushButton, act) -> None:
        """``act`` once: the button stays disabled until the next status (or the library opening) enables it."""

        def clicked() -> None:
            button.setEnabled(False)
            act()

        button.clicked.connect(clicked)

    def _decide(self, decision) -> None:
        """Use or keep: the question is answered, so both buttons go at once (the status that follows
        the swap or the refusal shows the outcome, and the way back)."""
        self.use_button.hide()
        self.discard_button.hide()
        decision()

    def show_status(self, status: FinetuneStatus) -> None:
        busy = status.state in (RUNNING, STARTING)
        available = self.finetune.available
        stopping = self.finetune.stop == "stopping"  # a second Stop, or a Continue, waits for the first to end
        self.start_button.setEnabled(available and status.state in (NONE, FAILED, DONE) and not status.pending)
        self.continue_button.setVisible(status.resumable)
        self.continue_button.setEnabled(available and not stopping)
        self.cancel_button.setEnabled(available and (busy or status.resumable) and not stopping)
        self.minutes.setEnabled(not busy)
        self.minutes.setMinimum(max(MIN_MINUTES, status.needs_minutes))  # a shorter value is raised to it
        self.device.setEnabled(not busy)
        self.state.setText(describe_status(status, self.finetune.stop) if available else LIBRARY_CLOSED)
        self.progress.setVisible(busy or status.resumable)
        self.progress.setRange(0, max(status.steps, 1) if status.steps else 0)
        self.progress.setValue(status.step)
        plan = status.plan
        self.plan.setText(f"{plan.get('device_note', '')} Plan: {plan['estimate']}" if plan.get("estimate") else "")
        before = plan.get("before")
        per_epoch = max(int(plan.get("steps_per_epoch", 1)), 1)
        epochs, named, seen = [], [], set()
        for point in status.validation:
            if not point["step"] or point["step"] in seen:  # a step measured once is shown once
                continue
            seen.add(point["step"])
            step = int(point["step"])
            # the run's last measure, at a step inside an epoch (its time was spent), is not an epoch's
            when = f"after pass {step // per_epoch}" if step % per_epoch == 0 else f"at the end (step {step})"
            epochs.append(f"{when}: {plain_scores({'t2a/mAP@10': point['t2a/mAP@10']}, 't2a')}")
            named.append(f"{when}: mAP@10 {point['t2a/mAP@10']:.3f}")
        # the validation's own measure (each held-out file against its own name), not the verdict's
        check = (
            "Checked after each pass (each held-out file found by its own name; higher is better), before training: "
        )
        first, first_named = (
            ([check + plain_scores(before, "t2a")], [check + scores_line(before, "t2a", " · ")]) if before else ([], [])
        )
        self.validation.setText("\n".join(first + epochs[-5:]))
        # the words on the page, the measures' names in the tooltip (for whoever knows them)
        self.validation.setToolTip(
            "\n".join(first_named + named[-5:] + ["", SCORES_EXPLAINED]) if first or epochs else ""
        )
        self._show_result(status)
        if self.isVisible():  # how a run ended, seen here, need not stay in the status bar
            self.finetune.mark_read()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.finetune.mark_read()

    def _show_result(self, status: FinetuneStatus) -> None:
        result = status.result if status.state == DONE else {}
        if result:
            self.result.setText(
                f"Verdict: held-out folders ({result['held_out_files']} files), their names searched by sound "
                "alone (a different measure from the check above; higher is better)\n"
                f"before ({result['start_model']}): {plain_scores(result['before'])}\n"
                f"after: {plain_scores(result['after'])}"
            )
            self.result.setToolTip(
                f"before: {scores_line(result['before'], separator=' · ')}\n"
                f"after: {scores_line(result['after'], separator=' · ')}\n\n{SCORES_EXPLAINED}"
            )
        else:
            self.result.setText("")
            self.result.setToolTip("")
        worse_waiting = status.pending and not status.better
        available = self.finetune.available
        for button in (self.use_button, self.discard_button, self.rollback_button):
            button.setEnabled(available)
        self.use_button.setVisible(worse_waiting)
        self.discard_button.setVisible(worse_waiting)
        self.rollback_button.setVisible(bool(result) and status.applied)
        if result:
            self.rollback_button.setText(f"Go back to {result['start_model']}")

    def _roll_back(self) -> None:
        self.dialog.client.switch_model(self.finetune.status.result["start_model"])


class FinetuneLabel(ElidedLabel):
    """The status bar's word on the fine-tune: a few (:func:`~app.finetune_client.status_bar_text`),
    the whole of :func:`~app.finetune_client.describe_status` in the tooltip, at most
    :attr:`MAX_CHARACTERS` wide and elided beyond, so the results line beside it keeps its room. How
    a run ended is said until the user has seen it on the Fine-tune page
    (:meth:`~app.finetune_client.FinetuneClient.mark_read`): the review's failure stayed there until
    another run was started."""

    MAX_CHARACTERS = 40

    def __init__(self, finetune: FinetuneClient):
        super().__init__("")
        self.finetune = finetune
        finetune.status_changed.connect(self.show_status)

    def show_status(self, status: FinetuneStatus) -> None:
        read = outcome(status) and self.finetune.outcome_read
        self.setText("" if read else status_bar_text(status))
        self.setToolTip(describe_status(status) if self.text() else "")
        self.ensurePolished()  # measured in the theme's font and padding, which polishing applies
        margins = self.contentsMargins()
        self.setMaximumWidth(
            self.fontMetrics().averageCharWidth() * self.MAX_CHARACTERS + margins.left() + margins.right()
        )
