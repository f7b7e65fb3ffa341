"""The tagging commands of ``earmark``: the terminal twins of the app's tags panel.

    earmark vocab list | import FILE [--name NAME] | remove NAME
    earmark tag PATH... [--captions] [--restart]      earmark tag --resume
    earmark suggestions PATH... [--threshold P] [--top-k K]   earmark suggestions --rejected [PATH...]
    earmark accept PATH... [--tag KEY]... [--min-confidence P] [--caption [--replace-caption]]
    earmark reject PATH... [--tag KEY]... [--min-confidence P] [--caption]
    earmark accept --undo | reject --undo             (takes the last accept or reject back)
    earmark unreject PATH... [--tag KEY]... [--caption]  (rejected suggestions offered again)
    earmark add-tags "TAG, TAG" PATH...               earmark remove-tags "TAG" PATH...
    earmark rename PATH... [--creator ID] [--source ID] [--apply]     earmark rename --undo
    earmark export PATH... OUT [--json]               (tagged copies: WAV bext/iXML, Vorbis comments, ID3)

PATH is a library file or folder (a folder stands for every file under it). Ctrl-C stops a
tagging job at the end of a batch; ``earmark tag`` with the same paths (or ``--resume``)
continues it, and so does a job that was killed outright.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

import numpy as np

from engine.arguments import count, probability
from engine.fs import absolute_path
from engine.index.suggestions import CAPTION
from engine.plural import counted
from engine.tagging import export, rename, unlisted
from engine.tagging.calibration import UNMEASURED
from engine.tagging.jobs import VOCABULARY, TagProgress, TagReport
from engine.tagging.priors import pack_shares
from engine.tags import nearest_tag, parse_tags

INTERRUPTED = 130
SHARES_SHOWN = 3  # the most common categories of each top folder a tagging summary names
PACKS_SHOWN = 4  # the top folders it names them of, the largest first
# The steps an accept or a reject that found nothing to act on names: its threshold is
# --min-confidence, and a lower one accepts or rejects the suggestions shown above it (it shows none)
ACTING = {
    verb: replace(unlisted.COMMAND_LINE, lower=f"lower --min-confidence to {verb} those above it")
    for verb in ("accept", "reject")
}


def add_commands(commands) -> None:
    """Add the tagging subcommands to ``earmark``'s subparsers."""
    vocab = commands.add_parser("vocab", help="the vocabularies tags are suggested from (UCS and your own)")
    action = vocab.add_subparsers(dest="vocab_command", required=True, metavar="ACTION")
    listing = action.add_parser("list", help="list them")
    listing.add_argument("--json", action="store_true")
    imported = action.add_parser(
        "import",
        help="import the UCS list (JSON, or its spreadsheet as .xlsx or CSV) or your own vocabulary "
        "(a spreadsheet with a tag column, or JSON)",
    )
    imported.add_argument("file")
    imported.add_argument("--name", help="name of a user vocabulary (default: the file name)")
    removed = action.add_parser("remove", help="forget an imported vocabulary")
    removed.add_argument("name")

    tag = commands.add_parser(
        "tag",
        help="suggest tags (and captions) for files or folders, in the background "
        "of your own tags: nothing is applied until you accept it",
    )
    tag.add_argument("paths", nargs="*", metavar="PATH")
    tag.add_argument("--captions", action="store_true", help="also write a caption with the model's decoder")
    tag.add_argument("--restart", action="store_true", help="start over instead of resuming an unfinished job")
    tag.add_argument("--resume", action="store_true", help="finish the unfinished job")
    tag.add_argument("--json", action="store_true")

    shown = commands.add_parser("suggestions", help="the suggested tags and captions of files or folders")
    shown.add_argument("paths", nargs="*", metavar="PATH")
    shown.add_argument(
        "--rejected", action="store_true", help="the rejected ones instead (of the whole library, without PATH)"
    )
    shown.add_argument("--threshold", type=probability, help="hide tags below this confidence (default: settings)")
    shown.add_argument("--top-k", type=count, help="tags shown per vocabulary (default: settings)")
    shown.add_argument("--json", action="store_true")

    accept = commands.add_parser("accept", help="add the shown suggestions to the files' own tags")
    reject = commands.add_parser(
        "reject", help="hide suggestions (re-tagging never offers them back; `earmark unreject` does)"
    )
    for command, verb in ((accept, "accept"), (reject, "reject")):  # both act on the suggestions shown
        command.add_argument("paths", nargs="*", metavar="PATH")
        command.add_argument("--undo", action="store_true", help=f"take the last {verb} back (no PATH)")
        command.add_argument(
            "--tag",
            action="append",
            metavar="KEY",
            help="only this suggestion (CatID or tag), for the files it is shown for; "
            f"add --min-confidence 0 to {verb} it where it is hidden too",
        )
        command.add_argument(
            "--min-confidence",
            type=probability,
            help="instead of the threshold in the settings (with --tag, also past the top-k)",
        )
    accept.add_argument("--caption", action="store_true", help="the suggested caption too, where a file has none")
    accept.add_argument("--replace-caption", action="store_true", help="even over the file's own caption")
    reject.add_argument("--caption", action="store_true", help="the suggested caption too")
    unreject = commands.add_parser("unreject", help="offer rejected suggestions again (`suggestions --rejected`)")
    unreject.add_argument("paths", nargs="+", metavar="PATH")
    unreject.add_argument("--tag", action="append", metavar="KEY", help="only this rejected tag (CatID or tag)")
    unreject.add_argument("--caption", action="store_true", help="the rejected captions too")

    for name, verb in (("add-tags", "add tags to"), ("remove-tags", "remove tags from")):
        edit = commands.add_parser(name, help=f"{verb} many files at once")
        edit.add_argument("tags", help='comma separated: "door, wood"')
        edit.add_argument("paths", nargs="+", metavar="PATH")

    renaming = commands.add_parser(
        "rename",
        help="propose UCS names (CatID_FXName_CreatorID_SourceID); renames only with --apply, undone by --undo",
    )
    renaming.add_argument("paths", nargs="*", metavar="PATH")
    renaming.add_argument(
        "--creator",
        help="your CreatorID (initials or ID), for the names without one: --apply refuses without it "
        "(a UCS name keeps its own)",
    )
    renaming.add_argument(
        "--source", help="SourceID block (default: a UCS name's own, else the file's first folder in the library)"
    )
    renaming.add_argument("--apply", action="store_true", help="rename the files (the index follows them)")
    renaming.add_argument("--undo", action="store_true", help="rename the last renamed files back")
    copy = commands.add_parser(
        "export",
        aliases=["bwf-copy"],
        help="copy the files of PATHs that carry your tags or caption into the folder OUT, with them in "
        "their metadata (WAV: bext/iXML; FLAC, Ogg, Opus: Vorbis comments; MP3, AIFF: ID3), the folders "
        "mirrored; the originals are never changed, an existing file never overwritten",
    )
    copy.add_argument("paths", nargs="+", metavar="PATH", help="library files or folders")
    copy.add_argument(
        "out",
        metavar="OUT",
        help="a folder outside the library (made if need be); for one FILE, also a new file name with its extension",
    )
    copy.add_argument("--json", action="store_true")


def _cli():
    import engine.cli as cli  # the shared output helpers; imported late, engine.cli imports this module

    return cli


def cmd_vocab(engine, args) -> int:
    tagging = engine.tagging
    if args.vocab_command == "import":
        vocabulary = tagging.import_vocabulary(args.file, args.name)
        kind = "the UCS list" if vocabulary.is_ucs else f"vocabulary {vocabulary.name!r}"
        print(f"imported {kind}: {len(vocabulary.terms)} terms in {len(vocabulary.categories)} categories")
        return 0
    if args.vocab_command == "remove":
        tagging.remove_vocabulary(args.name)
        print(f"removed {args.name}")
        return 0
    vocabularies = tagging.vocabularies()
    if args.json:
        _cli()._print_json(
            [
                {"name": v.name, "terms": len(v.terms), "categories": len(v.categories), "source": v.source}
                for v in vocabularies
            ]
        )
        return 0
    for v in vocabularies:
        print(f"{v.name:<16} {len(v.terms):>5} terms {len(v.categories):>4} categories  {v.source or '(shipped)'}")
    return 0


def _in_library(engine, paths: list[str]) -> list[str]:
    """``paths`` less those naming nothing in the library, each of which a warning on stderr names;
    a KeyError (the CLI's exit status 1) when none is left. Every command taking PATH... asks this
    first, so all of them say alike what they pass over."""
    missing = engine.tagging.not_in_library(paths)
    kept = [p for p in paths if absolute_path(p) not in missing]
    if not kept and len(missing) == 1:
        raise KeyError(next(iter(missing.values())))
    for why in missing.values():
        print(f"earmark: {why}; skipped", file=sys.stderr)
    if not kept:
        raise KeyError("none of these files is in the library")
    return kept


def cmd_tag(engine, args) -> int:
    cli = _cli()
    pending = engine.tagging.pending_job()
    if not args.paths and not args.resume:
        raise ValueError("name files or folders to tag, or --resume the unfinished job")
    paths = [] if args.resume else _in_library(engine, args.paths)
    captions = args.captions and _captions_possible(engine)
    if pending is not None and not args.restart:
        print(
            f"resuming the unfinished job over {', '.join(map(cli._shown, pending.targets))}"
            if args.resume or pending.same_work(engine.model_info.name, [absolute_path(p) for p in paths], captions)
            else "an unfinished job over other files is dropped; this one starts now",
            file=sys.stderr,
        )
    if not engine.tagging.vocabularies_ready():  # said before the bar, which counts each one's texts
        print("reading the vocabularies with this model first (once per model and vocabulary)", file=sys.stderr)
    with _Progress() as bar, cli._StopOnInterrupt() as stop:
        if args.resume:
            report = engine.tagging.resume(bar.update, stop.requested)
            if report is None:
                print("no unfinished tagging job")
                return 0
        else:
            report = engine.tagging.tag(paths, captions, bar.update, stop.requested, args.restart)
    if args.json:
        cli._print_json(report)
    else:
        print(_summary(report))
        for path, problem in report.problems.items():
            print(f"  {cli._shown(path)}: {problem}")
    if report.stopped:
        print("stopped; `earmark tag --resume` continues it", file=sys.stderr)
        return INTERRUPTED
    return 0


def _captions_possible(engine) -> bool:
    """Whether the active model's captions can be asked for; where not, why is said once (before
    the vocabularies' long read) and the files are tagged all the same: refusing the whole command
    over the captions left the files without tags too."""
    if problem := engine.tagging.caption_problem():
        print(f"{problem}; tagging without captions", file=sys.stderr)
    return not problem


def _summary(report: TagReport) -> str:
    parts = [f"{counted(report.tagged, 'file')} tagged"]
    if report.resumed_from:
        parts.append(f"{report.resumed_from} done before")
    if report.captioned:
        parts.append(f"{report.captioned} captioned")
    if report.captions_unsure:
        parts.append(f"{counted(report.captions_unsure, 'caption')} too unsure to show")
    if report.without_sound:
        parts.append(f"{report.without_sound} by their words only (not embedded yet: `earmark index`)")
    summary = ", ".join(parts) + f" in {report.seconds:.1f} s; `earmark suggestions PATH` shows them"
    return summary + _nudged(report)


def _nudged(report: TagReport) -> str:
    """The line saying what each pack's category shares did to a job's suggestions, "" when they
    did nothing. "named files weighed by what the library holds (most: ANIMALS 4%, …)" did not say
    what the percentages were, and they are no count a user could check: pseudo-files hold them
    near even (engine/tagging/priors.py: 20 door files of 32 read "DOORS 2%"). What they do is
    make a category more readily suggested, by share / (1 / categories): that is said, for each
    top folder (a pack, engine/tagging/priors.py), the largest first: one line for the whole
    library said "VOICES 14.4×" of a library where one package of 20 was voices (review 19)."""
    categories, shares = list(report.shares), np.array(list(report.shares.values()))
    said = []
    for pack, entry in sorted(report.packs.items(), key=lambda item: -item[1][0]):
        times = (pack_shares(shares, entry, categories) * len(categories)).round(1).tolist()
        most = sorted(zip(times, categories, strict=False), reverse=True)
        most = [(more, category) for more, category in most[:SHARES_SHOWN] if more > 1]  # no "1.0×"
        if most:
            said.append(f"{os.path.basename(pack) or pack}: " + ", ".join(f"{c} {m:.1f}×" for m, c in most))
    if not said:
        return ""
    shown = "; ".join(said[:PACKS_SHOWN]) + (f"; {len(said) - PACKS_SHOWN} more" if len(said) > PACKS_SHOWN else "")
    return (
        f"\nsuggestions nudged towards what each top folder holds most, as many times as readily as by sound and "
        f"name alone ({shown}) and towards what each sound's folder holds"
    )


def cmd_suggestions(engine, args) -> int:
    cli = _cli()
    if args.rejected:
        return _print_rejected(engine, args)
    if not args.paths:
        raise ValueError("name files or folders, or add --rejected to list the rejected suggestions")
    found = engine.tagging.suggestions(_in_library(engine, args.paths), args.threshold, args.top_k)
    if not all(item.measured for item in found.values()):
        print(UNMEASURED, file=sys.stderr)  # stderr: --json stays parseable, and says it per file ("measured")
    if args.json:
        cli._print_json(found)
        return 0
    why_none = engine.tagging.why_unlisted(found, unlisted.COMMAND_LINE, args.threshold)  # as the tags panel says it
    for path, item in found.items():
        print(cli._shown(path))
        for s in item.tags:
            print(f"  {s.said:>5}  {s.value:<28} {s.key:<12} ({s.vocabulary}, {s.evidence})")
        if item.caption is not None:
            print(f"  {item.caption.said:>5}  caption: {item.caption.value}")
        if path in why_none:
            print(f"  {why_none[path]}")
    return 0


def _print_rejected(engine, args) -> int:
    cli = _cli()
    found = engine.tagging.rejected(_in_library(engine, args.paths) if args.paths else None)
    if args.json:
        cli._print_json(found)
        return 0
    for path, items in found.items():
        print(cli._shown(path))
        for s in items:
            what = f"caption: {s.value}" if s.kind == CAPTION else f"{s.value:<28} {s.key:<12} ({s.vocabulary})"
            print(f"  {s.said:>5}  {what}")
    if not found:
        print("no rejected suggestions")
    else:
        print("`earmark unreject PATH [--tag KEY] [--caption]` offers them again")
    return 0


def _undo_only(args, verb: str) -> None:
    """``--undo`` takes back the last accept or reject, whichever files it was: a PATH with it
    would read as undoing it for those files alone."""
    if args.paths:
        raise ValueError(f"--undo takes back the whole last {verb}: name no PATH")


def cmd_accept(engine, args) -> int:
    if args.undo:
        _undo_only(args, "accept")
        return _undo_accept(engine)
    if not args.paths:
        raise ValueError("name files or folders to accept suggestions for, or --undo the last accept")
    paths = _in_library(engine, args.paths)
    if args.tag is None and args.min_confidence is None and not engine.tagging.measured():
        # as the panel checks no line of such a model: its numbers order its guesses, no threshold sorts them
        raise ValueError(f"{UNMEASURED}: name the tags to accept (--tag), or a --min-confidence to accept above")
    report = engine.tagging.accept(paths, args.tag, args.min_confidence, args.caption, args.replace_caption)
    print(report.summary(args.caption) + ("; `earmark accept --undo` undoes it" if report.added else ""))
    if report.captions_kept:
        print(f"{counted(len(report.captions_kept), 'file')} kept their own caption (--replace-caption replaces it)")
    if not report.added and (why := _why_none_acted_on(engine, paths, args, "accept")):
        print(why)
    return 0


def _undo_accept(engine) -> int:
    undone = engine.tagging.undo_accept()
    print(undone.summary())
    for path in undone.captions_kept:
        print(f"{_cli()._shown(path)}: its caption was edited since, so it is kept")
    return 0


def cmd_reject(engine, args) -> int:
    if args.undo:
        _undo_only(args, "reject")
        print(f"{counted(engine.tagging.undo_reject(), 'suggestion')} offered again")
        return 0
    if not args.paths:
        raise ValueError("name files or folders to reject suggestions for, or --undo the last reject")
    paths = _in_library(engine, args.paths)
    rejected = engine.tagging.reject(paths, args.tag, args.caption, args.min_confidence)
    print(f"{counted(rejected, 'suggestion')} rejected" + ("; `earmark reject --undo` undoes it" if rejected else ""))
    if not rejected and (why := _why_none_acted_on(engine, paths, args, "reject")):
        print(why)
    return 0


def _why_none_acted_on(engine, paths: list[str], args, verb: str) -> str:
    """Why an accept or a reject (``verb``) found nothing to act on, in the words of the tags panel
    and ``earmark suggestions``: "0 suggestions rejected" or "0 tags added" alone left the user
    guessing (all under the threshold? not tagged yet? accepted already?), and ``--undo`` then had
    nothing to undo. "" where the command said why itself (an accept keeping the files' own
    captions, the only suggestions shown)."""
    if why := engine.tagging.listing(paths, ACTING[verb], args.min_confidence)[1]:
        return why
    if args.tag:  # suggestions are shown, none of them named
        meant = _tags_meant(engine, paths, args)
        return f"None of the suggestions shown is {meant}: `earmark suggestions PATH` lists them"
    if not args.caption:  # the one thing left shown
        return f"Only captions are suggested for these files: --caption {verb}s them"
    return ""


def _tags_meant(engine, paths: list[str], args) -> str:
    """The ``--tag`` keys named, each with the suggestion shown that it most likely misspells
    ("FIGHT-IMPCT (did you mean FIGHT-IMPACT?)"), where one is near."""
    shown = {s.value for found in engine.tagging.suggestions(paths, args.min_confidence).values() for s in found.tags}
    meant = ((typed, nearest_tag(typed, shown)) for typed in args.tag)
    return ", ".join(f"{typed} (did you mean {near}?)" if near else typed for typed, near in meant)


def cmd_unreject(engine, args) -> int:
    offered = engine.tagging.unreject(_in_library(engine, args.paths), args.tag, args.caption)
    if not offered:
        print("no rejected suggestions to offer again" + ("" if args.caption else " (--caption: captions too)"))
        return 0
    print(
        f"{counted(offered, 'rejected suggestion')} offered again; `earmark suggestions PATH` shows them"
        " (`earmark tag PATH` first for those another model made)"  # rejections hold across models; guesses do not
    )
    return 0


def cmd_add_tags(engine, args) -> int:
    added = engine.tagging.add_tags(_in_library(engine, args.paths), parse_tags(args.tags))
    print(f"{counted(added, 'tag')} added")
    return 0


def cmd_remove_tags(engine, args) -> int:
    removed = engine.tagging.remove_tags(_in_library(engine, args.paths), parse_tags(args.tags))
    print(f"{counted(removed, 'tag')} removed")
    return 0


def cmd_rename(engine, args) -> int:
    cli = _cli()
    if args.undo:
        undone = engine.tagging.undo_rename()
        for plan in undone.renamed_back:
            print(f"{cli._shown(plan.new)} -> {os.path.basename(plan.old)}")
        for path, reason in undone.waiting.items():
            print(f"{cli._shown(path)}: not renamed back, {reason}")
        print(f"{counted(len(undone.renamed_back), 'file')} renamed back")
        return 1 if undone.waiting else 0
    if not args.paths:
        raise ValueError("name files or folders to rename, or --undo")
    creator = rename.id_block(args.creator or "")  # all underscores is none, as in the dialog
    plans, skipped = engine.tagging.rename_plan(
        _in_library(engine, args.paths), creator or None, args.source, weak_step=rename.ACCEPT_FIRST
    )
    for plan in plans:
        print(f"{cli._shown(plan.old)}\n    -> {os.path.basename(plan.new)}  (CatID {rename.cat_id_from(plan)})")
    for path, reason in skipped.items():
        print(f"{cli._shown(path)}: not renamed, {reason}")
    if not plans:
        print("nothing to rename")
        return 0
    missing = "" if creator else _creator_missing(plans)
    if missing and args.apply:
        raise ValueError(f"{missing}; nothing renamed")
    if not args.apply:
        step = f"{missing} and add --apply" if missing else "add --apply to rename them"
        print(f"{counted(len(plans), 'file')} would be renamed; {step}")
        return 0
    engine.tagging.rename(plans)
    print(f"{counted(len(plans), 'file')} renamed; `earmark rename --undo` renames them back")
    return 0


def _creator_missing(plans: list[rename.RenamePlan]) -> str:
    """What a rename without a CreatorID says when a name planned needs one (its file's name has
    none of its own), as the rename dialog says it: the CLI took the login name for it, which is
    not who recorded the sounds. "" when none does."""
    needing = sum(plan.needs_creator for plan in plans)
    if not needing:
        return ""
    which = "" if needing == len(plans) else f" for the {counted(needing, 'file')} with none in the name"
    return f"rename needs a CreatorID{which}: give yours with --creator ID"


def cmd_export(engine, args) -> int:
    """Exit status 1 when a file could not be copied (the others were written)."""
    report = engine.tagging.export_tagged_copies(_in_library(engine, args.paths), args.out)
    if args.json:
        _cli()._print_json(report)
    else:
        for line in export.problems(report):
            print(line)
        print(export.summary(report))
    return 1 if report.failed else 0


COMMANDS = {
    "vocab": cmd_vocab,
    "tag": cmd_tag,
    "suggestions": cmd_suggestions,
    "accept": cmd_accept,
    "reject": cmd_reject,
    "unreject": cmd_unreject,
    "add-tags": cmd_add_tags,
    "remove-tags": cmd_remove_tags,
    "rename": cmd_rename,
    "export": cmd_export,
    "bwf-copy": cmd_export,  # its name before it wrote other formats and folders
}


# A vocabulary's bar says no time left: its prompts cost many times what its names do (the builtin
# model on two busy cores: UCS's 2,928 prompts in 5 min 1 s, then its 10,742 names in 57 s), so a
# time from the rate so far said "29:34" left with a minute to go.
VOCABULARY_BAR = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}, {rate_fmt}]"


class _Progress:
    """A tqdm bar on stderr for a tagging job: one per phase, and one per vocabulary read, which
    counts its texts ("reading the UCS vocabulary: 3200/13670 phrase"): a bar at 0 for minutes
    said nothing of how far along the read was (review 18, M8)."""

    def __init__(self):
        self.bar = None

    def update(self, progress: TagProgress) -> None:
        from tqdm import tqdm

        vocabulary = progress.phase == VOCABULARY
        desc = f"reading the {progress.path} vocabulary" if vocabulary else progress.phase.lower()
        if self.bar is None or self.bar.desc != desc:
            if self.bar is not None:
                self.bar.close()
            self.bar = tqdm(
                total=progress.total,
                initial=0,
                desc=desc,
                unit="phrase" if vocabulary else "file",
                bar_format=VOCABULARY_BAR if vocabulary else None,
                file=sys.stderr,
                dynamic_ncols=True,
                leave=False,
            )
        self.bar.update(progress.done - self.bar.n)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.close()
