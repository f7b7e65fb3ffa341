"""How the window lists a search's hits: the files the words found first (engine/search/listing.py)."""

from __future__ import annotations

from engine.search.listing import as_listed, found_by_words
from engine.search.searcher import SearchHit


def hit(name: str, text_rank: int | None) -> SearchHit:
    return SearchHit(path=f"/lib/{name}", folder="/lib", text_rank=text_rank)


def test_the_words_matches_come_first_and_each_group_keeps_the_engines_order():
    water, bottle = hit("water.wav", 1), hit("bottle.ogg", 2)
    puddle, rain = hit("puddle.wav", None), hit("rain.wav", None)
    assert [found_by_words(h) for h in (water, puddle)] == [True, False]
    assert as_listed([water, puddle, bottle, rain]) == [water, bottle, puddle, rain]
    assert as_listed([puddle, rain]) == [puddle, rain]  # one group: as the engine ranked them
