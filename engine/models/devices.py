"""Which compute devices a model can run on here, for the settings' device choice."""

from __future__ import annotations

import torch


def available_devices() -> list[tuple[str, str]]:
    """(device string for ``load_model``, label for people); the CPU is always first."""
    devices = [("cpu", "CPU")]
    if torch.cuda.is_available():
        devices += [
            (f"cuda:{i}" if i else "cuda", f"GPU: {torch.cuda.get_device_name(i)}")
            for i in range(torch.cuda.device_count())
        ]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        devices.append(("mps", "GPU: Apple Metal"))
    return devices
