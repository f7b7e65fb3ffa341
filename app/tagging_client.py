"""The app's side of tagging: suggestion jobs in the background, loading, accepting, rejecting
(the last of each undone), and UCS renames (planned, done only when the user presses Rename, undone).

A job (a selection or a whole folder) runs on a pool of its own, so it never waits behind an
index run nor holds one up; it stops at the end of a batch when the user stops it or when the app
closes. Stop cancels it (the suggestions made so far stay); a job the app's closing (or a crash)
cut short continues by itself when the app next opens with a model. The vocabularies' term
embeddings, which the first job with a model made first (minutes for UCS under load, in silence),
are made on that pool as soon as a model is the active one: the first Suggest finds them made, or
waits behind them rather than making them a second time; either read says how far along it is
(:attr:`TaggingClient.vocabulary_progress`). Loads and edits go through the engine
client's work and edit pools, like every other engine call, and answer as signals on the UI
thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.workers import submit
from engine.tagging.rename import Override


@dataclass(frozen=True)
class RenameProposal:
    """One answer to :meth:`TaggingClient.plan_rename`: the renames (engine ``RenamePlan``) that
    Rename would do, {path: why not} for the files it would leave, and ``problem`` when no plan
    could be made at all (said in the dialog, which stays open); with the UCS list's terms the
    plan checked CatIDs against, which the dialog offers when a CatID is corrected."""

    number: int  # which request it answers: the dialog shows only its latest
    plans: list = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    ucs_terms: tuple = ()  # engine Term, of the UCS vocabulary in use


class TaggingClient(QObject):
    suggestions_loaded = Signal(dict, str)  # {path: FileSuggestions}, and why none is listed ("" when one is)
    captions_loaded = Signal(dict)  # {path: generated caption shown in the results}
    job_progress = Signal(str, int, int)  # phase (engine.tagging.jobs: reading, tagging), files done, of how many
    # a vocabulary read with the active model, in the background or by a job: its name, its texts
    # embedded so far, of how many (engine.tagging.jobs.VOCABULARY)
    vocabulary_progress = Signal(str, int, int)
    job_finished = Signal(object)  # TagReport; None when the job failed (``error`` said why)
    accepted = Signal(object, dict)  # engine AcceptReport, and {path: (tags, caption)} of the files accepted for
    accept_undone = Signal(object, dict)  # engine AcceptUndone, and {path: (tags, caption)} of the files it changed
    rejected = Signal(int)  # a reject is done: how many suggestions it rejected
    reject_undone = Signal(int)  # the last reject is undone: how many suggestions are offered again
    error = Signal(str)
    vocabularies_loaded = Signal(list)  # [Vocabulary], UCS first
    vocabulary_imported = Signal(object)  # the Vocabulary just imported
    vocabulary_problem = Signal(str)  # why an import or a removal failed (names the file)
    rename_planned = Signal(object)  # RenameProposal
    renamed = Signal(dict)  # {old path: new path} once a rename the user asked for is done
    rename_failed = Signal(str)  # why a rename stopped (names the file)
    renamed_back = Signal(object)  # engine.tagging.rename.Undone of an undo

    def __init__(self, client):
        super().__init__(client)
        self.client = client
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._busy = False  # the pool holds a job, or the look for one to resume
        self._looking = False  # that look has not yet found a job (it mostly finds none)
        self._waiting = None  # a job asked for during the look: it starts when the look ends
        self._stop = threading.Event()  # the job stops at the end of its batch
        self._cancelled = threading.Event()  # and the user asked it: it is not resumed later
        self._closing = threading.Event()  # the app closes: the vocabularies' preparing stops too
        self._load_number = 0  # the latest suggestions load asked: only its answer is shown
        self._plan_number = 0  # the latest rename plan asked
        client.ready.connect(self._model_ready)

    @property
    def running(self) -> bool:
        """A job is running; the brief look for an unfinished one when a model becomes ready is
        not one (a job asked for meanwhile waits for it instead of being refused)."""
        return self._busy and not self._looking

    @property
    def _tagging(self):
        return self.client.engine.tagging

    def _submit(self, pool, fn, *args, **kwargs):
        return submit(pool, fn, *args, context=self, on_failed=self.error.emit, **kwargs)

    # -- jobs ------------------------------------------------------------------------------
    def tag(self, paths: list[str], captions: bool = False) -> None:
        """Suggest tags (and captions) for files or folders; one job at a time."""

        def job(progress, should_stop):
            return self._tagging.tag(paths, captions, progress, should_stop)

        self._load_number += 1  # a load asked before answers late: the box says what the job waits for
        if self._looking:
            self._waiting = job
        else:
            self._start(job)

    def _model_ready(self, _info) -> None:
        """A model is the active one (at the start, after a switch): an unfinished job goes on, and
        the vocabularies it lacks are made."""
        self.resume()
        self.prepare_vocabularies()

    def prepare_vocabularies(self) -> None:
        """Make the term embeddings of the vocabularies the active model lacks (engine
        ``Tagging.prepare_vocabularies``), on the jobs' pool: a job asked for meanwhile runs after
        it, and finds them made. Its progress is :attr:`vocabulary_progress`; a failure is logged,
        and the job says it again."""
        if self.client.engine is not None and self.client.model_info is not None:
            submit(
                self.pool,
                self._tagging.prepare_vocabularies,
                self._closing.is_set,
                context=self,
                on_progress=self._vocabulary_progressed,
            )

    def _vocabulary_progressed(self, progress) -> None:  # engine.tagging.jobs.TagProgress, VOCABULARY phase
        self.vocabulary_progress.emit(progress.path, progress.done, progress.total)

    def resume(self) -> None:
        """Continue a job a stop or a crash left unfinished (nothing when there is none)."""
        if self.client.engine is None or self._busy:
            return

        def run(progress, should_stop):
            from engine.tagging.jobs import READING, TagProgress  # the index's modules: not before the window shows

            if self._tagging.pending_job() is None:
                return None
            progress(TagProgress(0, 0, phase=READING))  # found one: from here it is a job like any
            return self._tagging.resume(progress, should_stop)

        self._looking = True
        self._start(run)

    def cancel(self) -> None:
        """Stop the job for good: it does not resume at the next start (the user's Stop: a job
        that resumed by itself after they cancelled it would overrule them)."""
        self._cancelled.set()
        self._stop.set()

    def _cancellable(self, job):
        """``job``, forgetting itself when it ends stopped by :meth:`cancel` (not by the app closing)."""

        def run(progress, should_stop):
            report = job(progress, should_stop)
            if report is not None and report.stopped and self._cancelled.is_set():
                self._tagging.drop_pending_job()
            return report

        return run

    def _start(self, job) -> None:
        if self.client.engine is None or self._busy:
            return
        self._busy = True
        self._stop.clear()
        self._cancelled.clear()

        def finished(report) -> None:
            self._ended()
            if report is not None:  # None: there was nothing to resume
                self.job_finished.emit(report)
            self._start_waiting()

        def failed(message: str) -> None:
            self._ended()
            self.error.emit(f"Tagging stopped: {message}")
            self.job_finished.emit(None)
            self._start_waiting()

        def progressed(progress) -> None:  # engine.tagging.jobs.TagProgress
            from engine.tagging.jobs import VOCABULARY  # the index's modules: not before the window shows

            self._looking = False
            if progress.phase == VOCABULARY:  # the job reads a vocabulary itself: said as the background read is
                self._vocabulary_progressed(progress)
            else:
                self.job_progress.emit(progress.phase, progress.done, progress.total)

        submit(
            self.pool,
            self._cancellable(job),
            should_stop=self._should_stop,
            context=self,
            on_done=finished,
            on_failed=failed,
            on_progress=progressed,
        )

    def _ended(self) -> None:
        self._busy = self._looking = False

    def _start_waiting(self) -> None:
        job, self._waiting = self._waiting, None
        if job is not None:
            self._start(job)

    def _should_stop(self) -> bool:
        return self._stop.is_set()

    def shutdown(self) -> None:
        self._waiting = None
        self._stop.set()
        self._closing.set()
        self.pool.waitForDone(30_000)

    # -- reading ---------------------------------------------------------------------------
    def load(self, paths: list[str]) -> None:
        """The suggestions of ``paths`` (the selection) and, when none is listed, the engine's why
        (:meth:`engine.tagging.service.Tagging.listing`), as :attr:`suggestions_loaded`. Loads run
        side by side, so one asked earlier can answer later: only the latest load's answer is passed on."""
        self._load_number += 1
        if self.client.engine is None or self.client.model_info is None:
            return
        if not paths:  # nothing selected: the box's empty state, not a job's "Suggesting…" left standing
            self.suggestions_loaded.emit({}, "")
            return
        number = self._load_number

        def loaded(listing: tuple[dict, str]) -> None:
            if number == self._load_number:
                self.suggestions_loaded.emit(*listing)

        self._submit(self.client.work_pool, self._tagging.listing, paths, on_done=loaded)

    def load_captions(self, hits: list) -> None:
        """The generated captions (above the caption threshold) of result rows that have none of their own."""
        if self.client.engine is None or self.client.model_info is None or not hits:
            return

        def run():
            shown = self._tagging.shown_for([h for h in hits if not h.caption])
            return {path: item.caption.value if item.caption is not None else "" for path, item in shown.items()}

        self._submit(self.client.work_pool, run, on_done=self.captions_loaded.emit)

    # -- vocabularies ----------------------------------------------------------------------
    def load_vocabularies(self) -> None:
        if self.client.engine is not None:
            self._submit(self.client.work_pool, self._tagging.vocabularies, on_done=self.vocabularies_loaded.emit)

    def import_vocabulary(self, path: str) -> None:
        """Import a UCS list or the user's own vocabulary; the next suggestions use it."""

        def imported(vocabulary) -> None:
            self.vocabulary_imported.emit(vocabulary)
            self.load_vocabularies()
            self.prepare_vocabularies()  # a new list: its term embeddings are made for the next Suggest

        self._change_vocabularies(self._tagging.import_vocabulary, path, imported)

    def remove_vocabulary(self, name: str) -> None:
        """Forget an imported vocabulary (the UCS list goes back to the shipped one)."""
        self._change_vocabularies(self._tagging.remove_vocabulary, name, lambda _none: self.load_vocabularies())

    def _change_vocabularies(self, change, argument, on_done) -> None:
        if self.client.engine is not None:
            submit(
                self.client.edit_pool,
                change,
                argument,
                context=self,
                on_done=on_done,
                on_failed=self.vocabulary_problem.emit,
            )

    # -- acting ----------------------------------------------------------------------------
    def set_threshold(self, value: float) -> None:
        settings = self.client.settings()
        settings.tag_threshold = value
        self.client.save_settings(settings)
        if self.client.engine is not None:
            self.client.engine.settings.tag_threshold = value

    def accept(self, paths: list[str], keys: dict[str, list[str]], caption: bool) -> None:
        def run():
            # one file: its own caption is replaced (the user asked for this one); many: only empty ones are filled
            report = self._tagging.accept(paths, keys, captions=caption, replace_caption=len(paths) == 1)
            return report, {r.path: (list(r.tags), r.caption) for r in self._tagging.records(paths)}

        self._submit(self.client.edit_pool, run, on_done=self._accepted)

    def _accepted(self, answer: tuple) -> None:
        report, changed = answer
        self.accepted.emit(report, changed)
        self.client.edited.emit()
        self.load(list(changed))

    def reject(self, paths: list[str], keys: dict[str, list[str]], caption: bool) -> None:
        def done(count: int) -> None:
            self.rejected.emit(count)
            self.load(paths)

        self._submit(self.client.edit_pool, self._tagging.reject, paths, keys, caption, on_done=done)

    def undo_accept(self) -> None:
        """Take the last accept back: :attr:`accept_undone`, or :attr:`error` (none to undo)."""

        def run():
            undone = self._tagging.undo_accept()
            records = self._tagging.records(undone.paths) if undone.paths else []
            return undone, {r.path: (list(r.tags), r.caption) for r in records}

        def done(answer) -> None:
            self.accept_undone.emit(*answer)
            self.client.edited.emit()

        self._submit(self.client.edit_pool, run, on_done=done)

    def undo_reject(self) -> None:
        """Offer the suggestions the last reject rejected again: :attr:`reject_undone`, or :attr:`error`."""
        self._submit(self.client.edit_pool, self._tagging.undo_reject, on_done=self.reject_undone.emit)

    # -- renaming --------------------------------------------------------------------------
    def plan_rename(
        self, paths: list[str], creator: str, source: str, overrides: dict[str, Override] | None = None
    ) -> int:
        """Ask for the UCS names of ``paths`` (nothing is renamed); the answer is a
        :class:`RenameProposal` on :attr:`rename_planned` carrying the number returned here. Empty
        IDs leave them to the engine's defaults (the user's login, each file's library folder);
        ``overrides`` are the user's own CatID and FX name for some files, which the engine checks."""
        self._plan_number += 1
        number = self._plan_number
        if self.client.engine is None:
            self.rename_planned.emit(RenameProposal(number, problem="The library is not open yet."))
            return number
        submit(
            self.client.work_pool,
            self._plan,
            number,
            paths,
            creator.strip() or None,
            source.strip() or None,
            dict(overrides or {}),
            context=self,
            on_done=self.rename_planned.emit,
            on_failed=lambda message: self.rename_planned.emit(RenameProposal(number, problem=message)),
        )
        return number

    def _plan(
        self, number: int, paths: list[str], creator: str | None, source: str | None, overrides: dict[str, Override]
    ) -> RenameProposal:
        """Worker: the engine's plan, why it leaves the files it leaves, and the CatIDs there are."""
        plans, skipped = self._tagging.rename_plan(paths, creator, source, overrides)
        ucs = next(v for v in self._tagging.vocabularies() if v.is_ucs)
        return RenameProposal(number, plans, skipped, ucs_terms=ucs.terms)

    def rename(self, plans: list) -> None:
        """Rename as planned (the user pressed Rename): :attr:`renamed` or :attr:`rename_failed`."""

        def run() -> dict[str, str]:
            self._tagging.rename(plans)
            return {p.old: p.new for p in plans}

        def done(moves: dict[str, str]) -> None:
            self.renamed.emit(moves)
            self.client.edited.emit()

        submit(self.client.edit_pool, run, context=self, on_done=done, on_failed=self.rename_failed.emit)

    def undo_rename(self) -> None:
        """Rename the last renamed batch back: :attr:`renamed_back`, or :attr:`error` (none to undo)."""

        def done(undone) -> None:
            self.renamed_back.emit(undone)
            self.client.edited.emit()

        self._submit(self.client.edit_pool, self._tagging.undo_rename, on_done=done)
