"""How much a built corpus holds: clips, hours and audio-caption pairs, per split and kind.

Clip counts alone hide how much sound a corpus is (a GM note is two seconds, a game's music loop
ten), and captions per clip differ by source, so all three are read off the manifest and the
clips' own headers (``python -m trainer.corpus stats data/corpus-sfx data/corpus-synth``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from trainer.corpus.clips import read_manifest


@dataclass
class Tally:
    clips: int = 0
    seconds: float = 0.0
    pairs: int = 0  # (clip, caption) pairs: what contrastive training draws from

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.clips + other.clips, self.seconds + other.seconds, self.pairs + other.pairs)


def tally(folder: Path) -> dict[tuple[str, str], Tally]:
    """(split, kind) -> what the corpus in ``folder`` holds, from its ``manifest.jsonl``."""
    found: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for clip in read_manifest(Path(folder) / "manifest.jsonl"):
        found[clip.split, clip.kind] += Tally(1, sf.info(Path(folder) / clip.audio).duration, len(clip.captions))
    return dict(found)


def table(folder: Path, tallies: dict[tuple[str, str], Tally]) -> str:
    """A markdown table of ``tallies``, one row per split and kind, then each split's total."""
    lines = [f"{folder}", "", "| split | kind | clips | hours | pairs |", "|---|---|---|---|---|"]
    for split in sorted({s for s, _ in tallies}):  # train, then val
        rows = sorted(((kind, t) for (s, kind), t in tallies.items() if s == split), key=lambda row: row[0])
        rows.append(("all", sum((t for _, t in rows), Tally())))
        lines += [f"| {split} | {kind} | {t.clips:,} | {t.seconds / 3600:.2f} | {t.pairs:,} |" for kind, t in rows]
    return "\n".join(lines)
