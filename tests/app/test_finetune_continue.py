"""Settings -> Fine-tune after a pause and at the end of a run, in the real window: Continue shows the
continued run from where it really starts, the swap of a better model says what it is doing while
the page's buttons wait for it, and the two measures say what each is, in the words
`earmark finetune` prints too (engine/finetune/job.py)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from engine.finetune import Finetuner
from engine.finetune.job import DONE, RUNNING, STOPPED
from tests.app.conftest import ENGINE_TIMEOUT_MS, index_folder
from tests.app.test_finetune_page import (
    CHECK_AT_12,
    FINETUNE_TIMEOUT_MS,
    REVIEW_PLAN,
    REVIEW_RESULT,
    answer_stop,
    finetune_page,
    review_job,
)
from tests.engine.finetune.conftest import FAST
from tests.finetune_library import write_named_library


@pytest.mark.slow
def test_continue_after_a_pause_before_the_first_checkpoint_goes_on_from_the_step_it_paused_at(
    qtbot, window, tmp_path, monkeypatch, request
):
    """The review paused a run at step 6 of 550, before its first checkpoint: the run started over from
    step 0 (the trainer exited at once, keeping nothing), and after Continue the page showed "step 6 of
    550" for seconds all the same. A pause now saves the step it stops at: the real trainer, paused and
    continued from the page, which says where it continues and never shows a step before it."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # see tests/engine/finetune/conftest.py
    index_folder(qtbot, window, write_named_library(tmp_path / "Library", folders_per_kind=3, files_per_folder=2))
    client = window.client.finetune
    client.overrides = ["steps=100000", "save_every=100000", "log_every=1", *FAST]  # no periodic checkpoint here
    page = finetune_page(qtbot, window)
    page.device.setCurrentIndex(page.device.findData("cpu"))
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    request.addfinalizer(Finetuner(window.client.paths).cancel)  # a run of 100000 steps never outlives the test
    qtbot.waitUntil(lambda: client.status.state == RUNNING and client.status.step >= 3, timeout=FINETUNE_TIMEOUT_MS)

    asked = answer_stop("Pause, continue later")
    qtbot.mouseClick(page.cancel_button, Qt.LeftButton)
    assert "it picks up from the step it is paused at" in asked[0]
    qtbot.waitUntil(lambda: client.status.state == STOPPED and client.stop == "stopped", timeout=ENGINE_TIMEOUT_MS)
    paused = client.status
    assert paused.saved_step == paused.step >= 3
    assert f"paused at step {paused.step} of 100000" in page.state.text()  # where it got, while it is paused
    assert f"picks it up from step {paused.saved_step} of 100000, its last checkpoint" in page.state.text()

    shown = []  # each look at the continued run: its step and the page's line
    client.status_changed.connect(
        lambda status: shown.append((status.step, page.state.text())) if status.state == RUNNING else None
    )
    qtbot.mouseClick(page.continue_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: any(step > paused.saved_step for step, _ in shown), timeout=FINETUNE_TIMEOUT_MS)
    steps = [step for step, _ in shown]
    assert steps[0] == paused.saved_step and steps == sorted(steps), shown  # from where it paused, then on
    assert shown[0][1].startswith(f"Fine-tuning: step {paused.saved_step} of 100000"), shown


def test_the_swap_of_a_better_model_says_what_it_does_while_the_buttons_wait(qtbot, window, tiny_checkpoint, tmp_path):
    """Between "Fine-tuned: … (better)" and "Go back to builtin" the review's page had Fine-tune on my
    library greyed out with no word of the library being re-embedded with the new model."""
    index_folder(qtbot, window, write_named_library(tmp_path / "Library", folders_per_kind=1, files_per_folder=1))
    job = window.client.engine.finetuner.job  # as a finished, better run leaves it
    shutil.copytree(tiny_checkpoint, job.model_dir)
    job.write_json(job.plan_file, REVIEW_PLAN)
    job.write_json(job.result_file, REVIEW_RESULT | {"start_model": str(tiny_checkpoint), "model_name": "library-t"})
    page = finetune_page(qtbot, window)
    waiting = []  # the page's line each time its Fine-tune button waited for the finished run
    page.finetune.status_changed.connect(
        lambda status: (
            waiting.append(page.state.text()) if status.pending and not page.start_button.isEnabled() else None
        )
    )
    window.client.finetune.poll()  # the page's look finds the better result: its swap starts by itself
    qtbot.waitUntil(lambda: page.rollback_button.isVisible(), timeout=ENGINE_TIMEOUT_MS)

    assert waiting and all("\nSwitching to the fine-tuned model: " in said for said in waiting), waiting
    assert all(f"Searches use {tiny_checkpoint} until it is done" in said for said in waiting)
    assert page.start_button.isEnabled() and "Switching" not in page.state.text()  # done: a new run can start


def test_a_switch_to_a_model_chosen_anyway_that_closing_cut_short_goes_on_by_itself(
    qtbot, window, tiny_checkpoint, tmp_path
):
    """Review 15: "Use it anyway", then Earmark closed while the library re-embedded; opened again,
    builtin was still in use and the page offered "Use it anyway" again with no word of the switch
    cut short. A result the user chose (adopted into the models folder, never applied) is swapped
    in again by itself, as a better one is."""
    index_folder(qtbot, window, write_named_library(tmp_path / "Library", folders_per_kind=1, files_per_folder=1))
    fine_tuned = window.client.paths.models / "library-t"
    shutil.copytree(tiny_checkpoint, fine_tuned)
    job = window.client.engine.finetuner.job  # as "Use it anyway" and a closed app left it
    job.write_json(job.plan_file, REVIEW_PLAN)
    not_better = REVIEW_RESULT | {"better": False, "start_model": str(tiny_checkpoint), "model_name": "library-t"}
    job.write_json(job.result_file, not_better)
    job.write_json(job.adopted_file, {"path": str(fine_tuned)})
    assert job.status().pending and job.status().adopted
    window.client.finetune.poll()
    qtbot.waitUntil(lambda: window.client.engine.model_spec == str(fine_tuned), timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not job.status().pending, timeout=ENGINE_TIMEOUT_MS)  # applied once it finished


def test_the_verdict_and_the_check_say_what_each_measures_and_why_they_differ(qtbot, window, tmp_path):
    """The review's page: "right sound first 3 % → 5 %, ranking score 0.05 → 0.10" under the verdict,
    "ranking score 0.08 → 0.08" under the check during training, nothing to say why, and "3 %" read as
    a broken search. The words are those `earmark finetune` prints (tests/engine/finetune)."""
    page = finetune_page(qtbot, window)
    level = CHECK_AT_12 | {"val/t2a/mAP@10": 0.058}  # the check ends where it began
    job = review_job(tmp_path / "job", level)
    job.write_json(job.result_file, REVIEW_RESULT)
    page.show_status(job.status())
    assert job.status().state == DONE
    verdict, check = page.result.text(), page.validation.text()
    assert "Verdict (it decides which model is used): the names of the 155 files kept out of training, each " in verdict
    assert "searched among those 155 sounds by sound alone" in verdict
    assert "not how often a search finds your sound" in verdict
    assert "before (builtin): right sound first: 2 % · in the top 10: 26 % · ranking score 0.07 of 1" in verdict
    assert "The check during training stayed level (0.06 → 0.06) while the verdict rose." in verdict
    assert "The verdict decides which model is used." in verdict
    assert check.startswith("Checked during training, to see that it stays on course (it does not decide)")
    assert "each held-out file's own name must find that very file, not one named alike" in check
    assert (
        check.splitlines()[1]
        == "Before training: right sound first: 2 % · in the top 10: 17 % · ranking score 0.06 of 1"
    )
