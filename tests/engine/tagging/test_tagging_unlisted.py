"""Why the selected sounds list no suggestion (engine/tagging/unlisted.py): each case told apart
from what the index holds, and said in the words the tags panel shows; through the engine with
the tiny model, on a real index, from a sound never tagged to one whose suggestions are all
accepted or rejected."""

from __future__ import annotations

from dataclasses import replace

from engine.index.records import FileRecord
from engine.index.suggestions import RUN, Suggestion
from engine.tagging.jobs import TagJob, save_job
from engine.tagging.service import ALL
from engine.tagging.unlisted import (
    BELOW,
    CHANGED,
    COMMAND_LINE,
    NOT_INDEXED,
    OTHER_MODEL,
    REVIEWED,
    REVIEWED_ABOVE,
    UNTAGGED,
    WAITING,
    reason,
    why_none,
)
from tests.factories import tone, write_audio


def run_row(file_id: int, job: str, content_hash: str) -> Suggestion:
    return Suggestion(file_id, RUN, "", 1.0, job=job, content_hash=content_hash)


def test_each_sound_gets_the_first_reason_that_applies():
    dog = FileRecord("/lib/Dogs/bark.wav", "/lib", content_hash="h1", id=1)
    done = run_row(1, "earlier", "h1")
    running = TagJob("now", "tiny", ("/lib/Dogs",), False, 0.0)
    elsewhere = TagJob("now", "tiny", ("/lib/Rain",), False, 0.0)
    assert reason(None, None, running, 0) == NOT_INDEXED
    assert reason(dog, done, running, 4) == WAITING  # tagged before, the running job has not reached it
    assert reason(dog, run_row(1, "now", "h1"), running, 4) == BELOW  # reached: as any tagged sound
    assert reason(dog, None, elsewhere, 0) == UNTAGGED
    assert reason(dog, run_row(1, "earlier", "h0"), None, 0) == CHANGED
    assert reason(dog, done, None, 4) == BELOW
    assert reason(dog, done, None, 0) == REVIEWED


def test_one_reason_is_a_sentence_with_what_to_do_and_several_are_counted():
    assert why_none({UNTAGGED: 1}, 0, 0.3) == "This sound is not tagged yet: press Suggest"
    assert why_none({BELOW: 12}, 48, 0.3) == (
        "Every suggestion for these 12 sounds is below 30 %: lower the threshold to see the 48 hidden"
    )
    assert why_none({BELOW: 1}, 1, 0.55) == (
        "Every suggestion for this sound is below 55 %: lower the threshold to see the one hidden"
    )
    assert why_none({REVIEWED: 3}, 0, 0.3) == "Every suggestion for these 3 sounds was accepted or rejected already"
    assert why_none({WAITING: 2}, 0, 0.3) == (
        "Tagging has not reached these 2 sounds yet: their suggestions show once it has"
    )
    assert why_none({CHANGED: 1}, 0, 0.3) == "This sound changed since it was tagged: press Suggest to tag it again"
    assert why_none({NOT_INDEXED: 2}, 0, 0.3) == "These 2 sounds are not indexed yet, so they cannot be tagged"
    # `earmark suggestions` says the same, with the commands that take the buttons' steps
    assert why_none({UNTAGGED: 1}, 0, 0.3, COMMAND_LINE) == "This sound is not tagged yet: `earmark tag` it"
    assert why_none({CHANGED: 2}, 0, 0.3, COMMAND_LINE) == (
        "These 2 sounds changed since they were tagged: `earmark tag` them again"
    )
    assert why_none({BELOW: 1}, 3, 0.55, COMMAND_LINE) == (
        "Every suggestion for this sound is below 55 %: lower --threshold to see the 3 hidden"
    )
    assert why_none({REVIEWED: 5, UNTAGGED: 10, BELOW: 1, WAITING: 2}, 7, 0.3) == (
        "No suggestions to show for these 18 sounds: tagging has not reached 2 yet; 10 are not tagged yet "
        "(press Suggest); every suggestion for 1 is below 30 % (lower the threshold to see the 7 hidden); "
        "every suggestion for 5 was accepted or rejected already"
    )


def test_the_engine_says_why_a_selection_lists_nothing_from_untagged_to_all_reviewed(tag_engine, named_library):
    tagging = tag_engine.tagging
    dog, glass = named_library / "dog_bark.wav", named_library / "glass_smash_01.wav"
    both = [str(dog), str(glass)]
    found, why = tagging.listing(both)
    assert set(found) == set(both) and why == "These 2 sounds are not tagged yet: press Suggest"
    assert tagging.listing([named_library / "not_here.wav"]) == (
        {},
        "This sound is not indexed yet, so it cannot be tagged",
    )

    save_job(tag_engine.store.meta, TagJob.new(tag_engine.model_info.name, [str(named_library)], False))
    assert tagging.listing(both)[1] == "Tagging has not reached these 2 sounds yet: their suggestions show once it has"
    tagging.resume()  # the job tags them
    found, why = tagging.listing([dog])
    assert found[str(dog)].tags and why == ""  # listed: nothing to explain

    tag_engine.settings.tag_threshold = 1.0  # nothing the tiny model guesses from sound and words is that sure
    hidden = sum(len(tagging.suggestions([p], threshold=0.0, top_k=ALL)[p].tags) for p in both)
    assert tagging.listing(both)[1] == (
        f"Every suggestion for these 2 sounds is below 100 %: lower the threshold to see the {hidden} hidden"
    )

    tag_engine.settings.tag_threshold = 0.3
    offered = tagging.suggestions([dog], threshold=0.0, top_k=ALL)[str(dog)].tags
    tagging.accept([dog], [offered[0].key], min_confidence=0.0)
    tagging.reject([dog], [s.key for s in offered[1:]], min_confidence=0.0)
    assert tagging.listing([dog]) == (
        {str(dog): tagging.suggestions([dog])[str(dog)]},
        "Every suggestion for this sound was accepted or rejected already",
    )

    write_audio(glass, tone(2_000, 0.5))  # another sound under the same name
    tag_engine.index()
    assert tagging.listing([glass])[1] == "This sound changed since it was tagged: press Suggest to tag it again"
    assert tagging.listing([dog, glass])[1] == (
        "No suggestions to show for these 2 sounds: 1 changed since it was tagged (press Suggest to tag it "
        "again); every suggestion for 1 was accepted or rejected already"
    )


def test_a_sound_whose_sure_suggestions_were_all_taken_up_is_not_said_to_have_only_weak_ones(tag_engine, named_library):
    """Accepting (or rejecting) every suggestion shown left the weak ones, and the next `earmark
    accept`, `earmark suggestions` and the tags panel said every suggestion was below the threshold,
    steering the user to those."""
    tagging = tag_engine.tagging
    tagging.tag([named_library])
    acting = replace(COMMAND_LINE, lower="lower --min-confidence to accept those above it")  # `earmark accept`'s
    for name, take_up in (("dog_bark.wav", tagging.accept), ("door_creak_wood.wav", tagging.reject)):
        path = named_library / name
        top, below = tagging.suggestions([path], threshold=0.0, top_k=ALL)[str(path)].tags[:2]
        assert top.confidence > below.confidence
        tag_engine.settings.tag_threshold = (top.confidence + below.confidence) / 2  # the surest one alone shown
        take_up([path])
        said = f"Every suggestion above {round(tag_engine.settings.tag_threshold * 100)} % for this sound"
        assert tagging.listing([path], acting)[1] == f"{said} was accepted or rejected already"
        found = tagging.suggestions([path])
        assert tagging.why_unlisted(found, COMMAND_LINE) == {str(path): f"{said} was accepted or rejected already"}
        assert found[str(path)].hidden  # the weak ones are there, under the threshold


def test_what_the_user_took_up_and_another_models_tagging_are_reasons_of_their_own():
    dog = FileRecord("/lib/Dogs/bark.wav", "/lib", content_hash="h1", id=1)
    done = run_row(1, "earlier", "h1")
    assert reason(dog, None, None, 0, tagged_before=True) == OTHER_MODEL
    assert reason(dog, done, None, 4, taken_up=True) == REVIEWED_ABOVE
    assert reason(dog, done, None, 0, taken_up=True) == REVIEWED  # nothing left at all
    assert reason(dog, done, None, 4) == BELOW  # nothing taken up: every one is below
    assert why_none({OTHER_MODEL: 2}, 0, 0.3, COMMAND_LINE) == (
        "These 2 sounds were tagged with another model, not the one in use: `earmark tag` them"
    )
    assert why_none({REVIEWED_ABOVE: 1, BELOW: 2}, 7, 0.3) == (
        "No suggestions to show for these 3 sounds: every suggestion above 30 % for 1 was accepted or "
        "rejected already; every suggestion for 2 is below 30 % (lower the threshold to see the 7 hidden)"
    )
