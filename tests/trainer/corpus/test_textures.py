"""The procedural textures sound like what their captions say: a whoosh swells and its band rises
then falls, a fire crackles, heavy rain has more drops than light, wind is a smooth band."""

import numpy as np
import soundfile as sf

from trainer.corpus import textures
from trainer.corpus.clips import SAMPLE_RATE


def tenths(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMS and spectral centroid (Hz) of each tenth of the sound."""
    rms, centroid = [], []
    for piece in np.array_split(samples, 10):
        power = np.abs(np.fft.rfft(piece)) ** 2
        hz = np.fft.rfftfreq(len(piece), 1 / SAMPLE_RATE)
        rms.append(np.sqrt(np.mean(piece**2)))
        centroid.append((power * hz).sum() / power.sum())
    return np.array(rms), np.array(centroid)


def crest(samples: np.ndarray) -> float:
    return float(np.abs(samples).max() / np.sqrt(np.mean(samples**2)))


def test_whoosh_swells_and_its_band_rises_then_falls():
    rng = np.random.default_rng(1)
    rms, centroid = tenths(textures.whoosh(1.0, rng, low_hz=300, high_hz=3000))
    loudest = int(np.argmax(rms))
    assert 2 <= loudest <= 7
    assert rms[loudest] > 10 * max(rms[0], rms[-1])
    assert centroid[loudest] > 2 * max(centroid[0], centroid[-1])


def test_fire_crackles_and_wind_does_not():
    rng = np.random.default_rng(2)
    campfire = textures.fire(4.0, rng, roar=0.2, crackles_per_second=10)
    gusts = textures.wind(4.0, rng, octaves=1.5)
    assert crest(campfire) > 2 * crest(gusts)
    roaring = textures.fire(4.0, rng, roar=1.5, crackles_per_second=10)
    assert tenths(roaring)[1].mean() < tenths(campfire)[1].mean()  # the roar is low


def test_heavy_rain_has_more_drops_than_light():
    def drops(per_second: float) -> int:
        out = textures.impulses(2.0, per_second, (0.1, 0.6), np.random.default_rng(3))
        envelope = np.convolve(np.abs(out), np.ones(16) / 16, mode="same")
        threshold = 0.05 * envelope.max()
        return int(np.sum((envelope[1:] > threshold) & (envelope[:-1] <= threshold)))

    assert drops(1000) > 5 * drops(50)


def test_every_kind_is_captioned_and_a_build_repeats(tmp_path):
    first = textures.build(tmp_path / "a", seed=0, scale=0.02)
    second = textures.build(tmp_path / "b", seed=0, scale=0.02)
    assert {tag for clip in first for tag in clip.tags} == {"whoosh", "fire", "rain", "wind"}
    assert len(first) == sum(max(1, round(n * 0.02)) for n in textures.COUNTS.values())
    assert all(clip.captions and clip.kind == "texture" for clip in first)
    assert [c.captions for c in first] == [c.captions for c in second]
    for a, b in zip(first, second, strict=True):
        audio, rate = sf.read(tmp_path / "a" / a.audio)
        assert rate == SAMPLE_RATE and len(audio) > 0.2 * SAMPLE_RATE
        assert np.array_equal(audio, sf.read(tmp_path / "b" / b.audio)[0])
