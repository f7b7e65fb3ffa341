"""The search-quality bench's mixed library: half the packages keep their names, the rest become
``Take_`` files, each half named once, made of links to the library's own files."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bench.ood import OodQuery
from bench.ood.library import OodFile
from bench.search_quality import bm25_baseline, mixed_library, run_queries


def library(tmp_path: Path) -> list[OodFile]:
    files = []
    for i, (package, relative) in enumerate(
        [("alpha-data", "sfx/door_open.ogg"), ("alpha-data", "sfx/glass_break.ogg"), ("beta-data", "snd/door_slam.wav")]
    ):
        named = tmp_path / "named" / package / relative
        opaque = tmp_path / "opaque" / f"Take_{i + 1:04d}{named.suffix}"
        for path in (named, opaque):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"sound {i}".encode())
        files.append(OodFile(named, opaque, package, relative, tuple(Path(relative).stem.split("_")), 1.0))
    return files


def test_each_half_is_named_once_and_the_files_are_links_to_the_library(tmp_path):
    files = library(tmp_path)
    first = mixed_library(tmp_path / "mixed-0", files, 0)
    second = mixed_library(tmp_path / "mixed-1", files, 1)
    assert sorted(p.removeprefix(str(tmp_path)) for p in first) == [
        "/mixed-0/Takes/Take_0003.wav",
        "/mixed-0/alpha-data/sfx/door_open.ogg",
        "/mixed-0/alpha-data/sfx/glass_break.ogg",
    ]
    assert sorted(p.removeprefix(str(tmp_path)) for p in second) == [
        "/mixed-1/Takes/Take_0001.ogg",
        "/mixed-1/Takes/Take_0002.ogg",
        "/mixed-1/beta-data/snd/door_slam.wav",
    ]
    for where in (first, second):
        assert sorted(f.relative for f in where.values()) == sorted(f.relative for f in files)
        for path, file in where.items():
            assert Path(path).read_bytes() == file.named.read_bytes()
            assert Path(path).stat().st_nlink == 2  # a link, not a copy: the library's bytes are not doubled
    assert mixed_library(tmp_path / "mixed-0", files, 0) == first  # made once


def test_keywords_find_only_the_named_half_and_each_path_is_judged_as_its_file(tmp_path):
    files = library(tmp_path)
    root = tmp_path / "mixed-0"
    where = mixed_library(root, files, 0)
    rank = bm25_baseline(root, files, paths=[Path(p) for p in where])
    door = OodQuery("door", "doors", (re.compile(r"\bdoor\b"),))
    assert [Path(p).name for p in rank("door")] == ["door_open.ogg"]  # door_slam is Take_0003 here
    (result,), _ = run_queries(rank, files, [door], where)
    assert result["R@1"] == 1.0 and result["mAP@10"] == 0.5  # two right files, only the first found


def test_a_rebuilt_library_replaces_the_takes_it_numbered_afresh_and_drops_what_it_left_out(tmp_path):
    files = library(tmp_path)
    mixed_library(tmp_path / "mixed-1", files, 1)  # alpha's two files are Take_0001 and Take_0002
    door_open, _, door_slam = files
    renumbered = tmp_path / "rebuilt" / "Take_0001.ogg"  # the rebuild numbers door_open's take 1 again...
    renumbered.parent.mkdir()
    renumbered.write_bytes(b"sound 0, rebuilt")
    rebuilt = [replace(door_open, opaque=renumbered), door_slam]  # ...and leaves glass_break out

    where = mixed_library(tmp_path / "mixed-1", rebuilt, 1)
    assert sorted(p.removeprefix(str(tmp_path)) for p in where) == [
        "/mixed-1/Takes/Take_0001.ogg",
        "/mixed-1/beta-data/snd/door_slam.wav",
    ]
    assert (tmp_path / "mixed-1/Takes/Take_0001.ogg").read_bytes() == b"sound 0, rebuilt"
    assert sorted(p.name for p in (tmp_path / "mixed-1").rglob("*") if p.is_file()) == [
        "Take_0001.ogg",
        "door_slam.wav",
    ]
