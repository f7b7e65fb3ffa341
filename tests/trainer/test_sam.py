"""SAM's first update against steps worked out by hand."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.sam import SAM


def sam_update(param, loss_fn, optimizer):
    loss_fn(param).backward()
    optimizer.first_step()
    loss_fn(param).backward()
    optimizer.second_step()
    optimizer.zero_grad()


def test_sam_with_sgd_matches_hand_computation_over_all_parameters():
    a, b, rho, lr = 3.0, 0.5, 0.075, 0.1
    w1, w2 = torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    sam = SAM(torch.optim.SGD([w1, w2], lr=lr), rho=rho)
    loss = lambda _: 0.5 * (a * w1**2 + b * w2**2).sum()  # noqa: E731 - the loss is a one-line formula
    sam_update(None, loss, sam)
    # g = (a*1, b*2) = (3, 1); ||g|| = sqrt(10); eps = rho * g / ||g||
    norm = math.sqrt(10)
    e1, e2 = rho * 3 / norm, rho * 1 / norm
    # gradient at w + eps, applied at w
    assert w1.item() == pytest.approx(1.0 - lr * a * (1.0 + e1))
    assert w2.item() == pytest.approx(2.0 - lr * b * (2.0 + e2))


def test_sam_with_adamw_first_step_goes_where_the_perturbed_gradient_points():
    # L = (w^2 - 1)^2 at w = 0.05: g = 4w(w^2-1) = -0.1995, so eps = -rho and w + eps = -0.025,
    # where the gradient 4(-0.025)(0.000625 - 1) = +0.0999375 has the opposite sign.
    rho, lr, wd = 0.075, 0.1, 0.01
    loss = lambda w: ((w**2 - 1) ** 2).sum()  # noqa: E731 - the loss is a one-line formula
    w = torch.tensor([0.05], requires_grad=True)
    sam_update(w, loss, SAM(torch.optim.AdamW([w], lr=lr, weight_decay=wd), rho=rho))
    g_perturbed = 4 * (0.05 - rho) * ((0.05 - rho) ** 2 - 1)
    # AdamW's first step: decay w by lr*wd, then move lr * m_hat / (sqrt(v_hat) + eps) = lr * g / (|g| + 1e-8)
    expected = 0.05 * (1 - lr * wd) - lr * g_perturbed / (abs(g_perturbed) + 1e-8)
    assert w.item() == pytest.approx(expected, rel=1e-6)
    assert w.item() < 0.05  # plain AdamW would have moved up (to about 0.15)

    plain = torch.tensor([0.05], requires_grad=True)
    adam = torch.optim.AdamW([plain], lr=lr, weight_decay=wd)
    loss(plain).backward()
    adam.step()
    assert plain.item() == pytest.approx(0.05 * (1 - lr * wd) + lr, rel=1e-6)


def test_second_step_without_first_is_an_error():
    w = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="first_step"):
        SAM(torch.optim.SGD([w], lr=0.1)).second_step()
