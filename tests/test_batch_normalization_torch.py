"""BatchNormalization against PyTorch: values, gradients and moving statistics."""
import pytest

from minikeras.layers import BatchNormalization
from _harness import assert_close, torch_run  # the tests folder is on sys.path

torch = pytest.importorskip("torch", reason="PyTorch oracle not installed: pip install -e '.[reference]'")


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
    y_t, dx_t = torch_run(theirs, x, upstream)
    y = ours.forward(x, training=True)
    dx = ours.backward(upstream)
    assert_close(y, y_t)
    assert_close(dx, dx_t)
    assert_close(ours.gamma.grad, theirs.weight.grad.numpy())
    assert_close(ours.beta.grad, theirs.bias.grad.numpy())

    assert_close(ours.moving_mean.value, theirs.running_mean.numpy())
    # The moving variance differs on purpose: PyTorch feeds it the unbiased batch
    # variance (divided by n - 1), Keras the biased one (divided by n).
    n = x.size // features
    ours_new = ours.moving_variance.value - 0.9
    torch_new = theirs.running_var.numpy() - 0.9
    assert_close(ours_new, torch_new * (n - 1) / n)


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
    y_t, dx_t = torch_run(theirs, x, upstream)
    assert_close(ours.forward(x), y_t)
    assert_close(ours.backward(upstream), dx_t)
    assert_close(ours.gamma.grad, theirs.weight.grad.numpy())
    assert_close(ours.beta.grad, theirs.bias.grad.numpy())


def test_batchnorm_moving_statistics_over_steps_match_torch(float64, rng):
    ours = BatchNormalization(momentum=0.8)
    ours.build((None, 3))
    theirs = torch.nn.BatchNorm1d(3, eps=1e-3, momentum=0.2, dtype=torch.float64).train()
    for _ in range(5):
        x = rng.normal(1.0, 2.0, size=(10, 3))
        ours.forward(x, training=True)
        theirs(torch.tensor(x))
    assert_close(ours.moving_mean.value, theirs.running_mean.numpy())
