"""Tagged copies of a library folder for another tool: every format's copy carries the tags where
other tools read them, the audio and the originals unchanged, the folders mirrored; an existing
file is never overwritten, a bad file is named and the rest written, and an output folder inside
the library is refused."""

from __future__ import annotations

import os
from pathlib import Path

import mutagen
import numpy as np
import pytest
import soundfile as sf

from engine.audio.metadata import read_metadata
from engine.cli import main
from engine.facade import Engine
from engine.paths import app_paths
from tests.engine.library.helpers import checksums
from tests.factories import noise, tone, write_audio

CAPTION = "heavy rain on a tin roof — ünïcode"
# library path -> (soundfile format, subtype, sample rate, tags, caption)
SOUNDS = {
    "Doors/Wood/creak.wav": ("WAV", "PCM_24", 48_000, ["DOORS-WOOD", "creak"], "a wooden door creaks"),
    "Rain/rain.ogg": ("OGG", "VORBIS", 44_100, ["RAIN-GENERAL", "tin roof"], CAPTION),
    "Rain/Heavy/roof.flac": ("FLAC", "PCM_16", 44_100, ["RAIN-GENERAL"], ""),
    "UI/click.mp3": ("MP3", "MPEG_LAYER_III", 44_100, ["USER INTERFACE-CLICK", "menu"], "a soft menu click"),
    "UI/voice.opus": ("OGG", "OPUS", 48_000, ["my own tag"], ""),
    "Bells/bell.aiff": ("AIFF", "PCM_16", 44_100, [], "a church bell rings once"),
    "Bells/untagged.wav": ("WAV", "PCM_16", 16_000, [], ""),
}


def write_library(folder: Path) -> Path:
    for i, (name, (container, subtype, rate, _, _)) in enumerate(SOUNDS.items()):
        sound = tone(220 + 110 * i, 0.6, rate) if i % 2 else noise(0.6, rate, seed=i)
        write_audio(folder / name, sound, sr=rate, subtype=subtype, format=container)
    return folder


def tag_library(engine: Engine, folder: Path) -> None:
    for name, (_, _, _, tags, caption) in SOUNDS.items():
        if tags:
            engine.set_tags([folder / name], tags)
        if caption:
            engine.set_caption(folder / name, caption)


@pytest.fixture
def library(tmp_path, tiny_checkpoint):
    """A tagged library folder of every format a copy is written in, indexed by a real engine."""
    folder = write_library(tmp_path / "SFX")
    with Engine(app_paths(tmp_path / "home"), str(tiny_checkpoint)) as engine:
        engine.add_folder(folder)
        engine.index()
        tag_library(engine, folder)
        engine.folder = folder
        yield engine


def decoded(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float32")[0]


def txxx(tags, name: str) -> str:
    return str(tags.getall(f"TXXX:{name}")[0].text[0])


def test_a_tagged_folder_is_copied_in_every_format_with_its_tags_where_other_tools_read_them(library, tmp_path):
    folder, out = library.folder, tmp_path / "handoff"
    before = checksums(folder)
    report = library.tagging.export_tagged_copies([folder], out)
    assert checksums(folder) == before  # the originals are only read
    copies = out / "SFX"
    written = sorted(str(Path(c.target).relative_to(copies)) for c in report.written)
    assert written == sorted(name for name, sound in SOUNDS.items() if sound[3] or sound[4])  # the tree mirrored
    assert report.untagged == 1 and not (report.skipped or report.failed)
    assert not (copies / "Bells" / "untagged.wav").exists()
    for name in written:
        np.testing.assert_array_equal(decoded(folder / name), decoded(copies / name))

    user = read_metadata(copies / "Doors/Wood/creak.wav").fields["ixml.user"]
    assert "KEYWORDS=DOORS-WOOD, creak" in user and "CATID=DOORWood" in user and "CATEGORY=DOORS" in user

    ogg = mutagen.File(copies / "Rain/rain.ogg")
    assert ogg["KEYWORDS"] == ["RAIN-GENERAL, tin roof"] and ogg["CATID"] == ["RAIN"]
    assert ogg["CATEGORY"] == ["RAIN"] and ogg["DESCRIPTION"] == ogg["COMMENT"] == [CAPTION]
    flac = mutagen.File(copies / "Rain/Heavy/roof.flac")
    assert flac["SUBCATEGORY"] == ["GENERAL"] and "DESCRIPTION" not in flac  # no caption: none written
    opus = mutagen.File(copies / "UI/voice.opus")
    assert type(opus).__name__ == "OggOpus" and opus["KEYWORDS"] == ["my own tag"] and "CATID" not in opus

    mp3 = mutagen.File(copies / "UI/click.mp3").tags
    assert (
        mp3.version[:2] == (2, 3)
        and txxx(mp3, "CATID") == "UIClick"
        and txxx(mp3, "KEYWORDS") == "USER INTERFACE-CLICK, menu"
    )
    assert str(mp3.getall("COMM")[0].text[0]) == "a soft menu click"
    aiff = mutagen.File(copies / "Bells/bell.aiff").tags
    assert txxx(aiff, "DESCRIPTION") == "a church bell rings once" and not aiff.getall("TXXX:KEYWORDS")
    assert "menu" in read_metadata(copies / "UI/click.mp3").text  # Earmark's own reader finds them too


def test_an_existing_file_is_never_overwritten_and_a_bad_file_is_named_while_the_rest_are_written(library, tmp_path):
    folder, out = library.folder, tmp_path / "handoff"
    caf = write_audio(folder / "Rain" / "drops.caf", tone(500, 0.3), format="CAF")
    library.index()
    library.set_tags([caf], ["RAIN-GENERAL"])
    (folder / "Rain" / "rain.ogg").write_bytes(b"OggS" + b"\0" * 200)  # damaged after it was indexed
    mine = out / "SFX" / "Doors" / "Wood" / "creak.wav"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"my own edit")
    report = library.tagging.export_tagged_copies([folder], out)
    assert mine.read_bytes() == b"my own edit"
    assert list(report.skipped) == [str(folder / "Doors/Wood/creak.wav")]
    assert "already exists" in report.skipped[str(folder / "Doors/Wood/creak.wav")]
    assert sorted(report.failed) == [str(caf), str(folder / "Rain/rain.ogg")]
    assert "not in a format Earmark writes tags into" in report.failed[str(caf)]
    assert all(source in why for source, why in report.failed.items())  # each message names its file
    assert len(report.written) == 4 and (out / "SFX" / "Bells" / "bell.aiff").is_file()
    assert not (out / "SFX" / "Rain" / "rain.ogg").exists() and not (out / "SFX" / "Rain" / "drops.caf").exists()
    leftovers = [name for _, _, names in os.walk(out) for name in names if name.startswith(".earmark-")]
    assert leftovers == []  # no temporary copy is left behind


def test_an_output_folder_inside_the_library_is_refused_before_anything_is_written(library, tmp_path):
    folder = library.folder
    (tmp_path / "link").symlink_to(folder)
    for out in (folder / "Exports", tmp_path / "link" / "Exports"):
        with pytest.raises(ValueError, match="inside the library folder .* indexed as twins"):
            library.tagging.export_tagged_copies([folder / "Rain"], out)
    assert not (folder / "Exports").exists()


def test_the_cli_exports_folders_and_one_file_and_says_what_it_wrote(tmp_path, tiny_checkpoint, capsys):
    folder, out = write_library(tmp_path / "SFX"), tmp_path / "handoff"

    def run(*args) -> tuple[int, str, str]:
        code = main(["--home", str(tmp_path / "home"), "--model", str(tiny_checkpoint), *map(str, args)])
        return (code, *capsys.readouterr())

    for command in (("add-folder", folder), ("index",), ("add-tags", "RAIN-GENERAL, wet", folder / "Rain")):
        assert run(*command)[0] == 0
    code, said, _ = run("export", folder / "Rain", folder / "Doors", out)
    assert code == 0 and sorted(os.listdir(out)) == ["Rain"]  # Doors holds nothing tagged: no folder for it
    assert said == f"2 tagged copies written to {out}; 1 file without tags or a caption left out\n"
    code, said, _ = run("export", folder / "Rain", out)  # again: nothing is overwritten
    assert code == 0 and said.count("already exists") == 2 and "2 files skipped" in said
    code, said, _ = run("bwf-copy", folder / "Rain" / "Heavy" / "roof.flac", tmp_path / "roof tagged.flac")
    assert code == 0 and said == f"wrote {tmp_path / 'roof tagged.flac'} with 2 tags from roof.flac\n"
    assert mutagen.File(tmp_path / "roof tagged.flac")["KEYWORDS"] == ["RAIN-GENERAL, wet"]
    assert run("export", folder / "Rain" / "rain.ogg", tmp_path / "one")[0] == 0  # no extension: a folder
    assert os.listdir(tmp_path / "one") == ["rain.ogg"]
    code, _, err = run("export", folder / "Rain", folder / "Rain" / "tagged")
    assert code == 1 and "inside the library folder" in err and not (folder / "Rain" / "tagged").exists()
