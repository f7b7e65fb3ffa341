"""From nearest windows to ranked files, and the fusion of the three rankings.

A file scores as its best window (max), which is also the moment reported to the user:
in a 3-minute ambience the one bird call is what matched; a long file's best is then judged
against the luck of its many windows (engine.search.many_windows). Three rankings are fused
(:func:`fuse`): the words of the names (BM25), what the names mean (the model's words
space: "splash" finds ``puddle.wav``) and what the sound is (the model's audio-text
space). A library's names were written by people who heard the sound, so the first two
lead and the sound only adds: a model that hears sounds from unseen sources poorly must
not push the right names out of the top ten, as equal-vote reciprocal-rank fusion did.

A search of ten hits and one of 500 rank to different depths, and must list the same first ten:
each ranking's candidates are read in bands of its places (:func:`band`), the first
``depth`` (every search ranks as deep) and then bands twice as deep as the one before, and a hit
is scored only by what the rankings found of it in its best band (:func:`fuse`). What a deeper
page finds lies in deeper bands, listed after, so it moves no hit a shorter page ranks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.index.vectors import WindowMatches
from engine.search.query import LENGTH_WORDS
from engine.words import DEGREE_WORDS, AskedWords, describing


@dataclass(frozen=True)
class FusionWeights:
    """What the meaning of the names and the sound add to a keyword match; measured with
    ``bench/search_quality.py --sweep`` (a plateau: meaning 0.5-1.5 with sound 0-0.1 are within
    0.015 mAP@10 of the best on the odd and the even queries alike; sound 0.3 costs 0.02-0.05)."""

    meaning: float = 0.75
    sound: float = 0.1
    meaning_floor: float = 0.3  # a words-space cosine at or below this shares no meaning
    # a hit fully of the length a query asked for (engine.search.query.length_fit) has its match
    # multiplied by 1 + this: at 1, "big explosion long" lists the 4-6 s explosions named
    # "explosion" first and the 1 s "big explosion"s after them (review 8, M7)
    length: float = 1.0
    # a keyword hit holding only the words of the query's qualifier (the gravel of "footsteps on
    # gravel": engine.search.query.Alternative.head) keeps this share of its keyword score, and the
    # rest as far as it sounds more like the query than the files named for the sound do
    # (:func:`qualifier_only`). At 0.1 a review's ``gravel.wav`` (tyres on gravel) follows the 16
    # footsteps, above the files no word found, with 20 results or 500; at 0.25 it was first with
    # 500 (what the name means, 0.64 against 0.35, made up the rest; review 9, M2). The bench's
    # hybrid is the same at 0, 0.1 and 0.25: 3 of its 81 queries have a qualifier.
    qualifier: float = 0.1
    # a keyword hit under a language folder (engine.search.localized: a word spoken in several
    # languages, named for what it says) keeps this share of its keyword score, unless the query asks
    # for something said (:func:`cut_localized`). At 0.5 or 0.25 review 16's "piano", "zipper" and
    # "cat meow" list the sound before the spoken words (bench/judged_libraries.py review16, own
    # names: names 0.591 -> 0.951, all 0.403 -> 0.459); the other benches hold no language folders
    localized: float = 0.5
    # a meaning hit whose words hold the opposite of a word typed and not the word (door_close for
    # "door open"; engine.search.opposites) keeps this share of its meaning. At 0 review 17's "door
    # open" AP@10 0.486 -> 0.550 and the bench's named doors by meaning alone 0.896 -> 0.905 (measured
    # beside a cut not kept, whose rows were the weapons'; reviews 13, 14 and 16 the same)
    opposite: float = 0.0
    # spreads of the query's scores taken off a long file's best window per sqrt(2 ln n) of its n
    # windows (engine.search.many_windows); 0 scores a file by its best window alone
    luck: float = 0.5


@dataclass(frozen=True)
class FileMatch:
    file_id: int
    score: float
    start_s: float | None = None  # the best window, for vector matches
    end_s: float | None = None
    # of a sound match's score, what its likeness windows added (engine.search.vector_search.nearest_by_sound)
    heard: float | None = None
    # what a long file's sound score lost as the best of its many windows (engine.search.many_windows)
    lost: float | None = None
    # its 1-based place in its query alternative's ranking, before a long file's luck is taken off
    # (engine.search.many_windows): the band it is read in (:func:`band`; None: the first)
    found_at: int | None = None


@dataclass(frozen=True)
class FusedHit:
    file_id: int
    score: float
    vector: FileMatch | None
    vector_rank: int | None  # 1-based; None: not among the vector candidates
    text_score: float | None
    text_rank: int | None
    meaning_score: float | None = None  # words-space cosine of the file's nearest text
    meaning_rank: int | None = None
    length_fit: float | None = None  # how well it is of the length the query asked for; None: none asked
    qualifier_only: bool = False  # its words held only the query's qualifier's (:func:`qualifier_only`)
    words_held: float | None = None  # the share of the query's words its keyword match holds (:func:`held_shares`)
    opposed: bool = False  # its words held the opposite of a word typed, not the word (engine.search.opposites)


def best_window_per_file(matches: Iterable[WindowMatches]) -> WindowMatches:
    """Best window of each file over one or more window lists, files best first (arrays: a
    ranking may keep a few of thousands of files, so objects are made only for those,
    :func:`file_matches`)."""
    parts = [m for m in matches if len(m)]
    if not parts:
        return WindowMatches(*(np.empty(0, dtype) for dtype in (np.int64, np.float64, np.float64, np.float64)))
    ids, starts, ends, scores = (
        np.concatenate([getattr(m, name) for m in parts]) for name in ("file_ids", "starts", "ends", "scores")
    )
    order = np.lexsort((starts, -scores))  # best first; an exact tie goes to the earlier window
    _, first = np.unique(ids[order], return_index=True)
    return WindowMatches(ids, starts, ends, scores).subset(order[np.sort(first)])


def file_matches(windows: WindowMatches) -> list[FileMatch]:
    """One :class:`FileMatch` per row, with its window and its place."""
    columns = (windows.file_ids, windows.starts, windows.ends, windows.scores)
    return [
        FileMatch(int(i), float(score), float(start), float(end), found_at=at)
        for at, (i, start, end, score) in enumerate(zip(*(column.tolist() for column in columns), strict=True), 1)
    ]


def band(found_at: int | None, depth: int | None) -> int:
    """The band of a ranking's ``found_at``-th candidate: 0 for the first ``depth`` (None: every
    one), then 1 to ``2 x depth``, 2 to ``4 x depth``, and so on. A search of limit L ranks at least
    2L deep (engine.search.searcher), so its first L hits lie in bands it ranked whole, however much
    deeper another search ranks."""
    if depth is None or found_at is None or found_at <= depth:
        return 0
    return ((found_at - 1) // depth).bit_length()


def band_ends(depth: int | None, n: int) -> list[int]:
    """The last place of each band (:func:`band`) of a ranking ``n`` deep, the last ``n``."""
    ends = [min(n, depth or n)]
    while ends[-1] < n:
        ends.append(min(n, 2 * ends[-1]))
    return ends


def keep_best(matches: Iterable[FileMatch], depth: int | None = None) -> list[FileMatch]:
    """One match per file, best first: of a file that several query alternatives found, the match
    in the best band (:func:`band`), the highest score of those."""
    best: dict[int, tuple[int, FileMatch]] = {}
    for match in matches:
        placed = band(match.found_at, depth)
        kept = best.get(match.file_id)
        if kept is None or (placed, -match.score) < (kept[0], -kept[1].score):
            best[match.file_id] = placed, match
    return [m for _, m in sorted(best.values(), key=lambda kept: (kept[0], -kept[1].score, kept[1].file_id))]


def relative_scores(matches: list[FileMatch], from_weakest: bool, depth: int | None = None) -> dict[int, float]:
    """Each file's score on 0..1 within its ranking (``matches``, best first), read from its first
    ``depth`` (None: all), the best of those 1 and any better after them 1 too. BM25 starts at 0
    (no word matched), so it is divided by the best; a cosine has no such zero, so with
    ``from_weakest`` the weakest of those is 0 (a cosine of 0.31 among candidates spanning
    0.28-0.33 means "about the middle", whatever scale the model uses), and any after it 0 too: a
    deeper page's weaker weakest squeezed every score up, so the app's 500 results ranked their
    first ten otherwise than a search of ten did."""
    if not matches:
        return {}
    scores = np.array([m.score for m in matches], dtype=np.float64)
    read = scores[:depth]
    low = read.min() if from_weakest else 0.0
    span = read.max() - low
    return {m.file_id: 1.0 if span <= 0 else min(1.0, max(0.0, float((m.score - low) / span))) for m in matches}


def meaning_scores(matches: list[FileMatch], floor: float) -> dict[int, float]:
    """Words-space cosines on 0..1 from ``floor`` (nothing in common) to 1 (the same words).
    Unlike the sound's, this scale is kept across queries: a pretrained sentence space puts
    unrelated names near 0.1-0.25 whatever the query, so a best candidate at 0.32 is weak."""
    return {m.file_id: max(0.0, (m.score - floor) / (1.0 - floor)) for m in matches}


def qualifier_only(
    text: list[FileMatch], qualified: Collection[int], vector: list[FileMatch], share: float, depth: int | None = None
) -> list[FileMatch]:
    """The keyword matches, each of ``qualified``'s BM25 cut to ``share`` of it and given back the
    rest as far as the sound ranks it above the other keyword hits, whose words name the sound
    (:func:`heard_above`). BM25 weighs a word by how rare it is, not by what it says of the sound:
    in "footsteps on gravel" the one file named "gravel" (a car's tyres) outscored the 16 footsteps
    13.3 to 4.8, and what the names mean agreed with it, so the footsteps came third to eighteenth.
    A name holding only where a sound happens names another sound, unless it sounds like the
    query's. When no keyword hit names the sound ("car on gravel" in a library of no car), none is
    cut. ``depth``: the sound's candidates read (:func:`heard_above`), and the keyword hits' that
    name the sound (their first band, :func:`band`)."""
    named = [m.file_id for m in text if m.file_id not in qualified and not band(m.found_at, depth)]
    if not qualified or not named:
        return text
    above = heard_above(named, vector[:depth])

    def back(file_id: int) -> float:
        """The cut given back: none below half the named files, all above every one of them."""
        return max(0.0, 2.0 * above(file_id) - 1.0)

    return [
        replace(m, score=m.score * (share + (1.0 - share) * back(m.file_id))) if m.file_id in qualified else m
        for m in text
    ]


def cut_localized(text: list[FileMatch], localized: Collection[int], share: float) -> list[FileMatch]:
    """The keyword matches, those of ``localized`` cut to ``share`` of their score: a word spoken
    in several languages is named for what it says, not for how it sounds, so "piano" found the
    German, French and English word before the piano, whose name meant a little less of the query
    to the words space ("piano" beside its folder "noises"; review 16, H1). Keyword scores are
    read relative to the best (:func:`relative_scores`), so where the words find only voice lines
    they score as before."""
    return [replace(m, score=m.score * share) if m.file_id in localized else m for m in text]


def heard_above(others: list[int], vector: list[FileMatch]) -> Callable[[int], float]:
    """file id -> the share of ``others`` the sound ranks it above (``vector``, best first; a file
    it did not rank is below every file it ranked). A share of files, not a score: the sound's
    scores are read from its weakest candidate, and the deeper a longer page ranks, the weaker that
    is (the app's 500 results ranked every file of a 259-file library, and the tyres on gravel
    then sounded halfway like footsteps)."""
    rank = {m.file_id: at for at, m in enumerate(vector)}
    ranks = sorted(rank.get(i, len(vector)) for i in others)
    return lambda file_id: 0.0 if file_id not in rank else 1.0 - bisect_right(ranks, rank[file_id]) / len(ranks)


@dataclass(frozen=True)
class HeldWords:
    """Which of one query alternative's keyword hits hold each word it typed."""

    asked: AskedWords
    hits: Collection[int]  # the alternative's keyword hits
    # each typed word, and each word two of them run together make (AskedWords.joined) -> the hits holding it
    held: Mapping[str, Collection[int]]

    def in_no_hit(self) -> list[str]:
        """The typed words none of the hits holds, alone or run together with its neighbour,
        length words left out (a file's length holds those: :meth:`coverage`)."""
        asked = self.asked
        joined = {w for a, b in asked.joined if self.held[a + b] for w in (a, b)}
        return [w for w in asked.lookups if not self.held[w] and w not in joined and w not in LENGTH_WORDS]

    def coverage(self, lengths: Mapping[int, float] | None = None) -> dict[int, float]:
        """{hit: the share of the typed words it holds}. The first word of a listed compound counts
        only beside its second (a washing machine holds no word of "machine gun"), two words typed
        apart count as held by a hit holding them as one ("pick up": ``sfx_pickup_gun.wav``), and
        with ``lengths`` (fuse's) a length word (engine.search.query.LENGTH_WORDS) is held as far as
        the hit is of that length, which its name cannot say: the 6 s ``explosion1.ogg`` holds two
        of "big explosion long", as the 1 s ``sound_big_explosion_1.wav`` does. A word of how big or
        heavy (engine.words.DEGREE_WORDS), or a length word its name holds, counts only beside a word
        of what the sound is, where the query types one: a hit holding "big" alone of "big cat growl"
        holds none of it, nor a spoken "shorts" of "short click" (review 18). A word of how
        a sound is kept or counted (a bare number, engine.words.NON_WORDS: "sound", "loop", "take")
        counts only beside a word that can say what a sound is, where the query types one, or else
        beside another word typed: ``sound062.wav`` holds none of "sound061" (review 16
        reported "the first 409 of 1,930 results" for it, every file holding "sound" among them). A
        hit holding none of the words is no keyword match, whatever its length."""
        asked = self.asked
        naming = {w for w in asked.lookups if w not in DEGREE_WORDS and w not in LENGTH_WORDS}
        says_what = bool(describing(w.casefold() for w in asked.lookups))
        coverage = {}
        for file_id in self.hits:
            holds = {word for word in asked.lookups if file_id in self.held[word]}
            holds = {word for word in holds if word not in asked.modifiers or asked.modifiers[word] in holds}
            if naming and holds.isdisjoint(naming):
                holds.difference_update(DEGREE_WORDS, LENGTH_WORDS)  # "big" of "big cat growl" names an explosion
            if not describing(w.casefold() for w in holds) and (says_what or len(holds) < 2):
                holds = set()  # "loop" of "rain loop", "sound" of "sound061"
            holds |= {w for a, b in asked.joined if file_id in self.held[a + b] for w in (a, b) if w in asked.lookups}
            fits = [
                lengths.get(file_id, 0.0)
                for word in asked.lookups
                if lengths is not None and word in LENGTH_WORDS and word not in holds
            ]
            coverage[file_id] = (len(holds) + sum(fits)) / len(asked.lookups) if holds else 0.0
        return coverage


def held_shares(held: Sequence[HeldWords], lengths: Mapping[int, float] | None) -> dict[int, float]:
    """{keyword hit: the share of its query's words it holds} (:meth:`HeldWords.coverage`), of a
    hit two alternatives found the larger."""
    shares: dict[int, float] = {}
    for alternative in held:
        for file_id, share in alternative.coverage(lengths).items():
            shares[file_id] = max(share, shares.get(file_id, 0.0))
    return shares


def fuse(
    vector: list[FileMatch],
    text: list[FileMatch],
    meaning: list[FileMatch] = (),
    weights: FusionWeights = FusionWeights(),
    lengths: Mapping[int, float] | None = None,
    qualified: Collection[int] = frozenset(),
    held: Sequence[HeldWords] = (),
    depth: int | None = None,
    localized: Collection[int] = frozenset(),
    opposed: Collection[int] = frozenset(),
) -> list[FusedHit]:
    """Score = keyword + ``weights.meaning`` x meaning + ``weights.sound`` x sound, each on 0..1
    (:func:`relative_scores`, :func:`meaning_scores`), reported as a 0..100 match. The names
    lead: the sound reorders near-ties and fills in below them, and cannot push a strong name
    match below a weak one's gap. When the names say nothing about the query (no keyword
    match and no shared meaning, as with ``Take_017.wav``) the sound is the whole score, so
    the order is exactly the vector ranking's. ``lengths``: when the query asked for a length,
    {file id: how well the file is of it, 0..1} (a file not in it: 0), which multiplies the score
    by up to 1 + ``weights.length``: the sounds of that length go first, the others stay, and a
    search of names that say nothing (opaque takes) is ordered by the length too. ``qualified``:
    the keyword hits whose words hold only the query's qualifier (:func:`qualifier_only`).
    ``held``: which keyword hits hold which of the query's words, for each alternative of two
    words or more; a hit's keyword score is multiplied by the share it holds
    (:meth:`HeldWords.coverage`, its best alternative's) after the best match is made its 1: a
    match of one of two words is half a keyword match, whichever word it holds and however rare,
    and a hit holding none (the washing machine of "machine gun") is no keyword match at all.
    ``depth``: each ranking's first band (:func:`band`; None: all it ranked), which the sound's
    scores and the keyword scores' best are read from; a hit is scored by the rankings that found
    it in its best band alone, and listed by that band first, so that a page's first hits are the
    same however long the page is. Review 18, M7: a page of 500 added the meaning of names past
    the meaning's first hundred, which a page of ten never saw, and read the sound from another
    first hundred (files its deeper candidates alone summed high enough), so "chewing" listed
    gulp.wav 7th of ten and 12th of 500. ``localized``:
    the files under a language folder, whose keyword scores are cut (:func:`cut_localized`).
    ``opposed``: the meaning hits holding the opposite of a word typed and not the word, whose
    meaning keeps ``weights.opposite`` of it (engine.search.opposites)."""
    heard = [m for m in vector if not band(m.found_at, depth)]  # the sound's scores are read from its first band
    sound = relative_scores(heard, from_weakest=True, depth=depth)
    cut = cut_localized(qualifier_only(text, qualified, heard, weights.qualifier, depth), localized, weights.localized)
    first_band = sum(not band(m.found_at, depth) for m in cut)  # which leads: keep_best lists the bands in order
    words = relative_scores(cut, from_weakest=False, depth=first_band)
    shares = held_shares(held, lengths if weights.length else None)  # a length not read is a word like any
    words = {file_id: score * shares.get(file_id, 1.0) for file_id, score in words.items() if shares.get(file_id, 1.0)}
    text = [m for m in text if m.file_id in words]  # its rank stays BM25's: --explain shows the share held
    meant = {
        file_id: score * (weights.opposite if file_id in opposed else 1.0)
        for file_id, score in meaning_scores(list(meaning), weights.meaning_floor).items()
    }
    meant = {file_id: score for file_id, score in meant.items() if score > 0}
    names_say = bool(words or meant)
    sound_weight = weights.sound if names_say else 1.0
    best = (1.0 if words else 0.0) + (weights.meaning if meant else 0.0) + (sound_weight if sound else 0.0)
    best *= 1.0 if lengths is None else 1.0 + weights.length
    never = len(vector) + len(text) + len(meaning) + 1  # past every rank and band
    absent = (None, None, never)  # (rank, match, band) of a file a ranking did not find
    placed = [
        {m.file_id: (rank, m, band(m.found_at, depth)) for rank, m in enumerate(ranking, 1)}
        for ranking in (vector, text, meaning)
    ]
    ranked = []
    for file_id in {m.file_id for m in vector}.union(words, meant):
        (v_rank, v_match, v_band), (t_rank, t_match, t_band), (m_rank, m_match, m_band) = (
            p.get(file_id, absent) for p in placed
        )
        if file_id not in meant:  # a name below the floor was a candidate, not a reason
            m_rank, m_match, m_band = absent
        first = min(v_band, t_band, m_band)  # its best band: the rankings that found it there alone count
        score = (
            (words[file_id] if t_band == first else 0.0)
            + weights.meaning * (meant[file_id] if m_band == first else 0.0)
            + sound_weight * sound.get(file_id, 0.0)
        )
        fit = None if lengths is None else lengths.get(file_id, 0.0)
        score *= 1.0 if fit is None else 1.0 + weights.length * fit
        hit = FusedHit(
            file_id,
            100.0 * score / best if best > 0 else 0.0,  # (weights of 0, from a sweep)
            v_match,
            v_rank,
            t_match.score if t_match else None,
            t_rank,
            m_match.score if m_match else None,
            m_rank,
            fit,
            file_id in qualified,
            shares.get(file_id) if t_match else None,
            file_id in opposed,
        )
        # by band, then score; a tie goes to the better keyword rank, then meaning, then vector, then the id
        ties = [
            rank if found == first else never for rank, found in ((t_rank, t_band), (m_rank, m_band), (v_rank, v_band))
        ]
        ranked.append(((first, -hit.score, *ties, file_id), hit))
    return [hit for _, hit in sorted(ranked, key=lambda keyed: keyed[0])]
