"""GaussianNoise: additive noise while training, the identity at inference."""
import numpy as np
import pytest

from minikeras.layers import GaussianNoise
from _harness import check_layer  # the tests folder is on sys.path


def test_layer_harness(float64, rng):
    check_layer(lambda: GaussianNoise(0.2, seed=1), (5, 4), 0, rng)


def test_gaussian_noise_statistics_and_inference(rng):
    x = rng.normal(size=(300, 200)).astype(np.float32)
    layer = GaussianNoise(0.5)
    assert layer.forward(x) is x
    np.testing.assert_array_equal(layer(x), x)
    noise = layer(x, training=True) - x
    assert layer(x, training=True).dtype == np.float32
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    assert layer.backward(x) is x


def test_gaussian_noise_seed_repeats_runs_but_calls_differ():
    x = np.zeros((4, 5))
    a, b = GaussianNoise(0.1, seed=9), GaussianNoise(0.1, seed=9)
    first, second = a(x, training=True), a(x, training=True)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, b(x, training=True))


@pytest.mark.parametrize("stddev", [-0.1, 1.5, "a"], ids=str)
def test_gaussian_noise_rejects_bad_stddev(stddev):
    with pytest.raises(ValueError, match=r"`stddev` must be a number in \[0, 1\]"):
        GaussianNoise(stddev)
