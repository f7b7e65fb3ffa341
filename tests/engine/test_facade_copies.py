"""A file's copies, as the engine's file info and its search hits list them: other files with its
bytes by their real paths, never itself (a name that is not UTF-8 was listed as a copy of itself)."""

from __future__ import annotations

import os
import sys

import pytest

from engine.facade import Engine
from engine.paths import app_paths
from tests.factories import tone, write_audio

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a file name that is not UTF-8 needs Linux")


def test_a_file_named_in_bytes_that_are_not_utf8_is_not_listed_as_its_own_copy(tmp_path, tiny_checkpoint):
    folder = tmp_path / "library"
    plain = write_audio(folder / "bell.wav", tone(900, 0.4))
    odd = os.path.join(str(folder), os.fsdecode(b"bad\xffname.wav"))
    os.link(plain, odd)  # the same bytes under a name that is not UTF-8
    with Engine(app_paths(tmp_path / "home"), str(tiny_checkpoint)) as engine:
        engine.add_folder(folder)
        engine.index()
        assert engine.file_info(odd).copies == (str(plain),)
        assert engine.file_info(plain).copies == (odd,)  # its real path, not the index's escaped key
        for query in ("bell", "bad name"):  # a search's hit lists the other (copies fold into one hit)
            hit = engine.search(query, limit=1)[0]
            assert hit.copies == ((odd,) if hit.path == str(plain) else (str(plain),)), query
