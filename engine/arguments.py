"""Types of the command line's option values: a value no file or setting can have is a usage
error (exit status 2, argparse's message naming the option and what it takes), not a command
that answers "no matches" or shows nothing."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def count(text: str) -> int:
    """A count (--limit, --top-k, --sample-rate, --channels)."""
    return _value(text, int, lambda v: v >= 1, "a whole number, 1 or more")


def seconds(text: str) -> float:
    """A duration bound."""
    return _value(text, float, lambda v: math.isfinite(v) and v >= 0, "a number of seconds, 0 or more")


def probability(text: str) -> float:
    """A confidence threshold."""
    return _value(text, float, lambda v: 0.0 <= v <= 1.0, "a number from 0 to 1")


def _value(text: str, parse: Callable[[str], float], fits: Callable[[float], bool], wanted: str):
    try:
        value = parse(text)
    except ValueError:
        value = None
    if value is None or not fits(value):
        raise argparse.ArgumentTypeError(f"expected {wanted}, not {text!r}")
    return value
