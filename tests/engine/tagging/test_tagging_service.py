"""Tagging through the engine with the tiny model: the user always wins, suggestions are per model,
jobs stop and resume, accepted tags and captions are found by keyword search."""

from __future__ import annotations

import os
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from engine.facade import Engine
from engine.paths import app_paths
from engine.tagging import calibration, jobs, priors, service
from engine.tagging.calibration import DEFAULT, save_calibration
from engine.tagging.console import _summary
from engine.tagging.vocabulary import shipped_ucs
from tests.engine.models.tiny_clap import make_tiny_clap
from tests.engine.tagging.conftest import NAMED, door_shelf, meaning_is_current
from tests.factories import noise, write_audio


def category_of(key: str) -> str:
    return shipped_ucs().term(key).category


def ucs_tags(found, path):
    return [s for s in found[str(path)].tags if s.vocabulary == "ucs"]


def calibrated(engine, monkeypatch, folder: Path, caption_threshold: float) -> None:
    """The tiny model calibrated with this caption threshold, read from a calibration file as the
    shipped models' are (the file's place is the only thing changed)."""
    path = folder / "calibration.json"
    save_calibration(engine.model_info.name, replace(DEFAULT, caption_threshold=caption_threshold), path)
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", path)


def test_a_named_library_gets_the_right_category_first_for_most_files(tag_engine, named_library):
    report = tag_engine.tagging.tag([named_library])
    assert (report.total, report.tagged, report.stopped, report.without_sound) == (len(NAMED), len(NAMED), False, 0)
    found = tag_engine.tagging.suggestions([named_library], threshold=0.0, top_k=3)
    right = [
        name
        for name, category in NAMED.items()
        if category_of(ucs_tags(found, named_library / name)[0].key) == category
    ]
    assert len(right) >= 0.75 * len(NAMED), sorted(set(NAMED) - set(right))
    exact = ucs_tags(found, named_library / "DOORWood_Slam Heavy_JD_TOWN.wav")
    assert [(s.key, s.confidence, s.evidence) for s in exact] == [("DOORWood", 1.0, "catid")]
    assert tag_engine.tagging.pending_job() is None


def test_user_tags_survive_retagging_and_accepting_only_adds(tag_engine, named_library):
    dog = named_library / "dog_bark.wav"
    tag_engine.set_tags([dog], ["my dog", "ANIMALS-DOG"])
    tag_engine.set_caption(dog, "Rex, the neighbour's terrier")
    tag_engine.tagging.tag([named_library])
    shown = ucs_tags(tag_engine.tagging.suggestions([dog], threshold=0.0, top_k=5), dog)
    assert "ANMLDog" not in [s.key for s in shown]  # already the user's: not suggested again
    record = tag_engine.file_info(dog).record
    assert (record.tags, record.caption) == (["my dog", "ANIMALS-DOG"], "Rex, the neighbour's terrier")
    report = tag_engine.tagging.accept([dog], min_confidence=0.0, captions=True)
    record = tag_engine.file_info(dog).record
    assert record.tags[:2] == ["my dog", "ANIMALS-DOG"] and len(record.tags) == 2 + report.tags_added
    assert record.caption == "Rex, the neighbour's terrier"
    tag_engine.tagging.tag([named_library], restart=True)  # and again: nothing of the user's moves
    assert tag_engine.file_info(dog).record.tags == record.tags


def test_rejected_suggestions_are_hidden_and_never_offered_again(tag_engine, named_library):
    door = named_library / "door_creak_wood.wav"
    tag_engine.tagging.tag([named_library])
    first = ucs_tags(tag_engine.tagging.suggestions([door], threshold=0.0), door)[0].key
    assert tag_engine.tagging.reject([door], keys=[first]) == 1
    assert first not in [s.key for s in ucs_tags(tag_engine.tagging.suggestions([door], threshold=0.0), door)]
    tag_engine.tagging.tag([named_library], restart=True)
    assert first not in [s.key for s in ucs_tags(tag_engine.tagging.suggestions([door], threshold=0.0, top_k=10), door)]


def test_after_a_rejection_the_next_suggestions_keep_their_own_confidence(tag_engine, named_library):
    """Rejecting "DOORCreak 92 %" and suggesting again must not offer its sibling "DOORMisc" at the
    92 % the rejected term held, nor lift any other suggestion: confidences are not renormalised."""
    door = named_library / "door_creak_wood.wav"
    tag_engine.tagging.tag([named_library])
    before = ucs_tags(tag_engine.tagging.suggestions([door], threshold=0.0, top_k=10), door)
    top = before[0]
    tag_engine.tagging.reject([door], keys=[top.key])
    tag_engine.tagging.tag([door], restart=True)
    after = ucs_tags(tag_engine.tagging.suggestions([door], threshold=0.0, top_k=10), door)
    was = {category_of(s.key): s.confidence for s in before}
    now = {category_of(s.key): s.confidence for s in after}
    assert top.key not in [s.key for s in after]
    assert now.get(category_of(top.key), 0.0) < top.confidence - 0.01  # its sibling holds only its own share
    # the others as they were (a file alone embeds a hair differently from its folder's batch), not
    # scaled up to fill what the rejected term held
    assert all(confidence < 1.1 * was[category] for category, confidence in now.items() if category in was)


def test_accepted_tags_and_captions_are_found_by_keyword_search(tag_engine, named_library, monkeypatch, tmp_path):
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=0.0)
    laser = named_library / "laser_shot.wav"
    tag_engine.tagging.tag([laser], captions=True)
    shown = tag_engine.tagging.suggestions([laser], threshold=0.0, top_k=1)[str(laser)]
    assert shown.caption is not None and shown.caption.evidence == "decoder" and 0 < shown.caption.confidence <= 1
    report = tag_engine.tagging.accept([laser], keys=[shown.tags[0].key], captions=True)
    assert (report.tags_added, report.captions_set) == (1, 1)
    assert meaning_is_current(tag_engine)
    record = tag_engine.file_info(laser).record
    assert record.tags == [shown.tags[0].value] and record.caption == shown.caption.value
    caption_word = next(w for w in shown.caption.value.split() if len(w) > 3)
    for query in (caption_word, shown.tags[0].value):
        hits = tag_engine.search(query, limit=3)
        assert any(h.path == str(laser) and h.text_rank is not None for h in hits), query
    after = tag_engine.tagging.suggestions([laser], threshold=0.0)[str(laser)]
    assert after.caption is None and shown.tags[0].key not in [s.key for s in after.tags]


def partly_shown(tag_engine, named_library):
    """The named library tagged, its files, every suggestion of each (threshold 0, no top k), and
    a key shown (the user's threshold and top k, as the panel shows) for some files and hidden for
    others, with the files that have it and those it is shown for."""
    tag_engine.tagging.tag([named_library])
    files = sorted(str(named_library / name) for name in NAMED)
    everything = tag_engine.tagging.suggestions(files, threshold=0.0, top_k=service.ALL)
    shown = tag_engine.tagging.suggestions(files)
    having: dict[str, set[str]] = {}
    for path in files:
        for s in everything[path].tags:
            having.setdefault(s.key, set()).add(path)
    showing = {key: {p for p in files if key in [s.key for s in shown[p].tags]} for key in having}
    key = next(k for k in sorted(having) if showing[k] and having[k] - showing[k])
    return files, everything, key, having[key], showing[key]


def test_accepting_a_suggestion_tags_only_the_files_it_is_shown_for(tag_engine, named_library):
    """A key shown (above the user's threshold) for some files and hidden for others is accepted
    only where it is shown, as many files as the panel's "· N of M" counts; naming a lower
    ``min_confidence`` takes it where it was hidden too."""
    files, everything, key, having, showing = partly_shown(tag_engine, named_library)
    value = next(s.value for p in files for s in everything[p].tags if s.key == key)
    threshold = tag_engine.tagging.settings.tag_threshold
    hidden = having - showing
    assert all(s.confidence < threshold for p in hidden for s in everything[p].tags if s.key == key)

    report = tag_engine.tagging.accept(files, keys=[key])
    tagged = {p for p in files if value in tag_engine.file_info(p).record.tags}
    assert report.tags_added == len(tagged) == len(showing)  # what the panel counts
    assert tagged == showing and not tagged & hidden
    still = tag_engine.tagging.suggestions(sorted(hidden), threshold=0.0, top_k=service.ALL)
    assert all(key in [s.key for s in still[p].tags] for p in hidden)  # still there to accept later

    report = tag_engine.tagging.accept(sorted(hidden), keys=[key], min_confidence=0.0)
    assert report.tags_added == len(hidden)
    assert all(value in tag_engine.file_info(p).record.tags for p in files if p in having)


def test_rejecting_a_suggestion_rejects_it_only_for_the_files_it_is_shown_for(tag_engine, named_library):
    """Rejecting "X · N of M" in the panel rejects X for the N files it is shown for, not for the
    selected files where it is hidden; naming ``min_confidence=0`` reaches those too."""
    files, everything, key, having, showing = partly_shown(tag_engine, named_library)
    hidden = having - showing

    assert tag_engine.tagging.reject(files, keys=[key]) == len(showing)  # what the panel counts
    after = tag_engine.tagging.suggestions(files, threshold=0.0, top_k=service.ALL)
    offered = {p for p in files if key in [s.key for s in after[p].tags]}
    assert offered == hidden  # still there, to accept or reject later

    assert tag_engine.tagging.reject(sorted(hidden), keys=[key], min_confidence=0.0) == len(hidden)
    after = tag_engine.tagging.suggestions(files, threshold=0.0, top_k=service.ALL)
    assert not any(key in [s.key for s in after[p].tags] for p in files)


def test_a_suggestion_named_with_its_files_is_accepted_and_rejected_for_those_alone(tag_engine, named_library):
    """{key: paths}, as the panel's Best of each sends a sound's best suggestion: of the files it is
    shown for, only those named get it, or reject it; the others keep it open, to act on later."""
    tag_engine.tagging.tag([named_library])
    files = sorted(str(named_library / name) for name in NAMED)
    shown = tag_engine.tagging.suggestions(files, threshold=0.0, top_k=service.ALL)
    having: dict[str, list[str]] = {}
    for path in files:
        for s in shown[path].tags:
            having.setdefault(s.key, []).append(path)
    key, (chosen, refused, *others) = next((k, paths) for k, paths in sorted(having.items()) if len(paths) >= 3)
    value = next(s.value for s in shown[chosen].tags if s.key == key)

    report = tag_engine.tagging.accept(files, {key: [os.path.relpath(chosen)]}, min_confidence=0.0)
    assert report.tags_added == 1
    assert [p for p in files if value in tag_engine.file_info(p).record.tags] == [chosen]
    assert tag_engine.tagging.reject(files, {key: [refused]}, min_confidence=0.0) == 1
    after = tag_engine.tagging.suggestions(files, threshold=0.0, top_k=service.ALL)  # as shown before
    assert [p for p in files if key in [s.key for s in after[p].tags]] == others


def test_accepting_for_a_file_that_leaves_the_library_meanwhile_accepts_for_the_others(
    tag_engine, named_library, monkeypatch, tmp_path
):
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=0.0)
    files = [named_library / "laser_shot.wav", named_library / "wind_howl.wav"]
    tag_engine.tagging.tag(files, captions=True)
    gone = tag_engine.file_info(files[0]).record.id
    shown_for = tag_engine.tagging.shown_for

    def read_then_deleted(*args):  # an index run removes the deleted file while accept reads
        shown = shown_for(*args)
        tag_engine.store.delete_files([gone])
        return shown

    monkeypatch.setattr(tag_engine.tagging, "shown_for", read_then_deleted)
    report = tag_engine.tagging.accept(files, min_confidence=0.0, captions=True)
    kept = tag_engine.file_info(files[1]).record
    assert report.captions_set == 1 and report.tags_added == len(kept.tags) > 0 and kept.caption
    assert tag_engine.store.get_files([gone]) == {}


def test_bulk_add_and_remove_touch_only_the_named_tags(tag_engine, named_library):
    files = [named_library / "wind_howl.wav", named_library / "thunder_rumble.wav"]
    tag_engine.set_tags(files[:1], ["outdoor"])
    assert tag_engine.tagging.add_tags([named_library], ["storm", "outdoor"]) == 2 * len(NAMED) - 1
    assert tag_engine.file_info(files[0]).record.tags == ["outdoor", "storm"]
    assert meaning_is_current(tag_engine)
    assert tag_engine.tagging.remove_tags(files, ["STORM"]) == 2
    assert [tag_engine.file_info(f).record.tags for f in files] == [["outdoor"], ["outdoor"]]
    assert meaning_is_current(tag_engine)


def test_a_changed_file_loses_its_stale_suggestions(tag_engine, named_library):
    wind = named_library / "wind_howl.wav"
    tag_engine.tagging.tag([named_library])
    assert tag_engine.tagging.suggestions([wind], threshold=0.0)[str(wind)].tags
    write_audio(wind, noise(1.3, seed=42))
    tag_engine.index()
    assert tag_engine.tagging.suggestions([wind], threshold=0.0)[str(wind)].tags == []


def test_a_stopped_folder_job_resumes_where_it_stopped(tag_engine, named_library, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 3)
    batches = []
    first = tag_engine.tagging.tag([named_library], progress=batches.append, should_stop=lambda: len(batches) >= 2)
    assert first.stopped and first.tagged == 6 and tag_engine.tagging.pending_job() is not None
    second = tag_engine.tagging.tag([str(named_library) + os.sep])  # the same folder, written differently
    assert (second.resumed_from, second.tagged, second.stopped) == (6, len(NAMED) - 6, False)
    assert second.job == first.job and tag_engine.tagging.pending_job() is None
    table = tag_engine.tagging.table()
    assert sorted(table.done(first.job)) == sorted(tag_engine.store.file_ids())


def test_a_model_without_a_decoder_says_so(tmp_path, named_library):
    clap = make_tiny_clap(tmp_path / "clap")
    with Engine(app_paths(tmp_path / "home"), f"clap:{clap}") as engine:
        engine.add_folder(named_library)
        engine.index()
        with pytest.raises(ValueError, match="captions aren.t available with this model: it cannot write captions"):
            engine.tagging.tag([named_library], captions=True)
        assert engine.tagging.tag([named_library]).tagged == len(NAMED)  # tags need no decoder


def test_files_outside_the_library_are_refused(tag_engine, tmp_path):
    with pytest.raises(KeyError, match="not in the library"):
        tag_engine.tagging.suggestions([tmp_path / "elsewhere.wav"])
    assert Path(tag_engine.paths.data / "vocabularies").exists() is False  # nothing was imported


def test_a_rejected_caption_is_not_offered_again(tag_engine, named_library, monkeypatch, tmp_path):
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=0.0)
    bell = named_library / "church_bell_ring.wav"
    tag_engine.tagging.tag([bell], captions=True)
    caption = tag_engine.tagging.suggestions([bell])[str(bell)].caption
    assert caption is not None
    tag_engine.tagging.reject([bell], keys=[], captions=True)
    assert tag_engine.tagging.suggestions([bell])[str(bell)].caption is None
    tag_engine.tagging.tag([bell], captions=True, restart=True)  # the decoder says the same again
    assert tag_engine.tagging.suggestions([bell])[str(bell)].caption is None
    assert tag_engine.file_info(bell).record.caption == ""


def test_captions_measured_worse_than_nothing_are_not_made(tag_engine, named_library, monkeypatch, tmp_path):
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=1.0)
    problem = tag_engine.tagging.caption_problem()
    assert problem == (
        "Automatic captions aren't available with this model: "
        "checked on sounds it never trained on, they were wrong too often to show"
    )
    with pytest.raises(ValueError, match="wrong too often to show"):
        tag_engine.tagging.tag([named_library], captions=True)
    assert tag_engine.tagging.pending_job() is None  # refused before any job was started


def test_a_model_never_measured_inherits_the_caption_veto_of_the_measured_ones(
    tag_engine, named_library, monkeypatch, tmp_path
):
    """A fine-tune of the builtin gets no calibration of its own: it must not offer the captions
    the builtin's measurement vetoed, and says so without model names or file paths."""
    path = tmp_path / "calibration.json"
    save_calibration("builtin_8b265576", replace(DEFAULT, caption_threshold=1.0, fitted="measured"), path)
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", path)
    problem = tag_engine.tagging.caption_problem()
    assert problem.startswith("Automatic captions aren't available with this model: they were never checked")
    assert tag_engine.model_info.name not in problem and "builtin" not in problem and ".py" not in problem
    with pytest.raises(ValueError, match="never checked"):
        tag_engine.tagging.tag([named_library], captions=True)
    save_calibration("builtin_8b265576", replace(DEFAULT, caption_threshold=0.4, fitted="measured"), path)
    assert tag_engine.tagging.caption_problem() == ""  # measured useful there: offered, with that floor
    assert tag_engine.tagging.calibration().caption_threshold == 0.4


def test_a_jobs_caption_count_is_of_the_captions_shown(tag_engine, named_library, monkeypatch, tmp_path):
    """Captions under the model's floor are kept but not shown: the report says so, not "with a caption"."""
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=0.999)
    files = [named_library / "laser_shot.wav", named_library / "wind_howl.wav"]
    report = tag_engine.tagging.tag(files, captions=True)
    shown = tag_engine.tagging.suggestions(files)
    assert not any(item.caption for item in shown.values())
    assert (report.captioned, report.captions_unsure) == (0, 2)
    assert "2 captions too unsure to show" in _summary(report) and "captioned" not in _summary(report)


def test_a_job_counts_the_files_given_a_suggestion_sure_enough_to_show(tag_engine, named_library):
    """A file whose every guess is under the user's threshold is not counted as suggested for."""
    exact, dog = named_library / "DOORWood_Slam Heavy_JD_TOWN.wav", named_library / "dog_bark.wav"
    tag_engine.settings.tag_threshold = 0.999  # only a CatID in the name is that sure
    report = tag_engine.tagging.tag([exact, dog])
    assert (report.tagged, report.suggested) == (2, 1)
    assert not tag_engine.tagging.suggestions([dog])[str(dog)].tags


def test_a_dropped_job_does_not_resume_and_keeps_its_suggestions(tag_engine, named_library, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 3)
    batches = []
    stopped = tag_engine.tagging.tag([named_library], progress=batches.append, should_stop=lambda: len(batches) >= 2)
    assert stopped.stopped and stopped.tagged > 0 and tag_engine.tagging.pending_job() is not None
    tag_engine.tagging.drop_pending_job()
    assert tag_engine.tagging.pending_job() is None and tag_engine.tagging.resume() is None
    found = tag_engine.tagging.suggestions([named_library], threshold=0.0)
    assert sum(bool(item.tags) for item in found.values()) == stopped.tagged


def test_the_first_job_with_a_vocabulary_makes_its_term_embeddings_for_good(tag_engine, named_library, tmp_path):
    """The app tells the user the first suggestions wait for this (40 s to minutes for UCS, counted as it goes)."""
    assert tag_engine.tagging.vocabularies_ready()  # the UCS terms, from the cache the fixture copied in
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    tag_engine.tagging.import_vocabulary(mine)
    assert not tag_engine.tagging.vocabularies_ready()
    tag_engine.tagging.tag([named_library / "wind_howl.wav"])
    assert tag_engine.tagging.vocabularies_ready()
    with Engine(tag_engine.paths, tag_engine.model_spec) as reopened:  # kept on disk, not only in memory
        assert reopened.tagging.vocabularies_ready()


def categories(found, path) -> dict[str, float]:
    return {category_of(s.key): s.confidence for s in ucs_tags(found, path)}


def by_best_terms(engine) -> None:
    """Tag each category as its best term at that term's own probability, which a library's shares
    scale: at a threshold of 0 every term is sure, so no category is offered whole (at the category's
    probability, engine/tagging/tagger.py, rank)."""
    engine.settings.tag_threshold = 0.0


def test_a_folder_job_weighs_its_named_files_by_what_their_pack_holds(tag_engine, named_library):
    """The pack: the first folder under the job's folder (engine/tagging/priors.py, pack_of)."""
    by_best_terms(tag_engine)
    # the one named file in its folder, in the pack of doors: no shelf to weigh it, only its pack's
    # shares (the only pack of enough named files: the job's), and its name puts DOORS among its suggestions
    bell = write_audio(named_library / "Doors" / "Hall" / "door_bell.wav", noise(0.6, seed=7))
    tag_engine.index()
    tag_engine.tagging.tag([bell])  # alone: a job of one file says nothing about its library
    alone = categories(tag_engine.tagging.suggestions([bell], threshold=0.0, top_k=10), bell)
    door_shelf(named_library)
    tag_engine.index()
    report = tag_engine.tagging.tag([named_library])
    assert max(report.shares, key=report.shares.get) == "DOORS" and sum(report.shares.values()) == pytest.approx(1)
    assert "DOORS" in _summary(report)
    weighed = categories(tag_engine.tagging.suggestions([bell], threshold=0.0, top_k=10), bell)
    both = [c for c in weighed if c in alone]
    assert len(both) >= 2
    # each category's confidence is its own one times its pack's share, brought back to a sum of 1
    # (within what embedding the file's words in another batch moves them, and the file's own part
    # of its pack's shares, left out of its prior: up to a fifth where a category is mostly its own)
    shares, _, packs = jobs.remembered_shares(tag_engine.store.meta, tag_engine.model.info.name, [str(bell)])
    ucs = shipped_ucs().categories
    doors = priors.pack_shares(np.array([shares[c] for c in ucs]), packs[str(named_library / "Doors")], ucs)
    held = dict(zip(ucs, doors, strict=True))
    moved = 0
    for a, b in pairwise(both):
        by_shares = held[a] / held[b]
        assert weighed[a] / weighed[b] == pytest.approx(alone[a] / alone[b] * by_shares, rel=0.25)
        moved += not 0.8 < by_shares < 1.25
    assert moved, {c: (report.shares[c], alone[c], weighed[c]) for c in both}


def test_a_named_file_is_weighed_by_what_the_other_files_of_its_folder_are(tag_engine, named_library, monkeypatch):
    """A folder is a shelf: a glass sound filed among door sounds leans further towards DOORS than
    the library's shares alone would take it (engine/tagging/priors.py)."""
    by_best_terms(tag_engine)
    door_shelf(named_library)
    glass = named_library / "Doors" / "glass_smash_02.wav"
    write_audio(glass, noise(0.8, seed=1))
    tag_engine.index()
    with monkeypatch.context() as limited:
        limited.setattr(service, "AROUND_LIMIT", 0)  # its folder too large to read now: weighed by nothing
        assert tag_engine.tagging.tag([glass]).shares == {}
    alone = categories(tag_engine.tagging.suggestions([glass], threshold=0.0, top_k=20), glass)
    report = tag_engine.tagging.tag([named_library])
    weighed = categories(tag_engine.tagging.suggestions([glass], threshold=0.0, top_k=20), glass)
    by_library = alone["DOORS"] / alone["GLASS"] * report.shares["DOORS"] / report.shares["GLASS"]
    assert weighed["DOORS"] / weighed["GLASS"] > 1.5 * by_library
    assert _summary(report).endswith("and towards what each sound's folder holds")
    # what the job read of that folder: its door files and the glass file (left out of its own prior)
    _, shelves, _ = jobs.remembered_shares(tag_engine.store.meta, tag_engine.model.info.name, [str(named_library)])
    assert shelves[str(named_library / "Doors")][0] == priors.MIN_FILES + 1


def test_a_file_suggested_first_on_its_own_is_weighed_as_its_folders_job_would(tag_engine, named_library):
    """No folder job yet: a small job reads the folders holding its files (enough of them to say,
    few enough to read now), so Suggest on one file gives what Suggest on its folder then gives."""
    door_shelf(named_library)
    glass = named_library / "Doors" / "glass_smash_02.wav"
    write_audio(glass, noise(0.8, seed=1))
    tag_engine.index()
    alone = tag_engine.tagging.tag([glass])
    assert alone.shares and max(alone.shares, key=alone.shares.get) == "DOORS"
    first = categories(tag_engine.tagging.suggestions([glass], threshold=0.0, top_k=20), glass)
    tag_engine.tagging.tag([named_library / "Doors"])
    by_folder = categories(tag_engine.tagging.suggestions([glass], threshold=0.0, top_k=20), glass)
    assert first == pytest.approx(by_folder, rel=0.05)


def test_a_folder_job_embeds_each_files_words_once(tag_engine, named_library, monkeypatch, tmp_path):
    """A folder job reads its library (for the shares) and then tags it, each time against every
    vocabulary: the text tower still sees each distinct file text once."""
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\ndoor creak,squeak\nbark,woof\n", encoding="utf-8")
    tag_engine.tagging.import_vocabulary(mine)
    tag_engine.tagging.tag([named_library / "wind_howl.wav"])  # the new vocabulary's terms are embedded first
    door_shelf(named_library)
    tag_engine.index()
    model, seen = tag_engine.model, []
    embed = model.embed_words
    monkeypatch.setattr(model, "embed_words", lambda texts: (seen.extend(texts), embed(texts))[1])
    report = tag_engine.tagging.tag([named_library])
    assert report.shares and report.tagged == len(NAMED) + priors.MIN_FILES
    assert seen and len(seen) == len(set(seen)), [t for t in set(seen) if seen.count(t) > 1]


def test_a_job_of_few_named_files_weighs_nothing(tag_engine, named_library):
    report = tag_engine.tagging.tag([named_library])  # 12 files
    assert report.shares == {} and "nudged" not in _summary(report)


def test_a_file_suggested_again_after_its_folders_job_is_weighed_as_the_folder_was(tag_engine, named_library):
    """The panel's "Suggest" on one file after "Suggest tags for this folder" keeps the folder
    job's suggestions: the small job takes the shares the folder's job read (the latest one that
    holds the file, for the same model), not equal ones."""
    glass = named_library / "glass_smash_01.wav"
    door_shelf(named_library)
    tag_engine.index()
    folder = tag_engine.tagging.tag([named_library])
    assert folder.shares
    by_folder = categories(tag_engine.tagging.suggestions([glass], threshold=0.0, top_k=10), glass)
    again = tag_engine.tagging.tag([glass])
    assert again.shares == folder.shares
    by_itself = categories(tag_engine.tagging.suggestions([glass], threshold=0.0, top_k=10), glass)
    assert by_itself == pytest.approx(by_folder, rel=0.05)
    # files outside every folder a job read, or a job with another model, are weighed by nothing
    meta, model = tag_engine.store.meta, tag_engine.model.info.name
    shares, shelves, packs = jobs.remembered_shares(meta, model, [str(glass), str(named_library / "Doors")])
    assert shares == folder.shares
    assert set(shelves) == {str(named_library / shelf) for shelf in ("", "Doors", "Footsteps")}
    assert set(packs) == set(shelves)  # the library's own files, Doors and Footsteps: each folder under it a pack
    assert jobs.remembered_shares(meta, "another-model", [str(glass)]) == ({}, {}, {})
    assert jobs.remembered_shares(meta, model, [str(glass), "/elsewhere/x.wav"]) == ({}, {}, {})
    assert jobs.remembered_shares(meta, model, [f"{named_library}-2/x.wav"]) == ({}, {}, {})  # a sibling, not inside


def test_a_resumed_job_weighs_by_the_shares_it_started_with(tag_engine, named_library, monkeypatch):
    door_shelf(named_library)
    tag_engine.index()
    stopped = tag_engine.tagging.tag([named_library], should_stop=lambda: True)  # before anything was read
    assert stopped.stopped and stopped.tagged == 0 and tag_engine.tagging.pending_job().shares is None
    monkeypatch.setattr(jobs, "BATCH", 4)
    batches = []
    first = tag_engine.tagging.tag(
        [named_library], progress=batches.append, should_stop=lambda: jobs.TAGGING in [b.phase for b in batches]
    )
    assert [b.phase for b in batches] == [jobs.HEARING, jobs.READING, jobs.TAGGING]  # the doors share "door"
    assert batches[1].done == batches[1].total
    assert first.stopped and first.tagged == 4 and first.shares
    pending = tag_engine.tagging.pending_job()
    assert pending.shares == first.shares and pending.shelves[str(named_library / "Doors")][0] == priors.MIN_FILES

    def estimated_again(*args, **kwargs):
        raise AssertionError("a resumed job estimates its library's shares again")

    monkeypatch.setattr(service, "read_library", estimated_again)
    second = tag_engine.tagging.resume()
    assert not second.stopped and second.resumed_from == 4 and second.shares == first.shares


def test_the_first_looks_at_a_models_suggestions_from_two_threads_make_one_table(tag_engine):
    """The app loads suggestions on a pool of two: both first looks found no table and both made it
    (and its index), and LanceDB refused the second ("Retryable commit conflict")."""
    import threading

    start, tables, errors = threading.Barrier(4), [], []

    def look() -> None:
        start.wait()
        try:
            tables.append(tag_engine.tagging.table(tag_engine.model))
        except Exception as error:  # noqa: BLE001 - what the thread met is the test's answer
            errors.append(error)

    threads = [threading.Thread(target=look) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len({id(t) for t in tables}) == 1


def first_suggestions(engine, paths) -> dict[str, tuple[str, float]]:
    found = engine.tagging.suggestions(paths, threshold=0.0, top_k=1)
    return {str(p): (ucs_tags(found, p)[0].key, ucs_tags(found, p)[0].confidence) for p in paths}


def test_a_pack_of_one_category_does_not_move_the_other_folders_suggestions(tag_engine, named_library):
    """Review 19: a library of 20 packages, one of them 335 spoken tile calls, made a chime, a guitar
    riff and an applause VOICES in the other packages: the job's shares let one pack's make-up swamp
    the others. Each folder a job names is its own pack (engine/tagging/priors.py, pack_of), and the
    job's shares are capped: a job over a folder of many door sounds and a folder of effects makes
    no more of the effects DOORS first than a job over the effects alone (before: 2 more, and a rain
    on a roof DOORS)."""
    effects = named_library / "Effects"
    names = [Path(n).name for n in NAMED] + ["knock_wood.wav", "creak_floor.wav", "slam_metal.wav", "bell_hall.wav"]
    paths = [
        write_audio(effects / f"{Path(name).stem}_{copy}.wav", noise(0.7, seed=10 * i + copy))
        for i, name in enumerate(names)
        for copy in (1, 2)
    ]
    doors = named_library / "Doors"
    for i in range(3 * priors.MIN_FILES):
        kind = ("creak", "slam", "knock", "open", "close", "wood")[i % 6]
        write_audio(doors / f"door_{kind}_{i:02d}.wav", noise(0.6, seed=200 + i))
    tag_engine.index()
    alone = tag_engine.tagging.tag([effects])
    assert alone.shares  # the effects are enough named files to weigh by themselves
    by_themselves = first_suggestions(tag_engine, paths)
    both = tag_engine.tagging.tag([doors, effects])
    assert max(both.shares, key=both.shares.get) == "DOORS"
    beside_doors = first_suggestions(tag_engine, paths)
    doors_first = [p for p in map(str, paths) if category_of(beside_doors[p][0]) == "DOORS"]
    assert doors_first == [p for p in map(str, paths) if category_of(by_themselves[p][0]) == "DOORS"]
    # nor any other category of them (a door sound among the effects may name its subcategory now)
    assert {p: category_of(k) for p, (k, _) in beside_doors.items()} == {
        p: category_of(k) for p, (k, _) in by_themselves.items()
    }
