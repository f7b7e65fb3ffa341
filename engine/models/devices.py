"""Which compute devices a model can run on here, for the settings' device choice, and what the
CPU computes natively."""

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


def native_bf16(device: str) -> bool:
    """Whether this CPU multiplies bf16 in hardware (AVX512-BF16 or AMX). Elsewhere bf16
    products are emulated, slower than fp32's, so models stay fp32 there."""
    return device == "cpu" and (torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
