"""A folder named after a UCS category says the category, and the file's own name which of its
subcategories: through `earmark`, in-process, with the real builtin model (a sound designer's
``animals/frog.ogg`` was ANIMALS-MISC at 99 %, since "animals" is ANIMALS-MISC's own name)."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable

import pytest

from engine.cli import main
from tests.factories import noise, write_audio

pytestmark = pytest.mark.slow

NAMES = ("frog.wav", "take_017.wav", "cow.wav")
# one printed suggestion: "   75%  ANIMALS-AMPHIBIAN            ANMLAmph     (ucs, sound+words)"
LINE = re.compile(r"^\s+(\d+)%\s+(\S+)\s+(\S+)\s+\((\S+), ")


@pytest.fixture(scope="module")
def earmark(tmp_path_factory) -> Callable[..., str]:
    """`earmark` on a home whose library holds ``animals/`` with NAMES (noise: the words decide),
    tagged once; returns what a command prints."""
    library = tmp_path_factory.mktemp("library")
    for seed, name in enumerate(NAMES):
        write_audio(library / "animals" / name, noise(0.8, seed=seed))
    home = tmp_path_factory.mktemp("home")

    def run(*args) -> str:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["--home", str(home), "--model", "builtin", *map(str, args)]) == 0
        return printed.getvalue()

    run("add-folder", library)
    run("index")
    run("tag", library)
    run.library = library
    return run


def ucs_lines(earmark: Callable[..., str], name: str) -> list[tuple[int, str, str]]:
    """(percent, tag, CatID) of each UCS suggestion `earmark suggestions` prints for one file, as listed."""
    out = earmark("suggestions", earmark.library / "animals" / name, "--threshold", 0, "--top-k", 10)
    return [(int(m[1]), m[2], m[3]) for m in map(LINE.match, out.splitlines()) if m and m[4] == "ucs"]


def rejected_and_tagged_again(earmark: Callable[..., str], name: str) -> tuple[tuple[int, str], tuple[int, str]]:
    """(percent, tag) of the file's first UCS suggestion, and of the one of the same category
    suggested once the first is rejected and the file tagged again."""
    first, tag, cat_id = ucs_lines(earmark, name)[0]
    category = tag.split("-")[0]
    earmark("reject", earmark.library / "animals" / name, "--tag", cat_id)
    earmark("tag", earmark.library / "animals" / name)
    sibling = next((p, t) for p, t, _ in ucs_lines(earmark, name) if t.split("-")[0] == category)
    return (first, tag), sibling


def test_the_files_own_name_picks_the_subcategory_in_a_folder_named_after_the_category(earmark):
    assert ucs_lines(earmark, "frog.wav")[0][2] == "ANMLAmph", ucs_lines(earmark, "frog.wav")


def test_the_percentage_printed_is_the_subcategorys_own(earmark):
    """Two subcategories of one file are two exclusive answers: the chance printed beside the
    first, and beside the sibling suggested once the first is rejected, add up to at most 100 %
    (each printed rounded to a whole percent). The category's sum printed beside each added up to
    more."""
    (first, tag), (second, sibling) = rejected_and_tagged_again(earmark, "cow.wav")
    assert tag.startswith("ANIMALS-") and sibling != tag
    assert first + second <= 101, (first, tag, second, sibling)


def test_a_file_whose_name_says_nothing_gets_a_subcategory_of_its_folders_category_at_its_own_chance(earmark):
    """``take_017`` names nothing: the folder still says ANIMALS, and which of them, as it can."""
    (first, tag), (second, sibling) = rejected_and_tagged_again(earmark, "take_017.wav")
    assert tag.startswith("ANIMALS-") and sibling != tag
    assert first + second <= 101, (first, tag, second, sibling)
