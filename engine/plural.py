"""Counts said in words, for the app and the CLI alike: "1 file", "2,048 files", "1 copy"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str = "") -> str:
    """``n`` and ``noun``, the noun plural (``plural``, else ``noun`` + "s") unless ``n`` is 1."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
