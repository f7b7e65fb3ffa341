"""The folder walk: audio files only, symlinks followed once, unreadable folders reported."""

from __future__ import annotations

import os

from engine.library.scanner import content_hash, is_hidden_below, scan
from tests.engine.library.helpers import python_args, run_as_user
from tests.factories import tone, write_audio


def test_lists_audio_files_recursively_and_skips_the_rest(tmp_path):
    write_audio(tmp_path / "a.wav", tone())
    write_audio(tmp_path / "sub" / "deeper" / "B.FLAC", tone(), format="FLAC")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "._a.wav").write_bytes(b"\0\5\26\7 AppleDouble")
    write_audio(tmp_path / ".hidden" / "c.wav", tone())
    found = sorted(os.path.relpath(f.path, tmp_path) for f in scan([str(tmp_path)]).files)
    assert found == ["a.wav", os.path.join("sub", "deeper", "B.FLAC")]


def test_sounds_in_formats_earmark_cannot_read_are_listed_apart(tmp_path):
    write_audio(tmp_path / "a.wav", tone())
    (tmp_path / "voice memo.M4A").write_bytes(b"\0\0\0\x20ftypM4A ")
    (tmp_path / "kit" / "snare.wv").parent.mkdir()
    (tmp_path / "kit" / "snare.wv").write_bytes(b"wvpk")
    (tmp_path / "Takes.wma").mkdir()  # a folder: not a sound
    result = scan([str(tmp_path)])
    assert [os.path.basename(f.path) for f in result.files] == ["a.wav"]
    assert sorted(os.path.relpath(p, tmp_path) for p in result.unreadable_formats) == [
        os.path.join("kit", "snare.wv"),
        "voice memo.M4A",
    ]
    assert scan([str(tmp_path / "kit" / "snare.wv")]).unreadable_formats == [str(tmp_path / "kit" / "snare.wv")]


def test_a_folder_named_like_a_sound_is_listed_to_be_reported_and_walked(tmp_path):
    """Opening ``Takes.wav/`` says "is a folder" in the report; its sounds are indexed too, in a
    full scan and in the watcher's scan of that folder alone."""
    write_audio(tmp_path / "Takes.wav" / "take_1.wav", tone())
    for roots in ([tmp_path], [tmp_path / "Takes.wav"]):
        found = sorted(os.path.relpath(f.path, tmp_path) for f in scan([str(r) for r in roots]).files)
        assert found == ["Takes.wav", os.path.join("Takes.wav", "take_1.wav")]


def test_symlink_loops_and_repeated_folders_are_visited_once(tmp_path):
    write_audio(tmp_path / "lib" / "kit" / "snare.wav", tone())
    os.symlink(tmp_path / "lib", tmp_path / "lib" / "kit" / "back-to-top")  # a loop
    os.symlink(tmp_path / "lib" / "kit", tmp_path / "lib" / "kit-again")  # the same folder twice
    os.symlink(tmp_path / "lib" / "loop-a.wav", tmp_path / "lib" / "loop-b.wav")
    os.symlink(tmp_path / "lib" / "loop-b.wav", tmp_path / "lib" / "loop-a.wav")  # a file link loop
    result = scan([str(tmp_path / "lib")])
    names = sorted(os.path.basename(f.path) for f in result.files)
    assert names == ["loop-a.wav", "loop-b.wav", "snare.wav"]
    assert all(f.size == -1 for f in result.files if f.path.endswith(("loop-a.wav", "loop-b.wav")))


def test_folders_to_skip_are_never_entered_and_hidden_ones_are_hidden_below_a_folder(tmp_path):
    write_audio(tmp_path / "lib" / "a.wav", tone())
    write_audio(tmp_path / "other" / "b.wav", tone())
    os.symlink(tmp_path / "other", tmp_path / "lib" / "linked")
    info = os.stat(tmp_path / "other")
    assert len(scan([str(tmp_path / "lib")]).files) == 2
    assert [
        os.path.basename(f.path) for f in scan([str(tmp_path / "lib")], skip=[(info.st_dev, info.st_ino)]).files
    ] == ["a.wav"]
    lib = str(tmp_path / "lib")
    assert is_hidden_below(f"{lib}/.Trash-1000/files/a.wav", lib) and is_hidden_below(f"{lib}/.git", lib)
    assert not is_hidden_below(f"{lib}/Doors/a.wav", lib) and not is_hidden_below(lib, lib)
    assert not is_hidden_below("/elsewhere/.hidden/a.wav", lib)


def test_non_utf8_names_come_back_openable(tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9 \xff.wav"
    write_audio(tmp_path / "plain.wav", tone())
    os.rename(tmp_path / "plain.wav", raw)
    (found,) = scan([str(tmp_path)]).files
    assert os.fsencode(found.path) == raw and found.size > 0
    assert len(content_hash(found.path)) == 32


def test_unreadable_folder_is_reported_not_treated_as_empty(tmp_path):
    write_audio(tmp_path / "locked" / "x.wav", tone())
    os.chmod(tmp_path / "locked", 0)
    code = (
        f"from engine.library.scanner import scan; r = scan([{str(tmp_path)!r}]); "
        f"print(sorted(r.unreadable_dirs), r.covers({str(tmp_path / 'locked' / 'x.wav')!r}), "
        f"r.covers({str(tmp_path / 'y.wav')!r}), len(r.files))"
    )
    try:
        result = run_as_user(python_args(code))
    finally:
        os.chmod(tmp_path / "locked", 0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"[{str(tmp_path / 'locked')!r}] False True 0"


def test_single_file_roots_overlapping_and_missing_roots(tmp_path):
    path = write_audio(tmp_path / "one.wav", tone())
    roots = [str(path), str(tmp_path / "gone.wav"), str(tmp_path), str(path)]
    assert [f.path for f in scan(roots).files] == [str(path)]


def test_content_hash_follows_content_not_name(tmp_path):
    a = write_audio(tmp_path / "a.wav", tone(440))
    b = tmp_path / "b.wav"
    b.write_bytes(a.read_bytes())
    c = write_audio(tmp_path / "c.wav", tone(441))
    assert content_hash(str(a)) == content_hash(str(b)) != content_hash(str(c))


def test_a_link_to_the_library_or_a_folder_above_it_is_skipped_in_a_rescan_as_in_a_full_scan(tmp_path):
    """The watcher rescans only what changed: a new link ``A/loop/up`` to the folder holding
    the library folders. A full scan of A never follows it (A is walked already, and B is
    another library folder); the rescan of the link alone indexed all of A again under
    ``A/loop/up/A``, because nothing had marked A as walked."""
    library_a, library_b = tmp_path / "sounds" / "A", tmp_path / "sounds" / "B"
    write_audio(library_a / "loop" / "kick.wav", tone())
    write_audio(library_b / "snare.wav", tone())
    write_audio(tmp_path / "sounds" / "not a library folder" / "hat.wav", tone())
    link = library_a / "loop" / "up"
    os.symlink(tmp_path / "sounds", link)
    os.symlink(library_a, library_a / "loop" / "home")
    os.symlink(tmp_path, library_a / "far up")
    other = os.stat(library_b)
    full = scan([str(library_a)], skip=[(other.st_dev, other.st_ino)])
    assert [os.path.relpath(f.path, library_a) for f in full.files] == [os.path.join("loop", "kick.wav")]
    for rescanned in (link, library_a / "loop" / "home", library_a / "loop", library_a / "far up"):
        files = scan([str(rescanned)], skip=[(other.st_dev, other.st_ino)]).files
        assert [f.path for f in files] == [f.path for f in full.files if f.path.startswith(str(rescanned))], rescanned


def test_a_rescan_of_a_folder_and_of_a_folder_inside_it_walks_both(tmp_path):
    """The folders above one root of a rescan do not keep another root, above it, from being walked."""
    write_audio(tmp_path / "kit" / "snare.wav", tone())
    write_audio(tmp_path / "kit" / "toms" / "low.wav", tone())
    found = scan([str(tmp_path / "kit" / "toms"), str(tmp_path / "kit")]).files
    assert sorted(os.path.relpath(f.path, tmp_path) for f in found) == [
        os.path.join("kit", "snare.wav"),
        os.path.join("kit", "toms", "low.wav"),
    ]
