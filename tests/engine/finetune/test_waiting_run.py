"""`earmark status` on a fine-tune that waits to continue: its line, and the same run as fields in
`earmark status --json`, from the job folder as the trainer process leaves it (paused, killed, failed)."""

from __future__ import annotations

import json

from engine.finetune.job import PREPARING, TRAINING, JobFolder
from engine.models.folders import CONFIG_FILE
from engine.paths import app_paths


def stopped_at_step_7(job: JobFolder, start_model: str) -> None:
    """What a trainer of 40 planned steps leaves when it ends after step 7, its last checkpoint at step 6."""
    job.write_json(job.plan_file, {"start_model": start_model, "minutes": 5, "steps": 40, "steps_per_epoch": 10})
    job.event(TRAINING, "training: 40 steps")
    job.write_json(job.run_dir / "last" / CONFIG_FILE, {"step": 6})
    (job.run_dir / "log.jsonl").write_text(json.dumps({"step": 7, "loss": 2.0}) + "\n")


def said(cli) -> tuple[str, dict | None]:
    """The fine-tune line of `earmark status` ("" without one) and `finetune_waiting` of its --json."""
    code, out, _ = cli("status")
    assert code == 0
    line = next((line for line in out.splitlines() if line.startswith("fine-tune")), "")
    code, out, _ = cli("status", "--json")
    assert code == 0
    return line, json.loads(out)["finetune_waiting"]


def test_earmark_status_says_a_waiting_fine_tune_in_a_line_and_as_json_fields(cli, tiny_checkpoint):
    job = JobFolder(app_paths(cli.home).data / "finetune")
    assert said(cli) == ("", None)

    stopped_at_step_7(job, str(tiny_checkpoint))  # killed: nobody paused it
    line, waiting = said(cli)
    assert waiting == {
        "stopped": "interrupted",
        "error": "",
        "start_model": str(tiny_checkpoint),
        "minutes": 5,
        "step": 7,
        "steps": 40,
        "saved_step": 6,
        "continues_from": "step 6 of 40, its last checkpoint",
        "continue_command": "earmark finetune",
        "discard_command": "earmark finetune --cancel",
    }
    assert line == (
        f"fine-tune of {tiny_checkpoint} (5-minute budget) interrupted at step 7 of 40: `earmark finetune` "
        "continues it from step 6 of 40, its last checkpoint; `earmark finetune --cancel` discards it"
    )

    job.mark("paused")
    line, waiting = said(cli)
    assert waiting["stopped"] == "paused" and waiting["error"] == ""
    assert line.startswith(f"fine-tune of {tiny_checkpoint} (5-minute budget) paused at step 7 of 40: ")

    job.failed(OSError("evaluation file x.wav cannot be read: file not found"))
    line, waiting = said(cli)
    assert waiting["stopped"] == "failed" and waiting["error"] == "evaluation file x.wav cannot be read: file not found"
    assert waiting["saved_step"] == 6 and waiting["continue_command"] == "earmark finetune"
    assert (
        " failed (evaluation file x.wav cannot be read: file not found) at step 7 of 40: once that is mended, " in line
    )


def test_a_run_stopped_while_preparing_continues_from_the_start_and_says_so_in_both(cli):
    job = JobFolder(app_paths(cli.home).data / "finetune")
    job.event(PREPARING, "reading the library")  # killed before it planned its steps
    line, waiting = said(cli)
    assert waiting["stopped"] == "interrupted" and waiting["steps"] == 0 and waiting["start_model"] == ""
    assert waiting["minutes"] is None and waiting["continues_from"] == "the start (it had not yet planned its steps)"
    assert line == (
        "fine-tune interrupted while preparing: `earmark finetune` continues it from the start (it had not yet "
        "planned its steps); `earmark finetune --cancel` discards it"
    )
