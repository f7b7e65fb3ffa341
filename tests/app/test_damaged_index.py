"""A really damaged index in the window: a banner says which table, and its button repairs it."""

from __future__ import annotations

import pytest

from tests.app.conftest import ENGINE_TIMEOUT_MS, open_window
from tests.engine.index.damage import TAGS, data_files, tagged_index, truncate

pytestmark = pytest.mark.slow


def test_the_banner_names_the_damage_and_its_button_repairs_keeping_the_tags(
    qtbot, earmark_home, tiny_checkpoint, tmp_path
):
    paths = tagged_index(earmark_home, tmp_path / "library", tiny_checkpoint)
    truncate(data_files(earmark_home, "files")[-1])
    window = open_window(qtbot, str(tiny_checkpoint))
    banner = window.banner
    qtbot.waitUntil(lambda: banner.isVisible() and "damaged" in banner.text.text(), timeout=ENGINE_TIMEOUT_MS)
    said = banner.text.text()
    assert "the list of indexed files, with your tags and captions cannot be read" in said
    assert "tags and captions are kept" in said
    # what LanceDB said is no sentence for the user: it is in the details, not in the banner
    assert "table 'files': " in banner.text.toolTip() and "table" not in said and "rror" not in said
    assert banner.button.text() == "Repair the index"
    reports = []
    window.client.repaired.connect(reports.append)
    window.client.index_finished.connect(reports.append)
    banner.button.click()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=ENGINE_TIMEOUT_MS)  # repaired, then the catch-up run
    repair, run = reports
    assert repair.repaired and repair.tags_kept == 2 and run is not None and run.errors == []
    assert not banner.isVisible()
    store = window.client.engine.store
    assert [store.get_file(str(paths[name])).tags for name in ("clip_01.wav", "clip_02.wav")] == [TAGS, TAGS]
    assert len(window.client.engine.search("clip")) > 0
