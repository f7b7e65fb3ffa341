"""Helpers for the library tests: a subprocess that obeys file permissions even as root."""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

_PR_CAPBSET_DROP = 24
_DAC_CAPS = (1, 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: what lets root ignore permissions


def _drop_permission_override() -> None:
    """In the child before exec: take the DAC capabilities out of the bounding set, so even
    uid 0 gets EACCES on a chmod 000 file (the user's view of it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _DAC_CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.fixture
def run_as_user():
    """Run a command that respects file permissions; skips where that cannot be arranged."""
    def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
        preexec = _drop_permission_override if os.geteuid() == 0 else None
        try:
            return subprocess.run(args, preexec_fn=preexec, capture_output=True, text=True, **kwargs)
        except subprocess.SubprocessError as exc:
            pytest.skip(f"cannot drop root's permission override here: {exc}")
    return run


def python_args(code: str) -> list[str]:
    return [sys.executable, "-c", code]
