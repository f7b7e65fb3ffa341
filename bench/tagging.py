"""UCS tag suggestion and caption quality on sounds from packages no model of ours trained on.

    python -m bench.tagging [--model builtin] [--ood data/ood] [--captions 150] [--write-calibration]

The out-of-distribution library (``python -m bench.ood build``) has a UCS ground truth for the
files whose names say what they are (``bench/ood/ucs.py``: 520 files in 36 UCS categories). Its
``named/`` folder is indexed once (kept under ``--work``); the same windows then stand for the
``opaque/`` twin, whose records carry only the ``Take_0001`` name (no folders, no metadata), so
"audio only" is the sound and nothing else. Printed, top-1 and top-3 UCS *category* accuracy:

- chance (uniform over the 82 categories) and always answering the most frequent categories;
- names only: word overlap with the UCS words (no model), the names through the text tower, and
  through the classifier learned from the UCS names (engine/tagging/classifier.py);
- audio only (names hidden), and audio with names: Earmark's suggestions, with names both each
  file alone and the library tagged as one job, weighed by the category shares the job estimates
  and by what the other files of each file's folder are (engine/tagging/priors.py); and audio
  only weighed by shares of its own, which Earmark does not do.

The same Earmark job once more, its categories in the order it suggests them (each category by
the probability of its best subcategory, which is the confidence shown, or as a whole where it is
sure and none of its subcategories is: ``engine/tagging/tagger.py``), by that rule and without it.
Then, at the default threshold, how many files show a suggestion and how often the first one
shown names the right category, by each rule, with names and from the sound alone.

Then UCS *subcategory* top-1 of the first suggestion, on the files whose name alone says their
ground truth and that truth a subcategory more than its category's MISC ("frog", "rooster", "lion",
"step", "laser"), each file alone: in their own folders, and each moved into a folder named after
its category ("animals/frog.ogg", "birds/rooster.ogg", "robots/..."), the shelf sound libraries
are sorted into. The folder's word may say the category; it should not say which subcategory where
the name says it. With each, the expected calibration error of the first suggestion's confidence
against its subcategory being right (what the percentage beside a CATEGORY-SUBCATEGORY claims).

Calibration is cross-fitted by package: the weights that score a file were fitted on the other
packages only, so every number here is held out. Then a reliability table
(top-1 confidence against accuracy) before and after calibration. ``--write-calibration`` stores
the weights fitted on all files in ``resources/tagging/calibration.json`` for this model.

Captions (``--captions N`` files, 0 to skip) from the model's decoder, beam search (3 beams) and
temperature sampling (T = 0.1), against references made the way the training captions are made
from paths (``trainer/corpus/captions.py``: the sound's name, with its nearest folder), scored
with ``trainer/evaluation/captions.py``; then by confidence: the share of captions that name what
the sound is (a word of the references other than generic ones like "game", "sound", "effect").
The caption threshold (what the app shows) is the lowest confidence above which at least half
of the captions do. Asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath

import numpy as np

from bench.ood import OodFile, load_library, ucs_truth
from bench.ood.content import WINDOWS_VERSION
from bench.ood.library import indexed_engine, path_words
from engine.audio.decode import load_mono
from engine.facade import Engine
from engine.index.records import FileRecord
from engine.index.vectors import Windows
from engine.models.base import CaptionOptions
from engine.paths import app_paths
from engine.settings import Settings
from engine.tagging.calibration import (
    DEFAULT,
    Calibration,
    Weights,
    fit_weights,
    load_calibration,
    reliability,
    save_calibration,
)
from engine.tagging.evidence import EncodedVocabulary, Evidence, gather_evidence, pack_words
from engine.tagging.lexicon import stems
from engine.tagging.priors import file_prior, library_shares, pack_holding, pack_of, read_library, reweigh
from engine.tagging.tagger import rank
from engine.tagging.vocabulary import Vocabulary, shipped_ucs
from engine.words import UcsCategory, words
from trainer.corpus.captions import GENERIC_WORDS, package_words, path_caption
from trainer.evaluation.captions import caption_metrics

WITH_WORDS, SOUND_ONLY = ("sound", "text", "lexical", "prior", "category"), ("sound", "prior")
SHOWN_SHARE = 0.5  # captions above the threshold: at least this share names a word of the references
THRESHOLD = Settings().tag_threshold  # what the app and `earmark suggestions` show by default
# what a category offers (engine/tagging/tagger.py, rank): its best term at its own probability, as
# before; or a category sure where none of its terms is, whole (its MISC term at its probability)
RULES = (("its best term (before)", math.inf), ("whole where no term is sure (Earmark)", THRESHOLD))
HEARD_TOO = ("whole, files judged by their sound too (not done)", THRESHOLD, True)


def category_ranking(vocabulary: Vocabulary, scores: np.ndarray, pool=np.sum) -> list[str]:
    """UCS categories best first, each scored by ``pool`` over its terms' scores."""
    groups = vocabulary.category_terms
    return sorted(groups, key=lambda c: -float(pool(scores[groups[c]])))


def hits(rankings: list[list[str]], truths: list[str], k: int) -> float:
    return float(np.mean([t in r[:k] for r, t in zip(rankings, truths, strict=True)]))


def folds(files: list[OodFile]) -> list[int]:
    """One fold per package: file i belongs to fold folds()[i]. Each package is scored by weights
    fitted on all the others, which is as close as a held-out measurement gets to the shipped
    calibration (fitted on every package). Two halves of the packages, as this bench first did,
    fitted each half's weights on the other half alone, where one game's hundred robot voices
    swung the fitted category prior between 0.25 and 0.95: 55.4 % top-1 with names where
    leave-one-package-out measures 59.2 % (four and eight package folds 59.6 % and 59.4 %)."""
    packages = sorted({f.package for f in files})
    return [packages.index(f.package) for f in files]


def cross_fitted(
    named: list[Evidence],
    opaque: list[Evidence],
    labels: list[list[int]],
    fold: list[int],
) -> tuple[list[Calibration], Calibration]:
    """The calibration that scores each fold (fitted on the other folds), and one fitted on all."""

    def fit(rows: list[int]) -> Calibration:
        worded = [i for i in rows if named[i].has_words]
        sound_only = fit_weights([opaque[i] for i in rows], [labels[i] for i in rows], SOUND_ONLY)
        with_words = fit_weights(
            [named[i] for i in worded], [labels[i] for i in worded], WITH_WORDS, sound_only=sound_only
        )
        return Calibration(with_words, sound_only)

    per_fold = [fit([i for i, f in enumerate(fold) if f != k]) for k in range(max(fold) + 1)]
    return per_fold, fit(list(range(len(fold))))


def library_weighed(
    vocabulary: Vocabulary,
    library: tuple[list[Evidence], list[np.ndarray]],
    evidence: list[Evidence],
    scored: list[np.ndarray],
    weighed: Callable[[Evidence], bool],
    shelves: tuple[list[str], list[str], str] | None = None,
) -> list[np.ndarray]:
    """``scored`` as a job over the whole library weighs them (engine/tagging/priors.py): the
    category shares estimated from the library's files that ``weighed`` picks (every file of it,
    with a ground truth or not, as `earmark tag` over the folder reads them), applied to the scored
    files it picks; with ``shelves`` (each library file's folder, each scored file's folder, the
    library's folder), as a job does: by the library's shares (capped), each file's package's (its
    pack's) and what the other picked files of its folder are."""
    picked = [i for i, e in enumerate(library[0]) if weighed(e)]
    said = np.array([vocabulary.category_probabilities(library[1][i]) for i in picked])
    if shelves is None:
        shares = library_shares(said)
        if shares is None:
            return scored
        by_term = shares[vocabulary.term_categories]
        return [reweigh(p, by_term) if weighed(e) else p for e, p in zip(evidence, scored, strict=True)]
    library_folders, scored_folders, root = shelves
    folders = [library_folders[i] for i in picked]
    read = read_library(said, folders, [pack_of(f, [root]) for f in folders], vocabulary.categories)
    if read is None:
        return scored
    shares, by_folder, by_pack = np.array(list(read[0].values())), read[1], read[2]
    out = []
    for e, p, folder in zip(evidence, scored, scored_folders, strict=True):
        if weighed(e):
            pack, shelf = pack_holding(folder, by_pack), by_folder.get(folder)
            prior = file_prior(shares, pack, shelf, vocabulary.category_probabilities(p), vocabulary.categories)
            p = reweigh(p, prior[vocabulary.term_categories])
        out.append(p)
    return out


def suggested_categories(
    encoded: EncodedVocabulary,
    calibration: Calibration,
    evidence: Evidence,
    probabilities: np.ndarray,
    record: FileRecord,
    sure_at: float,
) -> list[str]:
    """The categories of Earmark's suggestions for a file in the order it suggests them
    (engine/tagging/tagger.py; ``sure_at``: see its rank)."""
    ranked = rank(encoded.vocabulary, evidence, probabilities, calibration, record, set(), sure_at)
    return [encoded.vocabulary.term(key).category for key in ranked.keys]


def says_subcategory(file: OodFile) -> bool:
    """Whether the file's name alone, without its folders, gives its ground truth, and that truth
    is a subcategory more than its category's MISC or GENERAL (which add no word of their own)."""
    truth = ucs_truth(file)
    alone = ucs_truth(replace(file, words=tuple(path_words(PurePosixPath(file.relative).name, file.package))))
    return truth == alone and truth.words != words(truth.category)


def in_category_folder(record: FileRecord, category: str) -> FileRecord:
    """The record as if its file lay in a folder named after its UCS category, right under the
    library folder: ``animals/frog.ogg``, ``birds/rooster.ogg``."""
    return replace(record, path=os.path.join(record.folder, category.lower(), os.path.basename(record.path)))


def as_a_job(
    engine: Engine, encoded: EncodedVocabulary, records: list[FileRecord], windows: dict[int, Windows]
) -> list[Evidence]:
    """The evidence for ``records`` as a tagging job over their folders weighs it: the words their
    folders' files share weighed first by the folders' sound (engine.tagging.evidence.pack_words),
    through the model's shipped calibration."""
    model = engine.model
    packs = pack_words(model, load_calibration(model.info.name), encoded, records, windows)
    return gather_evidence(model, encoded, records, windows, packs=packs)


def subcategory_bench(
    engine: Engine,
    encoded: EncodedVocabulary,
    files: list[OodFile],
    records: list[FileRecord],
    calibrations: list[Calibration],
) -> None:
    """Subcategory top-1 of the first suggestion, each file alone (``calibrations``: each file's
    cross-fitted one), of the files :func:`says_subcategory` picks: in their own folders and in a
    folder named after their category."""
    model = engine.model
    chosen = [i for i, f in enumerate(files) if says_subcategory(f)]
    truths = [ucs_truth(files[i]) for i in chosen]
    own = [records[i] for i in chosen]
    windows = engine.store.embeddings(model.info).windows_of([r.id for r in own])
    print(
        f"\nUCS subcategory of the first suggestion, each file alone, on the {len(chosen)} files whose name alone "
        f"says a subcategory ({len({t.cat_id for t in truths})} of them):\n"
    )
    print("| the files in | subcategory top-1 | category top-1 | calibration error of the confidence shown |")
    print("|---|---|---|---|")
    for label, placed in (
        ("their own folders", own),
        (
            'a folder named after their category ("animals")',
            [in_category_folder(r, t.category) for r, t in zip(own, truths, strict=True)],
        ),
    ):
        evidence = as_a_job(engine, encoded, placed, windows)
        for rule, sure_at in RULES:
            right_subcategory, right_category, shown = [], [], []
            for i, found, record, truth in zip(chosen, evidence, placed, truths, strict=True):
                calibration = calibrations[i]
                probabilities = calibration.probabilities(found)
                ranked = rank(encoded.vocabulary, found, probabilities, calibration, record, set(), sure_at)
                right_subcategory.append(ranked.keys[0] == truth.cat_id)
                right_category.append(encoded.vocabulary.term(ranked.keys[0]).category == truth.category)
                shown.append(ranked.confidences[0])
            _, error = reliability(shown, right_subcategory)
            print(
                f"| {label}, {rule} | {np.mean(right_subcategory):.1%} | {np.mean(right_category):.1%} | {error:.3f} |"
            )


def shown_bench(
    vocabulary: Vocabulary,
    scored: dict[str, tuple[list[Evidence], list[np.ndarray]]],
    records: list[FileRecord],
    calibrations: list[Calibration],
    truths: list[UcsCategory],
) -> None:
    """How many files show a suggestion at the default threshold (coverage) and how often the first
    one shown is right (precision), for each of ``scored`` ({what: (evidence, probabilities)}), by
    each of :data:`RULES`, and whole for files judged by their sound alone too (:data:`HEARD_TOO`,
    which Earmark does not do). A whole category counts as right where its category is; its CatID
    where the truth is the catch-all."""
    print(f"\nSuggestions shown at the default threshold ({THRESHOLD:.0%}), {len(records)} files:\n")
    print(
        "| files | what a category offers | files shown one | first shown: category right | its CatID right | "
        "category right of all files | first shown a whole category (right) |"
    )
    print("|---|---|---|---|---|---|---|")
    for what, (evidence, probabilities) in scored.items():
        for rule, sure_at, heard_too in (*((r, t, False) for r, t in RULES), HEARD_TOO):
            shown = right = right_id = whole = whole_right = 0
            for found, p, record, calibration, truth in zip(
                evidence, probabilities, records, calibrations, truths, strict=True
            ):
                found = replace(found, has_words=True) if heard_too else found
                ranked = rank(vocabulary, found, p, calibration, record, set(), sure_at)
                if not ranked.confidences or ranked.confidences[0] < THRESHOLD:
                    continue
                category_right = vocabulary.term(ranked.keys[0]).category == truth.category
                shown += 1
                right += category_right
                right_id += ranked.keys[0] == truth.cat_id
                whole += ranked.whole[0]
                whole_right += ranked.whole[0] and category_right
            print(
                f"| {what} | {rule} | {shown} ({shown / len(records):.1%}) | {right / max(shown, 1):.1%} | "
                f"{right_id / max(shown, 1):.1%} | {right / len(records):.1%} | {whole} ({whole_right}) |"
            )


def print_reliability(title: str, confidences: list[float], correct: list[bool]) -> None:
    rows, ece = reliability(confidences, correct)
    print(f"\n{title} (expected calibration error {ece:.3f})")
    print("| confidence | files | mean confidence | accuracy |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.low:.1f}-{row.high:.1f} | {row.count} | {row.confidence:.2f} | {row.accuracy:.2f} |")


def reference_captions(file: OodFile) -> list[str]:
    """What the corpus builder would caption this file from its path (trainer/corpus/captions.py),
    its specific forms only: the sound's name, and the name with its nearest folder."""
    name, context = path_caption(file.relative, package_words(file.package))
    if not name:
        return [" ".join(file.words)]
    return [name] + [f"{name}, {c}" for c in context[:1]]


# words a caption can hold without saying what the sound is: a caption made of these only
# ("a game character's voice", "game sound effect") is counted as naming nothing
NON_NAMING = GENERIC_WORDS | {"a", "an", "the", "of", "and", "with", "in", "on", "s", "character", "characters"}


def names_a_word(caption: str, references: list[str]) -> bool:
    """Whether the caption names a word of its references that says what the sound is."""
    said = {s for w in words(caption) if w not in NON_NAMING for s in stems([w])}
    return bool(said & {s for r in references for w in words(r) if w not in NON_NAMING for s in stems([w])})


def caption_bench(engine: Engine, files: list[OodFile], count: int, seed: int) -> float | None:
    """Caption quality by method and by confidence; returns the threshold for the beam captions."""
    model = engine.model
    if not model.info.can_caption:
        print(f"\n{model.info.name} has no caption decoder: no captions measured")
        return None
    chosen = random.Random(seed).sample(files, min(count, len(files)))
    clips = [load_mono(f.named, model.info.sample_rate, 0.0, model.info.window_seconds) for f in chosen]
    references = [reference_captions(f) for f in chosen]
    threshold = None
    print(f"\nCaptions of {len(chosen)} files (references from their paths, e.g. {references[0][0]!r})")
    for label, options in (
        ("beam search, 3 beams", CaptionOptions()),
        ("temperature sampling, T = 0.1", CaptionOptions(method="sample", temperature=0.1)),
    ):
        started = time.perf_counter()
        captions = []
        for start in range(0, len(clips), 8):
            captions += model.describe(clips[start : start + 8], options)
        seconds = time.perf_counter() - started
        texts = [c.text for c in captions]
        confidence = np.exp([c.mean_logprob for c in captions])
        named = np.array([names_a_word(t, r) for t, r in zip(texts, references, strict=True)])
        metrics = caption_metrics(texts, references)
        print(
            f"\n{label} ({seconds / len(clips):.2f} s a file): "
            + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
        )
        print(
            f"  names a word of the references: {named.mean():.0%}; examples: "
            + "; ".join(f"{t!r} ({r[0]!r})" for t, r in list(zip(texts, references, strict=True))[:4])
        )
        print("| confidence at least | captions shown | names a reference word | BLEU-1 | ROUGE-L | CIDEr |")
        print("|---|---|---|---|---|---|")
        candidates = []
        for floor in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            shown = confidence >= floor
            if shown.sum() < 5:
                continue
            subset = caption_metrics(
                [t for t, s in zip(texts, shown, strict=True) if s],
                [r for r, s in zip(references, shown, strict=True) if s],
            )
            print(
                f"| {floor:.1f} | {shown.sum()} ({shown.mean():.0%}) | {named[shown].mean():.0%} | "
                f"{subset['BLEU-1']:.3f} | {subset['ROUGE-L']:.3f} | {subset['CIDEr']:.3f} |"
            )
            if named[shown].mean() >= SHOWN_SHARE:
                candidates.append(floor)
        if options.method == "beam":
            threshold = min(candidates) if candidates else 1.0
    print(
        f"\ncaption threshold (beam search): {threshold:.1f}: the lowest confidence above which at least "
        f"{SHOWN_SHARE:.0%} of the captions name a word of their references"
    )
    return threshold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--ood", type=Path, default=Path("data/ood"))
    parser.add_argument("--work", type=Path, default=Path("data/bench/tagging"))
    parser.add_argument("--captions", type=int, default=150, help="files to caption (0: no caption measurement)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--write-calibration", action="store_true", help="store the calibration fitted on all files for this model"
    )
    args = parser.parse_args(argv)

    library = load_library(args.ood)
    files = [f for f in library if ucs_truth(f) is not None]
    named_root, opaque_root = (args.ood / "named").resolve(), (args.ood / "opaque").resolve()
    engine, report = indexed_engine(
        app_paths(args.work / f"home-{args.model}-w{WINDOWS_VERSION}"), [named_root], args.model
    )
    print(
        f"{len(library)} files in {args.ood}, {len(files)} with a UCS ground truth in "
        f"{len({ucs_truth(f).category for f in files})} categories; model {engine.model_info.name}; "
        f"indexed {report.embedded} now ({report.seconds:.0f} s)"
    )

    model = engine.model
    vocabulary = shipped_ucs()
    encoded = engine.tagging.encoded(model, vocabulary)
    table = engine.store.embeddings(model.info)
    # the whole library, as a job over its folder reads it; the files with a ground truth are scored
    everything = [engine.store.get_file(str(f.named)) for f in library]
    missing = [f.named for f, r in zip(library, everything, strict=True) if r is None]
    if missing:
        raise SystemExit(f"{len(missing)} files are not indexed, e.g. {missing[0]}")
    windows = table.windows_of([r.id for r in everything])
    # the same files as ``Take_0001`` names, no folders, no metadata: only the sound says what they are
    twins = [
        FileRecord(path=str(f.opaque), folder=str(opaque_root), id=r.id)
        for f, r in zip(library, everything, strict=True)
    ]
    library_evidence = {
        "named": as_a_job(engine, encoded, everything, windows),
        "opaque": as_a_job(engine, encoded, twins, windows),
    }
    position = {f.named: i for i, f in enumerate(library)}
    named = [library_evidence["named"][position[f.named]] for f in files]
    opaque = [library_evidence["opaque"][position[f.named]] for f in files]
    truths = [ucs_truth(f).category for f in files]
    labels = [vocabulary.category_terms[t] for t in truths]
    fold = folds(files)
    per_fold, overall = cross_fitted(named, opaque, labels, fold)

    def probabilities(evidence: list[Evidence], calibrations: list[Calibration]) -> list[np.ndarray]:
        return [calibrations[k].probabilities(e) for e, k in zip(evidence, fold, strict=True)]

    # every library file scored with its package's cross-fitted calibration (a package without a
    # ground truth: the one fitted on all), as the library's shares are read from them
    package_fold = {f.package: k for f, k in zip(files, fold, strict=True)}
    calibrations = [per_fold[package_fold[f.package]] if f.package in package_fold else overall for f in library]
    library_scored = {
        kind: (found, [c.probabilities(e) for c, e in zip(calibrations, found, strict=True)])
        for kind, found in library_evidence.items()
    }

    results: dict[str, list[list[str]]] = {}
    common = [c for c, _ in Counter(truths).most_common()]
    results["most frequent categories (no look at the file)"] = [common] * len(files)
    results["names only: word overlap with UCS words (no model)"] = [
        category_ranking(vocabulary, e.lexical, np.max) for e in named
    ]
    results["names only: through the text tower"] = [
        category_ranking(vocabulary, e.text if e.text is not None else np.zeros(len(e.lexical)), np.max) for e in named
    ]
    audio = probabilities(opaque, per_fold)
    both = probabilities(named, per_fold)
    results["names only: the words classifier"] = [
        category_ranking(vocabulary, e.category if e.category is not None else np.zeros(len(e.lexical)), np.max)
        for e in named
    ]
    results["audio only, names hidden (Earmark)"] = [category_ranking(vocabulary, p) for p in audio]
    results["audio only, weighed by shares its sound alone suggests (not done: worse)"] = [
        category_ranking(vocabulary, p)
        for p in library_weighed(vocabulary, library_scored["opaque"], opaque, audio, lambda e: True)
    ]
    results["audio and names, each file alone (Earmark before 2026-12-03)"] = [
        category_ranking(vocabulary, p) for p in both
    ]
    by_shares = library_weighed(vocabulary, library_scored["named"], named, both, lambda e: e.has_words)
    results["audio and names, the library as one job, by its shares alone (Earmark before 2026-12-04)"] = [
        category_ranking(vocabulary, p) for p in by_shares
    ]
    folders = [os.path.dirname(r.path) for r in everything]
    shelves = (folders, [folders[position[f.named]] for f in files], str(named_root))
    both_weighed = library_weighed(vocabulary, library_scored["named"], named, both, lambda e: e.has_words, shelves)
    results["audio and names, the library as one job, by each package's shares and each folder's files (Earmark)"] = [
        category_ranking(vocabulary, p) for p in both_weighed
    ]
    records = [everything[position[f.named]] for f in files]
    for rule, sure_at in RULES:
        results[f"the same, its categories in the order suggested (by the confidence shown), {rule}"] = [
            suggested_categories(encoded, per_fold[k], e, p, r, sure_at)
            for e, p, r, k in zip(named, both_weighed, records, fold, strict=True)
        ]
    chance = 1 / len(vocabulary.category_terms)
    print(
        f"\nUCS category accuracy on {len(files)} held-out files from {max(fold) + 1} packages (each package's "
        f"calibration fitted on the other packages):\n"
    )
    print("| evidence | top-1 | top-3 |")
    print("|---|---|---|")
    print(f"| chance (uniform over {len(vocabulary.category_terms)} categories) | {chance:.1%} | {3 * chance:.1%} |")
    for name, rankings in results.items():
        print(f"| {name} | {hits(rankings, truths, 1):.1%} | {hits(rankings, truths, 3):.1%} |")
    worded = sum(e.has_words for e in named)
    print(f"\n{worded} of {len(files)} named files have words some UCS term knows; the others are judged by sound.")
    shown_bench(
        vocabulary,
        {"audio and names, the library as one job (Earmark)": (named, both_weighed), "audio only": (opaque, audio)},
        records,
        [per_fold[k] for k in fold],
        [ucs_truth(f) for f in files],
    )

    for title, stage, scored in (
        ("audio only", "uncalibrated defaults", probabilities(opaque, [DEFAULT] * len(per_fold))),
        ("audio only", "calibrated, cross-fitted", audio),
        ("audio and names", "uncalibrated defaults", probabilities(named, [DEFAULT] * len(per_fold))),
        ("audio and names", "calibrated, cross-fitted", both),
        ("audio and names", "calibrated, weighed by the library's shares and each folder's files", both_weighed),
    ):
        confidences, correct = [], []
        for p, truth in zip(scored, truths, strict=True):
            ranking = category_ranking(vocabulary, p)
            confidences.append(float(p[vocabulary.category_terms[ranking[0]]].sum()))
            correct.append(ranking[0] == truth)
        print_reliability(f"Reliability, {title}, {stage}", confidences, correct)
    subcategory_bench(engine, encoded, files, records, [per_fold[k] for k in fold])
    print(
        f"\nweights fitted on all files: with words {_weights(overall.with_words)}; "
        f"sound only {_weights(overall.sound_only)}"
    )
    threshold = caption_bench(engine, files, args.captions, args.seed) if args.captions else None
    if args.write_calibration:
        if threshold is None:  # captions not measured this run: the stored threshold stands
            threshold = load_calibration(model.info.name).caption_threshold
        fitted = f"bench/tagging.py on {len(files)} out-of-distribution files ({args.ood}), {time.strftime('%Y-%m-%d')}"
        calibration = replace(overall, fitted=fitted, caption_threshold=threshold)
        save_calibration(model.info.name, calibration)
        print(f"\nwrote the calibration of {model.info.name} to resources/tagging/calibration.json")
    engine.close()
    return 0


def _weights(weights: Weights) -> str:
    return (
        f"sound {weights.sound:.1f}, text {weights.text:.1f}, words {weights.lexical:.1f}, "
        f"category size prior {weights.prior:.2f}, words classifier {weights.category:.2f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
