"""The per-container tag readers behind :func:`engine.audio.metadata.read_metadata`.

Each reader takes the open file and returns ``{"<source>.<field>": text}``;
wavinfo parses RIFF/RF64 chunks, mutagen everything else, so no chunk layout
is decoded by hand here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import BinaryIO

import mutagen
from mutagen.aiff import AIFFFile
from mutagen.id3 import ID3
from wavinfo import WavInfoReader

from engine.audio.riff import is_rf64_wave, is_riff_wave
from engine.logs import described

log = logging.getLogger(__name__)

_INFO_FIELDS = ("title", "artist", "comment", "keywords", "subject", "genre", "product", "engineer", "source")
_IXML_FIELDS = ("project", "scene", "take", "tape", "family_name")
_IXML_TEXT = ("NOTE", "USER")
_AIFF_TEXT = {"NAME": "name", "AUTH": "auth", "(c) ": "copyright", "ANNO": "anno"}
_ID3_FRAMES = {"TIT1", "TIT2", "TIT3", "TPE1", "TPE2", "TALB", "TCON", "TCOM", "COMM", "TXXX"}
# Field names holding numbers, dates, IDs and the tool that wrote the file rather than words about
# the sound: Vorbis comment / TXXX names, and the BWF ``bext`` fields that converters copy into
# them (``originator`` is the recorder or DAW: "Pro Tools" in every file of a session made "tools"
# a word of each, TOOLS a tag of each; ``origreference`` is an ID such as "micQnbGa9SfaaaGk"),
# and the iXML slate a recorder writes on every take (scene "12A", take "3", tape "DAY04").
_TECHNICAL = re.compile(
    r"^(encoder|encoded_by|software|date|year|tracknumber|tracktotal|totaltracks|discnumber|disctotal"
    r"|totaldiscs|isrc|bpm|length|replaygain_.*|r128_.*|itunes.*|musicbrainz.*"
    r"|originator|orig_?reference|originator_?reference|orig(ination)?_?(date|time)|time_?reference"
    r"|coding_?history|umid|scene|take|tape|family_name)$"
)


def describes(key: str) -> bool:
    """Whether a ``"<source>.<field>"`` key, or a bare comment or TXXX name, holds words about the
    sound (``bext.originator`` does not: it is kept among the fields, for the BWF copy, but not
    read as words)."""
    return not _TECHNICAL.match(key.rpartition(".")[2])


def read_fields(handle: BinaryIO) -> dict[str, str]:
    head = handle.read(12)
    readers: list[Callable[[BinaryIO], dict[str, str]]] = [_mutagen_fields]
    if is_rf64_wave(head):
        readers = [_wav_fields]  # mutagen knows only 32-bit RIFF
    elif is_riff_wave(head):
        readers.insert(0, _wav_fields)
    elif head[:4] == b"FORM":
        readers.insert(0, _aiff_text_chunks)
    fields: dict[str, str] = {}
    for reader in readers:
        handle.seek(0)
        try:
            found = reader(handle)
        except Exception as exc:  # noqa: BLE001 - third-party parsers fail in many ways on damaged tags
            log.warning("skipping unreadable %s tags in %r: %s", reader.__name__, handle.name, described(exc))
            continue
        fields.update((key, value) for key, value in found.items() if value and key not in fields)
    return fields


def _wav_fields(handle: BinaryIO) -> dict[str, str]:
    try:
        wav = WavInfoReader(handle, info_encoding="utf-8", bext_encoding="utf-8")
    except UnicodeDecodeError:  # pre-Unicode recorders wrote Latin-1; it decodes any byte
        handle.seek(0)
        wav = WavInfoReader(handle, info_encoding="latin_1", bext_encoding="latin_1")
    except StopIteration:  # wavinfo's own words for it, "StopIteration", said nothing in the log
        raise ValueError("its RIFF header's size ends before its data chunk (a header written wrong)") from None
    fields: dict[str, str] = {}
    if wav.bext:
        fields |= {"bext.description": wav.bext.description, "bext.originator": wav.bext.originator}
    if wav.ixml:
        fields |= {f"ixml.{name}": getattr(wav.ixml, name) for name in _IXML_FIELDS}
        fields |= {f"ixml.{tag.lower()}": wav.ixml.raw_xml.findtext(tag) for tag in _IXML_TEXT}
        if wav.ixml.raw_xml.find("TRACK_LIST") is not None:
            fields["ixml.track_names"] = " ".join(t.name for t in wav.ixml.track_list if t.name)
    if wav.info:
        fields |= {f"info.{name}": _terminated(getattr(wav.info, name)) for name in _INFO_FIELDS}
    return {key: _clean(value) for key, value in fields.items() if value}


def _aiff_text_chunks(handle: BinaryIO) -> dict[str, str]:
    fields: dict[str, list[str]] = {}
    for chunk in AIFFFile(handle).root.subchunks():
        if chunk.id in _AIFF_TEXT:
            fields.setdefault(f"aiff.{_AIFF_TEXT[chunk.id]}", []).append(_decode(chunk.read()))
    return {key: _clean(" ".join(values)) for key, values in fields.items()}


def _mutagen_fields(handle: BinaryIO) -> dict[str, str]:
    audio = mutagen.File(handle)
    if audio is None or audio.tags is None:
        return {}
    if isinstance(audio.tags, ID3):
        return _id3_fields(audio.tags)
    if hasattr(audio.tags, "as_dict"):  # Vorbis comments: FLAC, Ogg Vorbis, Opus
        # in the file's order: as_dict() goes through a set, whose order changes with the process's
        # hash seed, and so did the text a file was indexed and tagged with
        values: dict[str, list[str]] = {}
        for key, value in audio.tags:
            if describes(key.lower()):
                values.setdefault(f"vorbis.{key.lower()}", []).append(value)
        return {key: _clean(" ".join(texts)) for key, texts in values.items()}
    return {}


def _id3_fields(tags: ID3) -> dict[str, str]:
    fields: dict[str, str] = {}
    for frame in tags.values():
        if frame.FrameID not in _ID3_FRAMES:
            continue
        key = f"id3.{frame.FrameID.lower()}"
        if frame.FrameID == "TXXX":
            if not describes(frame.desc.lower()):
                continue
            key += f":{frame.desc.lower()}"
        text = _clean(" ".join(str(t) for t in frame.text))
        fields[key] = f"{fields[key]} {text}" if key in fields else text
    return fields


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _terminated(text: str | None) -> str | None:
    """A RIFF INFO value up to its first NUL: the C string a writer meant. wavinfo strips only
    trailing NULs, and writers leave bytes after the terminator (FlightGear's ``engstart.wav`` has
    its INAM stored as "wave\\0i", which read as the title "wave i")."""
    return text if text is None else text.split("\0", 1)[0]


def _clean(text: str) -> str:
    return " ".join(str(text).replace("\0", " ").split())
