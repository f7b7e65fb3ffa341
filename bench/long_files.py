"""Long files: is the moment a search shows as "the match" the sound that was asked for?

    python -m bench.long_files [--files 36] [--seed 0] [--model builtin] [--ood data/ood]

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
drawn at random scores. Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def compose(path: Path, seconds: float, event: OodFile, event_start: float, bed: list[OodFile], rng) -> float:
    """Write a mono 24-bit WAV of ``seconds``: noise, the event at ``event_start``, and bed clips
    one after another with gaps, none within :data:`MARGIN` of the event (the last one may be cut
    off by the end of the file, as a recording is). Returns where the event ends."""
    audio = np.random.default_rng(rng.getrandbits(32)).normal(0, NOISE, round(seconds * RATE)).astype(np.float32)

    def place(clip: OodFile, at: float, gain_db: tuple[float, float]) -> float:
        samples = load_mono(clip.named, RATE)
        gain = PEAK * 10 ** (rng.uniform(*gain_db) / 20) / max(float(np.abs(samples).max()), 1e-6)
        start = round(at * RATE)
        piece = samples[: len(audio) - start] * gain
        audio[start : start + len(piece)] += piece
        return at + len(samples) / RATE

    event_end = place(event, event_start, EVENT_GAIN_DB)
    cursor = rng.uniform(0.0, GAP_SECONDS[1])
    while cursor < seconds:
        clip = rng.choice(bed)
        if cursor < event_end + MARGIN and cursor + clip.seconds > event_start - MARGIN:
            cursor = event_end + MARGIN  # the event's stretch holds the event alone
            continue
        cursor = place(clip, cursor, BED_GAIN_DB) + rng.uniform(*GAP_SECONDS)
    sf.write(path, audio, RATE, subtype="PCM_24")
    return event_end


def build(folder: Path, library: list[OodFile], queries: list[OodQuery], count: int, seed: int) -> list[LongFile]:
    """The long files, written into ``folder``; the same ones for the same library and seed."""
    rng = random.Random(seed)
    bed = [f for f in library if not any(q.is_relevant(f) for q in queries)]
    files = []
    for number, (query, event) in enumerate(events(library, queries, count, rng), 1):
        seconds = round(rng.uniform(*FILE_SECONDS), 2)
        low = seconds - NEAR_END if number % 3 == 0 else 0.0
        start = round(rng.uniform(low, seconds - event.seconds), 3)
        path = folder / f"Long_{number:03d}.wav"
        files.append(LongFile(path, seconds, query, event, start, compose(path, seconds, event, start, bed, rng)))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--ood", type=Path, default=Path("data/ood"))
    parser.add_argument("--files", type=int, default=36, help="long files to build and search")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    library, queries = load_library(args.ood), load_queries()
    with tempfile.TemporaryDirectory(prefix="earmark-long-files-") as work:
        folder = Path(work) / "library"
        folder.mkdir()
        files = build(folder, library, queries, args.files, args.seed)
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
            engine.close()
            seconds = time.perf_counter() - tic
            print(f"  {name}: {report.embedded} files embedded, {len(report.errors)} errors ({seconds:.0f} s)")
        print_table(files, results)
        moved = sum(a.window != b.window for a, b in zip(*results.values(), strict=True))
        print(f"files whose reported window differs between the two: {moved} of {len(files)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
