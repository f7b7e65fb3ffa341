"""``earmark``: the engine from a terminal, the CLI twin of what the app does.

Human-readable output by default; ``--json`` prints one JSON document for scripts.
Progress goes to stderr, results to stdout, so ``earmark search ... --json | jq`` works.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from engine.arguments import count, seconds
from engine.audio.decode import AudioDecodeError
from engine.audio.formats import FORMATS
from engine.audio.metadata import described
from engine.facade import Engine
from engine.finetune import console as finetune_console
from engine.index.health import damage_of, describe_table
from engine.index.migrations import SchemaVersionError
from engine.index.records import OFFLINE, path_key
from engine.index.repair import repair_index
from engine.index.sql import TAGGED
from engine.library.report import IndexProgress, IndexReport
from engine.logs import entry_logging
from engine.models.registry import ModelLoadError, list_models, resolve_checkpoint, shown_name
from engine.paths import app_paths
from engine.plural import counted, in_seconds, moment_said
from engine.search.explain import NEAREST_SHOWN, describe_hit, describe_respellings, nearest_only
from engine.search.filters import SearchFilters
from engine.search.query import parse_query
from engine.search.searcher import SearchHit
from engine.tagging import console as tagging_console
from engine.tags import names_tag, unknown_tag


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="earmark", description="Search your sound library by describing the sound.")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep data, cache, settings and logs under DIR (default: $EARMARK_HOME, else the platform's user folders)",
    )
    parser.add_argument(
        "--model",
        metavar="SPEC",
        help="model for this command: builtin, a checkpoint folder, "
        "or clap:<hub id or folder> (default: the saved choice)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add = commands.add_parser("add-folder", help="add a folder to the library")
    add.add_argument("folder")
    remove = commands.add_parser("remove-folder", help="forget a folder (its files on disk are untouched)")
    remove.add_argument("folder")
    remove.add_argument(
        "--yes", action="store_true", help="remove it even when its files carry your tags or captions (for scripts)"
    )
    index = commands.add_parser("index", help="scan the folders and index new and changed files")
    index.add_argument("--json", action="store_true")
    commands.add_parser("watch", help="index, then keep indexing changes as they happen (Ctrl-C stops)")

    search = commands.add_parser("search", help='find sounds by description, e.g. "wooden door creak, slow"')
    search.add_argument(
        "query",
        help='words, "quoted phrases", -exclusions, OR (a query that starts '
        'with - goes after --: earmark search -- "-metal door"); - reads one query a line from '
        "standard input, each answered as it comes, the model loaded once",
    )
    search.add_argument("--explain", action="store_true", help="show each hit's vector and text ranks")
    _output_options(search)
    similar = commands.add_parser("similar", help="find sounds like an audio file (in the library or not)")
    similar.add_argument("file")
    _output_options(similar)

    info = commands.add_parser("info", help="what the index and the file say about one sound")
    info.add_argument("file")
    info.add_argument("--json", action="store_true")
    models = commands.add_parser("models", help="list the models --model accepts")
    models.add_argument("--use", metavar="SPEC", help="make SPEC the saved model (re-embeds the library with it)")
    models.add_argument("--json", action="store_true")
    finetune = commands.add_parser(
        "finetune",
        help="fine-tune the model on your library (time budget, "
        "before/after on held-out folders, swapped in only if better)",
    )
    finetune_console.add_arguments(finetune)
    status = commands.add_parser("status", help="folders, file counts, model, a fine-tune waiting to continue")
    status.add_argument("--json", action="store_true")
    tagging_console.add_commands(commands)
    commands.add_parser(
        "repair",
        help="rebuild a damaged index from what is still readable and from the files "
        "on disk (tags and captions are kept wherever they can be read)",
    )
    return parser


def _output_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--limit", type=count, default=20)
    command.add_argument("--json", action="store_true")
    command.add_argument("--min-duration", type=seconds, metavar="SECONDS")
    command.add_argument("--max-duration", type=seconds, metavar="SECONDS")
    command.add_argument("--sample-rate", type=count, metavar="HZ")
    command.add_argument("--channels", type=count)
    command.add_argument(
        "--format",
        type=_format_name,
        choices=FORMATS,
        metavar="FORMAT",
        help=", ".join(FORMATS[:-1]) + f" or {FORMATS[-1]}",
    )
    command.add_argument("--folder", help="only files under this folder")
    command.add_argument("--tag", help="only files with this tag")
    command.add_argument(
        "--online-only",
        action="store_true",
        help="leave out files on unplugged drives (by default they are listed, marked offline)",
    )


def _format_name(text: str) -> str:
    """--format as the index names formats (``FORMATS``): "WAV" and ".wav" are "wav", as the filter reads them."""
    return text.lower().lstrip(".")


def _contradiction(args: argparse.Namespace) -> str | None:
    """What makes the options together match nothing, if anything: a usage error."""
    low, high = getattr(args, "min_duration", None), getattr(args, "max_duration", None)
    if low is not None and high is not None and low > high:
        return f"argument --min-duration: {low:g} s is longer than --max-duration {high:g} s"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status 0 when the command ran (an index run with files that failed included),
    1 when it could not run (the message says why), 2 for a usage error (argparse's),
    130 when Ctrl-C stopped an index run, 141 when the reader of its output went away."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if problem := _contradiction(args):
        parser.error(problem)
    with entry_logging(app_paths(args.home).logs):
        try:
            code = _run(args)
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
            return code
        except BrokenPipeError:
            return _output_closed()


def _output_closed() -> int:
    """The reader of stdout went away (``earmark info FILE | head -4``): stop quietly, as ``cat``
    does, and point stdout at the null device so no later flush of what is left complains."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    return OUTPUT_CLOSED


def _run(args: argparse.Namespace) -> int:
    paths = app_paths(args.home)
    try:
        if args.command == "repair":  # before the engine: a damaged index may not even open
            return cmd_repair(paths, args)
        with Engine(paths, args.model) as engine:
            return COMMANDS[args.command](engine, args)
    except BrokenPipeError:
        raise  # the reader went away: not an error to tell it (main stops quietly)
    except Exception as exc:  # noqa: BLE001 - sorted out below: ours in words, anything else raised
        damage = damage_of(exc, paths.index)
        if damage is None and not isinstance(exc, _EXPECTED_ERRORS):
            raise
        message = damage or (exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        if isinstance(exc, AudioDecodeError) and exc.path is not None:  # "is a folder, not a file": which?
            message = f"{_shown(str(exc.path))}: {message}"
        print(f"earmark: {message}", file=sys.stderr)
        return 1


_EXPECTED_ERRORS = (ModelLoadError, AudioDecodeError, SchemaVersionError, ValueError, LookupError, OSError)
INTERRUPTED = 130  # the shell's code for a command Ctrl-C stopped
OUTPUT_CLOSED = 141  # the shell's code for a command SIGPIPE stopped, what `yes | head -1` gives


# -- commands -------------------------------------------------------------------------


def cmd_add_folder(engine: Engine, args) -> int:
    folder = engine.add_folder(args.folder)
    print(f"added {_shown(folder.path)}; run `earmark index` to index it")
    return 0


def cmd_remove_folder(engine: Engine, args) -> int:
    """Tags and captions live in the rows a removal deletes, and adding the folder again does not
    bring them back: as the app's Remove dialog does, say so and ask first (``--yes`` for scripts)."""
    edited = engine.edited_file_count(args.folder)
    if edited and not args.yes:
        carry = "carries" if edited == 1 else "carry"
        print(
            f"earmark: {edited:,} of the files of {_shown(args.folder)} {carry} your tags or captions, "
            "which removing the folder forgets (adding it again does not bring them back)",
            file=sys.stderr,
        )
        if not sys.stdin.isatty():
            print("earmark: nothing removed; run it again with --yes to remove it all the same", file=sys.stderr)
            return 1
        print(f"Remove {_shown(args.folder)} from the library? [y/N] ", end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 1
    removed = engine.remove_folder(args.folder)
    print(f"removed {_shown(args.folder)} ({counted(removed, 'file')} forgotten; nothing on disk was changed)")
    return 0


def cmd_index(engine: Engine, args) -> int:
    with _ProgressBar() as bar, _StopOnInterrupt() as stop:
        report = engine.index(progress=bar.update, should_stop=stop.requested)
    failed = engine.failed_files()
    if args.json:
        _print_json({"report": report, "failed_files": [{"path": r.path, "error": r.error} for r in failed]})
    else:
        _print_index_report(report, failed)
    return INTERRUPTED if report.stopped and stop.requested() else 0


# An iTunes folder under a library holds thousands of .m4a files, named again on every run: the
# first few say which, the count says how many.
UNREADABLE_LISTED = 20
COPIES_SHOWN = 3  # a hit's copies printed under it; --json lists them all


def _unreadable_lines(report: IndexReport) -> list[str]:
    """What a run says of the sounds it cannot read: one line, then the first few of them."""
    lines = [f"{report.unreadable_formats_line()}:"]
    lines += [f"  {_shown(path)}" for path in report.unreadable_formats[:UNREADABLE_LISTED]]
    if len(report.unreadable_formats) > UNREADABLE_LISTED:
        more = len(report.unreadable_formats) - UNREADABLE_LISTED
        lines.append(f"  ... and {more} more (`earmark index --json` lists them all)")
    return lines


def _print_index_report(report: IndexReport, failed) -> None:
    print(_summary(report))
    for folder in report.offline_folders:
        print(f"offline: {_shown(folder)} (unreachable; its files are kept)")
    for folder, reason in report.unreadable_dirs.items():
        print(f"skipped folder {_shown(folder)}: {reason}")
    if report.unreadable_formats:
        print("\n" + "\n".join(_unreadable_lines(report)))
    if report.warnings:
        print(f"\n{counted(len(report.warnings), 'file')} indexed with a warning:")
        for warning in report.warnings:
            print(f"  {_shown(warning.path)}: {warning.error}")
    if failed:  # the library's, where the summary counted this run's ("1 failed", then 6 listed)
        new = len(report.errors)
        when = "" if new == len(failed) else " (in earlier runs)" if not new else f" ({new} in this run)"
        print(f"\n{counted(len(failed), 'file')} could not be indexed{when}:")
        for record in failed:
            print(f"  {_shown(record.path)}: {record.error}")
    if report.stopped:
        print("stopped early; run `earmark index` again to continue")


def cmd_repair(paths, args) -> int:
    """Rebuild the damaged tables, then index: the files whose records or vectors the
    damage took are found on disk and indexed again."""
    print(f"checking the index in {paths.index}", file=sys.stderr)
    report = repair_index(paths.index)
    if not report.repaired:
        print("the index is healthy: nothing to repair")
        return 0
    for table in report.tables:
        versions = f" (rows read from version {', '.join(map(str, table.versions))})" if table.versions else ""
        print(
            f"repaired {describe_table(table.table)} (table '{table.table}'): {table.note or f'{table.kept} rows'}"
            f"{versions}"
        )
        print(f"  it failed with: {table.problem}")
        if table.set_aside:
            print(f"  unreadable {', '.join(table.set_aside)} moved aside")
    print(f"{report.tags_kept} files have their tags or caption")
    if report.aside:
        print(f"what could not be read is kept in {_shown(report.aside)} (delete it once all is well)")
    print("indexing the library, to find on disk what was lost")
    with Engine(paths, args.model) as engine:
        return cmd_index(engine, argparse.Namespace(json=False))


def cmd_watch(engine: Engine, args) -> int:
    with _ProgressBar() as bar, _StopOnInterrupt() as stop:
        report = engine.index(progress=bar.update, should_stop=stop.requested)
    print(_summary(report))
    if stop.requested():
        return 0

    output_closed = threading.Event()

    def changed(report: IndexReport) -> None:
        """Print a batch's news, from the watcher's thread: a reader gone there (``earmark watch
        | head -3``) ends the main thread, which stops quietly as for any closed output."""
        try:
            _print_watched(report)
        except BrokenPipeError:
            output_closed.set()

    engine.start_watching(changed)
    print("watching for changes; Ctrl-C stops", flush=True)
    with _StopOnInterrupt() as stop:
        while not stop.requested() and not output_closed.is_set():
            time.sleep(0.2)
    if output_closed.is_set():
        raise BrokenPipeError("the reader of the output went away")  # main() ends quietly
    return 0


def _print_watched(report: IndexReport) -> None:
    """What ``earmark watch`` prints of a watched batch or a folder the watcher saw go."""
    now = time.strftime("%H:%M:%S")
    for folder in report.offline_folders:
        print(
            f"{now} offline: {_shown(folder)} (unreachable; its files are kept and still found, marked offline)",
            flush=True,
        )
    for folder in report.back_online:
        print(f"{now} back online: {_shown(folder)}", flush=True)
    if report.changed_anything:
        print(f"{now} {_summary(report)}", flush=True)
    for error in report.errors:
        print(f"  {_shown(error.path)}: {error.error}", flush=True)
    if report.unreadable_formats:
        print(f"{now} " + "\n".join(_unreadable_lines(report)), flush=True)


FROM_STDIN = "-"  # the query that reads the queries from standard input
PROMPT = "search: "  # what a terminal is asked for each query with, on stderr


def cmd_search(engine: Engine, args) -> int:
    if args.query != FROM_STDIN:
        return _search(engine, args.query, args)
    return _search_lines(engine, args)


def _search_lines(engine: Engine, args) -> int:
    """Each line of standard input searched in turn, the model loaded once: a search started from
    the shell spends 5-14 s loading it (review 16, M8), where one query more costs a fraction of a
    second. A line's results follow a ``== query`` heading, or with --json make one line of JSON
    ({"query", "hits"}) so a script reads them as they come. Which files the model has not
    embedded yet is said once, with the first results: it cannot change within the run. Exits 1
    when a search failed."""
    asking = sys.stdin.isatty()
    failed = False
    first = True
    while True:
        if asking:
            print(PROMPT, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            return int(failed)
        if query := line.strip():
            if not args.json:
                print(f"== {query}")
            failed |= _search(engine, query, args, json_line=True, note_missing=first) != 0
            first = False
            sys.stdout.flush()


def _search(engine: Engine, query: str, args, json_line: bool = False, note_missing: bool = True) -> int:
    """``query`` searched and its hits printed; ``json_line``: with --json, as one line of JSON
    that names the query (:func:`_search_lines`); ``note_missing``: whether to say how many files
    the model has not embedded yet."""
    hits = engine.search(query, _filters(args), args.limit)
    if hits.respelled:
        print(f"earmark: {describe_respellings(hits.respelled)}", file=sys.stderr)
    if hits.text_only and args.model:  # the model asked for by name: a search without it is not what was asked
        print(f"earmark: --model {args.model} is unavailable: {hits.text_only}", file=sys.stderr)
        return 1
    if hits.text_only:
        print(f"earmark: text search only, the model is unavailable: {hits.text_only}", file=sys.stderr)
    elif note_missing and (missing := len(engine.store.files_missing_embeddings(engine.model_info))):
        print(
            f"earmark: {missing} files are not embedded with {shown_name(engine.model_spec)} yet and match by "
            f"their words only; `earmark index` embeds them",
            file=sys.stderr,
        )
    if not hits and args.tag and (unknown := _unknown_tag(engine, args.tag)):
        print(f"earmark: {unknown}", file=sys.stderr)
    if hits.nothing_close:  # the list still ranks the library: say that none of it answers, as the app does
        print(f"earmark: {nearest_only(hits)}", file=sys.stderr)
    if hits.unheld:  # the results hold only part of the query
        print(f"earmark: no file says {' or '.join(map(repr, hits.unheld))}", file=sys.stderr)
    ranked = not parse_query(query).is_empty
    if args.json and json_line:
        print(json.dumps({"query": query, "hits": _listed(hits, hits.nothing_close)}, default=str))
        return 0
    return _print_hits(hits, args, hits.sound_depth, ranked=ranked, nothing_close=hits.nothing_close)


def _unknown_tag(engine: Engine, typed: str) -> str:
    """What a search filtered by the tag ``typed`` says when no file carries it (in any case, by
    CatID or name: engine.tags.tag_spellings), with the nearest tag one does; "" when a file does
    (the other filters or the words left it out). A misspelt tag found nothing, with no word why."""
    carried = {tag for record in engine.store.find_files(TAGGED) for tag in record.tags}
    return "" if any(names_tag(typed, tag) for tag in carried) else unknown_tag(typed, carried)


def cmd_similar(engine: Engine, args) -> int:
    return _print_hits(engine.similar(args.file, args.limit, _filters(args)), args)


def cmd_info(engine: Engine, args) -> int:
    info = engine.file_info(args.file)
    if args.json:
        _print_json(info)
        return 0 if info.record or info.facts else 1
    print(_shown(info.path))
    record, facts = info.record, info.facts
    if record is None:
        print("  not in the library")
    else:
        print(f"  status: {record.status}{': ' + record.error if record.error else ''}")
        print(f"  folder: {_shown(record.folder)}")
        print(f"  windows: {info.windows} for the active model")
        for copy in info.copies:
            print(f"  copy: {_shown(copy)}")
        if record.tags:
            print(f"  tags: {', '.join(record.tags)}")
        if record.caption:
            print(f"  caption: {record.caption}")
    if facts is not None:
        depth = f", {facts.bit_depth}-bit" if facts.bit_depth else ""
        length = in_seconds(facts.duration_s, places=2)
        print(
            f"  audio: {facts.format} {facts.subtype}, {length} s, {facts.sample_rate} Hz, {facts.channels} ch{depth}"
        )
    if info.metadata is not None:
        for key, value in info.metadata.fields.items():
            print(f"  {key}: {value}")
        if info.metadata.ucs is not None:
            print(f"  ucs: {info.metadata.ucs.cat_id} ({info.metadata.ucs.category_full})")
    if info.error:
        print(f"  cannot read the file: {info.error}")
    return 0 if record or facts else 1


def cmd_models(engine: Engine, args) -> int:
    if args.use:
        job = engine.switch_model(args.use, _switch_progress)
        job.wait()
        print(file=sys.stderr)
        if job.error:
            raise ValueError(f"could not switch to {args.use}: {job.error}")
        failed = counted(len(job.failed), "file")
        print(f"now using {args.use} ({engine.model_info.name}); {failed} could not be embedded")
    choices = list_models(engine.paths.models)
    if args.json:
        _print_json({"active": engine.model_spec, "models": choices})
        return 0
    print(f"active: {_model_said(engine.model_spec)}")
    for choice in choices:
        mark = "*" if _same_model(choice.spec, engine.model_spec, engine.paths.models) else " "
        state = "ready" if choice.available else "missing"
        note = f" ({choice.note})" if choice.note else ""
        print(f" {mark} {choice.kind:<10} {state:<7} {choice.spec}{note}")
    return 0


def _model_said(spec: str) -> str:
    """A model as the app's status bar names it too (:func:`shown_name`), and where it is when it
    is a folder named by its path (an adopted fine-tune's is absolute)."""
    name = shown_name(spec)
    return name if name == spec else f"{name} ({spec})"


def _same_model(listed: str, active: str, models: Path) -> bool:
    """Whether two specs name one model: an adopted fine-tune is active by its absolute folder and
    listed by its name in the models folder."""
    if listed == active:
        return True
    try:
        return resolve_checkpoint(listed, models) == resolve_checkpoint(active, models)
    except (ModelLoadError, ValueError):  # a clap: id or a missing folder names no folder here
        return False


def cmd_finetune(engine: Engine, args) -> int:
    with _StopOnInterrupt() as stop:
        return finetune_console.run(engine, args, stop.requested)


def cmd_status(engine: Engine, args) -> int:
    status = engine.status()
    waiting = finetune_console.waiting_run(engine.finetuner.status())
    if args.json:
        _print_json({**_jsonable(status), "finetune_waiting": waiting})
        return 0
    print(f"data: {status.data_dir}")
    print(f"model: {_model_said(status.model_spec)}")
    print(f"files: {status.files} searchable, {status.errors} failed, {status.offline} offline")
    for folder in status.folders:
        state = "online" if folder.online else "MISSING (moved, renamed or deleted?)" if folder.missing else "OFFLINE"
        offline = f", {folder.offline} offline" if folder.offline else ""
        print(f"  {_shown(folder.path)}  [{state}] {counted(folder.files, 'file')}, {folder.errors} failed{offline}")
    if not status.folders:
        print("no folders yet: `earmark add-folder DIR`")
    if status.indexed_models:  # each model's are kept: switching back to one embeds nothing again
        kept = (
            f"{name} ({counted(len(engine.store.embeddings(name).file_ids()), 'file')})"
            for name in status.indexed_models
        )
        print("sound vectors kept for: " + ", ".join(sorted(kept)))
    for space in status.likeness_spaces:  # find similar's, shared by the models that hear in it
        print(f"likeness vectors (find similar): {counted(len(engine.store.embeddings(space).file_ids()), 'file')}")
    if waiting:
        print(waiting.line)
    return 0


COMMANDS = {
    "add-folder": cmd_add_folder,
    "remove-folder": cmd_remove_folder,
    "index": cmd_index,
    "watch": cmd_watch,
    "search": cmd_search,
    "similar": cmd_similar,
    "info": cmd_info,
    "models": cmd_models,
    "finetune": cmd_finetune,
    "status": cmd_status,
}
COMMANDS.update(tagging_console.COMMANDS)


# -- output ---------------------------------------------------------------------------


def _filters(args) -> SearchFilters:
    return SearchFilters(
        min_duration_s=args.min_duration,
        max_duration_s=args.max_duration,
        sample_rate=args.sample_rate,
        channels=args.channels,
        format=args.format,
        folder=str(Path(args.folder).expanduser().resolve()) if args.folder else None,
        tag=args.tag,
        include_offline=not args.online_only,
    )


def _print_hits(
    hits: list[SearchHit], args, sound_depth: int = 0, ranked: bool = True, nothing_close: bool | None = None
) -> int:
    """The hits as lines, JSON or --explain lines (``sound_depth``: SearchResults.sound_depth).
    ``ranked`` False: a browse (no words to rank by), whose hits carry the 0 nobody measured: they
    are listed without a score, as the app's Match column shows none, and with nothing to explain.
    ``nothing_close``: a search's SearchResults.nothing_close, where the scores rank the hits among
    themselves only (the best 100 however weak where the sound alone ranked them): the lines show
    :data:`NEAREST_SHOWN` for them, as the app's Match column does, and --json keeps them, each hit
    saying ``nothing_close`` beside them. None: find similar, whose scores say how alike two sounds
    are, with no such rule."""
    if args.json:
        _print_json(_listed(hits, nothing_close))
        return 0
    if not hits:
        print("no matches")
    for rank, hit in enumerate(hits, 1):
        if ranked and getattr(args, "explain", False):
            print(f"{rank:>3}. {describe_hit(hit, sound_depth, nearest=bool(nothing_close))}")
            print(f"      {_shown(hit.path)}")
            continue
        moment = f"  @{moment_said(hit.best_start_s, hit.best_end_s)}s" if hit.best_start_s is not None else ""
        duration = f"{in_seconds(hit.duration_s)}s" if hit.duration_s is not None else "?"
        offline = f"  [offline: {_shown(hit.folder)} is not connected]" if hit.status == OFFLINE else ""
        score = "" if not ranked else f"{NEAREST_SHOWN:>3}  " if nothing_close else f"{hit.score:3.0f}  "
        print(f"{rank:>3}. {score}{_shown(hit.path)}  ({duration}){moment}{offline}")
        if said := described(hit.metadata_text, Path(hit.path).name):  # as the app's Description column
            print(f"           {said}")
        for copy in hit.copies[:COPIES_SHOWN]:
            print(f"           copy: {_shown(copy)}")
        if len(hit.copies) > COPIES_SHOWN:
            print(f"           ... and {len(hit.copies) - COPIES_SHOWN} more copies (--json lists them all)")
    return 0


def _summary(report: IndexReport) -> str:
    return f"{counted(report.scanned, 'file')}, {report.summary()} in {report.seconds:.1f} s"


def _listed(hits: list[SearchHit], nothing_close: bool | None) -> list[dict]:
    """The hits as JSON values, each saying ``nothing_close`` where that is known (see :func:`_print_hits`)."""
    listed = _jsonable(hits)
    return listed if nothing_close is None else [{**hit, "nothing_close": nothing_close} for hit in listed]


def _print_json(value) -> None:
    print(json.dumps(_jsonable(value), indent=2, default=str))


def _jsonable(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _shown(path: str) -> str:
    """A path printable on any terminal: bytes that are not UTF-8 appear as \\x escapes."""
    return path_key(path)


def _switch_progress(job) -> None:
    print(f"\rembedding with {job.spec}: {job.done}/{job.total}", end="", file=sys.stderr, flush=True)


class _ProgressBar:
    """One tqdm bar per indexing phase, on stderr."""

    def __init__(self):
        self.bar = None
        self.phase = ""

    def update(self, progress: IndexProgress) -> None:
        from tqdm import tqdm

        if not progress.total:  # scanning: nothing to count yet
            return
        if progress.phase != self.phase:
            self.close()
            self.phase = progress.phase
            self.bar = tqdm(
                total=progress.total, desc=progress.phase, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False
            )
        self.bar.total = progress.total
        self.bar.set_postfix_str(f"{progress.errors} failed" if progress.errors else "", refresh=False)
        # update() redraws at most every 0.1 s; a redraw per file floods a piped log.
        self.bar.update(progress.done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _StopOnInterrupt:
    """Ctrl-C asks the running job to stop at the next safe point instead of killing it."""

    def __init__(self):
        self.event = threading.Event()
        self.previous = None

    def requested(self) -> bool:
        return self.event.is_set()

    def _interrupted(self, number, frame) -> None:
        if self.event.is_set():  # asked twice: stop now (the index is crash-safe)
            signal.default_int_handler(number, frame)
        self.event.set()
        print("\nstopping at the next safe point (Ctrl-C again stops at once)", file=sys.stderr, flush=True)

    def __enter__(self) -> _StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._interrupted)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


if __name__ == "__main__":
    sys.exit(main())
