"""The training objectives of cacophony.txt §III and estimated-correspondences.txt §3.

Per-rank losses that are means over samples are written as ``local sum / global count``
times the world size, so that DDP's gradient *averaging* reproduces exactly the gradient of
the single-process mean over the global batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from trainer.distributed import all_reduce_sum, current_world, gather_no_grad, gather_with_grad


def mae_loss(
    prediction: torch.Tensor, patches: torch.Tensor, masked: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """MSE against per-patch-normalised targets ``(x - mean) / sqrt(var + 1e-6)``, averaged
    over the masked, non-padding patches of the global batch. Returns (loss to backprop, value)."""
    target = patches.float()
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True)
    target = (target - mean) / (var + 1e-6).sqrt()
    per_patch = (prediction.float() - target).pow(2).mean(dim=-1)
    return _global_mean(per_patch[masked].sum(), masked.sum())


def contrastive_logits(audio: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """(N_global, N_global) audio-to-text logits over embeddings gathered from every rank."""
    return logit_scale.exp() * gather_with_grad(audio) @ gather_with_grad(text).T


def contrastive_loss(logits: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE (cacophony.txt eq. 1), halved so it is the mean of the two directions."""
    labels = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits.float(), labels) + F.cross_entropy(logits.T.float(), labels)) / 2


def caption_loss(
    logits: torch.Tensor,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Next-token cross-entropy with teacher forcing (eq. 2): position t predicts token t+1;
    padding is ignored. Mean over the real target tokens of the global batch."""
    targets = input_ids[:, 1:]
    keep = attention_mask[:, 1:].bool()
    per_token = F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), targets.flatten(), reduction="none")
    return _global_mean(per_token[keep.flatten()].sum(), keep.sum())


def distillation_loss(logits: torch.Tensor, teacher_similarity: torch.Tensor, temperature: float) -> torch.Tensor:
    """salsa: targets softmax(C_bar / tau) from the ensemble's mean similarity matrix C_bar (both
    directions), loss 1/2 [CE(C, softmax C_bar) + CE(C^T, softmax C_bar^T)] with soft targets."""
    targets = teacher_similarity.float() / temperature
    a2t = F.cross_entropy(logits.float(), targets.softmax(dim=1))
    t2a = F.cross_entropy(logits.T.float(), targets.T.softmax(dim=1))
    return (a2t + t2a) / 2


def cosine_distance_loss(prediction: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean over the global batch of ``1 - cos(prediction, target)``: matches directions only,
    as the teachers' vectors are L2-normalised. Returns (loss to backprop, value)."""
    per_sample = 1 - F.cosine_similarity(prediction.float(), target.float(), dim=-1)
    return _global_mean(per_sample.sum(), torch.tensor(len(per_sample), device=per_sample.device))


def gather_teacher(similarity_parts: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Mean teacher similarity over the global batch from local (models, n, d) embeddings."""
    audio, text = (gather_no_grad(part.transpose(0, 1).contiguous()).transpose(0, 1) for part in similarity_parts)
    return (audio @ text.transpose(1, 2)).mean(dim=0)


def _global_mean(local_sum: torch.Tensor, local_count: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(local_sum / global_count * world, the global mean's value)."""
    global_count = all_reduce_sum(local_count.float()).clamp(min=1)
    loss = local_sum / global_count
    return loss * current_world(), all_reduce_sum(loss.detach())
