"""Write a small synthetic sound library with descriptive, UCS-style names (for screenshots and demos).

Every sound is made from numpy noise and oscillators, so nothing is downloaded
and the folder can be rebuilt anywhere in a second.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile as sf

SR = 48_000
_rng = np.random.default_rng(7)


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * SR)) / SR


def _noise(seconds: float) -> np.ndarray:
    return _rng.standard_normal(int(seconds * SR))


def _lowpass(x: np.ndarray, alpha: float) -> np.ndarray:
    """One-pole low-pass as a convolution with its impulse response, cut where it has decayed
    below e^-8: a Python loop over the recursion would take seconds per file."""
    kernel = alpha * (1 - alpha) ** np.arange(min(len(x), int(8 / alpha)))
    return np.convolve(x, kernel)[: len(x)]


def _norm(x: np.ndarray, peak: float = 0.8) -> np.ndarray:
    return (x / max(np.abs(x).max(), 1e-9) * peak).astype(np.float32)


def creak(seconds: float, speed: float) -> np.ndarray:
    t = _t(seconds)
    pitch = 90 + 140 * (0.5 + 0.5 * np.sin(2 * np.pi * speed * t + np.sin(3.1 * t)))
    phase = 2 * np.pi * np.cumsum(pitch) / SR
    pulses = (np.sin(phase) > 0.6) * 1.0
    grain = pulses - _lowpass(pulses, 0.02) + 0.2 * _lowpass(_noise(seconds), 0.05)  # stick-slip, no DC
    envelope = np.clip(np.sin(np.pi * t / seconds), 0, 1) ** 0.5
    return _norm(grain * envelope * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t)))


def impact(seconds: float, brightness: float, decay: float) -> np.ndarray:
    t = _t(seconds)
    body = _lowpass(_noise(seconds), brightness) * np.exp(-t * decay)
    thump = np.sin(2 * np.pi * 60 * t) * np.exp(-t * decay * 1.5)
    return _norm(body + 0.8 * thump)


def rain(seconds: float) -> np.ndarray:
    bed = _lowpass(_noise(seconds), 0.3)
    drops = (_rng.random(int(seconds * SR)) > 0.9993) * _rng.random(int(seconds * SR))
    return _norm(bed * 0.3 + _lowpass(drops, 0.6) * 4)


def steps(seconds: float, rate: float) -> np.ndarray:
    out = np.zeros(int(seconds * SR))
    for k in range(int(seconds * rate)):
        at = int((k + 0.3 + 0.1 * _rng.random()) / rate * SR)
        burst = impact(0.25, 0.5, 25) * (0.7 + 0.3 * _rng.random())
        out[at : at + len(burst)] += burst[: len(out) - at]
    return _norm(out)


def bell(seconds: float, base: float) -> np.ndarray:
    t = _t(seconds)
    partials = ((1, 1.0), (2.76, 0.6), (5.4, 0.4), (8.93, 0.25))
    return _norm(sum(a * np.sin(2 * np.pi * base * r * t) * np.exp(-t * (1.2 + r)) for r, a in partials))


def sweep(seconds: float, low: float, high: float) -> np.ndarray:
    t = _t(seconds)
    frequency = low * (high / low) ** (t / seconds)
    return _norm(np.sin(2 * np.pi * np.cumsum(frequency) / SR) * np.minimum(1, 8 * (seconds - t)), 0.6)


def whoosh(seconds: float) -> np.ndarray:
    t = _t(seconds)
    return _norm(_lowpass(_noise(seconds), 0.08) * np.exp(-(((t - seconds / 2) / (seconds / 6)) ** 2)))


def engine(seconds: float, rpm: float) -> np.ndarray:
    t = _t(seconds)
    f = rpm / 60 * 2
    tone = sum(np.sign(np.sin(2 * np.pi * f * k * t)) / k for k in (1, 2, 3))
    return _norm(_lowpass(tone + 0.3 * _noise(seconds), 0.1) * np.minimum(1, t * 2))


def room_with_creak(seconds: float, at: float) -> np.ndarray:
    """Quiet room tone with one slow creak in it: a long file whose best window is a small part."""
    bed = _lowpass(_noise(seconds), 0.02) * 0.05
    event = creak(3.5, 0.35) * 0.9
    start = int(at * SR)
    bed[start : start + len(event)] += event
    return _norm(bed)


def stereo(x: np.ndarray, width: float = 0.3) -> np.ndarray:
    delay = int(0.011 * SR)
    right = np.concatenate([np.zeros(delay, np.float32), x[:-delay]])
    return np.stack([x, (1 - width) * x + width * right], 1).astype(np.float32)


SOUNDS = {
    "DOORWood_Creak Slow Old Hinge_ERMK_01.wav": (lambda: creak(4.0, 0.35), "PCM_24"),
    "DOORWood_Creak Long Squeaky_ERMK_02.wav": (lambda: creak(6.5, 0.2), "PCM_24"),
    "DOORWood_Open Close Heavy_ERMK_03.wav": (
        lambda: np.concatenate([creak(1.6, 0.8), impact(1.2, 0.15, 6)]),
        "PCM_24",
    ),
    "DOORMetl_Slam Warehouse_ERMK_01.wav": (lambda: impact(2.5, 0.4, 3), "PCM_24"),
    "GLASBrk_Bottle Smash_ERMK_01.wav": (lambda: impact(1.5, 0.9, 9), "PCM_16"),
    "RAIN_Roof Tin Steady_ERMK_01.flac": (lambda: stereo(rain(8.0), 0.6), "PCM_24"),
    "WATRDrip_Cave Single Drops_ERMK_01.wav": (lambda: steps(5.0, 1.5) * 0.5, "PCM_24"),
    "FOOTGrvl_Walk Boots Slow_ERMK_01.wav": (lambda: stereo(steps(5.0, 1.8)), "PCM_24"),
    "FOOTWood_Run Floorboards_ERMK_01.wav": (lambda: steps(3.0, 4.5), "PCM_24"),
    "BELLHand_Ring Small Brass_ERMK_01.wav": (lambda: bell(3.0, 880), "FLOAT"),
    "BELLChurch_Toll Distant_ERMK_01.aiff": (lambda: stereo(bell(7.0, 220)), "PCM_24"),
    "UIBeep_Tone Sine 1k_ERMK_01.wav": (lambda: sweep(0.4, 1000, 1001), "PCM_16"),
    "SCIFI_Sweep Rising Laser_ERMK_01.wav": (lambda: sweep(1.8, 200, 6000), "PCM_24"),
    "WHSH_Pass By Fast Air_ERMK_01.wav": (lambda: stereo(whoosh(1.5), 0.8), "PCM_24"),
    "VEHCar_Engine Idle Low_ERMK_01.ogg": (lambda: engine(6.0, 800), "VORBIS"),
    "VEHCar_Engine Rev High_ERMK_02.wav": (lambda: engine(4.0, 3200), "PCM_24"),
    "ROOM_Old House Tone Door Creak_ERMK_01.wav": (lambda: stereo(room_with_creak(30.0, 17.0), 0.5), "PCM_24"),
    "THUN_Rumble Distant Long_ERMK_01.wav": (lambda: stereo(impact(9.0, 0.01, 0.4)), "PCM_24"),
    "IMPCT_Wood Hit Knock_ERMK_01.wav": (lambda: impact(0.8, 0.3, 14), "PCM_24"),
}


# What a sound designer would have typed into the tags and caption fields.
TAGS = {
    "DOORWood_Creak Slow Old Hinge_ERMK_01.wav": (
        ["door", "wood", "creak", "hinge"],
        "an old wooden door creaks open slowly",
    ),
    "DOORWood_Creak Long Squeaky_ERMK_02.wav": (["door", "wood", "creak"], "long squeaky creak of a wooden door"),
    "DOORWood_Open Close Heavy_ERMK_03.wav": (["door", "wood", "slam"], "heavy door opens and shuts"),
    "DOORMetl_Slam Warehouse_ERMK_01.wav": (["door", "metal", "slam"], ""),
    "RAIN_Roof Tin Steady_ERMK_01.flac": (["rain", "ambience"], "steady rain on a tin roof"),
    "BELLChurch_Toll Distant_ERMK_01.aiff": (["bell", "church"], ""),
}
# A file that claims to be a WAV but is not: it shows up in the failed-files list.
BROKEN = "DOORWood_Creak Export Broken_ERMK_04.wav"


def write_demo_library(folder: Path, with_broken_file: bool = True) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (make, subtype) in SOUNDS.items():
        path = folder / name
        if not path.exists():
            sf.write(path, make(), SR, subtype=subtype)
        written.append(path)
    if with_broken_file:
        (folder / BROKEN).write_bytes(b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(64))
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    for path in write_demo_library(parser.parse_args().folder):
        print(path)
