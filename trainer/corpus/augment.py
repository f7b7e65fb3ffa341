"""Augmentation that multiplies audio-caption pairs without making captions false: gain and
time offsets change nothing a caption says; varispeed (pitch and time together) is skipped
for clips whose caption names a pitch or speed; reverb is said in the caption; a mix of two
clips is captioned "X and Y". Variants keep their source's split, and mixes only pair clips
of one split, so nothing held out leaks into training."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import soxr

from trainer.corpus.clips import MAX_SAMPLES, SAMPLE_RATE, Clip, read_clip, write_clip


def gain(samples: np.ndarray, rng: random.Random) -> np.ndarray:
    return samples * 10 ** (rng.uniform(-12, 6) / 20)


def time_offset(samples: np.ndarray, rng: random.Random) -> np.ndarray:
    """Start later in the window (leading silence), as a file with a pre-roll does."""
    lead = int(rng.uniform(0.05, 1.0) * SAMPLE_RATE)
    return np.concatenate([np.zeros(lead, dtype=samples.dtype), samples])[:MAX_SAMPLES]


def varispeed(samples: np.ndarray, semitones: float) -> np.ndarray:
    """Tape-style speed change: pitch up by ``semitones`` and shorter by the same factor."""
    return soxr.resample(samples, SAMPLE_RATE * 2 ** (semitones / 12), SAMPLE_RATE).astype(np.float32)[:MAX_SAMPLES]


def reverb(samples: np.ndarray, seconds: float, rng: np.random.Generator, wet: float = 0.5) -> np.ndarray:
    """Convolution with exponentially decaying noise (a synthetic room with RT60 = ``seconds``)."""
    n = int(seconds * SAMPLE_RATE)
    ir = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    ir /= np.sqrt(np.sum(ir**2))
    size = len(samples) + n - 1
    tail = np.fft.irfft(np.fft.rfft(samples, size) * np.fft.rfft(ir, size), size)[:MAX_SAMPLES]
    dry = np.pad(samples, (0, max(0, len(tail) - len(samples))))[: len(tail)]
    return ((1 - wet) * dry + wet * tail).astype(np.float32)


def mix(a: np.ndarray, b: np.ndarray, rng: random.Random) -> np.ndarray:
    """Sum at a random level difference within 6 dB, each peak-normalised first."""
    n = min(max(len(a), len(b)), MAX_SAMPLES)
    out = np.zeros(n, dtype=np.float32)
    for samples, level in ((a, 0.0), (b, rng.uniform(-6, 6))):
        samples = samples[:n] / (np.max(np.abs(samples)) + 1e-9)
        out[: len(samples)] += samples * 10 ** (level / 20) * 0.5
    return out


ROOMS = {0.4: "in a small room", 1.2: "with reverb", 2.5: "in a large hall"}


def variant(
    samples: np.ndarray,
    clip: Clip,
    rng: random.Random,
    nrng: np.random.Generator,
) -> tuple[np.ndarray, list[str], str]:
    """One random augmentation of a clip: (audio, captions, what was done)."""
    choices = ["gain", "offset", "reverb"] + ([] if clip.exact_pitch else ["varispeed"])
    how = rng.choice(choices)
    captions = list(clip.captions)
    if how == "gain":
        samples = gain(samples, rng)
    elif how == "offset":
        samples = gain(time_offset(samples, rng), rng)
    elif how == "varispeed":
        samples = varispeed(samples, rng.choice((-4, -2, 2, 4)))
    else:
        room_seconds = rng.choice(tuple(ROOMS))
        samples = reverb(samples, room_seconds, nrng)
        captions = [f"{c}, {ROOMS[room_seconds]}" for c in captions[:1]] + captions
    return samples, captions, how


def build(out: Path, clips: list[Clip], variants: int, mixes: int, rng: random.Random) -> list[Clip]:
    nrng = np.random.default_rng(rng.randrange(2**32))
    extra = []
    for clip in clips:
        samples = read_clip(out, clip)
        for number in range(variants):
            audio, captions, how = variant(samples, clip, rng, nrng)
            relative = write_clip(out, f"augmented/{clip.audio.removesuffix('.wav')}.{how}{number}.wav", audio)
            extra.append(Clip(relative, captions, clip.tags, clip.source, clip.kind, clip.split, clip.exact_pitch))
    by_split: dict[str, list[Clip]] = {}
    for clip in clips:
        by_split.setdefault(clip.split, []).append(clip)
    for number in range(mixes):
        split = "val" if rng.random() < len(by_split.get("val", [])) / len(clips) else "train"
        pool = by_split.get(split, [])
        if len(pool) < 2:
            continue
        a, b = rng.sample(pool, 2)
        if a.source == b.source or a.captions[0] == b.captions[0]:
            continue
        relative = write_clip(out, f"mixes/{number:05d}.wav", mix(read_clip(out, a), read_clip(out, b), rng))
        extra.append(
            Clip(
                relative,
                [f"{a.captions[0]} and {b.captions[0]}", f"{a.tags[0]} and {b.tags[0]}"],
                list(dict.fromkeys(a.tags + b.tags)),
                f"{a.source}+{b.source}",
                "mix",
                split,
                a.exact_pitch or b.exact_pitch,
            )
        )
    return extra
