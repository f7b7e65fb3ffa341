"""Audio comes out of a real .deb, also from inside the zip archives Quake-engine games use and the
formats only a game's own tools read."""

import os
import shutil
import zipfile

import numpy as np
import pytest
import soundfile as sf

from engine.audio.decode import load_mono
from tests.factories import build_deb, debian_package
from trainer.corpus import debian, packages
from trainer.corpus.__main__ import main as corpus_main
from trainer.corpus.captions import package_words, path_caption
from trainer.corpus.clips import MAX_SAMPLES, MAX_SECONDS, SAMPLE_RATE
from trainer.corpus.dedup import ContentIndex, content_key
from trainer.corpus.packages import EVALUATION_PACKAGES, PackageNotAllowed, reserved_packages


def wav_bytes(path) -> bytes:
    sf.write(path, np.zeros(1600, dtype=np.float32), 16000)
    return path.read_bytes()


def test_audio_of_package_and_of_its_pk3_is_extracted(tmp_path):
    root = tmp_path / "pkg"
    game = debian_package(root, "toygame-data")
    (game / "sounds").mkdir()
    wav = wav_bytes(game / "sounds/door_open.wav")
    (game / "readme.txt").write_text("not audio")
    with zipfile.ZipFile(game / "pak0.pk3", "w") as pack:
        pack.writestr("sound/footsteps/grass1.wav", wav)
        pack.writestr("maps/level.bsp", b"map")
        pack.writestr("../../escape.wav", wav)
    (game / "broken.pk3").write_bytes(b"PK\x03\x04 cut off")
    # links to an archive, as libreoffice-common ships: once the archive is unpacked (and gone) the
    # link dangled and the build stopped on it
    for name in ("a-link.pk3", "z-link.pk3"):
        os.symlink("pak0.pk3", game / name)
    deb = build_deb(root, tmp_path / "toygame-data_1.0_all.deb")

    dest = tmp_path / "extracted"
    files = debian.extract_audio(deb, dest)

    relative = sorted(p.relative_to(dest).as_posix() for p in files)
    assert relative == [
        "usr/share/games/toygame/pak0/escape.wav",  # "../../" dropped: nothing lands outside
        "usr/share/games/toygame/pak0/sound/footsteps/grass1.wav",
        "usr/share/games/toygame/sounds/door_open.wav",
    ]
    assert not list(dest.rglob("*.pk3")) and not list(dest.rglob("*.bsp")) and not list(dest.rglob("*.txt"))
    assert all(dest in p.parents for p in files) and not (tmp_path / "escape.wav").exists()
    grass = next(p for p in files if p.name == "grass1.wav")
    assert path_caption(grass.relative_to(dest).as_posix(), package_words("toygame-data")) == ("grass", ["footsteps"])
    assert debian.extract_audio(deb, dest) == files  # finished once: not extracted again


def test_a_clip_after_a_silent_window_is_found_again_in_its_file(tmp_path):
    extracted = tmp_path / "extracted/toysfx-data"
    path = extracted / "usr/share/games/toysfx/door_open.wav"
    path.parent.mkdir(parents=True)
    t = np.arange(MAX_SAMPLES) / SAMPLE_RATE
    door = np.concatenate([np.zeros(MAX_SAMPLES), 0.3 * np.sin(2 * np.pi * 440 * t)]).astype(np.float32)
    sf.write(path, door, SAMPLE_RATE)  # the first 10.24 s window is silence: no clip is cut from it

    _, clips = debian.file_clips(("toysfx-data", path, extracted, tmp_path))

    assert [clip.audio for clip in clips] == ["debian/toysfx-data/usr/share/games/toysfx/door_open.1.wav"]
    original, start = debian.original_of(tmp_path, clips[0])
    assert (original, start) == (path, MAX_SECONDS)
    heard = load_mono(original, SAMPLE_RATE, start, MAX_SECONDS)
    np.testing.assert_allclose(heard, load_mono(tmp_path / clips[0].audio, SAMPLE_RATE), atol=1e-4)


def test_package_sets_expand_on_the_command_line(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(debian, "build", lambda out, packages, **kw: asked.extend(packages) or [])
    corpus_main(
        ["build", "--out", str(tmp_path), "--sources", "debian", "--packages", "more,toygame-data", "--parts-only"]
    )
    assert asked == [*debian.MORE_PACKAGES, "toygame-data"]


def test_reserved_and_evaluation_packages_are_refused_before_any_download(tmp_path, monkeypatch):
    monkeypatch.setattr(debian, "fetch", lambda *a: pytest.fail("fetched a package that must be refused"))
    reserved = sorted(reserved_packages())[0]
    with pytest.raises(PackageNotAllowed, match="reserved"):
        debian.build(tmp_path, ["hedgewars-data", reserved])
    with pytest.raises(PackageNotAllowed, match="out-of-distribution"):
        debian.build(tmp_path, [EVALUATION_PACKAGES[0]])
    with pytest.raises(PackageNotAllowed, match="re-encoded copies of freedroidrpg-data"):
        debian.build(tmp_path, ["hedgewars-data", "mirrormagic-data"])  # exact-copy checks miss these
    packages.check_trainable(debian.TRAINING_PACKAGES)  # every training set is clear of all of them
    with pytest.raises(PackageNotAllowed, match="reserved"):
        corpus_main(["build", "--out", str(tmp_path), "--sources", "debian", "--packages", reserved, "--parts-only"])


def test_a_copied_file_is_dropped(tmp_path):
    root = tmp_path / "pkg"
    sounds = debian_package(root, "toycopy-data") / "sounds"
    (sounds / "old").mkdir(parents=True)
    rng = np.random.default_rng(1)
    bark = (rng.standard_normal(8000) * 0.1).astype(np.float32)
    sf.write(sounds / "dog_bark.wav", bark, 16000)
    sf.write(sounds / "old/dog_bark_copy.wav", bark, 16000)
    sf.write(sounds / "cat_meow.wav", (rng.standard_normal(8000) * 0.1).astype(np.float32), 16000)
    out = tmp_path / "corpus"
    (out / "debs").mkdir(parents=True)
    build_deb(root, out / "debs/toycopy-data_1.0_all.deb")

    clips = debian.build(out, ["toycopy-data"], workers=1)
    names = sorted(c.captions[0] for c in clips)
    assert len(names) == 2 and "cat meow" in names  # one of the two barks, not both
    assert len({c.source for c in clips if "bark" in c.captions[0]}) == 1

    seen = ContentIndex()
    seen.claim(content_key(load_mono(sounds / "dog_bark.wav", 16000)), "evaluation/bark.wav")  # an evaluation file
    assert [c.captions[0] for c in debian.build(out, ["toycopy-data"], workers=1, seen=seen)] == ["cat meow"]


def fake_tool(folder, name: str, script: str) -> None:
    """A stand-in for a Debian tool this machine may lack (the tools are a process boundary):
    what it writes is what the real one would."""
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("#!/bin/sh\n" + script)
    (folder / name).chmod(0o755)


def test_openclonk_groups_and_wavpack_are_unpacked_by_their_tools(tmp_path, monkeypatch):
    root = tmp_path / "pkg"
    game = debian_package(root, "packed-data")
    wav = wav_bytes(tmp_path / "source.wav")
    (game / "Sound.ocg").write_bytes(b"a c4group group")
    (game / "broken").mkdir()
    (game / "broken/Sound.ocg").write_bytes(b"a damaged group")
    (game / "Graphics.ocg").write_bytes(b"not sounds: left in the package")
    (game / "Music.ocg").mkdir()  # a group shipped unpacked, as a folder
    (game / "Music.ocg/Cavern.ogg").write_bytes(wav)
    (game / "audio").mkdir()
    (game / "audio/wp_gun_fire.wv").write_bytes(b"wvpk")
    (game / "audio/broken.wv").write_bytes(b"not wavpack")
    deb = build_deb(root, tmp_path / "packed-data_1.0_all.deb")
    tools = tmp_path / "tools"
    # c4group GROUP -x: the group file becomes a folder, inner groups too
    bat = '"$1/Animals.ocg/Bat.ocg"'
    damaged = 'case "$1" in *broken*) rm "$1"; mkdir -p "$1"; cp {0}/source.wav "$1/half.wav"; exit 1;; esac\n'
    fake_tool(
        tools,
        "c4group",
        damaged.format(tmp_path) + f'rm "$1" && mkdir -p {bat} && cp {tmp_path}/source.wav {bat}/Chirp.wav\n',
    )
    # wvunpack -q -y IN -o OUT, failing on what is not WavPack
    refuse = 'case "$3" in *broken*) echo "not a valid WavPack file" >&2; exit 1;; esac\n'
    fake_tool(tools, "wvunpack", refuse + f'cp {tmp_path}/source.wav "$5"\n')
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")

    dest = tmp_path / "extracted"
    files = debian.extract_audio(deb, dest)

    assert sorted(p.relative_to(dest).as_posix() for p in files) == [
        "usr/share/games/packed/Music/Cavern.ogg",
        "usr/share/games/packed/Sound/Animals/Bat/Chirp.wav",  # folders named without ".ocg"
        "usr/share/games/packed/audio/wp_gun_fire.wav",
    ]
    assert all(p.read_bytes() == wav for p in files)
    assert not list(dest.rglob("*.wv")) and not list(dest.rglob("*.ocg"))
    chirp = next(p for p in files if p.name == "Chirp.wav")
    caption = path_caption(chirp.relative_to(dest).as_posix(), package_words("packed-data"))
    assert caption == ("chirp", ["bat", "animals"])


def test_a_missing_tool_is_named_with_its_package(tmp_path, monkeypatch):
    root = tmp_path / "pkg"
    (debian_package(root, "packed-data") / "jump.wv").write_bytes(b"wvpk")
    deb = build_deb(root, tmp_path / "packed-data_1.0_all.deb")
    monkeypatch.setattr(packages.shutil, "which", lambda name: None if name == "wvunpack" else shutil.which(name))
    with pytest.raises(RuntimeError, match=r"need wvunpack \(apt-get install wavpack\)"):
        debian.extract_audio(deb, tmp_path / "extracted")
    assert not (tmp_path / "extracted/.extracted").exists()  # a rerun, once it is installed, finishes the job
