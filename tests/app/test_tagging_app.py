"""Suggested tags and captions in the window: pytest-qt drives the tags panel's suggest/accept flow
on the real engine with the tiny model, a folder job's Cancel, and its resumption at the next start."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from app.results_model import TAGS_COLUMN
from app.results_view import ROW_HEIGHT
from app.suggestions_box import KIND_ROLE, PRECHECKED, SUGGESTION_COLOUR
from app.tagging_view import (
    NOTHING_NEW,
    PREPARING,
    STARTING,
    describe_accepted,
    describe_job,
    describe_rejected,
    reading_vocabulary,
)
from app.tags_panel import CAPTION_LINES, TagsPanel
from engine.index.suggestions import CAPTION, TAG, Suggestion
from engine.plural import counted
from engine.tagging import jobs
from engine.tagging.service import ALL, AcceptReport, FileSuggestions
from tests.app.conftest import ENGINE_TIMEOUT_MS, open_window, settle
from tests.engine.tagging.conftest import NAMED


@dataclass(frozen=True)
class Row:
    path: str
    tags: list = field(default_factory=list)
    caption: str = ""


def suggestion(file_id, key, value, confidence, kind=TAG):
    return Suggestion(file_id, kind, value, confidence, key, "ucs" if kind == TAG else "", "sound+words")


def test_suggestions_look_apart_from_the_users_tags_and_accept_emits_the_checked_ones(qtbot):
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav", ["mine"]), Row("/b.wav")])
    panel.show_suggestions(
        {
            "/a.wav": FileSuggestions("/a.wav", [suggestion(1, "DOORWood", "DOORS-WOOD", 0.8)], None),
            "/b.wav": FileSuggestions(
                "/b.wav",
                [suggestion(2, "DOORWood", "DOORS-WOOD", 0.6), suggestion(2, "GLASBrk", "GLASS-BREAK", 0.4)],
                suggestion(2, "", "glass breaking", 0.7, CAPTION),
            ),
        }
    )
    box = panel.suggestions
    texts = [box.list.item(i).text() for i in range(box.list.count())]
    assert texts == [
        "DOORS-WOOD  70% (60–80)  · 2 of 2",  # the middle of its two sounds' confidences, the least, the most
        "GLASS-BREAK  40%  · 1 of 2: b.wav",  # one file: the line names it
        "generated captions for 1 of 2",
    ]
    first = box.list.item(0)
    assert first.font().italic() and first.foreground().color() == SUGGESTION_COLOUR
    assert panel.tags.text() == ""  # the suggestions are not in the user's tags field
    box.list.item(1).setCheckState(Qt.Unchecked)
    with qtbot.waitSignal(panel.accept_requested) as accepted:
        box.accept_button.click()
    assert accepted.args == [["/a.wav", "/b.wav"], {"DOORWood": ["/a.wav", "/b.wav"]}, True]  # each to its sounds
    panel.show_suggestions({"/c.wav": FileSuggestions("/c.wav", [], None)})  # a late answer for another file
    assert box.list.count() == 3


def checks(box) -> dict[str, bool]:
    """{tag key or caption: checked} of the suggestions listed."""
    return {
        box.list.item(i).data(KIND_ROLE)[1]: box.list.item(i).checkState() == Qt.Checked
        for i in range(box.list.count())
    }


def test_a_lowered_threshold_lists_weak_suggestions_unchecked_and_accept_adds_only_the_checked(qtbot):
    """At a threshold of 0 a 0 % guess is listed, to read, but only what reaches the settings'
    default threshold comes checked, so Accept as it comes adds no junk."""
    assert PRECHECKED == 0.3  # engine.settings.Settings.tag_threshold, the box's own default
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav")])
    box = panel.suggestions
    box.set_threshold(0.0, top_k=3)
    tags = [
        suggestion(1, "FGHTImpt", "FIGHT-IMPACT", 0.93),
        suggestion(1, "WEAPSwrd", "WEAPONS-SWORD", 0.3),
        suggestion(1, "GOREBone", "GORE-BONE", 0.004),
        suggestion(1, "FGHTGrab", "FIGHT-GRAB", 0.29),
    ]
    panel.show_suggestions({"/a.wav": FileSuggestions("/a.wav", tags, suggestion(1, "", "a punch", 0.7, CAPTION), 27)})
    assert [box.list.item(i).text() for i in range(box.list.count())] == [
        "FIGHT-IMPACT  93%",
        "WEAPONS-SWORD  30%",
        "FIGHT-GRAB  29%",
        "GORE-BONE  0%",
        "“a punch”  70%",
    ]
    assert checks(box) == {"FGHTImpt": True, "WEAPSwrd": True, "FGHTGrab": False, "GOREBone": False, "a punch": True}
    assert "not checked" in box.list.item(3).toolTip()
    with qtbot.waitSignal(panel.accept_requested) as accepted:
        box.accept_button.click()
    assert accepted.args == [["/a.wav"], {"FGHTImpt": ["/a.wav"], "WEAPSwrd": ["/a.wav"]}, True]


def test_the_hint_says_why_suggestions_are_not_listed_as_the_threshold_and_top_k_make_the_list(qtbot):
    """At a threshold of 0 nothing is below it: what is left out is past the top k of its
    vocabulary, and the hint says that, not "27 below the threshold" beside three suggestions."""
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav")])
    box = panel.suggestions
    box.set_threshold(0.0, top_k=3)
    three = [suggestion(1, f"K{i}", f"CAT-SUB{i}", 0.0) for i in range(3)]
    panel.show_suggestions({"/a.wav": FileSuggestions("/a.wav", three, None, 27)})
    assert box.hint.text() == "27 more past the top 3 per vocabulary"
    box.set_threshold(0.3)
    panel.show_suggestions({"/a.wav": FileSuggestions("/a.wav", [], None, 30)})
    assert box.hint.text() == "30 more below 30 % or past the top 3 per vocabulary"
    panel.show_hits([Row("/a.wav"), Row("/b.wav")])
    panel.show_suggestions(
        {"/a.wav": FileSuggestions("/a.wav", [], None, 4), "/b.wav": FileSuggestions("/b.wav", [], None, 5)}
    )
    assert box.hint.text() == "9 more for these 2 sounds, below 30 % or past the top 3 per vocabulary"
    why = "These 2 sounds are not tagged yet: press Suggest"  # the engine's (test_tagging_unlisted)
    panel.show_suggestions(
        {"/a.wav": FileSuggestions("/a.wav", [], None), "/b.wav": FileSuggestions("/b.wav", [], None)}, why
    )
    assert box.hint.text() == why
    panel.show_hits([Row("/c.wav")])  # another selection, its suggestions not loaded yet: no guess said meanwhile
    assert box.hint.text() == ""


def test_a_generated_caption_can_be_edited_before_it_is_applied(qtbot):
    panel = TagsPanel()
    qtbot.addWidget(panel)
    panel.show_hits([Row("/a.wav")])
    panel.show_suggestions({"/a.wav": FileSuggestions("/a.wav", [], suggestion(1, "", "a door creaks", 0.7, CAPTION))})
    item = panel.suggestions.list.item(0)
    assert item.text() == "“a door creaks”  70%"
    panel.suggestions.list.itemDoubleClicked.emit(item)
    assert panel.caption.toPlainText() == "a door creaks" and panel.apply_button.isEnabled()
    with qtbot.waitSignal(panel.caption_edited) as edited:
        panel.apply()
    assert edited.args == [["/a.wav"], "a door creaks"]


def test_at_1400x850_six_suggestions_show_and_each_names_the_files_it_is_for(qtbot, window, library):
    """A short window still shows six suggestions without scrolling, the tags field, the caption
    editor and the results keeping their room; a line says which file its suggestion is for, its
    tooltip which files when several."""
    window.resize(1400, 850)
    qtbot.waitUntil(lambda: window.model.rowCount() == len(library), timeout=ENGINE_TIMEOUT_MS)
    window.results.selectAll()
    settle(window.client.work_pool)  # the selection's own (empty) suggestions are in
    dog, door, rain, beep = (str(library[name]) for name in sorted(library))
    assert sorted(window.tags.paths) == [dog, door, rain, beep]
    common = [suggestion(1, f"K{i}", f"CATEGORY-SUB{i}", 0.9 - i / 20) for i in range(6)]
    window.tags.show_suggestions(
        {
            dog: FileSuggestions(dog, [*common, suggestion(1, "ANMLDog", "ANIMALS-DOG", 0.7)], None),
            door: FileSuggestions(door, [*common, suggestion(2, "DOORWood", "DOORS-WOOD", 0.5)], None),
            rain: FileSuggestions(rain, [*common, suggestion(3, "DOORWood", "DOORS-WOOD", 0.4)], None),
            beep: FileSuggestions(beep, common, None),
        }
    )
    QCoreApplication.processEvents()  # laid out
    box = window.tags.suggestions.list
    in_view = [i for i in range(box.count()) if box.viewport().rect().contains(box.visualItemRect(box.item(i)))]
    assert len(in_view) >= 6
    panel = window.tags
    assert panel.tags.height() >= panel.tags.sizeHint().height()
    assert panel.caption.viewport().height() >= CAPTION_LINES * panel.caption.fontMetrics().lineSpacing()
    assert window.results.viewport().height() >= 12 * ROW_HEIGHT
    rows = {box.item(i).data(KIND_ROLE)[1]: box.item(i) for i in range(box.count())}
    assert rows["ANMLDog"].text() == "ANIMALS-DOG  70%  · 1 of 4: dog_bark.wav"
    assert rows["DOORWood"].text() == "DOORS-WOOD  45% (40–50)  · 2 of 4"
    tip = rows["DOORWood"].toolTip()
    assert "door_creak_wooden.wav 50%" in tip and "rain_on_glass.flac 40%" in tip
    assert "dog_bark.wav" not in tip and "sine_beep.wav" not in tip


def select(qtbot, window, path: Path) -> None:
    window.results.selectRow(window.model.row_of(str(path)))
    qtbot.waitUntil(lambda: window.tags.paths == [str(path)], timeout=10_000)


def test_suggest_then_accept_in_the_window_makes_the_tag_the_users_and_searchable(qtbot, tagging_window):
    window, folder = tagging_window
    dog = folder / "dog_bark.wav"
    select(qtbot, window, dog)
    box = window.tags.suggestions
    box.set_threshold(0.0)
    window.client.tagging.set_threshold(0.0)
    box.suggest_button.click()
    assert box.hint.text() == "Suggesting…"  # the vocabulary's terms are embedded already
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    box.list.item(0).setCheckState(Qt.Checked)  # at threshold 0 a weak first suggestion comes unchecked
    for row in range(1, box.list.count()):
        box.list.item(row).setCheckState(Qt.Unchecked)
    accepted_tag = box.list.item(0).text().split("  ")[0]
    assert accepted_tag not in window.tags.tags.text()
    box.accept_button.click()
    qtbot.waitUntil(lambda: accepted_tag in window.tags.tags.text(), timeout=ENGINE_TIMEOUT_MS)
    assert window.model.hit(window.model.row_of(str(dog))).tags == [accepted_tag]
    # the Tags column reads it as the tags field does: "CARTOON-ANIMAL", not "Cartoon animal" (review 19, L1)
    assert window.model.index(window.model.row_of(str(dog)), TAGS_COLUMN).data() == accepted_tag
    qtbot.waitUntil(
        lambda: accepted_tag not in [box.list.item(i).text().split("  ")[0] for i in range(box.list.count())],
        timeout=ENGINE_TIMEOUT_MS,
    )
    engine = window.client.engine
    assert engine.file_info(dog).record.tags == [accepted_tag]
    assert any(h.path == str(dog) and h.text_rank for h in engine.search(accepted_tag, limit=3))


def test_reject_keeps_the_focus_and_at_threshold_0_the_hint_counts_what_the_list_leaves_out(qtbot, tagging_window):
    """Reject the one suggestion above the threshold: the list comes back empty, and the focus stays
    in the suggestions (not in the caption editor). Then, at a threshold of 0, the 0 % guesses are
    listed unchecked, and what the hint says is left out is what the list does not show."""
    window, folder = tagging_window
    dog = str(folder / "dog_bark.wav")
    select(qtbot, window, folder / "dog_bark.wav")
    box, engine = window.tags.suggestions, window.client.engine
    assert box.threshold.value() == 30 and box.top_k == engine.settings.tag_top_k == 3  # from the settings
    box.suggest_button.click()
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    rejected = [key for key, checked in checks(box).items() if checked]
    assert rejected == list(checks(box))  # all above 30 %, all checked
    window.activateWindow()
    qtbot.mouseClick(box.reject_button, Qt.LeftButton)  # which takes the focus
    assert QApplication.focusWidget() is box.reject_button
    assert window.statusBar().currentMessage() == (
        f"Rejected {counted(len(rejected), 'suggestion')} · Undo last reject offers them again"
    )
    qtbot.waitUntil(lambda: not set(rejected) & set(checks(box)), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.edit_pool)
    settle(window.client.work_pool)
    assert not box.reject_button.isEnabled()  # nothing is checked now
    assert QApplication.focusWidget() is box.list, QApplication.focusWidget()

    def left_out() -> int:  # the open suggestions the list does not show, whatever the threshold
        return len(engine.tagging.suggestions([dog], threshold=0.0, top_k=ALL)[dog].tags) - box.list.count()

    assert box.list.count() == 0 and box.hint.text() == (  # nothing listed: why, as the engine says it
        "Every suggestion above 30 % for this sound was accepted or rejected already"  # not "all below 30 %"
    )
    box.threshold.setValue(0)  # as typed in the box: saved, and the suggestions loaded again
    qtbot.waitUntil(lambda: box.list.count() == 3, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    assert box.hint.text() == f"{left_out()} more past the top 3 per vocabulary"
    shown = {s.key: s.confidence for s in engine.tagging.suggestions([dog])[dog].tags}
    assert checks(box) == {key: confidence >= PRECHECKED for key, confidence in shown.items()}
    assert not any(checks(box).values())  # the dog's other guesses are 0 %: listed, none checked


def test_accepting_a_suggestion_for_many_sounds_tags_only_those_its_count_names(qtbot, tagging_window):
    """With every sound selected, a suggestion shown for some of them ("· N of M") and hidden, below
    the threshold, for others is accepted for exactly those N."""
    window, folder = tagging_window
    paths = sorted(str(folder / name) for name in NAMED)
    window.results.selectAll()
    qtbot.waitUntil(lambda: sorted(window.tags.paths) == paths, timeout=10_000)
    box = window.tags.suggestions
    box.suggest_button.click()
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    engine = window.client.engine
    everything = engine.tagging.suggestions(paths, threshold=0.0, top_k=ALL)
    having: dict[str, set[str]] = {}
    for path in paths:
        for s in everything[path].tags:
            having.setdefault(s.key, set()).add(path)
    rows = {box.list.item(i).data(KIND_ROLE)[1]: i for i in range(box.list.count())}

    def count(key: str) -> int:  # the "· N of M" beside the suggestion
        return int(box.list.item(rows[key]).text().split("· ")[1].split(" of ")[0])

    key = next(k for k in sorted(rows) if k in having and count(k) < len(having[k]))  # hidden for some
    text, shown_count = box.list.item(rows[key]).text(), count(key)
    assert f"· {shown_count} of {len(paths)}" in text
    for i in range(box.list.count()):
        if i != rows[key]:
            box.list.item(i).setCheckState(Qt.Unchecked)
    value = text.split("  ")[0]
    box.accept_button.click()
    qtbot.waitUntil(lambda: sum(value in engine.file_info(p).record.tags for p in paths) > 0, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.edit_pool)
    tagged = {p for p in paths if value in engine.file_info(p).record.tags}
    threshold = engine.settings.tag_threshold
    assert len(tagged) == shown_count
    assert all(s.confidence >= threshold for p in tagged for s in everything[p].tags if s.key == key)


def lines(box) -> list[tuple[str, bool]]:
    """(text, checked) of each suggestion listed: a term may have two lines."""
    return [(box.list.item(i).text(), box.list.item(i).checkState() == Qt.Checked) for i in range(box.list.count())]


def test_at_threshold_0_accept_as_it_comes_gives_a_tag_only_to_the_sounds_it_reaches_30_percent_for(
    qtbot, tagging_window
):
    """The review's folder at "≥ 0 %", Accept without touching a box: the checked line
    "CREATURES-DRAGON 98% · 3 of 18" gave the fire loop, at 6.8 %, the two wyverns' tag, and the
    index kept it. The fire loop's guess is a line of its own, unchecked; it is the loop's only
    when the user checks it."""
    window, folder = tagging_window
    engine = window.client.engine
    paths = sorted(str(folder / name) for name in NAMED)
    wyvern, wyvern_too, fire = paths[:3]
    records = {record.path: record for record in engine.tagging.records(paths)}

    def guess(path: str, key: str, value: str, confidence: float) -> Suggestion:  # as a tagging job writes one
        record = records[path]
        return Suggestion(
            record.id, TAG, value, confidence, key, "ucs", "sound+words", content_hash=record.content_hash
        )

    dragon = [
        guess(wyvern, "CREADrgn", "CREATURES-DRAGON", 0.97),
        guess(wyvern_too, "CREADrgn", "CREATURES-DRAGON", 0.98),
    ]
    loop = [guess(fire, "FIREMisc", "FIRE-MISC", 0.74), guess(fire, "CREADrgn", "CREATURES-DRAGON", 0.07)]
    engine.tagging.table().replace([records[path].id for path in (wyvern, wyvern_too, fire)], dragon + loop)
    window.results.selectAll()
    qtbot.waitUntil(lambda: sorted(window.tags.paths) == paths, timeout=10_000)
    box = window.tags.suggestions
    box.threshold.setValue(0)  # as typed: saved, and the suggestions loaded again
    of = f"of {len(paths)}"
    qtbot.waitUntil(lambda: box.list.count() == 3, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    assert lines(box) == [
        (f"CREATURES-DRAGON  98% (97–98)  · 2 {of}", True),
        (f"FIRE-MISC  74%  · 1 {of}: {Path(fire).name}", True),
        (f"CREATURES-DRAGON  7%  · 1 {of}: {Path(fire).name}", False),
    ]
    box.accept_button.click()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Added"), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.edit_pool)
    tags = {path: engine.file_info(path).record.tags for path in (wyvern, wyvern_too, fire)}
    assert tags == {wyvern: ["CREATURES-DRAGON"], wyvern_too: ["CREATURES-DRAGON"], fire: ["FIRE-MISC"]}
    assert window.statusBar().currentMessage() == (
        "Added 2 tags to 3 sounds: CREATURES-DRAGON to 2 sounds, FIRE-MISC to 1 · Undo last accept takes it back"
    )

    qtbot.waitUntil(lambda: lines(box) == [(f"CREATURES-DRAGON  7%  · 1 {of}: {Path(fire).name}", False)])
    box.list.item(0).setCheckState(Qt.Checked)  # the user's own choice
    box.accept_button.click()
    qtbot.waitUntil(lambda: "CREATURES-DRAGON" in engine.file_info(fire).record.tags, timeout=ENGINE_TIMEOUT_MS)


def test_best_of_each_then_accept_gives_each_sound_its_own_best_tag_and_says_what_it_added(qtbot, tagging_window):
    """The folder review: every sound selected, Best of each, Accept. Each sound gets its own most
    confident suggestion and no other; the user's own tags stay; the status bar says what was
    added. (One shown for a sound and the best of another goes to that other alone: the named
    library has none, test_suggestions_box and the engine's tests hold one.)"""
    window, folder = tagging_window
    paths = sorted(str(folder / name) for name in NAMED)
    engine = window.client.engine
    engine.tagging.add_tags([paths[0]], ["mine"])
    window.model.update_paths([paths[0]], tags=["mine"])
    window.results.selectAll()
    qtbot.waitUntil(lambda: sorted(window.tags.paths) == paths, timeout=10_000)
    box = window.tags.suggestions
    box.set_threshold(0.0)  # the tiny model's guesses are weak: at 0 each sound lists its top 3
    window.client.tagging.set_threshold(0.0)
    box.suggest_button.click()
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    shown = engine.tagging.suggestions(paths)
    best = {p: max(f.tags, key=lambda s: s.confidence).value for p, f in shown.items() if f.tags}
    others = {p: {s.value for s in f.tags} - {best[p]} for p, f in shown.items() if f.tags}
    assert any(others.values())  # sounds shown more than their best: given their best alone

    box.best_button.click()
    box.accept_button.click()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Added"), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.edit_pool)
    own = {paths[0]: ["mine"]}
    assert {p: engine.file_info(p).record.tags for p in paths} == {
        p: own.get(p, []) + [best[p]] * (p in best) for p in paths
    }
    added = set(best.values())
    what = next(iter(added)) if len(added) == 1 else f"{len(added)} tags"
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Added {what} to {counted(len(best), 'sound')}")
    assert said.endswith(" · Undo last accept takes it back")


def test_accept_and_reject_are_undone_in_the_window(qtbot, tagging_window):
    """Accept, then the status bar's Undo: the sound has exactly its own tag again (the accept's
    line says how to undo it) and the suggestions are listed again; a second undo finds none and
    says so. Reject, then Undo last reject in the results' menu: they are listed again."""
    window, folder = tagging_window
    dog, engine = folder / "dog_bark.wav", window.client.engine
    engine.tagging.add_tags([dog], ["mine"])
    window.model.update_paths([str(dog)], tags=["mine"])
    select(qtbot, window, dog)
    box, undo_accept, undo_reject = window.tags.suggestions, window.tagging.undo_accept, window.tagging.undo_reject
    box.suggest_button.click()
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    listed = checks(box)
    assert any(listed.values()) and undo_accept.button.isHidden() and not undo_accept.action.isEnabled()

    box.accept_button.click()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Added"), timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage().endswith(" · Undo last accept takes it back")
    assert len(engine.file_info(dog).record.tags) > 1 and undo_accept.action.isEnabled()
    qtbot.mouseClick(undo_accept.button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "accept is undone" in window.statusBar().currentMessage(), timeout=ENGINE_TIMEOUT_MS)
    accepted = sum(listed.values())
    assert window.statusBar().currentMessage() == (  # as the command line says it (AcceptUndone.summary)
        f"The last accept is undone on 1 file: {counted(accepted, 'tag')} removed; "
        f"{counted(accepted, 'suggestion')} offered again"
    )
    assert engine.file_info(dog).record.tags == ["mine"]
    assert window.model.hit(window.model.row_of(str(dog))).tags == ["mine"] and window.tags.tags.text() == "mine"
    qtbot.waitUntil(lambda: checks(box) == listed, timeout=ENGINE_TIMEOUT_MS)
    assert undo_accept.button.isHidden() and not undo_accept.action.isEnabled()
    window.client.tagging.undo_accept()  # as the menu's item would, had the command line undone it meanwhile
    qtbot.waitUntil(lambda: "no accept to undo" in window.statusBar().currentMessage(), timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == "There is no accept to undo"
    assert engine.file_info(dog).record.tags == ["mine"]

    box.reject_button.click()
    qtbot.waitUntil(lambda: not undo_reject.button.isHidden(), timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: box.list.count() == 0, timeout=ENGINE_TIMEOUT_MS)
    next(a for a in window.results_menu().actions() if a.text() == "Undo last reject").trigger()
    qtbot.waitUntil(lambda: checks(box) == listed, timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == f"{counted(len(listed), 'suggestion')} offered again"
    assert undo_reject.button.isHidden() and not undo_reject.action.isEnabled()


def test_accepting_a_tag_the_sound_was_given_meanwhile_says_nothing_new_and_offers_no_undo(qtbot, tagging_window):
    """The results still show the sound without the tag the command line gave it since: the
    engine's accept adds nothing, so nothing is said added and no undo is offered. Decided from the
    status line, which the results made, it said "Added …" and offered to undo this accept."""
    window, folder = tagging_window
    dog, engine = folder / "dog_bark.wav", window.client.engine
    select(qtbot, window, dog)
    box, undo_accept = window.tags.suggestions, window.tagging.undo_accept
    box.suggest_button.click()
    qtbot.waitUntil(lambda: box.list.count() > 0, timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    for row in range(1, box.list.count()):
        box.list.item(row).setCheckState(Qt.Unchecked)
    tag = box.list.item(0).text().split("  ")[0]
    engine.tagging.add_tags([dog], [tag])  # as `earmark add-tags` does: the window is not told
    assert window.model.hit(window.model.row_of(str(dog))).tags == []
    box.accept_button.click()
    said = window.statusBar().currentMessage
    qtbot.waitUntil(lambda: said().startswith(("Added", "Nothing")), timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == NOTHING_NEW
    assert undo_accept.button.isHidden() and not undo_accept.action.isEnabled()
    assert engine.file_info(dog).record.tags == [tag]


def test_the_tags_panel_says_why_it_lists_nothing(qtbot, tagging_window):
    """An empty list says why, as the engine tells it apart (test_tagging_unlisted holds every
    case): a sound not tagged yet, then one tagged whose every suggestion is under the threshold.
    It said "No suggestions yet: Suggest" to both."""
    window, folder = tagging_window
    dog = folder / "dog_bark.wav"
    select(qtbot, window, dog)
    settle(window.client.work_pool)
    box = window.tags.suggestions
    assert box.list.count() == 0 and box.hint.text() == "This sound is not tagged yet: press Suggest"
    box.threshold.setValue(100)  # as typed: nothing the tiny model guesses is that sure
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    box.suggest_button.click()
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)
    hidden = len(window.client.engine.tagging.suggestions([dog], threshold=0.0, top_k=ALL)[str(dog)].tags)
    assert hidden and box.list.count() == 0
    assert box.hint.text() == (
        f"Every suggestion for this sound is below 100 %: lower the threshold to see the {hidden} hidden"
    )


def test_an_accept_is_said_by_what_it_added():
    """As the engine counted it: which tags went to how many sounds, the most given first."""
    one = AcceptReport(tags_added=2, files_per_tag={"DOORS-WOOD": 2}, files_tagged=2)
    assert describe_accepted(one) == "Added DOORS-WOOD to 2 sounds"
    three = AcceptReport(tags_added=3, files_per_tag={"GLASS-BREAK": 1, "DOORS-WOOD": 2}, files_tagged=3)
    assert describe_accepted(three) == "Added 2 tags to 3 sounds: DOORS-WOOD to 2 sounds, GLASS-BREAK to 1"
    assert describe_accepted(AcceptReport(captions_set=1)) == "Added a caption to 1 sound"
    both = AcceptReport(tags_added=2, captions_set=1, files_per_tag={"DOORS-WOOD": 2}, files_tagged=2)
    assert describe_accepted(both) == "Added DOORS-WOOD to 2 sounds; a caption to 1 sound"
    assert describe_accepted(AcceptReport()).startswith("Nothing new to add")


def test_a_reject_is_said_by_how_many_suggestions_for_how_many_sounds():
    assert describe_rejected(["/a.wav"], {"DOORWood": ["/a.wav"], "GLASBrk": ["/a.wav"]}, True) == (
        "Rejected 3 suggestions"
    )
    keys = {"DOORWood": ["/a.wav", "/b.wav"], "GLASBrk": ["/c.wav"]}
    assert describe_rejected(["/a.wav", "/b.wav", "/c.wav", "/d.wav"], keys, False) == (
        "Rejected 2 suggestions for 3 sounds"
    )
    assert describe_rejected(["/a.wav", "/b.wav"], {}, True) == "Rejected 1 suggestion for 2 sounds"


def test_a_stopped_folder_job_is_cancelled_and_keeps_its_suggestions(qtbot, tagging_window, monkeypatch):
    """Stop means stop: the job does not come back by itself when Earmark opens again, and what it
    suggested before the stop stays, as the stop button's tooltip says."""
    window, folder = tagging_window
    monkeypatch.setattr(jobs, "BATCH", 1)
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    window.client.tagging.job_progress.connect(
        lambda phase, done, _total: phase == jobs.TAGGING and done == 2 and window.tagging.status.cancel_button.click()
    )
    window.library.folders.topLevelItem(0).setSelected(True)
    window.library.folders.actions()[0].trigger()  # "Suggest tags for this folder"
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    kept = reports[0].tagged
    assert reports[0].stopped and 2 <= kept < len(NAMED)
    assert not window.tagging.status.isVisible()
    assert window.statusBar().currentMessage() == f"Tagging stopped: the suggestions for {kept} sounds are kept"
    engine = window.client.engine
    assert engine.tagging.pending_job() is None
    found = engine.tagging.suggestions([str(folder)], threshold=0.0)
    assert sum(bool(item.tags) for item in found.values()) == kept
    window.close()

    again = open_window(qtbot, window.client.model_spec)
    resumed = []
    again.client.tagging.job_finished.connect(resumed.append)
    qtbot.waitUntil(lambda: again.client.model_info is not None, timeout=ENGINE_TIMEOUT_MS)
    settle(again.client.tagging.pool)  # the look for an unfinished job, at the model's start
    assert resumed == [] and not again.tagging.status.isVisible()


def test_a_folder_job_shows_its_status_and_stop_button_from_its_first_moment(qtbot, tagging_window, tmp_path):
    """The first job with a vocabulary reads it for minutes before any progress: the status bar
    says so from the start, with the stop button, not only when the first files are done."""
    window, _folder = tagging_window
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nbark,woof\n", encoding="utf-8")
    window.client.engine.tagging.import_vocabulary(mine)
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    window.library.folders.topLevelItem(0).setSelected(True)
    window.library.folders.actions()[0].trigger()  # "Suggest tags for this folder"
    status = window.tagging.status
    assert status.isVisible() and status.cancel_button.isVisible()
    assert status.label.text() == PREPARING
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert not status.isVisible()


def test_suggest_with_nothing_above_the_threshold_says_there_is_nothing_to_review(qtbot, tagging_window):
    window, folder = tagging_window
    select(qtbot, window, folder / "dog_bark.wav")
    window.tags.suggestions.threshold.setValue(100)  # as typed: nothing guessed is that sure
    settle(window.client.work_pool)
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    window.tags.suggestions.suggest_button.click()
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage() == "No suggestion sure enough to show for 1 sound"


def test_a_finished_job_is_told_in_one_status_line():
    """The job suggests; it tags nothing, so the line never says sounds were tagged."""
    one = describe_job(jobs.TagReport("j", total=1, tagged=1, suggested=1))
    assert one == "Suggestions ready for 1 sound · select sounds to accept or reject them"
    several = describe_job(jobs.TagReport("j", total=12, tagged=12, suggested=12, captioned=3))
    assert several.startswith("Suggestions ready for 12 sounds, 3 with a caption ·")
    resumed = describe_job(jobs.TagReport("j", total=10, resumed_from=6, tagged=4, suggested=4))
    assert resumed.startswith("Suggestions ready for 4 sounds; 6 sounds done before ·")
    stopped = describe_job(jobs.TagReport("j", total=9, resumed_from=2, tagged=4, stopped=True))
    assert stopped == "Tagging stopped: the suggestions for 6 sounds are kept"
    nothing_yet = describe_job(jobs.TagReport("j", total=9, stopped=True))
    assert nothing_yet == "Tagging stopped before any suggestions were made"
    for line in (one, several, resumed, stopped):
        assert "tagged" not in line


def test_a_job_line_counts_only_what_is_sure_enough_to_show():
    """14 captions all under the caption floor are not "14 with a caption"; sounds with no
    suggestion above the threshold are not counted as ready for review."""
    unsure = describe_job(jobs.TagReport("j", total=14, tagged=14, suggested=14, captions_unsure=14))
    assert unsure.startswith("Suggestions ready for 14 sounds, no caption sure enough to show ·")
    some = describe_job(jobs.TagReport("j", total=14, tagged=14, suggested=9))
    assert some.startswith("Suggestions ready for 9 of 14 sounds ·")
    none = describe_job(jobs.TagReport("j", total=1, tagged=1, suggested=0), selected=True)
    assert none == "No suggestion sure enough to show for 1 sound"


def test_a_job_with_nothing_new_to_suggest_says_so():
    nothing_new = describe_job(jobs.TagReport("j", total=10, resumed_from=10, tagged=0))
    assert nothing_new == "10 sounds already had suggestions · select sounds to accept or reject them"
    assert describe_job(jobs.TagReport("j", total=0)) == "No sounds to suggest tags for"


def test_a_job_for_the_selected_sounds_says_their_suggestions_are_in_the_tags_panel():
    """The selection's job: its sounds are selected already, so the line does not ask to select them."""
    ready = describe_job(jobs.TagReport("j", total=3, tagged=3, suggested=3), selected=True)
    assert ready == "Suggestions ready for 3 sounds: accept or reject them in the tags panel"
    again = describe_job(jobs.TagReport("j", total=2, resumed_from=2, tagged=0), selected=True)
    assert again == "2 sounds already had suggestions: accept or reject them in the tags panel"


def test_suggest_for_the_selection_says_so_when_done_and_a_folder_job_asks_to_select(qtbot, tagging_window):
    window, folder = tagging_window
    chosen = [folder / name for name in ("dog_bark.wav", "wind_howl.wav", "laser_shot.wav")]
    window.results.select_paths([str(p) for p in chosen], str(chosen[0]))
    qtbot.waitUntil(lambda: sorted(window.tags.paths) == sorted(map(str, chosen)), timeout=10_000)
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    window.tags.suggestions.suggest_button.click()
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert reports[0].tagged == 3
    line = window.statusBar().currentMessage()
    assert line == "Suggestions ready for 3 sounds: accept or reject them in the tags panel"

    window.library.folders.topLevelItem(0).setSelected(True)
    window.library.folders.actions()[0].trigger()  # "Suggest tags for this folder": not the selection
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=ENGINE_TIMEOUT_MS)
    assert window.statusBar().currentMessage().endswith(" · select sounds to accept or reject them")


def test_a_folder_job_with_nothing_selected_leaves_the_tags_panel_idle_when_done(qtbot, tagging_window):
    """The box said "Suggesting…" from the job's start until a sound was selected, long after the
    status bar had said the suggestions were ready."""
    window, _folder = tagging_window
    assert window.tags.paths == []
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    window.library.folders.topLevelItem(0).setSelected(True)
    window.library.folders.actions()[0].trigger()  # "Suggest tags for this folder"
    assert window.tags.suggestions.hint.text() == "Suggesting…"
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.tags.suggestions.hint.text() == "", timeout=10_000)


def test_the_first_suggestions_with_a_new_vocabulary_say_why_they_wait(qtbot, tagging_window, tmp_path):
    """The box says in words what the Suggest waits for, with which model and how far along it
    is, until the job suggests: "Suggesting… the first time with a model, its vocabulary is read
    first" read as if it were suggesting all along (review 15, L8), and "about a minute" was said
    of a read that took six, with nothing to show how far along it was (review 18, M8)."""
    window, folder = tagging_window
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nbark,woof\nhowl,\n", encoding="utf-8")
    window.client.engine.tagging.import_vocabulary(mine)  # the engine's own: nothing reads it before the Suggest
    select(qtbot, window, folder / "dog_bark.wav")
    box, status = window.tags.suggestions, window.tagging.status
    hints, read = [], []
    window.client.tagging.job_progress.connect(lambda *_: hints.append(box.hint.text()))
    window.client.tagging.vocabulary_progress.connect(
        lambda *count: read.append((count, box.hint.text(), status.label.text(), status.bar.value()))
    )
    box.suggest_button.click()
    assert box.hint.text() == reading_vocabulary("tiny")  # the model as the status bar names it
    assert box.hint.text() == "Reading the tag vocabulary with tiny (once per model)…"
    assert status.label.text() == PREPARING
    reports = []
    window.client.tagging.job_finished.connect(reports.append)
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert reports[0].tagged == 1 and window.client.engine.tagging.vocabularies_ready()
    assert read, "the job's read of its vocabulary said nothing"
    for (name, done, total), hint, label, value in read:  # counted in the box and the status bar as it went
        assert name == "mine" and 0 < done <= total and value == done
        assert hint == f"Reading the mine vocabulary with tiny (once per model): {done:,} of {total:,} phrases…"
        assert label == f"Reading the mine vocabulary {done:,} / {total:,}"
    assert read[-1][0][1] == read[-1][0][2]  # to its end
    assert hints and set(hints) == {STARTING}  # read by the job's first progress: it suggests now


def test_suggest_asked_while_the_start_up_looks_for_an_unfinished_job_runs_after_the_look(
    qtbot, tagging_window, monkeypatch
):
    window, folder = tagging_window
    tagging = window.client.engine.tagging
    released, looking = threading.Event(), threading.Event()
    find = tagging.pending_job

    def slow_look():  # the look for an unfinished job, held open until the click has happened
        looking.set()
        released.wait(ENGINE_TIMEOUT_MS / 1000)
        return find()

    monkeypatch.setattr(tagging, "pending_job", slow_look)
    errors, reports = [], []
    monkeypatch.setattr(window, "show_error", errors.append)
    window.client.tagging.job_finished.connect(reports.append)
    window.client.tagging.resume()  # what a model becoming ready starts
    assert looking.wait(10)
    select(qtbot, window, folder / "dog_bark.wav")
    window.tags.suggestions.suggest_button.click()
    released.set()
    assert errors == []  # not refused as if a job were running
    qtbot.waitUntil(lambda: bool(reports), timeout=ENGINE_TIMEOUT_MS)
    assert reports[0].tagged == 1 and not window.client.tagging.running


def test_only_the_latest_suggestions_load_is_shown(qtbot, window, library):
    """Loads run side by side: the one for an earlier selection may answer last, and must not
    replace the suggestions of the files selected now."""
    tagging, answers = window.client.tagging, []
    tagging.suggestions_loaded.connect(lambda found, _why_none: answers.append(found))
    dog, beep = str(library["dog_bark.wav"]), str(library["sine_beep.wav"])
    tagging.load([dog])  # alone first: the first read sets up the suggestions table
    qtbot.waitUntil(lambda: bool(answers), timeout=ENGINE_TIMEOUT_MS)
    answers.clear()
    tagging.load([dog])  # the first file clicked
    tagging.load([dog, beep])  # then another added to the selection
    qtbot.waitUntil(lambda: bool(answers), timeout=ENGINE_TIMEOUT_MS)
    settle(window.client.work_pool)  # both loads are done, and the other answer delivered were it let through
    assert [set(found) for found in answers] == [{dog, beep}]
