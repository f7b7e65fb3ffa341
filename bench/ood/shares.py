"""How much of a bridged checkpoint's vectors the UCS bridge should weigh, measured where the
issue says a model is judged: on sounds from sources it never trained on. Prints, for each share
``w`` (one dot product is ``(1 - w) * joint + w * bridge``), content-only search over the whole
out-of-distribution library and over each half of its packages (every other one, sorted by
name), UCS category zero-shot, and which everyday categories stay at chance (at most 1.5x its
mAP@10). Choose the share on one half and read it on the other: 81 queries move a lot with a
few files.

    python -m bench.ood shares builtin

The model's windows are embedded once at its own share (cached like ``eval``) and taken apart
into the joint and bridge parts, so every share costs a few matrix products, not a pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bench.ood import by_category, chance, load_library, load_queries
from bench.ood.content import AT_CHANCE, EVERYDAY, file_windows, rank_queries, ucs_zero_shot
from engine.models.registry import load_model

SHARES = tuple(round(0.1 * tenths, 1) for tenths in range(11))


def remix(vectors: np.ndarray, joint_dim: int, shares: tuple[float, float], w: float) -> np.ndarray:
    """Bridged vectors (joint part scaled by ``shares[0]``, bridge part by ``shares[1]``: the
    square roots of the model's own shares) rescaled to the share ``w``."""
    joint, bridge = vectors[:, :joint_dim] / shares[0], vectors[:, joint_dim:] / shares[1]
    return np.concatenate([np.sqrt(1.0 - w) * joint, np.sqrt(w) * bridge], axis=1)


def halves(library) -> dict[str, np.ndarray]:
    """File indices of the odd and even halves of the packages, sorted by name."""
    packages = sorted({f.package for f in library})
    by_half = {"odd": set(packages[0::2]), "even": set(packages[1::2])}
    return {half: np.array([i for i, f in enumerate(library) if f.package in kept]) for half, kept in by_half.items()}


def search(embeddings, owners, text, library, queries, files: np.ndarray | None = None) -> dict[str, dict]:
    """Per-category metrics of the queries over ``files`` of the library (all when None); a query
    with no relevant file among them is left out."""
    if files is not None:
        keep = np.isin(owners, files)
        position = {int(i): row for row, i in enumerate(files)}
        embeddings, owners = embeddings[keep], np.array([position[int(o)] for o in owners[keep]])
        library = [library[i] for i in files]
        answerable = [k for k, q in enumerate(queries) if any(q.is_relevant(f) for f in library)]
        text, queries = text[answerable], [queries[k] for k in answerable]
    return by_category(queries, rank_queries(embeddings, owners, text, library, queries))


def report(spec: str, root: Path, cache_dir: Path) -> None:
    torch.set_num_threads(2)
    library, queries = load_library(root), load_queries()
    model = load_model(spec)
    network = getattr(model, "model", None)
    if getattr(model, "bridge", None) is None or network is None:
        raise SystemExit(f"{spec} has no UCS bridge: there is no share to measure")
    embeddings, owners = file_windows(spec, model, library, cache_dir)
    text = model.embed_text([q.text for q in queries])
    joint_dim, own = network.cfg.embed_dim, model.bridge_shares
    luck = by_category(queries, [chance(q, library) for q in queries])
    parts = halves(library)
    print(
        f"{spec}: {len(library)} files, {len(queries)} queries; its share is {own[1] ** 2:.2f}. "
        f"Halves: odd {len(parts['odd'])} files, even {len(parts['even'])}. mAP@10 / R@10 / R@1"
    )
    print("| share | all | odd half | even half | UCS top-1 / top-3 | everyday categories at chance |")
    print("|---|---|---|---|---|---|")
    for w in SHARES:
        mixed = remix(embeddings, joint_dim, own, w)
        query = remix(text, joint_dim, own, w)
        whole = search(mixed, owners, query, library, queries)
        cells = [whole["all"]] + [search(mixed, owners, query, library, queries, parts[h])["all"] for h in parts]
        ucs = ucs_zero_shot(
            lambda texts, w=w: remix(model.embed_text(texts), joint_dim, own, w), library, mixed, owners
        )
        flat = [c for c in EVERYDAY if whole[c]["mAP@10"] <= AT_CHANCE * luck[c]["mAP@10"]]
        print(
            f"| {w:.1f} | "
            + " | ".join(f"{c['mAP@10']:.3f} / {c['R@10']:.3f} / {c['R@1']:.3f}" for c in cells)
            + f" | {ucs['top1']:.1%} / {ucs['top3']:.1%} | {len(flat)}: {', '.join(flat)} |"
        )
