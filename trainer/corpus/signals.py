"""Synthesised test signals with captions that are exactly true: tones at named pitches,
sweeps, noise colours, clicks and beeps. They teach the words a sound designer uses for
the plainest sounds ("a high-pitched beep", "pink noise")."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from trainer.corpus.clips import SAMPLE_RATE, Clip, write_clip

NOTE_NAMES = ("C", "C sharp", "D", "E flat", "E", "F", "F sharp", "G", "A flat", "A", "B flat", "B")
WAVEFORMS = ("sine", "square", "sawtooth", "triangle")


def midi_hz(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def note_name(note: int) -> str:
    return f"{NOTE_NAMES[note % 12]}{note // 12 - 1}"


def register(hz: float) -> str:
    if hz < 150:
        return "low"
    if hz < 600:
        return "mid-range"
    if hz < 2000:
        return "high-pitched"
    return "very high-pitched"


def oscillator(waveform: str, phase: np.ndarray) -> np.ndarray:
    """Waveform of a phase in cycles (not radians)."""
    frac = phase % 1.0
    if waveform == "sine":
        return np.sin(2 * np.pi * phase)
    if waveform == "square":
        return np.where(frac < 0.5, 1.0, -1.0)
    if waveform == "sawtooth":
        return 2 * frac - 1
    if waveform == "triangle":
        return 1 - 4 * np.abs(frac - 0.5)
    raise ValueError(f"unknown waveform {waveform!r}")


def envelope(n: int, fade_s: float = 0.01) -> np.ndarray:
    fade = max(1, min(n // 2, int(fade_s * SAMPLE_RATE)))
    env = np.ones(n)
    env[:fade] = np.linspace(0, 1, fade)
    env[-fade:] = np.linspace(1, 0, fade)
    return env


def tone(hz: float, seconds: float, waveform: str = "sine") -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return oscillator(waveform, hz * t) * envelope(len(t))


def sweep(f0: float, f1: float, seconds: float) -> np.ndarray:
    """Exponential sweep (equal time per octave, as the ear hears pitch)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    k = np.log(f1 / f0) / seconds
    phase = f0 * (np.exp(k * t) - 1) / k
    return np.sin(2 * np.pi * phase) * envelope(len(t))


def noise(colour: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """White, pink (1/f power) or brown (1/f^2) noise by spectral shaping, peak-normalised."""
    n = int(seconds * SAMPLE_RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    f[0] = f[1]
    spectrum *= {"white": 1.0, "pink": f**-0.5, "brown": f**-1.0}[colour]
    out = np.fft.irfft(spectrum, n)
    return out / (np.max(np.abs(out)) + 1e-9) * envelope(n)


def pulses(burst: np.ndarray, count: int, period_s: float, tail_s: float = 0.3) -> np.ndarray:
    period = int(period_s * SAMPLE_RATE)
    out = np.zeros(period * (count - 1) + len(burst) + int(tail_s * SAMPLE_RATE))
    for i in range(count):
        out[i * period : i * period + len(burst)] += burst
    return out


def click() -> np.ndarray:
    n = int(0.004 * SAMPLE_RATE)
    return np.exp(-np.arange(n) / (0.0006 * SAMPLE_RATE)) * np.sign(np.sin(np.arange(n) * 0.9))


COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def loudness(rng: random.Random) -> tuple[float, str]:
    gain = rng.choice((0.08, 0.3, 0.8))
    return gain, {0.08: "quiet ", 0.3: "", 0.8: "loud "}[gain]


def recipes(rng: random.Random, nrng: np.random.Generator):
    """(samples, captions, tags, exact_pitch) for every synthesised item."""
    for note in range(28, 109, 2):  # E1..C8, every other semitone
        hz = midi_hz(note)
        for waveform in WAVEFORMS:
            seconds = rng.choice((0.5, 1.5, 3.0))
            gain, loud = loudness(rng)
            name = note_name(note)
            yield (
                tone(hz, seconds, waveform) * gain,
                [
                    f"a {loud}{register(hz)} {waveform} tone",
                    f"a {waveform} wave at {name}, {hz:.0f} Hz",
                    f"{waveform} tone",
                ],
                [f"{waveform} tone", register(hz)],
                True,
            )
    for _ in range(120):
        f0, f1 = sorted(rng.sample([50, 100, 200, 400, 800, 1600, 3200, 6400], 2))
        up = rng.random() < 0.5
        seconds = rng.choice((0.5, 1.0, 2.0, 4.0))
        speed = "fast" if seconds <= 1 else "slow"
        direction = "up" if up else "down"
        start, end = (f0, f1) if up else (f1, f0)
        yield (
            sweep(start, end, seconds) * loudness(rng)[0],
            [
                f"a {speed} sine sweep going {direction}",
                "a rising tone" if up else "a falling tone",
                f"frequency sweep {direction} from {start} Hz to {end} Hz",
            ],
            ["sweep", direction],
            True,
        )
    for colour in ("white", "pink", "brown"):
        for _ in range(40):
            gain, loud = loudness(rng)
            seconds = rng.choice((0.3, 1.0, 3.0, 8.0))
            length = "a burst of " if seconds < 0.5 else ""
            yield (
                noise(colour, seconds, nrng) * gain,
                [
                    f"{length}{loud}{colour} noise",
                    f"{colour} noise",
                    "static hiss" if colour == "white" else f"{colour} noise rumble",
                ],
                [f"{colour} noise", "noise"],
                False,
            )
    for _ in range(80):
        count = rng.choice((1, 2, 3, 4, 6))
        hz = rng.choice((440, 880, 1000, 1500, 2000, 3000))
        length = rng.choice((0.05, 0.15, 0.6))
        kind = {0.05: "short", 0.15: "", 0.6: "long"}[length]
        gap = length + rng.choice((0.05, 0.2, 0.5))
        words = (
            f"{COUNT_WORDS[count]} {kind} beeps".replace("  ", " ")
            if count > 1
            else f"a {kind} beep".replace("  ", " ")
        )
        yield (
            pulses(tone(hz, length, rng.choice(("sine", "square"))), count, gap) * loudness(rng)[0],
            [words, f"{'a ' if count == 1 else ''}{register(hz)} beep{'s' if count > 1 else ''}", "beep"],
            ["beep", register(hz)],
            True,
        )
    for _ in range(60):
        bpm = rng.choice((60, 90, 120, 180, 240, 400))
        count = rng.choice((1, 4, 8, 16))
        words = "a single click" if count == 1 else f"clicks at {bpm} beats per minute"
        tempo = "" if count == 1 else ("fast " if bpm >= 240 else "slow " if bpm <= 90 else "")
        yield (
            pulses(click(), count, 60 / bpm) * loudness(rng)[0],
            [words, f"{tempo}ticking clicks" if count > 1 else "a click", "metronome clicks" if count > 1 else "click"],
            ["click"],
            True,
        )
    for _ in range(20):
        seconds = rng.choice((1.0, 3.0))
        hum_hz = rng.choice((50, 60))
        hum = sum(tone(hum_hz * k, seconds) / k for k in (1, 2, 3)) * 0.3
        yield (hum, [f"electrical hum at {hum_hz} Hz", "mains hum", "a low electrical buzz"], ["hum"], True)


def build(out: Path, seed: int = 0) -> list[Clip]:
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    clips = []
    for number, (samples, captions, tags, exact) in enumerate(recipes(rng, nrng)):
        relative = write_clip(out, f"signals/{number:05d}.wav", samples.astype(np.float32))
        clips.append(Clip(relative, captions, tags, f"signals/{number}", kind="signal", exact_pitch=exact))
    return clips
