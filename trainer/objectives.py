"""One training step's loss for each stage, as an ``nn.Module`` so DDP can wrap it.

The module's ``forward(batch)`` returns (loss to backprop, metrics, FLOPs of the step on
this rank). Metrics are global-batch values, identical on every rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine.models.cacophony.model import Cacophony
from trainer.flops import stage1_sample_flops, stage2_sample_flops
from trainer.losses import (
    caption_loss,
    contrastive_logits,
    contrastive_loss,
    cosine_distance_loss,
    distillation_loss,
    gather_teacher,
    mae_loss,
)


class MaeStep(nn.Module):
    """Stage 1 (cacophony.txt §III-A)."""

    def __init__(self, model: Cacophony):
        super().__init__()
        self.model = model

    def forward(self, batch: dict, generator: torch.Generator | None = None):
        prediction, patches, masked = self.model.mae_reconstruct_mel(batch["mel"], batch["frames"], generator)
        loss, value = mae_loss(prediction, patches, masked)
        flops = len(patches) * stage1_sample_flops(self.model, patches.shape[1])
        return loss, {"loss": value}, flops


@dataclass
class Teacher:
    """A frozen model whose similarities give salsa's estimated correspondences."""

    model: Cacophony
    tokenizer: object

    @torch.no_grad()
    def embed(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        audio, _, _ = self.model.embed_mel(batch["mel"], batch["frames"])
        tokens = self.tokenizer(
            batch["captions"],
            padding=True,
            truncation=True,
            max_length=self.model.cfg.max_text_tokens,
            return_tensors="pt",
        )
        device = batch["mel"].device
        text, _, _ = self.model.embed_text(tokens["input_ids"].to(device), tokens["attention_mask"].to(device))
        return audio, text


class ContrastiveCaptionStep(nn.Module):
    """Stage 2 (cacophony.txt §III-B): L_con + lambda_cap L_cap; with teachers, salsa's
    (1 - w) L_con + w L_dist takes L_con's place (estimated-correspondences.txt §3).

    With ``teacher_weight``, ``+ teacher_weight * L_teacher`` distils a pretrained audio-only
    network's clip vectors (``batch["teacher"]``, trainer/teachers) through ``teacher_head``, a
    linear map that lives here, in the trainer, and never in a checkpoint. It reads the audio
    pooler's output, before the projection: the teacher then shapes what the audio tower
    extracts, while the projection into the shared space stays free to serve the text
    alignment (distilling the projected embedding would pull the audio-text space itself
    towards a classifier's geometry, in competition with the contrastive loss)."""

    def __init__(
        self,
        model: Cacophony,
        caption_weight: float = 1.0,
        teachers: list[Teacher] = (),
        distill_weight: float = 1.0,
        distill_temperature: float | None = None,
        teacher_weight: float = 0.0,
        teacher_dim: int = 0,
    ):
        super().__init__()
        self.model = model
        self.caption_weight = caption_weight if model.caption_decoder is not None else 0.0
        self.teachers = list(teachers)
        self.distill_weight = distill_weight
        self.distill_temperature = distill_temperature or (
            sum(t.model.temperature for t in self.teachers) / len(self.teachers) if self.teachers else None
        )
        self.teacher_weight = teacher_weight
        self.teacher_head = nn.Linear(model.cfg.width, teacher_dim) if teacher_weight else None

    def forward(self, batch: dict, generator: torch.Generator | None = None):
        model = self.model
        audio, audio_tokens, audio_valid = model.embed_mel(
            batch["mel"], batch["frames"], max_patches=model.cfg.train_patches, generator=generator
        )
        text, text_states, text_valid = model.embed_text(batch["input_ids"], batch["attention_mask"])
        logits = contrastive_logits(audio, text, model.logit_scale)
        con = contrastive_loss(logits)
        loss, metrics = con, {"con": con.detach()}
        if self.teachers:
            embeddings = [t.embed(batch) for t in self.teachers]
            similarity = gather_teacher(
                (torch.stack([a for a, _ in embeddings]), torch.stack([t for _, t in embeddings]))
            )
            dist = distillation_loss(logits, similarity, self.distill_temperature)
            loss = (1 - self.distill_weight) * con + self.distill_weight * dist
            metrics["distill"] = dist.detach()
        if self.teacher_head is not None:
            # The teacher's vector is of the whole clip while the model sees a crop: sound effects
            # are mostly short enough for a crop to be most of the clip, and a vector per crop would
            # need a teacher pass every step. The pooler runs again (embed_mel returns the projection only).
            pooled = model.audio_pool(audio_tokens, audio_valid)
            teach, teach_value = cosine_distance_loss(self.teacher_head(pooled), batch["teacher"])
            loss = loss + self.teacher_weight * teach
            metrics["teacher"] = teach_value
        if self.caption_weight:
            caption_logits = model.caption_logits(text_states, text_valid, audio_tokens, audio_valid)
            cap, cap_value = caption_loss(caption_logits, batch["input_ids"], batch["attention_mask"])
            loss = loss + self.caption_weight * cap
            metrics["caption"] = cap_value
        metrics["loss"] = sum(v * w for v, w in self._weights(metrics))
        flops = len(audio) * stage2_sample_flops(model, audio_tokens.shape[1], text_states.shape[1], len(self.teachers))
        return loss, metrics, flops

    def _weights(self, metrics: dict):
        if "distill" in metrics:
            yield metrics["con"], 1 - self.distill_weight
            yield metrics["distill"], self.distill_weight
        else:
            yield metrics["con"], 1.0
        if "teacher" in metrics:
            yield metrics["teacher"], self.teacher_weight
        if "caption" in metrics:
            yield metrics["caption"], self.caption_weight
