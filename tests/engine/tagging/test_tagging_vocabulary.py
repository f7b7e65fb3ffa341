"""Vocabularies: the official UCS list (JSON and spreadsheet), the user's own in CSV, .xlsx and
JSON, clear refusals, and the phrases and names terms are embedded from."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from engine.tagging.evidence import TermNames, name_embeddings
from engine.tagging.lexicon import Lexicon
from engine.tagging.prompts import term_names, term_prompts
from engine.tagging.vocabulary import (
    EARMARK_NAMES,
    UCS,
    Term,
    Vocabulary,
    VocabularyError,
    VocabularyShelf,
    read_vocabulary_file,
    shipped_ucs,
)
from engine.words import UCS_LIST, name_words

SHARED_UCS = Path(__file__).resolve().parents[4] / "shared" / "data" / "ucs" / "ucs-8.2.1-en.json"


def test_importing_the_official_ucs_json_gives_752_catids_in_82_categories(tmp_path):
    shelf = VocabularyShelf(tmp_path / "vocabularies")
    vocabulary = shelf.import_file(SHARED_UCS)
    assert (vocabulary.name, len(vocabulary.terms), len(vocabulary.categories)) == (UCS, 752, 82)
    door = vocabulary.term("DOORWood")
    assert (door.tag, door.category, door.subcategory) == ("DOORS-WOOD", "DOORS", "WOOD") and door.synonyms
    assert [v.name for v in shelf.all()] == [UCS]  # it took the shipped list's place
    assert shelf.all()[0].source == str(SHARED_UCS)
    shelf.remove(UCS)
    assert shelf.all()[0] == shipped_ucs()


# The official spreadsheet's English columns, as its third row names them (title rows above;
# translation columns after)
SHEET_HEADER = ["Category", "SubCategory", "CatID", "CatShort", "Explanations", "Synonyms - Comma Separated"]


def official_sheet(rows: list[dict]) -> list[list]:
    """The shared UCS list laid out as the official spreadsheet is: title rows, the header, a
    French column the import does not read, and a note under the table after a gap."""
    table = [["Universal Category System (UCS) v8.2.1"], ["Released under CC0"]]
    table.append([*SHEET_HEADER, "Category_fr"])
    for row in rows:
        cells = [row["Category"], row["SubCategory"], row["CatID"], row["CatShort"], row["Explanations"]]
        table.append([*cells, ", ".join(row["Synonyms"]), "PORTES"])
    return [*table, [], ["Notes: CatIDs are case sensitive."]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_official_ucs_spreadsheet_imports_as_the_json_does(tmp_path, suffix):
    table = official_sheet(json.loads(SHARED_UCS.read_text(encoding="utf-8")))
    path = tmp_path / f"UCS v8.2.1 Full List{suffix}"
    if suffix == ".xlsx":
        workbook = Workbook()
        workbook.active.title = "About"  # the list is found on whichever sheet holds it
        sheet = workbook.create_sheet("UCS v8.2.1")
        for row in table:
            sheet.append(row)
        workbook.save(path)
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)
    shelf = VocabularyShelf(tmp_path / "vocabularies")
    vocabulary = shelf.import_file(path)
    assert (vocabulary.name, len(vocabulary.terms), len(vocabulary.categories)) == (UCS, 752, 82)
    assert vocabulary.terms == read_vocabulary_file(SHARED_UCS).terms  # synonyms and explanations included
    assert shelf.all()[0].source == str(path)


def test_a_user_vocabulary_spreadsheet_reads_its_columns_in_any_case(tmp_path):
    workbook = Workbook()
    for row in (["Tag", "Description", "Synonyms", "Group"], ["laser zap", "a blaster shot", "pew;blaster", "scifi"]):
        workbook.active.append(row)
    workbook.active.append([])
    workbook.active.append(["squelch", None, None, 3])  # a number cell is read as its text
    path = tmp_path / "foley.xlsx"
    workbook.save(path)
    foley = read_vocabulary_file(path)
    assert foley.name == "foley" and [t.tag for t in foley.terms] == ["laser zap", "squelch"]
    assert (foley.terms[0].synonyms, foley.terms[0].category, foley.terms[1].category) == (
        ("pew", "blaster"),
        "scifi",
        "3",
    )


def test_a_list_of_tags_one_a_line_is_a_vocabulary(tmp_path):
    path = tmp_path / "moods.txt"
    path.write_text("tense\ncalm, peaceful\n\ndreamy\n", encoding="utf-8")  # an unquoted comma makes two cells
    with pytest.raises(VocabularyError, match='row 2: a term has no "tag"'):
        read_vocabulary_file(path)  # two cells on a line is a table, and it has no tag column
    path.write_text("tense\ncalm\n\ndreamy\n", encoding="utf-8")
    assert [t.tag for t in read_vocabulary_file(path).terms] == ["tense", "calm", "dreamy"]


def test_a_bad_row_of_a_spreadsheet_is_named_by_its_row_in_the_sheet(tmp_path):
    # and a UCS header in capitals is a UCS header
    path = tmp_path / "ucs.csv"
    path.write_text("UCS list\n\nCATID,CATEGORY,SUBCATEGORY\nDOORWood,DOORS,WOOD\nDOORMetl,DOORS,\n")
    with pytest.raises(VocabularyError, match="row 5: a UCS row needs SubCategory"):
        read_vocabulary_file(path)


def test_a_user_csv_and_json_vocabulary_sit_beside_ucs(tmp_path):
    csv_file = tmp_path / "foley.csv"
    csv_file.write_text(
        "tag,description,synonyms,group\nlaser zap,a sci-fi blaster shot,pew;blaster,scifi\nsquelch,,,\n",
        encoding="utf-8",
    )
    json_file = tmp_path / "moods.json"
    json_file.write_text(json.dumps({"terms": ["tense", {"tag": "calm", "synonyms": ["peaceful"]}]}))
    shelf = VocabularyShelf(tmp_path / "vocabularies")
    foley = shelf.import_file(csv_file)
    shelf.import_file(json_file, name="moods")
    assert [v.name for v in shelf.all()] == [UCS, "foley", "moods"]
    zap = foley.term("laser zap")
    assert (zap.tag, zap.category, zap.synonyms, zap.is_ucs) == ("laser zap", "scifi", ("pew", "blaster"), False)
    assert shelf.get("moods").term("calm").synonyms == ("peaceful",)
    assert "a sci fi blaster shot" in term_prompts(zap)
    csv_file.unlink()  # the imported copy is what counts
    assert shelf.get("foley").term("squelch").tag == "squelch"
    shelf.remove("foley")
    assert [v.name for v in shelf.all()] == [UCS, "moods"]
    with pytest.raises(KeyError):
        shelf.remove("foley")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("broken.json", "{not json", "not valid JSON"),
        ("ucs.json", json.dumps([{"CatID": "X1", "Category": "X"}]), "needs SubCategory"),
        ("twice.csv", "tag\nboom\nboom\n", "tag repeated: boom"),
        ("empty.csv", "tag\n", "holds no terms"),
        ("notags.json", json.dumps({"terms": [{"description": "no tag"}]}), 'has no "tag"'),
        ("sheet.xlsx", "PK", "not a readable .xlsx spreadsheet"),
        ("sheet.xls", "PK", r"unknown vocabulary format \.xls; .*\(save the spreadsheet as \.xlsx or CSV\)"),
    ],
)
def test_a_bad_vocabulary_file_is_refused_naming_it(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    shelf = VocabularyShelf(tmp_path / "vocabularies")
    with pytest.raises(VocabularyError, match=message) as error:
        shelf.import_file(path)
    assert str(path) in str(error.value)
    assert [v.name for v in shelf.all()] == [UCS]  # nothing half-imported
    with pytest.raises(VocabularyError, match="cannot be read"):
        read_vocabulary_file(tmp_path / "missing.csv")


def test_desktop_event_names_are_user_interface_words_of_the_shipped_list_only():
    """UI sounds named by the freedesktop.org event they mark: by their words alone (word overlap,
    no model), UCS as published reads them as other things; with the names Earmark adds, as UI."""
    events = ["dialog-error.oga", "desktop-login.oga", "trash-empty.wav", "battery-low.oga", "complete.oga"]

    def categories(vocabulary):
        lexicon = Lexicon(vocabulary.terms)
        return [vocabulary.terms[int(np.argmax(lexicon.scores(name_words(e))))].category for e in events]

    assert categories(shipped_ucs()) == ["USER INTERFACE"] * len(events)
    published = read_vocabulary_file(UCS_LIST)
    assert "USER INTERFACE" not in categories(published)
    assert [t.key for t in published.terms] == [t.key for t in shipped_ucs().terms]  # names added, no term
    added = json.loads(EARMARK_NAMES.read_text())["names"]
    assert set(added) <= {t.key for t in published.terms}  # every name sits under a CatID UCS has


def test_ucs_prompts_are_short_phrases_from_every_field():
    prompts = term_prompts(shipped_ucs().term("DOORWood"))
    assert prompts[0] == "wood doors" and len(prompts) == len(set(prompts)) >= 3
    assert term_prompts(shipped_ucs().term("AIRMisc"))[0] == "air"  # a vague subcategory adds nothing


def test_a_term_answers_to_its_own_name_and_each_synonym_alone():
    door = shipped_ucs().term("DOORWood")
    names = term_names(door)
    assert names[0] == "wood doors" and len(names) == len(set(names)) == 1 + len(set(door.synonyms))
    assert term_names(Term(key="zap", tag="zap", synonyms=("Electric-Arc", "zap"))) == ["zap", "electric arc"]


def test_a_files_words_meet_the_nearest_name_of_each_term():
    """Three terms with one, two and one names, in a 2-d space: each term scores its best name."""
    names = TermNames(
        vectors=np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], np.float32),
        rows=np.array([0, 1, 2, 1]),  # term 0: name 0; term 1: names 1 and 2; term 2: name 1
        starts=np.array([0, 1, 3]),
    )
    files = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    np.testing.assert_allclose(names.nearest(files), [[1.0, 0.6, 0.0], [0.0, 1.0, 1.0]])


def test_encoded_names_are_each_embedded_once_and_held_by_their_terms():
    vocabulary = Vocabulary(
        "mine", (Term(key="a", tag="a", synonyms=("b",)), Term(key="b", tag="b", synonyms=("a", "c")))
    )
    seen = []

    def embed(texts):
        seen.extend(texts)
        return np.eye(3, dtype=np.float32)[[ord(t) - ord("a") for t in texts]]

    names = name_embeddings(embed, vocabulary)
    assert seen == ["a", "b", "c"]  # each distinct name once
    np.testing.assert_allclose(names.nearest(np.eye(3, dtype=np.float32)), [[1, 1], [1, 1], [0, 1]])
