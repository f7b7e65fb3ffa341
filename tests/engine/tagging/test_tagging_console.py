"""The tagging commands of `earmark`, in-process through main(): the CLI twins of the tags panel."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from engine.cli import main
from engine.facade import Engine
from engine.paths import app_paths
from engine.plural import counted
from engine.tagging import calibration
from engine.tagging.calibration import UNMEASURED
from engine.tagging.console import INTERRUPTED
from engine.tagging.jobs import BATCH
from engine.tagging.service import TAGS_NAMED
from tests.engine.tagging.conftest import NAMED, door_shelf, measured_as_is
from tests.factories import tone, write_audio

EARMARK = Path(sys.executable).with_name("earmark")
MORE = 8 * BATCH  # files added to the named library for the Ctrl-C test: enough batches to stop between
SOUNDS = ("door_creak", "glass_smash", "dog_bark", "rain_heavy", "wind_howl", "car_engine", "church_bell", "laser_shot")
STOP_BOUND_S = 60  # the job ends this long after Ctrl-C at most (one batch: a second or so)


@pytest.fixture
def cli(tmp_path, tiny_checkpoint, tiny_term_cache, named_library, capsys, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(tiny_term_cache, home / "cache" / "tagging")

    def run(*args) -> tuple[int, str, str]:
        code = main(["--home", str(home), "--model", str(tiny_checkpoint), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("add-folder", named_library)[0] == 0 and run("index")[0] == 0
    run.home, run.model = home, tiny_checkpoint
    with Engine(app_paths(home), str(tiny_checkpoint)) as engine:
        measured_as_is(monkeypatch, engine.model_info.name, tmp_path)  # or every command says it was not
    return run


class Stderr:
    """A process's stderr, read as it comes in a thread of its own: a tqdm bar redraws itself with
    carriage returns, never a newline, so reading lines would wait for the end of the job."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.text = b""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read1(4096), b""):
            self.text += chunk

    def wait_for(self, pattern: bytes, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            assert self.process.poll() is None, self.text[-2000:]
            assert time.monotonic() < deadline, f"no {pattern!r} on stderr in {timeout} s"
            time.sleep(0.05)

    def all(self) -> str:
        """Everything, once the process has ended."""
        self.reader.join()
        return self.text.decode(errors="replace")


def test_vocabularies_import_list_and_refuse_bad_files(cli, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    assert cli("vocab", "import", mine, "--name", "sfx") == (
        0,
        "imported vocabulary 'sfx': 2 terms in 2 categories\n",
        "",
    )
    code, out, _ = cli("vocab", "list", "--json")
    assert code == 0 and [(v["name"], v["terms"]) for v in json.loads(out)] == [("ucs", 752), ("sfx", 2)]
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    code, _, err = cli("vocab", "import", broken)
    assert code == 1 and str(broken) in err and "not valid JSON" in err
    assert cli("vocab", "remove", "sfx")[0] == 0 and "sfx" not in cli("vocab", "list")[1]


def test_the_first_job_with_a_vocabulary_says_it_reads_it_first(cli, named_library, tmp_path):
    """The term embeddings of a new vocabulary take minutes for UCS under load, and the bar sat at
    0 meanwhile under a promise of "a minute or two" (review 18, M8): its bar counts its texts."""
    code, _, err = cli("tag", named_library / "dog_bark.wav")
    assert code == 0 and "reading the vocabularies" not in err  # UCS read before (the fixture's cache)
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    cli("vocab", "import", mine)
    code, _, err = cli("tag", named_library / "dog_bark.wav")
    assert code == 0 and "reading the vocabularies with this model first" in err and "minute" not in err
    assert re.search(r"reading the mine vocabulary: +\d+%.* 0/\d+ .*phrase", err)  # its bar, drawn at its start
    again = cli("tag", named_library / "dog_bark.wav", "--restart")[2]
    assert "reading the vocabularies" not in again and "vocabulary:" not in again


def test_tag_captions_with_a_model_whose_captions_are_vetoed_tags_without_them(cli, named_library, tmp_path):
    """The tiny model was never measured and the shipped builtin's captions were measured less
    useful than none. Review 8: `tag PATH --captions` refused the whole command, and the files got
    no tags either. They are tagged, and why there are no captions is said once, in the words the
    app's greyed captions option shows, before the vocabularies' long read."""
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\n", encoding="utf-8")
    cli("vocab", "import", mine)  # a vocabulary not read yet with this model
    dog = named_library / "dog_bark.wav"
    code, out, err = cli("tag", dog, "--captions")
    with Engine(app_paths(cli.home), str(cli.model)) as engine:
        problem = engine.tagging.caption_problem()
    assert code == 0 and out.startswith("1 file tagged") and "captioned" not in out
    assert problem and err.count(problem) == 1 and f"{problem}; tagging without captions\n" in err
    assert err.index(problem) < err.index("reading the vocabularies")
    assert "builtin_" not in err and "bench/" not in err
    found = json.loads(cli("suggestions", dog, "--threshold", "0", "--json")[1])[str(dog)]
    assert found["tags"] and found["caption"] is None
    assert "resuming" not in cli("tag", dog)[2]  # the job done was the one without captions: nothing to resume


def test_tag_suggest_accept_reject_and_bulk_edits(cli, named_library):
    code, out, _ = cli("tag", named_library)
    assert code == 0 and out.startswith(f"{len(NAMED)} files tagged")
    code, out, _ = cli("suggestions", named_library / "DOORWood_Slam Heavy_JD_TOWN.wav", "--json")
    found = json.loads(out)
    [(path, item)] = found.items()
    assert [(s["key"], s["confidence"], s["evidence"]) for s in item["tags"]] == [("DOORWood", 1.0, "catid")]
    dog = named_library / "dog_bark.wav"
    code, out, _ = cli("suggestions", dog, "--threshold", "0", "--top-k", "2")
    keys = [line.split()[2] for line in out.splitlines()[1:]]
    assert code == 0 and len(keys) == 2
    if keys[1] not in cli("suggestions", dog)[1]:  # hidden at the user's threshold: rejected only if asked
        assert cli("reject", dog, "--tag", keys[1]) == (
            0,
            "0 suggestions rejected\n"
            f"None of the suggestions shown is {keys[1]}: `earmark suggestions PATH` lists them\n",
            "",
        )
    assert cli("reject", dog, "--tag", keys[1], "--min-confidence", "0") == (
        0,
        "1 suggestion rejected; `earmark reject --undo` undoes it\n",
        "",
    )
    [value] = [
        s["value"] for s in json.loads(cli("suggestions", dog, "--json")[1])[str(dog)]["tags"] if s["key"] == keys[0]
    ]
    assert cli("accept", dog, "--tag", keys[0])[1] == f"Added {value} to 1 file; `earmark accept --undo` undoes it\n"
    _, out, _ = cli("info", dog)
    assert f"tags: {out.split('tags: ')[1].splitlines()[0]}".count(",") == 0  # one tag, the accepted one
    _, out, _ = cli("suggestions", dog, "--threshold", "0", "--top-k", "10")
    assert keys[0] not in out and keys[1] not in out
    assert cli("add-tags", "outdoor, keeper", named_library)[1] == f"{2 * len(NAMED)} tags added\n"
    assert cli("remove-tags", "keeper", dog)[1] == "1 tag removed\n"
    _, out, _ = cli("search", "keeper", "--json")
    assert len([h for h in json.loads(out) if h["text_rank"] is not None]) == len(NAMED) - 1


def tag_values(cli, path, *options: str) -> list[str]:
    """The tags ``earmark suggestions PATH`` shows for ``path``, as a file gets them."""
    _, out, _ = cli("suggestions", path, *options, "--json")
    return [s["value"] for s in json.loads(out)[str(path)]["tags"]]


def test_accept_names_the_tags_it_added_and_to_how_many_files(cli, named_library):
    """Review 8: `accept` said "15 tags added, 0 captions set": not which tags, and a caption count
    when no caption was asked for. It names the tags most given first, each with how many files
    got it, counts the others, and speaks of captions only when --caption asks for them."""
    door_shelf(named_library)  # files sharing tags
    cli("index")
    cli("tag", named_library)
    shown = json.loads(cli("suggestions", named_library, "--json")[1])
    given = Counter(s["value"] for item in shown.values() for s in item["tags"])
    assert max(given.values()) > 1 and len(given) > TAGS_NAMED  # the case under test
    code, out, _ = cli("accept", named_library)
    head, listed = out.removesuffix("; `earmark accept --undo` undoes it\n").split(": ", 1)
    tagged = sum(bool(item["tags"]) for item in shown.values())
    assert code == 0 and head == f"Added {counted(len(given), 'tag')} to {counted(tagged, 'file')}"
    named, more = re.fullmatch(r"(.*) and (\d+) more tags?", listed).groups()
    said = {
        tag: int(files.removesuffix(" files")) for tag, files in (part.rsplit(" to ", 1) for part in named.split(", "))
    }
    assert list(said.values()) == sorted(given.values(), reverse=True)[:TAGS_NAMED]  # the most given first
    assert all(given[tag] == files for tag, files in said.items()) and int(more) == len(given) - TAGS_NAMED
    top = next(iter(said))
    assert len(json.loads(cli("search", "", "--tag", top, "--json")[1])) == said[top]  # as many files carry it
    assert "caption" not in out

    dog = named_library / "dog_bark.wav"
    cli("accept", "--undo")
    [value] = tag_values(cli, dog)
    assert cli("accept", dog, "--caption")[1] == (
        f"Added {value} to 1 file; no caption set; `earmark accept --undo` undoes it\n"
    )


def test_a_tagging_summary_says_what_the_library_shares_did(cli, named_library):
    """Review 8: "named files weighed by what the library holds (most: ANIMALS 4%, CREATURES 2%, …)"
    did not say what the percentages were (the library's shares, held near even by pseudo-files:
    20 door files of 32 read "DOORS 2%"). The line says what they did: how many times as readily
    each category a top folder holds most is suggested there (review 19: one line for the whole
    library, "VOICES 14.4×", where one package of 20 was voices)."""
    door_shelf(named_library)
    cli("index")
    shares = json.loads(cli("tag", named_library, "--json")[1])["shares"]
    code, out, _ = cli("tag", named_library, "--restart")
    _, said = out.splitlines()  # one line of it
    assert code == 0 and max(shares, key=shares.get) == "DOORS"
    start = "suggestions nudged towards what each top folder holds most, as many times as readily as by sound and name "
    assert said.startswith(start + "alone (Doors: DOORS ") and said.endswith(
        ") and towards what each sound's folder holds"
    )
    packs = said[len(start + "alone (") : -len(") and towards what each sound's folder holds")].split("; ")
    assert [pack.split(":")[0] for pack in packs] == ["Doors", "library", "Footsteps"]  # the largest first
    times = [float(said.split("×")[0]) for said in packs[0].split(": ")[1].split(", ")[0].split(" ")[1:]]
    assert times[0] > 3 and packs[0].count("×") == 1  # the doors' DOORS, no other category over 1.0×


def suggested_keys(cli, path) -> list[str]:
    """The keys of every open tag suggestion of ``path``, most confident first."""
    _, out, _ = cli("suggestions", path, "--threshold", "0", "--top-k", "1000", "--json")
    return [s["key"] for s in json.loads(out)[str(path)]["tags"]]


def test_suggestions_say_why_a_file_lists_none_as_the_tags_panel_says_it(cli, named_library):
    """In the words of the tags panel (engine/tagging/unlisted.py), with the command that takes the
    step its button takes."""
    dog, bell = named_library / "dog_bark.wav", named_library / "church_bell_ring.wav"
    assert cli("suggestions", dog) == (0, f"{dog}\n  This sound is not tagged yet: `earmark tag` it\n", "")
    cli("tag", dog)
    hidden = len(suggested_keys(cli, dog))
    assert hidden and cli("suggestions", dog, bell, "--threshold", "1") == (
        0,
        f"{bell}\n  This sound is not tagged yet: `earmark tag` it\n"
        f"{dog}\n  Every suggestion for this sound is below 100 %: lower --threshold to see the {hidden} hidden\n",
        "",
    )


def test_suggestions_of_a_model_never_measured_say_so_once_on_stderr(cli, named_library, monkeypatch, tmp_path):
    """A fine-tune has no calibration entry: its confidences come from default weights (a wrong
    guess read 65 % where the measured builtin gave it 19 %). `earmark suggestions` says so in one
    line on stderr, and --json per file ("measured"), the listing itself as it was."""
    dog = named_library / "dog_bark.wav"
    cli("tag", dog)
    code, listed, err = cli("suggestions", dog)
    assert code == 0 and listed.startswith(str(dog)) and err == ""
    assert json.loads(cli("suggestions", dog, "--json")[1])[str(dog)]["measured"] is True
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", tmp_path / "none.json")  # no entry: as a fine-tune
    code, unmeasured, err = cli("suggestions", dog, named_library / "wind_howl.wav")
    assert code == 0 and err == UNMEASURED + "\n"
    code, found, err = cli("suggestions", dog, "--json")
    assert json.loads(found)[str(dog)]["measured"] is False and err == UNMEASURED + "\n"


def test_accept_of_a_model_never_measured_asks_which_tags(cli, named_library, monkeypatch, tmp_path):
    """The panel checks no line of a model whose confidences were never measured; `earmark accept`
    took every guess above the threshold as if they were chances. It asks for the tags, or a
    threshold the user gives, and adds nothing until then."""
    dog = named_library / "dog_bark.wav"
    cli("tag", dog)
    monkeypatch.setattr(calibration, "CALIBRATION_FILE", tmp_path / "none.json")  # no entry: as a fine-tune
    code, out, err = cli("accept", dog)
    assert code != 0 and UNMEASURED in err and "--tag" in err and "0 tags added" not in out
    with Engine(app_paths(cli.home), str(cli.model)) as engine:
        assert not engine.store.get_file(dog).tags
    code, out, _ = cli("accept", dog, "--min-confidence", "0")
    assert code == 0 and out.startswith("Added ") and "; `earmark accept --undo` undoes it" in out


def test_a_reject_that_finds_nothing_to_reject_says_why_as_the_tags_panel_does(cli, named_library):
    """Review 6, finding 6: "0 suggestions rejected" with no reason, then `reject --undo`: "there is
    no reject to undo". The reasons are the tags panel's, with the option reject takes."""
    dog = named_library / "dog_bark.wav"
    assert cli("reject", dog) == (0, "0 suggestions rejected\nThis sound is not tagged yet: `earmark tag` it\n", "")
    assert cli("reject", named_library)[1] == (
        f"0 suggestions rejected\nThese {len(NAMED)} sounds are not tagged yet: `earmark tag` them\n"
    )
    cli("tag", dog)
    assert suggested_keys(cli, dog) and cli("reject", dog, "--min-confidence", "1") == (
        0,
        "0 suggestions rejected\n"
        "Every suggestion for this sound is below 100 %: lower --min-confidence to reject those above it\n",
        "",
    )
    code, out, err = cli("reject", "--undo")
    assert (code, out) == (1, "") and "there is no reject to undo" in err


def test_the_advice_of_a_reject_that_found_nothing_rejects_when_taken(cli, named_library):
    """It said "lower --min-confidence to see the 12 hidden": a reject shows nothing, and a lower
    --min-confidence rejected the suggestions shown above it (the top few of each vocabulary), not
    the 12. Taken, the advice rejects what `earmark suggestions --threshold` lists at that value."""
    dog = named_library / "dog_bark.wav"
    cli("tag", dog)
    advice = cli("reject", dog, "--min-confidence", "1")[1].splitlines()[1]
    assert "to see" not in advice and advice.endswith("lower --min-confidence to reject those above it")
    listed = cli("suggestions", dog, "--threshold", "0")[1].splitlines()[1:]  # one line a tag
    assert listed and cli("reject", dog, "--min-confidence", "0")[1] == (
        f"{counted(len(listed), 'suggestion')} rejected; `earmark reject --undo` undoes it\n"
    )


def test_an_accept_that_finds_nothing_to_accept_says_why(cli, named_library, tmp_path):
    """`earmark accept` said "0 tags added, 0 captions set" (now "Nothing added") and no more, whatever the cause: not
    tagged yet, every suggestion under the threshold, accepted already, or none of the named
    ones shown. It says why as a reject does, its advice by accept's options, which work."""
    dog = named_library / "dog_bark.wav"
    nothing = "Nothing added\n"
    assert cli("accept", dog) == (0, nothing + "This sound is not tagged yet: `earmark tag` it\n", "")
    code, out, err = cli("accept", tmp_path / "elsewhere.wav")
    assert code == 1 and out == "" and "is not in the library" in err

    cli("tag", dog)
    assert cli("accept", dog, "--min-confidence", "1") == (
        0,
        nothing + "Every suggestion for this sound is below 100 %: lower --min-confidence to accept those above it\n",
        "",
    )
    assert cli("accept", dog, "--tag", "NOT-A-KEY") == (
        0,
        nothing + "None of the suggestions shown is NOT-A-KEY: `earmark suggestions PATH` lists them\n",
        "",
    )
    listed = tag_values(cli, dog, "--threshold", "0")
    said = cli("accept", dog, "--min-confidence", "0")[1]  # the advice, taken
    assert said.startswith(
        f"Added {counted(len(listed), 'tag')} to 1 file: " if len(listed) > 1 else f"Added {listed[0]}"
    )

    left = suggested_keys(cli, dog)  # those past each vocabulary's top k: rejected, nothing is left open
    if left:
        cli("reject", dog, *[arg for key in left for arg in ("--tag", key)], "--min-confidence", "0")
    assert cli("accept", dog, "--min-confidence", "0") == (
        0,
        nothing + "Every suggestion for this sound was accepted or rejected already\n",
        "",
    )


def test_the_last_accept_is_undone_and_a_rejection_is_taken_back(cli, named_library):
    """Each command opens the index anew, as a restart does: the undo is kept in it."""
    cli("tag", named_library)
    dog = named_library / "dog_bark.wav"
    cli("add-tags", "mine", dog)
    first, second = suggested_keys(cli, dog)[:2]
    assert cli("accept", dog, "--tag", first, "--min-confidence", "0")[1].endswith(
        "`earmark accept --undo` undoes it\n"
    )
    assert "tags: mine, " in cli("info", dog)[1]
    code, out, _ = cli("accept", "--undo")
    assert code == 0 and out.startswith("the last accept is undone on 1 file: 1 tag removed; 1 suggestion offered")
    assert "tags: mine\n" in cli("info", dog)[1] and first in suggested_keys(cli, dog)
    code, out, err = cli("accept", "--undo")
    assert (code, out) == (1, "") and "there is no accept to undo" in err
    assert cli("accept", "--undo", dog)[0] == 1  # the whole last accept, not some files of it

    cli("reject", dog, "--tag", second, "--min-confidence", "0")
    cli("tag", named_library, "--restart")
    assert second not in suggested_keys(cli, dog)
    code, out, _ = cli("suggestions", "--rejected")
    assert code == 0 and out.startswith(f"{dog}\n") and second in out
    assert cli("unreject", dog, "--tag", second)[1].startswith("1 rejected suggestion offered again")
    assert second in suggested_keys(cli, dog)
    assert cli("suggestions", "--rejected", named_library)[1] == "no rejected suggestions\n"
    cli("reject", dog, "--tag", second, "--min-confidence", "0")
    assert cli("reject", "--undo")[1] == "1 suggestion offered again\n" and second in suggested_keys(cli, dog)


def test_rename_is_a_dry_run_until_applied_and_undoable(cli, named_library):
    cli("tag", named_library)
    dog = named_library / "dog_bark.wav"
    cli("accept", dog, "--min-confidence", "0")
    code, out, _ = cli("rename", dog, "--creator", "JD", "--source", "TOWN")
    assert code == 0 and "add --apply" in out and dog.exists()
    code, out, _ = cli("rename", dog, "--creator", "JD", "--source", "TOWN", "--apply")
    new_name = out.splitlines()[1].strip().removeprefix("-> ").split("  (")[0]
    assert code == 0 and not dog.exists() and (named_library / new_name).is_file() and new_name.endswith("_JD_TOWN.wav")
    assert cli("rename", "--undo")[1].endswith("1 file renamed back\n") and dog.exists()
    code, _, err = cli("rename", "--undo")
    assert code == 1 and "no rename to undo" in err


def test_paths_not_in_the_library_are_named_and_the_others_go_on(cli, named_library, tmp_path):
    """A path that is not in the library is named on stderr, whichever command it was given to;
    alone it is an error (exit 1, nothing tagged), among others the rest go on."""
    dog, missing = named_library / "dog_bark.wav", tmp_path / "nonexistent" / "foo.wav"
    outside = write_audio(tmp_path / "outside.wav", tone(440, 0.5))
    gone = f"earmark: {missing} is not in the library: there is no such file or folder"
    code, out, err = cli("tag", missing)
    assert (code, out, err.strip()) == (1, "", gone)
    code, out, err = cli("tag", outside)
    assert (code, out, err.strip()) == (1, "", f"earmark: {outside} is not in the library")
    code, out, err = cli("tag", missing, outside)
    assert code == 1 and out == "" and f"{gone}; skipped" in err and f"{outside} is not in the library; skipped" in err
    assert "none of these files is in the library" in err
    code, out, err = cli("tag", dog, missing)
    assert code == 0 and out.startswith("1 file tagged") and f"{gone}; skipped\n" in err
    assert cli("tag", "--resume")[1] == "no unfinished tagging job\n"  # the job did not wait on the missing path
    code, out, err = cli("suggestions", missing, dog, "--threshold", "0")
    assert code == 0 and out.startswith(f"{dog}\n") and str(missing) not in out and f"{gone}; skipped" in err
    cli("accept", dog, "--min-confidence", "0")
    code, out, err = cli("rename", dog, outside, "--creator", "JD", "--source", "TOWN")
    assert (
        code == 0 and out.startswith(f"{dog}\n    -> ") and f"earmark: {outside} is not in the library; skipped" in err
    )
    for command in (["accept"], ["reject"], ["add-tags", "keeper"], ["remove-tags", "keeper"]):
        code, _, err = cli(*command, dog, missing)
        assert code == 0 and f"{gone}; skipped" in err, command
        assert cli(*command, missing)[0] == 1, command


def interrupt_once_tagging(command: list) -> tuple[int, str, str]:
    """Run ``command``, send it a real SIGINT once its first tagging batch is written, and give its
    (exit code, stdout, stderr)."""
    process = subprocess.Popen(list(map(str, command)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        stderr = Stderr(process)
        stderr.wait_for(rb"tagging:\s+\d+%")  # the tagging bar is drawn once the first batch is written
        process.send_signal(signal.SIGINT)
        process.wait(STOP_BOUND_S)  # raises TimeoutExpired if Ctrl-C is not heard
        return process.returncode, process.stdout.read().decode(), stderr.all()
    finally:
        process.kill()  # only one an assertion left running: a finished process is not signalled


@pytest.mark.slow
def test_ctrl_c_stops_earmark_tag_and_resume_finishes_it(cli, named_library):
    """Ctrl-C stops a job at the end of a batch with the shell's code for it, and `earmark tag
    --resume`, as the stop message says, tags the rest and nothing twice."""
    for i in range(MORE):
        write_audio(named_library / "more" / f"{SOUNDS[i % len(SOUNDS)]}_{i:03d}.wav", tone(200 + 5 * i, 0.5))
    assert cli("index")[0] == 0
    total = len(NAMED) + MORE
    code, out, err = interrupt_once_tagging([EARMARK, "--home", cli.home, "--model", cli.model, "tag", named_library])
    assert code == INTERRUPTED, err[-2000:]
    assert "stopping at the next safe point" in err and "stopped; `earmark tag --resume` continues it" in err
    first = int(re.match(r"(\d+) files tagged", out)[1])
    assert 0 < first < total and first % BATCH == 0  # whole batches only
    code, out, err = cli("tag", "--resume")
    assert code == 0 and "resuming the unfinished job" in err
    assert out.startswith(f"{total - first} files tagged, {first} done before")
    _, out, _ = cli("suggestions", named_library, "--threshold", "0", "--json")
    assert len(json.loads(out)) == total and all(item["tags"] for item in json.loads(out).values())
    assert cli("tag", "--resume")[1] == "no unfinished tagging job\n"
