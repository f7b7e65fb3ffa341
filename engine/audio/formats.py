"""Which files Earmark treats as audio, and how libsndfile's format names map to ours.

The index stores one short format name per file so the search can filter on it;
libsndfile reports a container ("WAV", "WAVEX", "RF64", "OGG", ...) plus a
subtype, and Ogg needs the subtype to tell Vorbis from Opus. Beside the usual six, two
containers sound designers meet that libsndfile reads as well: Apple's CAF (Logic, GarageBand,
Apple Loops; PCM or ALAC) and Sony's Wave64 (Sound Forge and Vegas record long takes in it).
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
        ".caf",
        ".w64",
    }
)

# libsndfile's lossy codecs (Vorbis, Opus, MPEG): a file's samples are its decoder's, which
# overshoot full scale near 0 dBFS where the file holds no clipped sample (app.waveform says so),
# and a region of one is written as the decoded samples (engine.audio.region)
LOSSY_SUBTYPES: frozenset[str] = frozenset({"VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"})

# Sound formats libsndfile cannot read (AAC and ALAC in MP4, WMA, WavPack, Monkey's Audio, DSD, ...,
# and headerless PCM, .raw and .pcm, whose rate and sample format no header says: an old game's
# sounds, xblast-data's): a library's files in them are not indexed, and an indexing run says so
# instead of leaving them out in silence.
UNREADABLE_AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    ".m4a .m4b .aac .wma .wv .ape .mpc .tta .ac3 .dts .amr .dsf .dff .mka .ra .raw .pcm".split()
)

FORMATS = ("wav", "aiff", "flac", "ogg", "opus", "mp3", "caf", "w64")

_CONTAINERS = {
    "WAV": "wav",
    "WAVEX": "wav",
    "RF64": "wav",
    "AIFF": "aiff",
    "FLAC": "flac",
    "MP3": "mp3",
    "CAF": "caf",
    "W64": "w64",
}

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
    "ALAC_16": 16,  # Apple Lossless in CAF
    "ALAC_20": 20,
    "ALAC_24": 24,
    "ALAC_32": 32,
}


def format_name(container: str, subtype: str) -> str | None:
    """Our name for a libsndfile (container, subtype) pair; None for containers we don't index."""
    if container == "OGG":
        return "opus" if subtype == "OPUS" else "ogg"
    return _CONTAINERS.get(container)


def bit_depth(subtype: str) -> int | None:
    """Bits per stored sample; None for lossy codecs, where the question has no answer."""
    return _BIT_DEPTHS.get(subtype)
