"""The filter bar's Tag field reads a tag as ``earmark search --tag`` does (engine.tags.tag_spellings)."""

from __future__ import annotations

from tests.app.conftest import ENGINE_TIMEOUT_MS
from tests.app.test_main_window import names


def test_the_tag_field_finds_a_ucs_tag_by_its_catid_and_any_tag_in_any_case(qtbot, window, library):
    """Review 8, M3: the field matched the tag exactly as a file carries it; a UCS tag's CatID
    (what the tags panel lists first: "ANMLDog · ANIMALS / DOG") or another case found nothing."""
    client, edited = window.client, []
    client.edited.connect(lambda: edited.append(True))
    client.set_tags({str(library["dog_bark.wav"]): ["ANIMALS-DOG"], str(library["sine_beep.wav"]): ["Interface"]})
    qtbot.waitUntil(lambda: len(edited) == 1, timeout=10_000)
    window.run_query("")  # the whole library
    for typed, found in (
        ("anmldog", ["dog_bark.wav"]),
        ("animals-dog", ["dog_bark.wav"]),
        ("INTERFACE", ["sine_beep.wav"]),
    ):
        window.filter_bar.tag.setText(typed)
        window.filter_bar.tag.editingFinished.emit()
        qtbot.waitUntil(lambda found=found: names(window) == found, timeout=ENGINE_TIMEOUT_MS)
