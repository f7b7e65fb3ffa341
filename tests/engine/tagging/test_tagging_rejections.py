"""A rejection is the user's word on a file's tag, whatever model suggests it: it holds after the
active model changes (a fine-tune swapped in, another model chosen), is listed and taken back
there, and the suggestions the previous model made are said to be that model's. Through the
engine with two tiny models on a real index."""

from __future__ import annotations

import shutil

import pytest

from engine.models.registry import load_model
from engine.tagging.evidence import encode_vocabulary
from engine.tagging.service import ALL
from engine.tagging.unlisted import COMMAND_LINE
from engine.tagging.vocabulary import shipped_ucs
from tests.factories import make_tiny_cacophony_checkpoint

CATID = "DOORWood"  # the certain suggestion the file's UCS name gives it, under any model
UCS_NAMED = "DOORWood_Slam Heavy_JD_TOWN.wav"


def shown(engine, path) -> set[str]:
    """The keys of the open tag suggestions of ``path``, hidden ones too."""
    return {s.key for s in engine.tagging.suggestions([path], threshold=0.0, top_k=ALL)[str(path)].tags}


@pytest.fixture(scope="session")
def other_checkpoint(tmp_path_factory):
    """A second tiny model (other weights, so another name and other suggestion tables)."""
    return make_tiny_cacophony_checkpoint(tmp_path_factory.mktemp("models") / "other", seed=3)


@pytest.fixture(scope="session")
def other_term_cache(tmp_path_factory, other_checkpoint):
    """The UCS terms embedded once by the second model, as ``tiny_term_cache`` holds the first's."""
    folder = tmp_path_factory.mktemp("other-term-cache")
    encode_vocabulary(load_model(str(other_checkpoint)), shipped_ucs(), folder)
    return folder


@pytest.fixture
def two_models(tag_engine, other_term_cache):
    """The tagging engine, its cache holding the second model's embedded terms too."""
    shutil.copytree(other_term_cache, tag_engine.paths.cache / "tagging", dirs_exist_ok=True)
    return tag_engine


def switch(engine, checkpoint) -> None:
    """Make ``checkpoint`` the active model, as the fine-tune's "use it" and the settings do."""
    before = engine.model_info.name
    job = engine.switch_model(str(checkpoint))
    assert job.wait(120) and job.error == ""
    assert engine.model_info.name != before


def test_a_rejection_holds_after_the_model_changes_and_is_listed_and_taken_back_there(
    two_models, named_library, tiny_checkpoint, other_checkpoint
):
    tag_engine = two_models
    door = named_library / UCS_NAMED
    tag_engine.tagging.tag([named_library])
    assert CATID in shown(tag_engine, door)
    assert tag_engine.tagging.reject([door], [CATID], min_confidence=0.0) == 1

    switch(tag_engine, other_checkpoint)
    tag_engine.tagging.tag([named_library])
    assert CATID not in shown(tag_engine, door)  # tagged anew: the rejected one is not offered
    assert [s.key for s in tag_engine.tagging.rejected(None)[str(door)]] == [CATID]

    assert tag_engine.tagging.unreject([door], [CATID]) == 1
    assert tag_engine.tagging.rejected(None) == {}
    tag_engine.tagging.tag([door])
    assert CATID in shown(tag_engine, door)  # offered again by the model now in use

    assert tag_engine.tagging.reject([door], [CATID], min_confidence=0.0) == 1  # rejected with this model...
    switch(tag_engine, tiny_checkpoint)  # ...and back to the first
    tag_engine.tagging.tag([door])
    assert CATID not in shown(tag_engine, door)
    assert tag_engine.tagging.undo_reject() == 1 and tag_engine.tagging.rejected(None) == {}


def test_suggestions_made_by_the_previous_model_are_said_to_be_its(two_models, named_library, other_checkpoint):
    tag_engine = two_models
    dog, glass = named_library / "dog_bark.wav", named_library / "glass_smash_01.wav"
    tag_engine.tagging.tag([dog])
    switch(tag_engine, other_checkpoint)
    found, why = tag_engine.tagging.listing([dog])
    assert not found[str(dog)].tags
    assert why == "This sound was tagged with another model, not the one in use: press Suggest"
    assert tag_engine.tagging.listing([dog, glass])[1] == (
        "No suggestions to show for these 2 sounds: 1 is not tagged yet (press Suggest); "
        "1 was tagged with another model, not the one in use (press Suggest)"
    )
    found = tag_engine.tagging.suggestions([dog])
    assert tag_engine.tagging.why_unlisted(found, COMMAND_LINE) == {
        str(dog): "This sound was tagged with another model, not the one in use: `earmark tag` it"
    }
