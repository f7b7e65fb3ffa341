"""The music-and-effects bench's judging: metrics over each file's path in its package, and the
music rows among the first ten of the queries for effects only."""

from __future__ import annotations

import json
import re

import pytest

from bench.music_and_effects import QUERIES, Query, measured

FILES = ["game/snd/bang.ogg", "game/snd/boom.ogg", "game/music/track1.ogg", "game/music/track2.ogg"]
MUSIC = re.compile(r"/music/")


def test_metrics_and_music_rows_count_the_queries_for_effects_only():
    queries = [Query("explosion", re.compile(r"snd/(bang|boom)")), Query("music", re.compile(r"/music/"))]
    rankings = {
        "explosion": ["/lib/game/music/track1.ogg", "/lib/game/snd/boom.ogg"],  # bang left out
        "music": ["/lib/game/music/track2.ogg", "/lib/game/music/track1.ogg"],
    }
    found = measured(rankings.__getitem__, queries, FILES, MUSIC, lambda p: p.removeprefix("/lib/"))
    assert found["R@1"] == pytest.approx(0.5)  # the music query's first is right, the explosion's is not
    assert found["R@10"] == pytest.approx(1.0)  # a right file among the first ten of each
    assert found["mAP@10"] == pytest.approx((0.5 / 2 + 1.0) / 2)
    assert found["music rows"] == 1  # the explosion's track; the music query's own are not counted


def test_every_query_compiles():
    spec = json.loads(QUERIES.read_text(encoding="utf-8"))
    assert len(spec["queries"]) == 20
    assert all(re.compile(q["relevant"]) for q in spec["queries"]) and re.compile(spec["music"])
