"""The per-model suggestion table: replacing open suggestions, rejecting and taking it back (the
rejections shared by every model), accepting and its undo's rows, run rows, and the last accept and
reject kept in the meta table."""

from __future__ import annotations

import numpy as np

from engine.index.suggestions import (
    CAPTION,
    LAST_ACCEPT,
    LAST_REJECT,
    REJECTED,
    RUN,
    SUGGESTED,
    TAG,
    AcceptedFile,
    LastAccept,
    LastReject,
    Rejections,
    Suggestion,
    SuggestionTable,
    last_accept,
    last_reject,
    remember,
    suggestions_table_name,
)
from tests.engine.index.index_factories import open_store


def tag(file_id, key, confidence, job="j1"):
    return Suggestion(file_id, TAG, key.lower(), confidence, key, "ucs", "sound", job=job)


def test_tables_are_per_model_and_named_safely(store):
    a, b = SuggestionTable(store.db, "clap:a/b"), SuggestionTable(store.db, "clap_a_b")
    assert a.name != b.name and a.name.startswith("sug_") and suggestions_table_name("m") == "sug_m"
    a.replace([1], [tag(1, "DOORWood", 0.9)])
    assert b.for_files([1]) == {} and list(a.for_files([1])) == [1]


def test_replace_keeps_rejected_rows_and_orders_by_confidence(store):
    table = SuggestionTable(store.db, "m")
    table.replace(
        [1, 2],
        [
            tag(1, "A", 0.2),
            tag(1, "B", 0.7),
            tag(2, "C", 0.5),
            Suggestion(1, CAPTION, "a door", 0.6),
            Suggestion(1, RUN, "", 1.0, job="j1"),
        ],
    )
    assert [s.key for s in table.for_files([1])[1]] == ["B", "", "A"]  # the run row is not a suggestion
    table.set_state([s for s in table.for_files([1])[1] if s.key == "B"], REJECTED)
    assert [s.key for s in table.for_files([1], kinds=(TAG,), states=(REJECTED,))[1]] == ["B"]
    table.replace([1], [tag(1, "D", 0.4, job="j2"), Suggestion(1, RUN, "", 1.0, job="j2")])
    assert [s.key for s in table.for_files([1])[1]] == ["D"]  # old open ones replaced...
    assert table.for_files([1], states=(REJECTED,))[1][0].key == "B"  # ...the rejected one kept
    assert table.done("j2").tolist() == [1] and table.done("j1").tolist() == []  # j1's run row went too
    table.drop([1], TAG, ["D"])
    assert table.for_files([1]) == {} and [s.key for s in table.for_files([2])[2]] == ["C"]


def test_a_suggestion_rejected_while_a_job_computed_it_is_not_offered_back(store):
    table = SuggestionTable(store.db, "m")
    table.replace([1], [tag(1, "A", 0.6), Suggestion(1, CAPTION, "a door", 0.5)])
    computed = [tag(1, "A", 0.6, job="j2"), tag(1, "B", 0.3, job="j2"), Suggestion(1, CAPTION, "a door", 0.5)]
    table.set_state(table.for_files([1])[1], REJECTED)  # the user, while the job tags file 1 again
    table.replace([1], computed)
    assert [s.key for s in table.for_files([1])[1]] == ["B"]
    assert sorted((s.kind, s.key) for s in table.for_files([1], states=(REJECTED,))[1]) == [(CAPTION, ""), (TAG, "A")]


def test_orphans_of_deleted_files_are_dropped(store):
    table = SuggestionTable(store.db, "m")
    table.replace([1, 2, 3], [tag(i, "A", 0.5) for i in (1, 2, 3)])
    assert table.delete_except(np.array([2])) == 2
    assert table.file_ids().tolist() == [2]


def test_a_rejection_taken_back_is_a_suggestion_again_and_a_row_written_since_is_kept(store):
    table = SuggestionTable(store.db, "m")
    door = Suggestion(1, CAPTION, "a door", 0.5)
    table.replace([1, 2], [tag(1, "A", 0.6), tag(1, "B", 0.4), door, tag(2, "A", 0.3)])
    table.set_state([tag(1, "A", 0.6), door, tag(2, "A", 0.3)], REJECTED)
    assert [s.key for s in table.for_files([1, 2])[1]] == ["B"] and 2 not in table.for_files([1, 2])
    table.set_state([tag(1, "A", 0.6), door], SUGGESTED)
    assert sorted((s.key, s.value) for s in table.for_files([1])[1]) == [("", "a door"), ("A", "a"), ("B", "b")]
    assert [s.key for s in table.for_files([2], states=(REJECTED,))[2]] == ["A"]  # file 2's stays rejected
    table.replace([1], [tag(1, "A", 0.9, job="j2")])  # a job suggests it anew
    table.set_state([tag(1, "A", 0.6)], SUGGESTED)  # an old row taken back again: the new one stays
    assert [(s.key, s.confidence, s.job) for s in table.for_files([1])[1]] == [("A", 0.9, "j2")]


def test_a_rejection_holds_in_every_models_table_and_is_taken_back_where_it_was_made(store):
    """Each model kept its own rejections, so after a model change (a fine-tune swapped in) the
    rejected tag was offered again and no rejection was listed."""
    rejections = Rejections(store.db)  # one, as the tagging service shares it
    a, b = (SuggestionTable(store.db, name, rejections) for name in ("a", "b"))
    a.replace([1, 2], [tag(1, "A", 0.6), tag(1, "B", 0.4), tag(2, "A", 0.5)])
    b.replace([1], [tag(1, "A", 0.7, job="b1"), tag(1, "C", 0.3, job="b1")])  # b tagged file 1 before the rejection
    a.set_state([tag(1, "A", 0.6)], REJECTED)
    assert [s.key for s in b.for_files([1])[1]] == ["C"]  # b's suggestion of it is hidden too
    b.replace([1], [tag(1, "A", 0.8, job="b2"), tag(1, "D", 0.5, job="b2")])  # b tags it again
    assert [s.key for s in b.for_files([1])[1]] == ["D"]
    assert [(s.key, s.confidence) for s in b.for_files([1], states=(REJECTED,))[1]] == [("A", 0.6)]  # listed in b

    b.set_state(b.for_files([1], states=(REJECTED,))[1], SUGGESTED)  # taken back while b is in use
    assert b.for_files(None, states=(REJECTED,)) == {} and [s.key for s in b.for_files([1])[1]] == ["D"]
    assert [(s.key, s.confidence) for s in a.for_files([1])[1]] == [("A", 0.6), ("B", 0.4)]  # a shows it at once

    a.set_state([tag(1, "A", 0.6)], REJECTED)
    a.replace([1], [tag(1, "B", 0.45, job="a2")])  # a tags it again: its row of A goes
    a.set_state([tag(1, "A", 0.6)], SUGGESTED)  # the rejection it made is taken back: the row is written back
    assert [(s.key, s.confidence) for s in a.for_files([1])[1]] == [("A", 0.6), ("B", 0.45)]

    b.set_state([tag(2, "A", 0.5)], REJECTED)
    assert a.delete_except(np.array([1])) == 1 and b.for_files(None, states=(REJECTED,)) == {}  # file 2 left


def test_rows_an_accept_took_are_offered_again_unless_the_table_holds_them_again(store):
    table = SuggestionTable(store.db, "m")
    table.replace([1], [tag(1, "A", 0.6), tag(1, "B", 0.4)])
    taken = table.for_files([1])[1]
    table.drop([1], TAG, ["A", "B"])
    table.replace([1], [tag(1, "B", 0.5, job="j2")])  # tagged again since: B is there anew
    assert table.offer_again(taken) == 1
    assert sorted((s.key, s.confidence) for s in table.for_files([1])[1]) == [("A", 0.6), ("B", 0.5)]


def test_the_last_accept_and_reject_survive_reopening_the_index(tmp_path):
    store = open_store(tmp_path)
    accepted = LastAccept("m", [AcceptedFile(1, ["DOORS-WOOD"], "old words", "a door")], [tag(1, "DOORWood", 0.8)])
    rejected = LastReject("m", [tag(2, "GLASBrk", 0.4), Suggestion(2, CAPTION, "glass", 0.7)])
    remember(store.meta, LAST_ACCEPT, accepted)
    remember(store.meta, LAST_REJECT, rejected)
    again = open_store(tmp_path)
    assert (last_accept(again.meta), last_reject(again.meta)) == (accepted, rejected)
    again.meta.delete(LAST_ACCEPT)
    assert last_accept(again.meta) is None and last_reject(again.meta) == rejected
