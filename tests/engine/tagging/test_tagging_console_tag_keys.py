"""Review 8: a tag typed to ``earmark`` names the same tag in every command (M3), and ``earmark
rename`` asks for what the rename dialog asks for and says what it says (M8)."""

from __future__ import annotations

import dataclasses
import getpass
import json
import re

from engine.paths import app_paths
from engine.plural import percent
from engine.settings import Settings
from engine.tagging.vocabulary import UCS
from tests.engine.library.helpers import checksums
from tests.engine.tagging.test_tagging_console import cli  # noqa: F401 - the fixture


def ucs_suggestions(run, path) -> list[dict]:
    """Every open UCS suggestion of ``path``, most confident first, as ``--json`` gives them."""
    _, out, _ = run("suggestions", path, "--threshold", "0", "--top-k", "1000", "--json")
    return [s for s in json.loads(out)[str(path)]["tags"] if s["vocabulary"] == UCS]


def found_by_tag(run, typed: str) -> list[str]:
    _, out, _ = run("search", "", "--tag", typed, "--json")
    return [hit["path"] for hit in json.loads(out)]


def misspelt(tag: str) -> str:
    """``tag`` with a letter doubled inside it: a typo that names no tag."""
    return tag[:3] + tag[2] + tag[3:]


def test_a_ucs_tag_is_named_by_its_name_or_catid_in_any_case_by_search_accept_and_reject(cli, named_library):  # noqa: F811 - imported above
    """Search wanted the name as stored (FIGHT-IMPACT), accept the CatID (COMCam), each in its
    exact case: `accept --tag COMMUNICATIONS-CAMERA`, the name `earmark suggestions` lists first,
    accepted nothing, and `search --tag FGHTImpt` or `--tag fight-impact` found nothing."""
    dog = named_library / "dog_bark.wav"
    cli("tag", dog)
    first, second = ucs_suggestions(cli, dog)[:2]
    assert cli("accept", dog, "--tag", first["value"].lower(), "--min-confidence", "0")[1].startswith(
        f"Added {first['value']} to 1 file;"
    )
    for typed in (first["value"], first["value"].lower(), first["key"], first["key"].upper()):
        assert found_by_tag(cli, typed) == [str(dog)], typed
    assert cli("reject", dog, "--tag", second["key"].lower(), "--min-confidence", "0")[1].startswith(
        "1 suggestion rejected"
    )
    assert cli("unreject", dog, "--tag", second["value"].lower())[1].startswith("1 rejected suggestion offered again")
    assert second["key"] in [s["key"] for s in ucs_suggestions(cli, dog)]


def test_a_misspelt_tag_is_told_the_nearest_one(cli, named_library):  # noqa: F811 - imported above
    """A tag that names none found nothing with no word why: search names the nearest tag a file
    carries, accept the nearest suggestion shown."""
    dog = named_library / "dog_bark.wav"
    cli("tag", dog)
    first, second = ucs_suggestions(cli, dog)[:2]
    cli("accept", dog, "--tag", first["key"], "--min-confidence", "0")
    typo = misspelt(first["value"])
    code, out, err = cli("search", "", "--tag", typo)
    assert (code, out) == (0, "no matches\n")
    assert f"no file is tagged {typo}; did you mean {first['value']}?" in err
    typo = misspelt(second["value"])
    assert f"{typo} (did you mean {second['value']}?)" in cli("accept", dog, "--tag", typo, "--min-confidence", "0")[1]


def _lower_threshold(run, threshold: float) -> None:
    """The user's tag threshold, as the settings page saves it."""
    settings_file = app_paths(run.home).settings_file
    dataclasses.replace(Settings.load(settings_file), tag_threshold=threshold).save(settings_file)


def test_rename_without_a_creator_id_refuses_and_rows_say_how_sure_a_suggestion_is(cli, named_library):  # noqa: F811 - imported above
    """`earmark rename` took the login name as CreatorID (``BEEP_Beep_root_tuxfootball.wav``)
    where the dialog asks for one, and said "(CatID from the suggestion)" where the dialog says
    how sure it is."""
    _lower_threshold(cli, 0.0)
    cli("tag", named_library)
    before = checksums(named_library)
    code, out, err = cli("rename", named_library, "--apply")
    assert code == 1 and "rename needs a CreatorID" in err and "--creator" in err
    assert checksums(named_library) == before and "no rename to undo" in cli("rename", "--undo")[2]

    code, out, _ = cli("rename", named_library)  # a dry run shows where the CreatorID goes
    names = [line.strip().removeprefix("-> ") for line in out.splitlines() if line.startswith("    -> ")]
    assert code == 0 and names and all("_CreatorID_" in name for name in names)
    assert f"_{getpass.getuser()}_" not in out and "rename needs a CreatorID" in out.splitlines()[-1]

    dog = named_library / "dog_bark.wav"
    best = ucs_suggestions(cli, dog)[0]
    code, out, _ = cli("rename", named_library, "--creator", "JD")
    row = out.split(f"{dog}\n    -> ")[1].splitlines()[0]
    assert code == 0 and row.endswith(f"(CatID from a suggestion at {percent(best['confidence'])})")
    assert cli("rename", named_library, "--creator", "JD", "--apply")[0] == 0 and not dog.exists()
    assert (named_library / row.split("  (")[0]).is_file()


def test_a_file_too_unsure_to_rename_is_told_a_step_the_cli_can_take(cli, named_library):  # noqa: F811 - imported above
    """The advice "accept it or type a CatID" named no step the CLI has for one file. Its step, taken,
    names the file."""
    _lower_threshold(cli, 1.0)
    dog = named_library / "dog_bark.wav"
    cli("tag", dog)
    _, out, _ = cli("rename", dog, "--creator", "JD")
    step = out.split("accept it first: `")[1].split("`")[0].removeprefix("earmark ").replace("PATH", str(dog))
    assert step.split()[:2] == ["accept", "--tag"]
    assert re.match(r"Added \S+ to 1 file;", cli(*step.split())[1])
    code, out, _ = cli("rename", dog, "--creator", "JD")
    assert code == 0 and out.startswith(f"{dog}\n    -> ") and "(CatID from your tag)" in out
