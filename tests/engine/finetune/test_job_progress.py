"""What a fine-tune job reports while it trains, read from the files the trainer writes."""

from __future__ import annotations

import json

import pytest

from engine.finetune.job import (
    ERROR,
    EVALUATING,
    FAILED,
    KEY_METRIC,
    PREPARING,
    STOPPED,
    TRAINING,
    JobFolder,
    verdict,
)


@pytest.mark.parametrize("budget_s, eta_s", [(None, 90 * 1.0 + 9 * 5.0 + 20.0), (60.0, 60.0 - 50.0 + 20.0)])
def test_the_time_left_is_the_steps_left_or_the_budget_left_whichever_ends_first(tmp_path, budget_s, eta_s):
    """Planned for 100 steps of 1 s, the machine turned out slower: 10 steps took 50 s. With a time
    budget the trainer stops when it is spent (trainer.schedule.paced_step), so that is what is left."""
    job = JobFolder(tmp_path / "job")
    config = {"time_budget_s": budget_s} if budget_s else {}
    plan = {"steps": 100, "steps_per_epoch": 10, "step_seconds": 1.0, "validation_seconds": 5.0}
    job.write_json(job.plan_file, plan | {"final_seconds": 20.0, "batch_size": 4, "config": config})
    job.event(TRAINING, "training")
    job.run_dir.mkdir(parents=True)
    record = {"step": 10, "loss": 2.0, "samples_per_s": 4.0, "trained_s": 50.0}
    (job.run_dir / "log.jsonl").write_text(json.dumps(record) + "\n")
    status = job.status()
    assert status.state == STOPPED and status.step == 10
    assert status.eta_s == pytest.approx(eta_s)


@pytest.mark.parametrize(
    "decided, said",
    [
        ({"better": True, "no_gain_chance": 0.01, "searched_folders": 9}, "better"),
        ({"after": 0.20, "no_gain_chance": 0.9, "searched_folders": 9}, "not better"),
        ({"no_gain_chance": 0.0, "searched_folders": 1}, "not clearly better: only 1 held-out folder, too few"),
        ({"no_gain_chance": 0.0, "searched_folders": 4}, "not clearly better: only 4 held-out folders, too few"),
        ({"no_gain_chance": 0.23, "searched_folders": 9}, "resampling its 9 held-out folders shows no gain 23%"),
        ({}, "not better"),  # a result written before the verdict resampled: its own "better" stands
    ],
)
def test_the_verdict_says_why_a_higher_score_is_not_better(decided, said):
    result = {"better": False, "before": {KEY_METRIC: 0.25}, "after": {KEY_METRIC: decided.pop("after", 0.31)}}
    assert said in verdict(result | decided)


@pytest.mark.parametrize(
    "held_out, said",
    [
        ({"held_out_files": 18, "held_out_folders": 1}, "Only 1 held-out folder (18 files): telling whether the "),
        ({"held_out_files": 30, "held_out_folders": 4}, "Only 4 held-out folders (30 files): telling whether the "),
        ({"held_out_files": 9, "held_out_folders": 3, "held_out_by": "caption"}, "Only 3 held-out groups of files "),
        ({"held_out_files": 40, "held_out_folders": 5}, ""),
        ({}, ""),  # not split yet: nothing known
    ],
)
def test_a_run_that_cannot_be_judged_says_so_from_its_split_in_held_out_folders(tmp_path, held_out, said):
    """The review's run said "Only 1 held out" (of 18 files held out, in 1 folder) once, in a passing
    event, and then at the end. The job's status carries what the split held out from then on."""
    job = JobFolder(tmp_path / "job")
    job.event(PREPARING, "32 files to learn from", **held_out)
    job.event(PREPARING, "reading the held-out audio: 3 of 18 files")
    warning = job.status().cannot_judge
    assert warning.startswith(said) if said else warning == ""
    if said:
        assert "will not replace the current model by itself" in warning


def test_a_budget_too_short_for_this_machine_names_the_least_one_and_what_was_measured(tmp_path):
    """The review's run: 1 minute, after 35 s of preparing and timing. The trainer's own words
    (plan_steps) are read for the budget that would do, which the app then offers as the least."""
    from trainer.library.budget import plan_steps

    with pytest.raises(ValueError) as too_short:
        plan_steps(60.0, spent_s=35.0, step_s=1.4, steps_per_epoch=50, validation_s=6.0, final_s=20.0)
    job = JobFolder(tmp_path / "job")
    job.event(PREPARING, "No GPU found")
    job.failed(too_short.value)  # as the trainer records its end
    status = job.status()
    assert status.state == FAILED and status.needs_minutes == 2
    assert status.measured == "preparing took 35 s, a training step takes 1.4 s and evaluating 20 s"
    job.event(ERROR, "no usable items")  # any other failure names no budget
    assert job.status().needs_minutes == 0 and job.status().measured == ""


def test_a_run_its_budget_cut_short_is_told_from_one_still_training_or_one_that_trained_every_step(tmp_path):
    """The review's 2-minute run planned 85 steps and the budget ended it at step 12: the plan's
    steps must not read as done. While it trains, step 12 is where it is, not where it stopped."""
    job = JobFolder(tmp_path / "job")
    job.write_json(job.plan_file, {"steps": 85, "steps_per_epoch": 48, "step_seconds": 0.56})
    job.event(TRAINING, "training")
    job.run_dir.mkdir(parents=True)
    log = job.run_dir / "log.jsonl"
    log.write_text(json.dumps({"step": 12, "loss": 5.4}) + "\n")
    assert not job.status(process_alive=True).cut_short
    job.event(EVALUATING, "evaluating the fine-tuned model on the held-out folders")
    assert job.status(process_alive=True).cut_short
    log.write_text(json.dumps({"step": 85, "loss": 5.0}) + "\n")
    assert not job.status(process_alive=True).cut_short


def test_the_fine_tuned_models_folder_is_known_while_it_is_there(tmp_path):
    """The page offers the fine-tuned model again after a way back: only while its folder exists."""
    job = JobFolder(tmp_path / "job")
    model = tmp_path / "models" / "library-2026-12-05-2344"
    model.mkdir(parents=True)
    job.event(TRAINING, "training")
    job.write_json(job.adopted_file, {"path": str(model)})
    assert job.status().adopted == str(model)
    model.rmdir()
    assert job.status().adopted == ""
