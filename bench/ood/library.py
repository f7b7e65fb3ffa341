"""The out-of-distribution sound library: Debian packages no model of ours trained on, laid out
twice over the same audio (hard links):

- ``named/<package>/<path inside the package>``: the names a sound designer would see;
- ``opaque/Take_0001.ogg``: the same files under names that say nothing (numbered in a fixed
  shuffled order, so neither the package nor the folder shows through), for content-only search;
- ``manifest.json``: one entry per file, with its name words (relevance is judged on those).

Kept: sound effects up to 30 s. Dropped: music (a ``music`` folder or word), files whose names
have no words, the large spoken sets :data:`SKIP_WORDS` names, and anything longer than 30 s,
which in these packages is music or a long ambience loop; this set measures finding a sound
effect, and a few dozen multi-minute tracks would also dominate indexing time. A sound
that decodes to the same audio as one already kept (a copy in another package or folder) is
dropped, so nothing is counted twice, and so is one whose audio a training package also ships
(:mod:`bench.ood.overlap`: the same file in two packages escapes the packages' names).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from engine.audio.decode import AudioDecodeError, load_mono
from engine.words import name_words, without_numbers
from trainer.corpus import debian
from trainer.corpus.captions import clean_words, package_words
from trainer.corpus.dedup import ContentIndex, content_key
from trainer.corpus.packages import check_evaluable

if TYPE_CHECKING:
    from engine.facade import Engine
    from engine.library.report import IndexReport
    from engine.paths import AppPaths

log = logging.getLogger(__name__)

DEFAULT_ROOT = Path("data/ood")
MANIFEST = "manifest.json"
MAX_SECONDS = 30.0
# Name words of files that are not sound effects: music, and large sets of near-identical spoken
# lines that would swamp the voice queries (Tux Paint's stamp descriptions read aloud in 20
# languages, its spoken letters and numbers; Trigger Rally's co-driver pace notes).
SKIP_WORDS = frozenset({"music", "musics", "song", "songs", "soundtrack", "desc", "alphabets", "math", "codriver"})
RATE = 16_000  # decoding rate for length and de-duplication only; the files are linked as shipped
SEEN_IN_TRAINING = Path(__file__).with_name("seen-in-training.json")  # written by bench.ood.overlap
HALVES = ("odd", "even")  # the names of package_halves' halves, first and second


@dataclass(frozen=True)
class OodFile:
    named: Path  # absolute
    opaque: Path  # absolute
    package: str
    relative: str  # path inside the package
    words: tuple[str, ...]  # cleaned name words: folders inside the package, then the file name
    seconds: float

    @property
    def text(self) -> str:
        """The words as one space-separated string, what relevance regexes search."""
        return " ".join(self.words)


def path_words(relative: str, package: str) -> list[str]:
    """Cleaned words of a path inside a package: folder words without generic ones ("usr",
    "sounds") or the game's name, then the file's own words through the one tokeniser."""
    path = PurePosixPath(relative)
    drop = package_words(package)
    found = [w for part in path.parent.parts for w in clean_words(part) if w not in drop]
    stem_words = without_numbers(name_words(path.name))
    return found + [w for w in stem_words if w not in drop]


def package_halves(files: Iterable[OodFile]) -> dict[str, list[str]]:
    """The library's packages in two halves, for a setting chosen on one and read on the other:
    every other package sorted by name ("odd": the first, third, ...; "even": the rest), so a
    package's files, which sound alike (one game's hundred robot voices), stay on one side, and
    every bench splits the same library the same way."""
    packages = sorted({f.package for f in files})
    return {HALVES[0]: packages[0::2], HALVES[1]: packages[1::2]}


class Decoded(NamedTuple):
    """What the build and the overlap command read of a file's audio."""

    seconds: float
    key: str  # trainer.corpus.dedup.content_key of the audio decoded at RATE


def decoded(path: Path) -> Decoded | None:
    """The length and content key of ``path`` decoded at :data:`RATE`, or None (logged) when it
    does not decode (worker process). The build and :mod:`bench.ood.overlap` both key files here:
    the build matches its keys against the seen-in-training list the overlap command writes, so
    the two must decode and key a file alike."""
    try:
        samples = load_mono(path, RATE)
    except (AudioDecodeError, ValueError, RuntimeError) as error:
        log.warning("skipping %s: %s", path, error)
        return None
    return Decoded(len(samples) / RATE, content_key(samples))


def probe(task: tuple[str, Path, Path]) -> dict | None:
    """Words, length and content key of one extracted file, or None if it is dropped (worker process)."""
    package, path, extracted = task
    relative = path.relative_to(extracted).as_posix()
    found = path_words(relative, package)
    if not found or SKIP_WORDS & set(found):  # no name words: nothing to judge it by ("07.wav")
        return None
    audio = decoded(path)
    if audio is None or not 0 < audio.seconds <= MAX_SECONDS:
        return None
    return {
        "package": package,
        "relative": relative,
        "words": found,
        "seconds": round(audio.seconds, 3),
        "key": audio.key,
        "source": str(path),
    }


def build(
    out: Path, packages: list[str], workers: int = 2, seed: int = 0, trained_on: Path = SEEN_IN_TRAINING
) -> list[dict]:
    """Download and extract the packages, keep the sound effects, lay out named/ and opaque/,
    write the manifest. Downloads and extraction are kept between runs; the layout is rebuilt.
    ``trained_on`` lists the evaluation audio a training package ships too (:mod:`bench.ood.overlap`)."""
    check_evaluable(packages, list(debian.TRAINING_PACKAGES))
    tasks = []
    for package in packages:
        extracted = out / "extracted" / package
        files = debian.extract_audio(debian.fetch(package, out / "debs"), extracted)
        tasks += [(package, path, extracted) for path in files]
    with ProcessPoolExecutor(workers) as pool:
        probed = [entry for entry in pool.map(probe, tasks, chunksize=8) if entry is not None]
    entries = unique(probed, seen_in_training(trained_on))
    for folder in ("named", "opaque"):
        shutil.rmtree(out / folder, ignore_errors=True)
    order = list(range(len(entries)))
    random.Random(seed).shuffle(order)
    for number, entry in zip(order, entries, strict=False):
        source = Path(entry.pop("source"))
        entry["named"] = f"named/{entry['package']}/{entry['relative']}"
        entry["opaque"] = f"opaque/Take_{number + 1:04d}{source.suffix.lower()}"
        for link in (entry["named"], entry["opaque"]):
            (out / link).parent.mkdir(parents=True, exist_ok=True)
            os.link(source, out / link)
    (out / MANIFEST).write_text(json.dumps(entries, indent=1, ensure_ascii=False), encoding="utf-8")
    log.info(
        "%d files kept of %d probed (%d audio files in %d packages)",
        len(entries),
        len(probed),
        len(tasks),
        len(packages),
    )
    return entries


def unique(entries: list[dict], seen: ContentIndex | None = None) -> list[dict]:
    """The first of each group of files with the same decoded audio (in the order given), and none
    whose audio ``seen`` holds already (what a training package ships: :mod:`bench.ood.overlap`)."""
    seen = seen or ContentIndex()
    kept = []
    for entry in entries:
        name = f"{entry['package']}/{entry['relative']}"
        earlier = seen.claim(entry["key"], name)
        if earlier is None:
            kept.append(entry)
        else:
            log.info("dropping %s: same audio as %s", name, earlier)
    return kept


def seen_in_training(path: Path = SEEN_IN_TRAINING) -> ContentIndex:
    """The keys of evaluation audio a training package ships (:mod:`bench.ood.overlap`), each
    claimed by its training file, for the build to leave out (an empty index when there is no list)."""
    index = ContentIndex()
    if path.is_file():
        for entry in json.loads(path.read_text(encoding="utf-8")):
            index.claim(entry["key"], f"training audio {entry['training']}")
    return index


def library_key(root: Path = DEFAULT_ROOT) -> str:
    """A short hash of the built library's manifest: what is cached about a library's files (their
    windows' vectors, indexed by the files' order) holds for that very library only."""
    return hashlib.sha1((root / MANIFEST).read_bytes()).hexdigest()[:10]


def load_library(root: Path = DEFAULT_ROOT) -> list[OodFile]:
    """The built library (``python -m bench.ood build`` first)."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} is missing: build the library with python -m bench.ood build --out {root}")
    root = root.resolve()
    return [
        OodFile(root / e["named"], root / e["opaque"], e["package"], e["relative"], tuple(e["words"]), e["seconds"])
        for e in json.loads(manifest.read_text(encoding="utf-8"))
    ]


def indexed_engine(paths: AppPaths, folders: Sequence[str | os.PathLike], model: str) -> tuple[Engine, IndexReport]:
    """An Earmark engine on ``paths`` with ``folders`` (parts of this library) added and
    indexed by ``model``; a home kept from an earlier run indexes only what changed."""
    from engine.facade import Engine  # here: the library's readers need no torch or LanceDB

    engine = Engine(paths, model)
    known = {Path(f.path) for f in engine.folders()}  # absolute, as the engine keeps them
    for folder in folders:
        if Path(folder).absolute() not in known:
            engine.add_folder(folder)
    return engine, engine.index()
