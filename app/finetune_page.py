"""Settings -> Fine-tune: teach the model the user's own library, in a time budget.

The page only shows and asks; the work is the engine's (engine/finetune, a process of its
own) through :class:`app.finetune_client.FinetuneClient`. It shows, from the moment the run has
split the library, whether its held-out folders can judge the result at all, the plan once the
run has measured it, the step, loss and time left, each validation, and at the end the
held-out scores before and after. A better model is swapped in by itself (the old one keeps
answering while the library is re-embedded); a worse one only if the user insists, and the
model it started from stays one click away, as does the fine-tuned one again after going back.
A button does nothing twice: a click disables it until the job's next status says what can be
done, and nothing can be done with the library closed, nor while a switch the page asked for runs
(it says itself in the state line, with a bar, and how it ended once it has). Stop asks first
(:func:`ask_how_to_stop`): an accidental click threw away what may have been an hour of training.
The time budget and the device stay as the user chose them (engine.settings: kept as a run
starts, and on OK).
The main window's status bar says the job in a few words (:class:`FinetuneLabel`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.finetune_client import (
    FinetuneClient,
    describe_status,
    fine_tuned_name,
    outcome,
    status_bar_text,
    swapping,
    training_ended,
)
from app.labels import ElidedLabel
from app.settings_dialog import SettingsPage, _hint
from engine.finetune.job import (
    CHECK,
    DONE,
    FAILED,
    MIN_HELD_OUT_FOLDERS,
    NONE,
    RUNNING,
    SCORES_EXPLAINED,
    STARTING,
    FinetuneStatus,
    check_point,
    measures_disagree,
    plain_scores,
    scores_line,
    training_files,
    verdict_heading,
)

INTRO = (
    "Earmark learns your library's sounds from what your library already says about them: file and "
    "folder names (UCS categories included), BWF/iXML descriptions, your tags and captions. Files whose "
    "names say nothing (Take_017, ZOOM0001) are not learnt from but stay searchable. Whole folders are "
    "held out to check that the new model hears better, by sound alone, before it replaces the current "
    f"one; that check takes at least {MIN_HELD_OUT_FOLDERS} held-out folders, so in a library of a few "
    "folders the result replaces the current model only if you choose it (said as soon as a run has "
    "looked at your library). Training runs in its own process: it goes on if you close Earmark, and "
    "continues after a crash."
)
LIBRARY_CLOSED = "Fine-tuning is possible once the library is open."
# The least time budget offered: a run prepares (reads the held-out audio, times its steps, scores the
# starting model) before it can tell whether the budget fits, and on a CPU preparing, ten steps and the
# final evaluation took 35 + 14 + 20 s: a 1-minute run failed after 40 s. A run that finds even this too
# short names the budget this machine needs (FinetuneStatus.needs_minutes), which then becomes the least.
MIN_MINUTES = 2
SHOWN_CHECKS = 5  # the last few points of the check: a long run's twenty would push the verdict off the page
USE_AGAIN = "Use the fine-tuned model again"
# What Stop fine-tuning can do, once asked (ask_how_to_stop): keep the run to continue later, or throw it away.
PAUSE, DISCARD = "pause", "discard"
UNCHANGED = "The model in use stays as it is."
DECIDE_FIRST = "First decide about the finished fine-tune: use it anyway, or keep the current model."


class FinetunePage(SettingsPage):
    title = "Fine-tune"
    icon_name = "rescan"

    def __init__(self, dialog):
        super().__init__(dialog)
        self.finetune = dialog.client.finetune
        self.minutes = QSpinBox(minimum=MIN_MINUTES, maximum=24 * 60, suffix=" min")  # its value: load()
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
        # the line that says the verdict in a few words, then what can be done about it, then the verdict
        # in full, the plan and the check during training: under the ~15 lines of the verdict, "Use it
        # anyway" and "Keep the current model" were out of sight at the dialog's size, a scroll away
        for widget in (self.progress, self.state):
            layout.addWidget(widget)
        layout.addLayout(decisions)
        for widget in (self.result, self.plan, self.validation):
            layout.addWidget(widget)
        layout.addStretch(1)

        self._on_click(self.start_button, self._start)
        self._on_click(self.continue_button, self.finetune.resume)
        self.cancel_button.clicked.connect(self._stop)
        self.use_button.clicked.connect(lambda: self._decide(lambda: self.finetune.use(force=True)))
        self.discard_button.clicked.connect(lambda: self._decide(self.finetune.discard))
        self._on_click(self.rollback_button, self._switch_model)
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

    def load(self, settings) -> None:
        """The time budget and device last chosen here (review 15 found them back at 10 min and
        Automatic each time Settings opened); a device this machine lacks now reads Automatic."""
        self.minutes.setValue(round(settings.finetune_minutes))
        self.device.setCurrentIndex(max(0, self.device.findData(settings.finetune_device)))

    def apply(self, settings):
        return dataclasses.replace(
            settings, finetune_minutes=float(self.minutes.value()), finetune_device=self.device.currentData()
        )

    def _start(self) -> None:
        """Start a run with the budget and device chosen, which are kept for the next one: the dialog's
        Cancel, or closing it, must not forget what a run was started with."""
        client = self.dialog.client
        client.save_settings(self.apply(client.settings()))
        self.finetune.start(self.minutes.value(), self.device.currentData())

    def _stop(self) -> None:
        """Stop fine-tuning, as the user answers :func:`ask_how_to_stop`; nothing when the run ended
        while the question was open (a run that finished must not be discarded by a late answer)."""
        choice = ask_how_to_stop(self, self.finetune.status)
        status = self.finetune.status
        if not choice or not (status.state in (RUNNING, STARTING) or status.resumable):
            return
        self.cancel_button.setEnabled(False)  # until the next status, as any other button
        (self.finetune.pause if choice == PAUSE else self.finetune.cancel)()

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
        swap = self.finetune.swap  # a switch this page asked for, running: nothing is started meanwhile
        self.start_button.setEnabled(
            available and status.state in (NONE, FAILED, DONE) and not status.pending and swap is None
        )
        # greyed out while a run that is not better waits for the answer its buttons ask, with nothing
        # to say why (a switch says itself in the state line)
        waits_for_answer = available and status.pending and not status.better and swap is None
        self.start_button.setToolTip(DECIDE_FIRST if waits_for_answer else "")
        self.continue_button.setVisible(status.resumable)
        self.continue_button.setEnabled(available and not stopping)
        self.cancel_button.setEnabled(available and (busy or status.resumable) and not stopping)
        self.minutes.setEnabled(not busy)
        self.minutes.setMinimum(max(MIN_MINUTES, status.needs_minutes))  # a shorter value is raised to it
        self.device.setEnabled(not busy)
        self.state.setText(self._state_text(status) if available else LIBRARY_CLOSED)
        self.progress.setVisible(busy or status.resumable or swap is not None)
        if swap is not None:  # the sounds re-read with the new model; a busy bar while it loads
            self.progress.setRange(0, swap.total)
            self.progress.setValue(swap.done)
        else:  # once its steps are done a run's step says nothing of what is left: a busy bar, not 12 of 85
            self.progress.setRange(0, 0 if status.checking or not status.steps else max(status.steps, 1))
            self.progress.setValue(status.step)
        self.plan.setText(self._plan_text(status))
        held_out = status.plan.get("held_out_folders", [])  # named in full where the line names a few
        self.plan.setToolTip("Kept out of training to judge it:\n" + "\n".join(held_out) if held_out else "")
        self._show_checks(status)
        self._show_result(status)
        if self.isVisible():  # how a run ended, seen here, need not stay in the status bar
            self.finetune.mark_read()

    def _state_text(self, status: FinetuneStatus) -> str:
        """The job in a line, and under it the switch its buttons wait for while it runs, or under a
        finished run's how the last one ended ("Switched: searches now use …")."""
        said = describe_status(status, self.finetune.stop)
        swap = self.finetune.swap
        after = swapping(swap) if swap is not None else self.finetune.switch_ended if status.state == DONE else ""
        return f"{said}\n{after}" if after else said

    @staticmethod
    def _plan_text(status: FinetuneStatus) -> str:
        """The plan and what it learns from, holds out and leaves out; under it, from the moment the run
        has split the library (before the plan, before the budget is spent), that too few held-out
        folders cannot judge its result, which was said only in a passing state line and then at the
        end; and how many of its steps were trained when the time budget cut them short."""
        plan = status.plan
        said = f"{plan.get('device_note', '')} Plan: {plan['estimate']}" if plan.get("estimate") else ""
        lines = (said, training_files(plan), status.cannot_judge, training_ended(status))
        return "\n".join(line for line in lines if line)

    def _show_checks(self, status: FinetuneStatus) -> None:
        """The check during training, in words, from its own point before the first step: the starting
        model's verdict scores under "before training" read as a fall at the first pass (0.07 -> 0.05)
        where the check itself went from 0.06."""
        per_epoch = int(status.plan.get("steps_per_epoch", 1))
        points = {int(point["step"]): point for point in status.validation}  # a step measured twice is shown once
        start = points.pop(0, None)
        before = f"{CHECK}\n{check_point(0, per_epoch).capitalize()}: "
        said = [before + plain_scores(start, "t2a")] if start else []
        named = [before + scores_line(start, "t2a", " · ")] if start else []
        for step, point in list(points.items())[-SHOWN_CHECKS:]:
            when = check_point(step, per_epoch)
            said.append(f"{when}: {plain_scores({'t2a/mAP@10': point['t2a/mAP@10']}, 't2a')}")
            named.append(f"{when}: mAP@10 {point['t2a/mAP@10']:.3f}")
        self.validation.setText("\n".join(said))
        # the words on the page, the measures' names in the tooltip (for whoever knows them)
        self.validation.setToolTip("\n".join([*named, "", SCORES_EXPLAINED]) if said else "")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.finetune.mark_read()

    def _show_result(self, status: FinetuneStatus) -> None:
        result = status.result if status.state == DONE else {}
        self.result.setVisible(bool(result))
        if result:
            said = [
                verdict_heading(result),
                f"before ({result['start_model']}): {plain_scores(result['before'])}",
                f"after: {plain_scores(result['after'])}",
                measures_disagree(status),
            ]
            self.result.setText("\n".join(line for line in said if line))
            self.result.setToolTip(
                f"before: {scores_line(result['before'], separator=' · ')}\n"
                f"after: {scores_line(result['after'], separator=' · ')}\n\n{SCORES_EXPLAINED}"
            )
        else:
            self.result.setText("")
            self.result.setToolTip("")
        switching = self.finetune.swap is not None  # answered, or the way back taken: wait for its end
        worse_waiting = status.pending and not status.better and not switching
        available = self.finetune.available
        for button in (self.use_button, self.discard_button, self.rollback_button):
            button.setEnabled(available and not switching)
        self.use_button.setVisible(worse_waiting)
        self.discard_button.setVisible(worse_waiting)
        # the way back while the fine-tuned model is in use, the way to it again once it is not
        self.rollback_button.setVisible(bool(result) and status.applied and bool(status.adopted))
        if result:
            in_use = self._fine_tuned_in_use(status)
            self.rollback_button.setText(f"Go back to {result['start_model']}" if in_use else USE_AGAIN)

    def _fine_tuned_in_use(self, status: FinetuneStatus) -> bool:
        """Whether the model searches use now is the run's, wherever it was chosen (a swap, the way back,
        the Model page): the job's "applied" stays after a way back, which left "Go back" on offer."""
        active = self.dialog.client.active_model_spec or ""
        return bool(status.adopted) and Path(active).expanduser().resolve() == Path(status.adopted).resolve()

    def _switch_model(self) -> None:
        """Back to the model the run started from, or to the fine-tuned one again (already in the models
        folder: a plain switch, whose vectors were kept)."""
        status = self.finetune.status
        result = status.result
        if self._fine_tuned_in_use(status):
            self.finetune.switch_to(result["start_model"], result["start_model"], fine_tuned_name(result))
        else:
            self.finetune.switch_to(status.adopted, fine_tuned_name(result), self.dialog.client.active_model_spec)


def ask_how_to_stop(parent: QWidget, status: FinetuneStatus) -> str:
    """Ask what Stop fine-tuning should do with the run, saying what each answer keeps and loses:
    :data:`PAUSE` (a run that has begun is ended and kept, to continue from the step it is paused at
    when it trains, else from its last checkpoint),
    :data:`DISCARD` (thrown away), or "" (the default: it goes on, or a stopped run stays to continue)."""
    box = QMessageBox(QMessageBox.Question, "Stop fine-tuning", "Stop fine-tuning?", parent=parent)
    pause = None
    if status.state == RUNNING:
        reached = (
            f"It has trained {status.step} of {status.steps} steps."
            if status.steps
            else "It is still preparing: nothing is trained yet."
        )
        box.setInformativeText(
            f"{reached}\n\nPause ends it and keeps it: it picks up from {status.continues_from}, when you "
            "press Continue on this page (after a restart too) or run `earmark finetune`.\n\n"
            f"Discard throws it away: a new run starts over, reading your library again.\n\n{UNCHANGED}"
        )
        pause = box.addButton("Pause, continue later", QMessageBox.AcceptRole)
        discard = box.addButton("Discard the run", QMessageBox.DestructiveRole)
        keep = box.addButton("Keep going", QMessageBox.RejectRole)
    elif status.state == STARTING:
        box.setInformativeText(f"It is still starting: nothing is done yet, so nothing is lost. {UNCHANGED}")
        discard = box.addButton("Stop it", QMessageBox.DestructiveRole)
        keep = box.addButton("Keep going", QMessageBox.RejectRole)
    else:
        box.setText("Discard the stopped fine-tune?")
        box.setInformativeText(
            f"Continue picks it up from {status.continues_from}. Discarding it throws that away: a new run "
            f"starts over, reading your library again. {UNCHANGED}"
        )
        discard = box.addButton("Discard the run", QMessageBox.DestructiveRole)
        keep = box.addButton("Keep it", QMessageBox.RejectRole)
    box.setDefaultButton(keep)  # Enter or Esc on a dialog that popped up unexpectedly loses nothing
    box.setEscapeButton(keep)
    box.exec()
    clicked = box.clickedButton()
    if clicked is discard:
        return DISCARD
    return PAUSE if pause is not None and clicked is pause else ""


class FinetuneLabel(ElidedLabel):
    """The status bar's word on the fine-tune: a few (:func:`~app.finetune_client.status_bar_text`),
    the whole of :func:`~app.finetune_client.describe_status` in the tooltip, at most
    :attr:`MAX_CHARACTERS` wide and elided beyond, so the results line beside it keeps its room. How
    a run ended is said until the user has seen it on the Fine-tune page
    (:meth:`~app.finetune_client.FinetuneClient.mark_read`), not until another run starts: a failure
    read once need not stay in the status bar for days."""

    MAX_CHARACTERS = 40

    def __init__(self, finetune: FinetuneClient):
        super().__init__("")
        self.finetune = finetune
        finetune.status_changed.connect(self.show_status)

    def show_status(self, status: FinetuneStatus) -> None:
        swap = self.finetune.swap
        if swap is not None:  # the main window's only word of it
            self.setText(f"Switching to {swap.to}…")
            self.setToolTip(swapping(swap))
        else:
            read = outcome(status) and self.finetune.outcome_read
            self.setText("" if read else status_bar_text(status))
            self.setToolTip(describe_status(status) if self.text() else "")
        self.ensurePolished()  # measured in the theme's font and padding, which polishing applies
        margins = self.contentsMargins()
        self.setMaximumWidth(
            self.fontMetrics().averageCharWidth() * self.MAX_CHARACTERS + margins.left() + margins.right()
        )
