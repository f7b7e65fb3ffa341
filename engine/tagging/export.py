"""Tagged copies of library sounds, for handing a folder to another tool (Soundminer, BaseHead, a
DAW's browser, a colleague): every file of the named files and folders that carries the user's
tags or caption is copied with them in its metadata (:func:`write_copy`), the originals only read.

The copies mirror what was named under the output folder, as ``cp -r PATH... OUT`` would: a
named folder ``SFX/Doors`` puts ``SFX/Doors/Wood/creak.wav``'s copy at ``OUT/Doors/Wood/creak.wav``
and a named file goes straight into ``OUT``; one file named with an ``OUT`` that is no folder and
has the file's extension is copied to that file name. An existing file is never overwritten: that
copy is skipped and said. A file that cannot be copied (a format without a tag writer, a damaged
file, an unplugged drive) is said, naming it, and the others are written. The output folder may not lie inside a library
folder: the copies would be indexed there, each a 100 % "similar" twin of its original.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.audio.riff import is_rf64_wave, is_riff_wave
from engine.fs import is_inside
from engine.index.records import FileRecord, path_key
from engine.logs import described
from engine.plural import counted
from engine.tagging import bwf, embedded
from engine.tagging.vocabulary import Vocabulary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Copy:
    source: str
    target: str
    tags: int  # how many tags went into it
    caption: bool  # and whether a caption did


@dataclass
class ExportReport:
    out: str  # the output folder (or, for one file, the copy's name)
    written: list[Copy] = field(default_factory=list)
    # source -> why it was not copied, naming it: its copy is there already, or it could not be
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    untagged: int = 0  # files with neither tags nor caption of the user's: nothing to hand over


def write_copy(
    source: str | os.PathLike, target: str | os.PathLike, tags: Sequence[str], caption: str, vocabulary: Vocabulary
) -> None:
    """A copy of ``source`` at the new file ``target`` with ``tags`` and ``caption`` in the
    metadata its format carries: BWF chunks for a WAV (:mod:`engine.tagging.bwf`), Vorbis comments
    or ID3 for the others (:mod:`engine.tagging.embedded`)."""
    with open(source, "rb") as handle:
        head = handle.read(12)
    wave = is_riff_wave(head) or is_rf64_wave(head)  # an RF64 one is refused by bwf, saying why
    (bwf if wave else embedded).write_tagged_copy(source, target, tags, caption, vocabulary)


def refusal(out: str, library_folders: Iterable[str]) -> str | None:
    """Why copies cannot go to ``out``, or None: it lies in a library folder (as written or
    through a link), where they would be indexed as twins of their originals."""
    spellings = {out, os.path.realpath(out)}
    for folder in library_folders:
        if any(is_inside(spelling, folder) for spelling in spellings):
            return (
                f"{out} is inside the library folder {folder}: the copies would be indexed as "
                "twins of their originals. Choose a folder outside the library"
            )
    return None


def targets(named: Mapping[str, Sequence[FileRecord]], out: str) -> list[tuple[FileRecord, str]]:
    """(record, where its copy goes) for the records of each named path (absolute, as the index
    keys them): mirrored under ``out`` as ``cp -r`` would, or ``out`` itself for a single file
    named when ``out`` is no folder and ends as its name does (``door.wav`` -> ``door tagged.wav``:
    a ``handoff`` meant as a folder is not taken for a file name)."""
    if len(named) == 1 and not os.path.isdir(out):
        [(path, records)] = named.items()
        if [r.path for r in records] == [path] and _suffix(out) == _suffix(path):
            return [(records[0], out)]
    planned = []
    for path, records in named.items():
        above = os.path.dirname(path)
        planned += [(record, os.path.join(out, os.path.relpath(record.path, above))) for record in records]
    return planned


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def export_copies(
    named: Mapping[str, Sequence[FileRecord]],
    out: str,
    vocabulary: Vocabulary,
    library_folders: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write the tagged copies of the records of each named path (see the module); ``progress``
    is told (files done, of how many) after each. A ValueError before anything is written when
    ``out`` is refused (:func:`refusal`) or is a file while folders are named."""
    if why := refusal(out, library_folders):
        raise ValueError(why)
    planned = targets(named, out)
    if os.path.isfile(out) and any(target != out for _, target in planned):
        raise ValueError(f"{out} is a file: name a folder for the copies")
    report, taken = ExportReport(out), set()
    for done, (record, target) in enumerate(planned, 1):
        _export_one(record, target, vocabulary, library_folders, taken, report)
        if progress is not None:
            progress(done, len(planned))
    return report


def _export_one(
    record: FileRecord,
    target: str,
    vocabulary: Vocabulary,
    library_folders: Sequence[str],
    taken: set[str],
    report: ExportReport,
) -> None:
    """Copy one file into ``report``: written, skipped (its copy is there) or failed."""
    if not record.tags and not record.caption:
        report.untagged += 1
    elif os.path.lexists(target) or target in taken:
        report.skipped[record.path] = f"{record.path}: not copied, {target} already exists"
    elif refusal(target, library_folders):  # a named folder of a library folder's own name, OUT above it
        report.failed[record.path] = f"{record.path}: not copied, {target} would be inside the library"
    else:
        taken.add(target)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            write_copy(record.path, target, record.tags, record.caption, vocabulary)
        except Exception as exc:  # noqa: BLE001 - one bad file (damaged, unplugged, a parser's error) never stops the rest
            log.warning("no tagged copy of %r: %s", record.path, described(exc), exc_info=True)
            said = str(exc) or described(exc)
            report.failed[record.path] = said if record.path in said else f"{record.path}: {said}"
        else:
            report.written.append(Copy(record.path, target, len(record.tags), bool(record.caption)))


def contents(copy: Copy) -> str:
    """What went into a copy, in words: "3 tags and a caption", "1 tag", "a caption"."""
    said = [counted(copy.tags, "tag")] if copy.tags else []
    return " and ".join(said + ["a caption"] * copy.caption)


def summary(report: ExportReport) -> str:
    """The export in a line, for the CLI and the app alike: what was written where, and how many
    were not and why (the files are :func:`problems`)."""
    if len(report.written) == 1 and not (report.skipped or report.failed or report.untagged):
        copy = report.written[0]
        said = f"wrote {path_key(copy.target)} with {contents(copy)} from {os.path.basename(copy.source)}"
    else:
        copies = counted(len(report.written), "tagged copy", "tagged copies")
        said = f"{copies} written to {path_key(report.out)}"
    if report.skipped:
        said += f"; {counted(len(report.skipped), 'file')} skipped: a copy is there already"
    if report.untagged:
        said += f"; {counted(report.untagged, 'file')} without tags or a caption left out"
    if report.failed:
        said += f"; {counted(len(report.failed), 'file')} could not be copied"
    return said


def problems(report: ExportReport) -> list[str]:
    """A line per file not copied (skipped or failed), naming it and saying why."""
    return [path_key(why) for why in [*report.skipped.values(), *report.failed.values()]]
