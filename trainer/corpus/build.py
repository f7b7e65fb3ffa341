"""Corpus build steps: each source writes its own part manifest once, then the parts are split
by source, augmented and joined into ``manifest.jsonl`` (a rebuild skips parts finished with the
same arguments)."""

from __future__ import annotations

import hashlib
import json
import logging
import random
from argparse import Namespace
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from engine.fs import atomic_file
from trainer.corpus import augment, debian, gm, signals, speech, textures
from trainer.corpus.clips import Clip, read_manifest, split_for, write_manifest
from trainer.corpus.dedup import index_of_manifest
from trainer.corpus.packages import check_trainable

log = logging.getLogger(__name__)


class Source(NamedTuple):
    """How a source's clips are made, and which build arguments decide what they are."""

    build: Callable[[Path, Namespace], list[Clip]]
    depends_on: tuple[str, ...]  # the build arguments its clips depend on: recorded beside its part


SOURCES: dict[str, Source] = {
    "signals": Source(lambda out, args: signals.build(out, seed=args.seed), ("seed",)),
    "speech": Source(lambda out, args: speech.build(out), ()),
    "gm": Source(lambda out, args: gm.build(out), ()),
    "textures": Source(lambda out, args: textures.build(out, seed=args.seed), ("seed",)),
    "debian": Source(
        lambda out, args: debian.build(
            out, args.packages, workers=args.workers, limit=args.limit, seen=index_of_manifest(args.unlike)
        ),
        ("packages", "limit", "unlike"),
    ),
}


def build_part(name: str, out: Path, args: Namespace) -> list[Clip]:
    """The source's clips: ``parts/<name>.jsonl`` when the record beside it says it was built with
    these arguments, else built again (a part without a record was cut short, or built by an
    earlier version). Part and record are each written whole, the record last."""
    part, record = out / "parts" / f"{name}.jsonl", out / "parts" / f"{name}.built.json"
    settings = part_settings(SOURCES[name], args)
    if part.is_file() and record.is_file() and json.loads(record.read_text()) == settings:
        log.info("%s: already built (%s)", name, part)
        return reused_part(part)
    record.unlink(missing_ok=True)  # the part about to be replaced is no longer what it says
    clips = SOURCES[name].build(out, args)
    part.parent.mkdir(parents=True, exist_ok=True)
    write_manifest(clips, part)
    with atomic_file(record) as partial:
        partial.write_text(json.dumps(settings))
    log.info("%s: %d clips", name, len(clips))
    return clips


def reused_part(part: Path) -> list[Clip]:
    """A finished part's clips, refused like a new build's packages: a package reserved (or taken
    into the evaluation set) after the part was built must not enter a corpus through it."""
    clips = read_manifest(part)
    if packages := debian.packages_of(clips):
        check_trainable(packages)
    return clips


def part_settings(source: Source, args: Namespace) -> dict:
    """The arguments a part depends on, as recorded: ``--unlike``'s manifest by a hash of its
    content (a grown evaluation set must leave more out), the others as given."""
    settings = {name: getattr(args, name) for name in source.depends_on}
    if settings.get("unlike") is not None:
        settings["unlike"] = hashlib.sha1(Path(settings["unlike"]).read_bytes()).hexdigest()
    return settings


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
