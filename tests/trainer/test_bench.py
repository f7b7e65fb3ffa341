"""The throughput benchmark runs the loop's own training step on synthetic batches."""

from __future__ import annotations

import json

import pytest

from trainer.bench import main


def test_bench_times_the_loops_step_with_sams_two_passes(text_tower, capsys):
    def run(*extra: str) -> list[dict]:
        args = ["--stages", "stage1,stage2", "--batch", "2", "--steps", "1", "--device", "cpu"]
        main([*args, "--text-model", str(text_tower), *extra])
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    plain, sam = run(), run("--sam")
    assert [r["stage"] for r in plain] == ["stage1", "stage2"] and [r["sam"] for r in sam] == [False, True]
    for record in plain + sam:
        assert record["samples_per_s"] > 0 and record["tflops_per_s"] > 0

    def flops_per_sample(record: dict) -> float:
        return record["tflops_per_s"] * 1e12 / record["samples_per_s"]

    # SAM's second forward/backward is in the step the loop trains with, and so in what is timed.
    assert flops_per_sample(sam[1]) == pytest.approx(2 * flops_per_sample(plain[1]))
    assert flops_per_sample(sam[0]) == pytest.approx(flops_per_sample(plain[0]))  # stage 1 never uses SAM
