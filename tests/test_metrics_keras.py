"""Twin tests: every metric against real Keras 3 (torch backend) on the same seeded batches.

Each case feeds three uneven batches, with and without sample weights, to a
minikeras metric and to the Keras metric of the same name and arguments, and
compares ``result()`` at float32 tolerance and the two ``get_config()``. Then the
compile path: the names Keras's ``metrics.get`` accepts, the keys Keras logs, and
``evaluate`` values of twin models holding the same weights.

Where minikeras differs from Keras on purpose, a test says so and why.
"""
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import keras_skip_reason  # noqa: E402 - the tests folder is on sys.path

if keras_skip_reason():
    pytest.skip(keras_skip_reason(), allow_module_level=True)
from conftest import import_keras  # noqa: E402

keras = import_keras()

import minikeras  # noqa: E402
from minikeras import metrics as M  # noqa: E402


BATCHES = [(0, 25), (25, 45), (45, 60)]


def _data(kind, rng, n=60):
    """Seeded float32 batches of the kind of labels and predictions a metric takes."""
    def f32(a):
        return np.asarray(a, dtype="float32")

    labels = rng.integers(0, 4, n)
    probabilities = f32(rng.dirichlet(np.ones(4), n))
    return {
        "binary": lambda: (f32(rng.integers(0, 2, (n, 1))), f32(rng.uniform(0, 1, (n, 1)))),
        "binary_vector": lambda: (f32(rng.integers(0, 2, n)), f32(rng.uniform(0, 1, (n, 1)))),
        "multi_label": lambda: (f32(rng.integers(0, 2, (n, 3))), f32(rng.uniform(0, 1, (n, 3)))),
        "logits": lambda: (f32(rng.integers(0, 2, (n, 1))), f32(rng.normal(0, 3, (n, 1)))),
        "multi_logits": lambda: (f32(rng.integers(0, 2, (n, 3))), f32(rng.normal(0, 3, (n, 3)))),
        "one_hot": lambda: (f32(np.eye(4)[labels]), probabilities),
        "sparse": lambda: (labels, probabilities),
        "sparse_column": lambda: (labels[:, None], probabilities),
        "one_hot_logits": lambda: (f32(np.eye(4)[labels]), f32(rng.normal(0, 2, (n, 4)))),
        "sparse_logits": lambda: (labels, f32(rng.normal(0, 2, (n, 4)))),
        "predicted_labels": lambda: (labels[:, None], rng.integers(0, 4, (n, 1))),
        "regression": lambda: (f32(rng.normal(0, 1, (n, 2))), f32(rng.normal(0, 1, (n, 2)))),
        "regression_vector": lambda: (f32(rng.normal(0, 1, n)), f32(rng.normal(0, 1, (n, 1)))),
        "positive": lambda: (f32(rng.uniform(0, 3, (n, 2))), f32(rng.uniform(0, 3, (n, 2)))),
        "distribution": lambda: (f32(rng.dirichlet(np.ones(3), n)),
                                 f32(rng.dirichlet(np.ones(3), n))),
        "hinge_01": lambda: (f32(rng.integers(0, 2, (n, 2))), f32(rng.normal(0, 1, (n, 2)))),
        "hinge_pm1": lambda: (f32(rng.choice([-1, 1], (n, 2))), f32(rng.normal(0, 1, (n, 2)))),
    }[kind]()


CASES = [
    ("Accuracy", {}, "predicted_labels"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.7}, "multi_label"),
    ("BinaryAccuracy", {}, "binary_vector"),
    ("CategoricalAccuracy", {}, "one_hot"),
    ("CategoricalAccuracy", {}, "one_hot_logits"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_column"),
    ("TopKCategoricalAccuracy", {"k": 2}, "one_hot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse_column"),
    ("TruePositives", {}, "binary"),
    ("TrueNegatives", {"thresholds": [0.2, 0.5, 0.9]}, "multi_label"),
    ("FalsePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary"),  # evenly spaced
    ("FalseNegatives", {"thresholds": 0.3}, "binary_vector"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.3, 0.6]}, "multi_label"),
    ("Precision", {"top_k": 2}, "multi_label"),
    ("Precision", {"class_id": 1}, "multi_label"),
    ("Precision", {"top_k": 1, "class_id": 2, "thresholds": 0.4}, "multi_label"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": [0.7, 0.2]}, "multi_label"),  # not sorted: results in this order
    ("Recall", {"top_k": 2}, "one_hot"),
    ("Recall", {"class_id": 0}, "one_hot"),
    ("AUC", {}, "binary"),
    ("AUC", {"num_thresholds": 50}, "multi_label"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, "multi_label"),
    ("AUC", {"summation_method": "majoring"}, "binary"),
    ("AUC", {"from_logits": True}, "logits"),
    ("AUC", {"multi_label": True}, "multi_label"),
    ("AUC", {"multi_label": True, "num_labels": 3, "curve": "PR"}, "multi_label"),
    ("AUC", {"thresholds": [0.1, 0.5, 0.3, 0.95]}, "binary"),
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, "binary"),
    ("AUC", {"label_weights": [1.0, 2.0, 0.5]}, "multi_label"),
    ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5]}, "multi_label"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.5, "class_id": 1}, "one_hot"),
    ("RecallAtPrecision", {"precision": 0.6}, "multi_label"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 20}, "binary"),
    ("F1Score", {}, "one_hot"),
    ("F1Score", {"average": "macro", "threshold": 0.3}, "multi_label"),
    ("F1Score", {"average": "micro"}, "one_hot"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted", "threshold": 0.5}, "multi_label"),
    ("FBetaScore", {"beta": 0.5}, "one_hot"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanSquaredError", {}, "regression_vector"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("LogCoshError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": None}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression"),
    ("R2Score", {"num_regressors": 3}, "regression"),
    ("R2Score", {}, "regression_vector"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "multi_logits"),
    ("CategoricalCrossentropy", {}, "one_hot"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "one_hot_logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("KLDivergence", {}, "distribution"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "hinge_01"),
    ("Hinge", {}, "hinge_pm1"),
    ("SquaredHinge", {}, "hinge_pm1"),
    ("CategoricalHinge", {}, "one_hot"),
]

# get_config keys minikeras writes and Keras does not, on purpose.
EXTRA_CONFIG = {
    # Keras's CosineSimilarity accepts `axis` but leaves it out of its config, so
    # from_config loses it; minikeras keeps it.
    "CosineSimilarity": {"axis"},
}


def _case_id(case):
    cls, kwargs, kind = case
    arguments = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{cls}({arguments})-{kind}"


def _keras_value(value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def _feed(metric, y_true, y_pred, weights):
    for start, stop in BATCHES:
        metric.update_state(y_true[start:stop], y_pred[start:stop],
                            sample_weight=None if weights is None else weights[start:stop])
    return np.asarray(metric.result())


def _normalized_config(config):
    """Keras stores AUC's label_weights as a tensor; compare plain lists."""
    if config.get("label_weights") is not None:
        config = {**config, "label_weights": _keras_value(config["label_weights"]).tolist()}
    return config


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_result_and_config_equal_keras(case, weighted):
    cls, kwargs, kind = case
    rng = np.random.default_rng(0)
    y_true, y_pred = _data(kind, rng)
    weights = rng.uniform(0.1, 3.0, len(y_pred)).astype("float32") if weighted else None
    ours = getattr(M, cls)(name="twin", **kwargs)
    theirs = getattr(keras.metrics, cls)(name="twin", **kwargs)

    expected = _keras_value(_feed(theirs, y_true, y_pred, weights))
    np.testing.assert_allclose(_feed(ours, y_true, y_pred, weights), expected,
                               rtol=2e-5, atol=1e-6)

    config = ours.get_config()
    extra = EXTRA_CONFIG.get(cls, set())
    assert {k: v for k, v in config.items() if k not in extra} == \
        _normalized_config(theirs.get_config())
    assert set(config) - set(theirs.get_config()) == extra


def test_direction_equals_keras():
    # Keras gives KLDivergence and Poisson no direction (EarlyStopping in "auto"
    # mode then raises); they are losses, so minikeras says "down".
    for cls, kwargs, _ in CASES:
        theirs = getattr(getattr(keras.metrics, cls)(**kwargs), "_direction", None)
        expected = "down" if cls in ("KLDivergence", "Poisson") else theirs
        assert getattr(M, cls)(**kwargs).direction == expected, cls


def test_results_before_any_data_equal_keras():
    for cls in ("BinaryAccuracy", "MeanSquaredError", "Precision", "AUC", "TruePositives", "Mean"):
        assert getattr(M, cls)().result() == _keras_value(getattr(keras.metrics, cls)().result())


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1),
       thresholds=st.one_of(st.none(), st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5)),
       curve=st.sampled_from(["ROC", "PR"]),
       summation_method=st.sampled_from(["interpolation", "minoring", "majoring"]),
       num_thresholds=st.integers(3, 300), weighted=st.booleans())
def test_auc_equals_keras_for_random_settings(seed, thresholds, curve, summation_method,
                                              num_thresholds, weighted):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _data("multi_label", rng)
    weights = rng.uniform(0.1, 3.0, len(y_pred)).astype("float32") if weighted else None
    kwargs = {"curve": curve, "summation_method": summation_method,
              "num_thresholds": num_thresholds, "thresholds": thresholds}
    ours, theirs = M.AUC(name="a", **kwargs), keras.metrics.AUC(name="a", **kwargs)
    np.testing.assert_allclose(_feed(ours, y_true, y_pred, weights),
                               _keras_value(_feed(theirs, y_true, y_pred, weights)),
                               rtol=1e-4, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1),
       thresholds=st.one_of(st.none(), st.floats(0, 1),
                            st.lists(st.floats(0, 1), min_size=1, max_size=5)),
       top_k=st.one_of(st.none(), st.integers(1, 3)),
       class_id=st.one_of(st.none(), st.integers(0, 2)), weighted=st.booleans())
def test_precision_and_recall_equal_keras_for_random_settings(seed, thresholds, top_k,
                                                              class_id, weighted):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _data("multi_label", rng)
    weights = rng.uniform(0.1, 3.0, len(y_pred)).astype("float32") if weighted else None
    for cls in ("Precision", "Recall"):
        kwargs = {"thresholds": thresholds, "top_k": top_k, "class_id": class_id}
        ours, theirs = getattr(M, cls)(name="p", **kwargs), getattr(keras.metrics, cls)(**kwargs)
        np.testing.assert_allclose(_feed(ours, y_true, y_pred, weights),
                                   _keras_value(_feed(theirs, y_true, y_pred, weights)),
                                   rtol=1e-5, atol=1e-6)


# -- on purpose differences ---------------------------------------------------------------


def test_ignore_class_leaves_ignored_labels_out_of_the_mean():
    # Keras 3 drops ignored labels from the mean only when sample weights are
    # given (its mask reaches the weights); without them it averages them in as
    # zero losses, so the value depends on whether weights of 1 were passed.
    # minikeras leaves them out both ways: the weighted twin equals Keras, the
    # unweighted one equals Keras's value divided by the share of kept labels.
    rng = np.random.default_rng(0)
    y_true, y_pred = _data("sparse_column", rng)
    ones = np.ones(len(y_true), dtype="float32")
    ours = _feed(M.SparseCategoricalCrossentropy(ignore_class=2), y_true, y_pred, None)
    weighted = _keras_value(_feed(keras.metrics.SparseCategoricalCrossentropy(ignore_class=2),
                                  y_true, y_pred, ones))
    unweighted = _keras_value(_feed(keras.metrics.SparseCategoricalCrossentropy(ignore_class=2),
                                    y_true, y_pred, None))
    np.testing.assert_allclose(ours, weighted, rtol=2e-5)
    np.testing.assert_allclose(ours * np.mean(y_true != 2), unweighted, rtol=2e-5)


def test_top_k_at_least_the_number_of_classes_counts_every_label():
    # Keras's torch backend raises for k > classes (torch.topk); every label is
    # then among the top k, which is what minikeras (and tf.math.in_top_k) say.
    rng = np.random.default_rng(0)
    y_true, y_pred = _data("sparse", rng)
    assert M.SparseTopKCategoricalAccuracy(k=5)(y_true, y_pred) == 1.0
    with pytest.raises(RuntimeError, match="out of range"):
        keras.metrics.SparseTopKCategoricalAccuracy(k=5)(y_true, y_pred)


def test_bad_labels_raise_where_keras_returns_a_number():
    # One-hot labels given to a sparse metric: Keras broadcasts them into a number.
    one_hot, scores = np.eye(4, dtype="float32"), np.eye(4, dtype="float32")
    assert np.isfinite(_keras_value(keras.metrics.SparseCategoricalAccuracy()(one_hot, scores)))
    with pytest.raises(ValueError, match="`sparse_categorical_accuracy` needs integer"):
        M.SparseCategoricalAccuracy()(one_hot, scores)
    # Class indices given to a binary metric: Keras counts label 2 as positive.
    labels, probabilities = np.array([0, 2, 1, 2]), np.array([0.1, 0.9, 0.8, 0.3])
    assert np.isfinite(_keras_value(keras.metrics.Precision()(labels, probabilities)))
    with pytest.raises(ValueError, match=r"needs binary labels in \[0, 1\]"):
        M.Precision()(labels, probabilities)


# -- names and the compile path -------------------------------------------------------------

# Keras 3 metrics outside minikeras's scope (image segmentation and correlation).
NOT_IN_MINIKERAS = {"IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU",
                    "PearsonCorrelation", "ConcordanceCorrelation", "Metric",
                    "MeanMetricWrapper"}


AT_CONSTRAINT = {"PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
                 "SpecificityAtSensitivity"}


def test_every_keras_metric_name_resolves_to_the_same_class():
    from keras.src.metrics import ALL_OBJECTS_DICT  # Keras's table behind metrics.get
    checked = 0
    for name, cls in ALL_OBJECTS_DICT.items():
        if cls.__name__ in NOT_IN_MINIKERAS:
            continue
        if name.lower() in ("accuracy", "acc"):
            continue  # compile reads these by shape (below), not as the Accuracy class
        if cls.__name__ in AT_CONSTRAINT:  # a required argument: compare the classes
            assert M.ALL_METRICS[name].__name__ == cls.__name__
        else:
            assert type(M.get(name)).__name__ == cls.__name__, name
        checked += 1
    assert checked >= 80


def _twin_models(units, activation, loss, metrics, weighted_metrics=None):
    ours = minikeras.Sequential([minikeras.Input((4,)),
                                 minikeras.layers.Dense(units, activation=activation)])
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation=activation)])
    theirs.set_weights(ours.get_weights())
    ours.compile(optimizer="sgd", loss=loss, metrics=metrics, weighted_metrics=weighted_metrics)
    theirs.compile(optimizer="sgd", loss=loss, metrics=metrics, weighted_metrics=weighted_metrics)
    return ours, theirs


def _labels(kind, rng, n=50):
    if kind == "binary":
        return rng.integers(0, 2, (n, 1)).astype("float32")
    if kind == "multi_label":
        return rng.integers(0, 2, (n, 3)).astype("float32")
    if kind == "sparse":
        return rng.integers(0, 3, n)
    return np.eye(3, dtype="float32")[rng.integers(0, 3, n)]


@pytest.mark.parametrize("units, activation, loss, labels, metrics", [
    (1, "sigmoid", "binary_crossentropy", "binary",
     ["accuracy", "acc", "mse", "mae", "AUC", "auc", "precision", "Recall", "mape", "msle",
      "bce", "MSE", "binary_accuracy"]),
    (3, "sigmoid", "binary_crossentropy", "multi_label", ["accuracy", "binary_accuracy"]),
    (3, "softmax", "sparse_categorical_crossentropy", "sparse",
     ["accuracy", "sparse_categorical_crossentropy", "SparseCategoricalAccuracy"]),
    (3, "softmax", "categorical_crossentropy", "one_hot",
     ["acc", "categorical_crossentropy", "categorical_hinge", "kl_divergence"]),
    (3, "softmax", "mse", "one_hot", ["accuracy", "r2_score", "cosine_similarity"]),
    (1, "linear", "mse", "binary", ["accuracy", "RootMeanSquaredError", "log_cosh_error"]),
], ids=["bce", "bce_multi_label", "sparse", "categorical", "mse_one_hot", "mse"])
def test_evaluate_logs_the_same_keys_and_values_as_keras(units, activation, loss, labels,
                                                         metrics):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype("float32")
    y = _labels(labels, rng)
    weights = rng.uniform(0.1, 2.0, 50).astype("float32")
    ours, theirs = _twin_models(units, activation, loss, metrics, weighted_metrics=metrics[:1])
    got = ours.evaluate(x, y, sample_weight=weights, batch_size=16, verbose=0, return_dict=True)
    expected = theirs.evaluate(x, y, sample_weight=weights, batch_size=16, verbose=0,
                               return_dict=True)
    assert set(got) == set(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=2e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("metrics, weighted_metrics", [
    (["accuracy", "accuracy", "mae"], None),
    (["acc", "auc"], ["acc", "auc", "mse"]),
    (["mse"], ["mse", "mse"]),
], ids=["repeated", "weighted_clash", "weighted_repeated"])
def test_log_names_are_the_keys_keras_logs(metrics, weighted_metrics):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)).astype("float32"), _labels("binary", rng, 8)
    _, theirs = _twin_models(1, "sigmoid", "binary_crossentropy", metrics, weighted_metrics)
    logged = theirs.evaluate(x, y, verbose=0, return_dict=True)
    names = M.log_names([M.get(m) for m in metrics], [M.get(m) for m in weighted_metrics or []])
    assert sorted(names) == sorted(set(logged) - {"loss"})
