"""AlphaDropout: the dropout of self-normalizing (SELU) networks."""
import numpy as np
import pytest

from minikeras import activations
from minikeras.layers import AlphaDropout
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape", [
    pytest.param(lambda: AlphaDropout(0.2), (5, 4), id="global-generator"),
    pytest.param(lambda: AlphaDropout(0.4, seed=3), (6, 5), id="seeded"),
    pytest.param(lambda: AlphaDropout(0.5, noise_shape=(None, 1, 3), seed=2), (4, 2, 3),
                 id="noise-shape"),
])
def test_layer_harness(make, x_shape, float64, rng):
    layer = check_layer(make, x_shape, 0, rng)
    x = rng.normal(size=x_shape)
    assert not np.allclose(layer.forward(x, training=True), x)  # the mask did drop


def test_alpha_dropout_keeps_selu_statistics(rng):
    # Inputs of mean 0 and variance 1 (what SELU networks keep) leave with both unchanged.
    x = rng.normal(size=(1000, 400))
    y = AlphaDropout(0.2, seed=0)(x, training=True)
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01
    floor = -activations.SELU.scale * activations.SELU.alpha
    a = (0.8 * (1 + 0.2 * floor ** 2)) ** -0.5
    b = -a * floor * 0.2
    dropped = np.isclose(y, a * floor + b)
    assert abs(dropped.mean() - 0.2) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b)


def test_alpha_dropout_noise_shape_shares_the_mask():
    y = AlphaDropout(0.5, noise_shape=(None, 1, 6), seed=0)(np.ones((8, 5, 6)), training=True)
    assert (y == y[:, :1, :]).all() and len(np.unique(y)) == 2


def test_alpha_dropout_is_identity_at_inference_and_seeds_repeat(rng):
    x = rng.normal(size=(6, 5)).astype(np.float32)
    np.testing.assert_array_equal(AlphaDropout(0.5)(x), x)
    a, b = AlphaDropout(0.5, seed=4), AlphaDropout(0.5, seed=4)
    first = a(x, training=True)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, b(x, training=True))
    assert not np.array_equal(first, a(x, training=True))


@pytest.mark.parametrize("rate", [-0.1, 1.0, "half"], ids=str)
def test_alpha_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match=r"`rate` must be a number in \[0, 1\)"):
        AlphaDropout(rate)
