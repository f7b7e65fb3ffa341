"""The sound ranking of a model that also hears its queries as sounds (query_likeness): a file
scores its best audio-text window's cosine plus its best likeness window's dot product with the
query's sound, on a real LanceDB. Vectors are placed at chosen cosines to the query and to its
sound, so every score is known exactly."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from engine.index import Windows
from engine.index.word_vectors import sync_word_vectors
from engine.models.base import LikenessSpace
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.exemplars import ExemplarConfig, Exemplars
from engine.search import Searcher, describe_hit
from engine.search.vector_search import Passing, nearest_by_sound
from tests.engine.index.index_factories import model_info, record
from tests.engine.search.search_factories import at_cosine, one_window
from tests.factories import make_tiny_cacophony

SPACE = LikenessSpace("like-v1", unrelated=0.5)
MODEL = model_info(dim=8, likeness=SPACE)
QUERY = np.eye(8, dtype=np.float32)[0]
SOUND = np.eye(6, dtype=np.float32)[0]
EVERY_FILE = Passing()


def placed(text: list[float], heard: list[float], seed: int, query: np.ndarray = QUERY) -> Windows:
    """Windows 5 s apart whose audio-text vectors are at ``text`` cosines to ``query`` and whose
    likeness vectors are at ``heard`` cosines to :data:`SOUND`."""
    starts = 5.0 * np.arange(len(text))
    return Windows(
        starts,
        starts + 5.0,
        np.stack([at_cosine(query, c, seed + i) for i, c in enumerate(text)]),
        np.stack([at_cosine(SOUND, c, seed + 50 + i) for i, c in enumerate(heard)]),
    )


def assert_ranked(store, files, expected, sound: np.ndarray = SOUND, n_files: int = 2, passing: Passing = EVERY_FILE):
    """``nearest_by_sound``'s files, best first, are ``expected``: (name, score, heard, start) each."""
    names = {f.id: f.name for f in files}
    matches = nearest_by_sound(store.embeddings(MODEL), QUERY, store.likeness(MODEL), sound, n_files, passing)
    assert [names[m.file_id] for m in matches] == [name for name, *_ in expected]
    numbers = [(m.score, m.heard, m.start_s) for m in matches]
    np.testing.assert_allclose(np.reshape(numbers, (-1, 3)), np.reshape([e[1:] for e in expected], (-1, 3)), atol=1e-5)


def test_a_candidate_of_either_side_gets_its_exact_score_on_the_other(store):
    """By cosine the two first are a and b, by likeness c and d: a and c lead by their sums,
    each scored on its other side by a lookup, neither dropped nor guessed at."""
    files = store.commit_embedded(
        MODEL,
        [
            (record("a.wav"), placed([0.9], [0.3], 1)),
            (record("b.wav"), placed([0.8], [-0.5], 2)),
            (record("c.wav"), placed([0.1, 0.2], [0.95, 0.0], 3)),  # heard at 0 s, its moment at 5 s
            (record("d.wav"), placed([-0.3], [0.9], 4)),
        ],
    )
    expected = [
        ("a.wav", 1.2, 0.3, 0.0),
        ("c.wav", 1.15, 0.95, 5.0),
        ("d.wav", 0.6, 0.9, 0.0),
        ("b.wav", 0.3, -0.5, 0.0),
    ]
    assert_ranked(store, files, expected[:2])
    assert_ranked(store, files, expected, n_files=4)
    # a file that does not pass is no candidate on either side
    without_c = Passing(total=len(files)).without([files[2].id])
    assert_ranked(store, files, [expected[0], expected[2]], passing=without_c)


def test_the_sum_decides_and_the_sounds_length_is_what_the_likeness_weighs(store):
    """x is second by cosine and first by likeness: its likeness lead outweighs its cosine gap
    when the query's sound is of unit length, and not at a tenth of it."""
    files = store.commit_embedded(
        MODEL, [(record("x.wav"), placed([0.7], [0.6], 1)), (record("y.wav"), placed([0.8], [0.1], 2))]
    )
    assert_ranked(store, files, [("x.wav", 1.3, 0.6, 0.0), ("y.wav", 0.9, 0.1, 0.0)])
    assert_ranked(store, files, [("y.wav", 0.81, 0.01, 0.0), ("x.wav", 0.76, 0.06, 0.0)], sound=0.1 * SOUND)


def test_a_file_with_likeness_windows_only_is_left_out(store):
    """The likeness table is shared by every model of the space: a file another model embedded
    has windows there, none in this model's table, and no audio-text score to add to."""
    (other,) = store.commit_embedded(
        model_info("other-model", dim=8, likeness=SPACE), [(record("e.wav"), placed([0.9], [0.99], 1))]
    )
    files = store.commit_embedded(MODEL, [(record("f.wav"), placed([0.5], [0.5], 2))])
    assert other.id in store.likeness(MODEL).file_ids()
    assert_ranked(store, [other, *files], [("f.wav", 1.0, 0.5, 0.0)])


def hearing(model: CacophonyBackend) -> CacophonyBackend:
    """``model`` with a likeness space and an exemplar bank of two clips, one per caption:
    "dog bark" is heard as :data:`SOUND` exactly (its nearest clip alone)."""
    heard = copy.copy(model)
    heard.info = replace(model.info, likeness=SPACE)
    captions = model.embed_words(["dog bark", "rain"])
    heard.exemplars = Exemplars(captions, np.arange(2), np.arange(2), np.eye(2, 6, dtype=np.float32), ExemplarConfig(1))
    return heard


@pytest.fixture
def hearing_model(tiny_model):
    return hearing(tiny_model)


def sound_hits(hits) -> list[tuple]:
    return [(h.name, h.vector_rank, h.vector_score, h.vector_heard, h.score) for h in hits]


def test_a_search_adds_the_likeness_of_the_querys_sound_once_every_file_has_likeness_windows(store, hearing_model):
    query = hearing_model.embed_query(["dog bark"])[0]
    np.testing.assert_allclose(hearing_model.query_likeness(["dog bark"]), SOUND[None], atol=1e-6)
    store.commit_embedded(
        hearing_model.info,
        [
            (record("one.wav"), placed([0.6], [0.9], 1, query)),
            (record("two.wav"), placed([0.8], [0.0], 2, query)),
            (record("three.wav"), placed([0.7], [0.3], 3, query)),
        ],
    )
    deaf = copy.copy(hearing_model)
    deaf.exemplars = None  # the same model and likeness space, no bank: queries are not heard
    hits = Searcher(store, hearing_model).search("dog bark")
    assert [h.name for h in hits] == ["one.wav", "three.wav", "two.wav"]
    assert [h.vector_score for h in hits] == pytest.approx([1.5, 1.0, 0.8], abs=1e-5)
    assert [h.vector_heard for h in hits] == pytest.approx([0.9, 0.3, 0.0], abs=1e-5)
    assert "vector #1 score=1.500 (cos 0.600 + heard 0.900)" in describe_hit(hits[0])
    plain = Searcher(store, deaf).search("dog bark")
    assert [h.name for h in plain] == ["two.wav", "three.wav", "one.wav"]
    assert [h.vector_score for h in plain] == pytest.approx([0.8, 0.7, 0.6], abs=1e-5)
    assert [h.vector_heard for h in plain] == [None, None, None]
    line = describe_hit(plain[0])
    assert "vector #1 cos=0.800" in line and "heard" not in line

    # a file embedded before the model had its likeness space: until it is, the cosines alone rank
    (old,) = store.upsert_files([record("four.wav")])
    store.embeddings(hearing_model.info).replace({old.id: one_window(at_cosine(query, 0.75, 4))})
    incomplete = Searcher(store, hearing_model).search("dog bark")
    assert [h.name for h in incomplete] == ["two.wav", "four.wav", "three.wav", "one.wav"]
    assert sound_hits(incomplete) == sound_hits(Searcher(store, deaf).search("dog bark"))


def test_whether_every_file_is_heard_is_worked_out_again_only_once_a_table_changed(store, hearing_model, monkeypatch):
    """The app makes a Searcher per search: what the last one found is kept with the store's tables,
    and a file added, removed or losing its likeness windows is seen by the next search."""
    query = hearing_model.embed_query(["dog bark"])[0]
    one, two = store.commit_embedded(
        hearing_model.info,
        [(record("one.wav"), placed([0.6], [0.9], 1, query)), (record("two.wav"), placed([0.8], [0.0], 2, query))],
    )
    likeness_table = store.likeness(hearing_model.info)
    asked, likeness = [], store.likeness
    monkeypatch.setattr(store, "likeness", lambda model: asked.append(model) or likeness(model))

    def heard() -> list[float | None]:
        return [h.vector_heard for h in Searcher(store, hearing_model).search("dog bark")]

    assert heard() == heard() == pytest.approx([0.9, 0.0], abs=1e-5)
    assert len(asked) == 1  # the second search knew
    (added,) = store.upsert_files([record("three.wav")])  # audio-text windows only: not every file is heard
    store.embeddings(hearing_model.info).replace({added.id: one_window(at_cosine(query, 0.7, 3))})
    assert heard() == [None, None, None]
    store.delete_files([added.id])
    assert heard() == pytest.approx([0.9, 0.0], abs=1e-5)
    likeness_table.delete([two.id])  # the likeness table alone changed
    assert heard() == [None, None]
    assert len(asked) == 4


def test_a_query_of_several_alternatives_runs_the_sentence_tower_once(tmp_path, store):
    """Its words are asked for by the meaning of names and by query_likeness, on two threads."""
    frozen, tokenizer = make_tiny_cacophony(tmp_path / "frozen", text_frozen=True)
    model = hearing(CacophonyBackend(frozen, tokenizer, "tiny-frozen"))
    query = model.embed_query(["dog bark"])[0]
    files = store.commit_embedded(
        model.info,
        [(record("one.wav"), placed([0.6], [0.9], 1, query)), (record("two.wav"), placed([0.8], [0.0], 2, query))],
    )
    sync_word_vectors(store, model.info.name, model.embed_words, [f.id for f in files])  # the meaning ranks names
    passes = []
    hook = model._sentence_tower().register_forward_hook(lambda *_: passes.append(1))
    try:
        hits = Searcher(store, model).search("dog barking OR rain falling")
    finally:
        hook.remove()
    assert len(passes) == 1
    assert {h.name for h in hits} == {"one.wav", "two.wav"}
    assert all(h.vector_heard is not None and h.meaning_rank is not None for h in hits)  # both rankings asked
