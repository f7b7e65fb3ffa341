"""Audio-caption manifests: a generic JSONL/CSV format and the published dataset layouts.

Generic JSONL, one object a line::

    {"audio": "clips/door.wav", "captions": ["a wooden door creaks"], "tags": ["door"], "split": "train"}

(``caption`` may stand for a one-caption list; ``tags`` and ``split`` are optional, split
defaults to ``train``). Generic CSV has an ``audio`` column, one or more ``caption*`` columns,
optional ``tags`` (``;``-separated) and ``split``. Relative audio paths are resolved against
``audio_root`` or the manifest's folder.

Published layouts, recognised by their columns:
- Clotho: ``clotho_captions_<split>.csv`` with ``file_name, caption_1..caption_5``; audio in
  ``<audio_root>/<split>/`` or beside the CSV (``development`` = train, ``validation`` = val,
  ``evaluation`` = test).
- AudioCaps: ``train.csv|val.csv|test.csv`` with ``audiocap_id, youtube_id, start_time,
  caption`` (val/test rows repeat a clip with its 5 captions); audio files named by youtube
  id as the common downloaders write them (``<id>.wav``, ``Y<id>.wav``, ``<id>_<start>.wav``).
- WavCaps: a JSON ``{"data": [{"id", "caption", "audio"?...}]}``; audio ``<audio_root>/<id>.flac``.
Items whose audio is missing are skipped with a count in the log (partial downloads are normal).
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".aiff", ".aif")
CLOTHO_SPLITS = {"development": "train", "validation": "val", "evaluation": "test"}


class ManifestError(ValueError):
    pass


@dataclass
class Item:
    audio: Path
    captions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    split: str = "train"


def read_manifest(path: str | Path, audio_root: str | Path | None = None, split: str | None = None) -> list[Item]:
    """Every item of one manifest file (any supported layout); ``split`` keeps only that split."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"manifest {path} does not exist")
    root = Path(audio_root) if audio_root else path.parent
    if path.suffix == ".jsonl":
        items = _read_generic_jsonl(path, root)
    elif path.suffix == ".json":
        items = _read_wavcaps(path, root)
    elif path.suffix == ".csv":
        items = _read_csv(path, root)
    else:
        raise ManifestError(f"{path}: unknown manifest type (expected .jsonl, .csv or a WavCaps .json)")
    if split is not None:
        items = [item for item in items if item.split == split]
    return _drop_missing(items, path)


def read_manifests(paths: list[str], audio_root: str | None = None, split: str | None = None) -> list[Item]:
    items = [item for path in paths for item in read_manifest(path, audio_root, split)]
    if paths and not items:
        raise ManifestError(f"no usable items (split {split!r}) in {', '.join(map(str, paths))}")
    return items


def write_jsonl(items: list[Item], path: str | Path) -> Path:
    """The generic manifest format, e.g. to freeze a Clotho/AudioCaps selection."""
    path = Path(path)
    with path.open("w") as f:
        for item in items:
            f.write(
                json.dumps(
                    {"audio": str(item.audio), "captions": item.captions, "tags": item.tags, "split": item.split}
                )
                + "\n"
            )
    return path


# ---------------------------------------------------------------------------- layouts
def _read_generic_jsonl(path: Path, root: Path) -> list[Item]:
    items = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            audio = row["audio"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ManifestError(f"{path}:{number}: expected a JSON object with an 'audio' key ({error})") from None
        captions = row.get("captions", row.get("caption", []))
        captions = [captions] if isinstance(captions, str) else list(captions)
        tags = row.get("tags", [])
        tags = [t.strip() for t in tags.split(";")] if isinstance(tags, str) else list(tags)
        items.append(Item(_resolve(root, audio), _clean(captions), _clean(tags), row.get("split", "train")))
    return items


def _read_csv(path: Path, root: Path) -> list[Item]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    columns = set(rows[0]) if rows else set()
    if {"file_name", "caption_1"} <= columns:
        return _read_clotho(path, rows, root)
    if {"youtube_id", "caption"} <= columns:
        return _read_audiocaps(path, rows, root)
    if "audio" in columns:
        return _read_generic_csv(rows, root)
    raise ManifestError(
        f"{path}: CSV columns {sorted(columns)} match no known layout "
        "(generic needs 'audio' and 'caption...'; Clotho 'file_name, caption_1..5'; "
        "AudioCaps 'youtube_id, caption')"
    )


def _read_generic_csv(rows: list[dict], root: Path) -> list[Item]:
    items = []
    for row in rows:
        captions = [v for k, v in row.items() if k and k.startswith("caption")]
        tags = (row.get("tags") or "").split(";")
        items.append(Item(_resolve(root, row["audio"]), _clean(captions), _clean(tags), row.get("split") or "train"))
    return items


def _read_clotho(path: Path, rows: list[dict], root: Path) -> list[Item]:
    clotho_split = next((name for name in CLOTHO_SPLITS if name in path.stem), "development")
    split = CLOTHO_SPLITS[clotho_split]
    folders = [root / clotho_split, root, path.parent / clotho_split, path.parent.parent / clotho_split]
    folder = next((f for f in folders if f.is_dir() and rows and (f / rows[0]["file_name"]).exists()), folders[0])
    return [
        Item(folder / row["file_name"], _clean([v for k, v in row.items() if k.startswith("caption_")]), [], split)
        for row in rows
    ]


def _read_audiocaps(path: Path, rows: list[dict], root: Path) -> list[Item]:
    split = {"train": "train", "val": "val", "valid": "val", "test": "test"}.get(path.stem, path.stem)
    clips: dict[str, Item] = {}
    for row in rows:
        key = row["youtube_id"]
        if key not in clips:
            clips[key] = Item(_find_audiocaps_file(root, row), [], [], split)
        clips[key].captions.extend(_clean([row["caption"]]))
    return list(clips.values())


def _find_audiocaps_file(root: Path, row: dict) -> Path:
    youtube_id, start = row["youtube_id"], row.get("start_time", "")
    stems = [
        youtube_id,
        f"Y{youtube_id}",
        f"{youtube_id}_{start}",
        f"{youtube_id}_{start}.000",
        row.get("audiocap_id", ""),
    ]
    for stem in filter(None, stems):
        for suffix in AUDIO_SUFFIXES:
            candidate = root / f"{stem}{suffix}"
            if candidate.exists():
                return candidate
    return root / f"{youtube_id}.wav"


def _read_wavcaps(path: Path, root: Path) -> list[Item]:
    try:
        data = json.loads(path.read_text())["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ManifestError(f"{path}: expected WavCaps JSON with a 'data' list ({error})") from None
    items = []
    for entry in data:
        stem = str(entry["id"]).removesuffix(".wav").removesuffix(".flac")
        candidates = [root / f"{stem}{suffix}" for suffix in (".flac", ".wav")]
        audio = next((c for c in candidates if c.exists()), candidates[0])
        items.append(Item(audio, _clean([entry["caption"]]), [], "train"))
    return items


# ---------------------------------------------------------------------------- helpers
def _resolve(root: Path, audio: str) -> Path:
    p = Path(audio).expanduser()
    return p if p.is_absolute() else root / p


def _clean(texts: list[str]) -> list[str]:
    return [t.strip() for t in texts if t and t.strip()]


def _drop_missing(items: list[Item], source: Path) -> list[Item]:
    present = [item for item in items if item.audio.is_file()]
    if len(present) < len(items):
        missing = [str(item.audio) for item in items if not item.audio.is_file()]
        log.warning(
            "%s: %d of %d audio files are missing and skipped (first: %s)", source, len(missing), len(items), missing[0]
        )
    return present
