"""Whether a search found anything close to its query (review 9, L7): "xyzzy" matches no word of the
library, yet its list ranks every sound, and the app played the first. On a real LanceDB with the
tiny model, the names' meanings placed at a chosen cosine to the query's, so the fusion is known."""

from __future__ import annotations

import numpy as np
import pytest

from engine.search import Searcher
from engine.search.searcher import CLOSE_MATCH, HEARD_CLOSE
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import at_cosine, one_window
from tests.engine.search.test_sound_ranking import hearing, placed

QUERY = "xyzzy"  # no word of any name below, nor a typo of one
HEARD = "dog bark"  # what the hearing model hears as a sound (test_sound_ranking.hearing); no word of a name below


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def library(store, model, meanings: dict[str, float], query: str = QUERY, likeness: list[float] = ()) -> Searcher:
    """A file per name, each sounding a little less like ``query`` than the one before, and whose
    name means ``query`` at the cosine given (0.3 or less: it means nothing of it). With
    ``likeness`` (a hearing model's) each file's likeness window is at that cosine to the query's
    sound too, which its sound score adds."""
    heard = unit(model.embed_query([query])[0])
    meant = unit(model.embed_words([query])[0])
    windows = [
        placed([0.6 - 0.1 * k], [likeness[k]], seed=k, query=heard)
        if likeness
        else one_window(at_cosine(heard, 0.6 - 0.1 * k, seed=k))
        for k in range(len(meanings))
    ]
    files = store.commit_embedded(model.info, [(record(name), w) for name, w in zip(meanings, windows, strict=True)])
    cosines = meanings.values()
    store.word_vectors(model.info.name, dim=len(meant)).put(
        {f.id: (f.name,) for f in files},
        {f.name: at_cosine(meant, c, seed=50 + k) for k, (f, c) in enumerate(zip(files, cosines, strict=True))},
    )
    store.optimize()
    return Searcher(store, model)


def test_a_name_meaning_the_query_well_is_close_and_one_meaning_it_weakly_is_not(store, tiny_model):
    searcher = library(store, tiny_model, {"gate_creak.wav": 0.45, "thunder.wav": 0.2, "rain_soft.wav": 0.1})
    weak = searcher.search(QUERY, limit=500)
    assert weak[0].name == "gate_creak.wav" and weak[0].meaning_rank == 1 and weak[0].text_rank is None
    assert weak.nothing_close

    store.word_vectors(tiny_model.info.name).put(
        {weak[0].id: ("gate creak",)}, {"gate creak": at_cosine(unit(tiny_model.embed_words([QUERY])[0]), 0.95)}
    )
    strong = searcher.search(QUERY, limit=500)
    assert strong[0].name == "gate_creak.wav" and not strong.nothing_close


@pytest.mark.parametrize(
    ("meaning", "likeness", "close"),
    [(0.45, 0.9, True), (0.45, 0.3, False), (0.2, 0.9, False)],
    ids=["means-weakly-sounds-alike", "means-weakly-sounds-unlike", "sound-alone"],
)
def test_a_best_hit_whose_name_means_the_query_weakly_is_close_when_it_sounds_more_like_it_than_nonsense_does(
    store, tiny_model, meaning, likeness, close
):
    """Review 13, H2: "crowd cheering" matched 29 Applause.wav at 36, first by what its name means
    and by the sound, which scored it 1.45 (no nonsense's best scored 1.32): the app disowned it.
    A sound as like the query, where no name means anything of it, is still no answer."""
    model = hearing(tiny_model)
    searcher = library(store, model, {"gate_creak.wav": meaning, "thunder.wav": 0.2}, HEARD, [likeness, 0.1])
    hits = searcher.search(HEARD, limit=500)
    best = hits[0]
    assert best.name == "gate_creak.wav" and best.text_rank is None
    assert best.vector_score == pytest.approx(0.6 + likeness, abs=1e-5)
    assert (best.meaning_rank == 1 and best.score < CLOSE_MATCH) if meaning > 0.3 else best.score == 100.0
    assert (best.vector_score >= HEARD_CLOSE) == (likeness == 0.9)
    assert hits.nothing_close is not close


def test_a_list_the_sound_alone_ranked_is_never_close_though_its_best_scores_100(store, tiny_model):
    """No name means anything of the query: the sound is the whole score, and its best is 100
    whatever was typed, so the score cannot say it is close."""
    searcher = library(store, tiny_model, {"gate_creak.wav": 0.2, "thunder.wav": 0.1, "rain_soft.wav": 0.0})
    by_sound = searcher.search(QUERY, limit=500)
    assert [h.meaning_rank for h in by_sound] == [None, None, None] and by_sound[0].score == 100.0
    assert by_sound.nothing_close


def test_a_word_found_or_nothing_ranked_is_not_said_to_be_far(store, tiny_model):
    searcher = library(store, tiny_model, {"gate_creak.wav": 0.2, "thunder.wav": 0.1, "rain_soft.wav": 0.0})
    thunder = searcher.search("thunder", limit=500)
    assert thunder[0].name == "thunder.wav" and thunder[0].text_rank == 1
    assert not thunder.nothing_close  # its other sounds, no word found, do not make it far
    for asked in ("", "-rain"):  # a browse, and a query that only excludes: lists nothing ranked
        listed = searcher.search(asked, limit=500)
        assert listed and not listed.nothing_close
    words_only = Searcher(store, None).search(QUERY, limit=500)  # no model: nothing listed, which says so itself
    assert words_only == [] and not words_only.nothing_close
