"""What files can be tagged with: the UCS list shipped with Earmark, and vocabularies users import.

Two kinds of file are accepted by :func:`read_vocabulary_file`:

* **UCS** (the official list as JSON, or its spreadsheet as .xlsx or saved as CSV): rows with
  ``CatID``, ``Category`` and ``SubCategory`` (``Explanations`` and ``Synonyms`` optional; the
  spreadsheet's "Synonyms - Comma Separated" column counts, its translation columns are not
  read). Imported, it replaces the shipped list (a newer UCS release, or a translation), as it
  is: the names Earmark adds to the shipped list (:func:`shipped_ucs`) are not added to it.
* **A user vocabulary**: a spreadsheet (.xlsx or CSV) with a ``tag`` column (``description``,
  ``synonyms`` separated by ``;``, and ``group`` optional) or one tag a line (a .txt), or JSON:
  ``{"terms": [{"tag": ..., "description": ..., "synonyms": [...], "group": ...}]}`` or simply a
  list of tag strings.

A spreadsheet's header is the first of its first rows that names ``CatID`` or ``tag``: the
official UCS sheet has title rows above its header, and a CSV saved from it keeps them.

Imported vocabularies are kept, normalised, as JSON under the app's data folder, so the file
the user imported can move or vanish afterwards. Each vocabulary is its own classification:
a file gets its best UCS category *and* its best term of each user vocabulary.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import time
import zipfile
from dataclasses import asdict, dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from engine.fs import atomic_file
from engine.words import UCS_LIST, words

UCS = "ucs"
_VAGUE_SUBCATEGORIES = {"MISC", "GENERAL"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
HEADER_ROWS = 10  # a spreadsheet's header is looked for in its first rows (the UCS sheet's is its third)
_HEADER_NAMES = {"catid", "tag"}  # a row naming one of these is the header
# a UCS sheet's columns, whatever their case, as the JSON names them (the official sheet says
# "Synonyms - Comma Separated")
_UCS_COLUMNS = {
    name.casefold(): name for name in ("CatID", "Category", "SubCategory", "CatShort", "Explanations", "Synonyms")
} | {"synonyms - comma separated": "Synonyms"}
SPREADSHEET_SUFFIXES = (".xlsx", ".csv", ".tsv", ".txt")
EARMARK_NAMES = UCS_LIST.parent / "earmark-names.json"  # what Earmark adds to the shipped list (shipped_ucs)


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Term:
    key: str  # unique in its vocabulary: the CatID for UCS, else the tag
    tag: str  # what accepting writes into a file's tags: "DOORS-WOOD" (UCS CategoryFull), or the user's tag
    category: str = ""  # the group it belongs to ("DOORS"); category-level accuracy counts these
    subcategory: str = ""
    description: str = ""
    synonyms: tuple[str, ...] = ()

    @property
    def is_ucs(self) -> bool:
        return bool(self.subcategory)

    @property
    def label(self) -> str:
        """What the app shows: "DOORWood · DOORS / WOOD", or the user's tag."""
        return f"{self.key} · {self.category} / {self.subcategory}" if self.is_ucs else self.tag


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]
    source: str = ""  # the file it was imported from ("" for the shipped list)

    @property
    def is_ucs(self) -> bool:
        return self.name == UCS

    @property
    def shown_name(self) -> str:
        """The name a user reads ("the UCS vocabulary"): :data:`UCS` is a key, in lower case."""
        return "UCS" if self.is_ucs else self.name

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(t.category for t in self.terms))

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever anything the model reads changes: cached prompt embeddings key on it."""
        text = json.dumps([asdict(t) for t in self.terms], sort_keys=True)
        return hashlib.sha1(f"{self.name}\n{text}".encode()).hexdigest()[:12]

    @cached_property
    def category_terms(self) -> dict[str, list[int]]:
        """{category: indices of its terms}, in list order."""
        out: dict[str, list[int]] = {}
        for index, term in enumerate(self.terms):
            out.setdefault(term.category, []).append(index)
        return out

    @cached_property
    def term_categories(self) -> np.ndarray:
        """(terms,) index of each term's category in :attr:`categories` (worked out once: the
        words classifier maps its category scores to terms with it on every batch of files)."""
        index = {category: i for i, category in enumerate(self.categories)}
        return np.array([index[t.category] for t in self.terms], np.int64)

    @cached_property
    def catch_alls(self) -> dict[str, int]:
        """{category: index of its MISC or GENERAL term}, for the categories that have one (UCS
        SWOOSHES has none): the term that names the category without saying which kind."""
        return {
            t.category: i
            for i, t in reversed(list(enumerate(self.terms)))
            if t.subcategory.upper() in _VAGUE_SUBCATEGORIES
        }

    def category_probabilities(self, term_probabilities: np.ndarray) -> np.ndarray:
        """(categories,): each category's share of the terms' probabilities, in :attr:`categories` order."""
        return np.bincount(self.term_categories, weights=term_probabilities, minlength=len(self.categories))

    def term(self, key: str) -> Term | None:
        return next((t for t in self.terms if t.key == key), None)


# -- reading files ---------------------------------------------------------------------------


def ucs_term(entry: dict, where: str) -> Term:
    """One row of the UCS list (JSON object or CSV row)."""
    missing = [k for k in ("CatID", "Category", "SubCategory") if not str(entry.get(k) or "").strip()]
    if missing:
        raise VocabularyError(f"{where}: a UCS row needs {', '.join(missing)}")
    synonyms = entry.get("Synonyms") or ()
    if isinstance(synonyms, str):
        synonyms = re.split(r"[,;]", synonyms)
    category, subcategory = str(entry["Category"]).strip(), str(entry["SubCategory"]).strip()
    return Term(
        key=str(entry["CatID"]).strip(),
        tag=f"{category}-{subcategory}",
        category=category,
        subcategory=subcategory,
        description=str(entry.get("Explanations") or "").strip(),
        synonyms=tuple(s.strip() for s in synonyms if str(s).strip()),
    )


def user_term(entry: dict | str, where: str) -> Term:
    if isinstance(entry, str):
        entry = {"tag": entry}
    if not isinstance(entry, dict):
        raise VocabularyError(f'{where}: a term is a tag string or an object with a "tag", not {entry!r}')
    tag = " ".join(str(entry.get("tag") or "").split())
    if not tag:
        raise VocabularyError(f'{where}: a term has no "tag"')
    synonyms = entry.get("synonyms") or ()
    if isinstance(synonyms, str):
        synonyms = synonyms.split(";")
    return Term(
        key=tag,
        tag=tag,
        category=" ".join(str(entry.get("group") or "").split()) or tag,
        description=" ".join(str(entry.get("description") or "").split()),
        synonyms=tuple(s.strip() for s in synonyms if str(s).strip()),
    )


def read_vocabulary_file(path: str | os.PathLike, name: str | None = None) -> Vocabulary:
    """Parse a UCS list or a user vocabulary (see the module docstring); ``name`` names a user
    vocabulary (default: the file's stem). Raises VocabularyError naming the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        rows = _json_rows(path)
    elif suffix == ".xlsx":
        rows = _header_rows(_workbook_table(path))
    elif suffix in SPREADSHEET_SUFFIXES:
        dialect = "excel-tab" if suffix == ".tsv" else "excel"
        rows = _header_rows(list(csv.reader(io.StringIO(_text(path)), dialect=dialect)))
    else:
        raise VocabularyError(
            f"{path}: unknown vocabulary format {suffix or '(no extension)'}; use .json, .csv or .xlsx"
            + (" (save the spreadsheet as .xlsx or CSV)" if suffix in (".xls", ".ods", ".numbers") else "")
        )
    if not rows:
        raise VocabularyError(f"{path}: holds no terms")
    is_ucs = isinstance(rows[0][1], dict) and "CatID" in rows[0][1]
    read_term = ucs_term if is_ucs else user_term
    terms = [read_term(row, f"{path}, row {number}") for number, row in rows]
    duplicates = sorted({t.key for t in terms if sum(u.key == t.key for u in terms) > 1})
    if duplicates:
        raise VocabularyError(f"{path}: {'CatID' if is_ucs else 'tag'} repeated: {', '.join(duplicates[:5])}")
    vocabulary_name = UCS if is_ucs else (name or path.stem)
    if not _NAME.match(vocabulary_name) or (not is_ucs and vocabulary_name == UCS):
        raise VocabularyError(
            f"{path}: {vocabulary_name!r} cannot name a vocabulary (letters, digits, "
            f'space, - _ . only; "ucs" is the UCS list\'s)'
        )
    return Vocabulary(vocabulary_name, tuple(terms), str(path))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise VocabularyError(f"{path}: not UTF-8 text (a spreadsheet? save it as .xlsx, CSV or JSON)") from exc


def _json_rows(path: Path) -> list[tuple[int, object]]:
    """(term number, term) of a JSON vocabulary."""
    try:
        data = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise VocabularyError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    rows = data.get("terms") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise VocabularyError(f'{path}: expected a list of terms, or an object with a "terms" list')
    return list(enumerate(rows, start=1))


def _workbook_table(path: Path) -> list[tuple]:
    """The cells of a workbook's first sheet that has a UCS header (else its first sheet)."""
    from openpyxl import load_workbook  # only an import reads it: the app starts without it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise VocabularyError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise VocabularyError(f"{path}: not a readable .xlsx spreadsheet ({exc})") from exc
    try:
        sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    finally:
        workbook.close()
    ucs = (t for t in sheets if any("catid" in _names(row) for row in t[:HEADER_ROWS]))
    return next(ucs, sheets[0] if sheets else [])


def _names(row) -> set[str]:
    return {str(cell).strip().casefold() for cell in row if cell is not None}


def _header_rows(table: list) -> list[tuple[int, dict]]:
    """A spreadsheet's rows below its header as (row number, {column: text}). Empty rows are
    left out, and so are rows without a CatID (or tag) below one: notes under the table. Columns
    are read whatever their case ("CATID", "Tag", "Synonyms"); a single column without a header
    is a list of tags."""
    if not table:
        return []
    header_at = next((i for i, row in enumerate(table[:HEADER_ROWS]) if _names(row) & _HEADER_NAMES), None)
    if header_at is None and all(len([c for c in row if c not in (None, "")]) <= 1 for row in table):
        header, body, first = ["tag"], table, 1  # one word or phrase a line and no header: a list of tags
    else:
        header_at = header_at or 0  # no header found: the first row is read as one (and refused)
        header, body, first = table[header_at], table[header_at + 1 :], header_at + 2
    header = [str(cell or "").strip() for cell in header]
    ucs = any(column.casefold() == "catid" for column in header)
    header = [_UCS_COLUMNS.get(c.casefold(), c) if ucs else c.casefold() for c in header]
    key = "CatID" if ucs else "tag"
    rows, below_gap = [], False
    for number, row in enumerate(body, start=first):
        texts = (("" if cell is None else str(cell)).strip() for cell in row)
        cells = dict(zip(header, texts, strict=False))  # a CSV row ends at its last filled cell
        if not any(cells.values()):
            below_gap = True
        elif cells.get(key) or not below_gap:
            rows.append((number, cells))
    return rows


@cache
def shipped_ucs() -> Vocabulary:
    """The UCS list in ``resources/ucs`` (CC0), its terms answering also to the names Earmark adds
    (``earmark-names.json``: UI sounds named by the desktop event they mark, "dialog-error",
    "device-added", which UCS, naming what a sound is, does not know)."""
    ucs = read_vocabulary_file(UCS_LIST)
    added = json.loads(EARMARK_NAMES.read_text(encoding="utf-8"))["names"]
    terms = tuple(replace(t, synonyms=(*t.synonyms, *added.get(t.key, ()))) for t in ucs.terms)
    return replace(ucs, terms=terms, source="")


# -- the library's vocabularies ---------------------------------------------------------------


@dataclass
class VocabularyShelf:
    """The vocabularies of one Earmark home: the shipped UCS list (or an imported one in its
    place) and every imported user vocabulary, stored in ``folder``."""

    folder: Path
    _cache: dict[str, tuple[float, Vocabulary]] = field(default_factory=dict, repr=False)

    def all(self) -> list[Vocabulary]:
        """UCS first, then user vocabularies by name."""
        stored = {v.name: v for v in (self._load(p) for p in sorted(self.folder.glob("*.json")))}
        ucs = stored.pop(UCS, None) or shipped_ucs()
        return [ucs, *(stored[name] for name in sorted(stored))]

    def get(self, name: str) -> Vocabulary:
        for vocabulary in self.all():
            if vocabulary.name == name:
                return vocabulary
        raise KeyError(f"no vocabulary named {name!r}")

    def import_file(self, path: str | os.PathLike, name: str | None = None) -> Vocabulary:
        """Read, check and keep a vocabulary; one of the same name is replaced."""
        vocabulary = read_vocabulary_file(path, name)
        self.folder.mkdir(parents=True, exist_ok=True)
        document = {
            "name": vocabulary.name,
            "source": vocabulary.source,
            "imported_at": time.time(),
            "terms": [asdict(t) for t in vocabulary.terms],
        }
        with atomic_file(self._file(vocabulary.name)) as partial, open(partial, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False)
        return vocabulary

    def remove(self, name: str) -> None:
        """Forget an imported vocabulary (removing "ucs" goes back to the shipped list)."""
        target = self._file(name)
        if not target.is_file():
            raise KeyError(f"no imported vocabulary named {name!r}")
        target.unlink()

    def _file(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def _load(self, path: Path) -> Vocabulary:
        stamp = path.stat().st_mtime
        cached = self._cache.get(str(path))
        if cached is None or cached[0] != stamp:
            document = json.loads(path.read_text(encoding="utf-8"))
            terms = tuple(Term(**{**t, "synonyms": tuple(t.get("synonyms", ()))}) for t in document["terms"])
            cached = self._cache[str(path)] = (stamp, Vocabulary(document["name"], terms, document.get("source", "")))
        return cached[1]


def term_words(term: Term) -> list[str]:
    """The words that name a term: its category, subcategory (unless vague) and synonyms."""
    parts = [
        term.category,
        *([] if term.subcategory.upper() in _VAGUE_SUBCATEGORIES else [term.subcategory]),
        *term.synonyms,
    ]
    if not term.is_ucs:
        parts.append(term.tag)
    return list(dict.fromkeys(w for part in parts for w in words(part)))
