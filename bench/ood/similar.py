"""Find similar sounds, measured on sounds no model of ours trained on: each file of the
out-of-distribution library with a UCS ground truth (``bench/ood/ucs.py``) asks for its ten
nearest other files, and a neighbour is right when it has the same UCS category. Printed,
precision at 10 and mAP@10 over all the other files, and over files of other folders only (a
folder's files are mostly variants of one sound, which any space finds; a sound designer asking
for "more like this" across a library wants the others too), for

- random vectors (chance);
- the model's audio-text window vectors as find similar ranks them without a likeness space (a
  file scores as its best pair of windows), and each file's mean window in the whole vector, its
  joint part and its UCS bridge part alone;
- for a model with a likeness space (``ModelInfo.likeness``: the aiSFX features under the UCS
  bridge), its likeness windows by their best pair, as find similar ranks them (since 2026-12-07
  judged against the luck of a long file's many windows: engine.search.many_windows), and each
  file's mean.

    python -m bench.ood similar builtin

Asserts nothing. Window vectors are cached under ``--cache``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bench.ood.content import file_windows, likeness_windows
from bench.ood.library import load_library
from bench.ood.queries import CUTOFF
from bench.ood.ucs import ucs_truth
from engine.models.base import l2_normalise
from engine.models.registry import load_model
from engine.search.many_windows import judged, spread_of, window_scores
from trainer.evaluation.metrics import a2t_average_precision


def neighbour_metrics(scores: np.ndarray, labels: np.ndarray, folders: np.ndarray, other_folders: bool) -> dict:
    """P@10 and mAP@10 of each row's nearest columns by ``scores`` (files x files, the same files),
    a neighbour right when its label is the row's; with ``other_folders`` a row's own folder is
    left out. Rows with nothing right to find are skipped."""
    scores = scores.astype(np.float64, copy=True)
    np.fill_diagonal(scores, -np.inf)
    if other_folders:
        scores[folders[:, None] == folders[None, :]] = -np.inf
    precision, average = [], []
    for row in range(len(labels)):
        right = np.isfinite(scores[row]) & (labels == labels[row])
        if not right.any():
            continue
        ranks = np.flatnonzero(right[np.argsort(-scores[row], kind="stable")])  # 0-based, left-out ones last
        precision.append((ranks < CUTOFF).sum() / CUTOFF)
        average.append(a2t_average_precision(ranks, CUTOFF, capped=True))
    return {"P@10": float(np.mean(precision)), "mAP@10": float(np.mean(average))}


def file_means(embeddings: np.ndarray, owners: np.ndarray, files: int) -> np.ndarray:
    summed = np.zeros((files, embeddings.shape[1]))
    np.add.at(summed, owners, embeddings)
    return l2_normalise(summed)


def best_pairs(embeddings: np.ndarray, owners: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(rows x rows) file scores as query by example ranks them: the best cosine over window pairs."""
    windows = l2_normalise(embeddings)
    out = np.empty((len(rows), len(rows)))
    for position, row in enumerate(rows):
        best = np.full(owners.max() + 1, -np.inf)
        np.maximum.at(best, owners, (windows[owners == row] @ windows.T).max(axis=0))
        out[position] = best[rows]
    return out


def judged_pairs(embeddings: np.ndarray, owners: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(rows x rows) file scores as query by example ranks them since 2026-12-07: each file's best
    pair of windows judged against the luck of its many windows (engine.search.many_windows), a
    window scoring its best against any of the example's windows."""
    windows = l2_normalise(embeddings)
    counts = np.bincount(owners)
    out = np.empty((len(rows), len(rows)))
    for position, row in enumerate(rows):
        scores = window_scores(windows, windows[owners == row])
        best = np.full(len(counts), -np.inf)
        np.maximum.at(best, owners, scores)
        sums = np.zeros(len(counts))
        np.add.at(sums, owners, scores)
        out[position] = judged(best, sums / np.maximum(counts, 1), counts, spread_of(scores))[rows]
    return out


def report(spec: str, root: Path, cache_dir: Path) -> None:
    torch.set_num_threads(2)
    library = load_library(root)
    model = load_model(spec)
    embeddings, owners = file_windows(spec, model, library, cache_dir)
    truth = {i: t.category for i, f in enumerate(library) if (t := ucs_truth(f)) is not None}
    rows = np.array(sorted(truth))
    labels = np.array([truth[i] for i in rows])
    folders = np.array([str(library[i].named.parent) for i in rows])

    spaces: dict[str, np.ndarray] = {}
    random = l2_normalise(np.random.default_rng(0).normal(size=(len(rows), 64)))
    spaces["chance (random vectors)"] = random @ random.T
    spaces["audio-text windows, best pair (find similar before 2026-12-02)"] = best_pairs(embeddings, owners, rows)
    means = file_means(embeddings, owners, len(library))[rows]
    spaces["audio-text windows, each file's mean"] = means @ means.T
    bridge = getattr(model, "bridge", None)
    if bridge is not None:
        cut = model.model.cfg.embed_dim
        for name, part in (("joint part", slice(None, cut)), ("UCS bridge part", slice(cut, None))):
            vectors = file_means(embeddings[:, part], owners, len(library))[rows]
            spaces[f"audio-text windows, each file's mean, {name} alone"] = vectors @ vectors.T
    if model.info.likeness is not None:
        likeness, likeness_owners = likeness_windows(model, library, cache_dir)
        spaces["likeness windows, best pair (find similar 2026-12-02 to 2026-12-07)"] = best_pairs(
            likeness, likeness_owners, rows
        )
        spaces["likeness windows, best pair judged against its windows' luck (find similar now)"] = judged_pairs(
            likeness, likeness_owners, rows
        )
        means = file_means(likeness, likeness_owners, len(library))[rows]
        spaces["likeness windows, each file's mean"] = means @ means.T

    print(
        f"{len(rows)} files of {root} with a UCS ground truth in {len(set(labels))} categories; model {spec}; "
        f"a neighbour is right when it has the file's UCS category"
    )
    print("| space | P@10 | mAP@10 | other folders: P@10 | other folders: mAP@10 |")
    print("|---|---|---|---|---|")
    for name, scores in spaces.items():
        everywhere = neighbour_metrics(scores, labels, folders, other_folders=False)
        elsewhere = neighbour_metrics(scores, labels, folders, other_folders=True)
        print(
            f"| {name} | {everywhere['P@10']:.3f} | {everywhere['mAP@10']:.3f} | "
            f"{elsewhere['P@10']:.3f} | {elsewhere['mAP@10']:.3f} |"
        )
