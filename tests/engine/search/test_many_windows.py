"""A long file's best window is judged against the luck of its many windows (review 12: music
tracks of 25 windows filled 58 of 190 first-ten rows of effect queries), on a real LanceDB, with
vectors placed at chosen cosines to the query so every score is known."""

from __future__ import annotations

import numpy as np
import pytest

from engine.search import Searcher, describe_hit
from engine.search.fusion import FusionWeights
from engine.search.many_windows import fair_to_short, judged
from engine.search.vector_search import nearest_by_sound, nearest_files
from tests.engine.index.index_factories import record
from tests.engine.search.test_sound_ranking import MODEL, QUERY, SOUND, hearing, placed

LONG = 30  # windows of a 15-second take at the test model's 1 s windows, half-window hop


def luck_of(windows: int, spread: float) -> float:
    return FusionWeights.luck * spread * np.sqrt(2 * np.log(windows))


def test_one_window_loses_nothing_and_a_file_never_scores_below_its_windows_mean():
    best, mean = np.array([0.7, 0.7, 0.7]), np.array([0.1, 0.1, 0.69])
    scored = judged(best, mean, np.array([1, LONG, LONG]), 0.2)
    assert scored[0] == pytest.approx(0.7)
    assert scored[1] == pytest.approx(0.7 - luck_of(LONG, 0.2))
    assert scored[2] == pytest.approx(0.69)  # matches throughout: its mean, above its judged best


def test_a_long_files_lucky_window_ranks_below_a_short_sound_that_answers(store):
    short, lucky = store.commit_embedded(
        MODEL,
        [
            (record("door.wav"), placed([0.6], [0.0], 1)),
            (record("music.ogg"), placed([0.7] + [0.0] * (LONG - 1), [0.0] * LONG, 2)),
        ],
    )
    table = store.embeddings(MODEL)
    best_window = nearest_files(table, QUERY, 2)
    assert [m.file_id for m in best_window] == [lucky.id, short.id]  # as the sound ranked before

    ranked = fair_to_short(best_window, table, QUERY)
    assert [m.file_id for m in ranked] == [short.id, lucky.id]
    door, music = ranked
    assert door.score == pytest.approx(0.6, abs=1e-5) and door.lost is None
    spread = float((table.sample(2_000) @ QUERY).std())
    assert music.lost == pytest.approx(luck_of(LONG, spread), abs=1e-4)
    assert music.start_s == 0.0  # its moment is still its best window


def test_music_asked_for_as_music_keeps_its_place(store):
    """A long file near the query throughout scores its windows' mean, not its judged best."""
    short, track = store.commit_embedded(
        MODEL,
        [(record("door.wav"), placed([0.6], [0.0], 1)), (record("music.ogg"), placed([0.7] * LONG, [0.0] * LONG, 2))],
    )
    table = store.embeddings(MODEL)
    ranked = fair_to_short(nearest_files(table, QUERY, 2), table, QUERY)
    assert [m.file_id for m in ranked] == [track.id, short.id]
    assert ranked[0].score == pytest.approx(0.7, abs=1e-4)


def test_what_the_query_heard_as_a_sound_is_judged_with_the_cosine(store):
    """Both spaces' bests are the luck of the same windows: a file's two bests, less both spreads'
    luck, against the sum of its two means."""
    short, lucky = store.commit_embedded(
        MODEL,
        [
            (record("door.wav"), placed([0.5], [0.5], 1)),
            (record("music.ogg"), placed([0.6] + [0.0] * (LONG - 1), [0.0] * (LONG - 1) + [0.6], 2)),
        ],
    )
    table, likeness = store.embeddings(MODEL), store.likeness(MODEL)
    both = nearest_by_sound(table, QUERY, likeness, SOUND, 2)
    assert [m.file_id for m in both] == [lucky.id, short.id]  # 1.2 against 1.0
    ranked = fair_to_short(both, table, QUERY, likeness, SOUND)
    spread = float((table.sample(2_000) @ QUERY).std()) + float((likeness.sample(2_000) @ SOUND).std())
    assert [m.file_id for m in ranked] == [short.id, lucky.id]
    assert ranked[1].score == pytest.approx(1.2 - luck_of(LONG, spread), abs=1e-4)
    assert ranked[1].heard == pytest.approx(0.6, abs=1e-5)  # what the sound added, as found


def test_a_search_says_what_a_long_file_lost(store, tiny_model):
    """The app's search ranks so, and ``--explain`` says why the long file is where it is."""
    model = hearing(tiny_model)
    query = model.embed_query(["dog bark"])[0]
    store.commit_embedded(
        model.info,
        [
            (record("bark.wav"), placed([0.6], [0.5], 1, query)),
            (record("music.ogg"), placed([0.7] + [0.0] * (LONG - 1), [0.5] + [0.0] * (LONG - 1), 2, query)),
        ],
    )
    hits = Searcher(store, model).search("dog bark")
    assert [h.name for h in hits] == ["bark.wav", "music.ogg"]
    assert hits[0].vector_lost is None and hits[1].vector_lost > 0
    asked_long = Searcher(store, model).search("dog bark long")  # the take that holds the bark is what is asked
    assert [h.vector_lost for h in asked_long] == [None, None]
    line = describe_hit(hits[1])
    assert "as the best of many windows" in line and f"cos 0.700 + heard 0.500 - {hits[1].vector_lost:.3f}" in line


def test_find_similar_judges_a_long_files_best_pair_against_its_windows_luck(store, tiny_model):
    """Review 12: a motor's "more like this" listed 17 music tracks in its first 30. A long file
    whose one window comes near the example ranks below a short sound nearer than its other windows."""
    model = hearing(tiny_model)
    query = model.embed_query(["motor"])[0]  # the audio-text windows only need the model's size
    example, _short, _lucky = store.commit_embedded(
        model.info,
        [
            (record("motor.wav"), placed([0.0], [1.0], 1, query)),
            (record("engine.wav"), placed([0.0], [0.6], 2, query)),
            (record("music.ogg"), placed([0.0] * LONG, [0.7] + [0.0] * (LONG - 1), 3, query)),
        ],
    )
    before = Searcher(store, model, weights=FusionWeights(luck=0.0)).similar(example.path)
    assert [h.name for h in before] == ["music.ogg", "engine.wav"]
    now = Searcher(store, model).similar(example.path)
    assert [h.name for h in now] == ["engine.wav", "music.ogg"]
    assert now[1].vector_lost > 0 and now[0].vector_lost is None
