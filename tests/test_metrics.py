"""Metrics: hand-worked values, batch accumulation, sample weights, reset and name resolution."""
import numpy as np
import pytest
from sklearn import metrics as skm

from minikeras import losses as L
from minikeras import metrics as M


@pytest.mark.parametrize("metric, y_true, y_pred, expected", [
    # thresholded at 0.5: 1, 1, 0, 1 against 1, 1, 0, 0 -> 3 of 4
    (M.BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], 0.75),
    # a higher threshold turns 0.6 into a 0: 4 of 4
    (M.BinaryAccuracy(threshold=0.7), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], 1.0),
    # two outputs per sample: (1 + 0.5) / 2; 0.5 itself is not above the threshold
    (M.BinaryAccuracy(), [[1, 0], [1, 1]], [[0.9, 0.2], [0.5, 0.7]], 0.75),
    # argmax 1 vs 2 (wrong), 1 vs 1 (right)
    (M.CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], 0.5),
    (M.SparseCategoricalAccuracy(), [2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], 0.5),
    (M.SparseCategoricalAccuracy(), [[2.0], [1.0]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], 0.5),
    # squared errors (1, 0), (0, 0): per sample 0.5, 0 -> 0.25
    (M.MeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.25),
    # absolute errors (2, 0), (0, 1): per sample 1, 0.5 -> 0.75
    (M.MeanAbsoluteError(), [[0, 1], [0, 0]], [[2, 1], [0, -1]], 0.75),
    # predicted positive: samples 0, 2, 3; truly positive among them: 2, 3
    (M.Precision(), [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3),
    # truly positive: 1, 2, 3; predicted positive among them: 2, 3
    (M.Recall(), [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3),
    (M.Precision(thresholds=0.7), [0, 1, 1], [0.6, 0.8, 0.65], 1.0),
    (M.Recall(thresholds=0.7), [0, 1, 1], [0.6, 0.8, 0.65], 0.5),
    # positive/negative pairs ranked right: (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4) -> 3 of 4
    (M.AUC(), [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75),
], ids=["binary", "binary_threshold", "binary_two_outputs", "categorical", "sparse",
        "sparse_float_column", "mse", "mae", "precision", "recall", "precision_threshold",
        "recall_threshold", "auc"])
def test_values_worked_by_hand(metric, y_true, y_pred, expected):
    metric.update_state(y_true, y_pred)
    assert metric.result() == pytest.approx(expected)


def _data(rng, n=20):
    labels = rng.integers(0, 3, n)
    probs = rng.dirichlet(np.ones(3), n)
    binary = rng.integers(0, 2, (n, 1)).astype(float)
    scores = rng.uniform(0, 1, (n, 1))
    regression = rng.normal(0, 1, (n, 2)), rng.normal(0, 1, (n, 2))
    return {
        "binary_accuracy": (binary, scores),
        "categorical_accuracy": (np.eye(3)[labels], probs),
        "sparse_categorical_accuracy": (labels, probs),
        "mse": regression,
        "mae": regression,
        "precision": (binary, scores),
        "recall": (binary, scores),
        "auc": (binary, scores),
    }


def _reference(name, y_true, y_pred, weights):
    """One-shot values from scikit-learn or plain numpy."""
    if name == "binary_accuracy":
        return np.average(y_true[:, 0] == (y_pred[:, 0] > 0.5), weights=weights)
    if name in ("categorical_accuracy", "sparse_categorical_accuracy"):
        labels = y_true if y_true.ndim == 1 else y_true.argmax(-1)
        return skm.accuracy_score(labels, y_pred.argmax(-1), sample_weight=weights)
    if name == "mse":
        return np.average(np.mean((y_pred - y_true) ** 2, axis=-1), weights=weights)
    if name == "mae":
        return np.average(np.mean(np.abs(y_pred - y_true), axis=-1), weights=weights)
    if name == "precision":
        return skm.precision_score(y_true[:, 0], y_pred[:, 0] > 0.5, sample_weight=weights)
    if name == "recall":
        return skm.recall_score(y_true[:, 0], y_pred[:, 0] > 0.5, sample_weight=weights)
    return skm.roc_auc_score(y_true[:, 0], y_pred[:, 0], sample_weight=weights)


NAMES = ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "mse", "mae",
         "precision", "recall", "auc"]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", NAMES)
def test_batches_accumulate_to_the_one_shot_value(name, weighted):
    rng = np.random.default_rng(0)
    y_true, y_pred = _data(rng)[name]
    weights = rng.uniform(0.1, 3.0, len(y_pred)) if weighted else None

    metric = M.get(name)
    for start, stop in [(0, 7), (7, 12), (12, 20)]:  # uneven batches, the last one small
        batch_weights = None if weights is None else weights[start:stop]
        metric.update_state(y_true[start:stop], y_pred[start:stop], sample_weight=batch_weights)

    assert metric.result() == pytest.approx(_reference(name, y_true, y_pred, weights), rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_reset_state_forgets_earlier_batches(name):
    rng = np.random.default_rng(1)
    y_true, y_pred = _data(rng)[name]
    metric = M.get(name)
    assert metric.result() == 0.0  # nothing seen yet
    metric.update_state(y_true[:10], y_pred[:10])
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(y_true[10:], y_pred[10:])
    assert metric.result() == pytest.approx(_reference(name, y_true[10:], y_pred[10:], None))


def test_mean_weights_batch_means_by_batch_size():
    # How fit logs the loss: each batch's mean loss weighted by its size.
    mean = M.Mean(name="loss")
    mean.update_state(1.0, sample_weight=3)  # batch of 3 with mean loss 1
    mean.update_state(4.0, sample_weight=1)  # last batch of 1 with loss 4
    assert mean.result() == pytest.approx((3 * 1.0 + 4.0) / 4)
    assert mean.name == "loss"


def test_mean_of_arrays_with_weights():
    mean = M.Mean()
    mean.update_state([1.0, 3.0])                            # total 4, count 2
    mean.update_state([[2.0, 4.0], [10.0, 0.0]], sample_weight=[[1.0], [0.5]])  # rows 3, 5
    assert mean.result() == pytest.approx((4 + 3 + 0.5 * 5) / 3.5)


def test_sample_weights_zero_out_samples():
    metric = M.BinaryAccuracy()
    # the only wrong sample (the last) has weight 0
    metric.update_state([[1], [0], [1]], [[0.9], [0.1], [0.2]], sample_weight=[1.0, 2.0, 0.0])
    assert metric.result() == 1.0
    precision = M.Precision()
    precision.update_state([1, 0, 1], [0.9, 0.8, 0.7], sample_weight=[1.0, 3.0, 1.0])
    assert precision.result() == pytest.approx(2 / 5)  # TP weight 2, FP weight 3


def test_calling_a_metric_updates_and_returns_the_result():
    metric = M.MeanAbsoluteError()
    assert metric([[0.0]], [[2.0]]) == 2.0
    assert metric([[0.0]], [[4.0]]) == 3.0


def test_auc_edge_cases():
    auc = M.AUC()
    auc.update_state([1, 1], [0.2, 0.9])
    assert auc.result() == 0.0  # one class only: undefined, reported as 0 without a warning
    auc.update_state([0], [0.5])
    assert auc.result() == 0.5  # 0.9 > 0.5 but 0.2 < 0.5

    y = np.array([0, 1, 0, 1, 0, 1])
    z = np.array([-3.0, 0.5, -0.2, 2.0, 40.0, 45.0])
    from_logits = M.AUC(from_logits=True)
    from_logits.update_state(y[:4], z[:4])
    assert from_logits.result() == pytest.approx(skm.roc_auc_score(y[:4], 1 / (1 + np.exp(-z[:4]))))
    # sigmoid rounds both 40 and 45 to 1.0; the logits keep them apart (7 of 9 pairs right)
    from_logits.update_state(y[4:], z[4:])
    assert from_logits.result() == pytest.approx(7 / 9)


@pytest.mark.parametrize("loss, cls", [
    (L.BinaryCrossentropy(), M.BinaryAccuracy),
    (L.BinaryCrossentropy(from_logits=True), M.BinaryAccuracy),
    ("binary_crossentropy", M.BinaryAccuracy),
    (L.CategoricalCrossentropy(), M.CategoricalAccuracy),
    ("categorical_crossentropy", M.CategoricalAccuracy),
    (L.SparseCategoricalCrossentropy(), M.SparseCategoricalAccuracy),
    ("sparse_categorical_crossentropy", M.SparseCategoricalAccuracy),
], ids=["bce", "bce_logits", "bce_name", "cce", "cce_name", "scce", "scce_name"])
@pytest.mark.parametrize("identifier", ["accuracy", "acc"])
def test_accuracy_follows_the_loss(loss, cls, identifier):
    metric = M.get(identifier, loss=loss)
    assert type(metric) is cls
    assert metric.name == identifier  # Keras logs the metric under the string it was given


@pytest.mark.parametrize("y_true, y_pred, expected", [
    ([[1], [0]], [[0.8], [0.7]], 0.5),                            # one output: binary
    ([1, 2], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], 0.5),            # labels: sparse
    ([[1], [2]], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], 0.5),        # label column: sparse
    ([[0, 1, 0], [0, 0, 1]], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], 0.5),  # one-hot: categorical
], ids=["binary", "sparse", "sparse_column", "categorical"])
def test_accuracy_without_a_cross_entropy_uses_keras_shape_rule(y_true, y_pred, expected):
    metric = M.get("accuracy", loss=L.MeanSquaredError())
    assert metric.name == "accuracy"
    metric.update_state(y_true, y_pred)
    assert metric.result() == pytest.approx(expected)


@pytest.mark.parametrize("identifier, cls", [
    ("mse", M.MeanSquaredError), ("mean_squared_error", M.MeanSquaredError),
    ("mae", M.MeanAbsoluteError), ("MeanAbsoluteError", M.MeanAbsoluteError),
    ("binary_accuracy", M.BinaryAccuracy), ("categorical_accuracy", M.CategoricalAccuracy),
    ("sparse_categorical_accuracy", M.SparseCategoricalAccuracy),
    ("precision", M.Precision), ("recall", M.Recall), ("auc", M.AUC), ("AUC", M.AUC),
    ("mean", M.Mean),
], ids=lambda v: v if isinstance(v, str) else None)
def test_get_resolves_names_and_keeps_the_string_as_name(identifier, cls):
    metric = M.get(identifier)
    assert type(metric) is cls and metric.name == identifier


def test_default_names_match_keras():
    assert [m.name for m in (M.BinaryAccuracy(), M.CategoricalAccuracy(),
                             M.SparseCategoricalAccuracy(), M.MeanSquaredError(),
                             M.MeanAbsoluteError(), M.Precision(), M.Recall(), M.AUC(),
                             M.Mean())] == [
        "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "mean_squared_error", "mean_absolute_error", "precision", "recall", "auc", "mean"]


def test_get_passes_instances_and_rejects_unknown_names():
    metric = M.Recall(name="my_recall")
    assert M.get(metric) is metric and metric.name == "my_recall"
    with pytest.raises(ValueError, match=r"Unknown `metric`: 'f1_score'\. Valid names are: "
                                         r"acc, accuracy, auc, .*mse, precision, recall"):
        M.get("f1_score")
    with pytest.raises(TypeError, match="`metric` must be a string name"):
        M.get(0.5)


def test_threshold_is_checked():
    with pytest.raises(ValueError, match=r"`thresholds` must be None or a number in \[0, 1\]"):
        M.Precision(thresholds=1.5)
