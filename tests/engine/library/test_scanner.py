"""The folder walk: audio files only, symlinks followed once, unreadable folders reported."""

from __future__ import annotations

import os

import pytest

from engine.library.roots import folder_identity
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


def test_other_library_folders_are_never_entered_and_hidden_ones_are_hidden_below_a_folder(tmp_path):
    write_audio(tmp_path / "lib" / "a.wav", tone())
    write_audio(tmp_path / "other" / "b.wav", tone())
    os.symlink(tmp_path / "other", tmp_path / "lib" / "linked")
    assert len(scan([str(tmp_path / "lib")]).files) == 2
    library = _identities(tmp_path / "lib", tmp_path / "other")
    assert [os.path.basename(f.path) for f in scan([str(tmp_path / "lib")], library).files] == ["a.wav"]
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
    library = _identities(library_a, library_b)
    full = scan([str(library_a)], library)
    assert [os.path.relpath(f.path, library_a) for f in full.files] == [os.path.join("loop", "kick.wav")]
    for rescanned in (link, library_a / "loop" / "home", library_a / "loop", library_a / "far up"):
        files = scan([str(rescanned)], library).files
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


def _identities(*folders) -> dict[str, tuple[int, int]]:
    """The library folders as the indexer names them to the scan: path and (device, inode)."""
    return {str(folder): folder_identity(str(folder)) for folder in folders}


def _listed(roots, library) -> list[str]:
    return sorted(f.path for f in scan([str(root) for root in roots], library).files)


@pytest.mark.parametrize("link_name", ["a drums link", "z drums link"])  # walked before, or after, the folder
def test_a_link_to_a_folder_of_the_same_library_folder_lists_its_files_under_their_real_path_only(tmp_path, link_name):
    """Review: the full scan reached the folder by whichever way it walked first, the link or the
    folder itself, and the watcher's rescan of one of them by the other: a row under each path."""
    library = tmp_path / "library"
    kick = write_audio(library / "kit" / "drums" / "kick.wav", tone())
    hat = write_audio(library / "kit" / "hat.wav", tone())
    link = library / "kit" / link_name
    os.symlink(library / "kit" / "drums", link)
    known = _identities(library)
    assert _listed([library], known) == _listed([library / "kit"], known) == [str(kick), str(hat)]
    assert _listed([library / "kit" / "drums"], known) == [str(kick)]
    assert _listed([link], known) == _listed([link / "kick.wav"], known) == []
    assert _listed([link, library / "kit" / "drums"], known) == [str(kick)]  # a watcher batch, in either order
    assert _listed([library / "kit" / "drums", link], known) == [str(kick)]


@pytest.mark.parametrize("link_name", ["a to B", "z to B"])
def test_a_link_into_a_folder_of_another_library_folder_lists_its_files_there_only(tmp_path, link_name):
    """Only the other library folder itself was skipped: a link to a folder inside it was walked,
    and its files listed under both library folders."""
    library_a, library_b = tmp_path / "A", tmp_path / "B"
    write_audio(library_a / "mine.wav", tone())
    snare = write_audio(library_b / "kit" / "snare.wav", tone())
    link = library_a / link_name
    os.symlink(library_b / "kit", link)
    known = _identities(library_a, library_b)
    assert _listed([library_a], known) == [str(library_a / "mine.wav")]
    assert _listed([link], known) == _listed([link / "snare.wav"], known) == []
    assert _listed([library_b], known) == _listed([library_b / "kit"], known) == [str(snare)]


def test_a_folder_linked_in_from_outside_is_listed_under_the_link_but_not_a_library_folder_beyond_it(tmp_path):
    """A link out of the library is followed, as before; a link beyond it back into a folder of
    another library folder is not."""
    library_a, library_b, outside = tmp_path / "A", tmp_path / "B", tmp_path / "downloads"
    mine = write_audio(library_a / "mine.wav", tone())
    write_audio(library_b / "kit" / "snare.wav", tone())
    hat = write_audio(outside / "pack" / "hat.wav", tone())
    os.symlink(library_b / "kit", outside / "pack" / "B's kit")
    os.symlink(outside, library_a / "downloads")
    known = _identities(library_a, library_b)
    linked_hat = str(library_a / "downloads" / hat.relative_to(outside))
    assert _listed([library_a], known) == [linked_hat, str(mine)]
    assert _listed([library_a / "downloads" / "pack"], known) == [linked_hat]
