"""A folder moved inside a watched one, with a real watchdog observer (review 16, L12): watchdog's
inotify backend warned of its own watch bookkeeping, a RuntimeWarning dumping every watched
folder's path on the user's terminal; the watcher keeps it there, and the move still arrives."""

from __future__ import annotations

import shutil
import threading
import time
import warnings

from engine.library.watcher import LibraryWatcher
from tests.engine.library.helpers import wait_for
from tests.factories import tone, write_audio

MOVES = 6  # the warning comes of a race (the new folder walked before the move is read): most moves lose it


def test_moving_a_folder_into_a_new_one_warns_of_nothing_and_arrives_where_it_went(tmp_path):
    library = tmp_path / "lib"
    write_audio(library / "krank" / "space" / "engine_hum.wav", tone(120, 0.2))
    batches: list[set[str]] = []
    lock = threading.Lock()

    def collect(paths: set[str]) -> None:
        with lock:
            batches.append(paths)

    watcher = LibraryWatcher(collect, debounce_s=0.2)
    with warnings.catch_warnings(record=True) as caught:  # the filters as the test run has them, no "always"
        watcher.start([str(library)])
        try:
            moved = library / "krank" / "space"
            for k in range(MOVES):  # as a user does: a new folder, then the sounds moved into it at once
                (library / f"moved{k}").mkdir()
                moved = shutil.move(moved, library / f"moved{k}" / "space")
            time.sleep(0.5)  # the moves' events read before the next write, so its path is the new one's
            later = write_audio(library / f"moved{MOVES - 1}" / "space" / "later.wav", tone(300, 0.2))
            assert wait_for(lambda: str(later) in set().union(*batches), timeout=10)
        finally:
            watcher.stop()
    said = [str(warning.message)[:120] for warning in caught if issubclass(warning.category, RuntimeWarning)]
    assert not said
    assert str(library / f"moved{MOVES - 1}" / "space" / "engine_hum.wav") in set().union(*batches)
