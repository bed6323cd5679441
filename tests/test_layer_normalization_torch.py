"""LayerNormalization against PyTorch: values and gradients."""
import pytest

from minikeras.layers import LayerNormalization
from _harness import assert_close, torch_run  # the tests folder is on sys.path

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")


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
    y_t, dx_t = torch_run(theirs, x, upstream)
    assert_close(ours.forward(x, training=True), y_t)
    assert_close(ours.backward(upstream), dx_t)
    assert_close(ours.gamma.grad, theirs.weight.grad.numpy())
    assert_close(ours.beta.grad, theirs.bias.grad.numpy())
