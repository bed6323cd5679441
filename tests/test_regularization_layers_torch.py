"""BatchNormalization, LayerNormalization and Dropout against PyTorch: values and gradients."""
import numpy as np
import pytest

from minikeras.layers import BatchNormalization, Dropout, LayerNormalization

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")


def _torch_run(module, x, upstream):
    """Forward ``module`` on ``x`` and backpropagate ``upstream``: (y, dx)."""
    xt = torch.tensor(x, requires_grad=True)
    y = module(xt)
    y.backward(torch.tensor(upstream))
    return y.detach().numpy(), xt.grad.numpy()


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("x_shape, axis", [
    pytest.param((16, 5), -1, id="2d"),
    pytest.param((6, 4, 3), 1, id="3d-channels-axis1"),
])
def test_batchnorm_training_matches_torch(x_shape, axis, float64, rng):
    features = x_shape[1]
    ours = BatchNormalization(axis=axis, momentum=0.9, epsilon=1e-3)
    ours.build((None,) + x_shape[1:])
    gamma, beta = rng.uniform(0.5, 1.5, features), rng.normal(size=features)
    ours.gamma.assign(gamma)
    ours.beta.assign(beta)
    # PyTorch's momentum weights the NEW statistic: it is 1 - Keras's momentum.
    theirs = torch.nn.BatchNorm1d(features, eps=1e-3, momentum=0.1, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    theirs.train()

    x = rng.normal(3.0, 2.0, size=x_shape)
    upstream = rng.normal(size=x_shape)
    y_t, dx_t = _torch_run(theirs, x, upstream)
    y = ours.forward(x, training=True)
    dx = ours.backward(upstream)
    _close(y, y_t)
    _close(dx, dx_t)
    _close(ours.gamma.grad, theirs.weight.grad.numpy())
    _close(ours.beta.grad, theirs.bias.grad.numpy())

    _close(ours.moving_mean.value, theirs.running_mean.numpy())
    # The moving variance differs on purpose: PyTorch feeds it the unbiased batch
    # variance (divided by n - 1), Keras the biased one (divided by n).
    n = x.size // features
    ours_new = ours.moving_variance.value - 0.9
    torch_new = theirs.running_var.numpy() - 0.9
    _close(ours_new, torch_new * (n - 1) / n)


def test_batchnorm_inference_matches_torch(float64, rng):
    ours = BatchNormalization(epsilon=1e-3)
    ours.build((None, 4))
    weights = [rng.uniform(0.5, 1.5, 4), rng.normal(size=4), rng.normal(size=4),
               rng.uniform(0.5, 2.0, 4)]
    ours.set_weights(weights)
    theirs = torch.nn.BatchNorm1d(4, eps=1e-3, dtype=torch.float64)
    with torch.no_grad():
        for param, value in zip((theirs.weight, theirs.bias, theirs.running_mean,
                                 theirs.running_var), weights):
            param.copy_(torch.tensor(value))
    theirs.eval()
    x, upstream = rng.normal(size=(7, 4)), rng.normal(size=(7, 4))
    y_t, dx_t = _torch_run(theirs, x, upstream)
    _close(ours.forward(x), y_t)
    _close(ours.backward(upstream), dx_t)
    _close(ours.gamma.grad, theirs.weight.grad.numpy())
    _close(ours.beta.grad, theirs.bias.grad.numpy())


def test_batchnorm_moving_statistics_over_steps_match_torch(float64, rng):
    ours = BatchNormalization(momentum=0.8)
    ours.build((None, 3))
    theirs = torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.2, dtype=torch.float64).train()
    for _ in range(5):
        x = rng.normal(1.0, 2.0, size=(10, 3))
        ours.forward(x, training=True)
        theirs(torch.tensor(x))
    _close(ours.moving_mean.value, theirs.running_mean.numpy())


@pytest.mark.parametrize("x_shape, axis", [
    pytest.param((6, 5), -1, id="last-axis"),
    pytest.param((4, 3, 5), [1, 2], id="two-axes"),
])
def test_layernorm_matches_torch(x_shape, axis, float64, rng):
    shape = x_shape[1:] if isinstance(axis, list) else x_shape[-1:]
    ours = LayerNormalization(axis=axis, epsilon=1e-3)
    ours.build((None,) + x_shape[1:])
    gamma, beta = rng.uniform(0.5, 1.5, shape), rng.normal(size=shape)
    ours.set_weights([gamma, beta])
    theirs = torch.nn.LayerNorm(shape, eps=1e-3, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    x, upstream = rng.normal(2.0, 3.0, size=x_shape), rng.normal(size=x_shape)
    y_t, dx_t = _torch_run(theirs, x, upstream)
    _close(ours.forward(x, training=True), y_t)
    _close(ours.backward(upstream), dx_t)
    _close(ours.gamma.grad, theirs.weight.grad.numpy())
    _close(ours.beta.grad, theirs.bias.grad.numpy())


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8], ids=lambda r: f"rate{r}")
def test_dropout_follows_torch_formula(rate, float64, rng):
    """PyTorch's masks cannot be shared, so check that both follow the same law.

    In training both give ``y = x * m / (1 - rate)`` and ``dx = grad * m / (1 - rate)``
    for a 0/1 mask ``m``, dropping about ``rate`` of the entries; at inference
    both are the identity.
    """
    x = rng.uniform(1.0, 2.0, size=(200, 50))
    upstream = rng.normal(size=x.shape)
    theirs = torch.nn.Dropout(rate)
    ours = Dropout(rate, seed=0)

    y_t, dx_t = _torch_run(theirs.train(), x, upstream)
    y = ours.forward(x, training=True)
    dx = ours.backward(upstream)
    for y_, dx_ in ((y_t, dx_t), (y, dx)):
        mask = (y_ != 0).astype(np.float64)
        _close(y_, x * mask / (1 - rate))
        _close(dx_, upstream * mask / (1 - rate))
        assert abs(1 - mask.mean() - rate) < 0.02

    y_t, dx_t = _torch_run(theirs.eval(), x, upstream)
    ours.forward(x, training=False)
    _close(ours.forward(x), y_t)
    _close(ours.backward(upstream), dx_t)
