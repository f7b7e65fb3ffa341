"""Builders for the audio tests: chunk writers for BWF/iXML fixtures and a sparse multi-hour WAV.

Tests may write RIFF chunks by hand to *produce* fixtures; the code under test
only ever reads them through wavinfo and mutagen.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from tests.factories import tone, write_audio


def append_riff_chunks(path: Path, chunks: dict[bytes, bytes]) -> Path:
    """Append chunks to a RIFF/WAVE or RF64/WAVE file, keeping its size fields true."""
    data = bytearray(path.read_bytes())
    for ident, payload in chunks.items():
        data += ident + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) % 2)
    if data[:4] == b"RIFF":
        struct.pack_into("<I", data, 4, len(data) - 8)
    else:  # RF64 keeps its real size in the ds64 chunk right after "WAVE"
        struct.pack_into("<Q", data, 20, len(data) - 8)
    path.write_bytes(bytes(data))
    return path


def bext_chunk(description: str, originator: str = "", originator_ref: str = "", encoding: str = "ascii") -> bytes:
    """An EBU Tech 3285 version-1 bext payload."""
    fixed = struct.pack(
        "<256s32s32s10s8sQH64s10s180s",
        description.encode(encoding),
        originator.encode(encoding),
        originator_ref.encode(encoding),
        b"2024-01-31",
        b"12:00:00",
        0,
        1,
        b"",
        b"",
        b"",
    )
    return fixed + b"A=PCM,F=48000,W=24,M=mono\r\n"


def wav_header(sample_rate: int, channels: int, bits: int, data_bytes: int, format_tag: int = 1) -> bytes:
    """A canonical 44-byte PCM WAV header whose fields can be made to lie."""
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, format_tag, channels, sample_rate, sample_rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def sparse_wav(path: Path, seconds: float, sample_rate: int) -> Path:
    """A silent 16-bit mono WAV of any length that costs no disk: the data is a hole."""
    data_bytes = int(seconds * sample_rate) * 2
    with open(path, "wb") as out:
        out.write(wav_header(sample_rate, 1, 16, data_bytes))
        out.truncate(44 + data_bytes)
    return path


@pytest.fixture
def stereo_tone_wav(tmp_path) -> Path:
    """1.5 s at 48 kHz: 1 kHz on the left, silence on the right."""
    left = tone(1000, 1.5, sr=48_000)
    return write_audio(
        tmp_path / "stereo.wav", np.stack([left, np.zeros_like(left)], axis=1), sr=48_000, subtype="PCM_24"
    )
