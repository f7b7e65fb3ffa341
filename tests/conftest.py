"""Session-wide fixtures: tiny models built once, an isolated Earmark home per test."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# PortAudio with no sound card: ALSA reads $XDG_CONFIG_HOME/alsa/asoundrc, which makes the
# default device a null sink. This must happen before anything imports sounddevice.
_xdg = Path(tempfile.mkdtemp(prefix="earmark-xdg-"))
(_xdg / "alsa").mkdir()
(_xdg / "alsa" / "asoundrc").write_text("pcm.!default { type null }\n")
os.environ["XDG_CONFIG_HOME"] = str(_xdg)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402 - imported after the environment above, which must be set first

torch.set_num_threads(2)

from tests.factories import make_tiny_cacophony_checkpoint  # noqa: E402 - imported after the environment above, which must be set first


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A random tiny Cacophony checkpoint folder, shared read-only by the whole session."""
    return make_tiny_cacophony_checkpoint(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(params=["mount", "rename"])
def drive(request, tmp_path):
    """A library drive that can really be unplugged and plugged back (tests/drives.py), both kinds."""
    from tests.drives import Drive

    drive = Drive(tmp_path / "SFX Drive", request.param)
    yield drive
    drive.close()


@pytest.fixture
def earmark_home(tmp_path, monkeypatch) -> Path:
    """An empty EARMARK_HOME so no test touches the user's real library."""
    home = tmp_path / "earmark-home"
    monkeypatch.setenv("EARMARK_HOME", str(home))
    return home
