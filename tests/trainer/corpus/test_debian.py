"""Audio comes out of a real .deb, also from inside the zip archives Quake-engine games use."""
import shutil
import subprocess
import zipfile

import numpy as np
import pytest
import soundfile as sf

from trainer.corpus import debian
from trainer.corpus.__main__ import main as corpus_main
from trainer.corpus.captions import package_words, path_caption


def wav_bytes(path) -> bytes:
    sf.write(path, np.zeros(1600, dtype=np.float32), 16000)
    return path.read_bytes()


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb not installed")
def test_audio_of_package_and_of_its_pk3_is_extracted(tmp_path):
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text("Package: toygame-data\nVersion: 1.0\nArchitecture: all\n"
                                         "Maintainer: Test <t@example.org>\nDescription: test\n")
    game = root / "usr/share/games/toygame"
    (game / "sounds").mkdir(parents=True)
    wav = wav_bytes(game / "sounds/door_open.wav")
    (game / "readme.txt").write_text("not audio")
    with zipfile.ZipFile(game / "pak0.pk3", "w") as pack:
        pack.writestr("sound/footsteps/grass1.wav", wav)
        pack.writestr("maps/level.bsp", b"map")
        pack.writestr("../../escape.wav", wav)
    (game / "broken.pk3").write_bytes(b"PK\x03\x04 cut off")
    deb = tmp_path / "toygame-data_1.0_all.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True,
                   capture_output=True)

    dest = tmp_path / "extracted"
    files = debian.extract_audio(deb, dest)

    relative = sorted(p.relative_to(dest).as_posix() for p in files)
    assert relative == [
        "usr/share/games/toygame/pak0/escape.wav",  # "../../" dropped: nothing lands outside
        "usr/share/games/toygame/pak0/sound/footsteps/grass1.wav",
        "usr/share/games/toygame/sounds/door_open.wav"]
    assert not list(dest.rglob("*.pk3")) and not list(dest.rglob("*.bsp")) and not list(dest.rglob("*.txt"))
    assert all(dest in p.parents for p in files) and not (tmp_path / "escape.wav").exists()
    grass = next(p for p in files if p.name == "grass1.wav")
    assert path_caption(grass.relative_to(dest).as_posix(), package_words("toygame-data")) == ("grass", ["footsteps"])
    assert debian.extract_audio(deb, dest) == files  # finished once: not extracted again


def test_package_sets_expand_on_the_command_line(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(debian, "build", lambda out, packages, **kw: asked.extend(packages) or [])
    corpus_main(["build", "--out", str(tmp_path), "--sources", "debian", "--packages", "more,wesnoth-data",
                 "--parts-only"])
    assert asked == [*debian.MORE_PACKAGES, "wesnoth-data"]
