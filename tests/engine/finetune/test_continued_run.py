"""A paused or killed fine-tune that continues: the job shows the continued run from where it really
starts (its last checkpoint, or step 0 before the first), and `earmark finetune` prints only what the
continued run does, never the stopped run's lines as if they were new; the scores in the words the
Fine-tune page uses (engine/finetune/job.py is their one home)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.finetune import Finetuner
from engine.finetune.job import CONTINUING, PAUSED, PREPARING, RUNNING, STOPPED, TRAINING, JobFolder
from engine.models.folders import CONFIG_FILE
from engine.paths import app_paths
from tests.engine.finetune.conftest import FAST, wait_for

EARMARK = Path(sys.executable).with_name("earmark")
CHECK_BEFORE = {"step": 0, "val/t2a/R@1": 0.025, "val/t2a/R@10": 0.172, "val/t2a/mAP@10": 0.08}


def paused_at_step_7(job: JobFolder, checkpoint: int | None) -> None:
    """What a trainer of 40 planned steps (10 a pass) leaves when it ends after step 7: its check
    before training and after pass 1 (step 5 here), a line for each step, its checkpoint if it saved one
    (a pause during training saves step 7; a run killed keeps its last periodic one, or none)."""
    job.write_json(job.plan_file, {"start_model": "tiny", "minutes": 5, "steps": 40, "steps_per_epoch": 5})
    job.event(PREPARING, "reading the held-out audio: 9 of 9 files")
    job.event(TRAINING, "training: 40 steps")
    steps = [{"step": step, "loss": 5.0 - step / 10, "trained_s": 2.0 * step} for step in range(1, 8)]
    check_at_5 = CHECK_BEFORE | {"step": 5, "val/t2a/mAP@10": 0.09}
    lines = [CHECK_BEFORE, *steps[:5], check_at_5, *steps[5:]]
    job.run_dir.mkdir(parents=True)
    (job.run_dir / "log.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    if checkpoint is not None:
        job.write_json(job.run_dir / "last" / CONFIG_FILE, {"step": checkpoint})
    job.event(PAUSED, "stopped; it continues from its last checkpoint when started again")
    job.mark("paused")


@pytest.mark.parametrize(
    "checkpoint, starts_at, checks, said",
    [
        (None, 0, [0], "continuing from the start of its training (it ended before saving a checkpoint"),
        (6, 6, [0, 5], "continuing from step 6 of 40, its last checkpoint"),
    ],
)
def test_a_continued_run_shows_its_progress_from_where_it_really_starts(
    tmp_path, monkeypatch, checkpoint, starts_at, checks, said
):
    """The review's page showed the paused run's "step 6 of 550 · training loss 4.03" for seconds after
    Continue while the new trainer started, though the run had started over from step 0. Launching the
    trainer is the process boundary: here it only records that it was asked to."""
    launched = []
    monkeypatch.setattr(Finetuner, "_launch", lambda self, args: launched.append(args))
    finetuner = Finetuner(app_paths(tmp_path / "home").ensure())
    paused_at_step_7(finetuner.job, checkpoint)
    stopped = finetuner.status()
    assert stopped.state == STOPPED and stopped.step == 7  # how far it got, until it continues

    assert finetuner.resume() and launched == [[]]
    continuing = finetuner.job.status(process_alive=True)  # the trainer it launched is importing torch
    assert continuing.state == RUNNING and continuing.step == starts_at
    assert [point["step"] for point in continuing.validation] == checks
    assert continuing.phase == CONTINUING and continuing.message.startswith(said)
    assert finetuner.job.continued_at() == len(finetuner.job.events()) - 1  # where the continued run's lines begin


def test_earmark_finetune_says_the_scores_in_the_pages_words(cli):
    """ "validation at step 0: R@1 0.056, R@10 0.193, mAP@10 0.084" and "R@1 0.020, R@10 0.259" in the
    CLI, in plain words on the page; and what each measure is, so 3 % right first does not read as a
    broken search, and a check that stays level beside a verdict that rises reads as two measures."""
    job = JobFolder(app_paths(cli.home).data / "finetune")
    job.write_json(job.plan_file, {"start_model": "tiny", "steps": 12, "steps_per_epoch": 6})
    job.run_dir.mkdir(parents=True)
    checks = [CHECK_BEFORE, CHECK_BEFORE | {"step": 6}, CHECK_BEFORE | {"step": 12}]
    (job.run_dir / "log.jsonl").write_text("".join(json.dumps(line) + "\n" for line in checks))
    job.write_json(
        job.result_file,
        {
            "better": False,
            "no_gain_chance": 0.4,
            "searched_folders": 9,
            "held_out_files": 155,
            "start_model": "tiny",
            "model_display": "Library fine-tune",
            "before": {"search/R@1": 0.031, "search/R@10": 0.16, "search/mAP@10": 0.05},
            "after": {"search/R@1": 0.03, "search/R@10": 0.16, "search/mAP@10": 0.05},
        },
    )
    code, out, err = cli("finetune")
    assert code == 0
    for jargon in ("R@1", "R@10", "mAP", "validation"):
        assert jargon not in out + err
    # the check during training: what it is, once, then each point in the page's words
    assert "Checked during training, to see that it stays on course (it does not decide)" in err
    assert "each held-out file's own name must find that very file, not one named alike" in err
    assert "check before training: right sound first: 2 % · in the top 10: 17 % · ranking score 0.08 of 1" in err
    assert "check after pass 1: ranking score 0.08 of 1" in err and "check after pass 2: ranking score 0.08" in err
    # the verdict: what it measures, what decides, then before and after in the same words
    assert "Verdict (it decides which model is used): the names of the 155 files kept out of training, each " in out
    assert "searched among those 155 sounds by sound alone" in out
    assert "not how often a search finds your sound" in out
    assert "before (tiny): right sound first: 3 % · in the top 10: 16 % · ranking score 0.05 of 1" in out
    assert "after  (Library fine-tune): right sound first: 3 % ·" in out


@pytest.mark.slow
def test_earmark_finetune_after_a_paused_run_prints_the_continued_runs_lines_only(
    library_home, tiny_checkpoint, tmp_path, request
):
    """The review: Ctrl-C at step 12 of a run with no checkpoint yet, then `earmark finetune` printed
    "reading the held-out audio…", "stopped; …" and "step 12/64" before "continuing: …", as if it went
    on from step 12; it had started over. A pause now saves the step it stops at: the real trainer,
    paused before its first periodic checkpoint, then the real `earmark finetune` until the continued
    run has trained a step, and Ctrl-C. It says where it continues, goes on from there, and prints
    nothing of the stopped run again."""
    paths = library_home
    request.addfinalizer(Finetuner(paths).cancel)  # a run of 100000 steps never outlives the test
    finetuner = Finetuner(paths)
    finetuner.start(5, str(tiny_checkpoint), "cpu", ["steps=100000", "save_every=100000", "log_every=1", *FAST])
    wait_for(lambda: finetuner.status().step >= 3, what="a few steps")
    finetuner.pause()
    paused = finetuner.status()
    assert paused.state == STOPPED and paused.saved_step == paused.step >= 3
    earlier = {event["message"] for event in finetuner.job.events()}

    command = [EARMARK, "--home", paths.data.parent, "finetune"]
    err = tmp_path / "stderr"
    with err.open("wb") as stderr:
        process = subprocess.Popen(
            list(map(str, command)), stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    try:
        trained = lambda: Finetuner(paths).status().step > paused.saved_step  # noqa: E731 - the continued run's own
        wait_for(lambda: process.poll() is not None or trained(), what="a step of the continued run")
        assert process.poll() is None, err.read_text()[-2000:]
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: paused again
        process.wait(timeout=120)
    finally:
        process.kill()
    said = err.read_text().splitlines()
    assert said[0] == f"continuing the paused fine-tune from step {paused.saved_step} of 100000, its last checkpoint"
    assert not earlier & set(said)  # nothing of the stopped run printed again
    shown = [int(line.split()[1].split("/")[0]) for line in said if line.startswith("step ")]
    assert shown and min(shown) >= paused.saved_step, said  # never a step before where it continues
