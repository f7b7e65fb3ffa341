"""A library fine-tune teaches the UCS bridge's words head the library's names.

Four fifths of the builtin model's sound score come from its UCS bridge (README, "The builtin
model"), which the fine-tune of the trained half leaves as it was: on the even half of the
out-of-distribution packages ten minutes of it moved held-out search mAP@10 from 0.104 to 0.098.
The bridge's words head is a linear map from what aiSFX hears to the sentence space, learnt on
game and rendered sounds' captions; trained further on the library's own pairs (each file's
first window heard by aiSFX, its captions from its name and folders) it meets the library's
words. Hearing a file costs a pass of aiSFX over its first window (0.02-0.03 s for the bench's
short game sounds on this project's 2-core machine, more for a full 10 s), so the files heard are
capped to a share of the budget; the training itself takes seconds. A head that carries its own
tuned copy of aiSFX's last block (``--tune-top``, not shipped) is left as it is.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from safetensors.torch import save_file

from engine.audio.decode import AudioDecodeError, load_mono
from engine.models.cacophony.ucs_bridge import SAMPLE_RATE, AisfxHead, WordsHead
from engine.models.folders import CLASSES_FILE, WORDS_HEAD_FILE
from trainer.data.keywords import join_keywords
from trainer.data.manifest import Item
from trainer.words_head import Captioned, HeadConfig, heard, retune

log = logging.getLogger(__name__)

HEARD_SECONDS = 10.0  # of each file: the model's window, what indexing embeds first
BUDGET_SHARE = 0.25  # at most this share of the fine-tune's minutes goes to hearing files
TIMED_FILES = 3
MIN_HEARD = 16  # files heard however late the stage runs: fewer teach the head nothing
# Chosen on the odd half of bench/finetune.py's packages and read on the even half (README, "On
# your own library"): 5 or 20 epochs at 1e-4 tied best on the odd half (1e-3 drifted from what
# the head knew: worse at every length), and the shorter stays nearer the shipped head.
LIBRARY_HEAD = HeadConfig(epochs=5, batch_size=64, learning_rate=1e-4)


def has_words_head(folder: Path) -> bool:
    """Whether ``folder`` has a UCS bridge with a words head this module can tune."""
    path = Path(folder) / WORDS_HEAD_FILE
    return (Path(folder) / CLASSES_FILE).is_file() and path.is_file() and WordsHead.load(path).top is None


def seconds_to_hear(head: AisfxHead, items: list[Item]) -> float:
    """Seconds a file takes to decode and hear here, from a few drawn across the library (after one
    to warm up): its first few, one folder's short takes, said a third of what the stage then took."""
    times = []
    for item in _drawn(items, TIMED_FILES + 1):
        started = time.perf_counter()
        try:
            heard(head, _wave(item))
        except AudioDecodeError:
            continue
        times.append(time.perf_counter() - started)
    return float(np.median(times[1:] or times or [0.2]))


def files_to_hear(items: list[Item], budget_s: float, per_file_s: float) -> int:
    """How many of ``items`` fit the budget's share for hearing."""
    return min(len(items), int(BUDGET_SHARE * budget_s / max(per_file_s, 1e-3)))


def tune_words_head(
    folder: Path,
    items: list[Item],
    count: int,
    embed_words,
    head: AisfxHead | None = None,
    hearing_s: float | None = None,
) -> tuple[WordsHead, int]:
    """``folder``'s words head trained further on ``count`` of ``items`` (a seeded sample when
    fewer than all), written back into ``folder``; returns it and the files heard (a file that
    cannot be decoded is left out). With ``hearing_s``, hearing stops once that many seconds are
    spent (after :data:`MIN_HEARD` files): the plan counted the stage at its measured pace, and a
    machine busier than when it was timed took 3 min 49 s for a stage planned at 25 s."""
    head = head or AisfxHead().eval()
    likeness, in_time, captions = [], [], []
    started = time.perf_counter()
    for item in _drawn(items, count):
        if hearing_s is not None and len(captions) >= MIN_HEARD and time.perf_counter() - started > hearing_s:
            log.info("words head: %d of %d files heard in the stage's time", len(captions), count)
            break
        try:
            vector, moving, _, _ = heard(head, _wave(item))
        except AudioDecodeError as error:
            log.warning("%s: left out of the words head: %s", item.audio, error)
            continue
        likeness.append(vector)
        in_time.append(moving)
        captions.append(item.captions or [join_keywords(item.tags)])  # a file only the user's tags describe
    if not captions:
        raise ValueError("none of the library's training files could be heard for the words head")
    data = Captioned(np.stack(likeness), np.stack(in_time), captions, np.ones(len(captions), bool))
    tuned = retune(WordsHead.load(Path(folder) / WORDS_HEAD_FILE), data, embed_words, LIBRARY_HEAD)
    save_file({k: v.contiguous() for k, v in tuned.tensors().items()}, str(Path(folder) / WORDS_HEAD_FILE))
    return tuned, len(captions)


def _drawn(items: list[Item], count: int) -> list[Item]:
    """``count`` of ``items`` in a seeded random order: any first part of it is a sample of the
    whole library, not its first folder."""
    order = np.random.default_rng(LIBRARY_HEAD.seed).permutation(len(items))[:count]
    return [items[i] for i in order]


def _wave(item: Item) -> np.ndarray:
    return load_mono(str(item.audio), SAMPLE_RATE, 0.0, HEARD_SECONDS)
