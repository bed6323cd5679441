"""The layers real MLP scripts use, against Keras 3 (torch backend): outputs, training, counts.

Each twin builds the same layer or model in both frameworks with the same weights and
compares what must match: inference outputs on fixed inputs, what training mode does,
parameter counts, configurations, and the weights after the same training steps
(which checks every backward pass against Keras's automatic differentiation). Skipped,
saying why, without Keras 3 and torch (the `reference` extra).
"""
import json
import warnings

import numpy as np
import pytest

import minikeras as mk
from minikeras import activations

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 4, 3)).astype("float32") * 2 + 0.5
X[0] = 0  # a zero sample: the floors of Normalization and UnitNormalization

# (layer name, arguments): each applied to X (after a Flatten for the 2-D ones).
LAYERS = {
    "reshape": ("Reshape", {"target_shape": (2, -1)}),
    "rescaling": ("Rescaling", {"scale": 1 / 127.5, "offset": -1.0}),
    "rescaling_per_feature": ("Rescaling", {"scale": [0.5, 2.0, -1.0], "offset": [1.0, 0, 2]}),
    "normalization_given": ("Normalization", {"mean": [1.0, 2.0, 3.0],
                                              "variance": [4.0, 0.25, 0.0]}),
    "normalization_invert": ("Normalization", {"axis": None, "mean": 2.0, "variance": 9.0,
                                               "invert": True}),
    "unit_normalization": ("UnitNormalization", {}),
    "unit_normalization_two_axes": ("UnitNormalization", {"axis": [1, 2]}),
    "relu": ("ReLU", {}),
    "relu_arguments": ("ReLU", {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.5}),
    "leaky_relu": ("LeakyReLU", {}),
    "elu": ("ELU", {"alpha": 0.6}),
    "softmax": ("Softmax", {}),
    "softmax_two_axes": ("Softmax", {"axis": [1, 2]}),
    "prelu": ("PReLU", {"alpha_initializer": "random_normal"}),
    "prelu_shared": ("PReLU", {"alpha_initializer": "random_normal", "shared_axes": [1]}),
    "gaussian_dropout": ("GaussianDropout", {"rate": 0.3, "seed": 1}),
    "alpha_dropout": ("AlphaDropout", {"rate": 0.3, "seed": 1}),
}


def _pair(keras3, name, kwargs):
    """The layer in both frameworks, built for X, with minikeras's weights in both."""
    mk_layer = getattr(mk.layers, name)(**kwargs)
    keras_layer = getattr(keras3.layers, name)(**kwargs)
    mk_model = mk.Sequential([mk.Input(X.shape[1:]), mk_layer])
    keras_model = keras3.Sequential([keras3.Input(X.shape[1:]), keras_layer])
    keras_layer.set_weights(mk_layer.get_weights())
    return mk_model, keras_model


def _normal(config):
    """A config as JSON gives it back (tuples become lists), numbers at float32 precision."""
    config = json.loads(json.dumps(config))
    if isinstance(config, float):
        return float(np.float32(config))
    if isinstance(config, list):
        return [_normal(v) for v in config]
    if isinstance(config, dict):
        return {key: _normal(value) for key, value in config.items()}
    return config


@pytest.mark.parametrize("case", LAYERS)
def test_inference_output_and_config_match_keras(keras3, case):
    name, kwargs = LAYERS[case]
    mk_model, keras_model = _pair(keras3, name, kwargs)
    np.testing.assert_allclose(mk_model.predict(X, verbose=0),
                               np.asarray(keras_model.predict(X, verbose=0)),
                               rtol=1e-5, atol=1e-6)
    assert mk_model.count_params() == keras_model.count_params()
    mk_config = mk_model.layers[0].get_config()
    keras_config = keras_model.layers[0].get_config()
    mk_config.pop("name"), keras_config.pop("name")
    assert _normal(mk_config) == _normal(keras_config)


@pytest.mark.parametrize("case", ["gaussian_dropout", "alpha_dropout"])
def test_noise_layers_act_only_while_training_as_in_keras(keras3, case):
    name, kwargs = LAYERS[case]
    x = np.ones((2000, 50), np.float32)
    mk_layer, keras_layer = (getattr(lib.layers, name)(**kwargs) for lib in (mk, keras3))
    mk_y = mk_layer(x, training=True)
    keras_y = np.asarray(keras_layer(x, training=True))
    np.testing.assert_array_equal(mk_layer(x), x)
    np.testing.assert_array_equal(np.asarray(keras_layer(x, training=False)), x)
    if name == "AlphaDropout":  # kept entries become a x + b, dropped ones a alpha' + b: two values
        np.testing.assert_allclose(np.unique(mk_y), np.unique(keras_y), rtol=1e-6)
        assert abs((mk_y == mk_y.min()).mean() - (keras_y == keras_y.min()).mean()) < 0.01
    else:  # the noise m ~ N(1, rate / (1 - rate)) in both
        assert abs(mk_y.mean() - keras_y.mean()) < 0.01
        assert abs(mk_y.std() - keras_y.std()) < 0.01


def test_adapt_finds_keras_statistics(keras3):
    data = RNG.normal([3.0, -1.0, 200.0], [1.0, 0.1, 50.0], size=(300, 3))
    for kwargs in ({}, {"axis": None}, {"axis": -1, "invert": True}):
        mk_layer, keras_layer = mk.layers.Normalization(**kwargs), \
            keras3.layers.Normalization(**kwargs)
        mk_layer.adapt(data)
        keras_layer.adapt(data)
        for a, b in zip(mk_layer.get_weights(), keras_layer.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        np.testing.assert_allclose(mk_layer(data[:20]), np.asarray(keras_layer(data[:20])),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(mk_layer.mean, np.asarray(keras_layer.mean), rtol=1e-6)


def _every_layer_model(lib):
    """One model through every new layer except the random ones, ending in a nested model."""
    layers = lib.layers
    inner = lib.Sequential([layers.Dense(5), layers.PReLU(alpha_initializer="random_normal"),
                            layers.Dense(3)])
    normalizer = layers.Normalization()
    normalizer.adapt(X.reshape(len(X), -1))
    return lib.Sequential([lib.Input(X.shape[1:]), layers.Reshape((12,)), normalizer,
                           layers.Rescaling(0.5, offset=0.1), layers.Dense(8),
                           layers.ActivityRegularization(l1=0.01, l2=0.02),
                           layers.ReLU(negative_slope=0.1, max_value=3.0), layers.Dense(8),
                           layers.LeakyReLU(), layers.Dense(8), layers.ELU(alpha=0.5),
                           layers.UnitNormalization(), inner, layers.Softmax()])


def test_training_steps_give_keras_weights(keras3):
    """The same two SGD steps from the same weights: every backward pass agrees with Keras."""
    mk_model, keras_model = _every_layer_model(mk), _every_layer_model(keras3)
    keras_model.set_weights(mk_model.get_weights())
    y = np.eye(3, dtype="float32")[RNG.integers(0, 3, len(X))]
    for model in (mk_model, keras_model):
        model.compile(optimizer=mk.optimizers.SGD(0.1) if model is mk_model else
                      keras3.optimizers.SGD(0.1),
                      loss="categorical_crossentropy")
    for batch in (slice(0, 8), slice(8, 16)):
        mk_loss = mk_model.train_on_batch(X[batch], y[batch])
        keras_loss = keras_model.train_on_batch(X[batch], y[batch])
        assert mk_loss == pytest.approx(float(np.ravel(keras_loss)[0]), rel=1e-5)
    for a, b in zip(mk_model.get_weights(), keras_model.get_weights(), strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


def test_parameter_counts_and_summary_rows_match_keras(keras3):
    mk_model, keras_model = _every_layer_model(mk), _every_layer_model(keras3)
    assert mk_model.count_params() == keras_model.count_params()
    assert [layer.count_params() for layer in mk_model.layers] == \
        [layer.count_params() for layer in keras_model.layers]
    assert [type(layer).__name__ for layer in mk_model.layers] == \
        [type(layer).__name__ for layer in keras_model.layers]
    for attribute in ("trainable_weights", "non_trainable_weights"):
        assert sum(w.size for w in getattr(mk_model, attribute)) == \
            sum(int(np.prod(w.shape)) for w in getattr(keras_model, attribute))
    probability_model = [lib.Sequential([model, lib.layers.Softmax()])
                         for lib, model in ((mk, mk_model), (keras3, keras_model))]
    assert probability_model[0].count_params() == probability_model[1].count_params()


@pytest.mark.parametrize("direction", ["keras_to_minikeras", "minikeras_to_keras"])
@pytest.mark.parametrize("filename", ["model.keras", "model.h5"])
def test_files_with_every_new_layer_open_in_the_other_framework(keras3, direction, filename,
                                                                 tmp_path):
    pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')
    source, target = (keras3, mk) if direction == "keras_to_minikeras" else (mk, keras3)
    model = _every_layer_model(source)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.save(tmp_path / filename)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's notes on legacy files
        loaded = (keras3.saving.load_model if target is keras3 else mk.models.load_model)(
            tmp_path / filename)
    np.testing.assert_allclose(np.asarray(loaded.predict(X, verbose=0)),
                               np.asarray(model.predict(X, verbose=0)), rtol=1e-5, atol=1e-6)
    assert loaded.count_params() == model.count_params()


def test_keras_dense_with_an_activation_layer_loads_in_minikeras(keras3, tmp_path):
    pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')
    model = keras3.Sequential([keras3.Input((3,)),
                               keras3.layers.Dense(4, activation=keras3.layers.LeakyReLU(0.1)),
                               keras3.layers.Dense(2, activation=keras3.layers.ReLU(max_value=1))])
    model.save(tmp_path / "m.keras")
    loaded = mk.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[0].activation, activations.LeakyReLU)
    x = RNG.normal(size=(6, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), np.asarray(model.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-6)


def test_input_layer_and_leaky_relu_legacy_arguments_as_in_keras(keras3):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras_layers = [keras3.layers.InputLayer(input_shape=(28, 28)),
                        keras3.layers.LeakyReLU(alpha=0.2)]
        keras_messages = sorted(str(w.message) for w in caught if "deprecated" in str(w.message))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mk_layers = [mk.layers.InputLayer(input_shape=(28, 28)), mk.layers.LeakyReLU(alpha=0.2)]
        mk_messages = sorted(str(w.message) for w in caught)
    assert mk_messages == keras_messages
    keras_input, mk_input = keras_layers[0].get_config(), mk_layers[0].get_config()
    keras_input.pop("name"), mk_input.pop("name")
    assert _normal(mk_input) == _normal(keras_input)
    assert mk_layers[1].get_config()["negative_slope"] == \
        pytest.approx(keras_layers[1].get_config()["negative_slope"])
    keras_model = keras3.Sequential([keras3.layers.InputLayer(shape=(5,), batch_size=8),
                                     keras3.layers.Dense(2)])
    mk_model = mk.Sequential([mk.layers.InputLayer(shape=(5,), batch_size=8),
                              mk.layers.Dense(2)])
    assert mk_model.get_config()["layers"][0]["config"]["batch_shape"] == \
        list(keras_model.get_config()["layers"][0]["config"]["batch_shape"]) == [8, 5]
