"""When the page and the CLI explain that the check during training and the verdict point different
ways (engine.finetune.job.measures_disagree): by their directions as shown, not by the verdict's
"better", which also asks that resampling bear the gain out."""

from __future__ import annotations

from engine.finetune.job import DONE, FinetuneStatus, measures_disagree


def finished(check: tuple[float, float], verdict: tuple[float, float], better: bool) -> FinetuneStatus:
    """A finished run whose check went ``check`` and whose verdict's search mAP@10 went ``verdict``."""
    return FinetuneStatus(
        state=DONE,
        plan={"steps_per_epoch": 9},
        validation=[{"step": 0, "t2a/mAP@10": check[0]}, {"step": 145, "t2a/mAP@10": check[1]}],
        result={
            "before": {"search/mAP@10": verdict[0]},
            "after": {"search/mAP@10": verdict[1]},
            "better": better,
            "no_gain_chance": 0.36,
            "searched_folders": 6,
            "words_head_files": 158,
        },
    )


def test_both_rose_but_not_significantly_is_no_disagreement():
    # review 15: the check rose 0.11 -> 0.13 and the verdict 0.133 -> 0.142, "not clearly better"
    assert measures_disagree(finished((0.1086, 0.13), (0.133, 0.142), better=False)) == ""


def test_check_rose_while_verdict_fell_says_both_directions():
    said = measures_disagree(finished((0.11, 0.13), (0.14, 0.12), better=False))
    assert said.startswith("The check during training rose (0.11 → 0.13) while the verdict fell. They listen")
    assert "the verdict:" not in said
    assert "after it learnt your library's names" in said


def test_check_fell_while_verdict_rose_is_explained_better_or_not():
    for better in (True, False):
        said = measures_disagree(finished((0.11, 0.08), (0.26, 0.30), better=better))
        assert "fell (0.11 → 0.08) while the verdict rose." in said


def test_directions_are_read_as_the_scores_are_shown():
    # 0.111 -> 0.113 reads "0.11 → 0.11": level, beside a verdict that rose, or one level too
    assert "stayed level (0.11 → 0.11) while the verdict rose." in measures_disagree(
        finished((0.111, 0.113), (0.26, 0.30), better=True)
    )
    assert measures_disagree(finished((0.111, 0.113), (0.262, 0.258), better=False)) == ""
