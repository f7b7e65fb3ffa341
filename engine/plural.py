"""Numbers said to the user, for the app and the CLI alike: counts in words ("1 file", "2,048 files",
"1 copy") and confidences ("84%")."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` and ``noun``, the noun plural (``plural``, else ``noun`` + "s") unless ``n`` is 1."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def percent(confidence: float, certain: bool = False) -> str:
    """A confidence as the user reads it ("84%"). A calibrated guess is right about 94 % of the time
    even in its most confident tenth (bench/tagging.py's reliability table), so unless ``certain``
    (a CatID the file's own name holds) it reads at most "99%": "100%" on 70 files tagged
    ROBOTS-VOCAL by their sound alone read as a fact."""
    shown = round(confidence * 100)
    return f"{shown if certain else min(shown, 99)}%"
