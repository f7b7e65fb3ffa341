"""The judged libraries' bench: each library's JSON answers every query among the files the review
judged, its packages may be evaluated on, and a query's metrics count a right file left out of the
ranking as below the cutoff; the containers three games keep their sounds in are read back."""

from __future__ import annotations

import io
import re
import struct
import wave
from pathlib import Path

import pytest

from bench.game_containers import unpack
from bench.judged_libraries import Query, library_path, load, mean, scores
from trainer.corpus import debian
from trainer.corpus.packages import check_evaluable

LIBRARIES = ("music_and_effects", "review13", "review14", "review16", "review17", "review19")


@pytest.mark.parametrize("name", LIBRARIES)
def test_every_query_is_answered_among_the_files_the_review_judged(name):
    library = load(library_path(name))
    check_evaluable(library.packages, debian.TRAINING_PACKAGES)
    assert len(library.files) == len(set(library.files)) > 0
    assert {f.split("/")[0] for f in library.files} == set(library.packages)  # each file named by its package
    for query in library.queries:
        assert any(query.is_relevant(f) for f in library.files), query.text
    assert set(library.containers) <= set(library.packages)


def test_the_reviews_queries_their_categories_and_the_judgments_the_reviewer_doubted():
    review13, review14 = load(library_path("review13")), load(library_path("review14"))
    assert (len(review13.queries), len(review14.queries), len(review14.packages)) == (20, 22, 19)
    assert all(q.category for q in review13.queries + review14.queries)
    unsure = [q.text for q in review14.queries if q.uncertain]
    assert unsure == ["man counting numbers", "aerosol spray hiss", "level complete fanfare"]
    right = [f for f in review13.files if next(q for q in review13.queries if q.text == "magic spell").is_relevant(f)]
    assert [Path(f).name for f in right] == [f"G{god}_CAST.wav" for god in "EIJMPVZ"]


def test_a_right_file_left_out_of_the_ranking_counts_below_the_cutoff():
    files = ["game/snd/bang.ogg", "game/snd/boom.ogg", "game/snd/click.ogg", "game/music/track1.ogg"]
    queries = [Query("explosion", re.compile(r"snd/(bang|boom)")), Query("click", re.compile(r"snd/click"))]
    ranked = [["game/music/track1.ogg", "game/snd/boom.ogg"], ["game/snd/click.ogg"]]  # bang left out
    rows = scores(ranked, queries, files)
    assert rows[0]["R@1"] == 0.0 and rows[0]["R@10"] == 1.0
    assert rows[0]["mAP@10"] == pytest.approx(0.5 / 2)  # boom right at 2; bang never found
    assert mean(rows) == pytest.approx({"R@1": 0.5, "R@10": 1.0, "mAP@10": (0.25 + 1.0) / 2})


def a_wav(frames: int = 800) -> bytes:
    data = io.BytesIO()
    with wave.open(data, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x01\x00" * frames)
    return data.getvalue()


def test_a_seven_kingdoms_resource_file_gives_its_sounds_by_name(tmp_path):
    explosion, font = a_wav(), b"FONT" + bytes(60)
    names = [b"BIG_EXPL\0", b"FNT_BARD\0", b"\0" * 9]
    first = 2 + 13 * len(names)
    offsets = [first, first + len(explosion), first + len(explosion) + len(font)]
    table = struct.pack("<H", 2) + b"".join(struct.pack("<9sI", n, o) for n, o in zip(names, offsets, strict=True))
    res = tmp_path / "A_WAVE2.RES"
    res.write_bytes(table + explosion + font)
    unpack(res)
    assert not res.exists()
    assert [p.name for p in (tmp_path / "A_WAVE2").iterdir()] == ["BIG_EXPL.wav"]  # the font is no sound
    assert (tmp_path / "A_WAVE2" / "BIG_EXPL.wav").read_bytes() == explosion


def test_an_openttd_catalogue_names_each_sound_by_its_number_and_title(tmp_path):
    entries = [
        (b'"Train/ship breakdown". Original "x.wav" by "y".\0', a_wav()),
        (b'"Unused/Nothing". Trivial empty sound file.\0', a_wav(frames=0)),  # a header and no sound
        (b'"Toyland: Bubble plop". By Janis Lukss.\0', a_wav(400)),
    ]
    table_size, body, table = 8 * len(entries), b"", b""
    for name, wav in entries:
        table += struct.pack("<II", (table_size + len(body)) | 0x80000000, len(wav))
        body += bytes([len(name)]) + name + wav
    catalogue = tmp_path / "opensfx.cat"
    catalogue.write_bytes(table + body)
    unpack(catalogue)
    written = sorted(p.name for p in (tmp_path / "opensfx").iterdir())
    assert written == ["00 Train or ship breakdown.wav", "02 Toyland - Bubble plop.wav"]
    assert (tmp_path / "opensfx" / "02 Toyland - Bubble plop.wav").read_bytes() == a_wav(400)


def xmoto_member(name: str, data: bytes) -> bytes:
    return bytes([len(name)]) + name.encode() + b" " + b"0" * 32 + struct.pack("<I", len(data)) + data


def test_an_xmoto_package_gives_its_sounds_under_their_own_paths(tmp_path):
    glass = b"OggS" + bytes(40)
    package = tmp_path / "xmoto.bin"
    package.write_bytes(
        b"XBI3 " + b"f" * 32 + xmoto_member("Levels/Tutorial1.lvl", b"<level/>")
        + xmoto_member("Textures/Sounds/Glass.ogg", glass)
        + xmoto_member("Textures/Sounds/engine_00.wav", a_wav())
    )  # fmt: skip
    unpack(package)
    sounds = tmp_path / "xmoto" / "Textures" / "Sounds"
    assert sorted(p.name for p in sounds.iterdir()) == ["Glass.ogg", "engine_00.wav"]
    assert (sounds / "Glass.ogg").read_bytes() == glass
    assert not (tmp_path / "xmoto" / "Levels").exists()  # not a sound


def test_a_container_member_that_would_leave_its_folder_is_refused(tmp_path):
    package = tmp_path / "xmoto.bin"
    package.write_bytes(b"XBI3 " + b"f" * 32 + xmoto_member("../../escape.ogg", b"OggS"))
    with pytest.raises(ValueError, match="outside"):
        unpack(package)
    assert not (tmp_path.parent / "escape.ogg").exists()
