"""Corpus build steps: each source writes its own part manifest once, then the parts are split
by source, augmented and joined into ``manifest.jsonl`` (a rebuild skips finished parts)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from trainer.corpus import augment, debian, gm, signals, speech, textures
from trainer.corpus.clips import Clip, read_manifest, split_for, write_manifest
from trainer.corpus.dedup import index_of_manifest

log = logging.getLogger(__name__)

SOURCES: dict[str, Callable[..., list[Clip]]] = {
    "signals": lambda out, args: signals.build(out, seed=args.seed),
    "speech": lambda out, args: speech.build(out),
    "gm": lambda out, args: gm.build(out),
    "textures": lambda out, args: textures.build(out, seed=args.seed),
    "debian": lambda out, args: debian.build(
        out, args.packages, workers=args.workers, limit=args.limit, seen=index_of_manifest(args.unlike)
    ),
}


def build_part(name: str, out: Path, args) -> list[Clip]:
    part = out / "parts" / f"{name}.jsonl"
    if part.exists():
        log.info("%s: already built (%s)", name, part)
        return read_manifest(part)
    clips = SOURCES[name](out, args)
    part.parent.mkdir(parents=True, exist_ok=True)
    write_manifest(clips, part)
    log.info("%s: %d clips", name, len(clips))
    return clips


def assemble(out: Path, clips: list[Clip], val_percent: int, variants: int, mixes: int, seed: int) -> dict[str, int]:
    """Split by source, add augmented variants (same split as their source), write manifests:
    ``manifest.jsonl`` (everything), ``heldout.jsonl`` (the val split's original clips, no
    augmented copies: what retrieval is reported on) and ``gm-classes.jsonl`` (held-out GM
    notes and drum hits, first tag = instrument class, for zero-shot accuracy; ``gm-families.jsonl``
    the same by family)."""
    for clip in clips:
        clip.split = split_for(clip.source, val_percent)
    rng = random.Random(seed)
    extra = augment.build(out, clips, variants, mixes, rng)
    everything = clips + extra
    write_manifest(everything, out / "manifest.jsonl")
    write_manifest([c for c in clips if c.split == "val"], out / "heldout.jsonl")
    held_out_classes = [c for c in clips if c.split == "val" and c.kind in ("gm", "drums")]
    write_manifest(held_out_classes, out / "gm-classes.jsonl")
    # The same clips by GM family / drum kind ("brass", "snare drum"): a coarser zero-shot task.
    write_manifest([replace(c, tags=c.tags[1:2] + c.tags) for c in held_out_classes], out / "gm-families.jsonl")
    counts = {"train": sum(c.split == "train" for c in everything), "val": sum(c.split == "val" for c in everything)}
    log.info("manifest: %s (%d augmented)", counts, len(extra))
    return counts
