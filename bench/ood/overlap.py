"""Evaluation audio that a training source also ships, found by decoded content.

The reserved list and :func:`trainer.corpus.packages.check_evaluable` keep the evaluation
packages apart from the training packages by name. That misses the same file shipped in two
packages: a desktop theme's alert that another theme ships too (``sound-theme-freedesktop``'s
``message-new-instant.oga`` is ``oxygen-sounds``'s ``Oxygen-Im-Message-In.ogg``), one game's
explosions in its sister game (``tuxmath-data`` and ``tuxtype-data``). The shipped model trained on
those, so scoring it on them measures memory, not hearing.

``python -m bench.ood overlap`` decodes every file of every training package
(:data:`trainer.corpus.debian.PACKAGE_SETS`, the builtin recipe's sources) and of the evaluation
packages as the library build reads them (:func:`bench.ood.library.decoded`, the build's own
keying), and writes the evaluation files whose audio a training package also holds to
:data:`SEEN_IN_TRAINING` (committed: the build reads it and leaves them out, so a rebuild needs
no training package). Each package's keys are kept under ``--work`` between runs.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.ood.library import SEEN_IN_TRAINING, decoded
from engine.fs import atomic_file
from trainer.corpus import debian

log = logging.getLogger(__name__)


def package_keys(package: str, work: Path, workers: int) -> dict[str, str]:
    """{content key: path inside the package} of every audio file ``package`` ships, computed once
    and kept in ``work/keys/``."""
    kept = work / "keys" / f"{package}.json"
    if kept.is_file():
        return json.loads(kept.read_text(encoding="utf-8"))
    extracted = work / "extracted" / package
    files = debian.extract_audio(debian.fetch(package, work / "debs"), extracted)
    with ProcessPoolExecutor(workers) as pool:
        sounds = pool.map(decoded, files, chunksize=8)
        found = {
            sound.key: path.relative_to(extracted).as_posix()
            for path, sound in zip(files, sounds, strict=True)
            if sound is not None
        }
    kept.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(kept) as partial:
        partial.write_text(json.dumps(found, sort_keys=True), encoding="utf-8")
    log.info("%s: %d audio files, %d distinct", package, len(files), len(found))
    return found


def find_overlap(evaluation: list[str], training: list[str], work: Path, workers: int = 2) -> list[dict]:
    """Each evaluation sound a training package also ships: {"key", "evaluation": package/path,
    "training": package/path}, sorted by evaluation file. A key names one file of a package (the
    build leaves out every file with that key: a package's silent files share one)."""
    trained: dict[str, str] = {}
    for package in training:
        for key, relative in package_keys(package, work, workers).items():
            trained.setdefault(key, f"{package}/{relative}")
    found = []
    for package in evaluation:
        for key, relative in package_keys(package, work, workers).items():
            if key in trained:
                found.append({"key": key, "evaluation": f"{package}/{relative}", "training": trained[key]})
    return sorted(found, key=lambda entry: entry["evaluation"])


def write_overlap(found: list[dict], path: Path = SEEN_IN_TRAINING) -> None:
    with atomic_file(path) as partial:
        partial.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
