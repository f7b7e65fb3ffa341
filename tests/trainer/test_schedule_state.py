"""Warm-up + cosine schedule, and pickle-free optimizer state that resumes exactly."""

from __future__ import annotations

from itertools import pairwise

import pytest
import torch

from trainer.schedule import lr_at, paced_step
from trainer.state import STATE_JSON, STATE_TENSORS, load_state, save_state


def test_schedule_warms_up_to_one_peak_then_decays_every_step_to_min_at_the_last():
    peak, warmup, total, min_lr = 1e-3, 10, 101, 1e-5
    lrs = [lr_at(step, peak, warmup, total, min_lr) for step in range(total)]  # the loop's steps 0 .. total-1
    rises, falls = lrs[: warmup + 1], lrs[warmup:]
    assert all(a < b for a, b in pairwise(rises))
    assert lrs[0] == pytest.approx(peak / (warmup + 1))
    assert [step for step, lr in enumerate(lrs) if lr == peak] == [warmup]  # the peak, once
    assert all(a > b for a, b in pairwise(falls))
    assert lrs[55] == pytest.approx(min_lr + 0.5 * (peak - min_lr))  # halfway through the 90 decay steps
    assert lrs[-1] == min_lr
    assert min(lrs) == min_lr and lr_at(total, peak, warmup, total, min_lr) == min_lr  # continued past the plan


def test_schedule_without_warmup_or_room_to_decay():
    assert lr_at(0, 1e-3, 0, 5, 1e-5) == 1e-3 and lr_at(4, 1e-3, 0, 5, 1e-5) == 1e-5
    assert [lr_at(s, 1e-3, 2, 3) for s in range(3)] == pytest.approx([1e-3 / 3, 2e-3 / 3, 1e-3])  # all warm-up


def test_a_time_budget_moves_the_schedule_on_with_the_clock():
    assert paced_step(30, 100, trained_s=500.0, budget_s=None) == 30  # no budget: the steps alone
    assert paced_step(30, 100, trained_s=10.0, budget_s=100.0) == 30  # the steps ahead of the clock
    assert paced_step(30, 100, trained_s=60.0, budget_s=100.0) == 60  # a slow machine: the clock leads
    assert paced_step(30, 100, trained_s=250.0, budget_s=100.0) == 100  # the budget spent: the schedule's end


def test_optimizer_state_round_trip_resumes_identically(tmp_path):
    def make():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
        return model, torch.optim.AdamW(model.parameters(), lr=1e-2)

    def step(model, opt, seed):
        torch.manual_seed(seed)
        model(torch.randn(5, 4)).pow(2).sum().backward()
        opt.step()
        opt.zero_grad()

    model, opt = make()
    for s in range(3):
        step(model, opt, s)
    rng = torch.get_rng_state()
    save_state(tmp_path, {"step": 3, "optimizer": opt.state_dict(), "rng": rng})
    assert (tmp_path / STATE_TENSORS).exists() and (tmp_path / STATE_JSON).exists()
    assert b"pickle" not in (tmp_path / STATE_JSON).read_bytes()
    reference = {k: v.clone() for k, v in model.state_dict().items()}
    step(model, opt, 3)

    resumed_model, resumed_opt = make()
    resumed_model.load_state_dict(reference)
    state = load_state(tmp_path)
    resumed_opt.load_state_dict(state["optimizer"])
    assert state["step"] == 3 and torch.equal(state["rng"], rng)
    step(resumed_model, resumed_opt, 3)
    for name, value in model.state_dict().items():
        assert torch.equal(value, resumed_model.state_dict()[name]), name


def test_missing_state_is_none(tmp_path):
    assert load_state(tmp_path) is None
