"""What a fine-tune job reports while it trains, read from the files the trainer writes."""

from __future__ import annotations

import json

import pytest

from engine.finetune.job import STOPPED, TRAINING, JobFolder


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
