"""Which Debian packages may be used for what. Three roles that must never overlap:

- training sets (``trainer.corpus.debian.PACKAGE_SETS``);
- the out-of-distribution evaluation set (:data:`EVALUATION_PACKAGES`, built by ``bench/ood``):
  sounds no model of ours trained on, so a score on them says how the model does on a user's
  library rather than on its own data;
- packages reserved by the project for evaluations outside ours. Their names are not written
  in trainer/ or recipes/: the list is read at run time from ``../shared/data/reserved-sources.txt``
  beside the checkout (or the file ``$EARMARK_RESERVED_SOURCES`` names). Without it nothing can
  be checked, so nothing is built.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESERVED_LIST = REPO.parent / "shared" / "data" / "reserved-sources.txt"

# Small, well-named game packages with everyday sounds (footsteps, doors, glass, water, fire,
# weather, vehicles, machines, animals, interface, whooshes, weapons, voices).
EVALUATION_PACKAGES = (
    "freedroidrpg-data",
    "flare-game",
    "lbreakout2-data",
    "powermanga-data",
    "tecnoballz-data",
    "freedink-data",
    "simutrans-pak64",
    "tuxtype-data",
    "kgoldrunner",
    "granatier",
    "kapman",
    "kbounce",
    "opencity-data",
    "ri-li-data",
    "gigalomania-data",
    "tuxfootball",
    "open-invaders-data",
    "trackballs-data",
    "marsshooter-data",
    "unknown-horizons",
    "boswars-data",
    "trigger-rally-data",
    "tuxpaint-stamps-default",
    "knavalbattle",
    "kolf",
    "yaru-theme-sound",
    "oxygen-sounds",
    "deepin-sound-theme",
    "circuslinux-data",
    "kblocks",
    "kdiamond",
    "kpat",
    "klickety",
    "alienblaster-data",
    "bumprace-data",
    "netpanzer-data",
    "funnyboat",
)


# Packages whose audio is close to held-out audio in ways de-duplication by decoded content (exact
# copies only) cannot see: re-encoded copies found by a fingerprint check, sounds a copyright file
# credits to a reserved game, and a held-out game's forerunner or successor. Refused for training
# as the held-out packages are (the sweep of issue 18, 2026-12-05).
NEAR_COPIES = {
    "mirrormagic-data": "ships re-encoded copies of freedroidrpg-data's sounds (bench/ood)",
    "crossfire-client": "ships weapon sounds its copyright file credits to a reserved game",
    "freedroid-data": "is the forerunner of freedroidrpg-data (bench/ood)",
    "lbreakouthd-data": "is the successor of lbreakout2-data (bench/ood)",
}


class PackageNotAllowed(ValueError):
    """A package asked for in a role it may not have (e.g. training on an evaluation package)."""


def reserved_packages(path: Path | None = None) -> frozenset[str]:
    """Names in the reserved list (one a line, ``#`` comments)."""
    path = path or Path(os.environ.get("EARMARK_RESERVED_SOURCES", RESERVED_LIST))
    if not path.is_file():
        raise FileNotFoundError(
            f"the reserved-packages list {path} is missing: it says which Debian packages "
            "must never be trained on or evaluated with; set EARMARK_RESERVED_SOURCES to it"
        )
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line)


def check_trainable(packages: Iterable[str]) -> None:
    """Refuse reserved and evaluation packages, and those with near-copies of their audio, for a
    training corpus."""
    packages = list(packages)
    _refuse(packages, reserved_packages(), "is reserved for evaluations outside this project")
    _refuse(packages, frozenset(EVALUATION_PACKAGES), "is in the out-of-distribution evaluation set (bench/ood)")
    for package in packages:
        if package in NEAR_COPIES:
            raise PackageNotAllowed(f"{package} {NEAR_COPIES[package]}")


def check_evaluable(packages: Iterable[str], training: Iterable[str]) -> None:
    """Refuse reserved and training packages for the out-of-distribution set."""
    packages = list(packages)
    _refuse(packages, reserved_packages(), "is reserved for evaluations outside this project")
    _refuse(packages, frozenset(training), "is in a training set (trainer.corpus.debian.PACKAGE_SETS)")


def _refuse(packages: list[str], forbidden: frozenset[str], why: str) -> None:
    bad = [p for p in packages if p in forbidden]
    if bad:
        raise PackageNotAllowed(f"{', '.join(bad)} {why}")


def debian_tool(name: str, package: str, needed_for: str) -> str:
    """The path of a program some corpus sources run (fluidsynth, espeak-ng, a game's unpacker),
    or a RuntimeError that says what needs it and which Debian package to install."""
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{needed_for} need {name} (apt-get install {package})")
    return found
