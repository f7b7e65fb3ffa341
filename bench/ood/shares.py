"""How much of a bridged checkpoint's vectors the UCS bridge should weigh, measured where the
issue says a model is judged: on sounds from sources it never trained on. Prints, for each share
``w`` (one dot product is ``(1 - w) * joint + w * bridge``), content-only search over the whole
out-of-distribution library and over each half of its packages (every other one, sorted by
name), UCS category zero-shot, and which everyday categories stay at chance (at most 1.5x its
mAP@10). Then the same search with a share per query (:class:`QueryShares`: one share for
queries whose words are near a UCS category name, another for the rest) over a small grid,
the audio at the model's own share. For a bridge with a words head (``trainer.words_head``),
last, the head's share of the bridge vector against the categories' over a grid of per-query
shares (the two parts of each window computed once, then remixed). With ``--heldout`` (a
training corpus's held-out manifest) each row also gives the model's own held-out t2a mAP@10:
what a share costs in distribution.
Choose on one half (and the held-out clips) and read on the other: 81 queries move a lot with a
few files.

    python -m bench.ood shares builtin [--heldout data/corpus-more/heldout.jsonl]

The model's windows are embedded once at its own share (cached like ``eval``) and taken apart
into the joint and bridge parts, so every share costs a few matrix products, not a pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bench.ood import by_category, chance, load_library, load_queries
from bench.ood.content import (
    AT_CHANCE,
    EVERYDAY,
    cached,
    file_windows,
    rank_queries,
    ucs_zero_shot,
    weights_key,
    windows_of,
)
from bench.ood.library import package_halves
from engine.audio.decode import load_mono
from engine.models.cacophony.backend import pad_batch
from engine.models.cacophony.ucs_bridge import QueryShares, mix_words, query_side, side_by_side
from engine.models.registry import load_model
from trainer.data.manifest import read_manifest
from trainer.evaluation.retrieval import caption_table, retrieval_metrics

SHARES = tuple(round(0.1 * tenths, 1) for tenths in range(11))
GATES = tuple(
    QueryShares(threshold, below, above)
    for threshold in (0.5, 0.6, 0.7)
    for below, above in ((0.2, 0.6), (0.3, 0.7), (0.2, 0.8), (0.4, 0.8))
)


HEAD_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
HEAD_GATES = tuple(
    QueryShares(threshold, below, above)
    for threshold in (0.5, 0.6)
    for below, above in ((0.2, 0.6), (0.4, 0.8), (0.6, 0.95), (0.8, 0.95))
)


def remix(vectors: np.ndarray, joint_dim: int, shares: tuple[float, float], w: float) -> np.ndarray:
    """Bridged vectors (joint part scaled by ``shares[0]``, bridge part by ``shares[1]``: the
    square roots of the model's own shares) rescaled to the share ``w``."""
    return side_by_side(vectors[:, :joint_dim] / shares[0], vectors[:, joint_dim:] / shares[1], w)


def halves(library) -> dict[str, np.ndarray]:
    """File indices of each half of the packages (:func:`package_halves`)."""
    return {
        half: np.array([i for i, f in enumerate(library) if f.package in kept])
        for half, kept in package_halves(library).items()
    }


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


def heldout_clips(model, manifests: list[Path]):
    """(audio embeddings, caption texts, owner of each caption, the clips) of held-out clips, first window each."""
    items = [item for manifest in manifests for item in read_manifest(manifest) if item.captions]
    rate, seconds = model.info.sample_rate, model.info.window_seconds
    clips = [load_mono(item.audio, rate, 0.0, seconds) for item in items]
    audio = np.concatenate([model.embed_audio(clips[i : i + 16]) for i in range(0, len(clips), 16)])
    texts, owners = caption_table(items)
    return audio, texts, owners, clips


def report(spec: str, root: Path, cache_dir: Path, heldout: list[Path] = ()) -> None:
    torch.set_num_threads(2)
    library, queries = load_library(root), load_queries()
    model = load_model(spec)
    if getattr(model, "bridge", None) is None:
        raise SystemExit(f"{spec} has no UCS bridge: there is no share to measure")
    embeddings, owners = file_windows(spec, model, library, cache_dir)
    joint, words = model.text_parts([q.text for q in queries])
    joint_dim, own = model.model.cfg.embed_dim, model.bridge_shares
    luck = by_category(queries, [chance(q, library) for q in queries])
    parts = halves(library)
    held = heldout_clips(model, list(heldout)) if heldout else None
    held_text = model.text_parts(held[1]) if held else None

    def row(label: str, audio: np.ndarray, text: np.ndarray, held_vectors=None, embed_text=None) -> str:
        whole = search(audio, owners, text, library, queries)
        cells = [whole["all"]] + [search(audio, owners, text, library, queries, parts[h])["all"] for h in parts]
        flat = [c for c in EVERYDAY if whole[c]["mAP@10"] <= AT_CHANCE * luck[c]["mAP@10"]]
        metrics = " | ".join(f"{c['mAP@10']:.3f} / {c['R@10']:.3f} / {c['R@1']:.3f}" for c in cells)
        line = f"| {label} | {metrics} | {len(flat)}: {', '.join(flat)}"
        if embed_text is not None:
            ucs = ucs_zero_shot(embed_text, library, audio, owners)
            line += f" | {ucs['top1']:.1%} / {ucs['top3']:.1%}"
        if held:
            line += f" | {retrieval_metrics(*held_vectors, held[2])['t2a/mAP@10']:.3f}"
        return line + " |"

    def labels_at(w: float):
        """Texts (the category names of UCS zero-shot) embedded at the share ``w``."""
        return lambda texts: side_by_side(*model.text_parts(texts), w)

    print(
        f"{spec}: {len(library)} files, {len(queries)} queries; the audio's share is {own[1] ** 2:.2f}. "
        f"Halves: odd {len(parts['odd'])} files, even {len(parts['even'])}. mAP@10 / R@10 / R@1"
    )
    header = "| share | all | odd half | even half | everyday categories at chance |"
    held_header = " held-out t2a mAP@10 |" if held else ""
    print(header + " UCS top-1 / top-3 |" + held_header)
    print("|---" * (6 + bool(held)) + "|")
    for w in SHARES:
        audio = remix(embeddings, joint_dim, own, w)
        held_vectors = (remix(held[0], joint_dim, own, w), side_by_side(*held_text, w)) if held else None
        print(row(f"{w:.1f}", audio, side_by_side(joint, words, w), held_vectors, labels_at(w)))
    print("\nA share per query, the audio at its own share: below / above a words cosine to a category name")
    print(header.replace("| share |", "| query shares |") + held_header)
    print("|---" * (5 + bool(held)) + "|")
    for gate in GATES:
        text = query_side(joint, words, own[1] ** 2, gate.of(model.bridge.nearness(words)))
        held_vectors = None
        if held:
            shares = gate.of(model.bridge.nearness(held_text[1]))
            held_vectors = (held[0], query_side(*held_text, own[1] ** 2, shares))
        print(row(f"{gate.below} / {gate.above} at {gate.threshold}", embeddings, text, held_vectors))
    if model.bridge.words_head is None:
        return
    print(
        "\nThe words head's share of the bridge vector (the categories' is the rest) and a share per query, "
        "the audio at its own share"
    )
    print(header.replace("| share |", "| words head share | query shares |") + held_header)
    print("|---" * (6 + bool(held)) + "|")
    pieces = cached(cache_dir / f"bridge-parts-{weights_key(spec)}.npz", lambda: bridge_parts(model, library))
    held_parts = bridge_parts_of_clips(model, held[3]) if held else None
    for head_share in HEAD_SHARES:
        audio = side_by_side(
            embeddings[:, :joint_dim] / own[0],
            mix_words(pieces["categories"], pieces["heard"], head_share),
            own[1] ** 2,
        )
        held_audio = None
        if held:
            mixed = mix_words(held_parts["categories"], held_parts["heard"], head_share)
            held_audio = side_by_side(held[0][:, :joint_dim] / own[0], mixed, own[1] ** 2)
        for gate in HEAD_GATES:
            text = query_side(joint, words, own[1] ** 2, gate.of(model.bridge.nearness(words)))
            held_vectors = None
            if held:
                shares = gate.of(model.bridge.nearness(held_text[1]))
                held_vectors = (held_audio, query_side(*held_text, own[1] ** 2, shares))
            label = f"{head_share:.2f} | {gate.below} / {gate.above} at {gate.threshold}"
            print(row(label, audio, text, held_vectors))


def bridge_parts_of_clips(model, clips: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The bridge's categories and words-head vectors of each clip (UcsBridge.parts)."""
    found = {"categories": [], "heard": []}
    with torch.inference_mode():
        for start in range(0, len(clips), 16):
            categories, heard, _ = model.bridge.parts(*pad_batch(clips[start : start + 16], model.device))
            found["categories"].append(categories.numpy())
            found["heard"].append(heard.numpy())
    return {name: np.concatenate(values) for name, values in found.items()}


def bridge_parts(model, library) -> dict[str, np.ndarray]:
    """:func:`bridge_parts_of_clips` of every window of the library, as the app cuts them."""
    return bridge_parts_of_clips(model, [clip for file in library for clip in windows_of(model, file)])
