"""Activation layers (Activation, ReLU, LeakyReLU, ELU, Softmax), also as Dense's activation."""
import warnings

import numpy as np
import pytest

from minikeras import Input, Sequential, activations
from minikeras.layers import ELU, Activation, Dense, LeakyReLU, PReLU, ReLU, Softmax
from minikeras.utils import check_gradients
from _harness import check_layer  # the tests folder is on sys.path

X = np.array([[-3.0, -0.5, 0.0, 0.5, 2.0, 8.0]])


@pytest.mark.parametrize("make, x_shape", [
    pytest.param(lambda: ReLU(), (5, 3), id="relu"),
    pytest.param(lambda: ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), (6, 4),
                 id="relu-capped-leaky-shifted"),
    pytest.param(lambda: LeakyReLU(), (5, 3), id="leaky-relu"),
    pytest.param(lambda: ELU(alpha=0.7), (5, 3), id="elu"),
    pytest.param(lambda: Softmax(), (5, 3), id="softmax"),
    pytest.param(lambda: Softmax(axis=[1, 2]), (3, 2, 4), id="softmax-two-axes"),
])
def test_layer_harness(make, x_shape, float64, rng):
    check_layer(make, x_shape, 0, rng)


@pytest.mark.parametrize("layer, function", [
    (ReLU(), activations.ReLU()),
    (ReLU(max_value=6.0, negative_slope=0.1, threshold=1.0),
     activations.ReLU(negative_slope=0.1, max_value=6.0, threshold=1.0)),
    (LeakyReLU(), activations.LeakyReLU(negative_slope=0.3)),
    (ELU(alpha=0.5), activations.ELU(alpha=0.5)),
    (Softmax(), activations.Softmax()),
], ids=["relu", "relu-arguments", "leaky-relu", "elu", "softmax"])
def test_each_layer_computes_its_function(layer, function):
    np.testing.assert_array_equal(layer(X), function(X))
    assert layer.get_config() == {**layer.get_config(), **function.get_config()}


def test_leaky_relu_defaults_to_keras_layers_slope():
    np.testing.assert_allclose(LeakyReLU()(np.array([[-1.0, 2.0]])), [[-0.3, 2.0]])
    assert LeakyReLU().get_config()["negative_slope"] == 0.3


def test_leaky_relu_takes_keras_2s_alpha_with_keras_3s_warning():
    with pytest.warns(UserWarning, match=r"Argument `alpha` is deprecated\. Use `negative_slope`"):
        layer = LeakyReLU(alpha=0.2)
    assert layer.activation.negative_slope == 0.2
    assert "alpha" not in layer.get_config()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LeakyReLU(negative_slope=0.2)  # no warning for Keras 3's name


@pytest.mark.parametrize("kwargs, match", [
    ({"threshold": -1.0}, r"`threshold` must be a non-negative finite number"),
    ({"max_value": -1.0}, r"`max_value` must be"),
    ({"negative_slope": -0.1}, r"`negative_slope` must be a non-negative finite number"),
], ids=["threshold", "max_value", "slope"])
def test_relu_layer_refuses_what_keras_refuses(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ReLU(**kwargs)


def test_activation_layer_as_dense_activation():
    leaky = LeakyReLU(negative_slope=0.1)
    dense = Dense(3, activation=leaky, kernel_initializer="ones")
    assert dense.activation is leaky.activation
    np.testing.assert_allclose(dense(np.array([[-1.0, -1.0]])), [[-0.2, -0.2, -0.2]])
    entry = dense.get_config()["activation"]
    assert entry["module"] == "keras.layers" and entry["class_name"] == "LeakyReLU"
    assert entry["config"]["negative_slope"] == 0.1
    assert Dense.from_config(dense.get_config()).activation.negative_slope == 0.1
    for layer in (ReLU(max_value=1.0), ELU(), Softmax(), Activation("tanh")):
        assert activations.get(layer) is layer.activation


@pytest.mark.parametrize("activation", [lambda z: z * 2, PReLU(), Dense(2)],
                         ids=["function", "prelu", "dense"])
def test_other_callables_are_refused_as_activation(activation):
    with pytest.raises(TypeError, match=r"`activation` must be a string name or a "
                                        r"ActivationFunction instance\. Received: .*An "
                                        r"activation layer \(ReLU, .*\) works too"):
        Dense(2, activation=activation)


def test_softmax_layer_is_fused_with_cross_entropy_as_dense_softmax_is(float64, rng):
    x, y = rng.normal(size=(8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
    fused = Sequential([Input((4,)), Dense(3, activation="softmax")])
    split = Sequential([Input((4,)), Dense(3), Softmax()])
    split.set_weights(fused.get_weights())
    for model in (fused, split):
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
    loss_fused, _ = fused._compute_gradients(x, y)
    loss_split, _ = split._compute_gradients(x, y)
    assert loss_split == pytest.approx(loss_fused, rel=1e-12)
    for a, b in zip(fused.trainable_weights, split.trainable_weights):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12)
    # Saturated logits stay exact: the loss starts backward from them.
    assert split.loss.for_output(split.layers[-1].output_activation) is not None


def test_activation_layers_in_a_model_pass_the_gradient_check(float64, rng):
    model = Sequential([Input((5,)), Dense(6), ReLU(negative_slope=0.2), Dense(6),
                        LeakyReLU(0.1), Dense(6), ELU(alpha=0.7), Dense(3), Softmax()])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, y = rng.normal(size=(7, 5)), np.eye(3)[rng.integers(0, 3, 7)]
    errors = check_gradients(model, x, y)
    assert max(errors.values()) < 1e-6, errors
