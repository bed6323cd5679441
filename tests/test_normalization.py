"""Normalization: features standardized with a mean and variance from adapt(data)."""
import warnings

import numpy as np
import pytest

from minikeras import Sequential
from minikeras.layers import Dense, Normalization
from _harness import check_layer  # the tests folder is on sys.path


@pytest.mark.parametrize("make, x_shape, params", [
    pytest.param(lambda: Normalization(), (5, 3), 7, id="adaptable"),
    pytest.param(lambda: Normalization(axis=[1, 2]), (4, 2, 3), 13, id="two-axes"),
    pytest.param(lambda: Normalization(axis=None, mean=2.0, variance=3.0), (5, 3), 0,
                 id="given"),
    pytest.param(lambda: Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5], invert=True),
                 (5, 2), 0, id="invert"),
])
def test_layer_harness(make, x_shape, params, float64, rng):
    check_layer(make, x_shape, params, rng)


def test_adapt_learns_each_features_mean_and_variance(rng):
    x = rng.normal([1.0, -5.0, 30.0], [0.5, 2.0, 10.0], size=(200, 3))
    layer = Normalization()
    layer.adapt(x)
    mean, variance, count = layer.get_weights()
    np.testing.assert_allclose(mean, x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(variance, x.var(axis=0), rtol=1e-6)  # biased, as Keras
    assert count == 0 and count.dtype == np.int32                    # as Keras 3: never updated
    assert layer.mean.shape == (1, 3)                                # broadcasts, as Keras's
    y = layer(x)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), 1, rtol=1e-5)
    assert [w.trainable for w in layer.weights] == [False, False, False]


def test_adapt_batch_by_batch_equals_adapting_all_at_once(rng):
    x = rng.normal(3.0, 2.0, size=(103, 2, 4))
    whole, batched = Normalization(axis=[1, 2]), Normalization(axis=[1, 2])
    whole.adapt(x)
    batched.adapt(x[i:i + 25] for i in range(0, len(x), 25))  # a generator of batches
    for a, b in zip(whole.get_weights(), batched.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    pairs = Normalization(axis=[1, 2])
    pairs.adapt([(x[:50], None), (x[50:], None)])  # (x, y) batches: the statistics of x
    np.testing.assert_allclose(pairs.get_weights()[1], whole.get_weights()[1], rtol=1e-6)


def test_axis_none_uses_one_mean_and_variance(rng):
    x = rng.normal(size=(50, 4)) * 3 + 1
    layer = Normalization(axis=None)
    layer.adapt(x)
    assert [w.shape for w in layer.weights] == [(), (), ()]
    np.testing.assert_allclose(layer(x), (x - x.mean()) / x.std(), rtol=1e-5)


def test_invert_undoes_the_normalization(rng):
    x = rng.normal(size=(10, 3)) * 4 + 2
    forward, inverse = Normalization(), Normalization(invert=True)
    forward.adapt(x)
    inverse.adapt(x)
    np.testing.assert_allclose(inverse(forward(x)), x, rtol=1e-5, atol=1e-5)


def test_given_statistics_are_configuration_not_weights():
    layer = Normalization(mean=3.0, variance=2.0)
    np.testing.assert_allclose(layer(np.array([[1.0], [2.0], [3.0]])),
                               [[-np.sqrt(2)], [-np.sqrt(0.5)], [0.0]], rtol=1e-6)
    assert layer.weights == [] and layer.count_params() == 0
    assert layer.get_config()["mean"] == 3.0 and layer.get_config()["variance"] == 2.0
    with pytest.raises(ValueError, match=r"was given `mean` and `variance`; `adapt` would"):
        layer.adapt(np.ones((3, 1)))


def test_a_constant_feature_stays_finite():
    layer = Normalization()
    layer.adapt(np.array([[1.0, 5.0], [3.0, 5.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layer(np.array([[2.0, 5.0], [2.0, 6.0]]))
    np.testing.assert_allclose(y, [[0.0, 0.0], [0.0, 1e7]], rtol=1e-6)  # floor 1e-7, as Keras


def test_an_adapted_first_layer_builds_the_model(rng):
    x = rng.normal(size=(40, 9))
    normalizer = Normalization(axis=-1)
    normalizer.adapt(x)
    model = Sequential([normalizer, Dense(1)])
    assert model.built and model.input_shape == (None, 9)
    assert model.count_params() == 19 + 10  # 2 * 9 + 1 statistics, then the Dense
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 19" in lines[0]


def test_input_shape_argument_and_adapt_on_one_feature(rng):
    horsepower = rng.normal(100, 30, size=314)
    normalizer = Normalization(input_shape=[1], axis=None)
    normalizer.adapt(horsepower)
    model = Sequential([normalizer, Dense(units=1)])
    assert model.input_shape == (None, 1) and model.count_params() == 5
    y = normalizer(horsepower[:, None])
    np.testing.assert_allclose(y[:, 0], (horsepower - horsepower.mean()) / horsepower.std(),
                               rtol=1e-5, atol=1e-6)


def test_normalization_trains_a_regression(rng):
    # Features five orders of magnitude apart: the normalizer makes them learnable.
    x = rng.normal([0.0, 1000.0], [0.01, 500.0], size=(256, 2))
    y = (x[:, :1] * 100 + x[:, 1:] / 500).astype(np.float32)
    normalizer = Normalization()
    normalizer.adapt(x)
    model = Sequential([normalizer, Dense(16, activation="relu"), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    np.testing.assert_allclose(normalizer.adapt_mean.value, x.mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize("kwargs, match", [
    ({"mean": 1.0}, "both `mean` and `variance` must be set"),
    ({"mean": [1.0, 2.0], "variance": [1.0]}, "must have the same shape"),
    ({"mean": [[1.0]], "variance": [[1.0]]}, "at most one axis per entry of `axis`"),
    ({"mean": 0.0, "variance": -1.0}, "`variance` must not be negative"),
    ({"mean": "a", "variance": 1.0}, "`mean` must be a finite number"),
    ({"axis": "last"}, r"`axis\[0\]` must be an integer"),
    ({"invert": "yes"}, "`invert` must be"),
], ids=["mean-alone", "shapes", "rank", "negative", "text", "axis", "invert"])
def test_normalization_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Normalization(**kwargs)


def test_adapt_rejects_bad_data():
    layer = Normalization()
    with pytest.raises(ValueError, match="finite numbers"):
        layer.adapt(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="at least one sample"):
        layer.adapt(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        layer.adapt([])
    with pytest.raises(TypeError, match="an array of samples or an iterable of batches"):
        layer.adapt(object())
    layer.adapt(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"built for inputs of shape \(None, 2\), but `adapt` "
                                         r"received data of shape \(4, 3\)"):
        layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match="no statistics yet"):
        Normalization().forward(np.ones((2, 2)))


def test_axis_zero_is_refused():
    with pytest.raises(ValueError, match=r"not the batch axis 0"):
        Normalization(axis=0).build((None, 3))
