"""Recover the UCS category of each class of an aiSFX classifier head, from labelled training sounds.

The ``aisfx`` package ships its heads (one per training dataset) with class counts but no class
names. Labels made by a label encoder are the dataset's categories in alphabetical order, and a
dataset lacks a few of the 82 UCS categories (the Soundly head has 79 classes). So the classes
are the sorted categories with a few left out: a monotone alignment, which dynamic programming
finds exactly, maximising the mean per-category top-1 accuracy on the training sounds whose
words name a category. The bridge's share beside the joint space is ``--weight``, measured out of
distribution (``python -m bench.ood shares``); without it, the largest that keeps the checkpoint's
own held-out retrieval within 5 %. The held-out curve is written either way.

Only training corpora are read (their manifests' captions and tags give the words, their
held-out splits the curve); evaluation sets never are: a share measured on one is given. The
result is the checkpoint's ``ucs-classes.json`` (:mod:`engine.models.cacophony.ucs_bridge`).

    python -m trainer.ucs_heads --manifest data/corpus-more/manifest.jsonl [...] \
        --heldout data/corpus-more/heldout.jsonl [...] --out resources/models/builtin \
        [--weight 0.6 --query-shares 0.6,0.2,0.6]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from engine.audio.decode import AudioDecodeError, load_mono
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.checkpoint import load_checkpoint
from engine.models.cacophony.ucs_bridge import (
    CLASSES_FILE,
    HEAD,
    SAMPLE_RATE,
    AisfxHead,
    QueryShares,
    side_by_side,
)
from engine.words import ucs_categories, words
from trainer.data.manifest import Item, read_manifest
from trainer.evaluation.retrieval import caption_table, readable, retrieval_metrics

log = logging.getLogger(__name__)

MAX_SECONDS = 30.0
TIE_BREAK = 1e-4  # well below one sound of the largest category
KEEP = 0.95  # of the model's own held-out mAP@10 the bridge may not go below

# Words that file a sound under a UCS category, first match wins: common sound-effect words,
# written for this alignment (a few hundred labelled sounds anchor it; unlabelled ones abstain).
LABELS: tuple[tuple[str, str], ...] = (
    ("VOICES", r"voice|speech|says?|scream|laugh|yell|grunt|shout|cough|breath|sigh|talk|word"),
    ("FOOTSTEPS", r"steps?|footsteps?|walk|run"),
    ("DOORS", r"doors?|gate"),
    ("GLASS", r"glass|bottle|shatter"),
    ("EXPLOSIONS", r"explosion|explode|blast|bomb|boom"),
    ("GUNS", r"gun|gunshot|shot|rifle|pistol|shotgun|cannon|reload"),
    ("WEAPONS", r"sword|blade|axe|arrow|bow|spear|knife"),
    ("FIRE", r"fire|flame|burn|torch"),
    ("WATER", r"water|splash|river|drip|drop|bubble|pour"),
    ("RAIN", r"rain"),
    ("WIND", r"wind"),
    ("WEATHER", r"thunder|storm|lightning"),
    ("BIRDS", r"birds?|crow|seagull|owl|chirp|tweet"),
    ("ANIMALS", r"dog|cat|horse|cow|sheep|pig|bark|wolf|lion|bear|goat|meow|moo"),
    ("CREATURES", r"monster|creature|zombie|alien|dragon|growl|roar"),
    ("USER INTERFACE", r"click|menu|button|interface|ui|select|hover|notification"),
    ("BEEPS", r"beep|blip"),
    ("ALARMS", r"alarm|siren"),
    ("BELLS", r"bells?|chime|gong"),
    ("MUSICAL", r"piano|guitar|drum|violin|chord|kick|snare|hihat|bass|synth|organ|flute|trumpet|cymbal|note"),
    ("VEHICLES", r"car|engine|truck|tank|motor"),
    ("AIRCRAFT", r"plane|jet|helicopter|aircraft"),
    ("MAGIC", r"magic|spell|heal|teleport"),
    ("SWOOSHES", r"whoosh|swoosh|swish|woosh"),
    ("METAL", r"metal|clang|anvil"),
    ("WOOD", r"wood|wooden|plank"),
    ("ROCKS", r"rock|stone"),
    ("MACHINES", r"machine|pump|motor|generator"),
    ("ELECTRICITY", r"electric|spark|zap|buzz"),
    ("LASERS", r"laser|phaser|plasma"),
    ("CLOCKS", r"clock|tick"),
    ("PAPER", r"paper|page|book"),
    ("FIGHT", r"punch|hit|slap|kick"),
)
_COMPILED = tuple((category, re.compile(rf"\b(?:{pattern})\b")) for category, pattern in LABELS)


def label(text: str) -> str | None:
    """The UCS category the first matching word list gives ``text``, or None."""
    joined = " ".join(words(text))
    return next((category for category, pattern in _COMPILED if pattern.search(joined)), None)


@torch.inference_mode()
def class_probabilities(head: AisfxHead, paths: list[Path]) -> np.ndarray:
    """(files, classes): each file's first ``MAX_SECONDS`` through the head, as the app's bridge
    hears it; a file that cannot be decoded is a row of NaN (logged), left out by the caller."""
    out = np.zeros((len(paths), head.classes), np.float32)
    for row, path in enumerate(paths):
        try:
            wave = torch.from_numpy(load_mono(path, SAMPLE_RATE, 0.0, MAX_SECONDS))
        except AudioDecodeError as error:
            log.warning("%s: left out: %s", path, error)
            out[row] = np.nan
            continue
        if len(wave):
            out[row] = head(wave[None], torch.tensor([len(wave)]))[0].numpy()
        if row % 500 == 0:
            log.info("%d / %d files", row, len(paths))
    return out


def align(scores: np.ndarray) -> list[int]:
    """The increasing map class -> category maximising the summed ``scores`` (classes, categories)."""
    classes, categories = scores.shape
    best = np.full((classes + 1, categories + 1), -np.inf)
    best[0, :] = 0.0
    took = np.zeros((classes + 1, categories + 1), bool)
    for k in range(1, classes + 1):
        for c in range(k, categories + 1):
            take, skip = best[k - 1, c - 1] + scores[k - 1, c - 1], best[k, c - 1]
            best[k, c], took[k, c] = (take, True) if take >= skip else (skip, False)
    mapping, k, c = [0] * classes, classes, categories
    while k > 0:
        if took[k, c]:
            mapping[k - 1] = c - 1
            k -= 1
        c -= 1
    return mapping


def alignment_scores(probabilities: np.ndarray, labels: list[str | None], categories: list[str]) -> np.ndarray:
    """(classes, categories): the share of the sounds labelled with a category whose top class
    is the class, so the alignment maximises the mean per-category top-1 accuracy on the labelled
    sounds, each category one vote (counted by sounds, the thousand voices and instruments of the
    game corpora decided it: instruments are rare in a sound-effects library, and the alignment
    they chose moved a block of classes by two). Ties (alignments that differ only where no
    labelled sound decides) go to the lift of the class's mean log-probability on those sounds
    over all sounds."""
    logs = np.log(probabilities + 1e-9)
    base = logs.mean(0)
    top = probabilities.argmax(1)
    scores = np.zeros((probabilities.shape[1], len(categories)))
    for index, category in enumerate(categories):
        rows = [i for i, found in enumerate(labels) if found == category]
        if rows:
            np.add.at(scores[:, index], top[rows], 1.0 / len(rows))
            scores[:, index] += TIE_BREAK * (logs[rows].mean(0) - base)
    return scores


def bridge_weight(folder: Path, classes: list[str], heldout: list[Item]) -> tuple[float, dict[float, float]]:
    """The largest share of the bridge (in tenths) that keeps the model's own held-out t2a
    mAP@10 within ``KEEP`` of the model alone: the bridge must not cost what the trained model
    does well (its training corpora's held-out sounds) for what it adds on sounds it never saw.
    Returns the share and {share: held-out mAP@10}. Only training corpora are read. (Giving both
    the same spread of scores asked for 0.78, which lost half the held-out mAP@10 and ranked a
    sine tone first for "white noise": aiSFX hears test signals as robots and cartoons.)"""
    model, tokenizer, _ = load_checkpoint(folder)
    # measured at an even share, then each space's scores taken apart: the curve needs one pass
    backend = CacophonyBackend(model, tokenizer, "measure", bridge={"head": HEAD, "classes": classes, "weight": 0.5})
    items = [item for item in heldout if item.captions]
    rate, seconds = backend.info.sample_rate, backend.info.window_seconds
    clips = [readable(item.audio, lambda a=item.audio: load_mono(a, rate, 0.0, seconds)) for item in items]
    audio = np.concatenate([backend.embed_audio(clips[i : i + 16]) for i in range(0, len(clips), 16)])
    texts, owners = caption_table(items)
    joint, (share_joint, share_bridge) = backend.model.cfg.embed_dim, backend.bridge_shares
    parts = [(audio[:, :joint] / share_joint, audio[:, joint:] / share_bridge), backend.text_parts(texts)]
    curve = {}
    for tenths in range(10):
        w = tenths / 10
        mixed = [side_by_side(j, b, w) for j, b in parts]
        curve[w] = retrieval_metrics(*mixed, owners)["t2a/mAP@10"]
    return max(w for w, value in curve.items() if value >= KEEP * curve[0.0]), curve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.ucs_heads", description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, action="append", required=True, help="a training manifest (repeat)")
    parser.add_argument(
        "--heldout", type=Path, action="append", required=True, help="a held-out manifest of the same corpora (repeat)"
    )
    parser.add_argument("--out", type=Path, required=True, help="the checkpoint folder to write ucs-classes.json into")
    parser.add_argument("--cache", type=Path, help="an .npz keeping the computed probabilities for a rerun")
    parser.add_argument(
        "--weight",
        type=float,
        help="the bridge's share, as measured out of distribution (python -m bench.ood shares); "
        "default: the largest that keeps the held-out mAP@10 within 5 %%",
    )
    parser.add_argument(
        "--query-shares",
        metavar="THRESHOLD,BELOW,ABOVE",
        help="each query's own share of the bridge, as measured by python -m bench.ood shares: ABOVE when "
        "the cosine of its words with a UCS category name is at least THRESHOLD, else BELOW",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)

    items = [item for manifest in args.manifest for item in read_manifest(manifest)]
    texts = [" ".join([*item.captions[-1:], *item.tags]) for item in items]
    if args.cache and args.cache.exists():
        probabilities = np.load(args.cache)["probabilities"]
    else:
        probabilities = class_probabilities(AisfxHead(HEAD), [Path(item.audio) for item in items])
        if args.cache:
            args.cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(args.cache, probabilities=probabilities)
    heard = ~np.isnan(probabilities).any(axis=1)  # a file that could not be decoded is left out
    texts, probabilities = [t for t, h in zip(texts, heard, strict=True) if h], probabilities[heard]
    labels = [label(text) for text in texts]
    categories = sorted({c.category for c in ucs_categories().values()})
    mapping = align(alignment_scores(probabilities, labels, categories))
    classes = [categories[c] for c in mapping]
    predicted = [classes[int(i)] for i in probabilities.argmax(1)]
    labelled = [(p, t) for p, t in zip(predicted, labels, strict=True) if t]
    accuracy = float(np.mean([p == t for p, t in labelled]))
    heldout = [item for manifest in args.heldout for item in read_manifest(manifest)]
    kept, curve = bridge_weight(args.out, classes, heldout)
    weight = kept if args.weight is None else args.weight
    result = {
        "head": HEAD,
        "weight": weight,
        "classes": classes,
        "left_out": [c for c in categories if c not in classes],
        "labelled_sounds": len(labelled),
        "labelled_top1": round(accuracy, 3),
        "heldout_map10": {str(w): round(value, 4) for w, value in curve.items()},
    }
    if args.query_shares:
        threshold, below, above = (float(v) for v in args.query_shares.split(","))
        result["query_shares"] = asdict(QueryShares(threshold, below, above))
    (args.out / CLASSES_FILE).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    log.info("bridge weight %.1f; held-out t2a mAP@10 by weight: %s", result["weight"], result["heldout_map10"])
    log.info("%s: left out %s; top-1 on %d labelled sounds %.3f", HEAD, result["left_out"], len(labelled), accuracy)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
