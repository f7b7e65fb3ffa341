"""Entry points own logging: each adds its handler for the run and takes exactly that one away;
an exception is named the same way wherever a log line or a file's error names it."""

from __future__ import annotations

import json
import logging
import struct
import sys

import pytest

from engine.logs import LOG_FILE_NAME, described, entry_logging


def _ours(root: logging.Logger, log_file) -> list[logging.Handler]:
    return [h for h in root.handlers if getattr(h, "baseFilename", None) == str(log_file)]


def test_a_run_logs_to_the_file_and_leaves_no_handler_behind(tmp_path):
    root = logging.getLogger()
    log_file = tmp_path / "logs" / LOG_FILE_NAME
    with entry_logging(tmp_path / "logs"):
        logging.getLogger("engine.test").info("index run: 3 files")
        assert len(_ours(root, log_file)) == 1
    assert _ours(root, log_file) == []
    assert "INFO engine.test: index run: 3 files" in log_file.read_text()


def test_a_nested_run_on_the_same_file_keeps_the_outer_handler(tmp_path):
    """The app's handler survives a command run in-process on the same log folder."""
    root = logging.getLogger()
    log_file = tmp_path / LOG_FILE_NAME
    with entry_logging(tmp_path):
        outer = _ours(root, log_file)
        with entry_logging(tmp_path):
            assert _ours(root, log_file) == outer
        assert _ours(root, log_file) == outer
        logging.getLogger("app").warning("still logged")
    assert "still logged" in log_file.read_text()


def test_without_a_folder_it_logs_to_stderr(capsys):
    with entry_logging():
        assert (
            sum(isinstance(h, logging.StreamHandler) and h.stream is sys.stderr for h in logging.getLogger().handlers)
            == 1
        )
        logging.getLogger("trainer.loop").info("step 10")
    assert "trainer.loop: step 10" in capsys.readouterr().err


@pytest.mark.parametrize(
    "exc, expected",
    [
        (ValueError("bad chunk\nat offset 12"), "ValueError: bad chunk"),  # the first line only
        (StopIteration(), "StopIteration"),  # no message: the kind alone, not an empty string
        (struct.error("unpack requires a buffer of 4 bytes"), "struct.error: unpack requires a buffer of 4 bytes"),
        (
            json.JSONDecodeError("Expecting value", "", 0),
            "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
        ),
    ],
)
def test_an_exception_is_described_by_its_kind_and_first_line(exc, expected):
    assert described(exc) == expected
