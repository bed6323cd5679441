"""Each layer through one harness: build, output shape, parameter count, gradients, config."""
import numpy as np
import pytest

from minikeras import activations
from minikeras.layers import Activation, Dense, Flatten
from _harness import check_layer  # the tests folder is on sys.path

LAYER_CASES = [
    pytest.param(lambda: Dense(4), (5, 3), (None, 4), 16, id="dense-linear"),
    pytest.param(lambda: Dense(4, activation="tanh"), (5, 3), (None, 4), 16, id="dense-tanh"),
    pytest.param(lambda: Dense(3, activation="softmax"), (6, 4), (None, 3), 15,
                 id="dense-softmax"),
    pytest.param(lambda: Dense(2, use_bias=False, activation="sigmoid"), (5, 3), (None, 2), 6,
                 id="dense-no-bias"),
    pytest.param(lambda: Activation("elu"), (5, 3), (None, 3), 0, id="activation-elu"),
    pytest.param(lambda: Flatten(), (4, 2, 3), (None, 6), 0, id="flatten"),
]


@pytest.mark.parametrize("make, x_shape, out_shape, params", LAYER_CASES)
def test_layer_harness(make, x_shape, out_shape, params, float64, rng):
    check_layer(make, x_shape, params, rng, output_shape=out_shape)


def test_dense_matches_formula(rng):
    layer = Dense(3, activation="relu", bias_initializer="ones")
    x = rng.normal(size=(4, 5)).astype(np.float32)
    y = layer(x)
    w, b = layer.get_weights()
    assert w.shape == (5, 3) and b.shape == (3,)
    np.testing.assert_allclose(y, np.maximum(x @ w + b, 0), rtol=1e-6)
    assert y.dtype == np.float32


def test_dense_backward_from_logits_skips_activation(float64, rng):
    layer = Dense(3, activation="sigmoid")
    x = rng.normal(size=(4, 2))
    layer(x, training=True)
    dz = rng.normal(size=(4, 3))
    dx = layer.backward_from_logits(dz)
    np.testing.assert_allclose(layer.kernel.grad, x.T @ dz)
    np.testing.assert_allclose(layer.bias.grad, dz.sum(axis=0))
    np.testing.assert_allclose(dx, dz @ layer.kernel.value.T)
    np.testing.assert_allclose(layer.logits, x @ layer.kernel.value + layer.bias.value)


def test_first_layer_can_skip_input_gradient(rng):
    layer = Dense(2)
    x = rng.normal(size=(3, 4)).astype(np.float32)
    layer(x, training=True)
    layer.input_gradient = False
    assert layer.backward(np.ones((3, 2), np.float32)) is None
    assert np.abs(layer.kernel.grad).sum() > 0


def test_backward_never_changes_weights(rng):
    layer = Dense(3, activation="tanh")
    x = rng.normal(size=(4, 2)).astype(np.float32)
    layer(x, training=True)
    before = layer.get_weights()
    layer.backward(np.ones((4, 3), np.float32))
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_inference_keeps_nothing_for_backward(rng):
    layer = Dense(3, activation="tanh")
    layer(rng.normal(size=(4, 2)))                   # inference: nothing kept
    assert layer.saved == {}
    with pytest.raises(RuntimeError, match=r"`dense.*` has no 'z' saved for backward"):
        layer.backward(np.ones((4, 3)))


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True], ids=repr)
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match=r"`units` must be a positive integer\. Received: units="):
        Dense(units)


def test_dense_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown `activation`: 'relux'.*relu"):
        Dense(2, activation="relux")
    with pytest.raises(ValueError, match="Unknown `kernel_initializer`: 'glorot'.*glorot_uniform"):
        Dense(2, kernel_initializer="glorot").build((None, 3))


def test_dense_needs_flat_input():
    with pytest.raises(ValueError, match="Flatten"):
        Dense(2).build((None, 28, 28))


def test_count_params_before_build_is_an_error():
    with pytest.raises(ValueError, match="not built"):
        Dense(2).count_params()


def test_regularized_weights_carry_their_penalty():
    layer = Dense(2, kernel_regularizer="l2")
    layer.build((None, 3))
    assert layer.kernel.regularizer is not None and layer.bias.regularizer is None
    w = layer.kernel.value
    assert layer.kernel.regularizer(w) == pytest.approx(0.01 * float(np.sum(w.astype(float) ** 2)),
                                                        rel=1e-6)


def test_activation_layer_uses_activation_function():
    layer = Activation(activations.get("relu"))
    np.testing.assert_array_equal(layer(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])


@pytest.mark.parametrize("layer, z", [
    (Activation("sigmoid"), [[1.0, 2.0]]),
    (Dense(1, activation="sigmoid", kernel_initializer="ones"), [[3.0]]),
], ids=["Activation", "Dense"])
def test_integer_inputs_give_float_outputs(layer, z):
    y = layer(np.array([[1, 2]]))
    assert y.dtype.kind == "f"
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-np.array(z))), rtol=1e-6)
