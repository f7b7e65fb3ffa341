"""The stage losses against direct computations from their definitions."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from trainer.losses import caption_loss, contrastive_loss, distillation_loss, mae_loss


def test_mae_loss_uses_per_patch_normalised_targets_on_masked_patches_only():
    torch.manual_seed(0)
    patches = torch.randn(2, 3, 4) * 5 + 2
    prediction = torch.randn(2, 3, 4)
    masked = torch.tensor([[True, False, True], [False, False, True]])
    loss, value = mae_loss(prediction, patches, masked)
    errors = []
    for b, n in masked.nonzero().tolist():
        x = patches[b, n]
        target = (x - x.mean()) / torch.sqrt(x.var() + 1e-6)
        errors.append(((prediction[b, n] - target) ** 2).mean())
    assert loss.item() == pytest.approx(torch.stack(errors).mean().item(), rel=1e-6)
    assert value.item() == pytest.approx(loss.item())


def test_contrastive_loss_is_the_mean_of_both_directions():
    logits = torch.tensor([[5.0, 1.0, 0.0], [0.0, 4.0, 1.0], [2.0, 0.0, 3.0]])
    a2t = -sum(math.log(torch.softmax(logits[i], 0)[i]) for i in range(3)) / 3
    t2a = -sum(math.log(torch.softmax(logits[:, i], 0)[i]) for i in range(3)) / 3
    assert contrastive_loss(logits).item() == pytest.approx((a2t + t2a) / 2, rel=1e-6)


def test_caption_loss_predicts_the_next_token_and_ignores_padding():
    vocab = 5
    ids = torch.tensor([[1, 2, 3, 0], [1, 4, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    torch.manual_seed(0)
    logits = torch.randn(2, 4, vocab)
    loss, _ = caption_loss(logits, ids, mask)
    # targets: row0 positions 0,1 predict 2,3; row1 position 0 predicts 4
    expected = (
        F.cross_entropy(logits[0, 0:1], ids[0, 1:2])
        + F.cross_entropy(logits[0, 1:2], ids[0, 2:3])
        + F.cross_entropy(logits[1, 0:1], ids[1, 1:2])
    ) / 3
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    logits[0, 3] += 100  # a prediction after the last real token changes nothing
    logits[1, 1:] -= 100
    assert caption_loss(logits, ids, mask)[0].item() == pytest.approx(expected.item(), rel=1e-6)


def test_distillation_loss_targets_the_softmax_of_the_teacher_similarity():
    torch.manual_seed(0)
    logits = torch.randn(3, 3) * 3
    teacher = torch.randn(3, 3).clamp(-1, 1)
    tau = 0.1
    rows = torch.softmax(teacher / tau, dim=1)
    cols = torch.softmax(teacher.T / tau, dim=1)
    a2t = -(rows * torch.log_softmax(logits, dim=1)).sum(1).mean()
    t2a = -(cols * torch.log_softmax(logits.T, dim=1)).sum(1).mean()
    assert distillation_loss(logits, teacher, tau).item() == pytest.approx(((a2t + t2a) / 2).item(), rel=1e-6)
    # With a one-hot-like teacher it reduces to the contrastive loss.
    sharp = torch.eye(3) * 100
    assert distillation_loss(logits, sharp, 1.0).item() == pytest.approx(contrastive_loss(logits).item(), rel=1e-5)
