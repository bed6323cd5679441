"""BatchNormalization: batch and moving statistics, gradients, weights, inside models."""
import warnings

import numpy as np
import pytest

from minikeras import Input, Sequential, datasets
from minikeras.layers import Activation, BatchNormalization, Dense
from minikeras.utils.gradient_check import numerical_gradient, relative_error
from _harness import check_layer, gradient_errors  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape, params", [
    pytest.param(lambda: BatchNormalization(), (6, 4), 16, id="batchnorm"),
    pytest.param(lambda: BatchNormalization(axis=1, center=False, momentum=0.9), (5, 3, 2), 9,
                 id="batchnorm-axis1-no-center"),
])
def test_layer_harness(make, x_shape, params, float64, rng):
    check_layer(make, x_shape, params, rng)


def _random_bn(x_shape, rng, **kwargs):
    layer = BatchNormalization(**kwargs)
    layer.build((None,) + x_shape[1:])
    for w in layer.weights:
        w.assign(rng.uniform(0.5, 1.5, size=w.shape))
    return layer


def test_batchnorm_training_forward_and_moving_statistics(float64, rng):
    x = rng.normal(2.0, 3.0, size=(32, 5))
    layer = _random_bn(x.shape, rng, momentum=0.9, epsilon=1e-3)
    gamma, beta, moving_mean, moving_var = layer.get_weights()
    y = layer(x, training=True)
    mean, var = x.mean(axis=0), x.var(axis=0)      # biased variance, as Keras
    np.testing.assert_allclose(y, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_mean.value, 0.9 * moving_mean + 0.1 * mean)
    np.testing.assert_allclose(layer.moving_variance.value, 0.9 * moving_var + 0.1 * var)


def test_batchnorm_inference_uses_moving_statistics(float64, rng):
    x = rng.normal(size=(7, 3))
    layer = _random_bn(x.shape, rng)
    gamma, beta, moving_mean, moving_var = layer.get_weights()
    before = layer.get_weights()
    y = layer(x)
    np.testing.assert_allclose(y, gamma * (x - moving_mean) / np.sqrt(moving_var + 1e-3) + beta)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_batchnorm_moving_statistics_converge_to_the_data(rng):
    layer = BatchNormalization(momentum=0.5)
    for _ in range(30):
        layer(rng.normal(4.0, 2.0, size=(512, 3)).astype(np.float32), training=True)
    np.testing.assert_allclose(layer.moving_mean.value, 4.0, atol=0.2)
    np.testing.assert_allclose(layer.moving_variance.value, 4.0, atol=0.5)


@pytest.mark.parametrize("kwargs, x_shape", [
    pytest.param({}, (6, 4), id="default"),
    pytest.param({"center": False}, (5, 3), id="no-center"),
    pytest.param({"scale": False}, (5, 3), id="no-scale"),
    pytest.param({"axis": 1}, (4, 3, 2), id="axis1-3d"),
    pytest.param({"axis": -1}, (3, 2, 4), id="last-axis-3d"),
])
def test_batchnorm_training_gradients(kwargs, x_shape, float64, rng):
    layer = _random_bn(x_shape, rng, **kwargs)
    x = rng.normal(size=x_shape)
    errors = gradient_errors(layer, x, rng, training=True)
    assert max(errors.values()) < 1e-6, errors


def test_batchnorm_weight_order_and_trainability():
    layer = BatchNormalization()
    layer.build((None, 5))
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    gamma, beta, mean, var = layer.get_weights()
    assert (gamma == 1).all() and (beta == 0).all() and (mean == 0).all() and (var == 1).all()


def test_summary_counts_match_keras():
    model = Sequential([Input((10,)), Dense(64), BatchNormalization()])
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert model.layers[1].count_params() == 256
    assert sum(w.size for w in model.non_trainable_weights) == 128
    # Keras: Dense 704 + BN 256 = 960, of which 128 are non-trainable.
    assert "Total params: 960" in text
    assert "Trainable params: 832" in text
    assert "Non-trainable params: 128" in text


def test_frozen_batchnorm_runs_in_inference_mode(rng):
    x = rng.normal(size=(16, 3)).astype(np.float32)
    layer = BatchNormalization()
    layer.build((None, 3))
    layer.trainable = False
    before = layer.get_weights()
    np.testing.assert_array_equal(layer(x, training=True), layer(x))
    np.testing.assert_array_equal(layer.moving_mean.value, before[2])


@pytest.mark.parametrize("scale", [1.0, 1e4], ids=["unit", "1e4"])
def test_batchnorm_is_stable(scale, rng):
    x = (rng.normal(size=(16, 4)) * scale).astype(np.float32)
    x[:, 0] = scale  # a constant feature: zero variance, only epsilon keeps it finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = BatchNormalization()
        y = layer(x, training=True)
        dx = layer.backward(np.ones_like(y))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert np.isfinite(y).all() and np.isfinite(dx).all()




def test_batchnorm_as_first_layer_still_learns_its_weights(float64, rng):
    """The first layer skips dL/dx; gamma and beta gradients must not depend on it."""
    x = rng.normal(size=(12, 3))
    y = rng.normal(size=(12, 2))
    model = Sequential([Input((3,)), BatchNormalization(), Dense(4, activation="tanh"),
                        BatchNormalization(), Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    for w in model.trainable_weights:
        w.assign(rng.uniform(0.5, 1.5, size=w.shape))
    model._compute_gradients(x, y, training=True)
    for layer in model.layers:
        for w in layer.trainable_weights:
            numeric = numerical_gradient(lambda: model._loss_value(x, y, training=True)[0],
                                         w.value)
            assert relative_error(w.grad, numeric) < 1e-6, (layer.name, w.name)


@pytest.mark.parametrize("axis", [0, 2, 1.5], ids=str)
def test_batchnorm_rejects_bad_axis(axis):
    with pytest.raises(ValueError, match="`axis` must"):
        BatchNormalization(axis=axis).build((None, 4))


def test_batchnorm_model_trains_on_breast_cancer():
    # Unstandardised features (from 0.05 to 2500): batch normalisation does the scaling.
    # momentum=0.9: with Keras's 0.99 the moving statistics of these 15 batches per
    # epoch would still hold 20% of their initial (0, 1) after 10 epochs.
    (x, y), (x_val, y_val) = datasets.breast_cancer.load_data(standardize=False)
    model = Sequential([Input((30,)), BatchNormalization(momentum=0.9), Dense(16),
                        BatchNormalization(momentum=0.9), Activation("relu"),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, validation_data=(x_val, y_val),
                        verbose=0)
    assert history.history["val_accuracy"][-1] > 0.85  # 0.65 for the majority class
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert abs(model.layers[0].moving_mean.value[3] - x[:, 3].mean()) < 0.1 * x[:, 3].mean()
