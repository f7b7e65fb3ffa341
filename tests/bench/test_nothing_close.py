"""The nothing-close bench's bookkeeping: a search's best hit as the rule sees it, the shipped
rule read from the search itself, its candidates counted against right, wrong and nonsense hits,
and its nonsense and gibberish the same every run."""

from __future__ import annotations

import json
import re

from bench.nothing_close import NONSENSE, Best, Measured, best_of, candidates, gibberish, print_tallies
from engine.search.searcher import SearchHit, SearchResults
from tests.engine.index.index_factories import record


def hit(name: str, score: float, meaning: tuple[int, float] | None, sound: tuple[int, float], **ranks) -> SearchHit:
    """A hit no word found, ranked ``meaning`` (rank, cosine; None: not) and ``sound`` (rank, score)."""
    meaning_rank, meaning_score = meaning or (None, None)
    return SearchHit(
        **vars(record(name)),
        score=score,
        meaning_rank=meaning_rank,
        meaning_score=meaning_score,
        vector_rank=sound[0],
        vector_score=sound[1],
        **ranks,
    )


def test_the_best_hit_carries_what_the_search_said_and_a_search_a_word_found_is_no_case():
    applause = hit("29 Applause.wav", 36.3, (1, 0.494), (1, 1.447))  # review 13's "crowd cheering"
    found = SearchResults([applause, hit("cheer.wav", 20.0, (2, 0.4), (3, 1.2))])
    best = best_of("crowd cheering", found)
    assert best == Best("crowd cheering", applause.path, 36.3, 1, 0.494, 1, 1.447, found.nothing_close)
    rules = candidates()
    assert rules["shipped"](best) is not found.nothing_close  # the shipped rule is the search's own
    assert not rules["match >= 40 (review 9)"](best)
    worded = SearchResults([applause, hit("crowd.wav", 10.0, None, (9, 1.0), text_rank=1)])
    assert best_of("crowd cheering", worded) is None  # the words found a hit: the list answers
    assert best_of("xyzzy", SearchResults()) is None


def test_each_rule_counts_the_right_and_wrong_hits_it_flags_and_the_nonsense_it_calls_close(capsys):
    def best(score: float, meaning: int | None, sound: float, right: bool | None = None) -> Best:
        return Best("q", "/lib/a.wav", score, meaning, 0.5 if meaning else None, 1, sound, score < 40, right)

    measured = Measured(
        real=[best(45, 1, 1.0, True), best(30, 1, 1.45, True), best(20, 1, 1.1, True), best(35, 2, 1.2, False)],
        nonsense=[best(41, 1, 1.1), best(12, None, 1.5)],
        gibberish=[best(25, 3, 1.3)],
    )
    print_tallies("four real, two nonsense, one gibberish", measured)
    lines = capsys.readouterr().out.splitlines()
    rows = {name: cells for name, *cells in (re.split(r"\s{2,}", line.strip()) for line in lines)}
    # right flagged, wrong flagged, nonsense close, gibberish close
    assert rows["match >= 40 (review 9)"] == ["2 / 3", "1 / 1", "1 / 2", "0 / 1"]
    # the nonsense the sound alone ranked is never close, however like the query it sounds
    assert rows["match >= 40 or meant & sound >= 1.40"] == ["1 / 3", "1 / 1", "1 / 2", "0 / 1"]
    assert rows["match >= 40 or meaning #1 & sound #<=1"] == ["0 / 3", "1 / 1", "1 / 2", "0 / 1"]


def test_the_nonsense_and_the_gibberish_are_the_same_every_run():
    nonsense = json.loads(NONSENSE.read_text(encoding="utf-8"))["nonsense"]
    assert len(nonsense) == len(set(nonsense)) == 32
    strings = gibberish()
    assert strings == gibberish() and len(strings) == 300 and strings != gibberish(seed=1)
    assert all(re.fullmatch(r"[a-z]{4,9}( [a-z]{4,9})?", s) for s in strings)
