"""Dropout, GaussianNoise, BatchNormalization and LayerNormalization: math, gradients, models."""
import warnings

import numpy as np
import pytest

from minikeras import Input, Sequential, datasets
from minikeras.layers import (Activation, BatchNormalization, Dense, Dropout, GaussianNoise,
                              Layer, LayerNormalization)
from minikeras.random import set_seed
from minikeras.utils.gradient_check import numerical_gradient, relative_error


def _gradient_errors(layer, x, rng, training, reseed=None):
    """Relative errors of dL/dx and of each weight's gradient for ``L = sum(u * layer(x))``.

    ``reseed`` is called before every forward pass, so a random layer draws the
    same mask each time: the finite differences then see one fixed function.
    """
    reseed = reseed or (lambda: None)
    reseed()
    upstream = rng.normal(size=layer.forward(x, training=training).shape)

    def loss():
        reseed()
        return float(np.sum(upstream * layer.forward(x, training=training)))

    reseed()
    layer.forward(x, training=training)
    errors = {"x": relative_error(layer.backward(upstream), numerical_gradient(loss, x))}
    for w in layer.trainable_weights:
        reseed()
        layer.forward(x, training=training)
        layer.backward(upstream)
        errors[w.name] = relative_error(w.grad.copy(), numerical_gradient(loss, w.value))
    return errors


# -- one harness for every layer -----------------------------------------------------

HARNESS = [
    pytest.param(lambda: Dropout(0.3), (5, 4), 0, id="dropout"),
    pytest.param(lambda: Dropout(0.5, noise_shape=(None, 1, 3), seed=2), (4, 2, 3), 0,
                 id="dropout-noise-shape"),
    pytest.param(lambda: GaussianNoise(0.2, seed=1), (5, 4), 0, id="gaussian-noise"),
    pytest.param(lambda: BatchNormalization(), (6, 4), 16, id="batchnorm"),
    pytest.param(lambda: BatchNormalization(axis=1, center=False, momentum=0.9), (5, 3, 2), 9,
                 id="batchnorm-axis1-no-center"),
    pytest.param(lambda: LayerNormalization(), (5, 4), 8, id="layernorm"),
    pytest.param(lambda: LayerNormalization(axis=[1, 2], scale=False), (3, 2, 4), 8,
                 id="layernorm-two-axes-no-scale"),
]


@pytest.mark.parametrize("make, x_shape, params", HARNESS)
def test_layer_harness(make, x_shape, params, float64, rng):
    layer = make()
    assert isinstance(layer, Layer)
    layer.build((None,) + x_shape[1:])
    assert layer.compute_output_shape((None,) + x_shape[1:]) == (None,) + x_shape[1:]
    assert layer.count_params() == params
    x = rng.normal(size=x_shape)
    assert layer(x).shape == x_shape
    errors = _gradient_errors(layer, x, rng, training=False)  # inference mode
    assert max(errors.values()) < 1e-7, errors
    clone = type(layer).from_config({**layer.get_config(), "name": layer.name + "_copy"})
    assert clone.get_config() == {**layer.get_config(), "name": layer.name + "_copy"}


# -- Dropout -----------------------------------------------------------------------------


def test_dropout_is_identity_at_inference(rng):
    x = rng.normal(size=(8, 5)).astype(np.float32)
    layer = Dropout(0.5)
    np.testing.assert_array_equal(layer(x), x)
    assert layer.forward(x) is x                  # not even a copy inside the model
    assert layer.backward(x) is x


def test_dropout_training_zeroes_rate_and_scales_the_rest(rng):
    x = rng.uniform(1, 2, size=(400, 250)).astype(np.float32)
    y = Dropout(0.3)(x, training=True)
    assert y.dtype == np.float32
    dropped = y == 0
    assert abs(dropped.mean() - 0.3) < 0.01           # 100,000 draws: std 0.0015
    np.testing.assert_allclose(y[~dropped], x[~dropped] / 0.7, rtol=1e-6)
    assert abs(y.mean() / x.mean() - 1) < 0.01         # inverted dropout keeps the mean


def test_dropout_backward_uses_the_forward_mask(rng):
    x = rng.uniform(1, 2, size=(6, 7))
    layer = Dropout(0.4)
    y = layer(x, training=True)
    upstream = rng.normal(size=x.shape)
    np.testing.assert_allclose(layer.backward(upstream), upstream * y / x)


def test_dropout_gradient_with_mask_fixed_by_seed(float64, rng):
    layer = Dropout(0.5)
    x = rng.normal(size=(4, 6))
    errors = _gradient_errors(layer, x, rng, training=True, reseed=lambda: set_seed(7))
    assert errors["x"] < 1e-7
    assert (layer.forward(x, training=True) == 0).any()  # the mask did drop something


def test_dropout_seed_repeats_runs_but_calls_differ():
    x = np.ones((10, 10), np.float32)
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first, second = a(x, training=True), a(x, training=True)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, b(x, training=True))
    np.testing.assert_array_equal(second, b(x, training=True))


def test_dropout_without_seed_follows_the_global_seed():
    x = np.ones((10, 10), np.float32)
    set_seed(5)
    first = Dropout(0.5)(x, training=True)
    set_seed(5)
    np.testing.assert_array_equal(first, Dropout(0.5)(x, training=True))


def test_dropout_noise_shape_shares_the_mask_along_broadcast_axes():
    y = Dropout(0.5, noise_shape=(None, 1, 6), seed=0)(np.ones((8, 5, 6)), training=True)
    assert (y == y[:, :1, :]).all()
    assert (y == 0).any() and (y == 2).any()


def test_dropout_rate_zero_is_identity_in_training(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True), x)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "half", True], ids=str)
def test_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match=r"`rate` must be a number in \[0, 1\)"):
        Dropout(rate)


def test_dropout_rejects_bad_noise_shape():
    with pytest.raises(ValueError, match=r"`noise_shape\[1\]` must be None or a positive integer\. "
                                         r"Received: noise_shape\[1\]=0"):
        Dropout(0.5, noise_shape=(None, 0))
    with pytest.raises(ValueError, match="one entry per input axis"):
        Dropout(0.5, noise_shape=(None, 1, 1))(np.ones((2, 3)), training=True)


def _dropout_model():
    model = Sequential([Input((6,)), Dense(16, activation="relu"), Dropout(0.5),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_dropout_changes_training_outputs_but_not_predict(rng):
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    model = _dropout_model()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    dropout = model.layers[1]
    mask = dropout.saved["mask"]
    assert mask is not None                      # fit ran it in training mode
    predicted = model.predict(x, verbose=0)
    assert dropout.saved["mask"] is mask         # predict kept nothing, left training's record
    np.testing.assert_array_equal(predicted, model.predict(x, verbose=0))
    dense_1, dense_2 = model.layers[0], model.layers[2]
    np.testing.assert_allclose(predicted, dense_2(dense_1(x)), rtol=1e-6)  # no dropout at all
    trained = model(x, training=True)
    assert not np.allclose(trained, predicted)
    assert not np.allclose(trained, model(x, training=True))
    loss = model.evaluate(x, y, verbose=0)[0]
    assert loss == model.evaluate(x, y, verbose=0)[0]  # evaluate is deterministic too


# -- GaussianNoise -------------------------------------------------------------------


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


# -- BatchNormalization ---------------------------------------------------------------


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
    errors = _gradient_errors(layer, x, rng, training=True)
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
def test_batchnorm_and_layernorm_are_stable(scale, rng):
    x = (rng.normal(size=(16, 4)) * scale).astype(np.float32)
    x[:, 0] = scale  # a constant feature: zero variance, only epsilon keeps it finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for layer in (BatchNormalization(), LayerNormalization()):
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


# -- LayerNormalization ------------------------------------------------------------------


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
    errors = _gradient_errors(layer, rng.normal(size=x_shape), rng, training=True)
    assert max(errors.values()) < 1e-6, errors


def test_layernorm_weights():
    layer = LayerNormalization(axis=[1, 2])
    layer.build((None, 3, 4))
    assert [(w.name, w.shape) for w in layer.weights] == [("gamma", (3, 4)), ("beta", (3, 4))]
    with pytest.raises(ValueError, match="`axis` must"):
        LayerNormalization(axis="last")
