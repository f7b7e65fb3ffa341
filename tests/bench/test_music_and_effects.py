"""The music-and-effects bench's own count: the music rows among the first ten of the queries for
effects only (a query whose right files are music is not one)."""

from __future__ import annotations

import re

from bench.judged_libraries import Query, library_path, load
from bench.music_and_effects import LIBRARY, for_effects, music_rows

FILES = ["game/snd/bang.ogg", "game/snd/boom.ogg", "game/music/track1.ogg", "game/music/track2.ogg"]
MUSIC = re.compile(r"/music/")


def test_music_rows_count_the_queries_for_effects_only():
    queries = [Query("explosion", re.compile(r"snd/(bang|boom)")), Query("music", re.compile(r"/music/"))]
    ranked = [
        ["game/music/track1.ogg", "game/snd/boom.ogg"],
        ["game/music/track2.ogg", "game/music/track1.ogg"],
    ]
    effects = for_effects(queries, FILES, MUSIC)
    assert effects == [True, False]
    assert music_rows(ranked, effects, MUSIC) == 1  # the explosion's track; the music query's own are not counted


def test_the_library_is_review_12s():
    library = load(LIBRARY)
    assert LIBRARY == library_path("music_and_effects")
    assert len(library.queries) == 20 and re.compile(library.spec["music"])
    assert sum(for_effects(library.queries, library.files, re.compile(library.spec["music"]))) == 19
