"""Losses against PyTorch: values and input gradients in float64, tight tolerances.

PyTorch's ``reduction="mean"`` averages over every element, which equals Keras's
"sum_over_batch_size" of a per-sample mean over the last axis. Where a minikeras
loss sums over classes (categorical cross-entropy), PyTorch averages over the
batch only, which is the same thing.
"""
import numpy as np
import pytest

from minikeras import losses as L

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")
F = torch.nn.functional

N, K = 6, 4


def compare(loss, y_true, y_pred, torch_loss, sample_weight=None):
    """``torch_loss(y_pred_tensor)`` -> scalar; compare value and gradient with ``loss``."""
    value, grad = loss.value_and_gradient(y_true, y_pred, sample_weight=sample_weight)
    x = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
    expected = torch_loss(x)
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-10, atol=1e-14)


def t(array):
    return torch.tensor(np.asarray(array), dtype=torch.float64)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("smoothing", [0.0, 0.2], ids=["plain", "smoothed"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_binary_crossentropy_from_logits_vs_bce_with_logits(rng, smoothing, weighted):
    y, z = rng.integers(0, 2, (N, K)).astype(float), rng.normal(0, 4, (N, K))
    w = rng.uniform(0.1, 2, N) if weighted else None
    target = t(y * (1 - smoothing) + 0.5 * smoothing)
    # torch's per-element `weight`, broadcast over each sample's outputs, then mean over all
    weight = t(w).reshape(-1, 1) if weighted else None
    compare(L.BinaryCrossentropy(from_logits=True, label_smoothing=smoothing), y, z,
            lambda x: torch.nn.BCEWithLogitsLoss(weight=weight)(x, target), sample_weight=w)


def test_binary_crossentropy_from_logits_at_large_logits(rng):
    # Stable form: exact where a clipped probability would cap the loss at 16.1.
    y, z = rng.integers(0, 2, (N, K)).astype(float), rng.choice([-300.0, 300.0], (N, K))
    compare(L.BinaryCrossentropy(from_logits=True), y, z,
            lambda x: F.binary_cross_entropy_with_logits(x, t(y)))


@pytest.mark.parametrize("soft", [False, True], ids=["hard_labels", "soft_labels"])
def test_binary_crossentropy_probabilities_vs_bce_loss(rng, soft):
    # torch clamps log at -100 instead of clipping p at 1e-7: compare away from 0 and 1.
    y = rng.uniform(0, 1, (N, K)) if soft else rng.integers(0, 2, (N, K)).astype(float)
    p = rng.uniform(0.01, 0.99, (N, K))
    compare(L.BinaryCrossentropy(), y, p, lambda x: torch.nn.BCELoss()(x, t(y)))


@pytest.mark.parametrize("smoothing", [0.0, 0.1], ids=["plain", "smoothed"])
def test_sparse_crossentropy_from_logits_vs_cross_entropy(rng, smoothing):
    labels, z = rng.integers(0, K, N), rng.normal(0, 4, (N, K))
    compare(L.SparseCategoricalCrossentropy(from_logits=True), labels, z,
            lambda x: torch.nn.CrossEntropyLoss()(x, torch.tensor(labels)))
    # categorical with one-hot labels smooths them exactly as torch's label_smoothing
    compare(L.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing),
            np.eye(K)[labels], z,
            lambda x: torch.nn.CrossEntropyLoss(label_smoothing=smoothing)(x, torch.tensor(labels)))


def test_categorical_crossentropy_from_logits_soft_targets_and_weights(rng):
    y = rng.dirichlet(np.ones(K), N)
    z, w = rng.normal(0, 4, (N, K)), rng.uniform(0.1, 2, N)
    compare(L.CategoricalCrossentropy(from_logits=True), y, z,
            lambda x: (torch.nn.CrossEntropyLoss(reduction="none")(x, t(y)) * t(w)).mean(),
            sample_weight=w)


@pytest.mark.parametrize("sparse", [False, True], ids=["categorical", "sparse"])
def test_crossentropy_probabilities_vs_nll_loss(rng, sparse):
    # Unnormalised predictions: both sides divide by the row sum, so the
    # normalisation's gradient is compared too.
    labels, y_pred = rng.integers(0, K, N), rng.uniform(0.1, 1.0, (N, K))
    loss = L.SparseCategoricalCrossentropy() if sparse else L.CategoricalCrossentropy()
    y_true = labels if sparse else np.eye(K)[labels]
    compare(loss, y_true, y_pred,
            lambda x: torch.nn.NLLLoss()(torch.log(x / x.sum(-1, keepdim=True)), torch.tensor(labels)))


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"], ids=["mean", "sum"])
@pytest.mark.parametrize("loss, torch_loss", [
    (L.MeanSquaredError, lambda reduction: torch.nn.MSELoss(reduction=reduction)),
    (L.MeanAbsoluteError, lambda reduction: torch.nn.L1Loss(reduction=reduction)),
    (L.Huber, lambda reduction: torch.nn.HuberLoss(reduction=reduction, delta=1.0)),
    (lambda reduction: L.Huber(delta=0.3, reduction=reduction),
     lambda reduction: torch.nn.HuberLoss(reduction=reduction, delta=0.3)),
], ids=["mse", "mae", "huber", "huber_delta_0.3"])
def test_regression_losses_vs_torch(rng, loss, torch_loss, reduction):
    y_true, y_pred = rng.normal(0, 1, (N, K)), rng.normal(0, 1.5, (N, K))
    ours = loss(reduction=reduction)
    torch_reduction = "mean" if reduction == "sum_over_batch_size" else "sum"
    # torch sums every element; our "sum" adds per-sample means over K outputs
    scale = 1.0 if torch_reduction == "mean" else 1.0 / K
    compare(ours, y_true, y_pred, lambda x: torch_loss(torch_reduction)(x, t(y_true)) * scale)


def test_log_cosh_vs_torch_formula(rng):
    y_true, y_pred = rng.normal(0, 1, (N, K)), rng.normal(0, 5, (N, K))
    w = rng.uniform(0.1, 2, N)
    compare(L.LogCosh(), y_true, y_pred,
            lambda x: (torch.log(torch.cosh(x - t(y_true))).mean(-1) * t(w)).mean(),
            sample_weight=w)
