"""Pause (a real SIGTERM to the real trainer, as the app's "Pause, continue later" and Ctrl-C in
`earmark finetune` send) keeps the work: during the training steps the trainer ends at the end of the
step with a checkpoint of it, and the continued run goes on from there; outside the steps there is
nothing to keep, and it ends at once as before."""

from __future__ import annotations

import json
import time

import pytest

from engine.finetune import Finetuner
from engine.finetune.job import PAUSED, PREPARING, STOPPED, JobFolder
from tests.engine.finetune.conftest import FAST, PROCESS_TIMEOUT_S, trainer_said, wait_for
from trainer.cli import STOP_GRACE_S

pytestmark = pytest.mark.slow

# A run that never ends by itself, and whose periodic checkpoint never comes: all a pause keeps is its own.
NO_PERIODIC_CHECKPOINT = ["steps=100000", "save_every=100000", "log_every=1", *FAST]


def trained_steps(job: JobFolder) -> list[int]:
    """The steps the run's log says were trained, in order (validations left out)."""
    log = job.run_dir / "log.jsonl"
    lines = log.read_text().splitlines() if log.is_file() else []
    return [record["step"] for record in map(json.loads, lines) if "loss" in record]


def test_a_pause_during_training_keeps_its_steps_and_the_run_continues_from_the_step_it_paused_at(
    library_home, tiny_checkpoint, request
):
    """The trainer exited at once on SIGTERM, and its first checkpoint comes after about a minute of
    training: a pause a few steps in kept nothing, and Continue started the training over from step 0."""
    paths = library_home
    request.addfinalizer(Finetuner(paths).cancel)  # a run of 100000 steps never outlives the test
    finetuner = Finetuner(paths)
    finetuner.start(5, str(tiny_checkpoint), "cpu", NO_PERIODIC_CHECKPOINT)
    wait_for(lambda: finetuner.status().step >= 3, what="a few steps")
    finetuner.pause()
    paused = finetuner.status()
    assert paused.state == STOPPED and paused.paused and paused.phase == PAUSED
    assert paused.saved_step == paused.step >= 3  # every step it trained, up to the one it paused at
    assert paused.continues_from == f"step {paused.saved_step} of 100000, its last checkpoint"

    job = finetuner.job
    assert finetuner.resume()
    wait_for(lambda: len(trained_steps(job)) > paused.saved_step, what="the continued run's first step", job=job)
    assert f"resumed {job.run_dir / 'last'} at step {paused.saved_step}" in job.log_file.read_text()
    steps = trained_steps(job)
    assert steps == list(range(1, len(steps) + 1))  # went on from the step it paused at: none trained twice


def test_a_pause_while_preparing_still_ends_the_trainer_at_once(library_home, tiny_checkpoint, request):
    """Before the training steps there is nothing to keep: the trainer does not wait for its first step
    to save one (nor for its deadline, :data:`STOP_GRACE_S`), and the run continues from the start."""
    paths = library_home
    request.addfinalizer(Finetuner(paths).cancel)
    finetuner = Finetuner(paths)
    finetuner.start(5, str(tiny_checkpoint), "cpu", NO_PERIODIC_CHECKPOINT)
    deadline = time.monotonic() + PROCESS_TIMEOUT_S
    while not any(event["phase"] == PREPARING for event in finetuner.job.events()):  # preparing is brief here
        assert time.monotonic() < deadline, "timed out waiting for the trainer to prepare"
        time.sleep(0.01)
    asked = time.monotonic()
    finetuner.pause()
    took_s = time.monotonic() - asked
    paused = finetuner.status()
    # failed once in CI ("failed": the trainer wrote an error as the stop unwound it): say what it said
    assert paused.state == STOPPED and paused.phase == PAUSED, trainer_said(finetuner.job)
    assert not finetuner.job.is_running()
    assert not paused.plan and paused.saved_step == 0  # ended before it planned, not at a first step
    assert paused.continues_from == "the start (it had not yet planned its steps)"
    assert took_s < STOP_GRACE_S / 3, took_s
