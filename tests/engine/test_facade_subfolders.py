"""A library folder's subfolders with their sound counts, read from the index (real LanceDB in tmp).

The library panel's tree and the folder filter offer these, so a sound designer can point at
"SFX/Doors/Wood" instead of searching its name and shift-clicking its rows."""

from __future__ import annotations

from pathlib import Path

from engine.facade import Engine
from engine.index import ERROR, OFFLINE, LibraryStore
from engine.paths import app_paths
from tests.engine.index.index_factories import LIB, open_store, record


def test_each_subfolder_counts_its_searchable_files_and_those_below(tmp_path: Path) -> None:
    """Counts include every folder below (a parent holds its children's sounds); folders with no
    searchable file, failed files, the root itself and a sibling library folder are left out."""
    store: LibraryStore = open_store(tmp_path)
    store.add_folder("/library/sfx2")
    store.upsert_files(
        [
            record("top.wav"),
            record("Doors/knock.wav"),
            record("Doors/Wood/creak.wav"),
            record("Doors/Wood/slam.wav", status=OFFLINE),  # on an unplugged drive: still found
            record("Doors/Metal/clang.wav"),
            record("Broken/bad.wav", status=ERROR),  # not a sound the filter would return
            record("other.wav", folder="/library/sfx2"),
            record("Doors/elsewhere.wav", folder="/library/sfx2"),
        ]
    )
    assert store.subfolder_counts(LIB) == {
        f"{LIB}/Doors": 4,
        f"{LIB}/Doors/Wood": 2,
        f"{LIB}/Doors/Metal": 1,
    }
    assert store.subfolder_counts("/library/sfx2") == {"/library/sfx2/Doors": 1}
    assert store.subfolder_counts("/library/none") == {}


def test_the_engine_lists_subfolders_of_a_library_folder_given_in_any_spelling(tmp_path: Path) -> None:
    """The facade keys the folder as the index does (absolute, no trailing separator), so the
    app may pass the path it shows."""
    library = tmp_path / "SFX"
    (library / "Weapons").mkdir(parents=True)
    with Engine(app_paths(tmp_path / "home"), "builtin") as engine:
        engine.store.add_folder(str(library))
        engine.store.upsert_files([record("Weapons/Guns/shot.wav", folder=str(library))])
        assert engine.subfolders(f"{library}/") == {
            f"{library}/Weapons": 1,
            f"{library}/Weapons/Guns": 1,
        }
