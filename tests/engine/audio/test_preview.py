"""The streaming preview reader the player pulls from."""

from __future__ import annotations

import numpy as np

from engine.audio.preview import PreviewReader
from tests.factories import write_audio


def test_preview_reader_streams_seeks_and_resamples(tmp_path):
    samples = np.arange(48_000, dtype=np.float32) / 48_000
    path = write_audio(tmp_path / "ramp.wav", samples, 48_000, subtype="FLOAT")
    reader = PreviewReader(path)
    assert reader.channels == 1 and reader.duration_s == 1.0
    reader.seek(0.5)
    block = reader.read(100)
    assert block.shape == (100, 1) and np.isclose(block[0, 0], 0.5)
    reader.close()

    resampling = PreviewReader(path, output_rate=44_100)
    total = 0
    while len(block := resampling.read(512)):
        total += len(block)
    assert abs(total - 44_100) <= 2
    resampling.seek(0.25)
    assert np.isclose(resampling.read(2048)[1000:1001, 0], 0.25 + 1000 / 44_100, atol=0.01).all()
    resampling.close()
