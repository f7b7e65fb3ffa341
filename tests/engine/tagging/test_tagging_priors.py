"""The library's category shares, estimated from the files' probabilities alone."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tagging.priors import (
    MIN_FILES,
    SHARE_CAP,
    SMOOTHING,
    file_prior,
    library_shares,
    pack_holding,
    pack_of,
    read_library,
    reweigh,
)


def probabilities_of_a_library(true_shares: np.ndarray, files: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Files drawn from ``true_shares``, each heard as one number from its category's bell curve
    (neighbouring categories overlap); their exact probabilities under equal priors, what a
    calibrated classifier says, and their categories."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(len(true_shares), size=files, p=true_shares)
    heard = truth + rng.normal(0.0, 0.7, size=files)
    logits = -((heard[:, None] - np.arange(len(true_shares))[None, :]) ** 2) / (2 * 0.7**2)
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    return probabilities / probabilities.sum(1, keepdims=True), truth


def test_the_estimate_finds_a_skewed_library_where_the_mean_guess_does_not():
    true = np.array([0.7, 0.2, 0.05, 0.05])
    probabilities, _ = probabilities_of_a_library(true, 2000)
    shares = library_shares(probabilities)
    assert shares.sum() == pytest.approx(1.0)
    assert np.abs(shares - true).max() < 0.05
    assert np.abs(shares - true).max() < 0.5 * np.abs(probabilities.mean(0) - true).max()


def test_weighed_by_the_library_more_files_are_right():
    true = np.array([0.8, 0.1, 0.05, 0.05])
    probabilities, truth = probabilities_of_a_library(true, 400, seed=1)
    weighed = reweigh(probabilities, library_shares(probabilities))
    assert (weighed.argmax(1) == truth).mean() > (probabilities.argmax(1) == truth).mean() + 0.05
    assert np.allclose(weighed.sum(1), 1.0)


def test_an_unsure_file_follows_what_its_library_holds():
    shares = np.array([0.9, 0.1])
    assert reweigh(np.array([0.45, 0.55]), shares).argmax() == 0
    assert reweigh(np.array([0.05, 0.95]), shares).argmax() == 1  # sure evidence still wins


def test_a_job_of_few_files_is_not_weighed():
    probabilities = np.tile([0.9, 0.1], (MIN_FILES - 1, 1))
    assert library_shares(probabilities) is None
    assert library_shares(np.tile([0.9, 0.1], (MIN_FILES, 1))) is not None


def test_a_library_of_one_category_leaves_the_others_a_share():
    """Without the pseudo-files the others' shares would go to zero, and no later evidence could
    ever make a file of this library anything else."""
    probabilities = np.tile([1.0, 0.0, 0.0], (500, 1))
    shares = library_shares(probabilities)
    assert shares[0] > 0.85
    assert shares[1:].min() >= SMOOTHING / (500 + 3 * SMOOTHING)
    assert reweigh(np.array([0.02, 0.98, 0.0]), shares).argmax() == 1


def test_a_small_job_stays_near_its_own_evidence_and_a_large_one_follows_its_library():
    true = np.array([0.7, 0.1, 0.1, 0.1])
    small, _ = probabilities_of_a_library(true, MIN_FILES, seed=2)
    large, _ = probabilities_of_a_library(true, 3000, seed=3)
    equal = np.full(4, 0.25)
    assert np.abs(library_shares(small) - equal).max() < 0.5 * np.abs(library_shares(large) - equal).max()


CATEGORIES = ["A", "B", "C", "D"]


def test_a_file_follows_the_other_files_of_its_folder_and_not_its_own_guess():
    """Two shelves of a pack of A and B files; the unsure file on the B shelf leans to B."""
    probabilities = np.array([[0.9, 0.1, 0, 0]] * 30 + [[0.1, 0.9, 0, 0]] * 30 + [[0.55, 0.45, 0, 0]])
    folders = ["lib/a"] * 30 + ["lib/b"] * 31
    read, shelves, packs = read_library(probabilities, folders, ["lib"] * 61, CATEGORIES)
    shares = np.array(list(read.values()))
    assert shelves["lib/b"][0] == 31 and set(shelves["lib/b"][1]) == {"A", "B"}  # C and D: under the floor
    assert packs["lib"][0] == 61 and shares.sum() == pytest.approx(1)
    unsure = probabilities[-1]
    by_pack = reweigh(unsure, file_prior(shares, packs["lib"], None, unsure, CATEGORIES))
    by_shelf = reweigh(unsure, file_prior(shares, packs["lib"], shelves["lib/b"], unsure, CATEGORIES))
    assert by_pack.argmax() == 0 and by_shelf.argmax() == 1
    # on a shelf of its own, only its pack's shares weigh it (it does not confirm itself)
    alone = read_library(probabilities, folders[:-1] + ["lib/c"], ["lib"] * 61, CATEGORIES)[1]["lib/c"]
    assert file_prior(shares, packs["lib"], alone, unsure, CATEGORIES) == pytest.approx(
        file_prior(shares, packs["lib"], None, unsure, CATEGORIES), abs=1e-6
    )
    assert file_prior(shares, None, None, unsure, CATEGORIES) is shares  # in no pack the job read


def test_the_pack_is_the_first_folder_under_the_jobs_folder():
    assert pack_of("/lib/kajongg/voices/de/male1", ["/lib"]) == "/lib/kajongg"
    assert pack_of("/lib/kajongg/voices", ["/other", "/lib/kajongg"]) == "/lib/kajongg/voices"
    assert pack_of("/lib", ["/lib"]) == "/lib"  # the job's folder's own files
    assert pack_of("/lib/gajim", ["/lib/gajim/attention.wav"]) == "/lib/gajim"  # a file the job names
    packs = {"/lib/kajongg": [300, {}], "/lib": [3, {}]}
    assert pack_holding("/lib/kajongg/voices/male1", packs)[0] == 300 and pack_holding("/lib/x", packs)[0] == 3
    assert pack_holding("/elsewhere/x", packs) is None


def test_no_category_of_a_jobs_shares_is_more_than_a_few_times_an_even_share():
    voices = np.tile(np.eye(20)[0] * 0.9 + 0.1 / 20, (300, 1))
    read = read_library(voices, ["lib/voices"] * 300, ["lib/voices"] * 300, [f"C{i}" for i in range(20)])[0]
    # cut at SHARE_CAP times an even share, then brought back to a sum of 1 (a little over it)
    assert SHARE_CAP / 20 < max(read.values()) < 1.5 * SHARE_CAP / 20 and sum(read.values()) == pytest.approx(1)
    assert library_shares(voices).max() > 0.4  # uncapped, 9 times an even share


def test_a_pack_of_one_category_does_not_take_another_packs_files():
    """Review 19: 335 spoken tile calls in one package of a library made a chime, a guitar riff and
    an applause VOICES in the others. Each pack is weighed by its own files, with a few pseudo-files
    at the job's shares, whose categories are capped: the small pack's unsure file stays what its
    pack and a job over it alone make it, where the library's shares made it the big pack's."""
    categories = [f"C{i}" for i in range(20)]
    voices = np.tile(np.eye(20)[0] * 0.95 + 0.05 / 20, (300, 1))
    effects = np.tile(np.eye(20)[1] * 0.5 + 0.5 / 20, (40, 1))  # B, unsurely
    unsure = np.eye(20)[0] * 0.3 + np.eye(20)[1] * 0.25 + 0.45 / 20  # leans to A by itself
    small = np.concatenate([effects, unsure[None]])
    both = np.concatenate([voices, small])
    folders = ["lib/voices"] * 300 + ["lib/effects"] * 41
    read, shelves, packs = read_library(both, folders, [pack_of(f, ["lib"]) for f in folders], categories)
    shares = np.array(list(read.values()))
    together = file_prior(shares, packs["lib/effects"], shelves["lib/effects"], unsure, categories)
    read, shelves, packs = read_library(small, folders[300:], ["lib/effects"] * 41, categories)
    alone = file_prior(np.array(list(read.values())), packs["lib/effects"], shelves["lib/effects"], unsure, categories)
    assert reweigh(unsure, together).argmax() == reweigh(unsure, alone).argmax() == 1
    assert reweigh(unsure, library_shares(both)).argmax() == 0  # the whole library's shares made it A
