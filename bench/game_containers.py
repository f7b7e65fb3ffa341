"""Sounds three games keep inside files of their own format, unpacked for the judged libraries
(bench/judged_libraries.py): Seven Kingdoms' ``.RES`` resource files (7kaa-data), OpenTTD's sound
catalogue ``.cat`` (openttd-opensfx) and X-Moto's ``xmoto.bin`` (xmoto-data). Review 13 judged
these packages' sounds, nearly all of which are in such files, and trainer.corpus.debian reads only
audio files, zip archives and the formats the training packages need.

Like trainer.corpus.debian.unpack_audio, each container's sounds go into a folder named after it
(``A_WAVE2.RES`` -> ``A_WAVE2/BIG_EXPL.wav``) and the container itself goes: it is our extracted
copy. Only members that are audio are written, and no member name leaves its folder.
"""

from __future__ import annotations

import re
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from trainer.corpus.debian import AUDIO_SUFFIXES

EMPTY_WAV = 44  # bytes of a RIFF header with no sound: OpenSFX's "Unused/Nothing" places
XMOTO_MAGIC = b"XBI3"


def extract_containers(deb: Path, dest: Path, containers: list[str]) -> None:
    """The ``containers`` (paths inside the package) extracted from ``deb`` under ``dest`` and
    unpacked; done once, a marker says it finished."""
    done = dest / ".containers-unpacked"
    if done.exists() or not containers:
        return
    dest.mkdir(parents=True, exist_ok=True)
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    extracted = subprocess.run(
        ["tar", "-x", "-C", str(dest), *(f"./{c}" for c in containers)], stdin=tar.stdout, capture_output=True
    )
    if tar.wait() != 0 or extracted.returncode != 0:
        raise RuntimeError(f"{deb.name} lacks one of {containers}: {extracted.stderr.decode().strip()[-300:]}")
    for container in containers:
        unpack(dest / container)
    done.touch()


def unpack(container: Path) -> None:
    """One container's sounds into a folder named after it, by its format (its suffix)."""
    unpackers: dict[str, Callable[[bytes], list[tuple[str, bytes]]]] = {
        ".res": seven_kingdoms_sounds,
        ".cat": openttd_sounds,
        ".bin": xmoto_sounds,
    }
    folder = container.with_suffix("")
    for name, data in unpackers[container.suffix.lower()](container.read_bytes()):
        member = PurePosixPath(name)
        if member.is_absolute() or ".." in member.parts:
            raise ValueError(f"{container.name} names a member outside it: {name}")
        if member.suffix.lower() in AUDIO_SUFFIXES:
            (folder / member).parent.mkdir(parents=True, exist_ok=True)
            (folder / member).write_bytes(data)
    container.unlink()


def seven_kingdoms_sounds(res: bytes) -> list[tuple[str, bytes]]:
    """A 7kaa resource file: a count (uint16), then count + 1 records of a 9-byte name and the
    offset (uint32) where its data starts, the last record's offset being the end; a sound's data
    is a whole WAV file."""
    (count,) = struct.unpack_from("<H", res, 0)
    records = [struct.unpack_from("<9sI", res, 2 + 13 * i) for i in range(count + 1)]
    return [
        (name.split(b"\0")[0].decode("ascii") + ".wav", res[start:end])
        for (name, start), (_, end) in zip(records, records[1:], strict=False)
        if res[start : start + 4] == b"RIFF"
    ]


def openttd_sounds(catalogue: bytes) -> list[tuple[str, bytes]]:
    """An OpenTTD sound catalogue: a table of (offset | 0x80000000, size) uint32 pairs, the first
    offset being the table's size; at each offset a name's length (one byte), the name and then
    ``size`` bytes of WAV. The name holds the sound's title in quotes and its credits; a sound is
    written as ``NN Title.wav``, NN its place in the catalogue (OpenTTD's sound number)."""
    count = (struct.unpack_from("<I", catalogue, 0)[0] & 0x7FFFFFFF) // 8
    sounds = []
    for number in range(count):
        offset, size = struct.unpack_from("<II", catalogue, 8 * number)
        offset &= 0x7FFFFFFF
        length = catalogue[offset]
        name = catalogue[offset + 1 : offset + 1 + length].split(b"\0")[0].decode("latin-1")
        wav = catalogue[offset + 1 + length : offset + 1 + length + size]
        title = re.match(r'"([^"]+)"', name)
        if wav[:4] == b"RIFF" and len(wav) > EMPTY_WAV and title:
            readable = title[1].replace("/", " or ").replace(":", " -")  # a path's separators
            sounds.append((f"{number:02d} {readable}.wav", wav))
    return sounds


def xmoto_sounds(package: bytes) -> list[tuple[str, bytes]]:
    """An X-Moto data package: ``XBI3``, a space and an MD5 in hex, then for each file its path's
    length (one byte), the path, a space, the file's MD5 in hex, its size (uint32) and its bytes."""
    if package[:4] != XMOTO_MAGIC:
        raise ValueError("not an X-Moto data package (no XBI3 at its start)")
    members, position = [], len(XMOTO_MAGIC) + 33
    while position < len(package):
        length = package[position]
        name = package[position + 1 : position + 1 + length].decode("utf-8")
        position += 1 + length + 33  # the path, a space and the MD5
        (size,) = struct.unpack_from("<I", package, position)
        members.append((name, package[position + 4 : position + 4 + size]))
        position += 4 + size
    return members
