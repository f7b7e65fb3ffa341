"""How a library fine-tune's run ends when it is stopped (trainer/library/run.py)."""

from __future__ import annotations

import pytest

from engine.finetune.job import ERROR, PAUSED, JobFolder
from engine.paths import app_paths
from trainer.library.run import library_finetune
from trainer.loop import STOP, STOPPED_EXIT


@pytest.mark.parametrize("stop_asked", [False, True], ids=["no stop", "stop asked"])
def test_an_error_once_a_stop_was_asked_ends_the_run_as_paused(tmp_path, monkeypatch, stop_asked):
    """A stop while preparing raises SystemExit wherever the trainer is, and an exception can take
    its place on the way out (it did once in CI: the paused run read as failed). Once a stop was
    asked, an error ends the run as paused, exiting as a stop does; without one it is the failure."""
    monkeypatch.setattr(STOP, "ever_asked", stop_asked)
    paths = app_paths(tmp_path)
    # a natural error: no fine-tune to continue and no budget given for a new one
    if stop_asked:
        with pytest.raises(SystemExit) as stopped:
            library_finetune(paths)
        assert stopped.value.code == STOPPED_EXIT
    else:
        with pytest.raises(ValueError, match="no fine-tune to continue"):
            library_finetune(paths)
    last = JobFolder(paths.data / "finetune").events()[-1]
    assert last["phase"] == (PAUSED if stop_asked else ERROR), last
