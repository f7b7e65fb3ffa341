"""What an indexing run tells its caller while it runs (progress) and when it ends (report)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.plural import counted


@dataclass(frozen=True)
class IndexProgress:
    phase: str  # "scanning" | "hashing" | "reading metadata" (once, after its reader changed) | "embedding"
    done: int  # files finished in this phase
    total: int  # files this phase will handle (0 while unknown)
    path: str = ""  # the file just finished
    errors: int = 0  # per-file errors so far in this run
    # The library folders this phase embeds files of (a front end tells the folders the run is
    # filling from those it leaves as they were); None while not known (scanning, hashing).
    filling: frozenset[str] | None = None


ProgressCallback = Callable[[IndexProgress], None]


@dataclass(frozen=True)
class FileError:
    path: str
    error: str


@dataclass
class IndexReport:
    scanned: int = 0  # audio files seen on disk
    added: int = 0  # searchable now and not before: new files, and files that failed before
    updated: int = 0  # content changed: embedded again
    moved: int = 0  # re-linked by content hash, not embedded again
    # {unreachable library folder: how many of those moves came from it} (a renamed or moved root)
    moved_from: dict[str, int] = field(default_factory=dict)
    touched: int = 0  # new mtime, same content
    removed: int = 0
    unchanged: int = 0
    reread: int = 0  # files whose metadata text changed when their headers were read again
    embedded: int = 0  # files that got vectors in this run (added + updated + missing ones)
    # of those, files kept as they were whose vectors for this model were missing (dropped by a
    # repair, never made by a model switched to): embedded again
    embedded_again: int = 0
    copies: int = 0  # of those, copies of a sound already embedded, which took its vectors (engine.library.copies)
    audio_seconds: float = 0.0
    errors: list[FileError] = field(default_factory=list)  # files that failed in this run
    warnings: list[FileError] = field(default_factory=list)  # files indexed after a repair of their audio
    offline_folders: list[str] = field(default_factory=list)
    back_online: list[str] = field(default_factory=list)  # folders that were offline and are reachable again
    unreadable_dirs: dict[str, str] = field(default_factory=dict)
    unreadable_formats: list[str] = field(default_factory=list)  # sounds in formats Earmark cannot read: not indexed
    failed_ids: list[int] = field(default_factory=list)  # index ids of the errors, where the file has one
    stopped: bool = False  # should_stop() ended it early; the next run resumes
    seconds: float = 0.0

    def summary(self, *, zeros: bool = True, where_listed: str = "") -> str:
        """The run's counts in the words every front end uses ("4 added, 0 updated, 0 moved,
        0 removed, 1 failed", then "1 with a warning" and "1,775 embedded again" when they
        happened); without ``zeros``, only what happened ("" when nothing did); ``where_listed``
        follows the last of the failures' and the warnings' counts ("1 failed, 2 with a warning
        (see Failed files)"), which it is said of, not the line's end, where it read as if it were
        said of what comes last."""
        counts = (
            (self.added, "added"),
            (self.updated, "updated"),
            (self.moved, f"moved{self._moved_from_said()}"),
            (self.removed, "removed"),
            (len(self.errors), "failed"),
        )
        parts = [f"{n:,} {what}" for n, what in counts if n or zeros]
        if self.warnings:  # said only when it happened: searchable, and the user is told to check them
            parts.append(f"{len(self.warnings):,} with a warning")
        if self.errors or self.warnings:
            parts[-1] += where_listed
        said = ", ".join(parts)
        if self.embedded_again:  # said only when it happened: "0 updated" alone hid minutes of work
            said += f"{', ' if said else ''}{self.embedded_again:,} embedded again"
        if self.copies:  # said only when it happened
            said += f"{', ' if said else ''}{counted(self.copies, 'duplicate file')} (each sound embedded once)"
        if self.reread:  # once after an update of the metadata reader: said only when it happened
            said += f"{', ' if said else ''}{self.reread} descriptions read again"
        return said

    def _moved_from_said(self) -> str:
        """Where the moves from other, unreachable library folders came from, said after "18 moved":
        " from /Volumes/SFX/C renamed" when all came from there, else " (18 from ..., 2 from ...)".
        A renamed root's files, tags and all, should not look like files of the new name alone."""
        if not self.moved_from:
            return ""
        from engine.index.records import path_key  # printable on any terminal (imports Arrow: only when said)

        if list(self.moved_from.values()) == [self.moved]:
            return f" from {path_key(next(iter(self.moved_from)))}"
        return f" ({', '.join(f'{n} from {path_key(folder)}' for folder, n in self.moved_from.items())})"

    def unreadable_formats_line(self) -> str:
        """The sounds this run could not index for their format, in one line ("" when none):
        "3 sounds in formats Earmark cannot read (1 .m4a, 2 .wv): convert them to WAV or FLAC ..."."""
        return ": ".join(unreadable_formats_said(self.unreadable_formats)) if self.unreadable_formats else ""

    def then(self, later: IndexReport) -> IndexReport:
        """This run and ``later``, which ran right after it, as one run: what each did, summed
        (counts, failures, folders back online, seconds), and the library as ``later`` left it
        (files seen, folders offline, sounds Earmark cannot read, stopped or not). A run asked for
        again during a long one (a folder added, the watcher) said only the rerun's "no changes
        · 0.1 s" after three minutes of embedding 1,289 files (review 16, M7). A file that failed
        in both is one failure."""
        moved_from = Counter(self.moved_from)
        moved_from.update(later.moved_from)
        return IndexReport(
            scanned=later.scanned,
            added=self.added + later.added,
            updated=self.updated + later.updated,
            moved=self.moved + later.moved,
            moved_from=dict(moved_from),
            touched=self.touched + later.touched,
            removed=self.removed + later.removed,
            unchanged=later.unchanged,
            reread=self.reread + later.reread,
            embedded=self.embedded + later.embedded,
            embedded_again=self.embedded_again + later.embedded_again,
            copies=self.copies + later.copies,
            audio_seconds=self.audio_seconds + later.audio_seconds,
            errors=list({error.path: error for error in [*self.errors, *later.errors]}.values()),
            warnings=list({warned.path: warned for warned in [*self.warnings, *later.warnings]}.values()),
            offline_folders=list(later.offline_folders),
            back_online=list(dict.fromkeys([*self.back_online, *later.back_online])),
            unreadable_dirs=dict(later.unreadable_dirs),
            unreadable_formats=list(later.unreadable_formats),
            failed_ids=list(dict.fromkeys([*self.failed_ids, *later.failed_ids])),
            stopped=later.stopped,
            seconds=self.seconds + later.seconds,
        )

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.moved
            or self.touched
            or self.removed
            or self.reread
            or self.embedded
            or self.errors
        )


def unreadable_formats_said(paths: list[str]) -> tuple[str, str]:
    """What ``paths`` (sounds in formats Earmark cannot read) are and what to do, in words:
    ("3 sounds in formats Earmark cannot read (1 .m4a, 2 .wv)", "convert them to WAV or FLAC to
    search them"); "2 sounds in a format ... (2 .m4a)"; "1 sound ...", "convert it ..."."""
    suffixes, kinds = _kinds(paths)
    formats = "a format" if suffixes == 1 else "formats"
    them = "it" if len(paths) == 1 else "them"
    return (
        f"{counted(len(paths), 'sound')} in {formats} Earmark cannot read ({kinds})",
        f"convert {them} to WAV or FLAC to search {them}",
    )


def unreadable_formats_row(paths: list[str]) -> tuple[str, str]:
    """The same, shorter, for the two lines of a narrow list's row: ("3 sounds Earmark cannot
    read", "1 .m4a, 2 .wv: convert to WAV or FLAC"). The sentence was cut at the Library panel's
    width before it said which formats."""
    return f"{counted(len(paths), 'sound')} Earmark cannot read", f"{_kinds(paths)[1]}: convert to WAV or FLAC"


def warned_row(count: int) -> tuple[str, str]:
    """The two lines of a narrow list's row over ``count`` sounds indexed with a warning (the
    Library panel's Failed files; the rows under it each say their warning, in
    engine.audio.stream.Repairs' words): ("3 sounds indexed with a warning", "searchable; each says
    what was amiss")."""
    return f"{counted(count, 'sound')} indexed with a warning", "searchable; each says what was amiss"


def _kinds(paths: list[str]) -> tuple[int, str]:
    """How many suffixes ``paths`` have, and how many paths have each: (2, "1 .m4a, 2 .wv")."""
    suffixes = Counter(os.path.splitext(path)[1].lower() for path in paths)
    return len(suffixes), ", ".join(f"{count} {suffix}" for suffix, count in sorted(suffixes.items()))
