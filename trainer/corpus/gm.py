"""General MIDI rendered through fluidsynth with FluidR3_GM: every program plays notes, chords
and rolls at three velocities; every drum key is hit in four kits. One MIDI file per program
holds all its events at known times, so one fluidsynth run renders them and we cut the result
(starting fluidsynth and loading the 140 MB SoundFont costs more than the rendering)."""

from __future__ import annotations

import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from trainer.corpus.clips import SAMPLE_RATE, Clip, is_audible, write_clip
from trainer.corpus.gm_names import DRUM_KITS, DRUMS, FIRST_DRUM_KEY, PROGRAMS, family, plain_name
from trainer.corpus.packages import debian_tool
from trainer.corpus.signals import note_name

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
TICKS_PER_SECOND = 960  # 480 ticks a beat at the default 120 bpm
SLOT_SECONDS = 3.0  # every event gets its own slot: 2 s of playing, then its release rings out
VELOCITIES = {40: "soft", 80: "", 120: "loud"}


@dataclass
class Event:
    notes: list[tuple[float, int, float]]  # (onset within the slot, key, duration)
    velocity: int
    caption: str  # without the loudness
    tags: list[str]


def midi_file(channel: int, program: int, bank: int, events: list[Event]) -> bytes:
    """A format-0 Standard MIDI File: bank/program select, then every event in its slot."""
    timeline: list[tuple[int, bytes]] = [
        (0, bytes([0xB0 | channel, 0, bank >> 7])),
        (0, bytes([0xB0 | channel, 32, bank & 0x7F])),
        (0, bytes([0xC0 | channel, program])),
    ]
    for slot, event in enumerate(events):
        for onset, key, duration in event.notes:
            start = round((slot * SLOT_SECONDS + onset) * TICKS_PER_SECOND)
            end = start + round(duration * TICKS_PER_SECOND)
            timeline.append((start, bytes([0x90 | channel, key, event.velocity])))
            timeline.append((end, bytes([0x80 | channel, key, 0])))
    timeline.append((round(len(events) * SLOT_SECONDS * TICKS_PER_SECOND), b"\xff\x2f\x00"))
    timeline.sort(key=lambda item: (item[0], item[1][0] & 0xF0 == 0x90))  # note-offs before note-ons
    track, now = bytearray(), 0
    for tick, message in timeline:
        track += variable_length(tick - now) + message
        now = tick
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def variable_length(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def render(midi: bytes, slots: int) -> np.ndarray:
    """fluidsynth's offline renderer at 16 kHz, mono, cut to the slots."""
    debian_tool("fluidsynth", "fluidsynth fluid-soundfont-gm", "the General MIDI sounds")
    if not SOUNDFONT.exists():
        raise RuntimeError(f"the General MIDI sounds need {SOUNDFONT} (apt-get install fluid-soundfont-gm)")
    with tempfile.TemporaryDirectory() as tmp:
        mid, wav = Path(tmp) / "in.mid", Path(tmp) / "out.wav"
        mid.write_bytes(midi)
        subprocess.run(
            ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(SAMPLE_RATE), "-F", str(wav), str(SOUNDFONT), str(mid)],
            check=True,
            capture_output=True,
        )
        samples, _ = sf.read(wav, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    need = int(slots * SLOT_SECONDS * SAMPLE_RATE)
    return np.pad(mono, (0, max(0, need - len(mono))))[:need]


def program_events(name: str) -> list[Event]:
    tags = [name, family(PROGRAMS.index(next(p for p in PROGRAMS if plain_name(p) == name)))]
    events = []
    for velocity in VELOCITIES:
        for key in (45, 60, 72):
            register = {45: "low", 60: "", 72: "high"}[key]
            events.append(
                Event(
                    [(0.0, key, 1.5)],
                    velocity,
                    with_article(f"{register + ' ' if register else ''}{name} note ({note_name(key)})"),
                    tags,
                )
            )
        events.append(
            Event([(0.0, k, 1.8) for k in (60, 64, 67)], velocity, with_article(f"{name} playing a chord"), tags)
        )
        events.append(
            Event(
                [(i * 0.12, k, 0.12) for i, k in enumerate((60, 64, 67, 72, 76, 79, 84))],
                velocity,
                with_article(f"{name} playing a fast rising arpeggio"),
                tags,
            )
        )
        events.append(
            Event(
                [(i * 0.08, 55, 0.08) for i in range(20)],
                velocity,
                with_article(f"{name} playing a fast repeated note roll"),
                tags,
            )
        )
    return events


def drum_events(kit: str) -> list[Event]:
    events = []
    for offset, drum in enumerate(DRUMS):
        name = drum.lower()
        tags = [name, drum_kind(name), kit]
        for velocity in VELOCITIES:
            events.append(
                Event([(0.0, FIRST_DRUM_KEY + offset, 0.2)], velocity, with_article(f"{name} hit, {kit}"), tags)
            )
        events.append(
            Event(
                [(i * 0.07, FIRST_DRUM_KEY + offset, 0.07) for i in range(20)],
                80,
                with_article(f"{name} roll, {kit}"),
                tags,
            )
        )
    return events


# What a person calls a GM drum sound in general ("a snare" for "electric snare").
DRUM_KINDS = (
    ("bass drum", "kick drum"),
    ("snare", "snare drum"),
    ("side stick", "snare drum rim"),
    ("tom", "tom drum"),
    ("hi-hat", "hi-hat"),
    ("cymbal", "cymbal"),
    ("ride bell", "cymbal"),
    ("conga", "hand drum"),
    ("bongo", "hand drum"),
    ("timbale", "hand drum"),
)


def with_article(phrase: str) -> str:
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def drum_kind(name: str) -> str:
    return next((kind for part, kind in DRUM_KINDS if part in name), "percussion")


def with_loudness(event: Event) -> list[str]:
    loud = VELOCITIES[event.velocity]
    primary = f"{event.caption}, {loud}" if loud else event.caption
    return [primary, event.tags[0], f"{event.tags[0]} ({event.tags[1]})"]


def cut(out: Path, folder: str, audio: np.ndarray, events: list[Event], kind: str) -> list[Clip]:
    clips = []
    slot = int(SLOT_SECONDS * SAMPLE_RATE)
    for number, event in enumerate(events):
        piece = audio[number * slot : (number + 1) * slot]
        if not is_audible(piece, floor_db=-55):
            continue  # a program or kit the SoundFont lacks renders silence
        relative = write_clip(out, f"{folder}/{number:03d}.wav", piece)
        clips.append(
            Clip(relative, with_loudness(event), event.tags, f"{folder}/{number}", kind=kind, exact_pitch=True)
        )
    return clips


def build(out: Path) -> list[Clip]:
    clips = []
    for program, full_name in enumerate(PROGRAMS):
        events = program_events(plain_name(full_name))
        audio = render(midi_file(0, program, 0, events), len(events))
        clips += cut(out, f"gm/program-{program:03d}", audio, events, "gm")
    for bank, kit in DRUM_KITS.items():
        events = drum_events(kit)
        audio = render(midi_file(9, bank, 128, events), len(events))
        clips += cut(out, f"gm/drums-{bank:03d}", audio, events, "drums")
    return clips
