"""The Cacophony network in one file (cacophony.txt §III, §IV-A).

Audio: log-mel (T frames x 128 bands) -> non-overlapping 16x16 patches, flattened and
linearly projected, plus a fixed sinusoidal position along time and a learned embedding
per frequency band of patches (no CLS token) -> pre-LN ViT blocks with SiLU MLPs.
Every audio call works on an arbitrary *subset* of patches (indices travel with them),
which is what MAE masking, training-time patch sampling and padding masks all need.

Text: a transformers encoder (RoBERTa in the paper) run causally, so the caption decoder
stacked on it cannot peek at the next token. Both towers end in attention poolers and
linear projections into one L2-normalised space; a learnable log-temperature scales it.
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F
import torchaudio
from torch import nn

from engine.models.cacophony.aisfx_front import DIM as FRONT_DIM
from engine.models.cacophony.aisfx_front import AisfxFrontEnd
from engine.models.cacophony.config import CacophonyConfig


# ---------------------------------------------------------------------------- spectrogram
class LogMel(nn.Module):
    """16 kHz mono waveform -> (B, frames, 128) log-mel, exactly as the authors' release:
    magnitude STFT (n_fft 512, window 400, hop 160), 128 mels over 0-8 kHz,
    ``log(mel + 1e-5) * 0.2 + 0.9``, no dataset normalisation."""

    def __init__(self, sample_rate: int = 16_000, n_mels: int = 128):
        super().__init__()
        self.hop = sample_rate // 100
        with warnings.catch_warnings():
            # 128 bands over 257 FFT bins leave the lowest few bands empty; that is the
            # authors' spectrogram, kept for their checkpoint, not a mistake to warn users of.
            warnings.filterwarnings("ignore", message="At least one mel filterbank has all zero values")
            self.mel = torchaudio.transforms.MelSpectrogram(
                sample_rate=sample_rate,
                n_fft=512,
                win_length=400,
                hop_length=self.hop,
                f_min=0.0,
                f_max=sample_rate / 2,
                n_mels=n_mels,
                power=1.0,
            )

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        frames = wave.shape[-1] // self.hop  # one frame per 10 ms: 10.24 s -> 1024 frames
        # Silence after the end instead of the STFT's reflect padding: the last frames of a
        # clip then look the same alone as zero-padded in a batch with longer clips.
        wave = F.pad(wave, (0, self.mel.n_fft // 2))
        mel = self.mel(wave)[..., :frames]
        return (torch.log(mel + 1e-5) * 0.2 + 0.9).transpose(-1, -2)

    def frames_for(self, num_samples: torch.Tensor) -> torch.Tensor:
        return torch.div(num_samples, self.hop, rounding_mode="floor")


SILENCE = math.log(1e-5) * 0.2 + 0.9  # the log-mel of digital silence


def patchify(mel: torch.Tensor, frames: torch.Tensor, patch: int = 16):
    """(B, T, F) log-mel -> patches (B, N, patch*patch), time and frequency index per patch,
    and ``valid`` (B, N): False where a patch starts in the padding after ``frames``. Frames
    past ``frames`` read as silence, so a clip's last partial patch is the same whatever
    follows it in the batch."""
    b, t, f = mel.shape
    frames = frames.to(mel.device)
    mel = torch.where(torch.arange(t, device=mel.device)[None, :, None] < frames[:, None, None], mel, SILENCE)
    t_pad = -t % patch if t else patch  # a clip under 10 ms has no frame: it still gets one (silent) column
    if t_pad:
        mel = F.pad(mel, (0, 0, 0, t_pad), value=SILENCE)
    nt, nf = mel.shape[1] // patch, f // patch
    patches = mel.reshape(b, nt, patch, nf, patch).permute(0, 1, 3, 2, 4).reshape(b, nt * nf, patch * patch)
    time_idx = torch.arange(nt, device=mel.device).repeat_interleave(nf).expand(b, -1)
    freq_idx = torch.arange(nf, device=mel.device).repeat(nt).expand(b, -1)
    valid = time_idx * patch < frames.clamp(min=1)[:, None]  # an empty clip still has one (silent) patch column
    return patches, time_idx, freq_idx, valid


def random_subset(valid: torch.Tensor, keep: int, generator: torch.Generator | None = None):
    """Pick ``keep`` patch positions per row at random, valid ones first (padding only fills
    rows that have fewer than ``keep`` valid patches). Returns (kept indices, the rest)."""
    noise = torch.rand(valid.shape, device=valid.device, generator=generator) + (~valid).float() * 2
    order = noise.argsort(dim=1)
    return order[:, :keep], order[:, keep:]


def mask_or_none(valid: torch.Tensor | None) -> torch.Tensor | None:
    """None when nothing is masked: SDPA then may use its fused (flash) kernels on GPU."""
    return None if valid is None or bool(valid.all()) else valid


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x[b, idx[b]] for (B, N) or (B, N, D) tensors."""
    if x.dim() == 2:
        return x.gather(1, idx)
    return x.gather(1, idx[..., None].expand(-1, -1, x.shape[-1]))


def sinusoid(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """Fixed 1-D sinusoidal embedding of (B, N) integer positions -> (B, N, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, device=positions.device) / half)
    angles = positions.float()[..., None] * freqs
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


# ---------------------------------------------------------------------------- transformer parts
class Attention(nn.Module):
    """Multi-head attention through ``scaled_dot_product_attention`` (fused kernels on GPU).
    Self-attention when ``context`` is None, cross-attention otherwise."""

    def __init__(self, dim: int, heads: int, context_dim: int | None = None):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(context_dim or dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, context=None, key_valid=None, causal: bool = False):
        b, n, d = x.shape
        context = x if context is None else context
        q = self.q(x).view(b, n, self.heads, -1).transpose(1, 2)
        k, v = self.kv(context).view(b, context.shape[1], 2, self.heads, -1).permute(2, 0, 3, 1, 4)
        mask = None
        if key_valid is not None:
            mask = key_valid[:, None, None, :]
            if causal:
                mask = mask & torch.ones(n, n, dtype=torch.bool, device=x.device).tril()
                causal = False
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)
        return self.out(y.transpose(1, 2).reshape(b, n, d))


class MLP(nn.Sequential):
    def __init__(self, dim: int, hidden: int):
        super().__init__(nn.Linear(dim, hidden), nn.SiLU(), nn.Linear(hidden, dim))


class Block(nn.Module):
    """Pre-LN transformer block; with ``context_dim`` it also cross-attends (caption decoder)."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, context_dim: int | None = None):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.cross = None
        if context_dim is not None:
            self.norm_cross = nn.LayerNorm(dim)
            self.cross = Attention(dim, heads, context_dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, mlp_dim)

    def forward(self, x, valid=None, causal=False, context=None, context_valid=None):
        x = x + self.attn(self.norm1(x), key_valid=valid, causal=causal)
        if self.cross is not None:
            x = x + self.cross(self.norm_cross(x), context, context_valid)
        return x + self.mlp(self.norm2(x))


class AttentionPool(nn.Module):
    """One learned query attending over a sequence (CoCa-style pooler), 8 heads in the paper."""

    def __init__(self, dim: int, heads: int, norm: bool = True):
        super().__init__()
        self.query = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.attn = Attention(dim, heads)
        self.norm = nn.LayerNorm(dim) if norm else nn.Identity()  # the authors' release has none

    def forward(self, x, valid=None):
        q = self.query.expand(x.shape[0], -1, -1)
        return self.norm(self.attn(q, context=x, key_valid=valid))[:, 0]


class PatchPositions(nn.Module):
    """Sinusoidal position along time + learned embedding per frequency patch row. The learned
    part starts at the sinusoid's scale (not 0.02): a spectrogram patch means little without
    its frequency row, and a tiny init leaves the MAE blind to it for hundreds of steps."""

    def __init__(self, dim: int, freq_patches: int):
        super().__init__()
        self.dim = dim
        self.freq = nn.Parameter(torch.randn(freq_patches, dim) * 0.5)

    def forward(self, time_idx, freq_idx):
        return sinusoid(time_idx, self.dim) + self.freq[freq_idx]


# ---------------------------------------------------------------------------- towers
class AudioEncoder(nn.Module):
    def __init__(self, cfg: CacophonyConfig):
        super().__init__()
        self.patch_embed = nn.Linear(cfg.patch * cfg.patch, cfg.width)
        self.pos = PatchPositions(cfg.width, cfg.freq_patches)
        self.blocks = nn.ModuleList(Block(cfg.width, cfg.heads, cfg.mlp_dim) for _ in range(cfg.depth))
        self.norm = nn.LayerNorm(cfg.width)

    def embed(self, patches, time_idx, freq_idx):
        """Patch pixels -> first-layer tokens (what feature fusion mixes)."""
        return self.patch_embed(patches) + self.pos(time_idx, freq_idx)

    def transform(self, x, valid):
        valid = mask_or_none(valid)
        for block in self.blocks:
            x = block(x, valid)
        return self.norm(x)

    def forward(self, patches, time_idx, freq_idx, valid):
        return self.transform(self.embed(patches, time_idx, freq_idx), valid)


class FeatureFusion(nn.Module):
    """LAION-CLAP's feature fusion (laion-clap.txt §3.4, appendix E) adapted to a ViT.

    CLAP merges its 3 local crops with a strided conv and mixes the result with the global
    (time-downsampled) view through attentional feature fusion (AFF): a per-position branch
    plus a globally pooled branch give ``alpha``, and ``alpha*global + (1-alpha)*local``.
    Here the views are first-layer token sequences on one shared patch grid, so the crops
    are merged by a learned softmax weighting per token, and AFF's 1x1 convs become MLPs."""

    def __init__(self, dim: int):
        super().__init__()
        self.local_score = nn.Linear(dim, 1)
        self.point = MLP(dim, max(dim // 4, 1))
        self.context = MLP(dim, max(dim // 4, 1))

    def forward(self, global_x, local_x, valid):
        """global_x (B, N, D), local_x (B, 3, N, D), valid (B, N) -> fused (B, N, D)."""
        local = (self.local_score(local_x).softmax(dim=1) * local_x).sum(dim=1)
        mixed = global_x + local
        weight = valid[..., None].float()
        pooled = (mixed * weight).sum(1) / weight.sum(1).clamp(min=1)
        alpha = torch.sigmoid(self.point(mixed) + self.context(pooled)[:, None])
        return alpha * global_x + (1 - alpha) * local


def fusion_views(mel: torch.Tensor, frames: torch.Tensor, window: int, generator=None, random_crops=True):
    """The 4 views CLAP fuses for rows longer than ``window`` frames: the whole clip resampled
    to ``window`` frames, and one ``window`` crop from each of the front, middle and back third
    of the possible start positions (random while training, the middle of each third otherwise).
    Returns views (B, 4, window, F), their frame counts (B, 4) and which rows are long (B,)."""
    b, _, f = mel.shape
    views = mel.new_zeros(b, 4, window, f)
    view_frames = torch.minimum(frames, torch.tensor(window, device=frames.device))[:, None].repeat(1, 4)
    long_rows = frames > window
    for row in range(b):
        n = int(frames[row])
        if n <= window:
            views[row, :, :n] = mel[row, :n]
            continue
        clip = mel[row, :n].T[None]  # (1, F, n)
        views[row, 0] = F.interpolate(clip, size=window, mode="linear", align_corners=False)[0].T
        starts = torch.arange(n - window + 1).tensor_split(3)
        for view, options in enumerate(starts, start=1):
            options = options if len(options) else torch.zeros(1, dtype=torch.long)
            on = generator.device if generator is not None else mel.device  # a CUDA generator draws on the GPU
            pick = (
                int(torch.randint(len(options), (1,), generator=generator, device=on))
                if random_crops
                else len(options) // 2
            )
            start = int(options[pick])
            views[row, view] = mel[row, start : start + window]
    return views, view_frames, long_rows


class MAEDecoder(nn.Module):
    """Stage-1 decoder: encoder output + mask tokens at every position -> patch pixels."""

    def __init__(self, cfg: CacophonyConfig):
        super().__init__()
        dim = cfg.decoder_width
        self.embed = nn.Linear(cfg.width, dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = PatchPositions(dim, cfg.freq_patches)
        self.blocks = nn.ModuleList(
            Block(dim, cfg.decoder_heads, cfg.decoder_mlp_dim) for _ in range(cfg.decoder_depth)
        )
        self.norm = nn.LayerNorm(dim)
        self.predict = nn.Linear(dim, cfg.patch * cfg.patch)

    def forward(self, latent, visible_idx, visible_valid, time_idx, freq_idx, valid):
        """``visible_valid`` marks which of the gathered visible slots really were visible;
        the others (rows that keep fewer patches than the batch maximum) stay mask tokens."""
        b, n = time_idx.shape
        x = self.mask_token.expand(b, n, -1).clone()
        latent = torch.where(visible_valid[..., None], self.embed(latent), self.mask_token)
        x.scatter_(1, visible_idx[..., None].expand(-1, -1, x.shape[-1]), latent)
        x = x + self.pos(time_idx, freq_idx)
        valid = mask_or_none(valid)
        for block in self.blocks:
            x = block(x, valid)
        return self.predict(self.norm(x))


class TextEncoder(nn.Module):
    """A transformers encoder built causal (``text_tower.causal_config``), returning token states."""

    def __init__(self, hf_model: nn.Module):
        super().__init__()
        if not hf_model.config.is_decoder:
            raise ValueError("the text tower must be built with causal_config(): is_decoder is off")
        self.model = hf_model
        self.width = hf_model.config.hidden_size

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).last_hidden_state

    @property
    def token_embeddings(self) -> nn.Embedding:
        return self.model.get_input_embeddings()


class PostNormBlock(nn.Module):
    """A RoBERTa decoder layer (post-LN, GELU, cross-attention): the authors' released caption
    decoder is built from these (``caption_style: "roberta"``), so their weights import as is."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, context_dim: int, eps: float = 1e-5):
        super().__init__()
        self.attn = Attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.cross = Attention(dim, heads, context_dim)
        self.norm_cross = nn.LayerNorm(dim, eps=eps)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))
        self.norm2 = nn.LayerNorm(dim, eps=eps)

    def forward(self, x, valid=None, causal=False, context=None, context_valid=None):
        x = self.norm1(x + self.attn(x, key_valid=valid, causal=causal))
        x = self.norm_cross(x + self.cross(x, context, context_valid))
        return self.norm2(x + self.mlp(x))


class CaptionDecoder(nn.Module):
    """Causal blocks over the text encoder's states, cross-attending to every audio token.
    Ours ("prenorm") ties the output layer to the text tower's token embeddings (no extra
    vocabulary matrix); the authors' ("roberta") has post-LN blocks and its own output layer."""

    def __init__(self, cfg: CacophonyConfig, text_width: int, vocab_size: int):
        super().__init__()
        if cfg.caption_style == "roberta":
            self.blocks = nn.ModuleList(
                PostNormBlock(text_width, cfg.caption_heads, 4 * text_width, context_dim=cfg.width)
                for _ in range(cfg.caption_depth)
            )
            self.norm = nn.Identity()
            self.output = nn.Linear(text_width, vocab_size)
        elif cfg.caption_style == "prenorm":
            self.blocks = nn.ModuleList(
                Block(text_width, cfg.caption_heads, 4 * text_width, context_dim=cfg.width)
                for _ in range(cfg.caption_depth)
            )
            self.norm = nn.LayerNorm(text_width)
            self.output = None
        else:
            raise ValueError(f"caption_style must be 'prenorm' or 'roberta', not {cfg.caption_style!r}")

    def forward(self, text_states, text_valid, audio_tokens, audio_valid, token_embeddings):
        x = text_states
        audio_valid = mask_or_none(audio_valid)
        for block in self.blocks:
            x = block(x, text_valid, causal=True, context=audio_tokens, context_valid=audio_valid)
        x = self.norm(x)
        return self.output(x) if self.output is not None else x @ token_embeddings.weight.T


# ---------------------------------------------------------------------------- the model
class Cacophony(nn.Module):
    def __init__(self, cfg: CacophonyConfig, text_model: nn.Module):
        super().__init__()
        self.cfg = cfg
        self.logmel = LogMel(cfg.sample_rate, cfg.n_mels)
        self.audio = AudioEncoder(cfg)
        self.audio_pool = AttentionPool(cfg.width, cfg.pool_heads, cfg.pool_norm)
        self.audio_proj = nn.Linear(cfg.width, cfg.embed_dim, bias=False)
        self.text = TextEncoder(text_model)
        self.text_pool = AttentionPool(self.text.width, cfg.text_pool_heads or cfg.pool_heads, cfg.pool_norm)
        self.text_proj = nn.Linear(self.text.width, cfg.embed_dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / cfg.init_temperature)))
        self.caption_decoder = (
            CaptionDecoder(cfg, self.text.width, self.text.token_embeddings.num_embeddings)
            if cfg.caption_depth
            else None
        )
        self.mae_decoder = MAEDecoder(cfg) if cfg.decoder_depth else None
        self.fusion = FeatureFusion(cfg.width) if cfg.fusion else None
        self.front = None
        if cfg.front_end:
            if cfg.front_end != "package:aisfx":
                raise ValueError(f"unknown audio front_end {cfg.front_end!r}; known: package:aisfx")
            self.front = AisfxFrontEnd(cfg.sample_rate)
            self.front_pool = AttentionPool(FRONT_DIM, cfg.pool_heads, cfg.pool_norm)
            self.front_proj = nn.Linear(FRONT_DIM, cfg.embed_dim, bias=False)
        if cfg.text_frozen:
            self.text.requires_grad_(False)

    # -- audio
    def encode_mel_tokens(self, mel, frames, max_patches: int | None = None, generator=None):
        """Per-patch audio states and their validity, from a log-mel (B, T, n_mels) with true
        frame counts. ``max_patches`` samples a random subset (training on long audio); None keeps
        the full sequence (inference). With feature fusion on, rows longer than the training window
        go through the fused 4-view path instead of patch sampling."""
        if self.fusion is not None and int(frames.max()) > self.cfg.window_frames:
            return self._encode_fused(mel, frames, generator)
        patches, time_idx, freq_idx, valid = patchify(mel, frames, self.cfg.patch)
        if max_patches is not None and patches.shape[1] > max_patches:
            keep, _ = random_subset(valid, max_patches, generator)
            patches, time_idx, freq_idx, valid = (gather_rows(t, keep) for t in (patches, time_idx, freq_idx, valid))
        return self.audio(patches, time_idx, freq_idx, valid), valid

    def _encode_fused(self, mel, frames, generator=None):
        views, view_frames, long_rows = fusion_views(
            mel, frames, self.cfg.window_frames, generator, random_crops=self.training
        )
        b, v = views.shape[:2]
        patches, time_idx, freq_idx, valid = patchify(views.flatten(0, 1), view_frames.flatten(), self.cfg.patch)
        tokens = self.audio.embed(patches, time_idx, freq_idx).unflatten(0, (b, v))
        valid = valid.unflatten(0, (b, v))[:, 0]
        fused = self.fusion(tokens[:, 0], tokens[:, 1:], valid)
        x = torch.where(long_rows[:, None, None], fused, tokens[:, 0])
        return self.audio.transform(x, valid), valid

    def embed_audio(self, wave, num_samples, max_patches: int | None = None, generator=None):
        embedding, tokens, valid = self.embed_mel(
            self.logmel(wave), self.logmel.frames_for(num_samples), max_patches, generator
        )
        if self.front is not None:
            embedding = self.mix_front(embedding, self.embed_front(*self.front(wave, num_samples)))
        return embedding, tokens, valid

    def embed_front(self, features, valid):
        """The front-end's embedding from its (frozen, possibly cached) features."""
        return F.normalize(self.front_proj(self.front_pool(features, valid)), dim=-1)

    def mix_front(self, vit_embedding, front_embedding):
        """The audio embedding: ``front_mix`` of the front-end's, the rest the ViT's."""
        mix = self.cfg.front_mix
        return F.normalize((1 - mix) * vit_embedding + mix * front_embedding, dim=-1)

    def embed_mel(self, mel, frames, max_patches: int | None = None, generator=None):
        """(embedding, tokens, token validity) from a log-mel; see :meth:`encode_mel_tokens`."""
        tokens, valid = self.encode_mel_tokens(mel, frames, max_patches, generator)
        return self.project_audio(tokens, valid), tokens, valid

    def project_audio(self, tokens, valid):
        return F.normalize(self.audio_proj(self.audio_pool(tokens, valid)), dim=-1)

    # -- text
    def embed_text(self, input_ids, attention_mask):
        states = self.text(input_ids, attention_mask)
        valid = attention_mask.bool()
        return self.project_text(states, valid), states, valid

    def project_text(self, states, valid):
        return F.normalize(self.text_proj(self.text_pool(states, valid)), dim=-1)

    def caption_logits(self, text_states, text_valid, audio_tokens, audio_valid):
        return self.caption_decoder(text_states, text_valid, audio_tokens, audio_valid, self.text.token_embeddings)

    # -- stage 1
    def mae_reconstruct(self, wave, num_samples, generator=None):
        """Mask ``mask_ratio`` of the patches, encode the rest, decode everything.
        Returns (prediction, target patches, loss mask: masked and not padding)."""
        return self.mae_reconstruct_mel(self.logmel(wave), self.logmel.frames_for(num_samples), generator)

    def mae_reconstruct_mel(self, mel, frames, generator=None):
        """:meth:`mae_reconstruct` from a log-mel. Every row keeps ``1 - mask_ratio`` of its
        *own* valid patches, so a short clip in a batch of long ones is masked just as hard."""
        patches, time_idx, freq_idx, valid = patchify(mel, frames, self.cfg.patch)
        row_keep = (valid.sum(1) * (1 - self.cfg.mask_ratio)).round().clamp(min=1).long()
        keep = int(row_keep.max())
        visible, _ = random_subset(valid, keep, generator)
        visible_valid = torch.arange(keep, device=valid.device)[None] < row_keep[:, None]
        visible_valid &= gather_rows(valid, visible)
        latent = self.audio(*(gather_rows(t, visible) for t in (patches, time_idx, freq_idx)), visible_valid)
        prediction = self.mae_decoder(latent, visible, visible_valid, time_idx, freq_idx, valid)
        masked = valid.clone()
        masked.scatter_(1, visible, ~visible_valid & gather_rows(valid, visible))
        return prediction, patches, masked

    @property
    def temperature(self) -> float:
        return float(1 / self.logit_scale.detach().exp())
