"""Search the way a sound designer does, on sounds the model never saw: copy a manifest's clips
under opaque names (0000.wav, ...), index them with ``earmark`` and a model, type category
queries, and count how many of the top 10 have the category's word in their source name.

The file names carry nothing, so only the model ranks. Prints precision@10 per query and its
chance level (the category's share of the clips); asserts nothing.

    python recipes/builtin/query_eval.py MODEL [--manifest data/ood/heldout.jsonl]
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# query -> words, any of which in a clip's first caption makes it a right answer
QUERIES = {
    "footsteps": ["footstep"], "door": ["door", "doors"], "a person speaking": ["voice"],
    "game music": ["music"], "fire": ["fire", "flame"], "water": ["water"], "glass breaking": ["glass"],
    "metal": ["metal", "steel"], "wolf growl": ["wolf", "growl"], "horse": ["horse"],
    "scream": ["scream", "die", "death"], "digging": ["dig", "dug"],
}


def words(caption: str) -> set[str]:
    return set(re.findall(r"[a-z]+", caption.lower()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="builtin, a checkpoint folder or clap:...")
    parser.add_argument("--manifest", type=Path, default=Path("data/ood/heldout.jsonl"))
    args = parser.parse_args()
    earmark = [sys.executable, "-m", "engine.cli"]
    with tempfile.TemporaryDirectory(prefix="earmark-query-eval-") as tmp:
        library, home = Path(tmp) / "library", Path(tmp) / "home"
        library.mkdir()
        truth = {}
        for i, line in enumerate(args.manifest.read_text().splitlines()):
            item = json.loads(line)
            source = args.manifest.parent / item["audio"]
            name = f"{i:04d}{source.suffix}"
            shutil.copyfile(source, library / name)
            truth[name] = words(item["captions"][0] if "captions" in item else item["caption"])
        run = lambda *a: subprocess.run([*earmark, "--home", str(home), "--model", args.model, *a],
                                        capture_output=True, text=True, check=True).stdout
        run("add-folder", str(library))
        run("index")
        precisions, chances = [], []
        for query, right in QUERIES.items():
            hits = [Path(h["path"]).name for h in json.loads(run("search", query, "--json", "--limit", "10"))]
            precision = sum(bool(truth[h] & set(right)) for h in hits) / 10
            chance = sum(bool(w & set(right)) for w in truth.values()) / len(truth)
            precisions.append(precision)
            chances.append(chance)
            print(f"{query:<20} P@10 {precision:.1f}   chance {chance:.2f}")
    print(f"mean P@10 {sum(precisions) / len(precisions):.3f}   chance {sum(chances) / len(chances):.3f}"
          f"   ({len(truth)} clips, {args.model})")


if __name__ == "__main__":
    main()
