"""Every `earmark` command, in-process through main() and through the installed script."""

from __future__ import annotations

import io
import itertools
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import engine.index.store as store_module
from engine.cli import main
from engine.index.migrations import VERSION_KEY
from engine.index.schema import SCHEMA_VERSION
from engine.index.store import LibraryStore
from engine.paths import app_paths
from tests.engine.index.index_factories import record
from tests.engine.search.search_factories import at_cosine, one_window
from tests.factories import make_tiny_cacophony_checkpoint, noise, tone, write_audio

EARMARK = Path(sys.executable).with_name("earmark")


@pytest.fixture
def indexed(cli, library):
    assert cli("add-folder", library)[0] == 0
    assert cli("index")[0] == 0
    return cli


def test_add_folder_and_index_report_failures_at_the_end(cli, library):
    code, out, _ = cli("add-folder", library)
    assert code == 0 and f"added {library}" in out
    code, out, err = cli("index")
    assert code == 0
    assert "5 files, 4 added" in out and "1 failed" in out
    assert out.rstrip().endswith(f"{library / 'broken.wav'}: not an audio file: it contains text")
    code, out, _ = cli("index")
    assert "0 failed" in out and "\n1 file could not be indexed (in earlier runs):" in out  # still listed
    (library / "broken2.wav").write_text("not audio either")
    code, out, _ = cli("index")  # the summary counts this run's failure, the list says it holds more
    assert "1 failed" in out and "\n2 files could not be indexed (1 in this run):" in out
    code, out, _ = cli("index", "--json")
    report = json.loads(out)
    assert report["report"]["unchanged"] == 6 and report["failed_files"][0]["error"].startswith("not an audio")


def test_index_names_the_sounds_it_cannot_read_and_apple_and_sony_formats_are_read(cli, library):
    """A WavPack and an AAC file are named as skipped; a CAF and a Wave64 take are indexed."""
    (library / "kit").mkdir()
    (library / "kit" / "snare.wv").write_bytes(b"wvpk")
    (library / "memo.m4a").write_bytes(b"\0\0\0\x20ftypM4A ")
    write_audio(library / "loop.caf", tone(220, 1.0), format="CAF", subtype="ALAC_16")
    write_audio(library / "long take.w64", tone(330, 1.0), format="W64", subtype="PCM_24")
    cli("add-folder", library)
    code, out, _ = cli("index")
    assert code == 0 and "7 files, 6 added" in out and "1 failed" in out
    assert "\n2 sounds in formats Earmark cannot read (1 .m4a, 1 .wv): convert them" in out
    assert f"  {library / 'kit' / 'snare.wv'}" in out and f"  {library / 'memo.m4a'}" in out
    code, out, _ = cli("search", "", "--format", "caf", "--json")
    assert [Path(hit["path"]).name for hit in json.loads(out)] == ["loop.caf"]
    code, out, _ = cli("search", "", "--format", "w64", "--json")
    assert [Path(hit["path"]).name for hit in json.loads(out)] == ["long take.w64"]
    code, out, _ = cli("index", "--json")
    assert json.loads(out)["report"]["unreadable_formats"] == [
        str(library / "kit" / "snare.wv"),
        str(library / "memo.m4a"),
    ]
    (library / "Music").mkdir()
    for number in range(25):  # an iTunes folder: the first few are named, the rest counted
        (library / "Music" / f"song {number:02d}.m4a").write_bytes(b"\0\0\0\x20ftypM4A ")
    code, out, _ = cli("index")
    assert "\n27 sounds in formats Earmark cannot read (26 .m4a, 1 .wv)" in out
    assert out.count(".m4a\n") == 20 and "  ... and 7 more (`earmark index --json` lists them all)" in out


def test_search_human_json_explain_and_filters(indexed, library):
    code, out, _ = indexed("search", "door creak", "--limit", "2")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and str(library / "door_creak.wav") in lines[0]
    assert "@" not in lines[0]  # found by its name, a file plays from its start: no moment
    code, out, _ = indexed("search", "door creak", "--json")
    hits = json.loads(out)
    assert hits[0]["path"] == str(library / "door_creak.wav") and hits[0]["text_rank"] == 1
    assert {"score", "best_start_s", "best_end_s", "vector_rank", "duration_s"} <= set(hits[0])
    code, out, _ = indexed("search", "door creak", "--explain")
    assert "vector #" in out and "text #1 bm25=" in out
    for flags, expected in (
        (["--channels", "2"], {"stereo_bell.wav"}),
        (["--format", "flac"], {"rain_on_roof.flac"}),
        (["--sample-rate", "48000"], {"stereo_bell.wav"}),
        (["--min-duration", "1.8", "--max-duration", "2.5"], {"door_creak.wav"}),
        (["--folder", library / "rain"], {"rain_on_roof.flac"}),
    ):
        code, out, _ = indexed("search", "sound", "--json", *flags)
        assert {Path(h["path"]).name for h in json.loads(out)} == expected, flags
    code, out, _ = indexed("search", "--", "-door creak")  # exclusion first needs --
    assert "door_creak" not in out
    code, out, err = indexed("search", "dorr creak", "--limit", "1")  # a typo: the library word searched
    assert str(library / "door_creak.wav") in out and err == "earmark: searched “door” for “dorr”\n"


def test_a_take_found_by_its_sound_alone_shows_the_moment_it_was_found_at(cli, library):
    """An opaque name has nothing to match: the sound found the take, at that window, which the
    line shows ("@0.5-1.5s") and a player starts from."""
    write_audio(library / "Take_017.wav", noise(3.0, seed=17))
    assert cli("add-folder", library)[0] == 0 and cli("index")[0] == 0
    code, out, _ = cli("search", "door creak", "--json")
    take = next(hit for hit in json.loads(out) if hit["path"] == str(library / "Take_017.wav"))
    assert take["text_rank"] is None and take["meaning_rank"] is None
    code, out, _ = cli("search", "door creak")
    line = next(line for line in out.splitlines() if "Take_017.wav" in line)
    assert f"@{take['best_start_s']:.1f}-{take['best_end_s']:.1f}s" in line


def test_explain_says_how_deep_the_sound_ranked_a_hit_it_did_not_rank(indexed, library, tiny_checkpoint):
    """door_creak.wav is found by its name and sounds less like "door creak" than 110 other takes:
    a short page ranks the sound 100 deep, a page of 100 hits 200 deep. The line said "vector -"
    for the one and "vector #114" for the other, as if the limit changed how the file sounds."""
    from engine.facade import Engine

    with Engine(app_paths(indexed.home), str(tiny_checkpoint)) as engine:
        query = engine.model.embed_query(["door creak"])[0]
        query /= np.linalg.norm(query)
        takes = [
            (record(f"take_{i:03d}.wav", str(library)), one_window(at_cosine(query, 0.95 - 0.001 * i, seed=i)))
            for i in range(110)
        ]
        engine.store.commit_embedded(engine.model_info, takes)
    code, out, _ = indexed("search", "door creak", "--explain", "--limit", "1")
    first = out.splitlines()[0]
    assert code == 0 and "door_creak.wav" in first and "text #1" in first
    assert "vector: not in its first 100" in first and "vector -" not in first
    code, out, _ = indexed("search", "door creak", "--explain", "--limit", "100")
    first = out.splitlines()[0]
    assert "door_creak.wav" in first and re.search(r"vector #1[1-9]\d cos=", first)


def test_a_search_nothing_is_close_to_says_so_and_still_lists_the_nearest(indexed, tiny_checkpoint):
    """Review 9 (L7): "xyzzy" listed the library ranked by sound and meaning with no word why. With
    what every name means placed far from the query (the tiny model finds any text near any name),
    the list comes with the line the app's Match column says on hover, and shows "–" where the app
    does, not the matches that rank the list among itself (review 14: "mechanical keyboard typing"
    printed "100" for a take the app showed as "–"); --json keeps them and says ``nothing_close``.
    A search a name answers has no such line and shows its matches."""
    from engine.facade import Engine

    code, out, err = indexed("search", "door creak")
    assert "close" not in err and re.match(r" +1\. +[1-9]\d*  ", out)
    assert not any(hit["nothing_close"] for hit in json.loads(indexed("search", "door creak", "--json")[1]))
    with Engine(app_paths(indexed.home), str(tiny_checkpoint)) as engine:
        meant = engine.model.embed_words(["xyzzy"])[0]
        meant = meant / np.linalg.norm(meant)
        texts = {f"meaning {k}": record.id for k, record in enumerate(engine.store.find_files())}
        engine.store.word_vectors(engine.model.info.name).put(
            {file_id: (text,) for text, file_id in texts.items()},
            {text: at_cosine(meant, 0.3, seed=k) for k, text in enumerate(texts)},
        )
    code, out, err = indexed("search", "xyzzy")
    assert code == 0 and len(out.splitlines()) == 4  # still listed: the nearest
    assert err == (
        "earmark: Nothing is close to the search: listed only as the nearest by how they sound and what their "
        "names mean, not as a match\n"
    )
    assert all(re.match(r" +\d\. +–  /", line) for line in out.splitlines())
    code, out, _ = indexed("search", "xyzzy", "--explain")
    assert code == 0 and out.count("match   –  text -") == 4
    hits = json.loads(indexed("search", "xyzzy", "--json")[1])
    assert hits[0]["score"] > 0 and all(hit["nothing_close"] for hit in hits)  # the ranking kept, said so


def test_takes_found_by_their_sound_alone_show_no_match_of_100(cli, tmp_path):
    """Review 14: on a library of opaque names ("disappointed crowd groan" -> a take of an engine
    start) the sound is the whole score, scaled to the best hit, and `earmark search` printed "100"
    for it where the app shows "–": the best of the library, not a match."""
    takes = tmp_path / "takes"
    for k, sound in enumerate((tone(300, 1.0), noise(1.0, seed=1), noise(1.0, seed=2))):
        write_audio(takes / f"Take_{k:03d}.wav", sound)
    assert cli("add-folder", takes)[0] == 0 and cli("index")[0] == 0
    hits = json.loads(cli("search", "disappointed crowd groan", "--json")[1])
    assert hits[0]["score"] == 100 and hits[0]["meaning_rank"] is None and all(hit["nothing_close"] for hit in hits)
    code, out, err = cli("search", "disappointed crowd groan")
    assert code == 0 and len(out.splitlines()) == 3
    assert all(re.match(r" +\d\. +–  /", line) for line in out.splitlines())
    said = "Nothing is close to the search: listed only as the nearest by how they sound, not as a match"
    assert err == f"earmark: {said}\n"  # the words of the app's Match column on hover


def test_a_search_says_which_of_its_words_no_file_holds(indexed):
    code, out, err = indexed("search", "door creak zebra")
    assert code == 0 and "door_creak.wav" in out.splitlines()[0]
    assert "earmark: no file says 'zebra'" in err
    _, _, err = indexed("search", "door creak")
    assert "no file says" not in err


def test_search_shows_a_sound_once_naming_its_copies(cli, library):
    backup = library / "backup"
    backup.mkdir()
    (backup / "door_creak.wav").write_bytes((library / "door_creak.wav").read_bytes())
    cli("add-folder", library)
    code, out, _ = cli("index")
    assert code == 0 and "1 duplicate file (each sound embedded once)" in out
    code, out, _ = cli("search", "door creak")
    lines = out.splitlines()
    assert code == 0 and sum("door_creak.wav" in line for line in lines) == 2
    [first] = [i for i, line in enumerate(lines) if "door_creak.wav" in line and "copy:" not in line]
    assert lines[first + 1].strip().startswith("copy: ") and lines[first + 1].rstrip().endswith("door_creak.wav")
    code, out, _ = cli("search", "door creak", "--json")
    [hit] = [h for h in json.loads(out) if Path(h["path"]).name == "door_creak.wav"]
    assert {hit["path"], *hit["copies"]} == {str(library / "door_creak.wav"), str(backup / "door_creak.wav")}
    code, out, _ = cli("info", backup / "door_creak.wav")
    assert code == 0 and f"  copy: {library / 'door_creak.wav'}" in out.splitlines()


def test_search_shows_what_a_files_own_metadata_says_under_it(cli, library):
    """As the app's Description column: bang.wav, found by "footsteps gravel" for its title."""
    import soundfile as sf

    with sf.SoundFile(library / "bang.wav", "w", 16_000, 1) as sound:
        sound.title, sound.comment = "gravel", "boots on a garden path"
        sound.write(noise(0.5))
    cli("add-folder", library)
    cli("index")
    code, out, _ = cli("search", "gravel")
    lines = out.splitlines()
    [at] = [i for i, line in enumerate(lines) if "bang.wav" in line]
    assert code == 0 and lines[at + 1].strip() == "gravel · boots on a garden path"


def test_copies_that_match_alike_are_listed_under_one_path_whatever_the_query(cli, library, monkeypatch):
    """Byte-identical copies under names with the same words match every query alike: the copy
    listed is the shortest path for each query, not the one a tie-break put first (the lowest id,
    so the list changed from library to library, and with rounding from query to query)."""
    ids = itertools.count(1)  # ids are random: pinned so that the lowest falls on a longer path
    monkeypatch.setattr(store_module, "_new_id", lambda: next(ids))
    sound = write_audio(library / "Wind Gust 02.wav", noise(1.5, seed=42))
    (library / "Archive").mkdir()
    for copy in (library / "wind_gust.wav", library / "Archive" / "WIND-GUST.wav"):
        copy.write_bytes(sound.read_bytes())
    shortest, others = str(library / "wind_gust.wav"), {str(sound), str(library / "Archive" / "WIND-GUST.wav")}
    cli("add-folder", library)
    assert "2 duplicate files (each sound embedded once)" in cli("index")[1]
    for query in ("wind", "storm", "wind gust howling"):  # words of the names, and words of none
        code, out, _ = cli("search", query, "--json")
        [hit] = [h for h in json.loads(out) if h["copies"]]
        assert code == 0 and (hit["path"], set(hit["copies"])) == (shortest, others), query
    code, out, _ = cli("similar", library / "door_creak.wav", "--json")
    [hit] = [h for h in json.loads(out) if h["copies"]]
    assert code == 0 and (hit["path"], set(hit["copies"])) == (shortest, others)


def test_meaningless_option_values_are_usage_errors(cli, capsys):
    """A format Earmark does not read, a limit of 0 or less, a duration range no sound fits or a
    confidence outside 0-1 would only answer "no matches": argparse refuses them (exit 2), naming the option and what
    it takes."""
    for command, flags, said in (
        ("search", ["--format", "aac"], ["--format", "invalid choice: 'aac'", "'wav', 'aiff', 'flac'", "'w64'"]),
        ("search", ["--limit", "0"], ["--limit", "1 or more"]),
        ("search", ["--limit=-3"], ["--limit", "1 or more"]),
        ("search", ["--limit", "many"], ["--limit", "a whole number"]),
        ("similar", ["--min-duration=-1"], ["--min-duration", "0 or more"]),
        ("search", ["--max-duration", "nan"], ["--max-duration", "0 or more"]),
        ("search", ["--channels", "0"], ["--channels", "1 or more"]),
        ("suggestions", ["--top-k", "0"], ["--top-k", "1 or more"]),
        ("suggestions", ["--threshold", "1.5"], ["--threshold", "from 0 to 1"]),
        ("accept", ["--min-confidence=-0.1"], ["--min-confidence", "from 0 to 1"]),
        (
            "search",
            ["--min-duration", "5", "--max-duration", "1"],
            ["--min-duration: 5 s", "longer than --max-duration 1 s"],
        ),
    ):
        with pytest.raises(SystemExit) as exited:
            cli(command, "x", *flags)
        err = capsys.readouterr().err
        assert exited.value.code == 2 and all(words in err for words in said), (flags, err)
    assert not cli.home.exists()  # refused before anything was opened
    for spelled in ("FLAC", ".flac"):  # as the filter reads formats
        assert cli("search", "x", "--format", spelled, "--min-duration", "1", "--max-duration", "1")[0] == 0


def test_tag_filter(indexed, library):
    from engine.facade import Engine
    from engine.paths import app_paths

    with Engine(app_paths(indexed.home)) as engine:
        engine.set_tags([library / "dog_bark.wav"], ["animals"])
    code, out, _ = indexed("search", "sound", "--tag", "animals", "--json")
    assert [Path(h["path"]).name for h in json.loads(out)] == ["dog_bark.wav"]


def test_a_browse_lists_its_files_without_a_score(indexed, library):
    """Review 8: `earmark search --tag FIGHT-IMPACT ""` listed its matches with score 0. A browse
    (no words to rank by) has no score: the app's Match column shows none for it, and the CLI
    lists the files alone, with nothing for --explain to explain. A search keeps its scores."""
    tagged = [library / "dog_bark.wav", library / "door_creak.wav"]
    assert indexed("add-tags", "FIGHT-IMPACT", *tagged)[0] == 0
    for explain in ([], ["--explain"]):
        code, out, _ = indexed("search", "--tag", "FIGHT-IMPACT", "", *explain)
        listed = [line for line in out.splitlines() if re.match(r" *\d+\. ", line)]
        assert code == 0 and [line.split(". ", 1)[1].split("  (")[0] for line in listed] == list(map(str, tagged))
        assert "match" not in out and not re.search(r"\. +0 ", out)
    code, out, _ = indexed("search", "dog", "--tag", "FIGHT-IMPACT")
    assert code == 0 and re.match(rf" +1\. +[1-9]\d*  {re.escape(str(tagged[0]))}  ", out)


def test_similar_and_info(indexed, library, tmp_path):
    code, out, _ = indexed("similar", library / "dog_bark.wav", "--limit", "2")
    assert code == 0 and len(out.splitlines()) == 2 and "dog_bark" not in out
    outside = write_audio(tmp_path / "outside.wav", tone(900, 1.0))
    code, out, _ = indexed("similar", outside, "--json", "--limit", "1")
    assert Path(json.loads(out)[0]["path"]).name == "dog_bark.wav"
    code, out, _ = indexed("info", library / "door_creak.wav")
    assert code == 0 and "status: ok" in out and "2.00 s, 16000 Hz, 1 ch, 16-bit" in out and "windows:" in out
    code, out, _ = indexed("info", library / "broken.wav", "--json")
    info = json.loads(out)
    assert info["record"]["status"] == "error" and info["error"].startswith("not an audio file")
    code, out, _ = indexed("info", tmp_path / "missing.wav")
    assert code == 1 and "not in the library" in out and "file not found" in out
    for wrong, reason in ((library / "broken.wav", "not an audio file"), (library, "is a folder, not a file")):
        code, _, err = indexed("similar", wrong)  # said with the file it is said of
        assert code == 1 and err.startswith(f"earmark: {wrong}: {reason}"), err


def test_clicks_under_a_tenth_of_a_second_are_said_to_the_millisecond(cli, library):
    """Review 13: `similar` printed Button3's and TURN_ON's clicks as "(0.0s) @0.0-0.0s"."""
    write_audio(library / "button3.wav", tone(2000, 0.04))
    write_audio(library / "turn_on.wav", tone(1500, 0.032))
    assert cli("add-folder", library)[0] == 0 and cli("index")[0] == 0
    code, out, _ = cli("similar", library / "button3.wav", "--limit", "10")
    assert code == 0 and f"{library / 'turn_on.wav'}  (0.032s)  @0.000-0.032s" in out
    assert f"{library / 'dog_bark.wav'}  (1.0s)  @0.0-1.0s" in out  # a second or more: to the tenth, as before
    code, out, _ = cli("info", library / "button3.wav")
    assert "audio: wav PCM_16, 0.040 s, 16000 Hz" in out


def test_models_status_and_remove_folder(indexed, library, tiny_checkpoint):
    code, out, _ = indexed("models")
    assert code == 0 and "builtin" in out and "clap:laion/larger_clap_general" in out
    choices = json.loads(indexed("models", "--json")[1])
    assert choices["active"] == str(tiny_checkpoint) and {c["kind"] for c in choices["models"]} >= {"builtin", "clap"}
    code, out, _ = indexed("status")
    assert "4 searchable, 1 failed, 0 offline" in out and f"{library}  [online]" in out
    status = json.loads(indexed("status", "--json")[1])
    (model,) = status["indexed_models"]  # the tiny model alone: how many files each model's vectors hold
    assert f"sound vectors kept for: {model} (4 files)" in out
    assert status["files"] == 4 and status["folders"][0]["path"] == str(library)
    code, out, _ = indexed("remove-folder", library)
    assert code == 0 and "5 files forgotten" in out
    assert json.loads(indexed("status", "--json")[1])["files"] == 0
    assert library.joinpath("door_creak.wav").exists()


class _Terminal(io.StringIO):
    """What the user types at a terminal: stdin that says it is one."""

    def isatty(self) -> bool:
        return True


def test_remove_folder_asks_before_it_forgets_tags_and_refuses_a_script_without_yes(indexed, library, monkeypatch):
    assert indexed("add-tags", "roottag", library / "dog_bark.wav")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a script: no one to answer
    code, out, err = indexed("remove-folder", library)
    assert code == 1 and "1 of the files of" in err and "carries your tags or captions" in err and "--yes" in err
    assert json.loads(indexed("status", "--json")[1])["files"] == 4  # nothing removed
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    code, out, err = indexed("remove-folder", library)
    assert code == 1 and f"Remove {library} from the library? [y/N]" in err and "nothing removed" in out
    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    code, out, _ = indexed("remove-folder", library)
    assert code == 0 and "5 files forgotten" in out
    assert indexed("add-folder", library)[0] == indexed("index")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert indexed("add-tags", "roottag", library / "dog_bark.wav")[0] == 0
    code, out, _ = indexed("remove-folder", library, "--yes")
    assert code == 0 and "5 files forgotten" in out


def test_a_renamed_root_added_again_keeps_its_tags_and_the_old_name_forgets_nothing(indexed, library, tmp_path):
    """Review 6, finding 1: ``mv "C renamed" "C again"``, add the new name, index, remove the old."""
    assert indexed("add-tags", "roottag", library / "dog_bark.wav")[0] == 0
    again = tmp_path / "library again"
    os.rename(library, again)
    assert f"offline: {library}" in indexed("index")[1]
    assert indexed("add-folder", again)[0] == 0
    code, out, _ = indexed("index")
    assert code == 0 and f"5 files, 0 added, 0 updated, 4 moved from {library}, 0 removed" in out
    code, out, _ = indexed("remove-folder", library)  # asks nothing: no tags or captions are left there
    assert code == 0 and "1 file forgotten" in out  # broken.wav's failure (the new name's failed on its own)
    hits = json.loads(indexed("search", "sound", "--tag", "roottag", "--json")[1])
    assert [h["path"] for h in hits] == [str(again / "dog_bark.wav")]


@pytest.mark.slow
def test_output_piped_into_a_reader_that_closes_early_ends_quietly(indexed, library):
    """``earmark info FILE | head -4``: the reader goes before earmark writes; no error, no traceback."""
    info = f'"{EARMARK}" --home "{indexed.home}" info "{library / "door_creak.wav"}"'
    reader_gone = subprocess.run(
        f'{info} | head -c 0; exit "${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert reader_gone.returncode == 141 and reader_gone.stderr == ""


def test_models_use_switches_and_saves(indexed, tmp_path, capsys):
    from tests.factories import make_tiny_cacophony_checkpoint

    other = make_tiny_cacophony_checkpoint(tmp_path / "other", seed=2)
    code, out, err = indexed("models", "--use", other)
    assert code == 0 and f"now using {other}" in out and "); 0 files could not be embedded" in out
    # an adopted fine-tune is active by its absolute folder and listed by its name in the models folder
    adopted = make_tiny_cacophony_checkpoint(app_paths(indexed.home).models / "library-mine", seed=3)
    assert main(["--home", str(indexed.home), "--model", str(adopted), "models"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line for line in listed if line.startswith(" * ")] == [" * checkpoint ready   library-mine"]
    settings = json.loads((indexed.home / "config" / "settings.json").read_text())
    assert settings["model_spec"] == str(other)


def test_errors_are_one_line_and_exit_1(cli, tmp_path):
    code, _, err = cli("add-folder", tmp_path / "nope")
    assert code == 1 and err.strip() == f"earmark: {tmp_path / 'nope'} is not a folder"
    code, _, err = cli("remove-folder", tmp_path)
    assert code == 1 and "not a library folder" in err
    assert main(["--home", str(tmp_path / "h"), "--model", str(tmp_path / "no-model"), "index"]) == 1
    # a search asked of a model by name that will not load: not a text search passed off as one
    assert main(["--home", str(tmp_path / "h"), "--model", str(tmp_path / "no-model"), "search", "door"]) == 1


def test_a_database_from_a_newer_earmark_is_a_message_not_a_traceback(cli):
    assert cli("status")[0] == 0
    LibraryStore(app_paths(cli.home).index).meta.set(VERSION_KEY, SCHEMA_VERSION + 1)
    code, _, err = cli("status")
    assert code == 1 and err.startswith("earmark: ") and "update Earmark to open it" in err


@pytest.mark.slow
def test_installed_script_honours_earmark_home(tmp_path, library, tiny_checkpoint):
    env = os.environ | {"EARMARK_HOME": str(tmp_path / "env-home")}

    def run(*args):
        return subprocess.run(
            [str(EARMARK), "--model", str(tiny_checkpoint), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert run("add-folder", library).returncode == 0
    indexed = run("index")
    assert indexed.returncode == 0 and "4 added" in indexed.stdout
    assert (tmp_path / "env-home" / "data" / "index.lance").is_dir()
    assert (tmp_path / "env-home" / "logs" / "earmark.log").read_text().count("index run") == 1
    hits = json.loads(run("search", "dog bark", "--json").stdout)
    assert Path(hits[0]["path"]).name == "dog_bark.wav"


def test_search_dash_answers_each_line_of_standard_input_as_it_comes_with_one_model_load(
    tmp_path, library, tiny_checkpoint
):
    """``earmark search -`` keeps the model loaded between queries (a search from the shell spent
    5-14 s loading it: review 16, M8): a line is answered before the next is written, blank lines
    are skipped, and the log says the model was loaded once for all of them."""
    home = tmp_path / "home"
    base = [str(EARMARK), "--home", str(home), "--model", str(tiny_checkpoint)]
    subprocess.run([*base, "add-folder", str(library)], check=True, capture_output=True, timeout=300)
    subprocess.run([*base, "index"], check=True, capture_output=True, timeout=300)
    log = home / "logs" / "earmark.log"
    loads_before = log.read_text().count("loaded model")
    searching = subprocess.Popen(
        [*base, "search", "-", "--limit", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [output.put(line) for line in searching.stdout], daemon=True).start()
    try:
        answered = []
        for query, name in (("dog bark", "dog_bark.wav"), ("door creak", "door_creak.wav")):
            searching.stdin.write(f"{query}\n\n")
            searching.stdin.flush()
            answered.append(_lines_until(output, name, seconds=120))
        searching.stdin.close()
        assert searching.wait(timeout=60) == 0
    finally:
        searching.kill()
    assert answered[0][0] == "== dog bark" and answered[1][0] == "== door creak"
    assert log.read_text().count("loaded model") == loads_before + 1
    lines = subprocess.run(
        [*base, "search", "-", "--json", "--limit", "1"],
        input="rain\ndog bark\n",
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.splitlines()
    found = [json.loads(line) for line in lines]
    assert [f["query"] for f in found] == ["rain", "dog bark"]
    assert [Path(f["hits"][0]["path"]).name for f in found] == ["rain_on_roof.flac", "dog_bark.wav"]


def _lines_until(lines: queue.Queue, held: str, seconds: float) -> list[str]:
    """The lines taken from ``lines`` up to the first that holds ``held``; fails after ``seconds``
    (the query was not answered while its input stayed open)."""
    deadline, taken = time.monotonic() + seconds, []
    while (left := deadline - time.monotonic()) > 0:
        try:
            taken.append(lines.get(timeout=left).strip())
        except queue.Empty:
            break
        if held in taken[-1]:
            return taken
    pytest.fail(f"no line holding {held!r} came: {taken}")


@pytest.mark.slow
def test_watch_indexes_changes_until_interrupted(tmp_path, library, tiny_checkpoint):
    home = tmp_path / "home"
    base = [str(EARMARK), "--home", str(home), "--model", str(tiny_checkpoint)]
    subprocess.run(base + ["add-folder", str(library)], check=True, capture_output=True, timeout=300)
    watcher = subprocess.Popen(base + ["watch"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        while not any("watching for changes" in line for line in lines):
            lines.append(watcher.stdout.readline())
            assert watcher.poll() is None, lines
        write_audio(library / "fresh.wav", tone(2000, 1.0))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("1 added" in line for line in lines[-1:]):
            lines.append(watcher.stdout.readline())
        assert "1 added" in lines[-1]
        (library / "memo.m4a").write_bytes(b"\0\0\0\x20ftypM4A ")  # said at once, not at the next full index
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("memo.m4a" in line for line in lines[-1:]):
            lines.append(watcher.stdout.readline())
        assert "1 sound in a format Earmark cannot read (1 .m4a): convert it" in lines[-2] and "memo.m4a" in lines[-1]
    finally:
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(60) == 0


@pytest.mark.slow
def test_watch_whose_reader_went_away_ends_quietly_at_its_next_batch(tmp_path, library, tiny_checkpoint):
    """``earmark watch | head -3``: a batch's line is printed from the watcher's thread, where the
    closed pipe failed unseen (logged) and watch ran on, writing to no one, until killed."""
    home = tmp_path / "home"
    base = [str(EARMARK), "--home", str(home), "--model", str(tiny_checkpoint)]
    subprocess.run(base + ["add-folder", str(library)], check=True, capture_output=True, timeout=300)
    errors = tmp_path / "stderr.txt"
    with open(errors, "wb") as stderr:
        watcher = subprocess.Popen(base + ["watch"], stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        lines = []
        while not any("watching for changes" in line for line in lines):
            lines.append(watcher.stdout.readline())
            assert watcher.poll() is None, lines
        watcher.stdout.close()  # the reader has read its lines and goes
        write_audio(library / "fresh.wav", tone(2000, 1.0))
        assert watcher.wait(60) == 141
    finally:
        if watcher.poll() is None:
            watcher.kill()
    said = errors.read_text()
    assert "Traceback" not in said and "Broken pipe" not in said and "earmark:" not in said


def test_search_with_a_model_the_library_is_not_embedded_with_says_so(indexed, tmp_path, capsys, monkeypatch):
    """Once a search, and once a run of ``earmark search -`` (not after every line)."""
    code, _, err = indexed("search", "dog bark")
    assert code == 0 and "not embedded" not in err
    other = make_tiny_cacophony_checkpoint(tmp_path / "other-model", seed=1)
    assert main(["--home", str(indexed.home), "--model", str(other), "search", "dog bark"]) == 0
    err = capsys.readouterr().err
    assert "4 files are not embedded with" in err and "`earmark index`" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("dog bark\nrain\n"))
    assert main(["--home", str(indexed.home), "--model", str(other), "search", "-"]) == 0
    said = capsys.readouterr()
    assert said.out.count("== ") == 2 and said.err.count("not embedded") == 1
