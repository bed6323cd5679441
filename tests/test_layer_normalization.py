"""LayerNormalization: per-sample statistics, gradients and weights."""
import warnings

import numpy as np
import pytest

from minikeras.layers import LayerNormalization
from _harness import check_layer, gradient_errors  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape, params", [
    pytest.param(lambda: LayerNormalization(), (5, 4), 8, id="layernorm"),
    pytest.param(lambda: LayerNormalization(axis=[1, 2], scale=False), (3, 2, 4), 8,
                 id="layernorm-two-axes-no-scale"),
])
def test_layer_harness(make, x_shape, params, float64, rng):
    check_layer(make, x_shape, params, rng)


def test_layernorm_forward_matches_formula(float64, rng):
    x = rng.normal(1.0, 2.0, size=(6, 5))
    layer = LayerNormalization(epsilon=1e-3)
    layer.build((None, 5))
    gamma, beta = rng.normal(size=5), rng.normal(size=5)
    layer.set_weights([gamma, beta])
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    expected = gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    np.testing.assert_allclose(layer(x), expected, rtol=1e-12)
    np.testing.assert_array_equal(layer(x, training=True), layer(x))


@pytest.mark.parametrize("kwargs, x_shape", [
    pytest.param({}, (4, 5), id="default"),
    pytest.param({"axis": [1, 2]}, (3, 2, 3), id="two-axes"),
    pytest.param({"axis": 1}, (3, 4, 2), id="middle-axis"),
    pytest.param({"center": False}, (3, 4), id="no-center"),
])
def test_layernorm_gradients(kwargs, x_shape, float64, rng):
    layer = LayerNormalization(**kwargs)
    layer.build((None,) + x_shape[1:])
    for w in layer.weights:
        w.assign(rng.normal(size=w.shape))
    errors = gradient_errors(layer, rng.normal(size=x_shape), rng, training=True)
    assert max(errors.values()) < 1e-6, errors


def test_layernorm_weights():
    layer = LayerNormalization(axis=[1, 2])
    layer.build((None, 3, 4))
    assert [(w.name, w.shape) for w in layer.weights] == [("gamma", (3, 4)), ("beta", (3, 4))]
    with pytest.raises(ValueError, match="`axis` must"):
        LayerNormalization(axis="last")


@pytest.mark.parametrize("scale", [1.0, 1e4], ids=["unit", "1e4"])
def test_layernorm_is_stable(scale, rng):
    x = (rng.normal(size=(16, 4)) * scale).astype(np.float32)
    x[:, 0] = scale  # a constant feature: zero variance, only epsilon keeps it finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = LayerNormalization()
        y = layer(x, training=True)
        dx = layer.backward(np.ones_like(y))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert np.isfinite(y).all() and np.isfinite(dx).all()
