"""What a planned fine-tune learns from, holds out and leaves out, in a line (engine.finetune.job.training_files)."""

from __future__ import annotations

from engine.finetune.job import held_out_names, training_files


def test_folders_are_named_short_below_their_common_parent():
    held = ["/lib/Vendor/Doors/Wood", "/lib/Vendor/Cars/Engine/Idle/Close", "/lib/Vendor/Rain"]
    assert held_out_names(held) == ["Doors/Wood", "Cars/…/Close", "Rain"]
    assert held_out_names(["/lib/Vendor/Rain"]) == ["Rain"]
    assert held_out_names(["door creak", "rain"], "caption") == ['"door creak"', '"rain"']


def test_a_library_of_one_folder_names_its_held_out_groups_and_says_only_what_it_left_out():
    plan = {"train_files": 40, "held_out_files": 9, "held_out_folders": ["door creak"], "held_out_by": "caption"}
    assert training_files(plan) == (
        'Learns from 40 files, judged on 9 others in 1 held-out group of files named alike ("door creak").'
    )
    assert training_files(plan | {"long_files": 1}).endswith(" Left out, still searchable: 1 too long.")


def test_a_plan_written_before_it_counted_its_files_says_nothing():
    assert training_files({"estimate": "About 2.0 min: 145 training steps"}) == ""


def test_the_files_left_out_are_named_by_one_of_the_librarys_own():
    """Review 15's "names like Take_017" named no file of its library; the plan records one it left out."""
    plan = {"train_files": 158, "held_out_files": 48, "held_out_folders": ["/lib/a", "/lib/b"], "says_nothing": 199}
    said = "Left out, still searchable: 199 files with no words of their own (names like {})."
    assert training_files(plan | {"says_nothing_name": "ZOOM0003.WAV"}).endswith(said.format("ZOOM0003.WAV"))
    assert training_files(plan).endswith(said.format("Take_017"))  # a plan written before it named one
