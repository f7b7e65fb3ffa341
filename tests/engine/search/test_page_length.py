"""A search's first hits are the same however long its page (review 18, M7): the CLI's ten and
the window's 500 rank to different depths (``max(MIN_CANDIDATES, 2 x limit)``), and a file found
only deeper moved the first ten ("chewing": gulp.wav 7th of ten, past the tenth of 500). Each
library here holds files that only a deeper ranking finds, on a real LanceDB with the tiny model."""

from __future__ import annotations

import numpy as np

from engine.index import Windows
from engine.search import Searcher
from engine.search.searcher import MIN_CANDIDATES
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import at_cosine, one_window
from tests.engine.search.test_sound_ranking import hearing, placed

PAGES = (10, 60, 150, 500)  # the CLI's, a page past the first band, one past the second, the window's


def pages(searcher: Searcher, query: str, **options) -> dict[int, list[tuple[str, float]]]:
    """{limit: the hits' names and scores} of ``query`` at each of :data:`PAGES`."""
    return {
        limit: [(h.name, round(h.score, 6)) for h in searcher.search(query, limit=limit, **options)] for limit in PAGES
    }


def assert_same_first_hits(found: dict[int, list[tuple[str, float]]]) -> None:
    longest = found[max(found)]
    for limit, page in found.items():
        assert longest[:limit] == page, f"the first {limit} of {max(found)} are not the {limit} of a page of {limit}"


def test_a_sound_whose_sum_only_a_deeper_ranking_finds_moves_no_first_hit(store, tiny_model):
    """A model that hears its queries as sounds ranks the files of either table's first candidates
    by their sum: dog_bark.wav and the "both" files are past the first MIN_CANDIDATES of each table
    and beat every sum there. A page of 500 found them, made them the sound's first hundred, and
    its ten were another ten, each scored from another weakest."""
    model = hearing(tiny_model)
    query = model.embed_query(["dog bark"])[0]
    n = MIN_CANDIDATES
    store.commit_embedded(
        model.info,
        [(record("dog_bark.wav"), placed([0.5], [0.5], 1, query))]
        + [(record(f"bright_{i:03d}.wav"), placed([0.9 - 1e-3 * i], [-0.9], 10 + i, query)) for i in range(n)]
        + [(record(f"heard_{i:03d}.wav"), placed([-0.9], [0.9 - 1e-3 * i], 300 + i, query)) for i in range(n)]
        + [(record(f"both_{i:03d}.wav"), placed([0.4 - 1e-3 * i], [0.4], 600 + i, query)) for i in range(n)],
    )
    found = pages(Searcher(store, model), "dog bark")
    assert found[10][0][0] == "dog_bark.wav"
    assert_same_first_hits(found)
    deep = {name for name, _ in found[500][n:]}
    assert "both_000.wav" in deep and len(found[500]) == 3 * n + 1  # the longer page still lists them, after


def test_a_name_meaning_the_query_past_the_first_candidates_adds_nothing_to_its_keyword_match(store, tiny_model):
    """door.wav is the keyword match, and its name 121st of the meaning ranking: a page of ten never
    sees it there, a page of 500 did and scored its meaning too."""
    query = tiny_model.embed_words(["door"])[0]
    portals = [f"portal_{i:03d}" for i in range(MIN_CANDIDATES + 20)]
    door, *others = store.upsert_files([record("door.wav")] + [record(f"{name}.wav") for name in portals])
    texts = {door.id: ("door",)} | {file.id: (name,) for file, name in zip(others, portals, strict=True)}
    vectors = {"door": at_cosine(query, 0.6, seed=1)} | {
        name: at_cosine(query, 0.9 - 2e-3 * i, seed=10 + i) for i, name in enumerate(portals)
    }
    store.word_vectors(tiny_model.info.name, dim=len(query)).put(texts, vectors)
    found = pages(Searcher(store, tiny_model), "door", rankings=frozenset({"words", "meaning"}))
    assert found[10][0][0] == "door.wav"
    assert_same_first_hits(found)
    hit = Searcher(store, tiny_model).search("door", limit=500, rankings=frozenset({"words", "meaning"}))[0]
    assert (hit.name, hit.text_rank, hit.meaning_rank) == ("door.wav", 1, MIN_CANDIDATES + 21)  # found, not counted


def test_short_sounds_that_a_long_files_luck_lets_past_it_deeper_move_no_first_hit(store, tiny_model):
    """The sound's first candidates are long takes whose best window is high by the luck of many
    (engine.search.many_windows); judged fairly, the short sounds ranked after them beat them. A
    page of 500 ranked those too and listed them first, a page of ten never saw them."""
    query = tiny_model.embed_query(["door creak"])[0]
    starts = np.arange(9.0)

    def long_take(best: float, seed: int) -> Windows:
        cosines = [best] + [-0.2] * 8
        return Windows(starts, starts + 1.0, np.stack([at_cosine(query, c, seed + k) for k, c in enumerate(cosines)]))

    n = MIN_CANDIDATES
    store.commit_embedded(
        tiny_model.info,
        [(record(f"long_{i:03d}.wav"), long_take(0.9 - 1e-3 * i, 10 * i)) for i in range(n)]
        + [(record(f"short_{i:03d}.wav"), one_window(at_cosine(query, 0.7 - 1e-3 * i, 5000 + i))) for i in range(n)],
    )
    found = pages(Searcher(store, tiny_model), "door creak")
    assert found[10][0][0].startswith("long_")
    assert_same_first_hits(found)


def test_a_keyword_match_of_every_word_past_the_first_candidates_moves_no_first_hit(store):
    """A name holding one of two words is half a keyword match: the 240 short names of "dog" or of
    "bark" fill the words ranking's first candidates, and the long name holding both comes after
    them. A page of 500 found it and listed it first, a whole match; a page of ten never saw it."""
    n = MIN_CANDIDATES
    both = "yard at night where a dog could bark once.wav"
    store.upsert_files(
        [record(f"{word}_{i:03d}.wav") for word in ("dog", "bark") for i in range(n + 20)] + [record(both)]
    )
    found = pages(Searcher(store, None), "dog bark")
    assert_same_first_hits(found)
    assert both in {name for name, _ in found[500][n:]}  # the longer page lists it, after
