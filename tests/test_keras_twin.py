"""Twin tests against real Keras 3: files and configs written by one framework open in the other.

For models using every layer, activation, initializer and regularizer
minikeras has, and each format (``.keras``, legacy ``.h5``, ``.weights.h5``)
in both directions: predictions agree within float32 rounding, configs
round-trip exactly, the compiled state (optimizer with its variables, loss,
metrics) is restored, and one more training step taken in each framework
from the restored state gives the same weights.

Keras runs on its PyTorch backend (``KERAS_BACKEND=torch``), imported once
for the module; without torch, keras or h5py every test here skips, saying why.
To cover a new layer, add one line to ``LAYERS``.
"""
import copy
import json
import os

import numpy as np
import pytest

import minikeras as mk
from minikeras import activations, initializers, layers, regularizers
from minikeras.utils import serialization

# One line per layer type: the name both frameworks give it, and its arguments.
LAYERS = [
    ("Reshape", {"target_shape": [3, 4]}),
    ("Flatten", {}),
    ("Rescaling", {"scale": 0.5, "offset": 0.1}),
    ("Normalization", {}),
    ("Dense", {"units": 6, "activation": "relu",
               "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}},
               "kernel_constraint": {"class_name": "MaxNorm", "config": {"max_value": 1.5}},
               "bias_constraint": "non_neg",
               "activity_regularizer": {"class_name": "L1", "config": {"l1": 0.001}}}),
    ("Activation", {"activation": "tanh"}),
    ("BatchNormalization", {"momentum": 0.9, "epsilon": 0.01,
                            "gamma_constraint": {"class_name": "UnitNorm", "config": {}},
                            "beta_constraint": {"class_name": "MinMaxNorm",
                                                "config": {"min_value": 0.1, "rate": 0.5}}}),
    ("Dropout", {"rate": 0.2, "seed": 3}),
    ("LayerNormalization", {"epsilon": 0.01}),
    ("GaussianNoise", {"stddev": 0.05, "seed": 5}),
    ("GaussianDropout", {"rate": 0.1, "seed": 4}),
    ("AlphaDropout", {"rate": 0.1, "seed": 6}),
    ("ActivityRegularization", {"l1": 0.001, "l2": 0.002}),
    ("Dense", {"units": 6}),
    ("ReLU", {"max_value": 6.0, "negative_slope": 0.1}),
    ("Dense", {"units": 6}),
    ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {"alpha": 0.5}),
    ("PReLU", {"alpha_initializer": {"class_name": "Constant", "config": {"value": 0.25}}}),
    ("UnitNormalization", {}),
    ("Dense", {"units": 3, "activation": "softmax"}),
    ("Softmax", {}),
]

ACTIVATIONS = sorted(activations.ALL_ACTIVATIONS)
INITIALIZERS = sorted({cls.__name__ for cls in initializers.ALL_INITIALIZERS.values()})
REGULARIZERS = [{"class_name": "L1", "config": {"l1": 0.001}},
                {"class_name": "L2", "config": {"l2": 0.002}},
                {"class_name": "L1L2", "config": {"l1": 0.001, "l2": 0.003}}]
assert {r["class_name"] for r in REGULARIZERS} == \
    {cls.__name__ for cls in regularizers.ALL_REGULARIZERS.values()}


def _activation_layers():
    """One Dense(4) per activation, each with another initializer and regularizer."""
    specs = []
    for i, activation in enumerate(ACTIVATIONS):
        initializer = INITIALIZERS[i % len(INITIALIZERS)]
        config = {"value": 0.1} if initializer == "Constant" else \
            {"stddev": 0.3} if initializer in ("RandomNormal", "TruncatedNormal") else {}
        specs.append(("Dense", {"units": 4, "activation": activation,
                                "kernel_initializer": {"class_name": initializer,
                                                       "config": config},
                                "kernel_regularizer": REGULARIZERS[i % len(REGULARIZERS)],
                                "bias_regularizer": REGULARIZERS[(i + 1) % len(REGULARIZERS)]}))
    return specs


MODELS = {
    # name: (layer specs, input shape, loss, metrics)
    "every_layer": (LAYERS, (4, 3), "categorical_crossentropy", ["accuracy", "mae"]),
    "every_activation": (_activation_layers(), (4,), "mse", ["mae"]),
    # MaxNorm(0.6) binds from the first step: training continues alike only if both
    # frameworks project after each step; the activity penalty joins both losses.
    "small": ([("Dense", {"units": 5, "activation": "tanh", "kernel_regularizer": "l2",
                          "kernel_constraint": {"class_name": "MaxNorm",
                                                "config": {"max_value": 0.6}},
                          "activity_regularizer": "l2"}),
               ("Dense", {"units": 4, "bias_initializer": None})], (4,), "mse", ["mae"]),
}
RANDOM_LAYERS = {"every_layer"}  # dropout and noise draw differently in each framework
OPTIMIZERS = {
    "adam": ("Adam", {"learning_rate": 0.01}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5,
                                     "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.05}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "adamw_amsgrad": ("AdamW", {"learning_rate": 0.01, "amsgrad": True}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "adadelta": ("Adadelta", {"learning_rate": 0.5}),
    "lion": ("Lion", {"learning_rate": 0.01}),
    "lamb": ("Lamb", {"learning_rate": 0.01}),
    "ftrl": ("Ftrl", {"learning_rate": 0.05, "l1_regularization_strength": 0.01}),
    "adafactor": ("Adafactor", {"learning_rate": 0.01}),
}
FORMATS = ["model.keras", "model.h5", "model.weights.h5"]


@pytest.fixture(scope="module")
def keras():
    """Keras 3 on PyTorch, imported once for the module."""
    pytest.importorskip("torch", reason="the Keras twin tests run Keras on PyTorch: "
                                        'pip install "minikeras[reference]"')
    pytest.importorskip("h5py", reason='Keras files need h5py: pip install "minikeras[h5]"')
    if os.environ.setdefault("KERAS_BACKEND", "torch") != "torch":
        pytest.skip("the Keras twin tests need KERAS_BACKEND=torch")
    module = pytest.importorskip("keras", reason='Keras 3 is the oracle here: '
                                                 'pip install "minikeras[reference]"')
    if not module.__version__.startswith("3.") or module.backend.backend() != "torch":
        pytest.skip(f"the twin tests need Keras 3 on torch, not {module.__version__} on "
                    f"{module.backend.backend()}")
    module.utils.set_random_seed(0)
    return module


def test_every_layer_type_is_covered():
    named = {name for name, _ in LAYERS}
    every = {name for name, obj in vars(layers).items()
             if isinstance(obj, type) and issubclass(obj, layers.Layer) and obj is not layers.Layer}
    assert every <= named, f"add {every - named} to LAYERS"


def _build(lib, model_name, optimizer=None):
    specs, input_shape, loss, metrics = MODELS[model_name]
    model = lib.Sequential([lib.Input(input_shape)] +
                           [getattr(lib.layers, name)(**copy.deepcopy(kwargs))
                            for name, kwargs in specs], name="twin")
    if optimizer is not None:
        cls_name, kwargs = OPTIMIZERS[optimizer]
        model.compile(optimizer=getattr(lib.optimizers, cls_name)(**kwargs), loss=loss,
                      metrics=metrics)
    return model


def _data(model_name, n=24):
    _, input_shape, loss, _ = MODELS[model_name]
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n,) + input_shape).astype("float32")
    if loss == "categorical_crossentropy":
        y = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    else:
        y = rng.normal(size=(n, 4)).astype("float32")
    return x, y


def _normal(config):
    """A config as JSON reads it back, with the differences that carry no meaning removed:
    numbers at float32 precision (Keras rounds some, such as ``L1(l1)``), the input
    layer's automatic name, and ``Identity``'s default gain (Keras's config leaves it out)."""
    config = json.loads(json.dumps(config))
    if isinstance(config, float):
        return float(np.float32(config))
    if isinstance(config, list):
        return [_normal(v) for v in config]
    if not isinstance(config, dict):
        return config
    config = {key: _normal(value) for key, value in config.items()}
    if config.get("class_name") == "InputLayer":
        config["config"].pop("name", None)
    if config.get("class_name") == "Identity" and config["config"].get("gain") == 1.0:
        config["config"].pop("gain")
    return config


def _mk_optimizer_config(config):
    """A Keras optimizer config without what only names it (default names differ)."""
    config = _normal(config)
    config.pop("name")
    return config


def _same_loss(keras_loss, mk_loss):
    """Keras keeps the loss's name as given ("mse"); minikeras the loss it resolved."""
    loss = serialization.deserialize(keras_loss, "loss")
    return type(loss) is type(mk_loss) and loss.get_config() == mk_loss.get_config()


def _metric(entry):
    """A metric of a Keras compile config, resolved as minikeras resolves it."""
    return mk.metrics.get(entry) if isinstance(entry, str) else \
        serialization.deserialize(entry, "metric")


def _train(model, x, y, steps=2, batch_size=8):
    """A few optimizer steps on fixed batches, the same calls in both frameworks."""
    for step in range(steps):
        batch = slice(step * batch_size, (step + 1) * batch_size)
        model.train_on_batch(x[batch], y[batch])


def _assert_same_predictions(mk_model, keras_model, x):
    np.testing.assert_allclose(keras_model.predict(x, verbose=0),
                               mk_model.predict(x, verbose=0), rtol=2e-5, atol=2e-6)


def _assert_same_weights(mk_model, keras_model, rtol=1e-5, atol=1e-6):
    keras_weights = [np.asarray(w) for w in keras_model.get_weights()]
    assert [w.shape for w in keras_weights] == [w.shape for w in mk_model.get_weights()]
    for a, b in zip(mk_model.get_weights(), keras_weights):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _keras_state(keras_model):
    return [np.asarray(v.numpy()) for v in keras_model.optimizer.variables]


def _assert_same_optimizer_state(mk_model, keras_model):
    mk_state, keras_state = mk_model.optimizer.get_state(), _keras_state(keras_model)
    assert len(mk_state) == len(keras_state)
    for a, b in zip(mk_state, keras_state):
        np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                   rtol=1e-6, atol=1e-9)


def _one_more_step_agrees(mk_model, keras_model, x, y):
    """The restored states continue alike: one more training step in each framework."""
    mk_loss = mk_model.train_on_batch(x, y)
    keras_loss = keras_model.train_on_batch(x, y)
    keras_loss = keras_loss[0] if isinstance(keras_loss, list) else keras_loss
    assert np.isclose(mk_loss, float(keras_loss), rtol=1e-4)
    _assert_same_weights(mk_model, keras_model, rtol=1e-4, atol=1e-5)


def _keras_load(keras, path, model_name):
    if path.name.endswith(".weights.h5"):
        model = _build(keras, model_name)
        model.load_weights(path)
        return model
    return keras.saving.load_model(path)


# -- minikeras writes, Keras reads --------------------------------------------------------


@pytest.mark.parametrize("model_name", ["every_layer", "every_activation"])
@pytest.mark.parametrize("filename", FORMATS)
def test_minikeras_file_opens_in_keras(keras, model_name, filename, tmp_path):
    x, y = _data(model_name)
    model = _build(mk, model_name, "adam")
    _train(model, x, y)
    path = tmp_path / filename
    (model.save_weights if filename.endswith(".weights.h5") else model.save)(path)
    loaded = _keras_load(keras, path, model_name)
    _assert_same_predictions(model, loaded, x)
    _assert_same_weights(model, loaded)
    if filename.endswith(".weights.h5"):
        return
    assert _normal(loaded.get_config()) == _normal(model.get_config())
    assert type(loaded.optimizer).__name__ == "Adam"
    assert _mk_optimizer_config(loaded.optimizer.get_config()) == \
        _mk_optimizer_config(keras.optimizers.Adam(**OPTIMIZERS["adam"][1]).get_config())
    compile_config = loaded.get_compile_config()
    assert _same_loss(compile_config["loss"], model.loss)
    assert [type(_metric(m)) for m in compile_config["metrics"]] == \
        [type(m) for m in model.metrics[1].metrics]  # model.metrics: [loss, compile_metrics]
    if filename == "model.keras":  # Keras restores optimizer variables from .keras only
        _assert_same_optimizer_state(model, loaded)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_training_continues_in_keras_as_in_minikeras(keras, optimizer, tmp_path):
    x, y = _data("small")
    model = _build(mk, "small", optimizer)
    _train(model, x, y)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert type(loaded.optimizer).__name__ == OPTIMIZERS[optimizer][0]
    _assert_same_optimizer_state(model, loaded)
    _one_more_step_agrees(model, loaded, x, y)


def test_minikeras_json_builds_in_keras(keras):
    model = _build(mk, "every_layer", "adam")
    rebuilt = keras.models.model_from_json(model.to_json())
    assert _normal(rebuilt.get_config()) == _normal(model.get_config())
    assert rebuilt.compiled and type(rebuilt.optimizer).__name__ == "Adam"


# -- Keras writes, minikeras reads --------------------------------------------------------


@pytest.mark.parametrize("model_name", ["every_layer", "every_activation"])
@pytest.mark.parametrize("filename", FORMATS)
def test_keras_file_opens_in_minikeras(keras, model_name, filename, tmp_path):
    x, y = _data(model_name)
    model = _build(keras, model_name, "adam")
    _train(model, x, y)
    path = tmp_path / filename
    if filename.endswith(".weights.h5"):
        model.save_weights(path)
        loaded = _build(mk, model_name, "adam")
        loaded.load_weights(path)
    else:
        model.save(path)
        loaded = mk.models.load_model(path)
        assert _normal(loaded.get_config()) == _normal(model.get_config())
        assert type(loaded.optimizer).__name__ == "Adam"
        assert loaded.optimizer.learning_rate == pytest.approx(0.01)
        assert loaded.metrics_names == model.metrics_names  # ["loss", "compile_metrics"]
        assert [m.name for m in loaded.metrics[1].metrics] == MODELS[model_name][3]
    _assert_same_predictions(loaded, model, x)
    _assert_same_weights(loaded, model)
    _assert_same_optimizer_state(loaded, model)
    if model_name not in RANDOM_LAYERS:
        _one_more_step_agrees(loaded, model, x, y)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_training_continues_in_minikeras_as_in_keras(keras, optimizer, tmp_path):
    x, y = _data("small")
    model = _build(keras, "small", optimizer)
    _train(model, x, y)
    model.save(tmp_path / "model.keras")
    loaded = mk.models.load_model(tmp_path / "model.keras")
    assert type(loaded.optimizer).__name__ == OPTIMIZERS[optimizer][0]
    _assert_same_optimizer_state(loaded, model)
    _one_more_step_agrees(loaded, model, x, y)


def test_keras_json_builds_in_minikeras(keras):
    model = _build(keras, "every_layer", "adam")
    rebuilt = mk.models.model_from_json(model.to_json())
    assert _normal(rebuilt.get_config()) == _normal(model.get_config())
    assert rebuilt.compiled and isinstance(rebuilt.optimizer, mk.optimizers.Adam)


def test_keras_layer_minikeras_lacks_is_named(keras, tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                              keras.layers.Dense(2, kernel_constraint="non_neg")])
    model.save(tmp_path / "constraint.keras")
    model = keras.Sequential([keras.Input((4, 1)), keras.layers.Conv1D(2, 3)])
    model.save(tmp_path / "conv.keras")
    with pytest.raises(ValueError, match=r"conv\.keras.*Unknown `layer`: 'Conv1D'"):
        mk.models.load_model(tmp_path / "conv.keras")
    # Weight constraints are no longer a Keras-only feature: the file loads.
    loaded = mk.models.load_model(tmp_path / "constraint.keras")
    assert isinstance(loaded.layers[1].kernel_constraint, mk.constraints.NonNeg)


def test_activation_arguments_travel_as_keras_layers(keras, tmp_path):
    model = mk.Sequential([mk.Input((3,)),
                           mk.layers.Dense(4, activation=activations.LeakyReLU(0.1)),
                           mk.layers.Dense(2, activation=activations.ELU(alpha=0.5))])
    model.save(tmp_path / "args.keras")
    loaded = keras.saving.load_model(tmp_path / "args.keras")
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    _assert_same_predictions(model, loaded, x)
    back = mk.models.model_from_json(loaded.to_json())
    assert back.layers[0].activation.negative_slope == pytest.approx(0.1)
    assert back.layers[1].activation.alpha == pytest.approx(0.5)
