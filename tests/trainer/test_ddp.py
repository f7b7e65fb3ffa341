"""Two gloo processes on halves of a global batch = one process on all of it."""

from __future__ import annotations

import json
import socket

import pytest
import torch
import torch.multiprocessing as mp

from engine.models.cacophony.checkpoint import load_checkpoint
from tests.trainer import ddp_worker

pytestmark = pytest.mark.slow  # two real processes each


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(fn, world: int, *args) -> None:
    if world == 1:
        fn(0, 1, free_port(), *args)
    else:
        mp.start_processes(fn, args=(world, free_port(), *args), nprocs=world, start_method="spawn", join=True)


@pytest.mark.parametrize("distill", [False, True], ids=["contrastive+caption", "salsa-distill"])
def test_two_processes_give_the_single_process_loss_and_gradient(tmp_path, tiny_checkpoint, distill):
    single, double = tmp_path / "single.pt", tmp_path / "double.pt"
    spawn(ddp_worker.loss_and_grads, 1, str(tiny_checkpoint), distill, str(single))
    spawn(ddp_worker.loss_and_grads, 2, str(tiny_checkpoint), distill, str(double))
    one, two = torch.load(single), torch.load(double)
    for key, value in one["metrics"].items():
        assert two["metrics"][key] == pytest.approx(value, rel=1e-5, abs=1e-6), key
    assert one["grads"].keys() == two["grads"].keys()
    for name, grad in one["grads"].items():
        torch.testing.assert_close(two["grads"][name], grad, rtol=1e-4, atol=1e-6, msg=name)


def test_two_process_training_run_matches_one_process(tmp_path, text_tower, synthetic_manifest, mel_cache):
    """The whole loop (sampler sharding, SAM, clipping, AdamW) for 3 steps, weights compared."""

    def config(out):
        return {
            "stage": "stage2",
            "model": "tiny",
            "out": str(out),
            "train": [str(synthetic_manifest)],
            "cache_dir": str(mel_cache),
            "steps": 3,
            "batch_size": 8,
            "lr": 1e-3,
            "warmup_steps": 1,
            "num_workers": 0,
            "log_every": 1,
            "save_every": 0,
            "sam": True,
            "seed": 3,
            "model_overrides": {"text_model": str(text_tower), "text_frozen": True},
        }

    spawn(ddp_worker.train_run, 1, config(tmp_path / "one"))
    spawn(ddp_worker.train_run, 2, config(tmp_path / "two"))
    one, _, _ = load_checkpoint(tmp_path / "one" / "final")
    two, _, _ = load_checkpoint(tmp_path / "two" / "final")
    for (name, a), (_, b) in zip(one.state_dict().items(), two.state_dict().items(), strict=False):
        if name.endswith("kv.bias"):
            # The key bias gets an exactly-zero gradient (softmax ignores a constant shift), so
            # Adam turns rounding noise into +-lr steps there: compare the value half only.
            a, b = a[len(a) // 2 :], b[len(b) // 2 :]
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5, msg=name)
    log_one, log_two = (read_log(tmp_path / run / "log.jsonl") for run in ("one", "two"))
    assert [r["step"] for r in log_one if "con" in r] == [r["step"] for r in log_two if "con" in r] == [1, 2, 3]
    for a, b in zip(log_one, log_two, strict=False):  # training lines, then the final validation line
        for key, value in a.items():
            if key not in ("samples_per_s", "tflops_per_s", "trained_s"):  # timings differ
                assert b[key] == pytest.approx(value, rel=1e-4, abs=1e-6), key


def read_log(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_two_processes_with_a_time_budget_stop_at_the_same_step(tmp_path, text_tower, synthetic_manifest, mel_cache):
    """Each rank reads its own clock, and one whose budget ran out a step before the other's would
    leave it waiting in its gradient all-reduce; rank 0's clock decides for both, so the run ends
    (when the clocks happen to cross within one step, the run ends without it too)."""
    config = {
        "stage": "stage2",
        "model": "tiny",
        "out": str(tmp_path / "two"),
        "train": [str(synthetic_manifest)],
        "cache_dir": str(mel_cache),
        "steps": 10_000,
        "time_budget_s": 3.0,
        "batch_size": 8,
        "warmup_steps": 1,
        "num_workers": 0,
        "log_every": 1,
        "save_every": 0,
        "sam": False,
        "model_overrides": {"text_model": str(text_tower), "text_frozen": True},
    }
    spawn(ddp_worker.train_run, 2, config)
    steps = [r["step"] for r in read_log(tmp_path / "two" / "log.jsonl") if "con" in r]
    assert 1 <= steps[-1] < 10_000
    assert load_checkpoint(tmp_path / "two" / "final")[2]["step"] == steps[-1]
