"""The tag vocabulary read in the background as soon as a model is the active one (at the start,
after a switch), so the first Suggest with it does not wait for it (review 15, L8: 55 s)."""

from __future__ import annotations

import shutil
import time

import pytest

from tests.app.conftest import ENGINE_TIMEOUT_MS, open_window
from tests.factories import make_tiny_cacophony_checkpoint

PREPARED_MS = 90_000  # the UCS list with the tiny model on a busy 2-core machine: about 12 s


@pytest.fixture(scope="module")
def model_and_tune(tmp_path_factory):
    """Two tiny models with one frozen text tower, as the builtin model and its library fine-tune."""
    folder = tmp_path_factory.mktemp("models")
    return tuple(
        make_tiny_cacophony_checkpoint(folder / name, seed=seed, text_frozen=True)
        for name, seed in (("start", 0), ("tuned", 3))
    )


def test_the_vocabulary_is_read_as_a_model_becomes_the_active_one_before_any_suggest(
    qtbot, earmark_home, model_and_tune
):
    start, tuned = model_and_tune
    shutil.rmtree(earmark_home / "cache" / "tagging")  # a first start: nothing of the vocabulary in the cache
    window = open_window(qtbot, str(start))
    client = window.client
    read = []  # what a Suggest pressed meanwhile would show of it (test_tagging_app: the count, as it goes)
    client.tagging.vocabulary_progress.connect(lambda *count: read.append(count))
    qtbot.waitUntil(lambda: client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    tagging = client.engine.tagging
    qtbot.waitUntil(lambda: tagging.vocabularies_ready(client.model_info), timeout=PREPARED_MS)
    qtbot.waitUntil(lambda: bool(read) and read[-1][1] == read[-1][2], timeout=ENGINE_TIMEOUT_MS)  # its last count
    done = [d for _, d, _ in read]
    assert {(name, total) for name, _, total in read} == {("UCS", done[-1])} and done == sorted(set(done))
    assert not window.tagging.status.isVisible()  # no job waits for it: the status bar says nothing

    first = client.model_info
    with qtbot.waitSignal(client.ready, timeout=ENGINE_TIMEOUT_MS):  # the switch done, the new model loaded
        client.switch_model(str(tuned))  # as a fine-tune's "Use it" does
    assert client.model_info.name != first.name
    qtbot.waitUntil(lambda: tagging.vocabularies_ready(client.model_info), timeout=PREPARED_MS)
    cache = client.paths.cache / "tagging"
    assert len(list(cache.glob("words-*.npz"))) == 1  # its words side is the start model's: only the joint side made


def test_closing_the_window_does_not_wait_for_the_vocabulary(qtbot, earmark_home, model_and_tune):
    """Closed while it is read, the window stops the reading at its next batch of text: it waited
    for the rest of it (40 s to minutes for UCS)."""
    window = open_window(qtbot, str(model_and_tune[0]))
    client = window.client
    qtbot.waitUntil(lambda: client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 5.0
