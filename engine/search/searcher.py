"""Hybrid search: BM25 over names, metadata, tags and captions, what those names mean in the
model's words space, and the model's text embedding against audio windows; and query by example.

Each alternative of the parsed query (see :mod:`engine.search.query`) runs all three
rankings with its own phrase requirements on top of the filters and exclusions; a file
keeps its best alternative in each ranking, and the rankings are fused so that the names
lead and the sound only adds (:func:`engine.search.fusion.fuse`).
Every hit carries its ranks and raw scores, so ``--explain`` can show why it is there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np

from engine.index.records import FileRecord
from engine.index.sql import search_where, search_where_not, texts_in
from engine.index.store import STOP_WORDS, LibraryStore
from engine.index.text import TEXT_FIELDS
from engine.index.vectors import EmbeddingTable, Windows
from engine.models.base import AudioTextModel, LikenessSpace
from engine.search.filters import BY_PATH, BrowseOrder, SearchFilters
from engine.search.fusion import FileMatch, FusedHit, FusionWeights, HeldWords, fuse, keep_best
from engine.search.localized import asks_for_speech, localized_ids
from engine.search.many_windows import fair_to_short
from engine.search.moment import JUDGED_FROM_S, WHOLE_FILE, stands_out
from engine.search.opposites import opposed
from engine.search.query import LONGER, length_fit, parse_query
from engine.search.respell import respelled, respellings, typos_among
from engine.search.vector_search import (
    SEARCH_MAX_ROWS,
    Passing,
    among,
    matching_files,
    matching_ids,
    nearest_by_sound,
    nearest_files,
    passing_files,
)
from engine.words import AskedWords, asked_words, read_cat_ids

WORDS, MEANING, SOUND = "words", "meaning", "sound"  # the rankings a search fuses
RANKINGS = frozenset({WORDS, MEANING, SOUND})
# a thread per ranking, one for the phrase lookups they wait for, one reading the keyword hits'
# records, one counting the words' matches and one finding the localized files; a job waits only
# for jobs submitted before it (taken first), so none is ever starved
_RANKING_THREADS = ThreadPoolExecutor(max_workers=len(RANKINGS) + 4, thread_name_prefix="earmark-ranking")
# a query's alternatives after the first, each searched in a vector table beside the first (two vector
# rankings, two such alternatives each at once); their jobs wait for nothing, so none is ever starved
_ALTERNATIVE_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="earmark-alternative")
MIN_CANDIDATES = 100  # per ranking, before fusion: deep enough for a file strong in one list only; each
# ranking's first band, which the scores are read from whatever the page's length (fusion.band)
MAX_EXAMPLE_WINDOWS = 32  # query-by-example uses at most this many windows of the clip, evenly spread
COPIES_SLACK = 2  # query by example looks this many times deeper than the hits it shows: copies fold
# When the best hit of a search no word found is close to the query, its name meaning something
# of it (python -m bench.nothing_close; builtin model, 500 hits, as the app asks): it matched at
# least CLOSE_MATCH (0..100), or the sound ranking scores it at least HEARD_CLOSE
# (SearchHit.vector_score: its window's cosine plus what the query heard as a sound added; a model
# that hears no query as a sound scores one cosine, never as much). With the words left out, the
# best hit of bench/ood's 81 real queries on its named library is right for 69: the match alone
# disowned 9 of them and 6 of the 12 wrong; the sound takes back footsteps and soft footsteps
# (1.56, 1.49; the wrong ones scored at most 1.29), 2 of 12 on a mixed library too, and review 13's
# "crowd cheering" (29 Applause.wav, 1.45), for one wrong hit of 33 on the other mixed library
# (1.47). Of 32 nonsense and off-topic queries ("xyzzy", "kjhgf", "tax return"; no word of theirs
# in a name) none is close on those libraries, the opaque one or review 13's, and the match lets 1
# of 290 random letter strings through on the named library (3 of 297 on review 13's): no best hit
# of theirs a name's meaning ranked scored 1.32 by the sound. Where no name means anything of the
# query, the sound is the whole score and the best hit scores 100, nonsense or not; on the opaque
# library (Take_0001.ogg) it was right for 8 of 47 such real queries, and its sound at HEARD_CLOSE
# or more for 2 of them and 7 of the wrong: never close.
CLOSE_MATCH = 40.0
HEARD_CLOSE = 1.40


@dataclass(frozen=True)
class _KnownLikeness:
    """Whether every file of a window table has likeness windows, as worked out at ``versions``
    (:meth:`Searcher._complete_likeness`)."""

    space: LikenessSpace  # the model's, which names the likeness table
    versions: tuple[int, int]
    table: EmbeddingTable | None  # the space's table then (None: it had none)
    complete: EmbeddingTable | None  # that table, when it held every file


# with each window table, which the store keeps for its life (the app makes a Searcher per search)
_KNOWN_LIKENESS: WeakKeyDictionary[EmbeddingTable, _KnownLikeness] = WeakKeyDictionary()


class NotEmbeddedError(LookupError):
    """A library file asked for by path whose audio the model has not embedded yet: the caller
    can hear the file now instead (any other LookupError is a real failure)."""


@dataclass
class SearchHit(FileRecord):
    score: float = 0.0  # 0..100 match: see engine.search.fusion; for query by example, 100 x cosine
    best_start_s: float | None = None  # the file's best-matching window, when the sound earned it (earned_window)
    best_end_s: float | None = None
    vector_rank: int | None = None  # 1-based rank in each ranking; None: not a candidate there
    text_rank: int | None = None
    vector_score: float | None = None  # the sound's score: its best window's cosine + vector_heard - vector_lost
    vector_heard: float | None = None  # what the query heard as a sound added (vector_search.nearest_by_sound)
    vector_lost: float | None = None  # what a long file's sound score lost as the best of many windows (many_windows)
    text_score: float | None = None  # BM25
    meaning_rank: int | None = None
    meaning_score: float | None = None  # words-space cosine of the file's nearest name or description
    length_fit: float | None = None  # 0..1, how well it is of the length the query asked for; None: none asked
    qualifier_only: bool = False  # its words held only the query's qualifier's ("gravel" of "footsteps on gravel")
    words_held: float | None = None  # the share of the query's words its keyword match holds (None: one word, or none)
    opposed: bool = False  # its words held the opposite of a word typed, not the word (engine.search.opposites)
    copies: tuple[str, ...] = ()  # other files of the library with exactly these bytes (see Searcher._hits)


class SearchResults(list):
    """The hits of one search, best first: a list, which also says whether the sound was
    searched and which typed words were read as typos. ``text_only`` is why the sound was not
    searched ("" when it was): with no model to embed the query, a search matches words alone.
    ``respelled``: {typed word: the library word searched instead} (engine.search.respell).
    ``sound_depth``: how many files the sound ranked (0: it ranked none), deeper for a longer
    page, so a hit it did not rank is only "not among its first ``sound_depth``".
    ``total``: how many hits the search found in all, of which the list holds the first (the
    sounds the words matched under the filters, phrases and exclusions, a group of copies once as
    the list folds it; for a browse, which lists every file, the files it lists from): a list cut
    at the limit is not all of them. None: not counted (a search without the words ranking).
    ``unheld``: the typed words no file under the filters holds where others of the query's words
    are held (the results hold only part of what was asked: "baby" of "baby cry")."""

    def __init__(
        self,
        hits: Iterable[SearchHit] = (),
        text_only: str = "",
        respelled: dict[str, str] | None = None,
        sound_depth: int = 0,
        total: int | None = None,
        unheld: tuple[str, ...] = (),
    ):
        super().__init__(hits)
        self.text_only = text_only
        self.respelled = dict(respelled or {})
        self.sound_depth = sound_depth
        self.total = total
        self.unheld = unheld

    @property
    def nothing_close(self) -> bool:
        """Whether a search found nothing close to its query: no word of it is in a file's name,
        tags, caption or folder, and the best hit's name means little of it (its match under
        :data:`CLOSE_MATCH`) and its sound is no more like it than nonsense's best (under
        :data:`HEARD_CLOSE`), or the sound alone ranked it. The list still ranks the library, but
        none of it answers: "xyzzy" played the first of it (review 9, L7), while "crowd cheering"
        disowned the applause that both rankings put first (review 13, H2). A list nothing ranked
        (a browse, a query that only excludes) is what was asked for, never this."""
        if not self or any(hit.text_rank is not None for hit in self):
            return False
        best = self[0]
        if best.vector_rank is None and best.meaning_rank is None:
            return False
        heard = best.vector_score is not None and best.vector_score >= HEARD_CLOSE
        return best.meaning_rank is None or (best.score < CLOSE_MATCH and not heard)


class Searcher:
    def __init__(
        self,
        store: LibraryStore,
        model: AudioTextModel | None,
        *,
        weights: FusionWeights = FusionWeights(),
        text_fields: dict[str, float] = TEXT_FIELDS,
        respell: bool = True,
    ):
        """``model`` None searches keywords only (no model loaded, or it failed to load).
        ``weights`` and ``text_fields`` are the fusion's and BM25's weights; the defaults
        are the measured ones, other values are for ``bench/search_quality.py``, as is
        ``respell`` False (typos searched as typed)."""
        self.store = store
        self.model = model
        self.weights = weights
        self.text_fields = text_fields
        self.respell = respell

    def search(
        self,
        query: str,
        filters: SearchFilters = SearchFilters(),
        limit: int = 100,
        rankings: frozenset[str] = RANKINGS,
        *,
        order: BrowseOrder = BY_PATH,
    ) -> SearchResults:
        """Hybrid search. ``rankings`` picks the rankings fused (:data:`RANKINGS`; one alone is how
        ``bench/search_quality.py`` measures each); quoted phrases and exclusions always apply,
        as typed, where typos in the other words are searched as the words they misspell.
        ``order``: how a query with no words to rank by (a browse) lists its files."""
        parsed = parse_query(query)
        if parsed.is_empty:
            passing = self._passing(filters, excludes=parsed.excludes)
            return self._browse(passing, search_where(filters), limit, order)
        pool = max(MIN_CANDIDATES, 2 * limit)
        # the files named for what they say (engine.search.localized), unless the query asks for that
        said = (
            _RANKING_THREADS.submit(localized_ids, self.store)
            if WORDS in rankings and not any(asks_for_speech(alt.text) for alt in parsed.alternatives)
            else None
        )
        # The files each alternative may return, and the three rankings, at once: each is mostly
        # a text encoder's forward pass or LanceDB queries, which run outside the GIL, so the
        # query takes about as long as the slowest (the encoders do not wait for the phrase lookups).
        # The files passing depend on phrases and exclusions only, so they are looked up while
        # the typos are read.
        passing_job = _RANKING_THREADS.submit(
            lambda: [self._passing(filters, alt.phrases, parsed.excludes) for alt in parsed.alternatives]
        )
        typos = {}
        if self.respell:
            loose = " ".join(t.text for alt in parsed.alternatives for t in alt.terms if not t.phrase)
            typos = respellings(self.store, loose)
        texts = [respelled(alt.text, typos) for alt in parsed.alternatives]
        # what the models read: a CatID typed is its category's words, which the keyword query asks for
        # beside the CatID's own ("AMBForst" is ambience forest to the models; engine.words.read_cat_ids),
        # and a word the library holds only misspelt as typed ("bubbles", not the names' "bubles")
        meant = [read_cat_ids(respelled(alt.text, typos_among(typos))) for alt in parsed.alternatives]
        heard: list[np.ndarray] = []  # the sound ranking's query vectors, which a long file's moment is judged by

        def embed_heard(alternatives: list[str]) -> np.ndarray:
            heard.extend(self.model.embed_query(alternatives))
            return np.asarray(heard)

        worded: list[list[FileMatch]] = []  # the words ranking of each alternative, which the total counts
        heads = [respelled(alt.head, typos) if alt.head else None for alt in parsed.alternatives]
        qualified: set[int] = set()  # the keyword hits holding only a qualifier's words (fusion.qualifier_only)
        held: list[HeldWords | None] = []  # which keyword hits hold which of each alternative's words
        opposite: set[int] = set()  # the meaning hits holding the opposite of a word typed (engine.search.opposites)
        unheld: list[str] = []  # the typed words no file under the filters holds

        def match_words() -> list[FileMatch]:
            worded.extend(
                matching_files(self.store, alt_text, pool, files, self.text_fields)
                for alt_text, files in zip(texts, passing_job.result(), strict=True)
            )
            qualified.update(self._qualifier_only(heads, worded, passing_job.result()))
            alternatives, held_by_none = self._held_words(texts, worded, passing_job.result())
            held.extend(alternatives)
            unheld.extend(w for w in held_by_none if w not in unheld)
            return [m for matches in worded for m in matches]

        def mean_words() -> list[FileMatch]:
            meaning = self._nearest(
                self._words_table(), lambda t: self.model.embed_words(t), meant, passing_job.result, pool
            )
            opposite.update(opposed(self.store, texts, meaning, passing_job.result(), self.text_fields))
            return meaning

        work = {
            SOUND: lambda: self._sound(
                embed_heard, meant, passing_job.result, pool, 0.0 if parsed.length == LONGER else self.weights.luck
            ),
            WORDS: match_words,
            MEANING: mean_words,
        }
        running = {  # each a file once, at its best alternative
            name: _RANKING_THREADS.submit(lambda job=job: keep_best(job(), MIN_CANDIDATES))
            for name, job in work.items()
            if name in rankings
        }
        # the names lead, so the best keyword matches are most of the hits: their records are read
        # while the vector rankings still run, and only the other hits' once the rankings are fused
        early = _RANKING_THREADS.submit(
            lambda: self.store.get_files(m.file_id for m in running[WORDS].result()[:limit]) if WORDS in running else {}
        )

        # how many the words match in all, while the vector rankings still run (submitted after ``early``:
        # the records are the hits' first need)
        def count_words() -> int | None:
            if WORDS not in running:
                return None
            running[WORDS].result()  # the words ranking has filled ``worded``
            return self._words_total(texts, passing_job.result(), worded, held, pool)

        total = _RANKING_THREADS.submit(count_words)
        vector, text, meaning = (running[name].result() if name in running else [] for name in (SOUND, WORDS, MEANING))
        records = early.result()
        lengths = self._lengths(parsed.length, [vector, text, meaning], records)
        localized = said.result() if said is not None and text else frozenset()
        holding = [alternative for alternative in held if alternative is not None]
        fused = fuse(
            vector, text, meaning, self.weights, lengths, qualified, holding, MIN_CANDIDATES, localized, opposite
        )
        hits = self._hits(fused, limit, records)
        self._judge_moments(hits, np.asarray(heard))
        sound_depth = pool if SOUND in running and self.model is not None else 0
        return SearchResults(hits, respelled=typos, sound_depth=sound_depth, total=total.result(), unheld=tuple(unheld))

    def similar(
        self,
        example: Windows | np.ndarray | str | os.PathLike,
        limit: int = 100,
        filters: SearchFilters = SearchFilters(),
        exclude_path: str | os.PathLike | None = None,
    ) -> list[SearchHit]:
        """Files that sound like ``example``: a library file's path (its stored windows are
        used, nothing is decoded), or the windows of any clip, computed by the caller with
        ``model.embed_audio_and_likeness`` (or bare window embeddings, (n, dim), from
        ``model.embed_audio``). The example itself is never a result: a library path is
        excluded, and so is ``exclude_path`` when the caller embedded a file that is in the
        library.

        When the model has a likeness space (ModelInfo.likeness) and every file it embedded has
        windows there, files are ranked there, and scored 0 for unrelated and 100 for the same
        sound; otherwise by the audio-text windows, scored by their cosine."""
        table = self._table()
        if table is None:
            raise LookupError("query by example needs an audio-text model; none is loaded")
        likeness = self._complete_likeness(table)
        exclude: list[int] = []
        same_bytes = ""  # the example's copies are the example too
        if isinstance(example, (str, os.PathLike)):
            record = self.store.get_file(example)
            if record is None:
                raise LookupError(f"{example} is not in the library: embed its audio and pass the vectors instead")
            stored = likeness.windows(record.id) if likeness is not None else None
            if stored is None or not len(stored):
                likeness, stored = None, table.windows(record.id)
            if not len(stored):
                raise NotEmbeddedError(f"{example} has no vectors for model {table.model_name!r} yet")
            queries = stored.vectors
            exclude.append(record.id)
            same_bytes = record.content_hash
        elif isinstance(example, Windows) and likeness is not None and example.likeness is not None:
            queries = example.likeness
        else:
            likeness = None
            queries = example.vectors if isinstance(example, Windows) else np.asarray(example, dtype=np.float32)
            queries = np.atleast_2d(queries)
        if exclude_path is not None:
            record = self.store.get_file(exclude_path)
            if record is not None:
                exclude.append(record.id)
                same_bytes = record.content_hash
        copied = self.store.copied_contents()
        if same_bytes in copied:
            exclude.extend(self.store.file_ids(texts_in("content_hash", [same_bytes])).tolist())
        if len(queries) > MAX_EXAMPLE_WINDOWS:
            queries = queries[np.linspace(0, len(queries) - 1, MAX_EXAMPLE_WINDOWS).round().astype(int)]
        passing = self._passing(filters).without(exclude)
        deeper = COPIES_SLACK * limit if copied else limit  # copies fold into one hit
        space = table if likeness is None else likeness
        score = (lambda cosine: 100.0 * max(cosine, 0.0)) if likeness is None else self.model.info.likeness.match
        # a long file's best pair of windows judged against the luck of its many windows, as a text
        # query's sound is: a review's motor found 17 music tracks among its first 30, its own kind from 52nd
        matches = fair_to_short(nearest_files(space, queries, deeper, passing), space, queries, luck=self.weights.luck)
        return self._hits(
            [FusedHit(m.file_id, score(m.score), m, rank, None, None) for rank, m in enumerate(matches, 1)], limit
        )

    def _complete_likeness(self, table: EmbeddingTable) -> EmbeddingTable | None:
        """The model's likeness table if every file with audio-text windows has windows there
        too (a library indexed before the model had one fills it in as it is re-embedded;
        until then a ranking there would leave those files out). Every text search asks, so the
        answer is kept with ``table`` until either table changes (bench/bench_search.py, 100k
        windows: a meta read and a lookup of every file's id, 3-5 ms; two versions, 0.2-0.5 ms)."""
        space = self.model.info.likeness
        if space is None:
            return None
        known = _KNOWN_LIKENESS.get(table)
        if known is not None and known.space == space and known.versions == self._likeness_versions(table, known.table):
            return known.complete
        likeness = self.store.likeness(self.model.info)
        versions = self._likeness_versions(table, likeness)  # read before the ids: a write meanwhile is seen next time
        complete = likeness is not None and among(table.file_ids(), likeness.file_ids()).all()
        known = _KnownLikeness(space, versions, likeness, likeness if complete else None)
        _KNOWN_LIKENESS[table] = known
        return known.complete

    def _likeness_versions(self, table: EmbeddingTable, likeness: EmbeddingTable | None) -> tuple[int, int]:
        """The versions whether ``likeness`` holds every file of ``table`` depends on: the two
        tables', or while the space has no table the meta table's (making one writes there)."""
        other = likeness.table if likeness is not None else self.store.meta.table
        return table.table.version, other.version

    # -- the three rankings -----------------------------------------------------------

    def _sound(
        self,
        embed: Callable[[list[str]], np.ndarray],
        texts: list[str],
        passing: Callable[[], list[Passing]],
        pool: int,
        luck: float = FusionWeights.luck,
    ) -> list[FileMatch]:
        """The sound ranking: each alternative's files by their best window against its audio-text
        vector (``embed``), and, when the model also hears queries as sounds in its likeness space
        (``query_likeness``) and every file has windows there, by their best likeness window against
        that sound too (:func:`nearest_by_sound`); a long file's best judged against the ``luck`` of
        its many windows (:func:`fair_to_short`). A query that asks for long sounds ("sheep bleat
        long") is searched with none, each file's best window as it is: the field recording
        that holds the bleat once is what it asks for (bench/search_quality.py's queries + "long",
        opaque library: 0.170 as it is, 0.160 judged)."""
        table = self._table()
        if table is None:
            return []
        likeness = self._complete_likeness(table)
        sounds = self.model.query_likeness(texts) if likeness is not None else None

        def fair(matches: list[FileMatch], vector: np.ndarray, sound: np.ndarray | None = None) -> list[FileMatch]:
            return fair_to_short(matches, table, vector, likeness, sound, luck)

        if sounds is None:
            return each_beside(
                lambda vector, files: fair(nearest_files(table, vector, pool, files, SEARCH_MAX_ROWS), vector),
                zip(embed(texts), passing(), strict=True),
            )
        return each_beside(
            lambda vector, sound, files: fair(
                nearest_by_sound(table, vector, likeness, sound, pool, files, SEARCH_MAX_ROWS, MIN_CANDIDATES),
                vector,
                sound,
            ),
            zip(embed(texts), sounds, passing(), strict=True),
        )

    def _nearest(
        self,
        table: EmbeddingTable | None,
        embed: Callable[[list[str]], np.ndarray],
        texts: list[str],
        passing: Callable[[], list[Passing]],
        pool: int,
    ) -> list[FileMatch]:
        """The meaning ranking (words table, ``embed_words``): each alternative's nearest files among
        those ``passing`` its filter (asked for once the texts are embedded)."""
        if table is None:
            return []
        vectors = embed(texts)  # (an empty table costs an encoding, which the other vector ranking wants anyway)
        return each_beside(
            lambda vector, files: nearest_files(table, vector, pool, files, SEARCH_MAX_ROWS),
            zip(vectors, passing(), strict=True),
        )

    def _passing(self, filters: SearchFilters, phrases: Iterable[str] = (), excludes: Iterable[str] = ()) -> Passing:
        """The files a ranking may return under ``filters``, holding ``phrases`` and none of ``excludes``."""
        return passing_files(self.store, search_where(filters), phrases, excludes, search_where_not(filters))

    def _table(self) -> EmbeddingTable | None:
        return None if self.model is None else self.store.embeddings(self.model.info)

    def _words_table(self) -> EmbeddingTable | None:
        return None if self.model is None else self.store.word_vectors(self.model.info.name)

    # -- results ----------------------------------------------------------------------

    def _lengths(
        self, length: str | None, rankings: list[list[FileMatch]], records: dict[int, FileRecord]
    ) -> dict[int, float] | None:
        """{file id: how well it is of ``length``} for every file the rankings found (``length_fit``;
        None when the query asked for no length). Their records are read into ``records``, which
        the hits are then made from: a query with a length reads its candidates' records once
        before fusion (about 300), the others only their hits' after it."""
        if length is None:
            return None
        found = {m.file_id for ranking in rankings for m in ranking}
        records.update(self.store.get_files(i for i in found if i not in records))
        return {i: length_fit(records[i].duration_s, length) for i in found if i in records}

    def _judge_moments(self, hits: list[SearchHit], queries: np.ndarray) -> None:
        """Take the moment from each long file found by its name whose best window does not stand
        out from its other windows for the query (engine.search.moment): in a 3-minute take the
        best of its windows is most often bed, and a wrong moment plays the bed, not the bark. A
        file found by its name and too short to judge (under :data:`JUDGED_FROM_S`: a few windows
        have no median to stand out from) has no moment inside it either: its name says the whole
        of it answers, and "anvil" started anvil_loop.ogg 15 s into its 25 (review 9); a window
        that is the whole file (:data:`WHOLE_FILE`) stays. A file the sound
        alone lists keeps its moment, which is why it is listed. Only the long hits' windows are
        read, in one query (a few, on a page of mostly short sounds)."""
        named = [
            hit
            for hit in hits
            if hit.best_start_s is not None and (hit.text_rank is not None or hit.meaning_rank is not None)
        ]
        for hit in named:
            whole = hit.duration_s or 0.0
            if whole < JUDGED_FROM_S and hit.best_end_s - hit.best_start_s < WHOLE_FILE * whole:
                hit.best_start_s = hit.best_end_s = None
        judged = {hit.id: hit for hit in named if hit.best_start_s is not None}
        if not judged or not len(queries):
            return
        for file_id, windows in self._table().windows_of(list(judged)).items():
            if not len(windows):
                continue
            scores = windows.vectors @ queries.T  # (windows, alternatives)
            if not stands_out(scores[:, np.argmax(scores.max(axis=0))]):  # the alternative that found its window
                judged[file_id].best_start_s = judged[file_id].best_end_s = None

    def _qualifier_only(
        self, heads: list[str | None], worded: list[list[FileMatch]], passing: list[Passing]
    ) -> set[int]:
        """The files each alternative's words matched by its qualifier's words alone (none of its
        ``heads``' words: "footsteps" of "footsteps on gravel", engine.search.query.Alternative.head),
        and no other alternative matched otherwise. One more keyword query per alternative with a
        qualifier, read to the end (:func:`matching_ids`), so no match of the head is missed."""
        only: set[int] = set()
        otherwise: set[int] = set()
        for head, matches, files in zip(heads, worded, passing, strict=True):
            held = set(matching_ids(self.store, head, files, self.text_fields).tolist()) if head else None
            for m in matches:
                (only if held is not None and m.file_id not in held else otherwise).add(m.file_id)
        return only - otherwise

    def _held_words(
        self, texts: list[str], worded: list[list[FileMatch]], passing: list[Passing]
    ) -> tuple[list[HeldWords | None], list[str]]:
        """Which of each alternative's keyword hits (``worded``) hold which of its typed words, for
        the alternatives of two words or more (:class:`HeldWords`; None for the others), and the
        typed words of those no passing file holds: "baby" of "baby cry" in a library with a war
        cry and no baby. A word none of the hits holds is looked for in every passing file (the hits
        may be a full ranking's first)."""
        found: list[HeldWords | None] = []
        held_by_none = []
        for text, matches, files in zip(texts, worded, passing, strict=True):
            asked = asked_words(text, STOP_WORDS)
            if len(asked.lookups) < 2 or not matches:
                found.append(None)
                continue
            alternative = self._holding(asked, np.array([m.file_id for m in matches], np.int64), files.total)
            found.append(alternative)
            held_by_none += [
                word
                for word in alternative.in_no_hit()
                if not len(matching_ids(self.store, asked.lookups[word], files, self.text_fields))
            ]
        return found, held_by_none

    def _holding(self, asked: AskedWords, hits: np.ndarray, total: int) -> HeldWords:
        """Which of ``hits`` hold which of ``asked``'s words: one keyword query per typed word (and
        per two run together) among those files only, 2-3 ms each on the bench's library, on the
        words ranking's thread."""
        among = Passing(hits, total=total)
        lookups = asked.lookups | {a + b: a + b for a, b in asked.joined}
        held = {
            word: set(matching_ids(self.store, lookup, among, self.text_fields).tolist())
            for word, lookup in lookups.items()
        }
        return HeldWords(asked, hits.tolist(), held)

    def _words_total(
        self,
        texts: list[str],
        passing: list[Passing],
        worded: list[list[FileMatch]],
        held: list[HeldWords | None],
        pool: int,
    ) -> int:
        """How many sounds the words of ``texts`` match in all, each once: each alternative's words
        ranking (``worded``), or, where it filled its ``pool``, its query read to the end
        (:func:`matching_ids`; 100k files, ~3,000 matches: 5-9 ms, on its own thread beside the
        vector rankings). Only a search whose words match more files than its ranking holds pays.
        A match holding none of its alternative's words (``held``, :meth:`HeldWords.coverage`) is
        no result: the washing machine "machine gun" matched made "the first 1 of 2 results" of one
        (review 10). Copies count once (:meth:`_distinct_contents`), as the hits list them."""
        every = []
        for text, files, matches, holding in zip(texts, passing, worded, held, strict=True):
            ids = np.array([m.file_id for m in matches], np.int64)
            if len(matches) >= pool:
                ids = matching_ids(self.store, text, files, self.text_fields)
                if holding is not None:
                    holding = self._holding(holding.asked, ids, files.total)
            if holding is not None:
                ids = np.array([i for i, share in holding.coverage().items() if share > 0], np.int64)
            every.append(ids)
        return self._distinct_contents(np.unique(np.concatenate(every)))

    def _distinct_contents(self, file_ids: np.ndarray) -> int:
        """How many rows ``file_ids`` make once copies fold (:meth:`_hits`): a group of files with
        the same bytes is one. Only the ids of a copy group are looked up, in the store's
        {id: content hash} of those (:meth:`LibraryStore.copies`, read again only once the files
        table changed, as the hits' :meth:`LibraryStore.copied_contents` is): a library without
        copies pays nothing; "8 results" read "the first 8 of 14" where 6 were copies."""
        copies = self.store.copies()
        if not copies:
            return int(file_ids.size)
        grouped = [copies[i] for i in file_ids.tolist() if i in copies]
        return int(file_ids.size) - len(grouped) + len(set(grouped))

    def _browse(self, passing: Passing, where: str | None, limit: int, order: BrowseOrder) -> SearchResults:
        """A query with no positive terms lists the files that pass, all of them in ``order``, ties
        by path (``total``: how many pass)."""
        ids = self.store.ids_in_order(where, order)
        listed = ids[passing.keep(ids)]
        chosen = listed[:limit].tolist()
        records = self.store.get_files(chosen)
        hits = [SearchHit(**vars(records[i])) for i in chosen if i in records]  # one deleted meanwhile is gone
        return SearchResults(hits, total=len(listed))

    def _hits(self, fused: list[FusedHit], limit: int, known: dict[int, FileRecord] | None = None) -> list[SearchHit]:
        """The first ``limit`` hits' records, of which ``known`` were read already. Files with the
        same bytes are one hit, the best ranked, listing the others as its ``copies``: libraries
        gathered over years hold the same sound in several folders, and a page of results
        showing it twice shows one sound fewer. Records are read for as many hits as are still
        wanted, again after copies folded (once, in a library without copies).

        Copies whose scores are equal but for float noise (the same windows, the same or equally
        matching names) are one match: which ranked first is rounding, and changed from query to
        query. The copy shown then is the one whose own words matched the query (a keyword
        match), else the shortest path, else the first path in order: the same for every query
        that matches the copies alike."""
        noise = 1e-3  # of a 0..100 score: far below a whole point, far above float32 rounding
        records = dict(known or {})
        shown: set[str] = set()
        hits: list[SearchHit] = []
        taken = 0

        def representative(at: int) -> FusedHit:
            """Of the copies scoring as ``fused[at]`` within ``noise`` (from it on), the one shown."""
            end = at + 1
            while end < len(fused) and abs(fused[end].score - fused[at].score) <= noise:  # a deeper band's may be more
                end += 1
            if end == at + 1:
                return fused[at]
            tied = fused[at:end]
            records.update(self.store.get_files(h.file_id for h in tied if h.file_id not in records))
            content = records[fused[at].file_id].content_hash
            copies = [h for h in tied if h.file_id in records and records[h.file_id].content_hash == content]
            return min(
                copies,
                key=lambda h: (h.text_score is None, len(records[h.file_id].path), records[h.file_id].path),
            )

        while len(hits) < limit and taken < len(fused):
            start = taken
            chunk = fused[taken : taken + limit - len(hits)]
            taken += len(chunk)
            records.update(self.store.get_files(h.file_id for h in chunk if h.file_id not in records))
            by_content = self.store.paths_by_content(
                records[h.file_id].content_hash for h in chunk if h.file_id in records
            )
            for at, h in enumerate(chunk, start):
                record = records.get(h.file_id)
                if record is None:  # deleted between the ranking and now
                    continue
                if record.content_hash in shown:
                    continue
                if record.content_hash in by_content:
                    h = representative(at)
                    record = records[h.file_id]
                if record.content_hash:
                    shown.add(record.content_hash)
                window = earned_window(h)
                hits.append(
                    SearchHit(
                        **vars(record),
                        score=h.score,
                        best_start_s=window.start_s if window else None,
                        best_end_s=window.end_s if window else None,
                        vector_rank=h.vector_rank,
                        text_rank=h.text_rank,
                        vector_score=h.vector.score if h.vector else None,
                        vector_heard=h.vector.heard if h.vector else None,
                        vector_lost=h.vector.lost if h.vector else None,
                        text_score=h.text_score,
                        meaning_rank=h.meaning_rank,
                        meaning_score=h.meaning_score,
                        length_fit=h.length_fit,
                        qualifier_only=h.qualifier_only,
                        words_held=h.words_held,
                        opposed=h.opposed,
                        copies=tuple(p for p in by_content.get(record.content_hash, ()) if p != record.path),
                    )
                )
        return hits


def each_beside(rank: Callable[..., list[FileMatch]], alternatives: Iterable[tuple]) -> list[FileMatch]:
    """Every alternative's matches (``rank(*alternative)``), in the alternatives' order, the later
    alternatives ranked on other threads beside the first: each is mostly LanceDB queries, which run
    outside the GIL, so a core to spare takes a share of the work (bench/bench_search.py, two
    alternatives on two fully loaded cores: p50 x0.92-0.93)."""
    first, *others = alternatives
    beside = [_ALTERNATIVE_THREADS.submit(rank, *alternative) for alternative in others]
    return [m for matches in [rank(*first), *(job.result() for job in beside)] for m in matches]


def earned_window(hit: FusedHit) -> FileMatch | None:
    """The hit's best window, the moment shown as "the match", when the sound earned it: it ranked
    the file among its first :data:`MIN_CANDIDATES` (the depth every search ranks, whatever its
    limit), or the sound alone listed it. A long page of results ranks the sound deeper only to
    fill the page: a 3-minute ambience found by its description ("a car horn honks at 1:30"), that
    the sound puts 149th of 227, has no moment, as a hit of the words alone has none. A long file
    found by its name also needs its best window to stand out from its others
    (:meth:`Searcher._judge_moments`)."""
    sound_alone = hit.text_rank is None and hit.meaning_rank is None
    return hit.vector if hit.vector_rank is not None and (hit.vector_rank <= MIN_CANDIDATES or sound_alone) else None
