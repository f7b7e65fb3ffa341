"""Window-to-file aggregation and the fusion in which the names lead and the sound only adds."""

from __future__ import annotations

import numpy as np

from engine.index.vectors import WindowMatches
from engine.search.fusion import FileMatch, FusionWeights, best_window_per_file, file_matches, fuse, keep_best

SOUND_ONLY_ADDS = FusionWeights(meaning=0.75, sound=0.3, meaning_floor=0.3)


def matches(*rows) -> WindowMatches:
    ids, starts, scores = zip(*rows, strict=False)
    return WindowMatches(np.array(ids), np.array(starts, float), np.array(starts, float) + 10, np.array(scores))


def test_best_window_per_file_over_several_lists():
    first = matches((1, 0.0, 0.2), (2, 0.0, 0.5), (1, 30.0, 0.9))
    second = matches((2, 5.0, 0.95), (3, 0.0, 0.1), (1, 60.0, 0.9))  # file 1 ties: earlier window wins
    files = file_matches(best_window_per_file([first, second]))
    assert [(m.file_id, m.start_s, m.end_s, m.score) for m in files] == [
        (2, 5.0, 15.0, 0.95),
        (1, 30.0, 40.0, 0.9),
        (3, 0.0, 10.0, 0.1),
    ]
    assert len(best_window_per_file([])) == 0 and file_matches(best_window_per_file([])) == []


def test_keep_best_merges_alternatives():
    merged = keep_best([FileMatch(1, 0.3), FileMatch(2, 0.8), FileMatch(1, 0.9)])
    assert merged == [FileMatch(1, 0.9), FileMatch(2, 0.8)]


def test_the_sound_reorders_close_keyword_matches_but_never_buries_a_clear_one():
    text = [FileMatch(1, 10.0), FileMatch(2, 9.5), FileMatch(3, 2.0)]  # 1 and 2 close, 3 far behind
    vector = [FileMatch(2, 0.40), FileMatch(3, 0.39), FileMatch(9, 0.35), FileMatch(1, 0.10)]
    fused = fuse(vector, text, weights=SOUND_ONLY_ADDS)
    assert [h.file_id for h in fused] == [2, 1, 3, 9]  # 2 overtakes 1; 3 keeps its place above sound-only 9
    assert fused[0].score == 100.0 * (0.95 + 0.3) / 1.3
    assert (fused[0].vector_rank, fused[0].text_rank, fused[0].text_score) == (1, 2, 9.5)
    assert (fused[3].text_rank, fused[3].text_score, fused[3].vector_rank) == (None, None, 3)


def test_a_strong_sound_match_fills_in_below_the_name_matches():
    text = [FileMatch(1, 10.0), FileMatch(2, 1.0)]  # 2 matched one common word only
    vector = [FileMatch(7, 0.5), FileMatch(1, 0.2), FileMatch(2, 0.1)]
    assert [h.file_id for h in fuse(vector, text, weights=SOUND_ONLY_ADDS)] == [1, 7, 2]


def test_without_keyword_matches_the_order_is_the_vector_ranking():
    vector = [FileMatch(5, 0.31), FileMatch(4, 0.30), FileMatch(6, 0.30), FileMatch(8, 0.1)]
    fused = fuse(vector, [], weights=SOUND_ONLY_ADDS)
    assert [h.file_id for h in fused] == [5, 4, 6, 8]  # the tie keeps the vector ranking's order
    assert [round(h.score, 1) for h in fused] == [100.0, 95.2, 95.2, 0.0]
    assert [h.file_id for h in fuse([], [FileMatch(3, 1.0), FileMatch(2, 0.5)])] == [3, 2]


def test_meaning_finds_names_that_share_no_word_and_reorders_keyword_matches():
    """ "whoosh": no name holds the word; sword_slash means it, rain_loop does not."""
    meaning = [FileMatch(4, 0.72), FileMatch(5, 0.30), FileMatch(6, 0.10)]  # 5 at the floor, 6 below
    vector = [FileMatch(6, 0.5), FileMatch(4, 0.4), FileMatch(5, 0.3)]
    fused = fuse(vector, [], meaning, SOUND_ONLY_ADDS)
    assert [h.file_id for h in fused] == [4, 6, 5]  # the meaning leads; the sound orders the rest
    assert (fused[0].meaning_rank, fused[0].meaning_score, fused[1].meaning_rank) == (1, 0.72, None)
    assert fused[0].score == 100.0 * (0.75 * 0.6 + 0.3 * 0.5) / (0.75 + 0.3)

    text = [FileMatch(1, 10.0), FileMatch(2, 9.0)]  # close keyword matches: the one meaning more wins
    meaning = [FileMatch(2, 0.9), FileMatch(1, 0.4)]
    assert [h.file_id for h in fuse([], text, meaning, SOUND_ONLY_ADDS)] == [2, 1]
    text = [FileMatch(1, 10.0), FileMatch(2, 2.0)]  # a clear keyword lead holds
    assert [h.file_id for h in fuse([], text, meaning, SOUND_ONLY_ADDS)] == [1, 2]


def test_names_that_mean_nothing_leave_the_vector_ranking_as_it_is():
    """Take_017.wav: every name below the floor counts as no meaning at all."""
    vector = [FileMatch(5, 0.31), FileMatch(4, 0.30), FileMatch(8, 0.1)]
    meaning = [FileMatch(8, 0.29), FileMatch(4, 0.25)]
    fused = fuse(vector, [], meaning, SOUND_ONLY_ADDS)
    assert [h.file_id for h in fused] == [5, 4, 8] and fused[0].score == 100.0


def test_weights_of_zero_rank_by_what_is_left():
    """A sweep tries meaning 0 and sound 0: the keyword order, and no division by a zero best."""
    vector, meaning = [FileMatch(1, 0.9)], [FileMatch(1, 0.8), FileMatch(2, 0.7)]
    nothing = FusionWeights(meaning=0.0, sound=0.0)
    assert [h.file_id for h in fuse(vector, [FileMatch(2, 3.0), FileMatch(1, 1.0)], meaning, nothing)] == [2, 1]
    assert {h.score for h in fuse(vector, [], meaning, nothing)} == {0.0}


def test_a_length_asked_for_puts_the_sounds_of_it_first_and_keeps_the_others():
    """ "big explosion long": 1 and 2 are named "big explosion" (1 s), 3 only "explosion" (6 s)."""
    text = [FileMatch(1, 14.0), FileMatch(2, 14.0), FileMatch(3, 8.0)]
    vector = [FileMatch(9, 0.5), FileMatch(1, 0.4)]  # 9: found by the sound alone, 8 s long
    assert [h.file_id for h in fuse(vector, text, weights=SOUND_ONLY_ADDS)] == [1, 2, 3, 9]
    fused = fuse(vector, text, weights=SOUND_ONLY_ADDS, lengths={1: 0.1, 2: 0.0, 3: 1.0, 9: 1.0})
    assert [h.file_id for h in fused] == [3, 1, 2, 9]
    assert [h.length_fit for h in fused] == [1.0, 0.1, 0.0, 1.0]
    assert fused[0].score == 100.0 * (8.0 / 14.0) * 2 / ((1.0 + 0.3) * 2)  # out of a match of every kind
    assert all(h.length_fit is None for h in fuse(vector, text, weights=SOUND_ONLY_ADDS))


def test_a_file_holding_only_the_qualifier_follows_the_sound_named_unless_it_sounds_like_it():
    """Review 9, M2, "footsteps on gravel": 1 is named "gravel" (rare: BM25 13.3), 2 and 3 are
    footsteps (4.8). The name of where a sound happens names another sound, unless the file
    sounds like the query."""
    text = [FileMatch(1, 13.3), FileMatch(2, 4.8), FileMatch(3, 4.8)]
    unheard = [FileMatch(2, 0.5), FileMatch(3, 0.45), FileMatch(9, 0.2)]  # 1: not among the sound's first
    assert [h.file_id for h in fuse(unheard, text)][:3] == [1, 2, 3]  # BM25 alone: the rare word wins
    fused = fuse(unheard, text, qualified={1})
    assert [h.file_id for h in fused] == [2, 3, 1, 9]  # after the footsteps, above what no word found
    assert fused[2].text_score == 13.3 and fused[2].text_rank == 1  # --explain still shows its BM25
    heard = [FileMatch(1, 0.5), FileMatch(2, 0.45), FileMatch(9, 0.2)]  # 1 sounds most like the query
    assert [h.file_id for h in fuse(heard, text, qualified={1})][0] == 1
    # ranked deeper (a page of 500 ranks every file of a small library), 1 is still below both footsteps
    deep = [FileMatch(2, 0.5), FileMatch(3, 0.45), FileMatch(1, 0.3), FileMatch(9, 0.1)]
    assert [h.file_id for h in fuse(deep, text, qualified={1})] == [2, 3, 1, 9]


def test_a_qualifier_only_hit_heard_above_a_few_of_the_sounds_named_gets_nothing_back():
    """Review 10: with the app's 500 results the sound ranked every file of a 421-file library,
    the tyres on gravel above 2 of the 16 footsteps (two metal steps deep down), and that eighth of
    its cut given back, with what its name means, put it first; at 20 results it was 17th. Below
    half the files named for the sound it gets nothing back; above all of them, all of it."""
    steps = list(range(2, 18))
    text = [FileMatch(1, 14.6)] + [FileMatch(i, 4.8 - 0.1 * k) for k, i in enumerate(steps)]
    meaning = [FileMatch(1, 0.64)] + [FileMatch(i, 0.35) for i in steps]  # "gravel" means more of the query
    deep = [FileMatch(i, 0.9 - 0.01 * i) for i in steps[:14]] + [
        FileMatch(1, 0.3),
        FileMatch(16, 0.2),
        FileMatch(17, 0.1),
    ]
    shallow = [FileMatch(i, 0.9 - 0.01 * i) for i in steps[:14]]  # 1 is not among its first
    for vector in (deep, shallow):  # after every footstep, however deep the sound ranks
        assert [h.file_id for h in fuse(vector, text, meaning, qualified={1})].index(1) == len(steps)
    heard = [FileMatch(1, 0.95)] + [FileMatch(i, 0.9 - 0.01 * i) for i in steps]  # it sounds like footsteps
    assert fuse(heard, text, meaning, qualified={1})[0].file_id == 1


def test_a_name_holding_the_opposite_of_a_word_typed_gains_no_meaning_from_it():
    """Review 17, "door open": door_close (2) meant nearly what the query does to the words space,
    and came above the gate that opens (3)."""
    text = [FileMatch(1, 9.0), FileMatch(2, 6.0), FileMatch(3, 6.0)]
    meaning = [FileMatch(1, 0.9), FileMatch(2, 0.8), FileMatch(3, 0.5)]
    held = [h.file_id for h in fuse([], text, meaning)]
    assert held.index(2) < held.index(3)
    fused = fuse([], text, meaning, opposed={2})
    assert [h.file_id for h in fused] == [1, 3, 2]
    assert fused[2].opposed and fused[2].meaning_rank is None and fused[2].text_rank == 2
