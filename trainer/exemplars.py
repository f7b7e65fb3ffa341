"""Recipe step 7i: the exemplar bank a checkpoint's queries are heard through
(:mod:`engine.models.cacophony.exemplars`): the words head's corpora, each clip heard by aiSFX at
44.1 kHz as the words head hears it, each distinct caption embedded in the words space.

    python -m trainer.exemplars --checkpoint resources/models/builtin \\
        --corpus data/corpus-sfx --corpus data/corpus-synth

Every captioned clip goes in, validation split too: nothing is fitted here, and the split only
served the words head's early stop. The evaluation library is no corpus, so none of it can be.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import torch

from engine.models.base import embed_in_batches
from engine.models.cacophony.backend import CacophonyBackend
from engine.models.cacophony.exemplars import ExemplarConfig, Exemplars
from engine.models.cacophony.ucs_bridge import AisfxHead
from engine.models.folders import EXEMPLARS_FILE
from trainer.words_head import Captioned, hear

log = logging.getLogger(__name__)
BATCH = 256  # captions embedded at a time


def build(data: Captioned, embed_words, config: ExemplarConfig | None = None) -> Exemplars:
    """The bank of ``data``'s clips: each distinct caption embedded once (``embed_words``: texts ->
    unit words vectors), and one row per clip and each of its distinct captions."""
    distinct = sorted({caption for captions in data.captions for caption in captions})
    row = {caption: i for i, caption in enumerate(distinct)}
    pairs = np.array([(row[c], clip) for clip, captions in enumerate(data.captions) for c in dict.fromkeys(captions)])
    if not len(pairs):
        raise ValueError("no captioned clip to make exemplars of")
    vectors = embed_in_batches(embed_words, distinct, BATCH)
    return Exemplars(vectors, pairs[:, 0], pairs[:, 1], data.likeness, config or ExemplarConfig())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer.exemplars", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True, help="a trainer.corpus folder")
    parser.add_argument("--checkpoint", type=Path, required=True, help="a checkpoint with a UCS bridge")
    parser.add_argument("--nearest", type=int, default=ExemplarConfig.nearest)
    parser.add_argument("--temperature", type=float, default=ExemplarConfig.temperature)
    parser.add_argument("--weight", type=float, default=ExemplarConfig.weight)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(2)
    backend = CacophonyBackend.from_checkpoint(args.checkpoint)
    if backend.bridge is None:
        parser.error(f"{args.checkpoint} has no UCS bridge: its windows have no likeness vectors to meet")
    data = hear(args.corpus, AisfxHead().eval())
    bank = build(data, backend.embed_words, ExemplarConfig(args.nearest, args.temperature, args.weight))
    bank.save(args.checkpoint / EXEMPLARS_FILE)
    print(json.dumps({"clips": len(bank.clips), "captions": len(bank.captions), "pairs": len(bank.caption_row)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
