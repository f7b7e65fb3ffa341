"""Long files: is the moment a search shows as "the match" the sound that was asked for?

    python -m bench.long_files [--files 36] [--seed 0] [--model builtin] [--ood data/ood] [--event-db -3 0]

A 3-minute ambience found by its sound scores as its best window, which the app highlights and
starts playing from (engine/search/fusion.py). This bench builds long files (2-4 minutes,
``Long_001.wav``: names that say nothing) in a temporary folder, each holding one *event* at a
known random offset, a clip of the out-of-distribution library (``python -m bench.ood build``)
relevant to one of its queries (bench/ood/queries.json), over a bed of other clips 3-12 dB
quieter that are relevant to no query, and low noise. A third of the events lie in the file's last 10 s, on
purpose: that is where a windowing's last window is. Every file is indexed by the real engine
(``Engine.index``: the indexer, the embedder, LanceDB) and its event's query searched by sound
(``Searcher``, the sound ranking), once for each windowing, in the same run on the same files:

- the windowing before 2026-12-06 (:func:`short_last_window`): the last window is the tail, shorter
  than the model's window;
- the engine's (``engine.audio.stream.windows``): every window is full length, the last one ends
  at the end of the file.

Printed for each: how often the reported best window overlaps the event (hit), how often it is
the file's last window (for an event in the last 10 s the last full window holds it, so there
that is a hit too), both for events in the last 10 s and elsewhere, and the file's rank for its
query among the long files (files whose event is also relevant to the query do not count against
it); then, over every long file for every query, most of them a query the file does not answer,
how often the reported window is the file's last: a windowing whose last window outscores the
others for what it is, not for what it holds, shows there. Each beside what a window or a rank
drawn at random scores.

Then, for the engine's windowing, the moment itself (:func:`moment_study`), from the stored windows
scored against each query's vector exactly as the sound ranking scores them:

- *when to show one*: today's rule (the sound ranked the file among its first ``MIN_CANDIDATES``,
  so every long file here) against rules that ask the best window to stand out from the file's
  other windows for the query, the engine's among them (``engine.search.moment.stands_out``); for
  each, over the files searched for their own event's query, the share given a moment and how
  often a shown moment overlaps the event (beside the same for a window drawn at random), and over
  every long file for every other query (the file does not answer it, so any moment shown is
  wrong) the share given one;
- *how narrow*: inside a window, by the model (crops of the window embedded and scored with the
  query vector, the best kept; the overlap of the window with its better neighbour) and by
  loudness (the run of frames louder than the window's median, the engine's with its conditions
  among them, ``engine.search.moment.narrowed``; the loudest stretch); for each, how often it is
  narrower than the window, its mean length, how often it overlaps the event and holds the
  event's onset (where the event's clip becomes audible), over the files whose reported window
  holds the event, over every file's best window among those holding it (the narrowing's work
  whether or not the model found the event), and over every reported window; beside a stretch of
  the same length placed at random in the window.

The events are 3-12 dB louder than their bed by default, which favours narrowing by loudness;
``--event-db -12 -6`` puts them at the bed's level. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from bench.ood import OodFile, OodQuery, load_library, load_queries
from bench.ood.library import indexed_engine
from engine.audio import decode
from engine.audio.decode import load_mono
from engine.audio.stream import windows
from engine.facade import Engine
from engine.paths import app_paths
from engine.search import Searcher
from engine.search.moment import (
    ABOVE_DB,
    ALONE_DB,
    FRAME_S,
    LEAD_IN_S,
    frame_levels,
    loud_run,
    narrowed,
    stands_out,
)
from engine.search.searcher import SOUND

RATE = 48_000  # the long files' rate (a field recorder's): the engine resamples them as it would
EVENT_SECONDS = (1.0, 8.0)  # an event fits inside one window of the builtin model (10.24 s)
FILE_SECONDS = (120.0, 240.0)
NEAR_END = 10.0  # seconds: every third event lies in this last stretch of its file
GAP_SECONDS = (0.5, 4.0)  # noise between two bed clips
PEAK = 0.5  # each clip's peak before its random gain
EVENT_GAIN_DB = (-3.0, 0.0)
BED_GAIN_DB = (-12.0, -6.0)  # the bed under the event, as a take's background is
NOISE = 0.002  # standard deviation of the white noise under everything (about -54 dBFS)
MARGIN = 0.5  # seconds of bed-free noise on either side of the event
ONSET_FRAME, ONSET_DB = 0.01, 30.0  # an event is audible from its first 10 ms within 30 dB of its loudest


def short_last_window(blocks: Iterable[np.ndarray], size: int, hop: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """``engine.audio.stream.windows`` before 2026-12-06: windows every ``hop`` samples, the last
    one starting on the hop after the one before it and ending at the end of the stream, so shorter
    than ``size`` unless the hops reach the end exactly. Kept to measure against (on the whole
    stream at once: these files are minutes long)."""
    audio = np.concatenate([np.zeros(0, np.float32), *blocks])
    start = 0
    while len(audio):
        end = min(start + size, len(audio))
        yield start, end, audio[start:end].copy()
        if end == len(audio):
            return
        start += hop


WINDOWINGS: dict[str, Callable] = {
    "short last window (before)": short_last_window,
    "full last window (now)": windows,
}


@dataclass(frozen=True)
class LongFile:
    path: Path
    seconds: float
    query: OodQuery
    event: OodFile
    event_start: float
    event_end: float
    event_onset: float  # where the event becomes audible: its clip may start quietly (:func:`quiet_lead`)

    @property
    def near_end(self) -> bool:
        return self.event_start >= self.seconds - NEAR_END


def events(
    library: list[OodFile], queries: list[OodQuery], count: int, rng: random.Random
) -> list[tuple[OodQuery, OodFile]]:
    """Up to ``count`` (query, event clip) pairs: every query with relevant clips of
    :data:`EVENT_SECONDS`, in a shuffled order, with one of its clips, then again with another
    while any are left."""
    fitting = {
        q.text: [f for f in library if q.is_relevant(f) and EVENT_SECONDS[0] <= f.seconds <= EVENT_SECONDS[1]]
        for q in queries
    }
    order = [q for q in queries if fitting[q.text]]
    rng.shuffle(order)
    for clips in fitting.values():
        rng.shuffle(clips)
    rounds = max(map(len, fitting.values()))
    pairs = [(q, fitting[q.text][n]) for n in range(rounds) for q in order if n < len(fitting[q.text])]
    return pairs[:count]


def quiet_lead(samples: np.ndarray) -> float:
    """Seconds before the first :data:`ONSET_FRAME` of ``samples`` within :data:`ONSET_DB` of its loudest."""
    levels = frame_levels(samples, RATE, ONSET_FRAME)
    return float(np.argmax(levels >= levels.max() - ONSET_DB)) * ONSET_FRAME


def compose(
    path: Path,
    seconds: float,
    event: OodFile,
    event_start: float,
    bed: list[OodFile],
    rng,
    event_db: tuple[float, float] = EVENT_GAIN_DB,
) -> tuple[float, float]:
    """Write a mono 24-bit WAV of ``seconds``: noise, the event at ``event_start`` (its peak
    ``event_db`` from :data:`PEAK`), and bed clips one after another with gaps, none within
    :data:`MARGIN` of the event (the last one may be cut off by the end of the file, as a recording
    is). Returns where the event becomes audible and where it ends."""
    audio = np.random.default_rng(rng.getrandbits(32)).normal(0, NOISE, round(seconds * RATE)).astype(np.float32)

    def place(clip: OodFile, at: float, gain_db: tuple[float, float]) -> float:
        samples = load_mono(clip.named, RATE)
        gain = PEAK * 10 ** (rng.uniform(*gain_db) / 20) / max(float(np.abs(samples).max()), 1e-6)
        start = round(at * RATE)
        piece = samples[: len(audio) - start] * gain
        audio[start : start + len(piece)] += piece
        return at + len(samples) / RATE

    event_end = place(event, event_start, event_db)
    cursor = rng.uniform(0.0, GAP_SECONDS[1])
    while cursor < seconds:
        clip = rng.choice(bed)
        if cursor < event_end + MARGIN and cursor + clip.seconds > event_start - MARGIN:
            cursor = event_end + MARGIN  # the event's stretch holds the event alone
            continue
        cursor = place(clip, cursor, BED_GAIN_DB) + rng.uniform(*GAP_SECONDS)
    sf.write(path, audio, RATE, subtype="PCM_24")
    return event_start + quiet_lead(load_mono(event.named, RATE)), event_end


def build(
    folder: Path,
    library: list[OodFile],
    queries: list[OodQuery],
    count: int,
    seed: int,
    event_db: tuple[float, float] = EVENT_GAIN_DB,
) -> list[LongFile]:
    """The long files, written into ``folder``; the same ones for the same library and seed (the
    event's level aside)."""
    rng = random.Random(seed)
    bed = [f for f in library if not any(q.is_relevant(f) for q in queries)]
    files = []
    for number, (query, event) in enumerate(events(library, queries, count, rng), 1):
        seconds = round(rng.uniform(*FILE_SECONDS), 2)
        low = seconds - NEAR_END if number % 3 == 0 else 0.0
        start = round(rng.uniform(low, seconds - event.seconds), 3)
        path = folder / f"Long_{number:03d}.wav"
        onset, end = compose(path, seconds, event, start, bed, rng, event_db)
        files.append(LongFile(path, seconds, query, event, start, end, onset))
    return files


@contextmanager
def windowing(cut: Callable) -> Iterator[None]:
    """The engine indexing with ``cut`` for ``engine.audio.stream.windows``, which
    ``engine.audio.decode.iter_windows`` (the embedder's reader) calls by that module's name."""
    engine_windows = decode.windows
    decode.windows = cut
    try:
        yield
    finally:
        decode.windows = engine_windows


@dataclass
class Outcome:
    """One long file's search for its event's query, for one windowing."""

    window: tuple[float, float]  # the reported best window, seconds
    hit: bool  # it overlaps the event
    last: bool  # it is the file's last window
    rank: int  # the file's, among the long files, the others relevant to the query left out
    chance: float  # share of the file's windows that overlap the event
    all_last: float  # share of all the long files whose reported window for this query is their last
    windows: int  # the file's


def measure(engine: Engine, files: list[LongFile]) -> list[Outcome]:
    """Each file's event query searched by sound (the names say nothing), the hits as the app gets them."""
    searcher = Searcher(engine.store, engine.model)
    table = engine.store.embeddings(engine.model.info)
    stored = {str(f.path): table.windows(engine.store.get_file(str(f.path)).id) for f in files}

    def is_last(hit) -> bool:
        return hit.best_end_s >= stored[hit.path].ends.max()

    outcomes = []
    for file in files:
        hits = searcher.search(file.query.text, limit=len(files), rankings=frozenset({SOUND}))
        others = {str(f.path) for f in files if f is not file and file.query.is_relevant(f.event)}
        ranked = [h for h in hits if h.path not in others]
        rank, hit = next((r, h) for r, h in enumerate(ranked, 1) if h.path == str(file.path))
        mine = stored[hit.path]
        outcomes.append(
            Outcome(
                window=(hit.best_start_s, hit.best_end_s),
                hit=hit.best_start_s < file.event_end and hit.best_end_s > file.event_start,
                last=is_last(hit),
                rank=rank,
                chance=float(np.mean((mine.starts < file.event_end) & (mine.ends > file.event_start))),
                all_last=float(np.mean([is_last(h) for h in hits])),
                windows=len(mine),
            )
        )
    return outcomes


def print_table(files: list[LongFile], results: dict[str, list[Outcome]]) -> None:
    groups = {
        "all": [True] * len(files),
        f"event in the last {NEAR_END:.0f} s": [f.near_end for f in files],
        "event elsewhere": [not f.near_end for f in files],
    }
    width = max(map(len, results)) + 2
    print(f"\n{'':{width}}" + "".join(f"{name:>34}" for name in groups) + f"{'every file, every query':>26}")
    print(f"{'':{width}}" + "".join(f"{'hit    last   R@1  mean rank':>34}" for _ in groups) + f"{'last':>26}")
    for name, outcomes in results.items():
        cells = []
        for chosen in groups.values():
            mine = [o for o, keep in zip(outcomes, chosen, strict=True) if keep]
            cells.append(
                f"{np.mean([o.hit for o in mine]):5.0%}  {np.mean([o.last for o in mine]):5.0%}  "
                f"{np.mean([o.rank == 1 for o in mine]):4.0%}  {statistics.mean(o.rank for o in mine):9.2f}"
            )
        every = np.mean([o.all_last for o in outcomes])
        print(f"{name:{width}}" + "".join(f"{cell:>34}" for cell in cells) + f"{every:>26.1%}")
    outcomes = next(iter(results.values()))
    print(
        f"at random: a window overlaps the event {np.mean([o.chance for o in outcomes]):.0%} of the time and is "
        f"the file's last {np.mean([1 / o.windows for o in outcomes]):.1%}; a file is first "
        f"{1 / len(files):.0%}, at {(len(files) + 1) / 2:.1f} on average (fewer with other relevant files)"
    )


# -- the moment: when to show one, and how narrow ----------------------------------------------

MARGINS = (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08)  # best window's score over another's, in dot units
SPREADS = (1.5, 2.0, 2.5, 3.0, 3.5)  # best over the file's median, in the file's standard deviations
CROPS = (2.0, 3.0)  # seconds: the model's crops and the loudest stretches
CROP_HOP = 0.5  # seconds between two crops

Moment = tuple[float, float]  # seconds


@dataclass(frozen=True)
class Scored:
    """One long file's windows scored for one query."""

    file: LongFile
    query: OodQuery
    vector: np.ndarray  # the query's
    starts: np.ndarray
    ends: np.ndarray
    scores: np.ndarray
    chosen: int | None = None  # the window taken as the best instead of the best-scoring one

    @property
    def own(self) -> bool:  # the query the file was built for
        return self.query is self.file.query

    @property
    def answers(self) -> bool:  # the file's event is relevant to the query
        return self.query.is_relevant(self.file.event)

    @property
    def best(self) -> int:  # the first of equals, as the sound ranking reports it
        return int(np.argmax(self.scores)) if self.chosen is None else self.chosen

    def holding_event(self) -> Scored:
        """This pair with its best-scoring window among those overlapping the event taken as the best:
        a narrowing's work inside a window that holds the event, whether or not the model chose it."""
        holding = [overlaps(w, self.file) for w in zip(self.starts, self.ends, strict=True)]
        return replace(self, chosen=int(np.argmax(np.where(holding, self.scores, -np.inf))))

    @property
    def window(self) -> Moment:
        return float(self.starts[self.best]), float(self.ends[self.best])

    @property
    def hit(self) -> bool:
        return overlaps(self.window, self.file)

    @property
    def chance(self) -> float:
        return float(np.mean([overlaps(w, self.file) for w in zip(self.starts, self.ends, strict=True)]))

    def over_median(self) -> float:
        return float(self.scores[self.best] - np.median(self.scores))

    def over_apart(self) -> float:
        """Over the best window that shares no audio with it (its neighbours hold part of the same sound)."""
        start, end = self.window
        apart = (self.ends <= start) | (self.starts >= end)
        return float(self.scores[self.best] - self.scores[apart].max()) if apart.any() else 0.0

    def spread(self) -> float:
        deviation = float(np.std(self.scores))
        return self.over_median() / deviation if deviation > 0 else 0.0


def overlaps(moment: Moment, file: LongFile) -> bool:
    return moment[0] < file.event_end and moment[1] > file.event_start


def holds_onset(moment: Moment, file: LongFile) -> bool:
    return moment[0] <= file.event_onset < moment[1]


def at_random(window: Moment, length: float, file: LongFile) -> tuple[float, float]:
    """(overlap, onset): how often a stretch of ``length`` placed at random in ``window`` overlaps
    the event and holds its onset."""
    low, high = window[0], window[1] - length
    if high - low <= 1e-9:
        return float(overlaps((low, low + length), file)), float(holds_onset((low, low + length), file))

    def share(lo: float, hi: float) -> float:
        return max(0.0, min(hi, high) - max(lo, low)) / (high - low)

    return share(file.event_start - length, file.event_end), share(file.event_onset - length, file.event_onset)


def scored_pairs(engine: Engine, files: list[LongFile]) -> list[Scored]:
    """Every long file for every query of the long files, its stored windows scored by the query's
    vector as the sound ranking scores them."""
    table = engine.store.embeddings(engine.model.info)
    ids = [engine.store.get_file(str(f.path)).id for f in files]
    stored = table.windows_of(ids)
    queries = list({f.query.text: f.query for f in files}.values())
    vectors = engine.model.embed_query([q.text for q in queries])
    return [
        Scored(file, query, vector, stored[i].starts, stored[i].ends, stored[i].vectors @ vector)
        for file, i in zip(files, ids, strict=True)
        for query, vector in zip(queries, vectors, strict=True)
    ]


SHOW_RULES: dict[str, Callable[[Scored], bool]] = {
    "today: sound rank <= 100 (all here)": lambda s: True,
    **{f"best - median >= {m:.2f}": (lambda s, m=m: s.over_median() >= m) for m in MARGINS},
    **{f"best - best apart >= {m:.2f}": (lambda s, m=m: s.over_apart() >= m) for m in MARGINS},
    **{f"(best - median) / sd >= {z:.1f}": (lambda s, z=z: s.spread() >= z) for z in SPREADS},
    "engine: moment.stands_out (shipped)": lambda s: stands_out(s.scores),
}


def print_show_rules(pairs: list[Scored]) -> None:
    own = [p for p in pairs if p.own]
    others = [p for p in pairs if not p.answers]
    width = max(map(len, SHOW_RULES)) + 2
    print(
        f"\nWhen to show a moment: {len(own)} files searched for their own event's query; {len(others)} "
        f"file/query pairs where the file does not answer the query (any moment shown there is wrong)"
    )
    print(
        f"{'':{width}}{'shown':>7}{'overlaps event':>16}{'(at random)':>13}{'wrong, of all':>15}"
        f"{'not answering: shown':>22}"
    )
    for name, shows in SHOW_RULES.items():
        shown = [p for p in own if shows(p)]
        precision = np.mean([p.hit for p in shown]) if shown else float("nan")
        chance = np.mean([p.chance for p in shown]) if shown else float("nan")
        wrong = sum(not p.hit for p in shown) / len(own)
        print(
            f"{name:{width}}{len(shown) / len(own):7.0%}{precision:16.0%}{chance:13.0%}{wrong:15.0%}"
            f"{np.mean([shows(p) for p in others]):22.0%}"
        )


def window_audio(file: LongFile, window: Moment, rate: int) -> np.ndarray:
    return load_mono(file.path, rate, window[0], window[1] - window[0])


def best_crop(model, pair: Scored, audio: np.ndarray, crop: float) -> Moment:
    """The crop of ``crop`` seconds, every :data:`CROP_HOP`, whose embedding scores best for the query."""
    rate = model.info.sample_rate
    cuts = list(windows([audio], round(crop * rate), round(CROP_HOP * rate)))
    scores = model.embed_audio([samples for *_, samples in cuts]) @ pair.vector
    start, end, _ = cuts[int(np.argmax(scores))]
    return pair.window[0] + start / rate, pair.window[0] + end / rate


def with_neighbour(pair: Scored) -> Moment:
    """The best window's overlap with its best-scoring overlapping neighbour (no audio is read)."""
    start, end = pair.window
    near = np.flatnonzero((pair.starts < end) & (pair.ends > start))
    near = near[near != pair.best]
    if not len(near):
        return pair.window
    other = near[np.argmax(pair.scores[near])]
    return max(start, float(pair.starts[other])), min(end, float(pair.ends[other]))


def loud(pair: Scored, audio: np.ndarray, rate: int) -> Moment:
    """The engine's loud run (engine.search.moment.loud_run), whether or not another sound in the
    window is nearly as loud; the window when no frame is loud."""
    run = loud_run(frame_levels(audio, rate))
    return pair.window if run is None else (pair.window[0] + run[0] * FRAME_S, pair.window[0] + run[1] * FRAME_S)


def lead_in(pair: Scored, moment: Moment) -> Moment:
    """``moment`` from the engine's lead-in earlier, inside the window."""
    return max(pair.window[0], moment[0] - LEAD_IN_S), moment[1]


def loudest(pair: Scored, audio: np.ndarray, rate: int, length: float) -> Moment:
    """The stretch of ``length`` seconds holding the most energy, in whole frames."""
    energy = 10 ** (frame_levels(audio, rate) / 10)
    span = min(round(length / FRAME_S), len(energy))
    first = int(np.argmax(np.convolve(energy, np.ones(span), "valid")))
    return pair.window[0] + first * FRAME_S, pair.window[0] + (first + span) * FRAME_S


def narrowings(model) -> dict[str, Callable[[Scored, np.ndarray], Moment]]:
    """Each candidate way to narrow a pair's best window, given the window's audio at the model's
    rate; the engine's (engine.search.moment.narrowed) reads the file itself, as the app does."""
    rate = model.info.sample_rate
    return {
        "whole window (today)": lambda p, audio: p.window,
        **{f"model: best {c:.0f} s crop": (lambda p, audio, c=c: best_crop(model, p, audio, c)) for c in CROPS},
        "model: overlap with better neighbour": lambda p, audio: with_neighbour(p),
        f"loudness: run {ABOVE_DB:.0f} dB over median": lambda p, audio: loud(p, audio, rate),
        f"loudness: that from {LEAD_IN_S} s before": lambda p, audio: lead_in(p, loud(p, audio, rate)),
        f"loudness: that, if {ALONE_DB:.0f} dB over all else (shipped)": lambda p, _: narrowed(p.file.path, p.window),
        **{f"loudness: loudest {c:.0f} s": (lambda p, audio, c=c: loudest(p, audio, rate, c)) for c in CROPS},
    }


def print_narrowings(model, pairs: list[Scored]) -> None:
    own = [p for p in pairs if p.own]
    groups = {
        "reported window holds the event": [p for p in own if p.hit],
        "best window holding the event": [p.holding_event() for p in own],
        "reported window": own,
    }
    ways = narrowings(model)
    width = max(map(len, ways)) + 2
    print(
        f"\nHow narrow a moment, inside a window of each of the {len(own)} files searched for their own event's "
        f"query: how often it is narrower than the window, its length, how often it overlaps the event and holds "
        f"the event's onset, and how often the narrowed ones overlap it (in brackets: a stretch as long placed at "
        f"random in the window)"
    )
    print(
        f"  {'':{width}}{'narrowed':>9}{'length':>8}{'overlaps':>9}{'':>7}{'onset':>8}{'':>7}{'narrowed: overlap':>19}"
    )
    for group, chosen in groups.items():
        print(f"{group} ({len(chosen)} files)")
        if not chosen:
            continue
        audio = {id(p): window_audio(p.file, p.window, model.info.sample_rate) for p in chosen}
        for name, narrow in ways.items():
            found = [narrow(p, audio[id(p)]) for p in chosen]
            lengths = np.array([end - start for start, end in found])
            narrower = lengths < np.array([p.window[1] - p.window[0] for p in chosen]) - 1e-6
            chance = np.array([at_random(p.window, n, p.file) for p, n in zip(chosen, lengths, strict=True)])
            over = np.array([overlaps(m, p.file) for m, p in zip(found, chosen, strict=True)])
            onset = np.mean([holds_onset(m, p.file) for m, p in zip(found, chosen, strict=True)])
            chance_over, chance_onset = chance.mean(axis=0)
            among = (
                f"{over[narrower].mean():12.0%} ({chance[narrower, 0].mean():4.0%})" if narrower.any() else f"{'-':>19}"
            )
            print(
                f"  {name:{width}}{narrower.mean():9.0%}{lengths.mean():6.1f} s{over.mean():9.0%} ({chance_over:4.0%})"
                f"{onset:8.0%} ({chance_onset:4.0%}){among}"
            )


def moment_study(engine: Engine, files: list[LongFile], reported: list[Outcome]) -> None:
    """When to show a moment, and how narrow (module docstring), for the engine's windowing, whose
    search ``reported`` each file's window for its own query."""
    pairs = scored_pairs(engine, files)
    same = sum(p.window == o.window for p, o in zip([p for p in pairs if p.own], reported, strict=True))
    print(f"\nthe best window as scored here is the one the search reported for {same} of {len(files)} files")
    print_show_rules(pairs)
    print_narrowings(engine.model, pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--ood", type=Path, default=Path("data/ood"))
    parser.add_argument("--files", type=int, default=36, help="long files to build and search")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--event-db",
        type=float,
        nargs=2,
        default=EVENT_GAIN_DB,
        metavar=("LOW", "HIGH"),
        help=f"the event's peak level range, dB (default {EVENT_GAIN_DB}; the bed's is {BED_GAIN_DB})",
    )
    args = parser.parse_args(argv)

    library, queries = load_library(args.ood), load_queries()
    with tempfile.TemporaryDirectory(prefix="earmark-long-files-") as work:
        folder = Path(work) / "library"
        folder.mkdir()
        files = build(folder, library, queries, args.files, args.seed, tuple(args.event_db))
        minutes = sum(f.seconds for f in files) / 60
        print(
            f"{len(files)} long files ({minutes:.0f} min), {sum(f.near_end for f in files)} with the event in "
            f"their last {NEAR_END:.0f} s; {len({f.query.text for f in files})} queries; model {args.model}"
        )
        results = {}
        for number, (name, cut) in enumerate(WINDOWINGS.items()):
            tic = time.perf_counter()
            with windowing(cut):
                engine, report = indexed_engine(app_paths(Path(work) / f"home-{number}"), [folder], args.model)
            results[name] = measure(engine, files)
            if cut is windows:
                studied = engine
            else:
                engine.close()
            seconds = time.perf_counter() - tic
            print(f"  {name}: {report.embedded} files embedded, {len(report.errors)} errors ({seconds:.0f} s)")
        print_table(files, results)
        moved = sum(a.window != b.window for a, b in zip(*results.values(), strict=True))
        print(f"files whose reported window differs between the two: {moved} of {len(files)}")
        moment_study(studied, files, results[next(n for n, c in WINDOWINGS.items() if c is windows)])
        studied.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
