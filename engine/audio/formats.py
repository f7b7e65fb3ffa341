"""Which files Earmark treats as audio, and how libsndfile's format names map to ours.

The index stores one short format name per file so the search can filter on it;
libsndfile reports a container ("WAV", "WAVEX", "RF64", "OGG", ...) plus a
subtype, and Ogg needs the subtype to tell Vorbis from Opus.
"""

from __future__ import annotations

AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".wav",
        ".wave",
        ".bwf",
        ".rf64",
        ".aif",
        ".aiff",
        ".aifc",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".mp3",
    }
)

FORMATS = ("wav", "aiff", "flac", "ogg", "opus", "mp3")

_CONTAINERS = {"WAV": "wav", "WAVEX": "wav", "RF64": "wav", "AIFF": "aiff", "FLAC": "flac", "MP3": "mp3"}

_BIT_DEPTHS = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_16": 16,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 32,
    "DOUBLE": 64,
    "ULAW": 8,
    "ALAW": 8,
}


def format_name(container: str, subtype: str) -> str | None:
    """Our name for a libsndfile (container, subtype) pair; None for containers we don't index."""
    if container == "OGG":
        return "opus" if subtype == "OPUS" else "ogg"
    return _CONTAINERS.get(container)


def bit_depth(subtype: str) -> int | None:
    """Bits per stored sample; None for lossy codecs, where the question has no answer."""
    return _BIT_DEPTHS.get(subtype)
