"""What the app and the CLI call for tagging: vocabularies, jobs, suggestions, accepting, renaming.

The user always wins. Tagging writes suggestions only (per model, beside the index); a file's
own tags change only through :meth:`Tagging.accept` (which appends), :meth:`add_tags` and
:meth:`remove_tags` (the user's explicit bulk edits), and its caption only through an accept
(which fills an empty caption unless told to replace). The last accept and the last reject can
be taken back (:meth:`Tagging.undo_accept`, :meth:`Tagging.undo_reject`), and any rejection too
(:meth:`Tagging.unreject`); a rejection holds whatever model is in use. Edits take the engine's
short row lock, renames its write lock too, like every other write to file rows.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from engine.audio.ucs import parse_ucs_filename
from engine.fs import absolute_path, is_inside
from engine.index.records import FileRecord
from engine.index.store import LibraryStore
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
)
from engine.models.base import AudioTextModel, CaptionOptions, ModelInfo
from engine.paths import AppPaths
from engine.plural import counted
from engine.settings import Settings
from engine.tagging import export, rename, unlisted
from engine.tagging.calibration import DEFAULT, Calibration, load_calibration, unmeasured_caption_threshold
from engine.tagging.evidence import (
    EncodedVocabulary,
    EncodingStopped,
    encode_vocabulary,
    pack_words,
    vocabulary_cache_file,
)
from engine.tagging.jobs import (
    BATCH,
    HEARING,
    READING,
    VOCABULARY,
    Read,
    TagJob,
    TagProgress,
    TagReport,
    remember_shares,
    remembered_shares,
    run_job,
    save_job,
    saved_job,
    taggable,
    target_ids,
)
from engine.tagging.packs import shared_words
from engine.tagging.priors import MIN_FILES, pack_of, read_library
from engine.tagging.tagger import caption_suggestions, gather, named_category_probabilities, tag_suggestions
from engine.tagging.vocabulary import UCS, Vocabulary, VocabularyShelf
from engine.tags import names_tag
from engine.words import words

ALL = 1 << 30  # a top-k that keeps everything
NO_CAPTIONS = "Automatic captions aren't available with this model"
TAGS_NAMED = 3  # the tags an accept's summary names, the most given first; the others are counted
# The most files a small job reads around it (the folders holding its files) for the shares it is
# weighed by: the reading pass ran at about 200 files/s on Teeworlds' 131, so about 10 s at most.
AROUND_LIMIT = 2_000
PATHS_READ = 2_000  # state rows read at a time for their paths alone (a whole library's ids would make one huge query)


@dataclass(frozen=True)
class FileSuggestions:
    path: str
    tags: list[Suggestion]  # what is shown: above the threshold, the top k of each vocabulary
    caption: Suggestion | None  # shown only above the caption confidence floor
    hidden: int = 0  # open tag suggestions below the threshold or past top k
    # The model's confidences were measured (it has a calibration entry): unmeasured, the defaults
    # made them, and they rank the guesses without being chances (calibration.UNMEASURED)
    measured: bool = True


# The suggestions to accept or reject: their keys, or {key: the paths it goes to}.
Keys = Sequence[str] | Mapping[str, Collection[str]]


def _calibration(model_name: str) -> tuple[Calibration, bool]:
    """The model's calibration, and whether it was measured (has an entry of its own)."""
    measured = load_calibration(model_name)
    if measured is not DEFAULT:
        return measured, True
    return replace(DEFAULT, caption_threshold=unmeasured_caption_threshold()), False


def _by_term(rows: Iterable[Suggestion]) -> dict[tuple[str, str], list[int]]:
    """{(kind, tag key, "" for a caption): the ids of the files} of suggestion rows: one drop each."""
    out: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        out.setdefault((row.kind, row.key if row.kind == TAG else ""), []).append(row.file_id)
    return out


def _named_for(keys: Keys, suggestion: Suggestion, path: str) -> bool:
    """Whether ``keys`` names ``suggestion`` for the file at ``path`` (any file, when they are a list;
    a mapping's paths as the index keys them, :func:`engine.fs.absolute_path`). A key names it by
    its CatID or its tag, in any case (:func:`engine.tags.names_tag`), as the tag filter of a search
    reads a typed tag."""
    typed = [key for key, paths in keys.items() if path in paths] if isinstance(keys, Mapping) else keys
    return any(names_tag(key, suggestion.key, suggestion.value) for key in typed)


@dataclass
class AcceptReport:
    tags_added: int = 0
    captions_set: int = 0
    captions_kept: list[str] = field(default_factory=list)  # files whose own caption was not replaced
    files_per_tag: dict[str, int] = field(default_factory=dict)  # each tag added: how many files got it
    files_tagged: int = 0  # the files given a tag

    @property
    def added(self) -> bool:
        """Whether the accept gave any file something (a tag or a caption): only then is there an
        accept of it to undo. The app decided it from its own status line, and a results list
        older than the files (tags added on the command line since) offered to undo an accept
        that had added nothing."""
        return bool(self.tags_added or self.captions_set)

    def summary(self, caption_asked: bool = False, noun: str = "file") -> str:
        """The accept in a line, for the CLI and the app's status bar alike (``noun``: "file", or
        "sound" where the window says so): which tags went to how many files, the most given first
        and :data:`TAGS_NAMED` at most ("Added 6 tags to 12 files: FIGHT-IMPACT to 3 files,
        ANIMALS-DOG to 1 and 4 more tags"), and the captions set. "15 tags added" did not say
        which, and "0 captions set" was said when none was asked for (``caption_asked``: the
        caption suggestions were accepted too)."""
        done = [self._tags_said(noun)] if self.files_per_tag else []
        if self.captions_set:
            captions = "a caption" if self.captions_set == 1 else "captions"
            done.append(f"{captions} to {counted(self.captions_set, noun)}")
        elif caption_asked and done:
            done.append("no caption set")
        return f"Added {'; '.join(done)}" if done else "Nothing added"

    def _tags_said(self, noun: str) -> str:
        """The tags added, named with the files each went to, the most given first."""
        (tag, files), *others = sorted(self.files_per_tag.items(), key=lambda item: -item[1])
        first = f"{tag} to {counted(files, noun)}"  # the noun once, on the first
        if not others:
            return first
        named = [first] + [f"{tag} to {files:,}" for tag, files in others[: TAGS_NAMED - 1]]
        rest = len(others) - (TAGS_NAMED - 1)
        listed = ", ".join(named) + (f" and {counted(rest, 'more tag')}" if rest > 0 else "")
        return f"{counted(len(self.files_per_tag), 'tag')} to {counted(self.files_tagged, noun)}: {listed}"


@dataclass
class AcceptUndone:
    """What :meth:`Tagging.undo_accept` did: the tags it took off, the captions it put back, and
    the suggestions it offered again."""

    paths: list[str] = field(default_factory=list)  # the files whose tags or caption it changed
    tags_removed: int = 0
    captions_restored: int = 0
    captions_kept: list[str] = field(default_factory=list)  # edited since the accept: left as the user made them
    offered: int = 0

    def summary(self) -> str:
        """The undo in a line, for the CLI and the app alike: what it took off and put back (on how
        many files; nothing of it when every caption it set was edited since), the suggestions it
        offered again, and the captions it kept because they were edited since."""
        done = []
        if self.tags_removed:
            done.append(f"{counted(self.tags_removed, 'tag')} removed")
        if self.captions_restored:
            done.append(f"{counted(self.captions_restored, 'caption')} put back")
        changed = f" on {counted(len(self.paths), 'file')}: {', '.join(done)};" if done else ":"
        said = f"the last accept is undone{changed} {counted(self.offered, 'suggestion')} offered again"
        if self.captions_kept:
            kept = len(self.captions_kept)
            said += f"; {counted(kept, 'caption')} edited since {'is' if kept == 1 else 'are'} kept"
        return said


class Tagging:
    def __init__(
        self,
        store: LibraryStore,
        model: Callable[[], AudioTextModel],
        paths: AppPaths,
        settings: Settings,
        row_lock: threading.Lock,
        write_lock: threading.RLock,
        edited: Callable[[list[int]], None] = lambda file_ids: None,
    ):
        """``edited`` is told the ids of files whose tags, caption or name changed (the engine makes
        their new words searchable by meaning at once)."""
        self.store = store
        self._model = model
        self.paths = paths
        self.settings = settings
        self._row_lock = row_lock
        self._write_lock = write_lock
        self._edited = edited
        self.shelf = VocabularyShelf(paths.data / "vocabularies")
        self.journal = paths.data / "renames.jsonl"
        self._encoded: dict[tuple[str, str], EncodedVocabulary] = {}
        self._encoding = threading.Lock()  # one vocabulary made at a time, each once
        self._tables: dict[str, SuggestionTable] = {}
        self._rejections: Rejections | None = None  # every model's table's
        self._tables_lock = threading.Lock()

    # -- vocabularies --------------------------------------------------------------------------

    def vocabularies(self) -> list[Vocabulary]:
        return self.shelf.all()

    def import_vocabulary(self, path: str | os.PathLike, name: str | None = None) -> Vocabulary:
        return self.shelf.import_file(path, name)

    def remove_vocabulary(self, name: str) -> None:
        self.shelf.remove(name)

    def encoded(
        self,
        model: AudioTextModel,
        vocabulary: Vocabulary,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[TagProgress], None] | None = None,
    ) -> EncodedVocabulary:
        """The vocabulary's term embeddings with ``model``, made once whatever the threads asking: a
        job asked for while :meth:`prepare_vocabularies` makes them waits for that instead of making
        them a second time beside it. ``should_stop``: as :func:`encode_vocabulary`'s; ``progress``
        is told its texts embedded after each batch (phase :data:`~engine.tagging.jobs.VOCABULARY`,
        the path its :attr:`~engine.tagging.vocabulary.Vocabulary.shown_name`), and nothing when
        they were made already."""

        def told(done: int, total: int) -> None:
            progress(TagProgress(done, total, vocabulary.shown_name, VOCABULARY))

        key = (model.info.name, vocabulary.fingerprint)
        with self._encoding:
            if key not in self._encoded:
                self._encoded[key] = encode_vocabulary(
                    model, vocabulary, self._term_cache, should_stop, told if progress is not None else None
                )
            return self._encoded[key]

    def prepare_vocabularies(
        self,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[TagProgress], None] | None = None,
    ) -> list[str]:
        """Make the term embeddings of the vocabularies that lack them for the active model
        (:meth:`vocabularies_ready`), as the first job with it would, so that its first
        suggestions need not wait for them: the app asks for this in the background as a model
        becomes the active one (for UCS, 13,670 texts: 2,928 prompts of 752 terms and 10,742
        distinct names; 40 s on two cores, minutes under load, and the first Suggest after a switch
        to a fine-tune waited with no word why). Returns the names of the vocabularies it made;
        stops before the next batch of text once ``should_stop()`` says so (the app closing),
        keeping nothing of the one it was making; ``progress`` is told each one's texts embedded
        (:meth:`encoded`), which the app shows while a Suggest waits for them."""
        model = self._model()
        made = []
        for vocabulary in self.vocabularies():
            if self._ready(model.info.name, vocabulary):
                continue
            try:
                self.encoded(model, vocabulary, should_stop, progress)
            except EncodingStopped:
                break
            made.append(vocabulary.name)
        return made

    def vocabularies_ready(self, info: ModelInfo | None = None) -> bool:
        """Whether the term embeddings of every vocabulary are made already for the model ``info``
        describes (default: the active one, loaded if need be; the app passes the info it holds, so
        its UI thread never waits for a load); the first job with a model makes them unless
        :meth:`prepare_vocabularies` has (13,670 texts for UCS), which the app and the CLI say,
        counting them, while the first suggestions wait."""
        name = (info or self._model().info).name
        return all(self._ready(name, v) for v in self.vocabularies())

    def _ready(self, model_name: str, vocabulary: Vocabulary) -> bool:
        return (model_name, vocabulary.fingerprint) in self._encoded or vocabulary_cache_file(
            self._term_cache, model_name, vocabulary
        ).is_file()

    @property
    def _term_cache(self) -> Path:
        return self.paths.cache / "tagging"

    def calibration(self, info: ModelInfo | None = None) -> Calibration:
        """The tag calibration of the model ``info`` describes (default: the active one). A model
        never measured gets the default weights and the strictest measured caption floor
        (:func:`~engine.tagging.calibration.unmeasured_caption_threshold`): a fine-tune of the
        builtin must not offer the captions the builtin's measurement vetoed."""
        return _calibration((info or self._model().info).name)[0]

    def measured(self, info: ModelInfo | None = None) -> bool:
        """Whether the confidences of the model ``info`` describes (default: the active one) were
        measured: it has a calibration entry of its own (a fine-tune has none)."""
        return _calibration((info or self._model().info).name)[1]

    def caption_problem(self, info: ModelInfo | None = None) -> str:
        """Why the captions of the model ``info`` describes (default: the active one) are not
        offered, in the user's words, or "" when they are: it has no decoder, or its captions of
        unseen sounds were measured worse than nothing (a caption threshold of 1), or it was never
        measured and the measured models' captions were."""
        info = info or self._model().info
        if not info.can_caption:
            return f"{NO_CAPTIONS}: it cannot write captions"
        calibration, measured = _calibration(info.name)
        if calibration.caption_threshold < 1.0:
            return ""
        if measured:
            return f"{NO_CAPTIONS}: checked on sounds it never trained on, they were wrong too often to show"
        return f"{NO_CAPTIONS}: they were never checked, and the checked models' were wrong too often to show"

    # -- jobs ----------------------------------------------------------------------------------

    def table(self, model: AudioTextModel | None = None) -> SuggestionTable:
        """The suggestions of a model, its table made on first use: once, whatever the threads
        asking (two first makers commit the same table and index, and LanceDB refuses the second)."""
        return self._table_named((model or self._model()).info.name)

    def _table_named(self, name: str) -> SuggestionTable:
        """The suggestions of the model named ``name``, which need not be loaded (an undo)."""
        with self._tables_lock:
            if name not in self._tables:
                self._rejections = self._rejections or Rejections(self.store.db)
                self._tables[name] = SuggestionTable(self.store.db, name, self._rejections)
            return self._tables[name]

    def pending_job(self) -> TagJob | None:
        """The job a kill or a stop left unfinished, if any."""
        return saved_job(self.store.meta)

    def drop_pending_job(self) -> None:
        """Forget the unfinished job, so that nothing resumes it: the app's Stop cancels a job
        (the suggestions it made stay), where a closed app's job goes on at the next start."""
        save_job(self.store.meta, None)

    def tag(
        self,
        targets: Iterable[str | os.PathLike],
        captions: bool = False,
        progress: Callable[[TagProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        restart: bool = False,
    ) -> TagReport:
        """Suggest tags (and captions) for files and everything under folders. An unfinished job
        for the same files, model and captions choice resumes where it stopped, unless ``restart``."""
        model = self._model()
        if captions and (problem := self.caption_problem(model.info)):
            raise ValueError(f"{problem}; suggest tags without captions")
        wanted = [absolute_path(t) for t in targets]
        if not wanted:
            raise ValueError("nothing to tag: name files or folders")
        job = self.pending_job()
        if restart or job is None or not job.same_work(model.info.name, wanted, captions):
            job = TagJob.new(model.info.name, wanted, captions)
            save_job(self.store.meta, job)
        return self._run(job, model, progress, should_stop)

    def resume(
        self, progress: Callable[[TagProgress], None] | None = None, should_stop: Callable[[], bool] | None = None
    ) -> TagReport | None:
        """Finish the unfinished job (with the model it started with, which must be the active one)."""
        job = self.pending_job()
        if job is None:
            return None
        model = self._model()
        if job.model != model.info.name:
            raise ValueError(
                f"the unfinished tagging job was started with {job.model}, not the active "
                f"{model.info.name}: tag again to start over"
            )
        return self._run(job, model, progress, should_stop)

    def _run(self, job: TagJob, model: AudioTextModel, progress, should_stop) -> TagReport:
        started = time.perf_counter()
        try:  # a Stop while the vocabularies are read (the first time with a model) stops it
            vocabularies = [self.encoded(model, v, should_stop, progress) for v in self.vocabularies()]
        except EncodingStopped:
            return TagReport(job.id, total=len(target_ids(self.store, job.targets)), stopped=True)
        calibration = self.calibration(model.info)
        table = self.table(model)
        embeddings = self.store.embeddings(model.info)
        embedded_words: dict[str, np.ndarray] = {}  # the reading pass's text-tower vectors, for the tagging pass
        packs = self._pack_words(job, model, vocabularies[0], calibration, progress, should_stop, embedded_words)
        if packs is None:
            return TagReport(job.id, total=len(target_ids(self.store, job.targets)), stopped=True)
        if job.shares is None and not len(table.done(job.id)):
            read = self._read_library(
                job, model, vocabularies, calibration, packs, progress, should_stop, embedded_words
            )
            if read is None:
                return TagReport(job.id, total=len(target_ids(self.store, job.targets)), stopped=True)
            job = replace(job, shares=read[0], shelves=read[1], packs=read[2])
            save_job(self.store.meta, job)

        threshold = self.settings.tag_threshold

        def tag_batch(records: list[FileRecord], job_id: str):
            ids = [r.id for r in records]
            windows = embeddings.windows_of(ids)
            refused = table.for_files(ids, kinds=(TAG, CAPTION), states=(REJECTED,))
            rejected = {i: {s.key for s in items if s.kind == TAG} for i, items in refused.items()}
            rows = tag_suggestions(
                model,
                vocabularies,
                calibration,
                records,
                windows,
                rejected,
                job_id,
                job.shares,
                job.shelves,
                job.packs,
                embedded_words,
                packs,
                sure_at=threshold,
            )
            problems: dict[str, str] = {}
            if job.captions:
                captions, problems = caption_suggestions(model, records, CaptionOptions(), job_id)
                said = {(i, s.value) for i, items in refused.items() for s in items if s.kind == CAPTION}
                rows += [c for c in captions if (c.file_id, c.value) not in said]  # a rejected caption stays so
            return rows, problems, sum(1 for i in ids if not len(windows[i]))

        def shown(row: Suggestion) -> bool:
            return row.confidence >= (calibration.caption_threshold if row.kind == CAPTION else threshold)

        return run_job(job, self.store, table, tag_batch, progress, should_stop, started, self._row_lock, shown)

    def _pack_words(
        self,
        job: TagJob,
        model: AudioTextModel,
        ucs: EncodedVocabulary,
        calibration: Calibration,
        progress: Callable[[TagProgress], None] | None,
        should_stop: Callable[[], bool] | None,
        embedded_words: dict[str, np.ndarray],
    ) -> dict[str, frozenset[str]] | None:
        """The words the files of each of the job's folders leave out (a pack's name:
        :func:`engine.tagging.evidence.pack_words`), read from the folders whole before the first
        batch, which holds part of a folder, or of several; None when told to stop before the end.
        A file the job names itself (suggested from the panel) is read with the other files of its
        folder where the folder holds at most :data:`AROUND_LIMIT`, so that it leaves out what its
        folder's job left out. Only the paths are read, and the windows of the folders whose names
        share a word, whose files the progress counts."""
        ids = target_ids(self.store, job.targets).tolist()
        records = self._paths(ids)
        named = set(job.targets)
        beside = sorted({os.path.dirname(r.path) for r in records if r.path in named})
        around = np.setdiff1d(target_ids(self.store, beside), ids).tolist()
        if len(around) <= AROUND_LIMIT:
            records += [r for r in self._paths(around) if os.path.dirname(r.path) in beside]
        embeddings = self.store.embeddings(model.info)
        packs: dict[str, frozenset[str]] = {}
        folders = list(shared_words(records).items())
        total, done = sum(len(shared.records) for _, shared in folders), 0
        for folder, shared in folders:  # a folder at a time: a library's windows would not fit
            if should_stop is not None and should_stop():
                return None
            if progress is not None:
                progress(TagProgress(done, total, folder, HEARING))
            windows = embeddings.windows_of([r.id for r in shared.records])
            packs |= pack_words(model, calibration, ucs, shared.records, windows, embedded_words)
            done += len(shared.records)
        return packs

    def _paths(self, ids: list[int]) -> list[FileRecord]:
        """Records of the files ``ids`` that hold their path, folder and id alone (their state rows
        read, not their metadata and texts)."""
        out = []
        for start in range(0, len(ids), PATHS_READ):
            found = self.store.file_states(ids[start : start + PATHS_READ])
            out += [FileRecord(path=r.path, folder=r.folder, id=r.id) for r in found]
        return out

    def _read_library(
        self,
        job: TagJob,
        model: AudioTextModel,
        vocabularies: list[EncodedVocabulary],
        calibration: Calibration,
        packs: dict[str, frozenset[str]],
        progress: Callable[[TagProgress], None] | None,
        should_stop: Callable[[], bool] | None,
        embedded_words: dict[str, np.ndarray],
    ) -> Read | None:
        """The UCS category shares among the job's named files and what each folder's and each
        pack's named files are (engine/tagging/priors.py, read_library), from the evidence the
        job's batches will weigh; None when told to stop before the end. A job of too few files to
        say takes those of the latest job over a folder that holds them: a file suggested again
        from the panel after its folder's job keeps the suggestions the folder's job gave it. When
        no job read them yet, it reads the folders holding its files, if they hold enough files to
        say and few enough to read now (:data:`AROUND_LIMIT`), else it is weighed by nothing: a
        file suggested first on its own got other suggestions than its folder's job then gave it,
        and the user saw a sound's suggestions change for no reason they could see."""
        embeddings = self.store.embeddings(model.info)
        targets = job.targets
        ids = target_ids(self.store, targets).tolist()
        if len(ids) < MIN_FILES:  # a file or a few from the panel
            remembered = remembered_shares(self.store.meta, job.model, targets)
            folders = sorted({os.path.dirname(r.path) for r in self.store.get_files(ids).values()})
            around = target_ids(self.store, folders).tolist()
            if remembered[0] or not MIN_FILES <= len(around) <= AROUND_LIMIT:
                return remembered
            targets, ids = folders, around
        ucs = vocabularies[0]
        said, folders = [np.zeros((0, len(ucs.vocabulary.categories)))], []
        for start in range(0, len(ids), BATCH):
            if should_stop is not None and should_stop():
                return None
            records = taggable(self.store, ids[start : start + BATCH])
            windows = embeddings.windows_of([r.id for r in records])
            evidence = gather(model, vocabularies, records, windows, embedded_words, packs)[0]
            said.append(named_category_probabilities(ucs, calibration, evidence))
            folders += [os.path.dirname(r.path) for r, e in zip(records, evidence, strict=True) if e.has_words]
            if progress is not None:
                path = records[-1].path if records else ""
                progress(TagProgress(min(start + BATCH, len(ids)), len(ids), path, READING))
        packs = [pack_of(folder, targets) for folder in folders]
        read = read_library(np.concatenate(said), folders, packs, ucs.vocabulary.categories)
        if read is None:  # enough files, too few of them named
            return remembered_shares(self.store.meta, job.model, job.targets)
        remember_shares(self.store.meta, job.model, targets, read)
        return read

    # -- reading -------------------------------------------------------------------------------

    def suggestions(
        self, paths: Iterable[str | os.PathLike], threshold: float | None = None, top_k: int | None = None
    ) -> dict[str, FileSuggestions]:
        """The suggestions to show for each library file among ``paths`` (the active model's;
        none for files changed since they were tagged)."""
        records = self.records(paths)
        return self.shown_for(records, threshold, top_k)

    def listing(
        self,
        paths: Iterable[str | os.PathLike],
        steps: unlisted.Steps = unlisted.PANEL,
        threshold: float | None = None,
    ) -> tuple[dict[str, FileSuggestions], str]:
        """What the tags panel lists for the selected ``paths`` at ``threshold`` (None: the saved
        one): the suggestions of those in the library (:meth:`suggestions`), and when none of them
        lists one, why (:func:`~engine.tagging.unlisted.why_none`), its advice by ``steps`` (an accept
        or reject on the command line that found nothing to act on says why, as the panel would);
        "" when one does."""
        wanted = [absolute_path(p) for p in paths]
        records = self._library_records(wanted)
        found = self.shown_for(records, threshold)
        return found, self._why_none(wanted, records, found, steps, threshold)

    def why_unlisted(
        self, found: Mapping[str, FileSuggestions], steps: unlisted.Steps, threshold: float | None = None
    ) -> dict[str, str]:
        """{path: why} for each file of ``found`` (:meth:`suggestions` with ``threshold``) that lists
        no suggestion, each as the tags panel says it of that file alone, its advice by ``steps``."""
        empty = [path for path, item in found.items() if not item.tags and item.caption is None]
        if not empty:
            return {}
        threshold = self.settings.tag_threshold if threshold is None else threshold
        reasons = self._reasons(self._library_records(empty), found, threshold)
        return {
            path: unlisted.why_none({why: 1}, found[path].hidden, threshold, steps) for path, why in reasons.items()
        }

    def _why_none(
        self,
        wanted: list[str],
        records: list[FileRecord],
        found: dict[str, FileSuggestions],
        steps: unlisted.Steps = unlisted.PANEL,
        threshold: float | None = None,
    ) -> str:
        """Why none of the ``wanted`` paths lists a suggestion (:meth:`_reasons`, and paths that are no
        library file); "" when one does, or none is wanted."""
        if not wanted or any(f.tags or f.caption is not None for f in found.values()):
            return ""
        listed = {r.path for r in records}
        missing = [p for p in wanted if p not in listed and not any(is_inside(path, p) for path in listed)]
        threshold = self.settings.tag_threshold if threshold is None else threshold
        reasons = self._reasons(records, found, threshold)
        hidden = sum(found[path].hidden for path, why in reasons.items() if why == unlisted.BELOW)
        counts = Counter(reasons.values()) + Counter({unlisted.NOT_INDEXED: len(missing)})
        return unlisted.why_none(counts, hidden, threshold, steps)

    def _reasons(
        self, records: list[FileRecord], found: Mapping[str, FileSuggestions], threshold: float
    ) -> dict[str, str]:
        """{path: :func:`~engine.tagging.unlisted.reason`} of each of ``records``: the run rows of their
        files and the unfinished job, a read of the table's run rows for these files and of the meta
        table; for those never tagged with the active model, the other models' run rows; for those
        with suggestions under ``threshold`` only, what the user took up of theirs (:meth:`_taken_up`)."""
        table = self.table()
        runs = {i: rows[0] for i, rows in table.for_files([r.id for r in records], kinds=(RUN,)).items()}  # one a file
        job = self.pending_job()
        job = job if job is not None and job.model == table.model_name else None  # another model's does not resume
        before = table.tagged_by_others([r.id for r in records if r.id not in runs])
        taken = self._taken_up([r for r in records if found[r.path].hidden], threshold)
        return {
            r.path: unlisted.reason(r, runs.get(r.id), job, found[r.path].hidden, r.id in before, r.id in taken)
            for r in records
        }

    def _taken_up(self, records: list[FileRecord], threshold: float) -> set[int]:
        """Ids of the ``records`` the user accepted or rejected a suggestion of at or above
        ``threshold``: one with a rejected tag that sure, or with a tag of its own as a vocabulary
        writes it (an accept drops the suggestion it took, so the tag is what tells it; a tag the
        user gave it so is never suggested to it either)."""
        if not records:
            return set()
        written = {term.tag.casefold() for vocabulary in self.vocabularies() for term in vocabulary.terms}
        rejected = self.table().for_files([r.id for r in records], kinds=(TAG,), states=(REJECTED,))
        return {
            r.id
            for r in records
            if any(t.casefold() in written for t in r.tags)
            or any(s.confidence >= threshold for s in rejected.get(r.id, []))
        }

    def shown_for(
        self, records: list[FileRecord], threshold: float | None = None, top_k: int | None = None
    ) -> dict[str, FileSuggestions]:
        """As :meth:`suggestions`, for records the caller already holds (a page of search hits)."""
        threshold = self.settings.tag_threshold if threshold is None else threshold
        top_k = self.settings.tag_top_k if top_k is None else top_k
        model = self._model()
        calibration, measured = _calibration(model.info.name)
        found = self.table(model).for_files([r.id for r in records])
        out = {}
        for record in records:
            items = [s for s in found.get(record.id, []) if s.content_hash == record.content_hash]
            tags, hidden, per_vocabulary = [], 0, {}
            own = {t.casefold() for t in record.tags}
            for item in (s for s in items if s.kind == TAG and s.value.casefold() not in own):
                count = per_vocabulary.get(item.vocabulary, 0)
                if item.confidence >= threshold and count < top_k:
                    tags.append(item)
                    per_vocabulary[item.vocabulary] = count + 1
                else:
                    hidden += 1
            caption = next(
                (
                    s
                    for s in items
                    if s.kind == CAPTION and s.confidence >= calibration.caption_threshold and s.value != record.caption
                ),
                None,
            )
            out[record.path] = FileSuggestions(record.path, tags, caption, hidden, measured)
        return out

    # -- acting --------------------------------------------------------------------------------

    def accept(
        self,
        paths: Iterable[str | os.PathLike],
        keys: Keys | None = None,
        min_confidence: float | None = None,
        captions: bool = False,
        replace_caption: bool = False,
    ) -> AcceptReport:
        """Add suggested tags to the files' own tags: the shown ones, or only those of ``keys``, each
        only to the files it is shown for (above the user's threshold, within the top k of its
        vocabulary), as the panel and ``earmark suggestions`` show them. ``min_confidence``, if
        given, stands for the user's threshold; with ``keys`` it also lifts the top k, so a named
        suggestion hidden for some files is accepted for those too (``min_confidence=0``: for every
        file that has it). ``keys`` as {key: paths} names the files each goes to, of those it is
        shown for (the panel's "Best of each": a sound's best suggestion, to it alone). With
        ``captions``, the shown caption becomes the file's caption where it has none (or always,
        with ``replace_caption``)."""
        records = self.records(paths)
        table = self.table()
        shown = self._acted_on(records, keys, min_confidence)
        report = AcceptReport()
        with self._row_lock:
            fresh = self.store.get_files([r.id for r in records])  # the tags as they are now
            done, taken = self._accepting(records, fresh, shown, captions, replace_caption, report)
            if not taken:
                return report  # nothing to accept: the last accept stays the one an undo takes back
            remember(self.store.meta, LAST_ACCEPT, LastAccept(table.model_name, done, taken))  # before any write
            new_tags: dict[int, list[str]] = {}
            for accepted in done:
                if accepted.tags_added:
                    new_tags[accepted.file_id] = fresh[accepted.file_id].tags + accepted.tags_added
                if accepted.caption_set is not None:
                    self.store.set_caption(accepted.file_id, accepted.caption_set)
            self.store.set_tags_of(new_tags)
        for (kind, key), ids in _by_term(taken).items():
            table.drop(ids, kind, [key] if kind == TAG else None)
        report.tags_added = sum(len(a.tags_added) for a in done)
        report.files_per_tag = dict(Counter(tag for a in done for tag in a.tags_added))
        report.files_tagged = sum(bool(a.tags_added) for a in done)
        report.captions_set = sum(a.caption_set is not None for a in done)
        self._edited(sorted(a.file_id for a in done))
        return report

    @staticmethod
    def _accepting(
        records: list[FileRecord],
        fresh: dict[int, FileRecord],
        shown: dict[str, FileSuggestions],
        captions: bool,
        replace_caption: bool,
        report: AcceptReport,
    ) -> tuple[list[AcceptedFile], list[Suggestion]]:
        """What :meth:`accept` does to each file still in the library (``fresh``: its tags and
        caption now), and the suggestion rows it takes; the files whose own caption it keeps go
        into ``report``."""
        done, taken = [], []
        for record in records:
            current = fresh.get(record.id)
            if current is None:
                continue  # left the library since it was read (deleted, its folder removed)
            chosen = shown[record.path].tags
            added = [v for v in dict.fromkeys(s.value for s in chosen) if v not in current.tags]
            caption = shown[record.path].caption if captions else None
            if caption is not None and current.caption and not replace_caption:
                report.captions_kept.append(record.path)
                caption = None
            taken += chosen + ([caption] if caption is not None else [])
            if added or caption is not None:
                written = caption.value.strip() if caption is not None else None  # as the store keeps it
                done.append(AcceptedFile(record.id, added, current.caption, written))
        return done, taken

    def can_undo_accept(self) -> bool:
        """Whether there is an accept to undo (:meth:`undo_accept`), made here or by the CLI."""
        return self.store.meta.has(LAST_ACCEPT)

    def undo_accept(self) -> AcceptUndone:
        """Take the last accept back: each file loses the tags it added (a tag it had before, or
        was given since, stays), gets back the caption it replaced (unless edited since), and its
        accepted suggestions are suggestions again. Files the accept did not touch are left alone;
        a ValueError when there is no accept to undo (undone already)."""
        with self._row_lock:
            last = last_accept(self.store.meta)
            if last is None:
                raise ValueError("there is no accept to undo")
            now = self.store.get_files([a.file_id for a in last.files])
            undone, changed = self._take_back(last.files, now)
            undone.offered = self._table_named(last.model).offer_again([s for s in last.taken if s.file_id in now])
            self.store.meta.delete(LAST_ACCEPT)  # last: an undo cut short is done again, harmlessly
        self._edited(sorted(changed))
        return undone

    def _take_back(
        self, accepted: list[AcceptedFile], now: dict[int, FileRecord]
    ) -> tuple[AcceptUndone, dict[int, str]]:
        """Write the tags and captions :meth:`undo_accept` gives back (``now``: the files as they
        are, those still in the library); returns what it did and {id: path} of the files it changed."""
        undone, changed = AcceptUndone(), {}
        kept: dict[int, list[str]] = {}
        for file in (a for a in accepted if a.file_id in now):
            record = now[file.file_id]
            tags = [t for t in record.tags if t not in file.tags_added]
            if tags != record.tags:
                kept[record.id] = tags
                undone.tags_removed += len(record.tags) - len(tags)
                changed[record.id] = record.path
            if file.caption_set is not None and record.caption != file.caption_set:
                undone.captions_kept.append(record.path)  # the user's since: theirs
            elif file.caption_set is not None:
                self.store.set_caption(record.id, file.caption_before)
                undone.captions_restored += 1
                changed[record.id] = record.path
        self.store.set_tags_of(kept)
        undone.paths = list(changed.values())
        return undone, changed

    def reject(
        self,
        paths: Iterable[str | os.PathLike],
        keys: Keys | None = None,
        captions: bool = False,
        min_confidence: float | None = None,
    ) -> int:
        """Reject the shown tag suggestions, or only those of ``keys``, each only for the files it is
        shown for (as :meth:`accept`: above the user's threshold, within the top k of its
        vocabulary; ``min_confidence`` as there), and with ``captions`` the caption suggestion:
        they are hidden and never offered again for these files (until :meth:`unreject`). Returns
        how many suggestions (tags and captions) it rejected."""
        records = self.records(paths)
        table = self.table()
        shown = self._acted_on(records, keys, min_confidence)
        rows = [s for record in records for s in shown[record.path].tags]
        with self._row_lock:  # not between a tagging job's reading of rejections and its writing
            if captions:
                open_captions = table.for_files([r.id for r in records], kinds=(CAPTION,))
                rows += [s for items in open_captions.values() for s in items]
            if rows:  # else the last reject stays the one an undo takes back
                remember(self.store.meta, LAST_REJECT, LastReject(table.model_name, rows))
                table.set_state(rows, REJECTED)
        return len(rows)

    def can_undo_reject(self) -> bool:
        """Whether there is a reject to undo (:meth:`undo_reject`), made here or by the CLI."""
        return self.store.meta.has(LAST_REJECT)

    def undo_reject(self) -> int:
        """Offer the suggestions the last reject rejected again; returns how many. A ValueError
        when there is none to undo (undone already)."""
        with self._row_lock:
            last = last_reject(self.store.meta)
            if last is None:
                raise ValueError("there is no reject to undo")
            self._table_named(last.model).set_state(last.rejected, SUGGESTED)
            self.store.meta.delete(LAST_REJECT)
        return len(last.rejected)

    def rejected(self, paths: Iterable[str | os.PathLike] | None = None) -> dict[str, list[Suggestion]]:
        """{path: its rejected suggestions, most confident first, whichever model made them (a
        rejection holds when the model changes), for the library files among ``paths`` (None: the
        whole library), those with none left out."""
        table = self.table()
        if paths is None:
            found = table.for_files(None, states=(REJECTED,))
            records = sorted(self.store.get_files(list(found)).values(), key=lambda r: r.path)
        else:
            records = self.records(paths)
            found = table.for_files([r.id for r in records], states=(REJECTED,))
        return {r.path: found[r.id] for r in records if r.id in found}

    def unreject(
        self, paths: Iterable[str | os.PathLike], keys: Sequence[str] | None = None, captions: bool = False
    ) -> int:
        """Take the rejections of these files back: their rejected tags (only those of ``keys``, if
        given) and with ``captions`` their rejected captions are suggestions again, shown at once
        where the active model made them and the file has not changed since (else the next tagging
        job suggests them anew). Returns how many."""
        rows = [
            s
            for path, items in self.rejected(paths).items()
            for s in items
            if (s.kind == TAG and (keys is None or _named_for(keys, s, path))) or (s.kind == CAPTION and captions)
        ]
        with self._row_lock:
            self.table().set_state(rows, SUGGESTED)
        return len(rows)

    def _acted_on(
        self, records: list[FileRecord], keys: Keys | None, min_confidence: float | None
    ) -> dict[str, FileSuggestions]:
        """What :meth:`accept` and :meth:`reject` act on, per file: its shown tag suggestions (only
        those of ``keys``, if given, and with {key: paths} only for those paths) and its shown
        caption. ``min_confidence`` stands for the user's threshold; with ``keys`` it also lifts the
        top k (so ``min_confidence=0`` reaches every file that has a named suggestion)."""
        top_k = ALL if keys is not None and min_confidence is not None else None
        shown = self.shown_for(records, min_confidence, top_k)
        if keys is None:
            return shown
        if isinstance(keys, Mapping):
            keys = {key: {absolute_path(p) for p in paths} for key, paths in keys.items()}
        return {path: replace(f, tags=[s for s in f.tags if _named_for(keys, s, path)]) for path, f in shown.items()}

    def add_tags(self, paths: Iterable[str | os.PathLike], tags: Sequence[str]) -> int:
        """Append ``tags`` to each file's own tags (bulk apply); returns how many were added."""
        return self._edit_tags(paths, lambda own: own + [t for t in tags if t not in own])

    def remove_tags(self, paths: Iterable[str | os.PathLike], tags: Sequence[str]) -> int:
        """Take ``tags`` off each file (the user's explicit bulk remove); returns how many went."""
        gone = {t.casefold() for t in tags}
        return -self._edit_tags(paths, lambda own: [t for t in own if t.casefold() not in gone])

    def _edit_tags(self, paths, edit: Callable[[list[str]], list[str]]) -> int:
        ids = [r.id for r in self.records(paths)]
        changed = 0
        with self._row_lock:
            edited: dict[int, list[str]] = {}
            for record in self.store.get_files(ids).values():
                tags = edit(list(record.tags))
                if tags != record.tags:
                    edited[record.id] = tags
                    changed += len(tags) - len(record.tags)
            self.store.set_tags_of(edited)
        self._edited(list(edited))
        return changed

    # -- renaming ------------------------------------------------------------------------------

    def rename_plan(
        self,
        paths: Iterable[str | os.PathLike],
        creator: str | None = None,
        source: str | None = None,
        overrides: Mapping[str | os.PathLike, rename.Override] | None = None,
        weak_step: str = rename.TYPE_CAT_ID,
    ) -> tuple[list[rename.RenamePlan], dict[str, str]]:
        """UCS names for the files (nothing is renamed): the plans, and {path: why not} for the
        files it leaves: not in the library, no UCS category to name them by, an override's CatID
        not in the UCS list, named so already, or a rename :func:`engine.tagging.rename.refusal`
        refuses now (a drive unplugged). ``overrides`` ({path: Override}) are the user's own CatID
        and FX name for some files, when what the tags and the name give is wrong: a CatID given
        names a file that has no UCS category too. ``weak_step`` is what a file whose UCS
        suggestions are all under the threshold is told to do, where the user reads it
        (:data:`engine.tagging.rename.TYPE_CAT_ID` in the dialog, ``ACCEPT_FIRST`` in the CLI)."""
        paths = list(paths)
        skipped = self.not_in_library(paths)
        records = self.records([p for p in paths if absolute_path(p) not in skipped])
        ucs = next(v for v in self.vocabularies() if v.name == UCS)
        by_tag = {t.tag.casefold(): t.key for t in ucs.terms}
        by_cat_id = {t.key.casefold(): t.key for t in ucs.terms}
        given = {
            absolute_path(p): rename.Override(o.cat_id.strip(), o.fx_name.strip()) for p, o in (overrides or {}).items()
        }
        shown = self.shown_for(records, None, None)
        plans, unnamed = [], []
        for record in records:
            parsed = parse_ucs_filename(os.path.basename(record.path))
            override = given.get(record.path, rename.Override())
            own = next((by_tag[t.casefold()] for t in record.tags if t.casefold() in by_tag), None)
            top = next((s for s in shown[record.path].tags if s.vocabulary == UCS), None)
            cat_id, reason = (
                (parsed.cat_id, "name") if parsed else (own, "tag") if own else (top and top.key, "suggestion")
            )
            if override.cat_id:
                cat_id, reason = by_cat_id.get(override.cat_id.casefold()), "user"
                if cat_id is None:
                    skipped[record.path] = f"{override.cat_id} is not a UCS CatID: choose one from the list"
                    continue
            if override.fx_name and not words(override.fx_name):
                skipped[record.path] = f"the FX name {override.fx_name!r} has no words to name it by"
                continue
            if reason == "name" and parsed.creator_id and parsed.source_id and not override.fx_name:
                # a whole UCS name is kept as its maker wrote it: "ACME Foley Library" is not
                # rewritten "ACMEFoleyLibrary", nor its FX name cleaned
                skipped[record.path] = "it has its UCS name already"
                continue
            if cat_id is None:
                unnamed.append(record)
                continue
            caption = record.caption or (shown[record.path].caption.value if shown[record.path].caption else "")
            fx = rename.fx_name(override.fx_name) if override.fx_name else rename.planned_fx_name(record, caption)
            new = os.path.join(
                os.path.dirname(record.path), rename.propose(record, cat_id, caption, creator, source, fx)
            )
            if new == record.path:
                skipped[record.path] = "it has its UCS name already"
                continue
            needs_creator = not (parsed and parsed.creator_id)
            sure = top.confidence if reason == "suggestion" else None  # a guess not accepted: how sure, said
            plans.append(rename.RenamePlan(record.id, record.path, new, cat_id, reason, fx, needs_creator, sure))
        skipped |= self._why_no_category(unnamed, weak_step)
        online = self._online_folders()
        ready = []
        for plan in rename.unique_targets(plans):
            if why := rename.refusal(plan, online):
                skipped[plan.old] = why
            else:
                ready.append(plan)
        return ready, skipped

    def _why_no_category(self, records: list[FileRecord], weak_step: str) -> dict[str, str]:
        """{path: why not} for files :meth:`rename_plan` found no UCS category for. A file whose
        UCS suggestions all fall under the user's threshold is told its best one and how sure it
        is: "accept a suggested one" sent the user looking for a suggestion the panel hid."""
        threshold = self.settings.tag_threshold
        best = self.shown_for(records, 0.0, 1)  # each vocabulary's most confident suggestion, hidden or not
        out = {}
        for record in records:
            top = next((s for s in best[record.path].tags if s.vocabulary == UCS), None)
            out[record.path] = (
                f"no UCS suggestion reaches {threshold:.0%}: the best is {top.value} ({top.key}) at "
                f"{top.said}; {weak_step.format(key=top.key)}"
                if top is not None
                else "no UCS category: accept a suggested one, or tag it with one (e.g. DOORS-WOOD)"
            )
        return out

    def rename(self, plans: Sequence[rename.RenamePlan]) -> str:
        """Rename as planned (the user asked); returns the batch id :meth:`undo_rename` reverses."""
        with self._write_lock, self._row_lock:
            batch = rename.apply(plans, self.store, self.journal, self._online_folders())
        self._edited([p.file_id for p in plans])  # a new name is new words
        return batch

    def _online_folders(self) -> list[str]:
        return [f.path for f in self.store.folders() if f.online]

    def can_undo_rename(self) -> bool:
        """Whether there is a renamed batch to undo (:func:`engine.tagging.rename.can_undo`)."""
        return rename.can_undo(self.journal)

    def undo_rename(self) -> rename.Undone:
        """Rename the last renamed batch back (:func:`engine.tagging.rename.undo_last`)."""
        with self._write_lock, self._row_lock:
            undone = rename.undo_last(self.store, self.journal)
        self._edited([p.file_id for p in undone.renamed_back])
        return undone

    # -- tagged copies -------------------------------------------------------------------------

    def export_tagged_copies(
        self,
        paths: Sequence[str | os.PathLike],
        out: str | os.PathLike,
        progress: Callable[[int, int], None] | None = None,
    ) -> export.ExportReport:
        """Copies of the files of ``paths`` (library files or folders) that carry the user's tags
        or caption, with them in their metadata, mirrored under the folder ``out`` (see
        :mod:`engine.tagging.export`); the originals are only read. A KeyError when one of
        ``paths`` is not in the library (the CLI leaves those out first, naming them)."""
        named = {absolute_path(p): self.records([p]) for p in paths}
        ucs = next(v for v in self.vocabularies() if v.name == UCS)
        library = [f.path for f in self.store.folders()]
        return export.export_copies(named, absolute_path(out), ucs, library, progress)

    # -- helpers -------------------------------------------------------------------------------

    def records(self, paths: Iterable[str | os.PathLike]) -> list[FileRecord]:
        """Library records of ``paths``; a folder stands for every file under it. A KeyError says
        why when none of them is in the library; one that is not among others is left out (the
        CLI names those first, :meth:`not_in_library`)."""
        wanted = [absolute_path(p) for p in paths]
        records = self._library_records(wanted)
        if not records and wanted:
            raise KeyError(
                next(iter(self.not_in_library(wanted).values()))
                if len(wanted) == 1
                else "none of these files is in the library"
            )
        return records

    def _library_records(self, wanted: list[str]) -> list[FileRecord]:
        """Library records of the absolute paths ``wanted`` (a folder: every file under it), by path."""
        return sorted(self.store.get_files(target_ids(self.store, wanted).tolist()).values(), key=lambda r: r.path)

    def not_in_library(self, paths: Iterable[str | os.PathLike]) -> dict[str, str]:
        """{absolute path: why} for those of ``paths`` that are no searchable library file nor a
        folder holding one (what :meth:`records` and a tagging job would pass over)."""
        missing = {}
        for path in dict.fromkeys(absolute_path(p) for p in paths):
            if not len(target_ids(self.store, [path])):
                exists = os.path.lexists(path)
                missing[path] = f"{path} is not in the library" + (
                    "" if exists else ": there is no such file or folder"
                )
        return missing
