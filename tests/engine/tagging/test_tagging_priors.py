"""The library's category shares, estimated from the files' probabilities alone."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tagging.priors import MIN_FILES, SMOOTHING, library_shares, reweigh, shelf_prior, shelf_sums


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
    """Two shelves of a library of A and B files; the unsure file on the B shelf leans to B."""
    probabilities = np.array([[0.9, 0.1, 0, 0]] * 30 + [[0.1, 0.9, 0, 0]] * 30 + [[0.55, 0.45, 0, 0]])
    folders = ["lib/a"] * 30 + ["lib/b"] * 31
    shares = library_shares(probabilities)
    weighed = reweigh(probabilities, shares)
    shelves = shelf_sums(weighed, folders, CATEGORIES)
    assert shelves["lib/b"][0] == 31 and set(shelves["lib/b"][1]) == {"A", "B"}  # C and D: under the floor
    unsure = probabilities[-1]
    by_library = reweigh(unsure, shares)
    by_shelf = reweigh(unsure, shelf_prior(shares, shelves["lib/b"], weighed[-1], CATEGORIES))
    assert by_library.argmax() == 0 and by_shelf.argmax() == 1
    # on a shelf of its own, only the library's shares weigh it (it does not confirm itself)
    alone = shelf_sums(weighed[-1:], ["lib/c"], CATEGORIES)["lib/c"]
    assert shelf_prior(shares, alone, weighed[-1], CATEGORIES) == pytest.approx(shares, abs=1e-9)
    assert shelf_prior(shares, None, weighed[-1], CATEGORIES) is shares
