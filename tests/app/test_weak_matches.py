"""A search that finds nothing close (review 9, L7): "xyzzy" listed the library ranked by sound and
meaning, and Enter selected and played its first sound. The real window on the real engine."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.results_model import NEAREST_SHOWN, SCORE_COLUMN
from tests.app.conftest import ENGINE_TIMEOUT_MS, settle
from tests.engine.search.search_factories import at_cosine

NONSENSE = "xyzzy"


def names_mean_little_of(window, query: str) -> None:
    """Place what every file's name means at a cosine of 0.35 to 0.45 to ``query``'s, as a real
    model places nonsense (the tiny test model finds any text near any name)."""
    engine = window.client.engine
    meant = engine.model.embed_words([query])[0]
    meant = meant / (meant**2).sum() ** 0.5
    files = {f"meaning {k}": hit for k, hit in enumerate(window.model.hits())}
    engine.store.word_vectors(engine.model.info.name).put(
        {hit.id: (text,) for text, hit in files.items()},
        {text: at_cosine(meant, 0.45 - 0.05 * k, seed=k) for k, text in enumerate(files)},
    )


def commit(qtbot, window, text: str) -> None:
    """Type ``text``, press Enter, and wait until every answer asked for is shown."""
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key_Return)
    qtbot.waitUntil(lambda: f"for “{text}”" in window.result_label.text(), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.search_pool)


def test_enter_on_a_query_nothing_is_close_to_plays_nothing_and_a_real_match_plays(qtbot, window, library):
    window.preview.autoplay_button.setChecked(True)
    window.run_query("")  # every file, to place what their names mean
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    names_mean_little_of(window, NONSENSE)

    commit(qtbot, window, NONSENSE)
    assert window.model.rowCount() == len(library)  # still listed, ranked
    assert window.result_label.text().startswith("No file is named so or close to it: 4 sounds ranked by")
    assert {window.model.index(row, SCORE_COLUMN).data() for row in range(4)} == {NEAREST_SHOWN}  # no "100"
    assert window.results.selected_paths() == [] and window.preview.path is None
    assert not window.player.is_playing() and window.player.frames_played == 0
    assert window.search_field.hasFocus()  # to type another word, not to step through a guess
    assert NONSENSE not in window.search_field.recent  # no search to go back to (review 10)

    commit(qtbot, window, "sine beep")  # its name: selected and played, as ever, and remembered
    assert window.search_field.recent[0] == "sine beep"
    assert Path(window.preview.path).name == "sine_beep.wav" and window.results.hasFocus()
    assert window.model.index(0, SCORE_COLUMN).data().isdigit()  # its match, a number again
    qtbot.waitUntil(lambda: window.player.frames_played > 0, timeout=10_000)
    window.player.stop()  # nothing left playing into the next test
