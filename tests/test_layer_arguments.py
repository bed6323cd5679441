"""Keras 3's constructor arguments: what each does here, and that none is met with a bare TypeError.

* Every keyword a Keras 3 constructor takes (layers, ``Input``, optimizers, losses,
  initializers, regularizers, constraints) is either accepted or refused with an
  error naming it; never Python's "unexpected keyword argument" (twin test, read from
  Keras's own signatures).
* ``activity_regularizer``: the penalty ``R(y) / batch`` joins the loss, its gradient
  joins backward (finite differences, and Keras's training step on the same weights).
* ``dtype``, ``lora_rank``, ``bias_initializer=None``, ``Input``'s arguments,
  ``BatchNormalization``'s Keras-only switches.
"""
import inspect

import numpy as np
import pytest

import minikeras as mk
from minikeras import (constraints, initializers, layers, losses, optimizers, regularizers)
from minikeras.utils import check_gradients


# -- every Keras keyword is accepted or refused by name (twin) ----------------------------

# Arguments Keras requires, with a valid value for minikeras's namesake.
REQUIRED = {
    "Dense": {"units": 2}, "Dropout": {"rate": 0.5}, "Activation": {"activation": "relu"},
    "GaussianNoise": {"stddev": 0.1}, "GaussianDropout": {"rate": 0.1},
    "AlphaDropout": {"rate": 0.1}, "Reshape": {"target_shape": (2,)},
    "Rescaling": {"scale": 0.5}, "SpatialDropout1D": {"rate": 0.1},
}
# What Keras's base Layer takes for every layer (its **kwargs pass input_shape, input_dim).
LAYER_KEYWORDS = {"activity_regularizer": None, "trainable": True, "dtype": None,
                  "autocast": True, "name": None, "input_shape": None, "input_dim": None}


class _Sentinel:
    """A value no argument accepts, with a recognizable repr."""

    def __repr__(self):
        return "<sentinel>"


def _keras_keywords(keras_callable, extra=None):
    """``{keyword: Keras's default (or inspect.Parameter.empty)}`` of a Keras constructor."""
    keywords = dict(extra or {})
    for name, parameter in inspect.signature(keras_callable).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD) or name == "self":
            continue
        keywords[name] = parameter.default
    return keywords


def _pairs(keras):
    """``(id, minikeras constructor, Keras constructor, extra Keras keywords)`` for every
    constructor both frameworks have."""
    pairs = [("Input", mk.Input, keras.Input, None)]
    mk_layers = [obj for obj in vars(layers).values()
                 if isinstance(obj, type) and issubclass(obj, layers.Layer)
                 and obj is not layers.Layer]
    for cls in mk_layers:
        if hasattr(keras.layers, cls.__name__):
            pairs.append((cls.__name__, cls, getattr(keras.layers, cls.__name__),
                          LAYER_KEYWORDS))
    for module, keras_module, classes in (
            (optimizers, keras.optimizers, optimizers.ALL_OPTIMIZERS.values()),
            (losses, keras.losses, [c for c in vars(losses).values() if isinstance(c, type)
                                    and issubclass(c, losses.Loss) and c is not losses.Loss]),
            (initializers, keras.initializers, initializers.ALL_INITIALIZERS.values()),
            (regularizers, keras.regularizers, regularizers.ALL_REGULARIZERS.values()),
            (constraints, keras.constraints, constraints.ALL_CONSTRAINTS.values())):
        for cls in dict.fromkeys(classes):
            if hasattr(keras_module, cls.__name__):
                pairs.append((f"{module.__name__.split('.')[-1]}.{cls.__name__}", cls,
                              getattr(keras_module, cls.__name__), None))
    return pairs


def _names_the_argument(error, keyword):
    """Whether an error names ``keyword`` (or, for ``kernel_initializer`` and the like, the
    kind of object it takes: "`initializer` must be ...")."""
    message = str(error)
    return "unexpected keyword argument" not in message and (
        keyword in message or f"`{keyword.rsplit('_', 1)[-1]}`" in message)


def test_every_keras_keyword_is_accepted_or_refused_by_name(keras3):
    """For each Keras keyword: Keras's default is accepted; a value nothing accepts is
    refused with ValueError/TypeError/NotImplementedError naming it (or ignored, for the
    Keras-only arguments that do nothing while their feature is off)."""
    problems = []
    for label, ours, theirs, extra in _pairs(keras3):
        name = label.rsplit(".", 1)[-1]
        required = REQUIRED.get(name, {"shape": (3,)} if name == "Input" else {})
        for keyword, default in _keras_keywords(theirs, extra).items():
            if keyword in required:
                continue
            if default is inspect.Parameter.empty:
                problems.append(f"{label}: add Keras's required `{keyword}` to REQUIRED")
                continue
            try:
                ours(**required, **{keyword: default})
            except Exception as error:  # noqa: BLE001 - any failure is a finding
                problems.append(f"{label}({keyword}={default!r}) [Keras's default]: "
                                f"{type(error).__name__}: {error}")
            try:
                ours(**required, **{keyword: _Sentinel()})
            except (ValueError, TypeError, NotImplementedError) as error:
                if not _names_the_argument(error, keyword):
                    problems.append(f"{label}({keyword}=<sentinel>): {type(error).__name__}: "
                                    f"{error}")
    assert not problems, "\n".join(problems)


def test_the_twin_covers_every_family(keras3):
    labels = {label.split(".")[0] for label, *_ in _pairs(keras3)}
    assert {"Input", "Dense", "BatchNormalization", "Dropout", "optimizers", "losses",
            "initializers", "regularizers", "constraints"} <= labels


# -- Keras-only features: refused by name, accepted when off -------------------------------

@pytest.mark.parametrize("make, keyword", [
    (lambda: layers.Dense(2, lora_rank=4), "lora_rank"),
    (lambda: layers.Dense(2, quantization_config={"mode": "int8"}), "quantization_config"),
    (lambda: layers.BatchNormalization(synchronized=True), "synchronized"),
    (lambda: layers.BatchNormalization(renorm=True), "renorm"),
    (lambda: layers.Flatten(data_format="channels_first"), "data_format"),
    (lambda: layers.Dense(2, dtype="mixed_float16"), "dtype"),
    (lambda: optimizers.Adam(use_ema=True), "use_ema"),
    (lambda: optimizers.SGD(gradient_accumulation_steps=4), "gradient_accumulation_steps"),
    (lambda: losses.SparseCategoricalCrossentropy(ignore_class=0), "ignore_class"),
    (lambda: initializers.GlorotUniform(input_axes=[0]), "input_axes"),
    (lambda: mk.Input((3,), sparse=True), "sparse"),
    (lambda: mk.Input((3,), optional=True), "optional"),
], ids=lambda p: p if isinstance(p, str) else None)
def test_a_keras_feature_minikeras_lacks_is_refused_by_name(make, keyword):
    with pytest.raises(NotImplementedError, match=f"`{keyword}`"):
        make()


def test_keras_only_arguments_at_their_off_values_are_accepted():
    dense = layers.Dense(2, lora_rank=None, lora_alpha=8, quantization_config=None,
                         autocast=False)
    assert dense.get_config()["quantization_config"] is None
    layers.BatchNormalization(synchronized=False, renorm=False, renorm_clipping=None,
                              renorm_momentum=0.5)
    layers.Flatten(data_format=None)
    optimizers.Adam(use_ema=False, ema_momentum=0.5, loss_scale_factor=None)
    losses.BinaryCrossentropy(dtype="float32")
    mk.Input((3,), sparse=False, ragged=None, tensor=None, optional=False)


def test_an_argument_keras_lacks_too_is_a_value_error_listing_the_accepted_ones():
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Dense: "
                                         r"\{'unit': 3\}\. Dense accepts: units, activation"):
        layers.Dense(2, unit=3)
    with pytest.raises(ValueError, match=r"passed to SGD: \{'lr': 0\.1\}.*learning_rate"):
        optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"passed to MeanSquaredError: \{'from_logits': True\}"):
        losses.MeanSquaredError(from_logits=True)


# -- activity_regularizer ------------------------------------------------------------------

def _activity_model(output_regularized=True):
    return mk.Sequential([
        mk.Input((3,)),
        layers.Dense(4, activation="tanh", activity_regularizer=regularizers.L1L2(0.03, 0.05)),
        layers.Dense(2, activation="sigmoid",
                     activity_regularizer="l2" if output_regularized else None),
    ])


@pytest.mark.parametrize("output_regularized", [True, False], ids=["output", "hidden-only"])
def test_activity_penalty_gradient_matches_finite_differences(float64, rng, output_regularized):
    model = _activity_model(output_regularized)
    model.compile("sgd", "binary_crossentropy")
    x, y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 2)).astype(float)
    errors = check_gradients(model, x, y)
    assert max(errors.values()) < 1e-7, errors


def test_activity_penalty_joins_the_loss_as_keras_does(rng):
    # loss = BCE + sum_l R_l(y_l) / batch, the hidden penalty L1L2 and the output's L2.
    model = _activity_model()
    model.compile("sgd", "binary_crossentropy")
    x = rng.normal(size=(5, 3)).astype(np.float32)
    y = rng.integers(0, 2, size=(5, 2)).astype(np.float32)
    hidden = model.layers[0](x)
    out = model.layers[1](hidden)
    expected = (losses.BinaryCrossentropy()(y, out)
                + (0.03 * np.abs(hidden).sum() + 0.05 * np.square(hidden).sum()) / 5
                + 0.01 * np.square(out).sum() / 5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_activity_regularized_training_step_matches_keras(keras3, rng):
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.integers(0, 2, size=(8, 2)).astype(np.float32)
    ours = _activity_model()
    theirs = keras3.Sequential([
        keras3.Input((3,)),
        keras3.layers.Dense(4, activation="tanh",
                            activity_regularizer=keras3.regularizers.L1L2(0.03, 0.05)),
        keras3.layers.Dense(2, activation="sigmoid", activity_regularizer="l2")])
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizers.SGD(0.5), "binary_crossentropy")
    theirs.compile(keras3.optimizers.SGD(0.5), "binary_crossentropy")
    for _ in range(3):
        ours_loss = ours.train_on_batch(x, y)
        theirs_loss = theirs.train_on_batch(x, y)
        assert ours_loss == pytest.approx(float(np.ravel(theirs_loss)[0]), rel=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(
        float(np.ravel(theirs.evaluate(x, y, verbose=0))[0]), rel=1e-5)


def test_activity_regularizer_travels_in_the_config():
    layer = layers.Dense(3, activity_regularizer=regularizers.L1(0.2))
    config = layer.get_config()
    assert config["activity_regularizer"]["class_name"] == "L1"
    clone = layers.Dense.from_config(config)
    assert isinstance(clone.activity_regularizer, regularizers.L1)
    assert clone.activity_regularizer.l1 == pytest.approx(0.2)
    assert "activity_regularizer" not in layers.Dense(3).get_config()  # as Keras writes it


# -- dtype ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", np.float64, np.dtype("float64"),
                                   {"module": "keras", "class_name": "DTypePolicy",
                                    "config": {"name": "float64"}, "registered_name": None}],
                         ids=["name", "type", "dtype", "policy"])
def test_dtype_sets_the_weights_type(dtype):
    layer = layers.Dense(2, dtype=dtype)
    layer.build((None, 3))
    assert layer.kernel.dtype == layer.bias.dtype == np.float64 and layer.dtype == "float64"
    assert layer.get_config()["dtype"]["config"]["name"] == "float64"
    clone = layers.Dense.from_config(layer.get_config())
    clone.build((None, 3))
    assert clone.kernel.dtype == np.float64      # the default float type is float32 here


def test_dtype_refuses_what_minikeras_cannot_compute_in():
    with pytest.raises(ValueError, match=r"`dtype` must be 'float32' or 'float64'.*"
                                         r"Received: dtype='int32'"):
        layers.Dense(2, dtype="int32")
    with pytest.raises(NotImplementedError, match=r"`dtype`='float16'"):
        layers.Dropout(0.5, dtype="float16")


# -- Dense -----------------------------------------------------------------------------------

def test_dense_bias_initializer_none_is_glorot_uniform_as_in_keras():
    # Keras's add_weight starts a float weight without an initializer as glorot_uniform:
    # for a bias of shape (units,), fans (units, units) give limit sqrt(3 / units).
    layer = layers.Dense(50, bias_initializer=None)
    layer.build((None, 4))
    bias = layer.bias.value
    assert np.abs(bias).max() <= np.sqrt(3 / 50) and np.abs(bias).max() > 0.5 * np.sqrt(3 / 50)
    assert layer.get_config()["bias_initializer"] is None


def test_dense_bias_initializer_none_matches_keras_config(keras3):
    assert keras3.layers.Dense(3, bias_initializer=None).get_config()["bias_initializer"] is None
    keras_layer = keras3.layers.Dense(50, bias_initializer=None)
    keras_layer.build((None, 4))
    keras_bias = np.asarray(keras_layer.bias.numpy())
    assert np.abs(keras_bias).max() <= np.sqrt(3 / 50) and keras_bias.std() > 0.1


def test_dense_constant_array_bias_as_the_imbalanced_data_tutorial():
    bias = np.log([3 / 97])
    model = mk.Sequential([mk.Input((4,)), layers.Dense(1, activation="sigmoid",
                                                        bias_initializer=initializers.Constant(bias))])
    np.testing.assert_allclose(model.layers[0].bias.value, bias.astype(np.float32))
    np.testing.assert_allclose(model.predict(np.zeros((2, 4)), verbose=0), 0.03, rtol=1e-5)


def test_dense_constraints_are_applied_after_each_fit_step(rng):
    model = mk.Sequential([mk.Input((5,)),
                           layers.Dense(8, kernel_constraint=constraints.MaxNorm(0.5),
                                        bias_constraint="non_neg"),
                           layers.Dense(1)])
    model.compile(optimizers.SGD(0.5), "mse")
    model.fit(rng.normal(size=(64, 5)), rng.normal(size=64) * 10, epochs=2, verbose=0)
    dense = model.layers[0]
    assert np.linalg.norm(dense.kernel.value, axis=0).max() <= 0.5 + 1e-6
    assert dense.bias.value.min() >= 0
    assert np.linalg.norm(model.layers[1].kernel.value) > 0.5   # unconstrained, for contrast


def test_frozen_layer_is_not_projected():
    layer = layers.Dense(3, kernel_constraint=constraints.MaxNorm(0.1), kernel_initializer="ones")
    model = mk.Sequential([mk.Input((2,)), layer])
    layer.trainable = False
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 3)), verbose=0)
    np.testing.assert_array_equal(layer.kernel.value, np.ones((2, 3)))


# -- BatchNormalization ------------------------------------------------------------------------

def test_batch_normalization_constraints(rng):
    bn = layers.BatchNormalization(gamma_constraint=constraints.NonNeg(),
                                   beta_constraint=constraints.MaxNorm(0.01),
                                   gamma_initializer=initializers.Constant(0.01))
    model = mk.Sequential([mk.Input((3,)), bn, layers.Dense(1)])
    model.compile(optimizers.SGD(1.0), "mse")
    model.fit(rng.normal(size=(32, 3)), rng.normal(size=32) * 5, epochs=2, verbose=0)
    assert bn.gamma.value.min() >= 0
    assert np.abs(bn.beta.value).max() <= 0.01 + 1e-7
    config = bn.get_config()
    assert config["gamma_constraint"]["class_name"] == "NonNeg"
    assert config["synchronized"] is False and config["renorm"] is False
    assert isinstance(layers.BatchNormalization.from_config(config).beta_constraint,
                      constraints.MaxNorm)


def test_batch_normalization_config_keys_match_keras(keras3):
    ours = layers.BatchNormalization(beta_constraint="non_neg").get_config()
    theirs = keras3.layers.BatchNormalization(beta_constraint="non_neg").get_config()
    assert set(ours) == set(theirs)
    assert ours["beta_constraint"] == theirs["beta_constraint"]


# -- Input -----------------------------------------------------------------------------------

def test_input_takes_keras_arguments():
    tensor = mk.Input(shape=(4,), batch_size=16, dtype="float64", name="features")
    assert tensor.shape == (16, 4) and tensor.dtype == "float64" and tensor.name == "features"
    assert mk.Input(batch_shape=(None, 28, 28)).shape == (None, 28, 28)
    model = mk.Sequential([mk.Input(batch_shape=(8, 3)), layers.Dense(2)])
    assert model.input_shape == (8, 3) and model.output_shape == (8, 2)   # as in Keras
    assert model.predict(np.ones((5, 3)), verbose=0).shape == (5, 2)  # but any batch size runs


def test_input_batch_size_is_written_as_keras_writes_it(keras3):
    model = mk.Sequential([mk.Input((3,), batch_size=8), layers.Dense(2)])
    twin = keras3.Sequential([keras3.Input((3,), batch_size=8), keras3.layers.Dense(2)])
    ours, theirs = model.get_config()["layers"][0], twin.get_config()["layers"][0]
    assert list(ours["config"]["batch_shape"]) == list(theirs["config"]["batch_shape"]) == [8, 3]


def test_a_keras_model_with_a_fixed_batch_size_loads(keras3):
    model = keras3.Sequential([keras3.Input((3,), batch_size=4), keras3.layers.Dense(2)])
    loaded = mk.models.model_from_json(model.to_json())
    assert loaded.input_shape == (None, 3)
    assert loaded.predict(np.ones((7, 3)), verbose=0).shape == (7, 2)


@pytest.mark.parametrize("kwargs, match", [
    ({}, "exactly one of `shape` and `batch_shape`"),
    ({"shape": (3,), "batch_shape": (None, 3)}, "exactly one of"),
    ({"shape": (0,)}, r"`shape` must be a tuple of positive integers"),
    ({"batch_shape": (None, -1)}, r"`batch_shape` must be a tuple of positive integers"),
    ({"batch_shape": (4,)}, r"`batch_shape` must be a tuple \(batch_size, \*shape\)"),
    ({"shape": (3,), "batch_size": 0}, r"`batch_size` must be"),
    ({"shape": (3,), "dtype": "int64"}, r"`dtype` must be 'float32' or 'float64'"),
    ({"shape": (3,), "name": ""}, r"`name` must be a non-empty string"),
], ids=["none", "both", "shape", "batch_shape", "short", "batch_size", "dtype", "name"])
def test_input_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mk.Input(**kwargs)
