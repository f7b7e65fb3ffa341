"""Turn a model spec (what the user types or the settings hold) into a loaded model.

Specs:
  ``builtin``            the Cacophony checkpoint shipped in ``resources/models/builtin``
  ``PATH``               a Cacophony checkpoint folder (or a saved CLAP folder)
  ``NAME``               a checkpoint folder of that name in the user's models folder
  ``clap:HUB_ID``        a LAION-CLAP model from the hub (downloaded once, then cached)
  ``clap:PATH``          a LAION-CLAP model saved in a local folder (works offline)

Each loaded model's ``info.name`` names its embedding table, so it carries a short
fingerprint of the weights: retraining a checkpoint in place gives a new table
instead of mixing vectors from two different models in one.

Importing this module loads neither torch nor transformers (the backends are imported when a
model is loaded), so the app can list and check models before the engine is up.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from engine.logs import described
from engine.models.base import AudioTextModel, DownloadProgress
from engine.models.folders import (
    CLASSES_FILE,
    CONFIG_FILE,
    WEIGHTS_FILE,
    WORDS_HEAD_FILE,
    is_checkpoint,
    is_clap_folder,
)

BUILTIN = "builtin"
CLAP_PREFIX = "clap:"
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "resources" / "models" / "builtin"
SUGGESTED_CLAP = ("laion/larger_clap_general", "laion/clap-htsat-unfused", "laion/clap-htsat-fused")
_FINGERPRINT_SPAN = 1 << 20  # hash this much of each end of the weights: a new training run changes both


class ModelLoadError(Exception):
    """A model spec that cannot be loaded; the message says what to do instead."""


@dataclass(frozen=True)
class ModelChoice:
    spec: str  # what load_model accepts
    kind: str  # "builtin" | "checkpoint" | "clap"
    location: str  # folder, or hub id
    available: bool  # loadable now, without a download
    note: str = ""


def load_model(
    spec: str | None = None,
    device: str = "cpu",
    *,
    models_dir: Path | None = None,
    progress: DownloadProgress | None = None,
) -> AudioTextModel:
    """Load the model ``spec`` names (None means builtin) on ``device``. Raises ModelLoadError with
    the alternatives, or naming the device when this machine has no such device (a setting saved
    on another machine, a GPU gone)."""
    from engine.models.devices import available_devices  # torch: not at the window's start

    spec = (spec or BUILTIN).strip()
    here = [choice for choice, _ in available_devices()]
    if device.removesuffix(":0") not in here:
        raise ModelLoadError(
            f"the compute device {device!r} is not available here (this machine has {', '.join(here)}): "
            "choose another in Settings → Model"
        )
    try:
        if spec.startswith(CLAP_PREFIX):
            return _load_clap(spec.removeprefix(CLAP_PREFIX).strip(), device, progress)
        folder = resolve_checkpoint(spec, models_dir)
        if is_clap_folder(folder):
            return _load_clap(str(folder), device, progress)
        return _load_cacophony(spec, folder, device)
    except ModelLoadError:
        raise
    except Exception as exc:  # a damaged or mismatched model must not take search down with it
        raise ModelLoadError(f"could not load model {spec!r}: {described(exc)}") from exc


def _load_cacophony(spec: str, folder: Path, device: str) -> AudioTextModel:
    from engine.models.cacophony.backend import CacophonyBackend

    label = BUILTIN if spec == BUILTIN else json.loads((folder / CONFIG_FILE).read_text()).get("name") or folder.name
    name = model_name(
        label, folder / WEIGHTS_FILE, folder / CONFIG_FILE, folder / CLASSES_FILE, folder / WORDS_HEAD_FILE
    )
    return CacophonyBackend.from_checkpoint(folder, name=name, device=device)


def resolve_checkpoint(spec: str, models_dir: Path | None = None) -> Path:
    """The Cacophony (or saved CLAP) folder a non-``clap:`` spec points at."""
    if spec == BUILTIN:
        if is_checkpoint(BUILTIN_DIR):
            return BUILTIN_DIR
        raise ModelLoadError(
            f"the builtin model is not installed (no checkpoint in {BUILTIN_DIR}). Use a Cacophony "
            f"checkpoint folder (--model PATH), or a CLAP model (--model clap:{SUGGESTED_CLAP[0]}, "
            f"downloaded once, or --model clap:FOLDER); `earmark models` lists what is available."
        )
    candidates = [Path(spec).expanduser()]
    if models_dir is not None and "/" not in spec and "\\" not in spec:
        candidates.append(Path(models_dir) / spec)
    for folder in candidates:
        if is_checkpoint(folder) or is_clap_folder(folder):
            return folder.resolve()
    tried = " or ".join(str(c) for c in candidates)
    raise ModelLoadError(
        f"no model at {tried}: a model is 'builtin', a Cacophony checkpoint folder (config.json + "
        f"model.safetensors), or 'clap:<hub id or folder>'; `earmark models` lists what is available."
    )


def _load_clap(source: str, device: str, progress: DownloadProgress | None) -> AudioTextModel:
    from engine.models import clap

    if not source:
        raise ModelLoadError(f"'clap:' needs a hub id or a folder, e.g. clap:{SUGGESTED_CLAP[0]}")
    folder = Path(source).expanduser()
    if folder.is_dir():
        label = folder.resolve().name
    elif _looks_like_hub_id(source):
        label = source
        try:
            folder = clap.download_clap(source, progress)
        except Exception as exc:  # noqa: BLE001 - network, auth, offline and cache errors all end here
            raise ModelLoadError(
                f"could not get CLAP model {source!r} from the hub: {str(exc).rstrip('. ')}. "
                "Without a network, pass a folder holding a saved CLAP model (clap:FOLDER)."
            ) from exc
    else:
        raise ModelLoadError(f"clap:{source}: no such folder, and not a hub id (owner/name)")
    if not is_clap_folder(folder):
        raise ModelLoadError(f"{folder} does not hold a CLAP model (config.json with model_type 'clap')")
    weights = sorted(folder.glob("*.safetensors"))
    if not weights:
        raise ModelLoadError(f"{folder} has no .safetensors weights (Earmark never loads pickled weights)")
    name = model_name(f"clap_{label}", weights[0], folder / "config.json")
    return clap.ClapBackend.from_folder(folder, name, device)


def model_name(label: str, weights: Path, config: Path, *extra: Path) -> str:
    """``label`` made table-safe, plus 8 hex digits that change whenever the weights do (or an
    ``extra`` file that is there: a UCS bridge and its words head change every vector)."""
    digest = hashlib.blake2b(digest_size=4)
    digest.update(config.read_bytes())
    for path in extra:
        if path.is_file():
            digest.update(path.read_bytes())
    size = weights.stat().st_size
    digest.update(str(size).encode())
    with open(weights, "rb") as handle:
        digest.update(handle.read(_FINGERPRINT_SPAN))
        handle.seek(max(size - _FINGERPRINT_SPAN, 0))
        digest.update(handle.read())
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "model"
    return f"{slug}_{digest.hexdigest()}"


def shown_name(spec: str | None) -> str:
    """A model as people read it, one name in the app's status bar and the CLI alike: ``builtin``;
    a checkpoint folder by the folder's name, which the models folder lists and ``--model NAME``
    takes (a fine-tune's "named-2026-12-06-1302", not its config's "named fine-tune 2026-12-06
    13:02", whose table-safe slug the status bar showed: "named_fine_tune_2026_12_06_13_02"); a
    CLAP model as ``clap:`` and its hub id, or its folder's name. The table's name, with the
    weights' fingerprint (:func:`model_name`), is for the index, not for reading."""
    spec = (spec or BUILTIN).strip()
    if spec.startswith(CLAP_PREFIX):
        source = spec.removeprefix(CLAP_PREFIX).strip()
        folder = Path(source).expanduser()
        return CLAP_PREFIX + (folder.resolve().name if folder.is_dir() else source)  # as _load_clap reads it
    return spec if spec == BUILTIN else Path(spec).expanduser().name


def list_models(models_dir: Path | None = None) -> list[ModelChoice]:
    """What ``--model`` can be: builtin, the user's checkpoints, local and cached CLAP models, suggestions."""
    choices = [
        ModelChoice(
            BUILTIN,
            "builtin",
            str(BUILTIN_DIR),
            is_checkpoint(BUILTIN_DIR),
            "" if is_checkpoint(BUILTIN_DIR) else "not installed",
        )
    ]
    if models_dir is not None and Path(models_dir).is_dir():
        for folder in sorted(p for p in Path(models_dir).iterdir() if p.is_dir()):
            if is_clap_folder(folder):  # first: a CLAP folder also has config.json + model.safetensors
                choices.append(ModelChoice(CLAP_PREFIX + str(folder), "clap", str(folder), True))
            elif is_checkpoint(folder):
                choices.append(ModelChoice(folder.name, "checkpoint", str(folder), True))
    cached = _cached_clap_repos()
    for repo_id in dict.fromkeys([*cached, *SUGGESTED_CLAP]):
        available = repo_id in cached
        choices.append(
            ModelChoice(
                CLAP_PREFIX + repo_id,
                "clap",
                repo_id,
                available,
                "downloaded" if available else "downloads on first use",
            )
        )
    return choices


def _cached_clap_repos() -> list[str]:
    """CLAP models already in huggingface_hub's cache (usable offline)."""
    from huggingface_hub import scan_cache_dir

    try:
        cache = scan_cache_dir()
    except Exception:  # noqa: BLE001 - no cache folder yet, or an unreadable one: nothing cached
        return []
    found = []
    for repo in cache.repos:
        if repo.repo_type != "model":
            continue
        for revision in repo.revisions:
            if is_clap_folder(Path(revision.snapshot_path)):
                found.append(repo.repo_id)
                break
    return sorted(found)


def _looks_like_hub_id(text: str) -> bool:
    return re.fullmatch(r"[\w.-]+/[\w.-]+", text) is not None
