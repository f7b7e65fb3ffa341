"""Taking back the last accept and rejections, through the engine with the tiny model. What an
undo restores is kept in the index, so an engine opened anew (the CLI after the app, a restart)
undoes the same accept."""

from __future__ import annotations

import pytest

from engine.tagging.service import ALL
from tests.engine.tagging.conftest import meaning_is_current, tiny_engine
from tests.engine.tagging.test_tagging_service import calibrated


def shown(engine, path) -> dict[str, str]:
    """{key: value} of the open tag suggestions of ``path``, hidden ones too."""
    found = engine.tagging.suggestions([path], threshold=0.0, top_k=ALL)[str(path)]
    return {s.key: s.value for s in found.tags}


def own(engine, path) -> tuple[list[str], str]:
    record = engine.file_info(path).record
    return record.tags, record.caption


def test_undo_accept_restores_what_each_file_had_and_survives_reopening_the_index(
    tmp_path, tiny_checkpoint, tiny_term_cache, named_library, monkeypatch
):
    home = tmp_path / "home"
    door, glass, dog = (named_library / n for n in ("door_creak_wood.wav", "glass_smash_01.wav", "dog_bark.wav"))
    with tiny_engine(home, tiny_checkpoint, tiny_term_cache) as engine:
        calibrated(engine, monkeypatch, tmp_path, caption_threshold=0.0)
        engine.add_folder(named_library)
        engine.index()
        engine.tagging.tag([named_library])
        engine.tagging.tag([door], captions=True)
        key, value = next(iter(shown(engine, door).items()))
        caption = engine.tagging.suggestions([door])[str(door)].caption.value
        engine.set_tags([door], ["creaky"])
        engine.set_caption(door, "my own words")
        engine.set_tags([glass], ["mine", value])  # has the tag already: the accept must not take it
        before = {path: own(engine, path) for path in (door, glass, dog)}
        offered = {path: shown(engine, path) for path in (door, glass, dog)}

        report = engine.tagging.accept([named_library], [key], 0.0, captions=True, replace_caption=True)
        assert report.captions_set == 1 and report.tags_added >= 1
        assert own(engine, door) == (["creaky", value], caption) and own(engine, glass) == before[glass]
        assert key not in shown(engine, door)
        engine.tagging.add_tags([dog], ["edited after"])  # the user's own edits since are not undone
        engine.set_caption(glass, "glass words")

    with tiny_engine(home, tiny_checkpoint, tiny_term_cache) as engine:  # opened anew: the same accept
        assert engine.tagging.can_undo_accept()
        undone = engine.tagging.undo_accept()
        assert own(engine, door) == before[door]
        assert own(engine, glass) == (["mine", value], "glass words")
        assert own(engine, dog) == (before[dog][0] + ["edited after"], before[dog][1])
        assert undone.captions_restored == 1 and str(door) in undone.paths and str(glass) not in undone.paths
        assert {path: shown(engine, path) for path in (door, glass, dog)} == offered  # suggestions again
        assert meaning_is_current(engine)  # the words it took back are gone from the search too

        assert not engine.tagging.can_undo_accept()
        with pytest.raises(ValueError, match="no accept to undo"):
            engine.tagging.undo_accept()
        assert own(engine, door) == before[door] and own(engine, glass) == (["mine", value], "glass words")


def test_a_caption_edited_after_the_accept_is_kept_by_its_undo(tag_engine, named_library, monkeypatch, tmp_path):
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=0.0)
    bell = named_library / "church_bell_ring.wav"
    tag_engine.tagging.tag([bell], captions=True)
    tag_engine.tagging.accept([bell], keys=[], captions=True)
    tag_engine.set_caption(bell, "the user's own")
    undone = tag_engine.tagging.undo_accept()
    assert undone.captions_kept == [str(bell)] and own(tag_engine, bell) == ([], "the user's own")
    assert undone.paths == [] and undone.summary() == (  # no file changed: no "on 0 files: 0 tags removed"
        "the last accept is undone: 1 suggestion offered again; 1 caption edited since is kept"
    )


def test_an_undo_that_puts_back_a_caption_alone_says_so(tag_engine, named_library, monkeypatch, tmp_path):
    calibrated(tag_engine, monkeypatch, tmp_path, caption_threshold=0.0)
    bell = named_library / "church_bell_ring.wav"
    tag_engine.tagging.tag([bell], captions=True)
    tag_engine.tagging.accept([bell], keys=[], captions=True)
    undone = tag_engine.tagging.undo_accept()
    assert own(tag_engine, bell) == ([], "") and undone.summary() == (
        "the last accept is undone on 1 file: 1 caption put back; 1 suggestion offered again"
    )


def test_an_accept_of_nothing_leaves_the_last_one_to_undo(tag_engine, named_library):
    dog = named_library / "dog_bark.wav"
    tag_engine.tagging.tag([named_library])
    key = next(iter(shown(tag_engine, dog)))
    tag_engine.tagging.accept([dog], [key], 0.0)
    assert tag_engine.tagging.accept([dog], [key], 0.0).tags_added == 0  # accepted already: nothing to do
    tag_engine.tagging.undo_accept()
    assert own(tag_engine, dog)[0] == [] and key in shown(tag_engine, dog)


def test_a_rejection_taken_back_is_suggested_again_without_tagging_again(tag_engine, named_library):
    door, dog = named_library / "door_creak_wood.wav", named_library / "dog_bark.wav"
    tag_engine.tagging.tag([named_library])
    first, second = list(shown(tag_engine, door))[:2]
    dog_key = next(iter(shown(tag_engine, dog)))
    assert tag_engine.tagging.reject([door], [first, second], min_confidence=0.0) == 2
    tag_engine.tagging.tag([named_library], restart=True)
    assert first not in shown(tag_engine, door) and second not in shown(tag_engine, door)
    rejected = tag_engine.tagging.rejected(None)
    assert {s.key for s in rejected[str(door)]} == {first, second} and list(rejected) == [str(door)]

    assert tag_engine.tagging.unreject([named_library], [first]) == 1
    assert first in shown(tag_engine, door) and second not in shown(tag_engine, door)
    assert [s.key for s in tag_engine.tagging.rejected([door])[str(door)]] == [second]

    tag_engine.tagging.reject([dog], [dog_key], min_confidence=0.0)  # the last reject
    assert tag_engine.tagging.undo_reject() == 1
    assert dog_key in shown(tag_engine, dog) and second not in shown(tag_engine, door)  # an older one stays
    with pytest.raises(ValueError, match="no reject to undo"):
        tag_engine.tagging.undo_reject()
