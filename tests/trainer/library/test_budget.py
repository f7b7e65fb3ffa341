"""The plan from measured numbers: steps that fit the budget, the batch that fits the GPU memory."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from trainer.library.budget import MAX_VALIDATIONS, NO_GPU, MemoryUse, fit_batch, plan_steps, resolve_device


def test_steps_fill_the_budget_after_what_was_spent_and_the_evaluations():
    plan = plan_steps(budget_s=600, spent_s=60, step_s=2.0, steps_per_epoch=50, validation_s=10, final_s=30)
    assert plan.total_seconds <= 600 + 2.0  # a validation is counted per started epoch
    assert plan.steps == int((600 - 60 - 30 - 10) / (2.0 + 10 / 50))
    said = plan.describe()  # the total first, in a sound designer's words
    assert said.startswith(f"About {plan.total_seconds / 60:.1f} min: {plan.steps} training steps")
    assert f"({plan.epochs:.1f} passes over your sounds)" in said and "epoch" not in said


def test_a_shorter_run_than_the_budget_warms_up_over_its_own_steps():
    # A fast machine: five minutes hold thousands of steps, the user asked for 40.
    plan = plan_steps(budget_s=300, spent_s=10, step_s=0.02, steps_per_epoch=4, validation_s=1, final_s=2)
    assert plan.steps > 1000
    schedule = replace(plan, steps=40).schedule(save_seconds=60)
    assert schedule["steps"] == 40 and schedule["warmup_steps"] == 4  # not a tenth of the budget's steps
    assert schedule["log_every"] == 2 and schedule["eval_every"] == 4 and schedule["save_every"] == 3000


def test_a_small_library_validates_every_few_epochs_not_after_each_of_its_hundreds():
    # 43 files at batch 16: two steps an epoch; three minutes hold a hundred-odd epochs
    kwargs = dict(budget_s=180, spent_s=7, step_s=0.56, steps_per_epoch=2, validation_s=1.5, final_s=2)
    plan = plan_steps(**kwargs)
    every = plan.schedule(save_seconds=60)["eval_every"]
    assert every % 2 == 0 and every > 2 and plan.validations <= MAX_VALIDATIONS
    assert plan.validations == -(-plan.steps // every)  # as the training loop runs them: each eval_every, and last
    assert plan.total_seconds <= 180
    after_each_epoch = (180 - 7 - 2 - 1.5) / (0.56 + 1.5 / 2)  # what validating every epoch would have left
    assert plan.steps > 1.5 * after_each_epoch
    assert f"a check of 2 s after every {plan.epochs_between_validations} passes" in plan.describe()


def test_a_budget_too_short_says_how_many_minutes_would_do():
    with pytest.raises(ValueError, match=r"too short .* choose at least 3 minutes"):
        plan_steps(budget_s=60, spent_s=50, step_s=5.0, steps_per_epoch=10, validation_s=20, final_s=30)


def test_gpu_batch_from_two_measured_peaks():
    gib = 2**30
    memory = MemoryUse.from_peaks((4, int(1.4 * gib)), (8, int(1.8 * gib)))  # 1 GiB fixed + 0.1 GiB a sample
    assert memory.fixed == pytest.approx(gib, rel=1e-6) and memory.per_sample == pytest.approx(0.1 * gib, rel=1e-6)
    assert memory.batch_for(free_bytes=80 * gib) == 256  # capped
    assert memory.batch_for(free_bytes=10 * gib) == 32  # 0.7 * 10 GiB - 1 GiB = 6 GiB -> 60 samples -> 32
    with pytest.raises(ValueError, match="too little for a batch of 8"):
        memory.batch_for(free_bytes=int(1.5 * gib))


def test_batch_leaves_two_steps_an_epoch():
    assert fit_batch(16, 1000) == 16 and fit_batch(16, 20) == 10 and fit_batch(16, 3) == 2


def test_no_gpu_is_said_clearly_and_the_cpu_works(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the hardware: a machine without a GPU
    assert resolve_device("cpu")[0] == "cpu"
    if not (torch.backends.mps.is_available()):
        assert resolve_device("auto") == ("cpu", NO_GPU)
    with pytest.raises(ValueError, match="no CUDA GPU is available here .* use --device cpu"):
        resolve_device("cuda")
