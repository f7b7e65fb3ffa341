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
what the other named files of its own folder are (their probabilities under the library's
shares, summed), with :data:`SHELF_PSEUDO_FILES` pseudo-files at the library's shares: a file
alone in its folder is weighed by the library's shares only, a file among many by its shelf.
The file itself is left out of its shelf, so a shelf never confirms its files' own first guesses.
bench/tagging.py, the library as one job: 75.6 % -> 78.5 % top-1, top-3 87.9 -> 89.2 %, both
halves of the packages up (77.9 -> 81.2 %, 69.1 -> 70.6 %). Fifty pseudo-files: 1, 10 and 50 tie
on the odd half (81.2 %), and 50 keeps the calibration (expected error 0.055 -> 0.044, where 1,
10 and 20 raised it to 0.079, 0.062 and 0.067 by weighing a shelf more than it knows).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MIN_FILES = 20  # fewer files with words say little about a library: their suggestions stay as they are
SMOOTHING = 20.0  # pseudo-files per category
MAX_ROUNDS = 200
SETTLED = 1e-6  # the largest change of a share at which the rounds stop
SHELF_PSEUDO_FILES = 50.0  # files at the library's shares in every folder's prior
SHELF_FLOOR = 0.02  # a folder's summed probability of a category below this is not kept (a job's
# shelves are saved with it, and a folder is mostly a few categories)

Shelves = dict[str, list]  # folder -> [named files, {category: their probabilities under the shares, summed}]


def library_shares(probabilities: np.ndarray, smoothing: float = SMOOTHING) -> np.ndarray | None:
    """The categories' shares among these files, shape (categories,), summing to 1, from their
    (files, categories) probabilities under equal priors; None for fewer than :data:`MIN_FILES`."""
    files, categories = probabilities.shape
    if files < MIN_FILES:
        return None
    shares = np.full(categories, 1.0 / categories)
    for _ in range(MAX_ROUNDS):
        weighed = reweigh(probabilities, shares)
        new = (weighed.sum(0) + smoothing) / (files + smoothing * categories)
        settled = float(np.abs(new - shares).max()) < SETTLED
        shares = new
        if settled:
            break
    return shares


def reweigh(probabilities: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Probabilities under equal priors, (..., categories), made probabilities under ``shares``."""
    weighed = probabilities * shares
    return weighed / np.maximum(weighed.sum(-1, keepdims=True), 1e-30)


def shelf_sums(weighed: np.ndarray, folders: Sequence[str], categories: Sequence[str]) -> Shelves:
    """Each folder's named files counted and their (files, categories) probabilities under the
    library's shares summed, the sums under :data:`SHELF_FLOOR` left out."""
    names, owner = np.unique(np.asarray(folders, dtype=object), return_inverse=True)
    summed = np.zeros((len(names), len(categories)))
    np.add.at(summed, owner, weighed)
    counts = np.bincount(owner, minlength=len(names))
    return {
        str(folder): [int(count), {categories[c]: float(row[c]) for c in np.flatnonzero(row >= SHELF_FLOOR)}]
        for folder, count, row in zip(names, counts, summed, strict=True)
    }


def shelf_prior(shares: np.ndarray, shelf: list | None, own: np.ndarray, categories: Sequence[str]) -> np.ndarray:
    """A named file's category prior, (categories,): the other named files of its folder (``shelf``,
    of :func:`shelf_sums`; ``own``: the file's probabilities under ``shares``, taken out of it) and
    :data:`SHELF_PSEUDO_FILES` files at the library's ``shares``."""
    if shelf is None:
        return shares
    count, sums = shelf
    others = np.maximum(np.array([sums.get(c, 0.0) for c in categories]) - own, 0.0)
    return (others + SHELF_PSEUDO_FILES * shares) / (max(count - 1, 0) + SHELF_PSEUDO_FILES)
