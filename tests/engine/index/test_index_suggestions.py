"""The per-model suggestion table: replacing open suggestions, rejecting, accepting, run rows."""

from __future__ import annotations

import numpy as np

from engine.index.suggestions import CAPTION, REJECTED, RUN, TAG, Suggestion, SuggestionTable, suggestions_table_name


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
    table.reject([1], TAG, ["B"])
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
    table.reject([1], TAG, ["A"])  # the user, while the job tags file 1 again
    table.reject([1], CAPTION)
    table.replace([1], computed)
    assert [s.key for s in table.for_files([1])[1]] == ["B"]
    assert sorted((s.kind, s.key) for s in table.for_files([1], states=(REJECTED,))[1]) == [(CAPTION, ""), (TAG, "A")]


def test_orphans_of_deleted_files_are_dropped(store):
    table = SuggestionTable(store.db, "m")
    table.replace([1, 2, 3], [tag(i, "A", 0.5) for i in (1, 2, 3)])
    assert table.delete_except(np.array([2])) == 2
    assert table.file_ids().tolist() == [2]
