"""``earmark-train eval``: the papers' evaluation of any model the app can load."""

from __future__ import annotations

from engine.models.base import AudioTextModel
from engine.models.registry import load_model
from trainer.data.audio import load_mono
from trainer.data.manifest import read_manifests
from trainer.evaluation.captions import CaptionMetricsUnavailable, caption_metrics
from trainer.evaluation.retrieval import evaluate_backend, zero_shot_accuracy


def generated_captions(model: AudioTextModel, items, batch_size: int = 8) -> list[str]:
    """The captions the app would write for the items: its own decoding (beam search, 3 beams)."""
    sr = model.info.sample_rate
    out: list[str] = []
    for start in range(0, len(items), batch_size):
        out += [
            c.text for c in model.describe([load_mono(item.audio, sr) for item in items[start : start + batch_size]])
        ]
    return out


def run_eval(
    model_spec: str,
    manifests: list[str],
    split: str | None = None,
    zero_shot: bool = False,
    captions: bool = False,
    audio_root: str | None = None,
    device: str = "cpu",
    spice: bool = False,
) -> dict:
    model = load_model(model_spec, device=device)  # anything the app loads: builtin, a folder, clap:...
    items = read_manifests(manifests, audio_root, split)
    results: dict = {"model": model.info.name, "items": len(items)}
    with_captions = [item for item in items if item.captions]
    if with_captions:
        results |= evaluate_backend(model, with_captions)
    if zero_shot:
        results |= zero_shot_accuracy(model, items)
    if captions:
        if not model.info.can_caption:
            results["captions"] = f"{model.info.name} cannot caption"
        else:
            try:
                results |= caption_metrics(
                    generated_captions(model, with_captions), [item.captions for item in with_captions], spice=spice
                )
            except CaptionMetricsUnavailable as error:
                results["captions"] = str(error)
    return results
