"""Tags and caption into BWF chunks of a copy: read back by Earmark's own metadata reader, audio
and every other chunk unchanged, the original untouched, RF64 and overwrites refused."""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest
import soundfile as sf

from engine.audio.metadata import read_metadata
from engine.tagging.bwf import write_tagged_copy
from engine.tagging.embedded import CopyError
from engine.tagging.vocabulary import shipped_ucs
from tests.engine.audio.conftest import append_riff_chunks, bext_chunk
from tests.engine.library.helpers import checksums
from tests.factories import noise, tone, write_audio


def chunk_ids(path) -> list[bytes]:
    data = open(path, "rb").read()
    ids, position = [], 12
    while position + 8 <= len(data):
        cid, size = struct.unpack("<4sI", data[position : position + 8])
        ids.append(cid)
        position += 8 + size + (size & 1)
    return ids


def test_a_tagged_copy_reads_back_and_keeps_the_audio(tmp_path):
    stereo = np.stack([tone(440, 1.0, 48_000), noise(1.0, 48_000)], axis=1)
    source = write_audio(tmp_path / "lib" / "door.wav", stereo, sr=48_000, subtype="PCM_24")
    before = checksums(tmp_path / "lib")
    caption = "a heavy wooden door creaks open slowly, then slams — ünïcode too"
    copy = write_tagged_copy(
        source, tmp_path / "door_tagged.wav", ["DOORS-WOOD", "creak", "my own"], caption, shipped_ucs()
    )
    assert checksums(tmp_path / "lib") == before  # the original is only read
    metadata = read_metadata(copy)
    assert metadata.fields["bext.description"] == caption and metadata.fields["ixml.note"] == caption
    user = metadata.fields["ixml.user"]
    assert "KEYWORDS=DOORS-WOOD, creak, my own" in user and "CATID=DOORWood" in user and "SUBCATEGORY=WOOD" in user
    original, copied = sf.read(source, dtype="int32"), sf.read(copy, dtype="int32")
    np.testing.assert_array_equal(original[0], copied[0])
    assert (sf.info(copy).samplerate, sf.info(copy).subtype) == (48_000, "PCM_24")
    assert chunk_ids(copy)[:3] == [b"fmt ", b"bext", b"iXML"] and chunk_ids(copy).count(b"data") == 1


def test_tagging_a_tagged_copy_replaces_only_the_description_and_our_elements(tmp_path):
    source = write_audio(tmp_path / "a.wav", tone(300, 0.5))
    first = write_tagged_copy(source, tmp_path / "b.wav", ["one"], "first caption")
    long_caption = "second caption that is much longer " * 10
    second = write_tagged_copy(first, tmp_path / "c.wav", ["two"], long_caption)
    metadata = read_metadata(second)
    assert metadata.fields["bext.originator"] == "Earmark"  # the rest of the bext chunk is kept
    assert metadata.fields["bext.description"] == long_caption[:256].strip()  # the field holds 256 bytes
    assert metadata.fields["ixml.user"] == "KEYWORDS=two DESCRIPTION=" + long_caption.strip()
    assert metadata.fields["ixml.note"] == long_caption.strip()
    assert chunk_ids(second).count(b"bext") == 1 and chunk_ids(second).count(b"iXML") == 1


def test_a_copy_without_a_caption_keeps_the_vendors_description_and_user_fields(tmp_path):
    vendor_user = "LIBRARY=BOOM Doors\nKEYWORDS=old words\nDESIGNER=Jo"
    ixml = f"<BWFXML><NOTE>vendor note</NOTE><USER>{vendor_user}</USER></BWFXML>".encode()
    source = append_riff_chunks(
        write_audio(tmp_path / "door.wav", tone()), {b"bext": bext_chunk("vendor description"), b"iXML": ixml}
    )
    copy = write_tagged_copy(source, tmp_path / "copy.wav", ["DOORS-WOOD"], "", shipped_ucs())
    fields = read_metadata(copy).fields
    assert fields["bext.description"] == "vendor description" and fields["ixml.note"] == "vendor note"
    user = fields["ixml.user"].split()
    assert "LIBRARY=BOOM" in user and "DESIGNER=Jo" in user and "CATID=DOORWood" in user
    assert "KEYWORDS=DOORS-WOOD" in user and "KEYWORDS=old" not in user and "DESCRIPTION=" not in " ".join(user)


def written_state(path) -> tuple[int, int, int, int]:
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def test_rf64_non_wav_and_overwrites_are_refused_and_nothing_is_written(tmp_path):
    rf64 = tmp_path / "big" / "huge.wav"
    rf64.parent.mkdir()
    with open(rf64, "wb") as handle:  # a sparse 4.5 GB RF64 file: refused from its header
        handle.write(b"RF64" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + b"ds64" + struct.pack("<I", 28))
        handle.truncate(4_500_000_000)
    flac = write_audio(tmp_path / "small" / "rain.flac", noise(0.3), format="FLAC")
    wav = write_audio(tmp_path / "small" / "ok.wav", tone())
    taken = write_audio(tmp_path / "small" / "taken.wav", tone(900))
    cases = [
        (rf64, tmp_path / "big" / "x.wav", "RF64"),
        (flac, tmp_path / "small" / "y.wav", "not a WAV file"),
        (wav, taken, "already exists"),
        (wav, wav, "already exists"),
    ]
    # Reading 4.5 GB of holes would take a minute: the big file's identity, size and change times
    # stand for its contents (not its access time, which reading its header may move).
    before, big = checksums(tmp_path / "small"), written_state(rf64)
    for source, target, message in cases:
        with pytest.raises(CopyError, match=message) as error:
            write_tagged_copy(source, target, ["t"], "c")
        assert str(source) in str(error.value) or str(target) in str(error.value)
    assert checksums(tmp_path / "small") == before and written_state(rf64) == big
    assert sorted(os.listdir(tmp_path / "small")) == ["ok.wav", "rain.flac", "taken.wav"]  # no temporary left
    assert os.listdir(tmp_path / "big") == ["huge.wav"]
