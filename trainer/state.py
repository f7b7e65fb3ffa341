"""Resumable training state without pickle: tensors in safetensors, everything else in JSON.

``optimizer.state_dict()`` is a nest of dicts holding tensors (Adam moments, step counts)
and plain values (param groups). Tensors are stored flat under dotted paths in
``trainer_state.safetensors``; the rest, with a placeholder where each tensor was, goes to
``trainer_state.json``. Loading re-inflates the exact structure, so any torch optimizer works.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

STATE_TENSORS = "trainer_state.safetensors"
STATE_JSON = "trainer_state.json"
_TENSOR = "__tensor__"


def flatten(tree: Any, prefix: str, tensors: dict[str, torch.Tensor]) -> Any:
    """Move every tensor of ``tree`` into ``tensors``; return the JSON-able skeleton."""
    if isinstance(tree, torch.Tensor):
        tensors[prefix] = tree.detach().cpu().contiguous()
        return {_TENSOR: prefix}
    if isinstance(tree, dict):
        return {"__dict__": [[_key(k), flatten(v, f"{prefix}.{k}", tensors)] for k, v in tree.items()]}
    if isinstance(tree, (list, tuple)):
        return {
            "__list__": [flatten(v, f"{prefix}.{i}", tensors) for i, v in enumerate(tree)],
            "tuple": isinstance(tree, tuple),
        }
    return tree


def inflate(skeleton: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(skeleton, dict):
        if _TENSOR in skeleton:
            return tensors[skeleton[_TENSOR]]
        if "__dict__" in skeleton:
            return {_unkey(k): inflate(v, tensors) for k, v in skeleton["__dict__"]}
        if "__list__" in skeleton:
            items = [inflate(v, tensors) for v in skeleton["__list__"]]
            return tuple(items) if skeleton["tuple"] else items
    return skeleton


def _key(k: Any) -> list:
    return ["int", k] if isinstance(k, int) else ["str", k]


def _unkey(k: list) -> Any:
    return int(k[1]) if k[0] == "int" else k[1]


def save_state(folder: Path, state: dict[str, Any]) -> None:
    """``state`` may hold tensors anywhere (optimizer state, RNG states) and JSON values."""
    tensors: dict[str, torch.Tensor] = {}
    skeleton = flatten(state, "s", tensors)
    save_file(tensors, Path(folder) / STATE_TENSORS)
    (Path(folder) / STATE_JSON).write_text(json.dumps(skeleton))


def load_state(folder: Path) -> dict[str, Any] | None:
    folder = Path(folder)
    if not (folder / STATE_JSON).is_file():
        return None
    tensors = load_file(folder / STATE_TENSORS)
    return inflate(json.loads((folder / STATE_JSON).read_text()), tensors)
