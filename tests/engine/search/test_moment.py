"""The moment a search shows in a long file: shown only when its window stands out (the searcher, on a
real LanceDB with the real tiny model), and narrowed to where in the window the sound is (real
audio files the tests write)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from engine.index import Windows
from engine.search import Searcher
from engine.search.moment import narrowed
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import at_cosine
from tests.factories import noise, tone, write_audio

RATE = 16_000


def take(query: np.ndarray, cosines: np.ndarray, seed: int) -> Windows:
    """A long take's windows, 10 s long every 5 s, at these cosines to ``query``."""
    starts = 5.0 * np.arange(len(cosines))
    return Windows(starts, starts + 10.0, np.stack([at_cosine(query, c, seed=seed + i) for i, c in enumerate(cosines)]))


def bed_cosines(count: int, seed: int) -> np.ndarray:
    """Window scores of a take that holds nothing the query asks for: all about alike."""
    return 0.3 + np.random.default_rng(seed).uniform(-0.02, 0.02, count)


def test_a_long_file_found_by_its_name_shows_a_moment_only_where_its_sound_stands_out(store, tiny_model):
    """Two 3-minute takes named for a dog bark, both among the sound's first candidates: the one
    whose windows all score alike gets no moment (its best window is the best of the bed, and
    playing from it plays bed); the one with a window far above its others gets that window. A
    take the sound alone lists keeps its moment however flat: that window is why it is listed."""
    query = tiny_model.embed_query(["dog bark"])[0]
    query = query / np.linalg.norm(query)
    flat = bed_cosines(35, seed=1)
    standing = bed_cosines(35, seed=2)
    standing[20] = 0.6
    store.commit_embedded(
        tiny_model.info,
        [
            (record("dog bark field take.wav", duration_s=180.0), take(query, flat, seed=100)),
            (record("dog bark yard take.wav", duration_s=180.0), take(query, standing, seed=200)),
            (record("Take_017.wav", duration_s=180.0), take(query, bed_cosines(35, seed=3) + 0.01, seed=300)),
        ],
    )
    by_name = {hit.name: hit for hit in Searcher(store, tiny_model).search("dog bark")}
    field, yard, opaque = by_name["dog bark field take.wav"], by_name["dog bark yard take.wav"], by_name["Take_017.wav"]
    assert field.text_rank is not None and field.vector_rank is not None  # found by its name, ranked by its sound
    assert (field.best_start_s, field.best_end_s) == (None, None)
    assert (yard.best_start_s, yard.best_end_s) == (100.0, 110.0)
    assert opaque.text_rank is None and opaque.best_start_s is not None


def test_a_file_found_by_its_name_too_short_to_judge_plays_from_its_start(store, tiny_model):
    """ "anvil" started anvil_loop.ogg (25 s, found by its name) 15 s in: a few windows have no
    median to stand out from, and the name says the whole file answers. The same take under an
    opaque name, which the sound alone lists, keeps the window the sound found."""
    query = tiny_model.embed_query(["anvil"])[0]
    query = query / np.linalg.norm(query)
    cosines = np.array([0.3, 0.32, 0.6, 0.31])  # its third window stands far above the others
    store.commit_embedded(
        tiny_model.info,
        [
            (record("anvil_loop.ogg", duration_s=25.0), take(query, cosines, seed=10)),
            (record("Take_018.wav", duration_s=25.0), take(query, cosines, seed=20)),
        ],
    )
    by_name = {hit.name: hit for hit in Searcher(store, tiny_model).search("anvil")}
    named, opaque = by_name["anvil_loop.ogg"], by_name["Take_018.wav"]
    assert named.text_rank is not None and (named.best_start_s, named.best_end_s) == (None, None)
    assert opaque.text_rank is None and (opaque.best_start_s, opaque.best_end_s) == (10.0, 20.0)


def between(first: np.ndarray, second: np.ndarray, along_first: float, along_second: float, seed: int) -> np.ndarray:
    """A unit vector ``along_first`` toward ``first`` and ``along_second`` toward the part of
    ``second`` that ``first`` does not hold, the rest at random away from both."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(np.column_stack([first, second, rng.standard_normal((len(first), 1))]))
    basis *= np.sign(np.diag(basis.T @ np.column_stack([first, second, basis[:, 2]])))  # QR may flip a column
    rest = np.sqrt(1 - along_first**2 - along_second**2)
    return (basis @ np.array([along_first, along_second, rest])).astype(np.float32)


def test_a_moment_is_judged_by_the_alternative_that_found_it(store, tiny_model):
    """``dog bark OR siren``: a take whose windows all score alike for the bark, and one of them far
    above the others for the siren, keeps that window (the siren's alternative found it); a take
    flat for both gets none."""
    bark, siren = (v / np.linalg.norm(v) for v in tiny_model.embed_query(["dog bark", "siren"]))
    starts = 5.0 * np.arange(35)

    def take_of(siren_part: np.ndarray, seed: int) -> Windows:
        parts = zip(bed_cosines(35, seed), siren_part, strict=True)
        vectors = np.stack([between(bark, siren, c, s, seed=seed * 100 + i) for i, (c, s) in enumerate(parts)])
        return Windows(starts, starts + 10.0, vectors)

    flat_siren = np.random.default_rng(8).uniform(-0.02, 0.02, 35)
    standing_siren = flat_siren.copy()
    standing_siren[7] = 0.9
    store.commit_embedded(
        tiny_model.info,
        [
            (record("siren and dog bark street take.wav", duration_s=180.0), take_of(standing_siren, seed=5)),
            (record("siren and dog bark field take.wav", duration_s=180.0), take_of(flat_siren, seed=6)),
        ],
    )
    by_name = {hit.name: hit for hit in Searcher(store, tiny_model).search("dog bark OR siren")}
    street, field = by_name["siren and dog bark street take.wav"], by_name["siren and dog bark field take.wav"]
    assert (street.best_start_s, street.best_end_s) == (35.0, 45.0)
    assert (field.best_start_s, field.best_end_s) == (None, None)


def bed_with_event(path, seconds: float, event_at: float, event: np.ndarray):
    """A take of low noise with ``event`` at ``event_at`` seconds."""
    audio = noise(seconds, RATE, amp=0.002, seed=5)
    start = round(event_at * RATE)
    audio[start : start + len(event)] += event
    return write_audio(path, audio, RATE)


def test_a_window_narrows_to_the_sound_in_it(tmp_path):
    """A 0.8-s bark in a 10.24-s window of quiet bed: the moment is the bark, from just before it so
    that playing it plays its attack, not the window."""
    path = bed_with_event(tmp_path / "take.wav", 40.0, 23.3, tone(700, 0.8, RATE, amp=0.4))
    start, end = narrowed(path, (20.48, 30.72))
    assert 23.0 <= start <= 23.3 and end == pytest.approx(24.1, abs=0.06)


def test_one_sound_with_a_short_pause_inside_is_one_moment(tmp_path):
    """Two barks 0.2 s apart are one moment, from the first to the end of the second."""
    bark = tone(700, 0.4, RATE, amp=0.4)
    twice = np.concatenate([bark, np.zeros(round(0.2 * RATE), np.float32), 0.7 * bark])
    path = bed_with_event(tmp_path / "take.wav", 40.0, 12.0, twice)
    start, end = narrowed(path, (10.24, 20.48))
    assert 11.7 <= start <= 12.0 and end == pytest.approx(13.0, abs=0.06)


def test_a_window_holding_two_sounds_as_loud_stays_whole(tmp_path):
    """A bark and a car door as loud, 4 s apart: which of them was asked for, their levels cannot
    say, so the moment stays the window (narrowed to the wrong one, it would play the door)."""
    path = bed_with_event(tmp_path / "take.wav", 40.0, 12.0, tone(700, 0.5, RATE, amp=0.4))
    audio, _ = sf.read(path, dtype="float32")
    audio[16 * RATE : round(16.5 * RATE)] += noise(0.5, RATE, amp=0.25, seed=7)
    write_audio(path, audio, RATE)
    assert narrowed(path, (10.24, 20.48)) == (10.24, 20.48)


def test_a_window_where_nothing_stands_out_stays_whole(tmp_path):
    """Steady rain: no part of the window is louder than the rest, so no part is the sound."""
    path = write_audio(tmp_path / "rain.wav", noise(40.0, RATE, amp=0.1, seed=6), RATE)
    assert narrowed(path, (10.24, 20.48)) == (10.24, 20.48)


def test_a_short_window_says_where_the_sound_is_already(tmp_path):
    path = bed_with_event(tmp_path / "beep.wav", 4.0, 2.0, tone(900, 0.5, RATE))
    assert narrowed(path, (1.28, 2.56)) == (1.28, 2.56)
