"""A library folder that cannot be reached is either missing (moved, renamed or deleted from a
drive that is still there: add its new place) or on a drive that is not connected (connect it).
Real folders renamed and deleted in tmp_path; real unmounts where the test can mount."""

from __future__ import annotations

import json
import shutil

import lancedb
import pyarrow as pa
import pytest

from engine.cli import main
from engine.facade import Engine
from engine.index import LibraryStore
from engine.index.meta import Meta
from engine.index.migrations import VERSION_KEY
from engine.index.records import OFFLINE, FolderRecord, folders_to_arrow
from engine.index.schema import FOLDERS, FOLDERS_SCHEMA, META, META_SCHEMA, SCHEMA_VERSION
from engine.library.roots import RootProbe
from engine.paths import app_paths
from tests.drives import Drive, HangingShare
from tests.engine.library.test_drives import in_thread
from tests.factories import tone, write_audio


def offline_folder(engine) -> tuple[bool, bool]:
    """(online, missing) of the engine's one library folder."""
    (folder,) = engine.folders()
    return folder.online, folder.missing


def indexed_library(engine, folder) -> None:
    write_audio(folder / "door_creak.wav", tone(300, 1.0))
    engine.add_folder(folder)
    engine.index()


@pytest.fixture
def mounted(tmp_path):
    """A real drive (loop-mounted ext4, or a tmpfs) at tmp_path/"SFX Drive"; skipped where nothing mounts."""
    drive = Drive(tmp_path / "SFX Drive", "mount")
    if drive.kind != "mount":
        drive.close()
        pytest.skip("cannot mount here")
    yield drive
    drive.close()


@pytest.mark.parametrize("gone", ["renamed", "deleted"])
def test_a_folder_renamed_or_deleted_on_a_drive_that_is_there_is_missing(engine, tmp_path, gone):
    library = tmp_path / "Foley"
    indexed_library(engine, library)
    if gone == "renamed":
        library.rename(tmp_path / "Foley 2019")
    else:
        shutil.rmtree(library)
    engine.index()
    assert offline_folder(engine) == (False, True)
    assert [h.status for h in engine.search("door")] == [OFFLINE]  # still found, its files kept


def test_a_missing_folder_put_back_is_online_and_not_missing(engine, tmp_path):
    library = tmp_path / "Foley"
    indexed_library(engine, library)
    library.rename(tmp_path / "elsewhere")
    engine.index()
    (tmp_path / "elsewhere").rename(library)
    engine.index()
    assert offline_folder(engine) == (True, False)


def test_an_unplugged_drive_is_not_missing(engine, mounted):
    """The drive itself is the library folder: unmounted, its empty mount point stays behind."""
    indexed_library(engine, mounted.root)
    mounted.unplug()
    engine.index()
    assert offline_folder(engine) == (False, False)
    mounted.root.rmdir()  # the mount point goes too, as udisks removes /media/<user>/<drive>
    assert offline_folder(engine) == (False, False)


def test_a_folder_on_an_unplugged_drive_is_not_missing_one_renamed_on_it_is(engine, mounted):
    library = mounted.root / "Ambiences"
    indexed_library(engine, library)
    mounted.unplug()  # the folder's parent is now the empty mount point, of another device
    engine.index()
    assert offline_folder(engine) == (False, False)
    mounted.replug()
    engine.index()
    assert offline_folder(engine) == (True, False)
    library.rename(mounted.root / "Ambiences (old)")  # the drive is there: the folder went
    engine.index()
    assert offline_folder(engine) == (False, True)


def test_a_share_that_does_not_answer_is_not_missing(engine, tmp_path):
    share = tmp_path / "share"
    indexed_library(engine, share)
    hanging = HangingShare(share)
    engine.root_probe = RootProbe(hanging, timeout_s=0.3)
    try:
        assert in_thread(engine.index, timeout=60)
        assert in_thread(lambda: offline_folder(engine), timeout=5), "listing the folders waited for the share"
        assert offline_folder(engine) == (False, False)
    finally:
        hanging.release.set()


def test_status_json_and_text_say_a_folder_is_missing(tmp_path, tiny_checkpoint, capsys):
    home, library = str(tmp_path / "home"), tmp_path / "lib"
    write_audio(library / "door_creak.wav", tone(300, 1.0))
    base = ["--home", home, "--model", str(tiny_checkpoint)]
    assert main([*base, "add-folder", str(library)]) == 0
    assert main([*base, "index"]) == 0
    library.rename(tmp_path / "lib, moved")
    assert main([*base, "index"]) == 0
    capsys.readouterr()
    assert main([*base, "status", "--json"]) == 0
    (folder,) = json.loads(capsys.readouterr().out)["folders"]
    assert (folder["online"], folder["missing"]) == (False, True)
    assert main([*base, "status"]) == 0
    assert "[MISSING (moved, renamed or deleted?)] 0 files, 0 failed, 1 offline" in capsys.readouterr().out


def test_an_index_from_before_devices_were_kept_opens_and_learns_them(tmp_path, tiny_checkpoint):
    """A version 2 index (its folders table has no device column) is migrated; the folder's device
    is unknown (an offline folder is not called missing) until the next run sees it."""
    library = tmp_path / "Foley"
    write_audio(library / "door_creak.wav", tone(300, 1.0))
    paths = app_paths(tmp_path / "home")
    db = lancedb.connect(str(paths.index))
    v2_schema = pa.schema([f for f in FOLDERS_SCHEMA if f.name != "device"])
    db.create_table(FOLDERS, folders_to_arrow([FolderRecord(str(library), 1.0, True)]).select(v2_schema.names))
    Meta(db.create_table(META, schema=META_SCHEMA)).set(VERSION_KEY, 2)

    store = LibraryStore(paths.index)
    assert store.schema_version == SCHEMA_VERSION and store.meta.get("migration:3")
    assert [(f.path, f.online, f.device) for f in store.folders()] == [(str(library), True, None)]

    with Engine(paths, str(tiny_checkpoint)) as reopened:
        reopened.index()
        assert [f.device for f in reopened.store.folders()] == [library.stat().st_dev]
        library.rename(tmp_path / "Foley, moved")
        reopened.index()
        assert offline_folder(reopened) == (False, True)
