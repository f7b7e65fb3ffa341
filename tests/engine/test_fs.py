"""The shared file-system helpers: folder containment as text, the folders below a library
folder, and whole-file writes."""

from __future__ import annotations

import pytest

from engine.fs import (
    atomic_file,
    folder_names,
    folder_prefix,
    folders_below,
    is_inside,
    recovered_folder,
    swap_folder_in,
)


def test_inside_means_the_folder_or_below_it_never_a_sibling_with_the_same_start():
    assert is_inside("/sounds/doors/creak.wav", "/sounds")
    assert is_inside("/sounds/doors/creak.wav", "/sounds/")
    assert is_inside("/sounds", "/sounds")
    assert not is_inside("/sounds2/creak.wav", "/sounds")
    assert not is_inside("/sound", "/sounds")
    assert is_inside("/anything", "/")
    assert folder_prefix("/sounds/") == folder_prefix("/sounds") == "/sounds/"


def test_the_folders_below_a_library_folder_are_those_between_it_and_the_file():
    assert (
        folders_below("/lib/Doors/Wood/a.wav", "/lib")
        == folders_below("/lib/Doors/Wood/a.wav", "/lib/")
        == [
            "Doors",
            "Wood",
        ]
    )
    assert folders_below("/lib/..Misc/a.wav", "/lib") == ["..Misc"]  # a name, not the folder above
    assert folders_below("/lib/a.wav", "/lib") == folders_below("/other/x/a.wav", "/lib") == []
    assert folders_below("/a.wav", "/lib") == []


def test_atomic_file_replaces_the_target_whole_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "peaks.npz"
    target.write_bytes(b"old")
    with atomic_file(target) as partial:
        partial.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # readers see the old file until the block ends
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["peaks.npz"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_partial_one(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_file(target) as partial:
            partial.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_folder_swapped_in_is_whole_before_during_and_after(tmp_path):
    last, staging = tmp_path / "last", tmp_path / "last.tmp"
    for step in (1, 2):
        staging.mkdir()
        (staging / "step").write_text(str(step))
        swap_folder_in(staging, last)
        assert (last / "step").read_text() == str(step) and not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]
    last.rename(tmp_path / "last.old")  # a stop signal between the two renames of the next swap
    assert (recovered_folder(last) / "step").read_text() == "2"
    assert recovered_folder(tmp_path / "never") == tmp_path / "never"  # nothing to recover: nothing made
    assert not (tmp_path / "never").exists()


def test_library_folders_of_one_name_are_named_by_what_tells_them_apart():
    """Two folders called "ucslib" showed as two rows alike in the panel and the folder filter."""
    named = folder_names(["/a/s35/review/ucslib", "/a/s36/review/ucslib", "/data/SFX", "/b/x/lib", "/c/x/lib", "/"])
    assert named == {
        "/a/s35/review/ucslib": "ucslib (s35/review)",
        "/a/s36/review/ucslib": "ucslib (s36/review)",
        "/data/SFX": "SFX",  # a name of its own stays as it is
        "/b/x/lib": "lib (b/x)",
        "/c/x/lib": "lib (c/x)",
        "/": "/",
    }
