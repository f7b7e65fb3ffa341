"""Content-only search on sounds no model of ours trained on: the ``bench/ood`` library under
its opaque names (``Take_0001.ogg``), every sound-designer query embedded as text and every
file ranked by its best window, as the app's vector search ranks them (windows of the model's
length, half-window hop, a file scores as its best window; a model that also hears its queries
as sounds, ``query_likeness``, adds its best likeness window's score for that sound, as
``engine.search.vector_search.nearest_by_sound`` does; a long file's best is judged against the
luck of its many windows, ``engine.search.many_windows``). Prints R@1, R@10 and mAP@10 per query
category for each model given, next to chance (random rankings), the same model without its
exemplars when it has them (the audio-text windows alone: what hearing the queries adds) and,
for a model with a UCS bridge, the same model without it; asserts nothing.

    python -m bench.ood build                      # once
    python -m bench.ood eval builtin runs/front/final [--markdown]

Window embeddings are cached per model under ``data/ood-cache`` (keyed by the checkpoint's
weights and bridge files, in a folder per built library: ``library_key``), and likeness windows
per likeness space, so comparing variants costs one pass each (a model and its copy without
exemplars share both).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open

from bench.ood import by_category, chance, judge, load_library, load_queries, ucs_truth
from engine.audio.decode import iter_windows
from engine.models.cacophony.backend import pad_batch
from engine.models.folders import CLASSES_FILE, EXEMPLARS_FILE, WORDS_HEAD_FILE
from engine.models.registry import CLAP_PREFIX, load_model, resolve_checkpoint
from engine.search.many_windows import judged
from engine.words import words

EVERYDAY = (
    "footsteps",
    "doors",
    "impacts",
    "glass",
    "water",
    "fire",
    "weather",
    "vehicles",
    "machines",
    "animals",
    "ui",
    "whooshes",
    "weapons",
    "voices",
)
METRICS = ("R@1", "R@10", "mAP@10")
AT_CHANCE = 1.5  # an everyday category whose mAP@10 is at most this many times chance's is "at chance"
FRONT_VERSION = 1  # bump when the front-end's features change (they are cached across heads)
# bump when engine.audio.stream.windows cuts files differently (2: a full-length last window) or the
# app embeds them differently (3: a window's vectors no longer depend on the windows batched with
# it), so models measured in one run never hear one library cut two ways; the search-quality and
# tagging benches keep their indexes per version too
WINDOWS_VERSION = 3


def windows_of(model, file) -> list[np.ndarray]:
    """The file's windows as the app cuts them (model length, half-window hop)."""
    window = model.info.window_seconds
    return [
        w.samples for w in iter_windows(file.opaque, model.info.sample_rate, window, window / 2) if len(w.samples)
    ] or [np.zeros(model.info.sample_rate // 10, np.float32)]  # nothing decoded: silence


def cached(path: Path, compute) -> dict[str, np.ndarray]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **compute())
    return dict(np.load(path))


def file_windows(spec: str, model, library, cache_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """(window embeddings (W, D), file index of each window (W,)). Cached in parts: the
    model's own embeddings (a Cacophony model with a front-end: its ViT's, keyed by the
    weights outside the front-end head, so the model it grew from shares them) and, for a
    front-end, its frozen features, which every head and mix share; only the head runs here."""
    network = getattr(model, "model", None)
    front = getattr(network, "front", None)

    def own():
        parts, owners = [], []
        for index, file in enumerate(library):
            clips = windows_of(model, file)
            if front is None:
                parts.append(model.embed_audio(clips))
            else:
                with torch.inference_mode():
                    wave, lengths = pad_batch(clips, model.device)
                    parts.append(network.embed_mel(network.logmel(wave), network.logmel.frames_for(lengths))[0].numpy())
            owners += [index] * len(clips)
        return {"embeddings": np.concatenate(parts), "owners": np.asarray(owners)}

    if front is None:
        data = cached(cache_dir / f"own-{weights_key(spec)}-w{WINDOWS_VERSION}.npz", own)
        return data["embeddings"], data["owners"]

    def features():
        found = []
        for file in library:
            with torch.inference_mode():
                wave, lengths = pad_batch(windows_of(model, file), model.device)
                x, valid = front(wave, lengths)
            found += [x[row, : int(valid[row].sum())].half().numpy() for row in range(len(x))]
        return {"features": np.concatenate(found), "lengths": np.asarray([len(f) for f in found])}

    raw = cached(
        cache_dir / f"front-{network.cfg.front_end.replace(':', '-')}-{FRONT_VERSION}-w{WINDOWS_VERSION}.npz", features
    )
    data = cached(cache_dir / f"own-{weights_key(spec)}-w{WINDOWS_VERSION}.npz", own)
    frames = np.split(raw["features"], np.cumsum(raw["lengths"])[:-1])
    heads = []
    with torch.inference_mode():
        for start in range(0, len(frames), 64):
            group = frames[start : start + 64]
            x = torch.zeros(len(group), max(len(f) for f in group), raw["features"].shape[1])
            valid = torch.zeros(x.shape[:2], dtype=torch.bool)
            for row, f in enumerate(group):
                x[row, : len(f)], valid[row, : len(f)] = torch.from_numpy(f.astype(np.float32)), True
            heads.append(network.embed_front(x, valid))
        mixed = network.mix_front(torch.from_numpy(data["embeddings"]), torch.cat(heads))
    return mixed.numpy(), data["owners"]


def spec_folder(spec: str) -> Path:
    """The folder a model spec names, as the registry resolves it (``builtin`` or a path); a
    ``clap:`` spec names no checkpoint folder here."""
    return Path(spec) if spec.startswith(CLAP_PREFIX) else resolve_checkpoint(spec)


def weights_key(spec: str) -> str:
    """Hash of a checkpoint's tensors outside a front-end head (or of the name, for others)."""
    folder = spec_folder(spec)
    weights = folder / "model.safetensors"
    digest = hashlib.sha1()
    if not weights.exists():
        digest.update(spec.encode())
        return digest.hexdigest()[:10]
    with safe_open(weights, "pt") as f:
        for name in sorted(k for k in f.keys() if not k.startswith(("front_pool.", "front_proj."))):
            digest.update(name.encode() + f.get_tensor(name).numpy().tobytes())
    for part in (CLASSES_FILE, WORDS_HEAD_FILE):  # a UCS bridge and its words head change every window's vector
        if (folder / part).is_file():
            digest.update((folder / part).read_bytes())
    return digest.hexdigest()[:10]


def joint_only(spec: str, cache_dir: Path) -> str | None:
    """A copy of a bridged checkpoint without its UCS bridge (the trained model alone, the
    baseline the bridge is measured against; its exemplars go too, they hear queries in the
    bridge's likeness space), or None when ``spec`` has no bridge."""
    folder = spec_folder(spec)
    if not (folder / CLASSES_FILE).is_file():
        return None
    return copy_without(folder, cache_dir / f"joint-only-{folder.name}", CLASSES_FILE, WORDS_HEAD_FILE, EXEMPLARS_FILE)


def without_exemplars(spec: str, cache_dir: Path) -> str | None:
    """A copy of a checkpoint without its exemplar bank (the same windows, hence the same cached
    vectors and model name; its queries are not heard as sounds: the baseline the exemplars are
    measured against), or None when ``spec`` has none."""
    folder = spec_folder(spec)
    if not (folder / EXEMPLARS_FILE).is_file():
        return None
    return copy_without(folder, cache_dir / f"without-exemplars-{folder.name}", EXEMPLARS_FILE)


def copy_without(folder: Path, copy: Path, *left_out: str) -> str:
    """A fresh copy of the checkpoint ``folder`` at ``copy`` without the files ``left_out``."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(*left_out))
    return str(copy)


def evaluate(spec: str, library, queries, cache_dir: Path) -> dict[str, dict[str, float]]:
    model = load_model(spec)
    embeddings, owners = file_windows(spec, model, library, cache_dir)
    texts = [q.text for q in queries]
    heard = heard_scores(model, texts, library, cache_dir)
    results = rank_queries(embeddings, owners, model.embed_query(texts), library, queries, heard)
    return by_category(queries, results) | {"ucs": ucs_zero_shot(model.embed_text, library, embeddings, owners)}


def likeness_windows(model, library, cache_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """(likeness vectors of every window as the app cuts them (W, d), file index of each (W,)),
    cached per likeness space (every model of the space shares them)."""

    def compute():
        parts, owners = [], []
        for index, file in enumerate(library):
            clips = windows_of(model, file)
            parts.append(model.embed_audio_and_likeness(clips)[1])
            owners += [index] * len(clips)
        return {"likeness": np.concatenate(parts), "owners": np.asarray(owners)}

    data = cached(cache_dir / f"likeness-{model.info.likeness.name}-w{WINDOWS_VERSION}.npz", compute)
    return data["likeness"], data["owners"]


def heard_scores(model, texts: list[str], library, cache_dir: Path) -> FileScores | None:
    """What the app's sound ranking adds to each file's score for each query when the model hears
    queries as sounds (``model.query_likeness``): the files' likeness windows against the query's
    sound (:func:`file_scores`), as ``nearest_by_sound`` adds them; None for a model that does not
    (no exemplars)."""
    sounds = model.query_likeness(texts)
    if sounds is None:
        return None
    likeness, owners = likeness_windows(model, library, cache_dir)
    return file_scores(likeness, owners, sounds, len(library))


@dataclass(frozen=True)
class FileScores:
    """For each query, each file's best window's score and its windows' mean (files, queries), and
    how the query's scores spread over every window (queries,): what the app's sound ranking
    weighs a file by (:func:`engine.search.many_windows.judged`). Two spaces' scores add up."""

    best: np.ndarray
    mean: np.ndarray
    spread: np.ndarray

    def __add__(self, other: FileScores) -> FileScores:
        return FileScores(self.best + other.best, self.mean + other.mean, self.spread + other.spread)


def file_scores(windows: np.ndarray, owners: np.ndarray, vectors: np.ndarray, files: int) -> FileScores:
    """Every window's dot product with every vector, read per file (:class:`FileScores`): a file
    scores as its best window, as the app ranks, before a long one is judged."""
    scores = windows @ vectors.T
    best, sums = np.full((files, len(vectors)), -np.inf), np.zeros((files, len(vectors)))
    np.maximum.at(best, owners, scores)
    np.add.at(sums, owners, scores)
    counts = np.maximum(np.bincount(owners, minlength=files), 1)[:, None]
    return FileScores(best, sums / counts, scores.std(axis=0))


def rank_queries(
    embeddings: np.ndarray, owners: np.ndarray, text: np.ndarray, library, queries, heard: FileScores | None = None
) -> list[dict]:
    """Each query's metrics, its files ranked as the app's sound ranking ranks them: by their
    best window against its text vector plus, with ``heard`` (:func:`heard_scores`), what hearing
    the query as a sound adds, a long file's judged against the luck of its many windows
    (:func:`engine.search.many_windows.judged`). Without ``heard`` (``bench/ood/shares.py``,
    which weighs the bridge), the audio-text windows alone."""
    found = file_scores(embeddings, owners, text, len(library))
    if heard is not None:
        found = found + heard
    windows = np.bincount(owners, minlength=len(library))[:, None]
    scores = judged(found.best, found.mean, windows, found.spread[None, :])
    return [
        judge(query, [library[i] for i in np.argsort(-scores[:, column], kind="stable")[:10]], library)
        for column, query in enumerate(queries)
    ]


def ucs_zero_shot(embed_text, library, embeddings: np.ndarray, owners: np.ndarray) -> dict[str, float]:
    """Top-1 and top-3 accuracy of naming each UCS-mapped file's category (among the categories
    the mapped files have) from its audio alone; a file scores a category by its best audio-text
    window against the category's name (``embed_text``: texts -> vectors of the windows' space).
    Naming a category is tagging, which the exemplars (they hear search queries) take no part in."""
    truth = {i: t.category for i, f in enumerate(library) if (t := ucs_truth(f)) is not None}
    names = sorted(set(truth.values()))
    prompts = embed_text([" ".join(words(name)) for name in names])
    scores = file_scores(embeddings, owners, prompts, len(library)).best
    ranks = [int((scores[i] > scores[i, names.index(name)]).sum()) for i, name in truth.items()]
    return {
        "top1": float(np.mean(np.asarray(ranks) < 1)),
        "top3": float(np.mean(np.asarray(ranks) < 3)),
        "files": len(ranks),
        "categories": len(names),
    }


def report(specs: list[str], root: Path, cache_dir: Path, markdown: bool) -> None:
    """Print the per-category table of every model (and its variants) next to chance."""
    torch.set_num_threads(2)
    library, queries = load_library(root), load_queries()
    specs = [  # each model, then the same without its exemplars and without its bridge, where it has them
        variant
        for spec in specs
        for variant in (spec, without_exemplars(spec, cache_dir), joint_only(spec, cache_dir))
        if variant is not None
    ]
    tables = {spec: evaluate(spec, library, queries, cache_dir) for spec in specs}
    luck = by_category(queries, [chance(q, library) for q in queries])
    categories = ["all", *EVERYDAY, *sorted(set(luck) - set(EVERYDAY) - {"all"})]
    columns = [*specs, "chance"]
    tables["chance"] = luck
    print(f"{len(library)} files, {len(queries)} queries; content only (opaque names); mAP@10 / R@10 / R@1")
    if markdown:
        print("| category | queries | " + " | ".join(columns) + " |")
        print("|---|---|" + "---|" * len(columns))
    for category in categories:
        cells = [" / ".join(f"{tables[c][category][m]:.3f}" for m in reversed(METRICS)) for c in columns]
        if markdown:
            print(f"| {category} | {luck[category]['queries']} | " + " | ".join(cells) + " |")
        else:
            print(f"{category:<11} {luck[category]['queries']:>3}  " + "   ".join(cells))
    for spec in specs:
        low = [c for c in EVERYDAY if tables[spec][c]["mAP@10"] <= AT_CHANCE * luck[c]["mAP@10"]]
        print(f"{spec}: everyday categories at most {AT_CHANCE}x chance mAP@10: {', '.join(low) or 'none'}")
        ucs = tables[spec]["ucs"]
        print(
            f"{spec}: UCS category zero-shot from audio alone, {ucs['files']} files in {ucs['categories']} "
            f"categories: top-1 {ucs['top1']:.3f}, top-3 {ucs['top3']:.3f} (chance {1 / ucs['categories']:.3f}, "
            f"{3 / ucs['categories']:.3f})"
        )
