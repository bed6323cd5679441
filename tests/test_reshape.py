"""Reshape: each sample to another shape with the same entries, in order."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Flatten, Reshape
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape, output_shape", [
    pytest.param(lambda: Reshape((2, 3)), (5, 6), (None, 2, 3), id="reshape"),
    pytest.param(lambda: Reshape((-1, 2)), (4, 2, 3), (None, 3, 2), id="inferred"),
])
def test_layer_harness(make, x_shape, output_shape, float64, rng):
    check_layer(make, x_shape, 0, rng, output_shape=output_shape)


def test_reshape_keeps_the_order_of_entries():
    x = np.arange(24.0).reshape(2, 12)
    np.testing.assert_array_equal(Reshape((3, 4))(x), x.reshape(2, 3, 4))
    model = Sequential([Input((12,)), Reshape((3, -1)), Flatten()])
    assert model.output_shape == (None, 12)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


@pytest.mark.parametrize("target_shape", [(), (-1, -1), (0, 3), (2.0,), "3", None], ids=repr)
def test_reshape_rejects_bad_target_shapes(target_shape):
    with pytest.raises(ValueError, match=r"`target_shape` must be a tuple of positive integers"):
        Reshape(target_shape)


def test_reshape_to_a_size_that_does_not_fit_fails_when_built():
    with pytest.raises(ValueError, match=r"cannot reshape samples of shape \(6,\) \(6 entries\)"):
        Sequential([Input((6,)), Reshape((4,))])
    with pytest.raises(ValueError, match="cannot reshape"):
        Sequential([Input((7,)), Reshape((2, -1))])
