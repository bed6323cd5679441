"""Inputs that used to give silent wrong answers or leak numpy's errors (issue 12, section 5),
divergence without numpy warnings, one atomic writer for every file minikeras writes, and a
sweep of the public entry points with malformed arguments.

Every refusal is a ValueError or TypeError whose message names the argument; none of
numpy's internal error text may leak into it.
"""
import inspect
import math
import os
import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras import callbacks, layers, losses, metrics, optimizers
from minikeras.callbacks import NonFiniteLossWarning
from minikeras.layers import Dense
from minikeras.random import set_seed

FEATURES = 5
X = np.random.default_rng(0).normal(size=(40, FEATURES)).astype("float32")
Y = (X[:, 0] > 0).astype("float32")
LABELS = np.arange(40) % 3
ONE_HOT = np.eye(3, dtype="float32")[LABELS]

NUMPY_PHRASES = ("operands could not be broadcast", "matmul", "not aligned", "inhomogeneous",
                 "setting an array element", "index out of bounds", "could not convert",
                 "invalid literal", "ufunc", "non-broadcastable", "unable to allocate",
                 "only integers, slices", "not supported between", "object of type")


def binary(metrics=("accuracy",)):
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(4, activation="relu"),
                              Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=list(metrics))
    return model


def softmax(loss="sparse_categorical_crossentropy", metrics=(), units=3):
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(units, activation="softmax")])
    model.compile(optimizer="adam", loss=loss, metrics=list(metrics))
    return model


def with_value(array, index, value):
    array = np.array(array, dtype=np.result_type(array, type(value)))
    array[index] = value
    return array


def assert_clear(info):
    message = str(info.value)
    leaked = [phrase for phrase in NUMPY_PHRASES if phrase in message.lower()]
    assert not leaked, f"Python's or numpy's internals leak into the message: {message}"


CASES = [
    # -- class_weight: keys are class indices of this model, values finite and >= 0 ----------
    *[pytest.param(lambda key=key: binary().fit(X, Y, class_weight={0: 1.0, 1: 2.0, key: 5.0},
                                                verbose=0),
                   ValueError, r"`class_weight` keys must be integer class indices in \[0, 2\)"
                   rf".*Received: class_weight key {key!r}", id=f"class-weight-key-{key!r}")
      for key in (-1, 2, 10 ** 12, "a", 0.5)],
    pytest.param(lambda: binary().fit(X, Y, class_weight={False: 1.0, True: 2.0}, verbose=0),
                 ValueError, r"`class_weight` keys must be integer.*key False",
                 id="class-weight-bool-keys"),
    pytest.param(lambda: binary().fit(X, Y, class_weight={0.0: 1.0, 1.0: 2.0}, verbose=0),
                 ValueError, r"`class_weight` keys must be integer.*key 0\.0",
                 id="class-weight-float-keys"),
    pytest.param(lambda: binary().fit(X, Y, class_weight={"0": 1.0, "1": 2.0}, verbose=0),
                 ValueError, r"`class_weight` keys must be integer.*key '0'",
                 id="class-weight-string-keys"),
    pytest.param(lambda: softmax().fit(X, LABELS, class_weight={0: 1, 1: 1, 2: 1, 3: 1},
                                       verbose=0),
                 ValueError, r"class indices in \[0, 3\).*key 3", id="class-weight-key-past-softmax"),
    *[pytest.param(lambda value=value: binary().fit(X, Y, class_weight={0: 1.0, 1: value},
                                                    verbose=0),
                   ValueError, r"`class_weight\[1\]` must be a non-negative finite number\. "
                   r"Received: class_weight\[1\]=", id=f"class-weight-value-{value!r}")
      for value in (-2.0, math.nan, math.inf, "2", None, [1.0])],
    pytest.param(lambda: binary().fit(X, Y, class_weight=[1.0, 2.0], verbose=0), TypeError,
                 r"`class_weight` must be a dict", id="class-weight-list"),
    pytest.param(lambda: softmax().fit(X, LABELS, class_weight={0: 1.0, 2: 1.0}, verbose=0),
                 ValueError, r"`class_weight` must give a weight for every class in `y`\. "
                 r"Missing: \[1\]", id="class-weight-missing-class"),
    pytest.param(lambda: regression(1).fit(X, with_value(np.ones(40), 4, -2.0),
                                           class_weight={0: 1.0, 1: 1.0}, verbose=0),
                 ValueError, r"`class_weight` needs class labels >= 0", id="class-weight-negative-y"),
    # -- sample_weight: one finite, non-negative weight per sample ------------------------
    pytest.param(lambda: binary().fit(X, Y, sample_weight=with_value(np.ones(40), 9, -0.5),
                                      verbose=0),
                 ValueError, r"`sample_weight` must be non-negative\. Received: "
                 r"sample_weight\[9\]=-0\.5", id="sample-weight-negative"),
    pytest.param(lambda: binary().fit(X, Y, sample_weight=np.ones((1, 40)), verbose=0),
                 ValueError, r"`sample_weight` must have shape \(40,\).*shape=\(1, 40\)",
                 id="sample-weight-row"),
    pytest.param(lambda: binary().fit(X, Y, sample_weight=np.ones((40, 2)), verbose=0),
                 ValueError, r"`sample_weight` must have shape \(40,\).*shape=\(40, 2\)",
                 id="sample-weight-two-columns"),
    *[pytest.param(lambda value=value: binary().fit(X, Y, sample_weight=value, verbose=0),
                   ValueError, r"`sample_weight` must be an array of shape \(40,\).*Received: "
                   r"sample_weight=", id=f"sample-weight-scalar-{type(value).__name__}")
      for value in (2.0, np.float32(2.0), np.array(2.0))],
    pytest.param(lambda: binary().evaluate(X, Y, sample_weight=with_value(np.ones(40), 3,
                                                                         math.inf), verbose=0),
                 ValueError, r"`sample_weight` must be finite", id="sample-weight-inf"),
    pytest.param(lambda: binary().fit(X, Y, sample_weight=iter(np.ones(40)), verbose=0),
                 TypeError, r"`sample_weight` must be an array, not a generator or iterator",
                 id="sample-weight-iterator"),
    # -- a loss over classes on a one-unit output -------------------------------------------
    *[pytest.param(lambda loss=loss: softmax(loss, units=1), ValueError,
                   rf"`loss`='{loss}' needs one output unit per class, at least 2.*\(None, 1\)",
                   id=f"one-unit-{loss}-at-compile")
      for loss in ("categorical_crossentropy", "sparse_categorical_crossentropy")],
    pytest.param(lambda: unbuilt_one_unit().fit(X, np.zeros(40), verbose=0), ValueError,
                 r"needs one output unit per class", id="one-unit-sparse-built-by-fit"),
    # -- metrics given the wrong kind of labels -------------------------------------------
    pytest.param(lambda: softmax(metrics=["categorical_accuracy"]).fit(X, LABELS, verbose=0),
                 ValueError, r"`categorical_accuracy` needs one-hot `y_true`.*"
                 r"sparse_categorical_accuracy", id="categorical-accuracy-integer-labels"),
    pytest.param(lambda: softmax("categorical_crossentropy", ["sparse_categorical_accuracy"])
                 .fit(X, ONE_HOT, verbose=0), ValueError,
                 r"`sparse_categorical_accuracy` needs integer class labels.*One-hot",
                 id="sparse-categorical-accuracy-one-hot"),
    *[pytest.param(lambda name=name: softmax(metrics=[name]).fit(X, LABELS, verbose=0),
                   ValueError, rf"`{name}` \(\w+\) needs `y_true` and `y_pred` of the same shape"
                   r".*y_true\.shape=\(32,\), y_pred\.shape=\(32, 3\)", id=f"{name}-shapes")
      for name in ("auc", "precision", "recall")],
    pytest.param(lambda: keras.metrics.AUC()(np.ones(5), np.ones(4)), ValueError,
                 r"`auc\w*` \(AUC\) needs `y_true` and `y_pred` of the same shape",
                 id="auc-lengths"),
    # -- binary cross-entropy labels outside [0, 1] ----------------------------------------
    *[pytest.param(lambda label=label: binary(metrics=()).fit(X, with_value(Y, 6, label),
                                                              verbose=0),
                   ValueError, rf"`y` must hold binary labels in \[0, 1\] for binary "
                   rf"cross-entropy\. Received a label {label:g}", id=f"bce-label-{label:g}")
      for label in (2.0, -1.0, 1.5)],
    pytest.param(lambda: binary(metrics=()).evaluate(X, Y * 3, verbose=0), ValueError,
                 r"`y` must hold binary labels", id="bce-labels-evaluate"),
    pytest.param(lambda: binary(metrics=()).train_on_batch(X, Y - 1), ValueError,
                 r"`y` must hold binary labels", id="bce-labels-train-on-batch"),
    *[pytest.param(lambda logits=logits: losses.BinaryCrossentropy(from_logits=logits)(
        np.array([[2.0]]), np.array([[0.5]])), ValueError,
        r"`y_true` must hold binary labels in \[0, 1\].*Received a label 2",
        id=f"bce-called-directly-logits-{logits}") for logits in (False, True)],
    # -- float64 values beyond float32's range ---------------------------------------------
    pytest.param(lambda: binary().fit(with_value(X.astype("float64"), (7, 3), 1e300), Y,
                                      verbose=0),
                 ValueError, r"`x` must be finite.*index \(7, 3\).*float32's range",
                 id="x-1e300"),
    pytest.param(lambda: binary().predict(with_value(X.astype("float64"), (33, 0), -1e300),
                                          batch_size=8, verbose=0),
                 ValueError, r"`x` must be finite.*index \(33, 0\).*float32's range",
                 id="predict-x-1e300"),
    pytest.param(lambda: regression(2).fit(X, with_value(np.zeros((40, 2)), (5, 1), 1e300),
                                           verbose=0),
                 ValueError, r"`y` must be finite.*index \(5, 1\)", id="y-1e300"),
    pytest.param(lambda: binary().fit(X, Y, sample_weight=with_value(np.ones(40), 2, 1e300),
                                      verbose=0),
                 ValueError, r"`sample_weight` must be finite.*index \(2,\)",
                 id="sample-weight-1e300"),
    # -- arguments ------------------------------------------------------------------------
    *[pytest.param(lambda value=value: binary().fit(X, Y, initial_epoch=value, verbose=0),
                   ValueError, r"`initial_epoch` must be a non-negative integer\. Received: "
                   r"initial_epoch=", id=f"initial-epoch-{value!r}")
      for value in (-1, 1.5, "1", None, True)],
    *[pytest.param(lambda value=value: binary().fit(X, Y, shuffle=value, verbose=0),
                   ValueError, r"`shuffle` must be a boolean \(True or False\)\. Received: "
                   r"shuffle=", id=f"shuffle-{value!r}") for value in ("batch", 1, None)],
    *[pytest.param(lambda argument=argument: Dense(2, **{argument: "no"}), ValueError,
                   rf"`{argument}` must be a boolean \(True or False\)\. Received: "
                   rf"{argument}='no'", id=f"dense-{argument}")
      for argument in ("use_bias", "trainable")],
    *[pytest.param(lambda rate=rate: optimizers.Adam(learning_rate=rate), ValueError,
                   r"`learning_rate` must be a non-negative finite number\. Received: "
                   r"learning_rate=", id=f"learning-rate-{rate!r}")
      for rate in (-0.1, math.nan, math.inf, "0.1")],
    *[pytest.param(lambda factor=factor: callbacks.ReduceLROnPlateau(factor=factor), ValueError,
                   r"`factor` must be a number in \(0, 1\)\. Received: factor=",
                   id=f"reduce-lr-factor-{factor!r}") for factor in (0, 1.0, 1.5, -0.5)],
    pytest.param(lambda: binary().set_weights([None] * 4), ValueError,
                 r"Weight `kernel` must be assigned an array of numbers of shape \(5, 4\)\. "
                 r"Received: None", id="set-weights-none-entries"),
    pytest.param(lambda: binary().set_weights(None), TypeError,
                 r"`weights` must be a list of arrays.*Received: weights of type NoneType",
                 id="set-weights-none"),
    pytest.param(lambda: binary().layers[0].set_weights(np.ones(3)), TypeError,
                 r"`weights` must be a list of arrays.*ndarray", id="layer-set-weights-array"),
    pytest.param(lambda: binary().set_weights([np.full((5, 4), 1e300)] + [None] * 3), ValueError,
                 r"Weight `kernel` is float32, too narrow for the value 1e\+300",
                 id="set-weights-overflow"),
    # -- inputs people pass ----------------------------------------------------------------
    # (fit, evaluate and predict read scipy.sparse matrices: tests/test_sparse_input.py)
    *[pytest.param(lambda call=call: call(), TypeError,
                   r"`x` is a scipy\.sparse matrix.*`x\.toarray\(\)`", id=f"scipy-sparse-{name}")
      for name, call in [
          ("call", lambda: binary()(_sparse(X))),
          ("train-on-batch", lambda: binary().train_on_batch(_sparse(X), Y))]],
]


def regression(units):
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(units)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def unbuilt_one_unit():
    model = keras.Sequential([Dense(1, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _sparse(array):
    sparse = pytest.importorskip("scipy.sparse", reason="scipy.sparse comes with scikit-learn")
    return sparse.csr_matrix(array)


@pytest.mark.parametrize("call, error, pattern", CASES)
def test_bad_input_raises_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    assert_clear(info)


# -- what is accepted, and means what it says ----------------------------------------------


def _trained(fit_kwargs, model=binary, seed=3):
    set_seed(seed)
    net = model()
    net.fit(**({"x": X, "y": Y, "epochs": 2, "batch_size": 8, "verbose": 0} | fit_kwargs))
    return net.get_weights()


def _assert_same_weights(a, b):
    for got, expected in zip(a, b, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_class_weight_keys_may_be_numpy_integers_and_equal_sample_weights():
    weights = {np.int64(0): 0.5, np.int32(1): 2.0}
    _assert_same_weights(_trained({"class_weight": weights}),
                         _trained({"sample_weight": np.where(Y == 1, 2.0, 0.5)}))


def test_class_weight_may_name_a_class_absent_from_this_data():
    """A class of the model that this `y` lacks (a small batch, a split) is fine, as in Keras."""
    labels = LABELS % 2
    kwargs = {"y": labels, "class_weight": {0: 1.0, 1: 3.0, 2: 7.0}}
    _assert_same_weights(_trained(kwargs, softmax),
                         _trained({"y": labels, "sample_weight": np.where(labels == 1, 3.0, 1.0)},
                                  softmax))


def test_a_class_weight_key_of_minus_one_no_longer_reweights_the_last_class():
    """Before: {-1: w} wrote w into the table's last row, class 1's, silently."""
    model = binary()
    before = model.get_weights()
    with pytest.raises(ValueError, match="key -1"):
        model.fit(X, Y, class_weight={0: 1.0, 1: 1.0, -1: 100.0}, verbose=0)
    _assert_same_weights(model.get_weights(), before)


def test_a_huge_class_weight_key_allocates_nothing():
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="class indices"):
            binary().fit(X, Y, class_weight={0: 1.0, 1: 1.0, 2 ** 40: 1.0}, verbose=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2 ** 20


def test_sample_weight_of_shape_n_by_1_equals_shape_n():
    weights = np.linspace(0.0, 2.0, 40)
    _assert_same_weights(_trained({"sample_weight": weights[:, None]}),
                         _trained({"sample_weight": weights}))


def test_soft_binary_labels_are_accepted():
    soft = np.clip(Y * 0.8 + 0.1, 0, 1)
    assert np.isfinite(binary(metrics=()).evaluate(X, soft, verbose=0))
    assert losses.BinaryCrossentropy()(soft[:, None], np.full((40, 1), 0.5)) == \
        pytest.approx(np.log(2), rel=1e-6)


def test_a_refused_one_unit_compile_keeps_the_previous_compile():
    model = softmax(units=1, loss="mse")
    loss = model.loss
    with pytest.raises(ValueError, match="one output unit per class"):
        model.compile(optimizer="adam", loss="categorical_crossentropy")
    assert model.loss is loss


def test_a_failed_set_weights_changes_nothing():
    model = binary()
    before = model.get_weights()
    new = [np.ones_like(w) for w in before]
    new[-1] = np.ones(7)  # the last array has the wrong shape
    with pytest.raises(ValueError, match="Weight `bias` has shape"):
        model.set_weights(new)
    _assert_same_weights(model.get_weights(), before)


# -- pandas -------------------------------------------------------------------------------


@pytest.fixture
def pd():
    return pytest.importorskip("pandas", reason="pandas is not installed")


def test_dataframes_and_series_train_as_the_arrays_they_hold(pd):
    frame = pd.DataFrame(X, columns=list("abcde"))
    _assert_same_weights(_trained({"x": frame, "y": pd.Series(Y)}), _trained({}))


@pytest.mark.parametrize("dtype", ["Float64", "Float32", "Int64"])
def test_nullable_columns_without_missing_values_work(pd, dtype):
    data = np.round(X * 4) if dtype == "Int64" else X
    frame = pd.DataFrame(data, columns=list("abcde")).astype(dtype)
    target = pd.Series(Y.astype(int)).astype("Int64")
    _assert_same_weights(_trained({"x": frame, "y": target}),
                         _trained({"x": data.astype("float32")}))


@pytest.mark.parametrize("missing", ["pd.NA", "None", "nan"])
def test_missing_values_in_a_dataframe_are_named(pd, missing):
    frame = pd.DataFrame(X.astype("float64"), columns=list("abcde"),
                         index=[f"r{i}" for i in range(40)])
    if missing == "pd.NA":
        frame = frame.astype("Float64")
    frame.iloc[12, 3] = {"pd.NA": pd.NA, "None": None, "nan": np.nan}[missing]
    with pytest.raises(ValueError, match=r"`x` has 1 missing value \(NaN, None or pd\.NA\), "
                                         r"the first at row 'r12', column 'd'\. Fill or drop"):
        binary().fit(frame, Y, verbose=0)


def test_missing_labels_in_a_series_are_named(pd):
    target = pd.Series(Y.astype(int)).astype("Int64")
    target.iloc[[5, 9]] = pd.NA
    with pytest.raises(ValueError, match=r"`y` has 2 missing values.*the first at row 5\."):
        binary().fit(X, target, verbose=0)


@pytest.mark.parametrize("column", ["category", "object", "datetime"])
def test_non_numeric_columns_are_named(pd, column):
    frame = pd.DataFrame(X, columns=list("abcde"))
    frame["b"] = {"category": pd.Categorical(["u", "v"] * 20), "object": ["u"] * 40,
                  "datetime": pd.date_range("2024-01-01", periods=40)}[column]
    with pytest.raises(TypeError, match=r"`x` must hold numbers\. Received: DataFrame columns "
                                        r"of other dtypes.*\('b', "):
        binary().predict(frame, verbose=0)


# -- divergence: one warning from fit, none from numpy --------------------------------------


# Adafactor cannot be made to diverge this way: its step is at most 1 / sqrt(t) times the
# weight's own size, whatever the learning rate.
@pytest.mark.parametrize("name", sorted(set(optimizers.ALL_OPTIMIZERS) - {"adafactor"}))
def test_divergence_is_reported_by_fit_not_by_numpy_overflow_warnings(name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, FEATURES)).astype("float32")
    y = x @ rng.normal(size=(FEATURES, 1)).astype("float32") * 100
    model = keras.Sequential([keras.Input((FEATURES,)), Dense(32, activation="relu"),
                              Dense(32, activation="relu"), Dense(1)])
    model.compile(optimizer=optimizers.get(name), loss="mse")
    model.optimizer.learning_rate = 1e20
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        history = model.fit(x, y, epochs=30, batch_size=16, validation_split=0.25, verbose=0)
        model.train_on_batch(x, y)
    assert not all(np.isfinite(history.history["loss"])), "the run did not diverge"
    assert [w.category for w in caught] == [NonFiniteLossWarning]


def test_inference_still_warns_about_overflow():
    """Outside training numpy's warnings stay on: only fit knows a better report."""
    model = regression(1)
    model.set_weights([np.full((FEATURES, 1), 3e38, "float32"), np.zeros(1, "float32")])
    with pytest.raises(RuntimeWarning, match="overflow"):
        model.predict(np.full((2, FEATURES), 10.0, "float32"), verbose=0)


# -- every file minikeras writes goes through one atomic writer -----------------------------


def _umask():
    mask = os.umask(0)  # only the test reads it this way
    os.umask(mask)
    return mask


def _write_cli_predictions(tmp_path, target):
    from minikeras import cli
    model_path = tmp_path / "net.mk"
    regression(2).save(model_path)
    data = tmp_path / "x.npy"
    np.save(data, X)
    assert cli.main(["predict", str(model_path), str(data), "--output", str(target),
                     "--verbose", "0"]) == 0
    return np.load(target)


def _write_onnx(tmp_path, target):
    pytest.importorskip("onnx", reason='ONNX export needs pip install "minikeras[onnx]"')
    regression(2).export(target, verbose=False)
    return target.read_bytes()


WRITERS = [pytest.param(_write_cli_predictions, "out.npy", id="cli-predict-output"),
           pytest.param(_write_onnx, "model.onnx", id="export-onnx")]


@pytest.mark.parametrize("write, name", WRITERS)
def test_writers_keep_the_umask_and_give_a_normal_mode(write, name, tmp_path, monkeypatch):
    expected = 0o666 & ~_umask()
    monkeypatch.setattr(os, "umask", lambda *a: pytest.fail("os.umask was called"))
    write(tmp_path, tmp_path / name)
    assert os.stat(tmp_path / name).st_mode & 0o777 == expected
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("write, name", WRITERS)
def test_writers_keep_permissions_and_write_through_symlinks(write, name, tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / name
    real.write_bytes(b"old")
    os.chmod(real, 0o600)
    link = tmp_path / name
    link.symlink_to(real)
    write(tmp_path, link)
    assert link.is_symlink() and real.read_bytes() != b"old"
    assert os.stat(real).st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "real").iterdir()] == [name]


# -- the sweep: public entry points given malformed arguments -------------------------------

MALFORMED = [None, "bad", b"bad", -1, 0, 2.5, math.nan, math.inf, -math.inf, 1e300, 10 ** 30,
             True, 1j, [], [[1.0, 2.0], [3.0]], {}, {"a": 1}, object(), np.array([np.nan]),
             np.zeros((0, FEATURES)), np.ones((3, 2, 2)), np.array(["a", "b"])]

FIT_ARGUMENTS = ["x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
                 "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch",
                 "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq"]
EVALUATE_ARGUMENTS = ["x", "y", "batch_size", "verbose", "sample_weight", "steps", "callbacks"]
PREDICT_ARGUMENTS = ["x", "batch_size", "verbose", "steps", "callbacks"]
COMPILE_ARGUMENTS = ["optimizer", "loss", "metrics", "weighted_metrics"]


def _call_with(method, argument, value):
    model = binary()
    data = {"predict": {"x": X}, "compile": {"optimizer": "adam", "loss": "mse"},
            "train_on_batch": {"x": X, "y": Y}}.get(method, {"x": X, "y": Y})
    if method in ("fit", "evaluate", "predict"):
        data["verbose"] = 0
    data[argument] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. steps beyond the data
        getattr(model, method)(**data)


def _sweep(entry_points):
    """Run each call; collect the outcomes that are neither success nor a clear refusal."""
    leaks = []
    for label, argument, call in entry_points:
        try:
            call()
        except (ValueError, TypeError) as e:
            message = str(e)
            if argument not in message or any(p in message.lower() for p in NUMPY_PHRASES):
                leaks.append(f"{label}: {type(e).__name__}: {message[:200]}")
        except Exception as e:  # noqa: BLE001 -- any other type is what the sweep looks for
            leaks.append(f"{label}: leaked {type(e).__name__}: {str(e)[:200]}")
    return leaks


def _model_calls():
    for method, arguments in [("fit", FIT_ARGUMENTS), ("evaluate", EVALUATE_ARGUMENTS),
                              ("predict", PREDICT_ARGUMENTS), ("compile", COMPILE_ARGUMENTS),
                              ("train_on_batch", ["x", "y", "sample_weight", "class_weight"])]:
        for argument in arguments:
            for value in MALFORMED:
                if argument == "epochs" and value is MALFORMED[10]:
                    continue  # a legal number of epochs, that would run for ever
                yield (f"{method}({argument}={value!r:.40})", argument,
                       lambda m=method, a=argument, v=value: _call_with(m, a, v))


def test_model_entry_points_refuse_malformed_arguments_clearly():
    assert _sweep(_model_calls()) == []


CONSTRUCTORS = [getattr(layers, name) for name in layers.__all__
                if inspect.isclass(getattr(layers, name))
                and issubclass(getattr(layers, name), layers.Layer)
                and getattr(layers, name) is not layers.Layer]
CONSTRUCTORS += [getattr(optimizers, name) for name in ("SGD", "Adam", "AdamW", "RMSprop",
                                                        "Adagrad", "Nadam")]
CONSTRUCTORS += [losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
                 losses.SparseCategoricalCrossentropy, losses.Huber]
CONSTRUCTORS += [callbacks.EarlyStopping, callbacks.ReduceLROnPlateau]
REQUIRED = {"Dense": {"units": 2}, "Dropout": {"rate": 0.5}, "Activation": {"activation": "relu"},
            "GaussianNoise": {"stddev": 0.1}, "GaussianDropout": {"rate": 0.5},
            "AlphaDropout": {"rate": 0.5}, "Reshape": {"target_shape": (FEATURES,)},
            "Rescaling": {"scale": 0.5}}


def _constructor_calls():
    for cls in CONSTRUCTORS:
        for parameter in inspect.signature(cls).parameters.values():
            if parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                continue
            for value in MALFORMED:
                kwargs = {**REQUIRED.get(cls.__name__, {}), parameter.name: value}
                yield (f"{cls.__name__}({parameter.name}={value!r:.40})", parameter.name,
                       lambda c=cls, k=kwargs: _construct(c, k))


def _construct(cls, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. an unknown monitor mode
        obj = cls(**kwargs)
    if isinstance(obj, layers.Layer):  # what the constructor took must also build and run
        try:
            with warnings.catch_warnings():  # a legal but odd initializer may give NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                keras.Sequential([keras.Input((FEATURES,)), obj]).predict(X[:4], verbose=0)
        except (ValueError, TypeError) as e:
            if repr(obj.name) not in str(e):  # an error while building names the layer
                raise


def test_constructors_refuse_malformed_arguments_clearly():
    assert _sweep(_constructor_calls()) == []


def test_load_model_refuses_malformed_paths_clearly(tmp_path):
    folder = tmp_path / "folder.mk"
    folder.mkdir()
    for value in [None, 3, 2.5, [], "", b"", "a\0b", str(folder), tmp_path / "absent.mk"]:
        with pytest.raises((ValueError, TypeError, FileNotFoundError, IsADirectoryError)) as info:
            keras.models.load_model(value)
        message = str(info.value)
        assert "filepath" in message or (value and os.fsdecode(value) in message), message
