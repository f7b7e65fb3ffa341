"""Dataclass configs read from JSON or the command line: a key the dataclass does not have is an
error that names it, because a typo (``lerning_rate``) would otherwise be a silent no-op."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def config_from_dict(cls: type[T], data: Mapping[str, Any], what: str) -> T:
    """``cls(**data)``, refusing keys ``cls`` does not know; ``what`` names the config in the error."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown {what} keys: {sorted(unknown)}; known: {sorted(known)}")
    return cls(**data)
