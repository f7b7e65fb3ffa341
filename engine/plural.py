"""Numbers said to the user, for the app and the CLI alike: counts in words ("1 file", "2,048 files",
"1 copy"), confidences ("84%") and lengths of audio ("1.3 ms", "0.042")."""

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


def length_said(seconds: float) -> str:
    """A length of audio in words, never so rounded that it reads as nothing: "2.74 s", "250 ms",
    "1.3 ms". A file 1.3 ms short read "the header promises 2.74 s of audio, only 2.74 s are
    present" (review 13): a shortfall is said in its own words beside the lengths."""
    if seconds >= 0.9995:  # rounds to a second or more
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.0001 else "under 0.1 ms"


def in_seconds(value: float, scale: float | None = None, places: int = 1) -> str:
    """Seconds to ``places`` decimals, or as many more as a length under a second needs to keep
    two figures (``scale``, else ``value``): "12.3", "0.42", "0.042". A 40 ms click's line read
    "(0.0s) @0.0-0.0s" (review 13)."""
    size = value if scale is None else scale
    if 0 < size < 1:
        places = max(places, 2 if size >= 0.1 else 3)
    return f"{value:.{places}f}"


def moment_said(start_s: float, end_s: float) -> str:
    """A moment of a sound, "0.5-1.5" or "0.000-0.040": both ends as precise as its length needs."""
    return f"{in_seconds(start_s, end_s - start_s)}-{in_seconds(end_s, end_s - start_s)}"
