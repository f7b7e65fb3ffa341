"""The out-of-distribution library: its package list stays apart from training and the reserved
list, its queries and UCS rules load, duplicates and music are dropped from a real .deb, and a
ranking is judged with the project's metrics."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bench.ood import by_category, chance, judge, load_library, load_queries, ucs_truth
from bench.ood.content import EVERYDAY, file_scores, joint_only, rank_queries, without_exemplars
from bench.ood.library import OodFile, build, library_key, package_halves
from bench.ood.overlap import find_overlap, write_overlap
from bench.ood.shares import halves, remix, search
from bench.ood.similar import best_pairs, neighbour_metrics
from bench.ood.ucs import RULES
from engine.models.cacophony.ucs_bridge import query_side
from engine.models.folders import CLASSES_FILE, CONFIG_FILE, EXEMPLARS_FILE, WEIGHTS_FILE, WORDS_HEAD_FILE
from engine.words import ucs_categories, words
from tests.factories import build_deb, debian_package
from trainer.corpus.debian import TRAINING_PACKAGES
from trainer.corpus.packages import (
    EVALUATION_PACKAGES,
    PackageNotAllowed,
    check_evaluable,
    check_trainable,
    reserved_packages,
)
from trainer.evaluation.metrics import search_metrics_from_ranks

TRAINING = list(TRAINING_PACKAGES)


def test_evaluation_packages_are_neither_trained_on_nor_reserved():
    assert not set(EVALUATION_PACKAGES) & set(TRAINING)
    assert not set(EVALUATION_PACKAGES) & reserved_packages()
    assert not set(TRAINING) & reserved_packages()
    check_evaluable(EVALUATION_PACKAGES, TRAINING)
    check_trainable(TRAINING)


def test_roles_are_refused_across():
    reserved = sorted(reserved_packages())[0]
    with pytest.raises(PackageNotAllowed, match="reserved"):
        check_evaluable([reserved], TRAINING)
    with pytest.raises(PackageNotAllowed, match="training set"):
        check_evaluable([TRAINING[0]], TRAINING)
    with pytest.raises(PackageNotAllowed, match="out-of-distribution"):
        check_trainable([EVALUATION_PACKAGES[0]])


def test_reserved_list_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("EARMARK_RESERVED_SOURCES", str(tmp_path / "nowhere.txt"))
    with pytest.raises(FileNotFoundError, match="nowhere.txt"):
        check_trainable(["anything"])


def test_queries_load_and_cover_the_everyday_categories():
    queries = load_queries()
    assert len(queries) >= 60
    assert len({q.text for q in queries}) == len(queries)
    assert set(EVERYDAY) <= {q.category for q in queries}  # the everyday categories


def test_bad_regex_names_its_query(tmp_path):
    path = tmp_path / "q.json"
    path.write_text(json.dumps([{"text": "broken", "category": "ui", "relevant": "(unclosed"}]))
    with pytest.raises(ValueError, match="broken"):
        load_queries(path)


def test_ucs_rules_name_real_categories():
    assert all(cat_id in ucs_categories() for _, cat_id in RULES)
    assert all(re.compile(pattern) for pattern, _ in RULES)
    file = OodFile(Path("a"), Path("b"), "p", "x/door_open.ogg", ("door", "open"), 1.0)
    assert ucs_truth(file).category == "DOORS"


def test_a_voice_line_is_filed_under_voices_whatever_it_names():
    """Bos Wars' unit announcements say their subject ("camera completed"): the sound is a voice,
    not a camera or a pump; the unit's own sounds, and a jingle named "completed", are not lines."""

    def truth(*texts: str) -> list[str | None]:
        return [None if (found := ucs_truth(file)) is None else found.category for file in library_of(*texts)]

    spoken = ("camera camera completed", "magma pump magma pump under attack", "chopper chopper ready")
    assert truth(*spoken, "buggy buggy attacked") == ["VOICES"] * 4
    assert truth("camera sfx camera select", "magma pump sfx pplnt die", "themes completed") == [
        "COMMUNICATIONS",
        "MACHINES",
        None,
    ]


def literal_words(pattern: str) -> list[str]:
    """The plain-word alternatives of a relevance regex ("door", "crowd cheer"), its other syntax dropped."""
    bare = re.sub(r"\(\?<!.*?\)|\\b|\\w[+*]|\\s", " ", pattern)
    return [" ".join(p.split()) for p in re.split(r"[|()?+]", bare) if re.fullmatch(r"[a-z][a-z ]*", p.strip() or "-")]


def test_relevance_regexes_spell_words_as_the_tokeniser_writes_them():
    """Relevance and UCS rules are matched against names cleaned by the one tokeniser, so an
    alternative it would split ("gameover", "crowdcheer") silently matches nothing: when the
    tokeniser learnt to split compounds, 21 files lost their UCS truth and 30-odd query
    alternatives went dead. One it reads beside the word as written ("gturret turret") still matches."""
    patterns = [pattern for pattern, _ in RULES]
    for query in load_queries():
        patterns += [p.pattern for p in query.relevant] + ([query.exclude.pattern] if query.exclude else [])
    alternatives = {a for pattern in patterns for a in literal_words(pattern)}
    assert {"door", "crowd cheer", "ref whistle", "lion", "enemies"} <= alternatives
    assert [a for a in sorted(alternatives) if not re.search(rf"(?<!\S){a}(?!\S)", " ".join(words(a)))] == []
    assert literal_words(r"\b(gameover|game over)\b") == ["gameover", "game over"]
    assert " ".join(words("gameover")) != "gameover"  # the kind of drift this test catches


def library_of(*texts: str) -> list[OodFile]:
    return [
        OodFile(Path(f"/n/{i}.ogg"), Path(f"/o/Take_{i:04d}.ogg"), "p", f"{i}.ogg", tuple(t.split()), 1.0)
        for i, t in enumerate(texts)
    ]


def test_judge_uses_the_ranks_of_all_relevant_files():
    library = library_of("glass break", "door open", "glass smash", "fire", "water", "glass bottle")
    query = next(q for q in load_queries() if q.text == "glass breaking")
    assert [query.is_relevant(f) for f in library] == [True, False, True, False, False, True]
    # Ranked by opaque path: right files at 0-based ranks 1 and 2; the third one not retrieved.
    ranked = [library[1].opaque, library[0].opaque, library[2].named]
    metrics = judge(query, ranked, library)
    assert metrics["R@1"] == 0.0 and metrics["R@5"] == 1.0
    assert metrics["mAP@10"] == pytest.approx((1 / 2 + 2 / 3) / 3)
    perfect = judge(query, [library[0], library[2], library[5]], library)
    assert perfect["mAP@10"] == pytest.approx(1.0)
    assert 0 < chance(query, library)["mAP@10"] < 1
    table = by_category([query, query], [metrics, perfect])
    assert table["glass"]["queries"] == 2 and table["all"]["mAP@10"] == pytest.approx((metrics["mAP@10"] + 1) / 2)


def test_chance_is_what_random_rankings_score_on_average():
    """3 right files among 40 (and among 6, where every ranking holds them all in its top ten)."""
    query = next(q for q in load_queries() if q.text == "glass breaking")
    for others in (37, 3):
        library = library_of("glass break", "glass smash", "glass bottle", *["door open"] * others)
        rng = np.random.default_rng(0)
        ranks = [rng.choice(len(library), size=3, replace=False).tolist() for _ in range(40_000)]
        drawn = search_metrics_from_ranks(ranks, 10)
        exact = chance(query, library)
        assert exact.keys() == drawn.keys()
        for metric, value in exact.items():
            assert value == pytest.approx(drawn[metric], abs=0.006), metric
    assert chance(query, library)["R@10"] == 1.0  # six files: all three are always in the top ten


def test_a_remixed_share_weighs_the_joint_and_bridge_dot_products():
    rng = np.random.default_rng(0)
    joint, bridge = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    own = (np.sqrt(0.6), np.sqrt(0.4))  # the model's shares, as its vectors were stored
    stored = np.concatenate([own[0] * joint, own[1] * bridge], axis=1)
    assert np.allclose(remix(stored, 4, own, 0.4), stored)
    for w in (0.0, 0.7, 1.0):
        mixed = remix(stored, 4, own, w)
        assert np.allclose(mixed @ mixed.T, (1 - w) * joint @ joint.T + w * bridge @ bridge.T)


def test_query_vectors_weigh_each_text_by_its_own_share():
    rng = np.random.default_rng(1)
    joint, bridge = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
    stored = np.concatenate([np.sqrt(0.4) * joint, np.sqrt(0.6) * bridge], axis=1)  # audio at 0.6
    text_joint, text_words = rng.normal(size=(2, 5)), rng.normal(size=(2, 3))
    shares = np.array([0.2, 0.9])
    scores = stored @ query_side(text_joint, text_words, 0.6, shares).T
    for k, share in enumerate(shares):
        assert np.allclose(scores[:, k], (1 - share) * joint @ text_joint[k] + share * bridge @ text_words[k])


def test_package_halves_take_every_other_package_by_name_whatever_the_file_order():
    library = [replace(f, package=package) for f, package in zip(library_of(*"abcdefg"), "dbcabed", strict=True)]
    assert package_halves(library) == {"odd": ["a", "c", "e"], "even": ["b", "d"]}
    assert package_halves(reversed(library)) == package_halves(library)  # the order of the files does not matter


def test_package_halves_are_searched_apart_with_the_queries_they_can_answer():
    texts = ("glass break", "door open", "glass smash", "fire crackle")
    library = [replace(f, package=package) for f, package in zip(library_of(*texts), "abcd", strict=True)]
    parts = halves(library)
    assert parts["odd"].tolist() == [0, 2] and parts["even"].tolist() == [1, 3]
    queries = [q for q in load_queries() if q.text in ("glass breaking", "door opening")]
    assert len(queries) == 2
    # one window per file; each query's vector is the window of one of its right files
    embeddings, owners = np.eye(4, dtype=np.float32), np.arange(4)
    text = embeddings[[0 if q.text == "glass breaking" else 1 for q in queries]]
    odd = search(embeddings, owners, text, library, queries, parts["odd"])
    assert odd["all"]["queries"] == 1 and odd["glass"]["R@1"] == 1.0  # no door in this half
    whole = search(embeddings, owners, text, library, queries)
    assert whole["all"]["queries"] == 2 and whole["all"]["R@1"] == 1.0


def test_similar_sounds_are_scored_by_category_and_optionally_across_folders():
    # two categories, each in two folders of two files; scores put a file's folder mate first,
    # then the other category's files, then its own category's other folder
    labels = np.array(["A", "A", "A", "A", "B", "B", "B", "B"])
    folders = np.array(["a1", "a1", "a2", "a2", "b1", "b1", "b2", "b2"])
    same_folder = folders[:, None] == folders[None, :]
    same_label = labels[:, None] == labels[None, :]
    scores = np.where(same_folder, 3.0, np.where(same_label, 1.0, 2.0))
    everywhere = neighbour_metrics(scores, labels, folders, other_folders=False)
    # ranks: mate (right), four of the other category, the two of its own other folder (6th, 7th)
    assert everywhere["P@10"] == pytest.approx(3 / 10)
    assert everywhere["mAP@10"] == pytest.approx((1 + 2 / 6 + 3 / 7) / 3)
    elsewhere = neighbour_metrics(scores, labels, folders, other_folders=True)
    # without the own folder: four wrong, then the two right ones at 5th and 6th; 6 candidates only
    assert elsewhere["P@10"] == pytest.approx(2 / 10)
    assert elsewhere["mAP@10"] == pytest.approx((1 / 5 + 2 / 6) / 2)


def test_a_heard_query_adds_each_files_best_likeness_window_to_its_best_window():
    """As the app's sound ranking (nearest_by_sound): the two best windows of a file need not be
    one window. The glass file's best audio-text window is not its best likeness window; summed
    per file it beats the door, summed per window it would not (two windows each: the same luck)."""
    library = library_of("door open", "glass break")
    query = next(q for q in load_queries() if q.text == "glass breaking")
    owners = np.array([0, 0, 1, 1])
    embeddings, text = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0]])
    likeness, sound = np.array([[0.5], [0.0], [0.0], [0.7]]), np.array([[1.0]])  # door 1.0 + 0.5, glass 0.9 + 0.7

    (alone,) = rank_queries(embeddings, owners, text, library, [query])
    heard = file_scores(likeness, owners, sound, len(library))
    (both,) = rank_queries(embeddings, owners, text, library, [query], heard)
    assert alone["R@1"] == 0.0 and both["R@1"] == 1.0


def test_a_long_file_is_ranked_as_the_app_ranks_it_against_the_luck_of_its_many_windows():
    """The bench ranks as the app's sound ranking does (engine.search.many_windows): a door of one
    window at 0.6 above a glass file whose best of 30 windows reaches 0.7 by luck, the rest at 0."""
    library = library_of("door open", "glass break")
    query = next(q for q in load_queries() if q.text == "door opening")
    owners = np.array([0] + [1] * 30)
    scores = np.array([0.6, 0.7] + [0.0] * 29)
    embeddings, text = np.stack([scores, np.zeros_like(scores)], axis=1), np.array([[1.0, 0.0]])
    (ranked,) = rank_queries(embeddings, owners, text, library, [query])
    assert ranked["R@1"] == 1.0


def test_a_checkpoint_is_measured_without_its_exemplars_and_without_its_bridge(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    for name in (CONFIG_FILE, WEIGHTS_FILE, CLASSES_FILE, WORDS_HEAD_FILE, EXEMPLARS_FILE):
        (folder / name).write_text(name)
    cache = tmp_path / "cache"

    plain = Path(without_exemplars(str(folder), cache))
    assert sorted(p.name for p in plain.iterdir()) == sorted([CONFIG_FILE, WEIGHTS_FILE, CLASSES_FILE, WORDS_HEAD_FILE])
    assert (plain / WEIGHTS_FILE).read_text() == WEIGHTS_FILE  # the same model: its windows are cached once
    joint = Path(joint_only(str(folder), cache))
    assert sorted(p.name for p in joint.iterdir()) == sorted([CONFIG_FILE, WEIGHTS_FILE])
    assert without_exemplars(str(plain), cache) is None  # nothing to leave out: no extra column
    assert (folder / EXEMPLARS_FILE).is_file()  # the checkpoint itself is left as it was


def test_query_by_example_scores_a_file_by_its_best_window_pair():
    windows = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [-1.0, 0.0]])
    owners = np.array([0, 0, 1, 2])
    scores = best_pairs(windows, owners, np.array([0, 1, 2]))
    assert scores[0, 1] == pytest.approx(0.8) and scores[1, 0] == pytest.approx(0.8)
    assert scores[0, 2] == pytest.approx(0.0)  # the second window of file 0 is orthogonal to file 2's


def test_build_drops_copies_music_and_long_files(tmp_path):
    root = tmp_path / "pkg"
    sounds = debian_package(root, "toyood-data") / "sounds"
    for folder in ("doors", "copies", "music"):
        (sounds / folder).mkdir(parents=True)
    rng = np.random.default_rng(0)
    creak = (rng.standard_normal(8000) * 0.1).astype(np.float32)
    sf.write(sounds / "doors/door_creak.wav", creak, 16000)
    sf.write(sounds / "copies/Creak_Copy.wav", np.concatenate([np.zeros(800, np.float32), creak]), 16000)
    sf.write(sounds / "doors/glass_break.wav", (rng.standard_normal(4000) * 0.1).astype(np.float32), 16000)
    sf.write(sounds / "music/theme.ogg", (rng.standard_normal(16000) * 0.1).astype(np.float32), 16000)
    sf.write(sounds / "doors/long_ambience.wav", (rng.standard_normal(31 * 8000) * 0.1).astype(np.float32), 8000)
    out = tmp_path / "ood"
    (out / "debs").mkdir(parents=True)
    build_deb(root, out / "debs/toyood-data_1.0_all.deb")

    build(out, ["toyood-data"], workers=1)

    library = load_library(out)
    # The padded copy is the same audio: only the first of the two (in path order) stays.
    assert sorted(f.text for f in library) == ["copies creak copy", "doors glass break"]  # music, long dropped
    for file in library:
        assert file.named.stat().st_ino == file.opaque.stat().st_ino  # one audio, two names
        assert re.fullmatch(r"Take_\d{4}\.wav", file.opaque.name)
        assert file.named.relative_to(out.resolve() / "named/toyood-data").as_posix() == file.relative
    assert {p.name for p in (out / "opaque").iterdir()} == {f.opaque.name for f in library}


def test_evaluation_audio_a_training_package_also_ships_is_left_out(tmp_path):
    """The same file in two packages (under another name) escapes the packages' names: found by
    decoded content, listed, and left out of the library."""
    rng = np.random.default_rng(1)
    shared = (rng.standard_normal(8000) * 0.1).astype(np.float32)
    work, out = tmp_path / "overlap", tmp_path / "ood"
    for folder in (work / "debs", out / "debs"):
        folder.mkdir(parents=True)
    trained = debian_package(tmp_path / "train", "toytrain-data") / "sounds"
    trained.mkdir()
    sf.write(trained / "message_new.wav", shared, 16000)
    sf.write(trained / "door.wav", (rng.standard_normal(4000) * 0.1).astype(np.float32), 16000)
    build_deb(tmp_path / "train", work / "debs/toytrain-data_1.0_all.deb")
    evaluated = debian_package(tmp_path / "eval", "toyood-data") / "sounds"
    evaluated.mkdir()
    sf.write(evaluated / "im_message_in.wav", np.concatenate([np.zeros(400, np.float32), shared]), 16000)
    sf.write(evaluated / "glass_break.wav", (rng.standard_normal(4000) * 0.1).astype(np.float32), 16000)
    for debs in (work / "debs", out / "debs"):
        build_deb(tmp_path / "eval", debs / "toyood-data_1.0_all.deb")

    found = find_overlap(["toyood-data"], ["toytrain-data"], work, workers=1)
    assert [(e["evaluation"], e["training"]) for e in found] == [
        (
            "toyood-data/usr/share/games/toyood/sounds/im_message_in.wav",
            "toytrain-data/usr/share/games/toytrain/sounds/message_new.wav",
        )
    ]
    listed = tmp_path / "seen-in-training.json"
    write_overlap(found, listed)

    build(out, ["toyood-data"], workers=1, trained_on=listed)
    assert [f.text for f in load_library(out)] == ["glass break"]
    without = library_key(out)
    build(out, ["toyood-data"], workers=1, trained_on=tmp_path / "none.json")  # without the list: both
    assert sorted(f.text for f in load_library(out)) == ["glass break", "im message in"]
    assert library_key(out) != without  # what a bench cached of one library is not read for the other
