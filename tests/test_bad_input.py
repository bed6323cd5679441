"""Bad input fails early, through the public API, with a message a learner can act on.

Every message names the argument (in backticks), says what was expected and
shows what was received; none of numpy's internal error text may leak into it.
Each case builds a fresh model, so the cases are independent of each other.
"""
import re

import numpy as np
import pytest

import minikeras as keras
from minikeras.layers import Dense, Flatten
from minikeras.random import set_seed

FEATURES = 5
X = np.random.default_rng(0).normal(size=(40, FEATURES)).astype("float32")
Y = (X[:, 0] > 0).astype("float32")
LABELS = np.arange(40) % 3  # three classes, for the softmax models
ONE_HOT = np.eye(3, dtype="float32")[LABELS]

# Phrases from numpy's own exceptions: seeing one means a check is missing.
NUMPY_PHRASES = ("operands could not be broadcast", "matmul", "not aligned", "inhomogeneous",
                 "setting an array element", "index out of bounds", "could not convert",
                 "invalid literal", "ufunc", "non-broadcastable")


def binary(compiled=True):
    """5 -> 4 -> 1 sigmoid, binary cross-entropy with accuracy."""
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(4, activation="relu"),
                              Dense(1, activation="sigmoid")])
    if compiled:
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def softmax(loss):
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss=loss)
    return model


def regression():
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def with_value(array, index, value):
    array = array.copy()
    array[index] = value
    return array


def received(argument, value):
    """The tail every message ends with, as a regex: "Received: batch_size=0"."""
    return re.escape(f"Received: {argument}={value!r}")


def _fit_with(method, **kwargs):
    """Call fit, evaluate or predict on a fresh binary model with valid data plus ``kwargs``."""
    model = binary()
    data = {"x": X} if method == "predict" else {"x": X, "y": Y}
    return getattr(model, method)(**(data | {"verbose": 0} | kwargs))


CASES = [
    # -- x and y disagree ----------------------------------------------------------------
    pytest.param(lambda: binary().fit(X, Y[:39], verbose=0), ValueError,
                 r"`x` and `y` must have the same number of samples\. "
                 r"Received: x with 40 samples, y with 39", id="fit-length-mismatch"),
    pytest.param(lambda: binary().evaluate(X[:10], Y, verbose=0), ValueError,
                 r"`x` and `y` must have the same number of samples.*10.*40",
                 id="evaluate-length-mismatch"),
    pytest.param(lambda: binary().train_on_batch(X, Y[:3]), ValueError,
                 r"`x` and `y` must have the same number of samples", id="train-on-batch-length"),
    *[pytest.param(lambda method=method: _fit_with(method, x=np.ones((40, 6), "float32")),
                   ValueError, r"`x` must have samples of shape \(5,\).*Received: "
                   r"x\.shape=\(40, 6\)", id=f"{method}-feature-count")
      for method in ("fit", "evaluate", "predict")],
    pytest.param(lambda: binary().predict(X[:, 0]), ValueError,
                 r"`x` must have samples of shape \(5,\).*x\.shape=\(40,\)", id="predict-1d-x"),
    # -- values that are not finite ------------------------------------------------------
    *[pytest.param(lambda bad=bad: binary().fit(with_value(X, (3, 2), bad), Y, verbose=0),
                   ValueError, r"`x` must be finite.*NaN or inf.*index \(3, 2\)",
                   id=f"x-{bad}") for bad in (np.nan, np.inf, -np.inf)],
    *[pytest.param(lambda bad=bad: binary().fit(X, with_value(Y, 7, bad), verbose=0),
                   ValueError, r"`y` must be finite.*NaN or inf.*index \(7,\)",
                   id=f"y-{bad}") for bad in (np.nan, np.inf)],
    pytest.param(lambda: binary().predict(with_value(X, (0, 0), np.nan)), ValueError,
                 r"`x` must be finite", id="predict-nan"),
    pytest.param(lambda: binary().predict(with_value(X, (37, 1), np.inf), batch_size=16),
                 ValueError, r"`x` must be finite.*index \(37, 1\)", id="predict-inf-late-batch"),
    # -- sparse labels -------------------------------------------------------------------
    pytest.param(lambda: softmax("sparse_categorical_crossentropy").fit(
        X, with_value(LABELS, 5, -1), verbose=0), ValueError,
        r"`y` labels must be in \[0, 3\).*Received a label -1", id="sparse-negative-label"),
    pytest.param(lambda: softmax("sparse_categorical_crossentropy").fit(
        X, with_value(LABELS, 5, 3), verbose=0), ValueError,
        r"`y` labels must be in \[0, 3\).*Received a label 3", id="sparse-label-too-large"),
    pytest.param(lambda: softmax("sparse_categorical_crossentropy").fit(
        X, with_value(LABELS.astype(float), 5, 1.5), verbose=0), ValueError,
        r"`y` must hold integer class labels.*1\.5", id="sparse-non-integer-label"),
    pytest.param(lambda: softmax("sparse_categorical_crossentropy").fit(X, ONE_HOT, verbose=0),
                 ValueError, r"`y` must hold one integer label per sample.*y\.shape=\(40, 3\)",
                 id="sparse-given-one-hot"),
    # -- y as wide as the output ---------------------------------------------------------
    pytest.param(lambda: softmax("categorical_crossentropy").fit(
        X, np.eye(4)[LABELS], verbose=0), ValueError,
        r"`y` must have shape \(n,\) \+ \(3,\).*output \(None, 3\).*y\.shape=\(40, 4\)",
        id="categorical-wrong-one-hot-width"),
    pytest.param(lambda: softmax("categorical_crossentropy").fit(X, LABELS, verbose=0),
                 ValueError, r"y\.shape=\(40,\).*sparse_categorical_crossentropy",
                 id="categorical-given-integer-labels"),
    pytest.param(lambda: binary().fit(X, np.stack([Y, 1 - Y], axis=1), verbose=0), ValueError,
                 r"`y` must have shape \(n,\) \+ \(1,\).*y\.shape=\(40, 2\)",
                 id="binary-two-columns"),
    pytest.param(lambda: regression().fit(X, np.zeros((40, 3)), verbose=0), ValueError,
                 r"`y` must have shape \(n,\) \+ \(2,\).*y\.shape=\(40, 3\)", id="mse-width"),
    pytest.param(lambda: regression().evaluate(X, np.zeros((40, 3)), verbose=0), ValueError,
                 r"`y` must have shape \(n,\) \+ \(2,\)", id="mse-width-evaluate"),
    # -- unknown names list the valid ones -----------------------------------------------
    pytest.param(lambda: Dense(2, activation="relux"), ValueError,
                 r"Unknown `activation`: 'relux'\. Valid names are: .*\brelu\b",
                 id="unknown-activation"),
    pytest.param(lambda: binary(compiled=False).compile(loss="binary_crossentropi"), ValueError,
                 r"Unknown `loss`: 'binary_crossentropi'.*\bbinary_crossentropy\b",
                 id="unknown-loss"),
    pytest.param(lambda: binary(compiled=False).compile(optimizer="adamm", loss="mse"),
                 ValueError, r"Unknown `optimizer`: 'adamm'.*\badam\b.*\bsgd\b",
                 id="unknown-optimizer"),
    pytest.param(lambda: binary(compiled=False).compile(loss="mse", metrics=["acuracy"]),
                 ValueError, r"Unknown `metric`: 'acuracy'.*\baccuracy\b", id="unknown-metric"),
    # Keras resolves initializers in Dense.__init__: a typo must fail where it is written.
    pytest.param(lambda: Dense(2, kernel_initializer="glorot"), ValueError,
                 r"Unknown `(kernel_)?initializer`: 'glorot'.*\bglorot_uniform\b",
                 id="unknown-initializer"),
    pytest.param(lambda: binary(compiled=False).add(Dense(2, bias_initializer="zeroes")),
                 ValueError, r"Unknown `(bias_)?initializer`: 'zeroes'.*\bzeros\b",
                 id="unknown-initializer-on-add"),
    pytest.param(lambda: Dense(2, kernel_regularizer="l3"), ValueError,
                 r"Unknown `(kernel_)?regularizer`: 'l3'.*\bl2\b", id="unknown-regularizer"),
    pytest.param(lambda: Dense(2, activation=3), TypeError,
                 r"`activation` must be a string name or .*Received: activation=3",
                 id="activation-not-a-name"),
    pytest.param(lambda: binary(compiled=False).compile(optimizer=0.01, loss="mse"), TypeError,
                 r"`optimizer` must be a string name or .*Received: optimizer=0\.01",
                 id="optimizer-not-a-name"),
    pytest.param(lambda: binary(compiled=False).compile(optimizer="adam"), ValueError,
                 r"`loss` must be given.*Received: loss=None", id="compile-without-loss"),
    pytest.param(lambda: binary(compiled=False).compile(loss="mse", metrics="accuracy"),
                 TypeError, r"`metrics` must be a list\. " + received("metrics", "accuracy"),
                 id="metrics-not-a-list"),
    # -- layers and models ---------------------------------------------------------------
    *[pytest.param(lambda units=units: Dense(units), ValueError,
                   r"`units` must be a positive integer\. " + received("units", units),
                   id=f"dense-units-{units!r}") for units in (0, -3, 2.5, "8")],
    pytest.param(lambda: keras.Sequential().add("dense"), TypeError,
                 r"`layer` must be a minikeras Layer instance.*layer='dense'", id="add-string"),
    pytest.param(lambda: keras.Sequential().add(Dense), TypeError,
                 r"`layer` must be a minikeras Layer instance.*Received: layer=.*Dense",
                 id="add-layer-class"),
    pytest.param(lambda: keras.Sequential().add(np.ones((2, 3))), TypeError,
                 r"(?s)`layer` must be a minikeras Layer instance.*\(of type ndarray\)",
                 id="add-array"),
    pytest.param(lambda: keras.Sequential([Dense(2, name="hidden"), Dense(2, name="hidden")]),
                 ValueError, r"unique names.*'hidden'", id="duplicate-layer-name"),
    pytest.param(lambda: keras.Sequential([Dense(2), keras.Input((FEATURES,))]), ValueError,
                 r"`Input` must come before every layer.*after 1 layer", id="input-after-layers"),
    pytest.param(lambda: keras.Sequential([keras.Input((4, 4)), Dense(2)]), ValueError,
                 r"expects inputs of shape \(batch, features\).*\(None, 4, 4\).*Flatten",
                 id="dense-on-images"),
    pytest.param(lambda: keras.Sequential([Dense(2)]).summary(), ValueError,
                 r"not built yet, so `summary` is unavailable.*Input\(shape\)",
                 id="summary-unbuilt"),
    pytest.param(lambda: keras.Sequential([Dense(2)]).count_params(), ValueError,
                 r"not built yet, so `count_params` is unavailable", id="count-params-unbuilt"),
    pytest.param(lambda: keras.Sequential().predict(X), ValueError, r"has no layers",
                 id="predict-without-layers"),
    # -- compile() first (Keras 3 raises ValueError here) ---------------------------------
    *[pytest.param(lambda method=method: getattr(binary(compiled=False), method)(X, Y),
                   ValueError, rf"call `compile\(\)` before `{method}\(\)`",
                   id=f"{method}-before-compile")
      for method in ("fit", "evaluate", "train_on_batch")],
    # -- batch_size, epochs, verbose -----------------------------------------------------
    *[pytest.param(lambda method=method, size=size: _fit_with(method, batch_size=size),
                   ValueError, r"`batch_size` must be a positive integer\. "
                   + received("batch_size", size), id=f"{method}-batch-size-{size!r}")
      for method in ("fit", "evaluate", "predict") for size in (0, -4, 2.5, "32", True)],
    *[pytest.param(lambda epochs=epochs: _fit_with("fit", epochs=epochs), ValueError,
                   r"`epochs` must be a non-negative integer\. " + received("epochs", epochs),
                   id=f"epochs-{epochs!r}") for epochs in (-1, 2.5, "3")],
    *[pytest.param(lambda method=method: _fit_with(method, verbose=5), ValueError,
                   r"`verbose` must be 'auto', 0, 1 or 2\. " + received("verbose", 5),
                   id=f"{method}-verbose-5") for method in ("fit", "evaluate", "predict")],
    # -- validation_split and validation_data --------------------------------------------
    *[pytest.param(lambda split=split: _fit_with("fit", validation_split=split), ValueError,
                   r"`validation_split` must be a number in \[0, 1\)\. "
                   + received("validation_split", split), id=f"validation-split-{split}")
      for split in (-0.1, 1.0, 1.5)],
    pytest.param(lambda: binary().fit(X[:3], Y[:3], validation_split=0.9, verbose=0), ValueError,
                 r"`validation_split`.*0\.9.*leaves 0 of 3 samples for training",
                 id="validation-split-leaves-no-training-data"),
    pytest.param(lambda: _fit_with("fit", validation_data=X), ValueError,
                 r"`validation_data` must be a tuple \(x_val, y_val\).*Received.*ndarray",
                 id="validation-data-array"),
    pytest.param(lambda: _fit_with("fit", validation_data=(X,)), ValueError,
                 r"`validation_data` must be a tuple \(x_val, y_val\)",
                 id="validation-data-one-item"),
    pytest.param(lambda: _fit_with("fit", validation_data={"x": X, "y": Y}), ValueError,
                 r"`validation_data` must be a tuple.*Received.*dict", id="validation-data-dict"),
    pytest.param(lambda: _fit_with("fit", validation_data=(X[:, :3], Y)), ValueError,
                 r"`validation_data\[0\]` must have samples of shape \(5,\).*"
                 r"validation_data\[0\]\.shape=\(40, 3\)", id="validation-data-features"),
    pytest.param(lambda: _fit_with("fit", validation_data=(X, Y[:20])), ValueError,
                 r"`validation_data\[0\]` and `validation_data\[1\]` must have the same number",
                 id="validation-data-lengths"),
    # -- empty and non-numeric data ------------------------------------------------------
    pytest.param(lambda: binary().fit(np.empty((0, FEATURES)), np.empty((0,)), verbose=0),
                 ValueError, r"`x` must not be empty.*shape=\(0, 5\)", id="fit-empty-x"),
    pytest.param(lambda: keras.Sequential([keras.Input((30,)), Dense(1)]).predict(
        np.empty((0, 30))), ValueError, r"`x` must not be empty.*shape=\(0, 30\)",
        id="predict-empty-x"),
    pytest.param(lambda: binary().fit(np.full((40, FEATURES), "a"), Y, verbose=0), TypeError,
                 r"`x` must hold numbers.*dtype=<U1", id="x-strings"),
    pytest.param(lambda: binary().predict([["1", "2", "3", "4", "5"]]), TypeError,
                 r"`x` must hold numbers", id="x-list-of-strings"),
    pytest.param(lambda: binary().fit(X, Y.astype(str), verbose=0), TypeError,
                 r"`y` must hold numbers", id="y-strings"),
    pytest.param(lambda: binary().predict([[1.0] * FEATURES, [1.0] * 3]), ValueError,
                 r"`x` must be a rectangular numeric array", id="x-ragged"),
    pytest.param(lambda: binary().fit(None, Y, verbose=0), ValueError,
                 r"`x` must be an array\. Received: x=None", id="x-none"),
    # -- sample_weight and class_weight --------------------------------------------------
    pytest.param(lambda: _fit_with("fit", sample_weight=np.ones(39)), ValueError,
                 r"`sample_weight` must have shape \(40,\).*sample_weight\.shape=\(39,\)",
                 id="sample-weight-length"),
    pytest.param(lambda: _fit_with("evaluate", sample_weight=np.ones((40, 2))), ValueError,
                 r"`sample_weight` must have shape \(40,\).*sample_weight\.shape=\(40, 2\)",
                 id="sample-weight-2d"),
    pytest.param(lambda: _fit_with("fit", sample_weight=with_value(np.ones(40), 3, np.nan)),
                 ValueError, r"`sample_weight` must be finite", id="sample-weight-nan"),
    pytest.param(lambda: _fit_with("fit", class_weight={0: 1.0}), ValueError,
                 r"`class_weight` must give a weight for every class.*Missing: \[1\]",
                 id="class-weight-missing-class"),
    pytest.param(lambda: _fit_with("fit", class_weight=[1.0, 2.0]), TypeError,
                 r"`class_weight` must be a dict.*Received: class_weight=\[1\.0, 2\.0\]",
                 id="class-weight-not-a-dict"),
]


@pytest.mark.parametrize("call, error, pattern", CASES)
def test_bad_input_raises_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    message = str(info.value)
    leaked = [phrase for phrase in NUMPY_PHRASES if phrase in message.lower()]
    assert not leaked, f"numpy's internals leak into the message: {message}"


def test_predict_needs_no_compile():
    """Keras only requires compile() for training and evaluation, not for inference."""
    assert binary(compiled=False).predict(X, verbose=0).shape == (40, 1)


def test_numpy_integers_are_valid_sizes():
    history = binary().fit(X, Y, batch_size=np.int64(8), epochs=np.int32(2), verbose=0)
    assert len(history.history["loss"]) == 2


# -- a failed call changes nothing --------------------------------------------------------

BAD_FIT_ARGUMENTS = [
    pytest.param({"y": Y[:39]}, id="length-mismatch"),
    pytest.param({"y": with_value(Y, 0, np.nan)}, id="nan-y"),
    pytest.param({"x": X[:, :4]}, id="feature-count"),
    pytest.param({"batch_size": 0}, id="batch-size"),
    pytest.param({"epochs": -1}, id="epochs"),
    pytest.param({"verbose": 5}, id="verbose"),
    pytest.param({"validation_split": 1.0}, id="validation-split"),
    pytest.param({"validation_data": (X[:, :3], Y)}, id="validation-data"),
    pytest.param({"sample_weight": np.ones(3)}, id="sample-weight"),
    pytest.param({"class_weight": {0: 1.0}}, id="class-weight"),
]


@pytest.mark.parametrize("bad", BAD_FIT_ARGUMENTS)
def test_failed_fit_leaves_the_model_as_it_was(bad):
    """A failed fit neither trains nor draws random numbers: the next fit is the usual one."""
    set_seed(7)
    model = binary()
    with pytest.raises((ValueError, TypeError)):
        model.fit(**({"x": X, "y": Y, "verbose": 0} | bad))
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)

    set_seed(7)
    reference = binary()
    reference.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    for got, expected in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_failed_add_keeps_the_layer_list():
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(2, name="hidden")])
    with pytest.raises(ValueError, match="unique names"):
        model.add(Dense(2, name="hidden"))
    assert [layer.name for layer in model.layers] == ["hidden"]
    model.add(Dense(1, name="out"))
    assert model.predict(X, verbose=0).shape == (40, 1)


def test_layer_that_cannot_build_is_not_added():
    model = keras.Sequential([keras.Input((4, 4))])
    with pytest.raises(ValueError, match=r"\(batch, features\)"):
        model.add(Dense(3))
    assert model.layers == []
    model.add(Flatten())
    model.add(Dense(3))
    assert model.predict(np.ones((2, 4, 4)), verbose=0).shape == (2, 3)


def test_unbuilt_model_recovers_from_a_bad_first_input():
    """The first fit on 3-D data fails in Dense.build; fitting proper 2-D data then works."""
    model = keras.Sequential([Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(ValueError, match="Flatten"):
        model.fit(X.reshape(40, 1, FEATURES), Y, verbose=0)
    model.fit(X, Y, verbose=0)
    assert model.count_params() == FEATURES * 4 + 4 + 4 + 1


@pytest.mark.parametrize("bad", [
    pytest.param({"optimizer": "adamm", "loss": "mse"}, id="optimizer"),
    pytest.param({"optimizer": "sgd", "loss": "msee"}, id="loss"),
    pytest.param({"optimizer": "sgd", "loss": "mse", "metrics": ["acuracy"]}, id="metric"),
])
def test_failed_compile_keeps_the_previous_compile(bad):
    """compile() is all or nothing: a typo in one argument does not half-apply the others."""
    model = binary()
    optimizer, loss = model.optimizer, model.loss
    with pytest.raises(ValueError, match="Unknown"):
        model.compile(**bad)
    assert model.optimizer is optimizer and model.loss is loss
    assert model.evaluate(X, Y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
