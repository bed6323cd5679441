"""Dropout: inverted dropout's mask, scaling, seeds, noise shape, and inside a model."""
import numpy as np
import pytest

from minikeras import Input, Sequential
from minikeras.layers import Dense, Dropout
from minikeras.random import set_seed
from _harness import check_layer, gradient_errors  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape", [
    pytest.param(lambda: Dropout(0.3), (5, 4), id="dropout"),
    pytest.param(lambda: Dropout(0.5, noise_shape=(None, 1, 3), seed=2), (4, 2, 3),
                 id="dropout-noise-shape"),
])
def test_layer_harness(make, x_shape, float64, rng):
    check_layer(make, x_shape, 0, rng)


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
    errors = gradient_errors(layer, x, rng, training=True, reseed=lambda: set_seed(7))
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
