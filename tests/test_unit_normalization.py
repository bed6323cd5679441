"""UnitNormalization: each sample scaled to unit L2 norm."""
import warnings

import numpy as np
import pytest

from minikeras.layers import UnitNormalization
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape", [
    pytest.param(lambda: UnitNormalization(), (5, 3), id="last-axis"),
    pytest.param(lambda: UnitNormalization(axis=[1, 2]), (3, 2, 4), id="two-axes"),
    pytest.param(lambda: UnitNormalization(axis=1), (3, 4, 2), id="middle-axis"),
])
def test_layer_harness(make, x_shape, float64, rng):
    check_layer(make, x_shape, 0, rng)


def test_unit_normalization_gives_unit_norms(float64, rng):
    x = rng.normal(size=(6, 3, 4))
    y = UnitNormalization(axis=[1, 2])(x)
    np.testing.assert_allclose(np.sqrt((y ** 2).sum(axis=(1, 2))), 1.0)
    np.testing.assert_allclose(y, x / np.linalg.norm(x.reshape(6, -1), axis=1)[:, None, None])


def test_unit_normalization_of_a_zero_vector_is_finite(rng):
    x = np.zeros((2, 3), np.float32)
    x[1] = [3, 4, 0]
    layer = UnitNormalization()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layer(x, training=True)
        dx = layer.backward(np.ones_like(y))
    np.testing.assert_array_equal(y[0], 0)
    np.testing.assert_allclose(y[1], [0.6, 0.8, 0])
    assert np.isfinite(dx).all() and dx.dtype == np.float32


@pytest.mark.parametrize("axis", [0, 2, "last", []], ids=repr)
def test_unit_normalization_rejects_bad_axes(axis):
    with pytest.raises(ValueError, match="`axis"):
        UnitNormalization(axis=axis).build((None, 4))
