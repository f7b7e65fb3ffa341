"""What a library holds: the share of each category among the files a job tags, and
suggestions weighed by it.

A file called ``click.wav`` may be an interface click or a mechanical one, and
``Oxygen-Sys-Log-In`` names a desktop theme, not the gas; in a folder of interface sounds both
are interface sounds, which is what a sound designer tagging that folder expects. The calibrated
probabilities assume every category equally likely; a real library is far from that (a game's
hundred robot voices, a desktop theme's alerts). So a job first estimates the library's own
category shares from the files' probabilities alone, by expectation-maximisation (Saerens,
Latinne and Decaestecker, *Adjusting the outputs of a classifier to new a priori
probabilities*, 2002): shares -> each file's probabilities reweighed by share / (1 / categories)
-> their mean is the new shares, until they settle. No label is read. Twenty pseudo-files per
category (a Dirichlet prior towards equal shares) keep a small job near where it was and a large
library from locking onto its first guesses: files the calibration never met (music, long
ambiences) are unsure in ways that, counted at full weight, pulled labelled files their way
(bench/tagging.py over its whole library: one pseudo-file per category gave 76.0 % top-1 but cost
top-3 a point and one half of the packages 0.6 points; twenty, chosen on that half, 74.8 %, with
top-3 and both halves up).

Only files with words take part, as estimate and as suggestion: from the sound alone the
probabilities are too unsure to tell a library's make-up (audio only falls with shares of its
own), and a library's unnamed files are seldom like its named ones.

A folder is a shelf: ``steps/step_metal1.ogg`` sits among footsteps on every surface, not among
metal sounds, and ``enemies/antlion_die.ogg`` among monsters. So each named file is weighed by
what the other named files of its own folder are (their probabilities under their pack's shares,
summed), with :data:`SHELF_PSEUDO_FILES` pseudo-files at its pack's shares: a file alone in its
folder is weighed by its pack's shares only, a file among many by its shelf. The file itself is
left out of its shelf and of its pack, so neither ever confirms its own first guess.
bench/tagging.py, the library as one job: 75.6 % -> 78.5 % top-1 when shelves came (at the
library's shares), and 50 pseudo-files kept the calibration where 1, 10 and 20 raised it.

A library is packs: the first folders under the folder a job tags (``lib/kajongg``,
``lib/gajim``; :func:`pack_of`), each of its own make-up. Shares read over the whole job let one
pack swamp the others: in a library of 20 Debian packages, one of them 335 spoken tile calls,
VOICES was "14.4x as readily" suggested everywhere, and 23 of the 172 files of the other packages
with a suggestion of 30 % or more got VOICES first (gajim's chime 75 %, a guitar riff 84 %);
LibreOffice's applause, CROWDS-APPLAUSE 69 % when its folder was tagged alone, read
VOICES-REACTION 48 % in the library job (review 19). So each pack's shares are read from its own
files (:func:`read_library`), with :data:`PACK_SMOOTHING` pseudo-files per category at the job's
shares, whose categories are cut at :data:`SHARE_CAP` times an even share: what the rest of the
library holds still counts where a pack says little of itself, but no pack can make a category
more than about three times as likely in the others. There: 6 of 178 VOICES first (four of them
may well be spoken: "well done", "shall we play", baresip's ring and error), the applause
CROWDS-APPLAUSE 59 %. bench/tagging.py (one run each on one index, 2026-12-08), the library as
one job: 80.1 % -> 80.1 % top-1, 88.8 % -> 88.6 % top-3; in the order suggested 79.8 % -> 79.6 %;
shown at the threshold 531 -> 538 files, 83.1 % -> 82.3 % of them right, 78.3 % -> 78.7 % of all;
calibration error 0.057 -> 0.055. Measured against it: packs read each by itself (pseudo-files
at equal shares, no pack weighed under :data:`MIN_FILES` files: a file's suggestions depend on
its own pack alone) 79.2 % / 87.9 %, 78.3 % in the order suggested, as the bench's packages of few
files lose what the others tell of them; the job's shares capped alone (3x) 79.8 %, and the
applause still VOICES; packs whose pseudo-files are at the mean of the packs' shares, VOICES first
for 20 to 24 files."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from engine.fs import is_inside

MIN_FILES = 20  # fewer files with words say little about a library: their suggestions stay as they are
SMOOTHING = 20.0  # pseudo-files per category, over a whole library (:func:`library_shares`)
SHARE_CAP = 3.0  # no category of a job's shares more than this times an even share
PACK_SMOOTHING = 2.0  # pseudo-files per category at the job's shares in each pack's shares
MAX_ROUNDS = 200
SETTLED = 1e-6  # the largest change of a share at which the rounds stop
SHELF_PSEUDO_FILES = 50.0  # files at the pack's shares in every folder's prior
SHELF_FLOOR = 0.02  # a folder's summed probability of a category below this is not kept (a job's
# shelves are saved with it, and a folder is mostly a few categories)

# folder (or pack) -> [named files, {category: their probabilities under their pack's shares, summed}]
Shelves = dict[str, list]


def library_shares(probabilities: np.ndarray, smoothing: float = SMOOTHING) -> np.ndarray | None:
    """The categories' shares among these files, shape (categories,), summing to 1, from their
    (files, categories) probabilities under equal priors; None for fewer than :data:`MIN_FILES`."""
    files, categories = probabilities.shape
    if files < MIN_FILES:
        return None
    return _settled_shares(probabilities, np.full(categories, 1.0 / categories), smoothing * categories)


def _settled_shares(probabilities: np.ndarray, toward: np.ndarray, pseudo: float) -> np.ndarray:
    """The shares of the (files, categories) ``probabilities``' files, by expectation-maximisation
    from ``toward`` with ``pseudo`` pseudo-files at ``toward``: shares -> the files reweighed by
    them -> their mean beside the pseudo-files, until they settle (:data:`SETTLED`)."""
    shares = toward
    for _ in range(MAX_ROUNDS):
        new = (reweigh(probabilities, shares).sum(0) + pseudo * toward) / (len(probabilities) + pseudo)
        settled = float(np.abs(new - shares).max()) < SETTLED
        shares = new
        if settled:
            break
    return shares


def reweigh(probabilities: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Probabilities under equal priors, (..., categories), made probabilities under ``shares``."""
    weighed = probabilities * shares
    return weighed / np.maximum(weighed.sum(-1, keepdims=True), 1e-30)


def pack_of(folder: str, targets: Sequence[str]) -> str:
    """The pack a file of a job lies in (``folder``: the file's): the first folder under the job's
    target that holds it (``lib/kajongg`` of ``lib/kajongg/voices/male1`` where the job tags
    ``lib``), the target itself for its own files, the file's folder where the job names the file."""
    target = max((t for t in targets if is_inside(folder, t)), key=len, default=folder)
    below = os.path.relpath(folder, target)
    return target if below == os.curdir else os.path.join(target, below.split(os.sep)[0])


def summed(weighed: np.ndarray, groups: Sequence[str], categories: Sequence[str]) -> Shelves:
    """Each group's (folder's or pack's) named files counted and their (files, categories)
    probabilities summed, the sums under :data:`SHELF_FLOOR` left out."""
    names, owner = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    sums = np.zeros((len(names), len(categories)))
    np.add.at(sums, owner, weighed)
    counts = np.bincount(owner, minlength=len(names))
    return {
        str(group): [int(count), {categories[c]: float(row[c]) for c in np.flatnonzero(row >= SHELF_FLOOR)}]
        for group, count, row in zip(names, counts, sums, strict=True)
    }


def capped(shares: np.ndarray) -> np.ndarray:
    """``shares`` cut at :data:`SHARE_CAP` times an even share and brought back to a sum of 1 (which
    lifts the cut ones a little over it)."""
    held = np.minimum(shares, SHARE_CAP / len(shares))
    return held / held.sum()


def read_library(
    probabilities: np.ndarray, folders: Sequence[str], packs: Sequence[str], categories: Sequence[str]
) -> tuple[dict[str, float], Shelves, Shelves] | None:
    """What a job's named files are, from their (files, categories) probabilities under equal
    priors, each file's folder and pack (:func:`pack_of`): the job's shares (:func:`library_shares`,
    :func:`capped`), and per folder and per pack the files' probabilities under their pack's shares
    (:data:`PACK_SMOOTHING` pseudo-files per category at the job's), summed (:func:`summed`). None
    for fewer than :data:`MIN_FILES` named files."""
    shares = library_shares(probabilities)
    if shares is None:
        return None
    shares = capped(shares)
    pseudo = PACK_SMOOTHING * len(categories)
    weighed = probabilities.copy()
    owner = np.asarray(packs, dtype=object)
    for pack in np.unique(owner):
        inside = owner == pack
        weighed[inside] = reweigh(probabilities[inside], _settled_shares(probabilities[inside], shares, pseudo))
    read = dict(zip(categories, shares.tolist(), strict=True))
    return read, summed(weighed, folders, categories), summed(weighed, packs, categories)


def pack_holding(folder: str, packs: Shelves) -> list | None:
    """The entry of ``packs`` (of :func:`read_library`) of the pack holding ``folder``: the
    nearest one at or above it."""
    while folder not in packs:
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return packs[folder]


def pack_shares(shares: np.ndarray, pack: list, categories: Sequence[str], own: np.ndarray | None = None) -> np.ndarray:
    """A pack's shares, (categories,), from the job's ``shares`` and the pack's entry of
    :func:`read_library`; with ``own`` (a file's probabilities under them) read without that file."""
    held = np.array([pack[1].get(c, 0.0) for c in categories])
    count = pack[0] if own is None else max(pack[0] - 1, 0)
    held = held if own is None else np.maximum(held - own, 0.0)
    pseudo = PACK_SMOOTHING * len(categories)
    return (held + pseudo * shares) / (count + pseudo)


def file_prior(
    shares: np.ndarray, pack: list | None, shelf: list | None, probabilities: np.ndarray, categories: Sequence[str]
) -> np.ndarray:
    """A named file's category prior, (categories,): the job's ``shares``, its pack's (``pack``)
    read without it, and the other named files of its folder (``shelf``) with
    :data:`SHELF_PSEUDO_FILES` files at its pack's shares. ``pack`` and ``shelf``: entries of
    :func:`read_library`; ``probabilities``: the file's, (categories,), under equal priors."""
    if pack is None:
        return shares
    own = reweigh(probabilities, pack_shares(shares, pack, categories))
    held = pack_shares(shares, pack, categories, own)
    if shelf is None:
        return held
    others = np.maximum(np.array([shelf[1].get(c, 0.0) for c in categories]) - own, 0.0)
    return (others + SHELF_PSEUDO_FILES * held) / (max(shelf[0] - 1, 0) + SHELF_PSEUDO_FILES)
