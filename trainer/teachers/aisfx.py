"""aiSFX as a teacher: a CNN trained on professional sound-effect libraries (UCS classes).

Ma & Lerch, "Representation Learning for the Automatic Indexing of Sound Effects Libraries"
(ISMIR 2022); the ``aisfx`` package (model CC BY 4.0). It is installed on its own
(``pip install --no-deps aisfx``: its pins, librosa 0.9 and numpy 1.23, clash with ours), so
its librosa spectrogram is rebuilt here with torchaudio, setting for setting:
peak-normalised 44.1 kHz audio -> power STFT (n_fft = window 2048, hop 1024, centred, zero
padding as librosa 0.9) -> 96 HTK mels over 0-22050 Hz, each filter scaled to unit sum
(librosa ``norm=1.0``) -> ``log10(10000 x + 1)`` -> the package's min-max normalisation ->
blocks of 100 frames (~2.3 s) hopping 50, as its own inference does.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio
from torch import nn

from engine.models.cacophony.aisfx_front import load_aisfx_weights
from trainer.teachers import TeacherUnavailable

SAMPLE_RATE = 44_100
N_FFT = 2048
HOP = 1024
N_MELS = 96
BLOCK_FRAMES = 100
BLOCK_HOP = 50  # the package's default embedding hop: half a block
DIM = 512
NORM_MIN, NORM_MAX = 0.0, 9.457798957824707  # aisfx spectrogram_normalize('original'): the paper's data range
_CHUNK = 32  # blocks per forward pass: bounds memory on long files


def _aisfx():
    try:
        import aisfx.inference
        import aisfx.preprocessing
    except ImportError as error:
        raise TeacherUnavailable(
            "the aisfx teacher needs the aisfx package: pip install --no-deps aisfx==0.1.2 "
            "(--no-deps: its pinned librosa/numpy are not needed here)"
        ) from error
    return aisfx


def normalise_filters_l1(mel: torchaudio.transforms.MelSpectrogram) -> None:
    """Scale ``mel``'s HTK filters to unit sum in place: librosa's ``norm=1.0``, which
    torchaudio's ``norm`` (None or "slaney" only) cannot express."""
    fb = mel.mel_scale.fb
    fb /= fb.sum(dim=0, keepdim=True)


class AisfxSpectrogram(nn.Module):
    """44.1 kHz mono wave (S,) -> the network's input (frames, 96), normalised to ~[0, 1]."""

    def __init__(self):
        super().__init__()
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=SAMPLE_RATE,
            n_fft=N_FFT,
            win_length=N_FFT,
            hop_length=HOP,
            f_min=0.0,
            f_max=SAMPLE_RATE / 2,
            n_mels=N_MELS,
            power=2.0,
            center=True,
            pad_mode="constant",
            norm=None,
            mel_scale="htk",
        )
        normalise_filters_l1(self.mel)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        log_mel = torch.log10(self.mel(wave) * 10_000.0 + 1).T
        return (log_mel - NORM_MIN) / (NORM_MAX - NORM_MIN)


class AisfxTeacher:
    """One L2-normalised 512-d vector per clip: the mean of the CNN's block embeddings."""

    name = "aisfx-v1"  # part of the cache key: bump when the vectors would change
    sample_rate = SAMPLE_RATE
    dim = DIM

    def __init__(self):
        aisfx = _aisfx()
        weights, datasets = load_aisfx_weights()  # the app's front-end loads them the same way
        self.model = aisfx.inference.load_bestModel(weights, datasets, "cpu")  # eval mode
        self.blocking = aisfx.preprocessing.blocking
        self.spectrogram = AisfxSpectrogram()

    @torch.no_grad()
    def embed(self, wave: np.ndarray, sample_rate: int) -> np.ndarray:
        audio = torch.as_tensor(np.asarray(wave, dtype=np.float32))
        if sample_rate != SAMPLE_RATE:
            audio = torchaudio.functional.resample(audio, sample_rate, SAMPLE_RATE)
        peak = audio.abs().max()
        if peak > 0:
            audio = audio / peak  # aisfx peak-normalises every file: loudness carries no meaning
        spec = self.spectrogram(audio).numpy()
        # The package's blocking (zero-padded; a partial last block is dropped unless it is the only one).
        blocks = torch.from_numpy(self.blocking(spec, BLOCK_FRAMES, BLOCK_HOP, drop_partial_block=True)).float()
        embeddings = torch.cat([self.model.get_embedding(chunk) for chunk in blocks.split(_CHUNK)])
        return F.normalize(embeddings.mean(dim=0), dim=0).numpy()
