"""The tagging commands of `earmark`, in-process through main(): the CLI twins of the tags panel."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.cli import main
from tests.engine.tagging.conftest import NAMED


@pytest.fixture
def cli(tmp_path, tiny_checkpoint, tiny_term_cache, named_library, capsys):
    home = tmp_path / "home"
    shutil.copytree(tiny_term_cache, home / "cache" / "tagging")

    def run(*args) -> tuple[int, str, str]:
        code = main(["--home", str(home), "--model", str(tiny_checkpoint), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("add-folder", named_library)[0] == 0 and run("index")[0] == 0
    return run


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
    """The term embeddings of a new vocabulary take a minute or two for UCS; the bar would wait at 0."""
    code, _, err = cli("tag", named_library / "dog_bark.wav")
    assert code == 0 and "reading the vocabularies" not in err  # UCS read before (the fixture's cache)
    mine = tmp_path / "mine.csv"
    mine.write_text("tag,synonyms\nlaser zap,pew;blaster\nsquelch,\n", encoding="utf-8")
    cli("vocab", "import", mine)
    code, _, err = cli("tag", named_library / "dog_bark.wav")
    assert code == 0 and "reading the vocabularies with the model" in err
    assert "reading the vocabularies" not in cli("tag", named_library / "dog_bark.wav", "--restart")[2]


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
    assert cli("reject", dog, "--tag", keys[1]) == (0, "1 suggestions rejected\n", "")
    assert cli("accept", dog, "--tag", keys[0])[1] == "1 tags added, 0 captions set\n"
    _, out, _ = cli("info", dog)
    assert f"tags: {out.split('tags: ')[1].splitlines()[0]}".count(",") == 0  # one tag, the accepted one
    _, out, _ = cli("suggestions", dog, "--threshold", "0", "--top-k", "10")
    assert keys[0] not in out and keys[1] not in out
    assert cli("add-tags", "outdoor, keeper", named_library)[1] == f"{2 * len(NAMED)} tags added\n"
    assert cli("remove-tags", "keeper", dog)[1] == "1 tags removed\n"
    _, out, _ = cli("search", "keeper", "--json")
    assert len([h for h in json.loads(out) if h["text_rank"] is not None]) == len(NAMED) - 1


def test_rename_is_a_dry_run_until_applied_and_undoable(cli, named_library):
    cli("tag", named_library)
    dog = named_library / "dog_bark.wav"
    cli("accept", dog, "--min-confidence", "0")
    code, out, _ = cli("rename", dog, "--creator", "JD", "--source", "TOWN")
    assert code == 0 and "add --apply" in out and dog.exists()
    code, out, _ = cli("rename", dog, "--creator", "JD", "--source", "TOWN", "--apply")
    new_name = out.splitlines()[1].strip().removeprefix("-> ").split("  (")[0]
    assert code == 0 and not dog.exists() and (named_library / new_name).is_file() and new_name.endswith("_JD_TOWN.wav")
    assert cli("rename", "--undo")[1].endswith("1 files renamed back\n") and dog.exists()
    code, _, err = cli("rename", "--undo")
    assert code == 1 and "no rename to undo" in err


def test_stopping_and_resuming_from_the_terminal(cli, named_library, monkeypatch):
    from engine.tagging import jobs

    monkeypatch.setattr(jobs, "BATCH", 4)
    calls = []

    def stop_after_one_batch(self):
        calls.append(1)
        return len(calls) > 1

    monkeypatch.setattr("engine.cli._StopOnInterrupt.requested", stop_after_one_batch)
    code, _, err = cli("tag", named_library)
    assert code == 130 and "earmark tag --resume" in err
    monkeypatch.undo()
    code, out, err = cli("tag", "--resume")
    assert code == 0 and "resuming the unfinished job" in err and "4 done before" in out
    assert cli("tag", "--resume")[1] == "no unfinished tagging job\n"
