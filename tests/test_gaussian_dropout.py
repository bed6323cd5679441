"""GaussianDropout: multiplicative N(1, rate / (1 - rate)) noise while training, identity after."""
import numpy as np
import pytest

from minikeras.layers import GaussianDropout
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape", [
    pytest.param(lambda: GaussianDropout(0.3, seed=1), (5, 4), id="seeded"),
    pytest.param(lambda: GaussianDropout(0.6), (4, 2, 3), id="global-generator"),
])
def test_layer_harness(make, x_shape, float64, rng):
    layer = check_layer(make, x_shape, 0, rng)
    x = rng.normal(size=x_shape)
    assert not np.allclose(layer.forward(x, training=True), x)  # the noise did act


def test_gaussian_dropout_noise_statistics_and_inference(rng):
    x = rng.uniform(1, 2, size=(400, 250)).astype(np.float32)
    layer = GaussianDropout(0.2)
    assert layer.forward(x) is x and layer.backward(x) is x
    y = layer(x, training=True)
    noise = y / x
    assert y.dtype == np.float32
    # sigma = sqrt(0.2 / 0.8) = 0.5: the variance of Dropout(0.2)'s scaled mask
    assert abs(noise.mean() - 1) < 0.01 and abs(noise.std() - 0.5) < 0.01
    upstream = rng.normal(size=x.shape).astype(np.float32)
    np.testing.assert_allclose(layer.backward(upstream), upstream * noise, rtol=1e-5)


def test_gaussian_dropout_seed_repeats_runs_but_calls_differ():
    x = np.ones((4, 5))
    a, b = GaussianDropout(0.5, seed=9), GaussianDropout(0.5, seed=9)
    first, second = a(x, training=True), a(x, training=True)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, b(x, training=True))


@pytest.mark.parametrize("rate", [-0.1, 1.0, "half"], ids=str)
def test_gaussian_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match=r"`rate` must be a number in \[0, 1\)"):
        GaussianDropout(rate)
