"""Activation functions against PyTorch: same inputs, compare outputs and input gradients."""
import numpy as np
import pytest

from minikeras import activations

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")
F = torch.nn.functional

# Keras identifier -> the torch function with the matching arguments. Keras's
# defaults differ from PyTorch's in places (leaky_relu slope 0.2, not 0.01), so
# every argument is spelled out.
TORCH_EQUIVALENTS = {
    "linear": ("linear", lambda x: x * 1),
    "relu": ("relu", F.relu),
    "relu(max_value=6)": ({"class_name": "relu", "config": {"max_value": 6.0}}, F.relu6),
    "relu(negative_slope=0.1)": (
        {"class_name": "relu", "config": {"negative_slope": 0.1}},
        lambda x: F.leaky_relu(x, negative_slope=0.1),
    ),
    "relu(threshold=1)": (
        {"class_name": "relu", "config": {"threshold": 1.0}},
        lambda x: F.threshold(x, 1.0, 0.0),
    ),
    "leaky_relu": ("leaky_relu", lambda x: F.leaky_relu(x, negative_slope=0.2)),
    "elu": ("elu", lambda x: F.elu(x, alpha=1.0)),
    "elu(alpha=0.5)": ({"class_name": "elu", "config": {"alpha": 0.5}}, lambda x: F.elu(x, alpha=0.5)),
    "selu": ("selu", F.selu),
    "softplus": ("softplus", F.softplus),
    "softsign": ("softsign", F.softsign),
    "silu": ("silu", F.silu),
    "swish": ("swish", F.silu),
    "gelu": ("gelu", lambda x: F.gelu(x, approximate="none")),
    "gelu(approximate)": (
        {"class_name": "gelu", "config": {"approximate": True}},
        lambda x: F.gelu(x, approximate="tanh"),
    ),
    "sigmoid": ("sigmoid", torch.sigmoid),
    "hard_sigmoid": ("hard_sigmoid", F.hardsigmoid),
    "tanh": ("tanh", torch.tanh),
    "exponential": ("exponential", torch.exp),
    "softmax": ("softmax", lambda x: F.softmax(x, dim=-1)),
    "softmax(axis=0)": ({"class_name": "softmax", "config": {"axis": 0}}, lambda x: F.softmax(x, dim=0)),
}


def test_every_registered_name_is_compared():
    assert set(activations.ALL_ACTIVATIONS) <= set(TORCH_EQUIVALENTS)


def torch_forward_backward(torch_fn, x, grad):
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt)
    yt.backward(torch.tensor(grad))
    return yt.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("identifier, torch_fn", TORCH_EQUIVALENTS.values(), ids=TORCH_EQUIVALENTS.keys())
def test_forward_and_backward_match_torch(identifier, torch_fn):
    # |x| <= 8 keeps softplus below PyTorch's cut-off at 20 (see the test below) and
    # keeps exp(x) large enough that derivatives read from y (elu: y + alpha,
    # sigmoid: y (1 - y)) keep more than 12 significant digits.
    rng = np.random.default_rng(0)
    x, grad = rng.uniform(-8, 8, (6, 7)), rng.normal(size=(6, 7))
    activation = activations.get(identifier)
    y = activation(x)
    y_torch, dx_torch = torch_forward_backward(torch_fn, x, grad)
    # atol: tails such as gelu(-7.9) = -1e-13, where either library may round more.
    np.testing.assert_allclose(y, y_torch, rtol=1e-10, atol=1e-13)
    # PyTorch's float64 hardsigmoid backward multiplies by 1/6 held as a float32
    # constant, which is off by 3e-8 relative; ours uses the float64 1/6.
    rtol = 1e-7 if activation.name == "hard_sigmoid" else 1e-10
    np.testing.assert_allclose(activation.backward(grad, x, y), dx_torch, rtol=rtol, atol=1e-13)


@pytest.mark.parametrize("identifier, torch_fn", TORCH_EQUIVALENTS.values(), ids=TORCH_EQUIVALENTS.keys())
def test_float32_forward_is_within_rounding_of_torch_float64(identifier, torch_fn):
    x = np.random.default_rng(1).uniform(-8, 8, (6, 7))
    y32 = activations.get(identifier)(x.astype(np.float32))
    np.testing.assert_allclose(y32, torch_fn(torch.tensor(x)).numpy(), rtol=2e-6, atol=1e-6)


def test_softplus_differs_from_torch_only_by_its_cutoff():
    # PyTorch's softplus returns x (gradient 1) once x > threshold=20; the true
    # value is x + log1p(exp(-x)), off by exp(-x) < 2.1e-9 there. We keep the true one.
    x = np.array([19.0, 21.0, 25.0])
    grad = np.ones_like(x)
    softplus = activations.get("softplus")
    y = softplus(x)
    y_torch, dx_torch = torch_forward_backward(F.softplus, x, grad)
    np.testing.assert_allclose(y, y_torch, rtol=1e-10)
    np.testing.assert_allclose(softplus.backward(grad, x, y), dx_torch, rtol=0, atol=2.1e-9)
    beyond = x > 20
    assert np.all(y_torch[beyond] == x[beyond]) and np.all(y[beyond] > x[beyond])
    assert np.all(dx_torch[beyond] == 1) and np.all(softplus.backward(grad, x, y)[beyond] < 1)
