"""Metrics: hand-worked values, batch accumulation, weights, names, configs and bad input.

Keras's own values on the same inputs are checked in test_metrics_keras.py; the
references here are hand arithmetic, scikit-learn and brute-force numpy.
"""
import doctest
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from minikeras import losses as L
from minikeras import metrics as M
from minikeras.metrics import (accuracy_metrics, base, confusion_metrics, f_score_metrics,
                               hinge_metrics, probabilistic_metrics, regression_metrics)


@pytest.mark.parametrize("module", [M, base, accuracy_metrics, regression_metrics,
                                    probabilistic_metrics, hinge_metrics, confusion_metrics,
                                    f_score_metrics], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert module is M or result.attempted > 0


@pytest.mark.parametrize("metric, y_true, y_pred, expected", [
    # thresholded at 0.5: 1, 1, 0, 1 against 1, 1, 0, 0 -> 3 of 4
    (M.BinaryAccuracy(), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], 0.75),
    (M.BinaryAccuracy(threshold=0.7), [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], 1.0),
    # two outputs per sample: (1 + 0.5) / 2; 0.5 itself is not above the threshold
    (M.BinaryAccuracy(), [[1, 0], [1, 1]], [[0.9, 0.2], [0.5, 0.7]], 0.75),
    # argmax 1 vs 2 (wrong), 1 vs 1 (right)
    (M.CategoricalAccuracy(), [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], 0.5),
    (M.SparseCategoricalAccuracy(), [2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], 0.5),
    (M.SparseCategoricalAccuracy(), [[2.0], [1.0]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], 0.5),
    # label 2 has the 2nd highest score in row 0 (in the top 2), label 0 the lowest in row 1
    (M.SparseTopKCategoricalAccuracy(k=2), [2, 0], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.1]], 0.5),
    (M.TopKCategoricalAccuracy(k=2), [[0, 0, 1], [1, 0, 0]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.1]],
     0.5),
    # ids sorted by score: label 1 is in the first 2 ids of row 0, label 3 not in row 1's
    (M.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True), [1, 3], [[4, 1, 3], [0, 2, 3]],
     0.5),
    (M.Accuracy(), [[1], [2], [3], [4]], [[0], [2], [3], [4]], 0.75),
    # squared errors (1, 0), (0, 0): per sample 0.5, 0 -> 0.25
    (M.MeanSquaredError(), [[0, 1], [0, 0]], [[1, 1], [0, 0]], 0.25),
    (M.RootMeanSquaredError(), [[0, 1], [0, 0]], [[2, 1], [0, 0]], 1.0),  # sqrt(4 / 4)
    # absolute errors (2, 0), (0, 1): per sample 1, 0.5 -> 0.75
    (M.MeanAbsoluteError(), [[0, 1], [0, 0]], [[2, 1], [0, -1]], 0.75),
    # |2 - 1| / 2 = 50 %, |4 - 5| / 4 = 25 %; y_true 0 divides by 1e-7
    (M.MeanAbsolutePercentageError(), [[2.0], [4.0]], [[1.0], [5.0]], 37.5),
    (M.MeanAbsolutePercentageError(), [[0.0]], [[1e-7]], 100.0),
    # the vectors (1, 0)/(1, 1) meet at 45 degrees: cos = 1/sqrt(2)
    (M.CosineSimilarity(), [[1, 0]], [[1, 1]], 1 / np.sqrt(2)),
    (M.CosineSimilarity(), [[0, 0]], [[1, 1]], 0.0),  # a zero vector: 0, not NaN
    # -(log 0.4 + log 0.6) / 2 and -(log 0.6 + log 0.4) / 2 -> 0.916, 0.714 -> 0.815
    (M.BinaryCrossentropy(), [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]],
     (-(np.log(0.4) + np.log(0.4)) / 2 - (np.log(0.6) + np.log(0.4)) / 2) / 2),
    (M.CategoricalCrossentropy(), [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
     -(np.log(0.95) + np.log(0.1)) / 2),
    (M.SparseCategoricalCrossentropy(), [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
     -(np.log(0.95) + np.log(0.1)) / 2),
    # label 2 is ignored: the mean is over the first sample only
    (M.SparseCategoricalCrossentropy(ignore_class=2), [1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]],
     -np.log(0.95)),
    (M.KLDivergence(), [[0.5, 0.5]], [[0.25, 0.75]], 0.5 * np.log(2) + 0.5 * np.log(2 / 3)),
    (M.Poisson(), [[2.0]], [[1.0]], 1 - 2 * np.log(1 + 1e-7)),
    # 0/1 labels become -1/1: max(1 - 0.5, 0) = 0.5 and max(1 + 0.5, 0) = 1.5
    (M.Hinge(), [[1], [0]], [[0.5], [0.5]], 1.0),
    (M.Hinge(), [[1], [-1]], [[2.0], [-3.0]], 0.0),
    (M.SquaredHinge(), [[1], [0]], [[0.5], [0.5]], (0.25 + 2.25) / 2),
    (M.CategoricalHinge(), [[0, 1], [1, 0]], [[0.2, 0.7], [0.4, 0.6]], (0.5 + 1.2) / 2),
    (M.LogCoshError(), [[0.0]], [[1000.0]], 1000 - np.log(2)),  # no overflow in cosh
    # predicted positive: samples 0, 2, 3; truly positive among them: 2, 3
    (M.Precision(), [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3),
    (M.Recall(), [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3),
    (M.Precision(thresholds=0.7), [0, 1, 1], [0.6, 0.8, 0.65], 1.0),
    (M.Recall(thresholds=0.7), [0, 1, 1], [0.6, 0.8, 0.65], 0.5),
    # top_k=1 keeps 0.9 (right) and 0.6 (wrong); top_k=2 adds 0.5 (right) and 0.3 (wrong)
    (M.Precision(top_k=1), [[0, 1, 0], [1, 0, 0]], [[0.1, 0.9, 0.5], [0.3, 0.6, 0.1]], 0.5),
    (M.Recall(top_k=2), [[0, 1, 1], [1, 0, 0]], [[0.1, 0.9, 0.5], [0.3, 0.6, 0.1]], 1.0),
    # class 2 only: scores 0.55 (label 1) and 0.7 (label 0) -> 1 TP, 1 FP
    (M.Precision(class_id=2), [[0, 1, 1], [1, 0, 0]], [[0.1, 0.9, 0.55], [0.3, 0.6, 0.7]], 0.5),
    (M.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1], 2.0),
    (M.FalseNegatives(), [0, 1, 1, 1], [1, 0, 1, 1], 1.0),
    # positive/negative pairs ranked right: (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4) -> 3 of 4
    (M.AUC(), [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75),
    # R^2 = 1 - SS_res / SS_tot = 1 - 1 / 2
    (M.R2Score(), [[1.0], [2.0], [3.0]], [[1.0], [2.0], [2.0]], 0.5),
], ids=lambda v: type(v).__name__ if isinstance(v, M.Metric) else "")
def test_values_worked_by_hand(metric, y_true, y_pred, expected):
    metric.update_state(y_true, y_pred)
    assert metric.result() == pytest.approx(expected, rel=1e-6)


def _data(rng, n=30):
    labels = rng.integers(0, 3, n)
    probs = rng.dirichlet(np.ones(3), n)
    binary = rng.integers(0, 2, (n, 1)).astype(float)
    scores = rng.uniform(0, 1, (n, 1))
    regression = rng.normal(0, 1, (n, 2)), rng.normal(0, 1, (n, 2))
    multi = rng.integers(0, 2, (n, 3)).astype(float), rng.uniform(0, 1, (n, 3))
    return {
        "binary_accuracy": (binary, scores),
        "categorical_accuracy": (np.eye(3)[labels], probs),
        "sparse_categorical_accuracy": (labels, probs),
        "mse": regression,
        "mae": regression,
        "precision": (binary, scores),
        "recall": (binary, scores),
        "r2_score": regression,
        "f1_score": multi,
    }


def _reference(name, y_true, y_pred, weights):
    """One-shot values from scikit-learn or plain numpy."""
    if name == "binary_accuracy":
        return np.average(y_true[:, 0] == (y_pred[:, 0] > 0.5), weights=weights)
    if name in ("categorical_accuracy", "sparse_categorical_accuracy"):
        labels = y_true if y_true.ndim == 1 else y_true.argmax(-1)
        return skm.accuracy_score(labels, y_pred.argmax(-1), sample_weight=weights)
    if name == "mse":
        return skm.mean_squared_error(y_true, y_pred, sample_weight=weights)
    if name == "mae":
        return skm.mean_absolute_error(y_true, y_pred, sample_weight=weights)
    if name == "precision":
        return skm.precision_score(y_true[:, 0], y_pred[:, 0] > 0.5, sample_weight=weights)
    if name == "recall":
        return skm.recall_score(y_true[:, 0], y_pred[:, 0] > 0.5, sample_weight=weights)
    if name == "r2_score":
        return skm.r2_score(y_true, y_pred, sample_weight=weights)
    return skm.f1_score(y_true, y_pred > 0.5, sample_weight=weights, average=None)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, metric", [
    ("binary_accuracy", lambda: M.BinaryAccuracy()),
    ("categorical_accuracy", lambda: M.CategoricalAccuracy()),
    ("sparse_categorical_accuracy", lambda: M.SparseCategoricalAccuracy()),
    ("mse", lambda: M.MeanSquaredError()),
    ("mae", lambda: M.MeanAbsoluteError()),
    ("precision", lambda: M.Precision()),
    ("recall", lambda: M.Recall()),
    ("r2_score", lambda: M.R2Score()),
    ("f1_score", lambda: M.F1Score(threshold=0.5)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_batches_accumulate_to_the_one_shot_value(name, metric, weighted):
    rng = np.random.default_rng(0)
    y_true, y_pred = _data(rng)[name]
    weights = rng.uniform(0.1, 3.0, len(y_pred)) if weighted else None
    metric = metric()
    for start, stop in [(0, 11), (11, 20), (20, 30)]:  # uneven batches, the last one small
        batch_weights = None if weights is None else weights[start:stop]
        metric.update_state(y_true[start:stop], y_pred[start:stop], sample_weight=batch_weights)
    # F1 carries Keras's 1e-7 guards in its denominators
    np.testing.assert_allclose(metric.result(), _reference(name, y_true, y_pred, weights),
                               rtol=1e-6 if name == "f1_score" else 1e-12)


@pytest.mark.parametrize("metric", [
    M.BinaryAccuracy, M.MeanSquaredError, M.Precision, M.AUC, M.R2Score, M.F1Score,
    lambda: M.AUC(multi_label=True), M.Sum,
], ids=["binary_accuracy", "mse", "precision", "auc", "r2", "f1", "auc_multi_label", "sum"])
def test_reset_state_forgets_earlier_batches(metric):
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 2, (20, 3)).astype(float), rng.uniform(0, 1, (20, 3))
    fresh, reused = metric(), metric()
    if isinstance(fresh, M.Sum):
        reused.update_state(y_pred[:10])
        reused.reset_state()
        assert reused.result() == 0.0
        return
    assert np.all(np.asarray(reused.result()) == 0.0)  # nothing seen yet
    reused.update_state(y_true[:10], y_pred[:10])
    reused.reset_state()
    fresh.update_state(y_true[10:], y_pred[10:])
    reused.update_state(y_true[10:], y_pred[10:])
    np.testing.assert_array_equal(reused.result(), fresh.result())


def test_mean_weights_batch_means_by_batch_size():
    # How fit logs the loss: each batch's mean loss weighted by its size.
    mean = M.Mean(name="loss")
    mean.update_state(1.0, sample_weight=3)  # batch of 3 with mean loss 1
    mean.update_state(4.0, sample_weight=1)  # last batch of 1 with loss 4
    assert mean.result() == pytest.approx((3 * 1.0 + 4.0) / 4)
    assert mean.name == "loss"


def test_mean_reduces_values_per_sample_as_keras_does():
    mean = M.Mean()
    mean.update_state([1.0, 3.0])                            # total 4, count 2
    mean.update_state([[2.0, 4.0], [10.0, 0.0]], sample_weight=[[1.0], [0.5]])  # rows 3, 5
    assert mean.result() == pytest.approx((4 + 3 + 0.5 * 5) / 3.5)
    # A scalar weight on a batch of values weighs their mean once: total 4 * 2, count 2.
    scalar = M.Mean()
    scalar.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=2.0)
    scalar.update_state([0.0])
    assert scalar.result() == pytest.approx(8 / 3)
    # Per-entry weights: sum(w * v) / sum(w) over the entries.
    entries = M.Mean()
    entries.update_state([[1.0, 3.0]], sample_weight=[[1.0, 3.0]])
    assert entries.result() == pytest.approx(10 / 4)


def test_sum_adds_weighted_values():
    total = M.Sum()
    total.update_state([[1.0, 2.0], [3.0, 4.0]])
    total.update_state([5.0, 7.0], sample_weight=[1.0, 0.0])
    assert total.result() == 15.0


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


def test_a_list_of_thresholds_gives_one_result_each_in_the_given_order():
    y_true, y_pred = [0, 1, 1, 0], [0.2, 0.4, 0.9, 0.6]
    tp = M.TruePositives(thresholds=[0.5, 0.0, 0.95])
    np.testing.assert_array_equal(tp(y_true, y_pred), [1.0, 2.0, 0.0])
    precision = M.Precision(thresholds=[0.5, 0.0, 0.95])
    np.testing.assert_allclose(precision(y_true, y_pred), [1 / 2, 2 / 4, 0.0])


# -- confusion counts and AUC against brute force and scikit-learn -------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), columns=st.integers(1, 4),
       thresholds=st.lists(st.floats(0, 1), min_size=1, max_size=6),
       top_k=st.one_of(st.none(), st.integers(1, 4)), weighted=st.booleans(),
       use_class_id=st.booleans(), multi_label=st.booleans())
def test_confusion_counts_equal_brute_force(seed, columns, thresholds, top_k, weighted,
                                            use_class_id, multi_label):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    y_true = rng.integers(0, 2, (n, columns)).astype(float)
    # Scores on a coarse grid, so that scores equal to a threshold occur; distinct
    # within a row, so that the top k are well defined.
    y_pred = np.argsort(rng.random((n, columns)), axis=1) / 4
    weights = rng.uniform(0, 2, n) if weighted else None
    class_id = int(rng.integers(0, columns)) if use_class_id else None
    multi_label = multi_label and class_id is None

    tp, fp, tn, fn = M.confusion_counts(y_true, y_pred, thresholds, weights, top_k=top_k,
                                        class_id=class_id, multi_label=multi_label)

    kept = y_pred.copy()
    if top_k is not None and top_k < columns:
        ranks = np.argsort(np.argsort(-y_pred, axis=1, kind="stable"), axis=1, kind="stable")
        kept[ranks >= top_k] = -np.inf
    w = np.ones((n, columns)) if weights is None else np.repeat(weights[:, None], columns, 1)
    if class_id is not None:
        y_true, kept, w = (a[:, class_id:class_id + 1] for a in (y_true, kept, w))
    for i, t in enumerate(thresholds):
        predicted = kept > t
        cells = [w * (y_true == 1) * predicted, w * (y_true == 0) * predicted,
                 w * (y_true == 0) * ~predicted, w * (y_true == 1) * ~predicted]
        expected = [c.sum(axis=0) if multi_label else c.sum() for c in cells]
        for got, want in zip((tp, fp, tn, fn), expected):
            np.testing.assert_allclose(got[i], want, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(2, 40), weighted=st.booleans())
def test_roc_auc_is_exact_when_every_score_has_its_own_bucket(seed, n, weighted):
    # Scores on the grid (k + 0.5) / 100 fall between the 101 evenly spaced
    # thresholds, one score value per bucket: the trapezoids then give the exact
    # area, ties (equal scores) counting half as in scikit-learn.
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    if y_true.min() == y_true.max():
        y_true[0] = 1 - y_true[0]
    y_pred = (rng.integers(0, 100, n) + 0.5) / 100
    weights = rng.uniform(0.1, 2, n) if weighted else None
    auc = M.AUC(num_thresholds=101)
    auc.update_state(y_true[: n // 2], y_pred[: n // 2],
                     None if weights is None else weights[: n // 2])
    auc.update_state(y_true[n // 2:], y_pred[n // 2:],
                     None if weights is None else weights[n // 2:])
    assert auc.result() == pytest.approx(skm.roc_auc_score(y_true, y_pred, sample_weight=weights))


def test_auc_from_logits_and_scores_outside_zero_one():
    y = np.array([0, 1, 0, 1])
    z = np.array([-3.0, 0.5, -0.2, 2.0])
    from_logits = M.AUC(from_logits=True)
    from_logits.update_state(y, z)
    probabilities = M.AUC()
    probabilities.update_state(y, 1 / (1 + np.exp(-z)))
    assert from_logits.result() == probabilities.result() == 1.0
    with pytest.warns(UserWarning, match=r"`auc_logits` \(AUC\) received `y_pred` outside "
                                         r"\[0, 1\].*from_logits=True"):
        M.AUC(name="auc_logits").update_state(y, z)
    assert M.AUC(from_logits=True)([0, 1], [1e4, -1e4]) == 0.0  # no overflow warning


def test_auc_before_data_and_with_one_class():
    assert M.AUC().result() == 0.0
    assert M.AUC(multi_label=True).result() == 0.0
    one_class = M.AUC()
    one_class.update_state([1, 1], [0.2, 0.9])
    assert one_class.result() == 0.0  # no negatives: the false-positive rate is 0 throughout


def test_auc_memory_is_fixed_by_the_thresholds():
    auc = M.AUC(num_thresholds=50)
    rng = np.random.default_rng(2)
    for _ in range(5):
        auc.update_state(rng.integers(0, 2, 1000), rng.uniform(0, 1, 1000))
    assert auc.true_positives.shape == auc.false_negatives.shape == (50,)
    assert sum(np.asarray(v).nbytes for v in vars(auc).values()) < 10_000


def test_pr_auc_approaches_average_precision():
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, 2000)
    y_pred = np.clip(0.3 * y_true + rng.uniform(0, 0.7, 2000), 0, 1)
    auc = M.AUC(curve="PR", num_thresholds=1000)
    auc.update_state(y_true, y_pred)
    assert auc.result() == pytest.approx(skm.average_precision_score(y_true, y_pred), abs=5e-3)


def test_at_constraint_metrics_pick_the_best_feasible_threshold():
    y_true = [0, 0, 0, 1, 1]
    y_pred = [0.0, 0.3, 0.8, 0.3, 0.8]
    # Thresholds below 0.3: specificity 1/3, sensitivity 1; in [0.3, 0.8): 2/3 and 1/2.
    assert M.SensitivityAtSpecificity(0.5)(y_true, y_pred) == 0.5
    assert M.SensitivityAtSpecificity(0.3)(y_true, y_pred) == 1.0
    assert M.SpecificityAtSensitivity(0.9)(y_true, y_pred) == pytest.approx(1 / 3)
    assert M.SensitivityAtSpecificity(0.5, num_thresholds=1)(y_true, y_pred) == 0.5
    # The negative outranks the positive: no threshold has precision 1 with a positive found
    assert M.RecallAtPrecision(1.0)([0, 1], [0.9, 0.8]) == 0.0


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_score_matches_scikit_learn(average):
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 2, (40, 3))
    y_pred = rng.uniform(0, 1, (40, 3))
    f1 = M.F1Score(average=average, threshold=0.4)
    f1.update_state(y_true[:25], y_pred[:25])
    f1.update_state(y_true[25:], y_pred[25:])
    expected = skm.f1_score(y_true, y_pred > 0.4, average=average)
    np.testing.assert_allclose(f1.result(), expected, rtol=1e-5)


def test_fbeta_without_threshold_takes_each_rows_top_score():
    y_true = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    y_pred = [[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]   # predicted 0, 2, 2
    fbeta = M.FBetaScore(beta=2.0, average="macro")
    expected = skm.fbeta_score(np.argmax(y_true, 1), [0, 2, 2], beta=2.0, average="macro")
    assert fbeta(y_true, y_pred) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("aggregation, multioutput", [
    ("uniform_average", "uniform_average"), ("variance_weighted_average", "variance_weighted"),
    (None, "raw_values")])
def test_r2_matches_scikit_learn(aggregation, multioutput):
    rng = np.random.default_rng(5)
    y_true = rng.normal(3, 2, (50, 3))
    y_pred = y_true + rng.normal(0, 1, (50, 3))
    weights = rng.uniform(0.5, 2, 50)
    r2 = M.R2Score(class_aggregation=aggregation)
    r2.update_state(y_true[:20], y_pred[:20], sample_weight=weights[:20])
    r2.update_state(y_true[20:], y_pred[20:], sample_weight=weights[20:])
    np.testing.assert_allclose(r2.result(), skm.r2_score(y_true, y_pred, sample_weight=weights,
                                                         multioutput=multioutput), rtol=1e-10)


def test_adjusted_r2():
    y_true, y_pred = np.arange(10.0)[:, None], np.arange(10.0)[:, None] + 0.5
    plain = 1 - 2.5 / 82.5
    assert M.R2Score(num_regressors=2)(y_true, y_pred) == pytest.approx(
        1 - (1 - plain) * 9 / 7)
    with pytest.warns(UserWarning, match="Falling back to the standard R2 score"):
        assert M.R2Score(num_regressors=9)(y_true, y_pred) == pytest.approx(plain)


# -- the meaning of "accuracy" and Loss.label_kind -------------------------------------------


@pytest.mark.parametrize("y_true, y_pred, expected", [
    ([[1], [0]], [[0.8], [0.7]], 0.5),                            # one output: binary
    ([1, 2], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], 0.5),            # labels: sparse
    ([[1], [2]], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], 0.5),        # label column: sparse
    ([[0, 1, 0], [0, 0, 1]], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]], 0.5),  # one-hot: categorical
    # several 0/1 columns read as one-hot, as Keras 3 reads them: argmax 1 = 1, argmax 0 != 2
    ([[0, 1, 1], [0, 1, 1]], [[0.1, 0.8, 0.7], [0.9, 0.2, 0.3]], 0.5),
], ids=["binary", "sparse", "sparse_column", "categorical", "multi_label_as_categorical"])
def test_accuracy_follows_keras_3_shape_rule(y_true, y_pred, expected):
    metric = M.get("accuracy")
    assert metric.name == "accuracy"
    metric.update_state(y_true, y_pred)
    assert metric.result() == pytest.approx(expected)


@pytest.mark.parametrize("loss, y_true, y_pred", [
    (L.BinaryCrossentropy(), [[1.0], [0.0]], [[0.8], [0.3]]),
    (L.CategoricalCrossentropy(), [[0, 1, 0], [1, 0, 0]], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]]),
    (L.SparseCategoricalCrossentropy(), [1, 0], [[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]]),
    (L.MeanSquaredError(), [[1.5], [0.2]], [[0.8], [0.3]]),
], ids=lambda v: type(v).__name__ if isinstance(v, L.Loss) else "")
def test_crossentropy_by_shape_is_the_loss_its_labels_suit(loss, y_true, y_pred):
    # Each cross-entropy's own labels are read by Keras's shape rule as its label kind,
    # and "crossentropy" then gives that loss's value.
    if loss.label_kind is None:
        # without a label kind, the shape decides alone
        assert accuracy_metrics._kind_by_shape(y_true, y_pred) == "binary"
        return
    assert accuracy_metrics._kind_by_shape(y_true, y_pred) == loss.label_kind
    assert M.get("ce")(y_true, y_pred) == pytest.approx(loss(y_true, y_pred))


# -- names, get, configs --------------------------------------------------------------------

ALL_CLASSES = [cls for cls in vars(M).values()
               if isinstance(cls, type) and issubclass(cls, M.Metric)
               and not cls.__name__.startswith("_") and cls not in (M.Metric, M.MeanMetricWrapper)]
REQUIRED = {"SensitivityAtSpecificity": {"specificity": 0.5},
            "SpecificityAtSensitivity": {"sensitivity": 0.5}, "PrecisionAtRecall": {"recall": 0.5},
            "RecallAtPrecision": {"precision": 0.5}}


def test_every_class_is_registered_under_its_keras_names():
    assert len(ALL_CLASSES) == 37
    for cls in ALL_CLASSES:
        assert M.ALL_METRICS[cls.__name__] is cls
        assert M.ALL_METRICS[base._snake_case(cls.__name__)] is cls
    assert base._snake_case("KLDivergence") == "kl_divergence"
    assert base._snake_case("AUC") == "auc" and base._snake_case("F1Score") == "f1_score"


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_config_round_trips_through_json(cls):
    metric = cls(**REQUIRED.get(cls.__name__, {}))
    config = json.loads(json.dumps(metric.get_config()))
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == metric.get_config()
    assert clone.name == metric.name and clone.dtype == "float32"
    rebuilt = M.get({"class_name": cls.__name__, "config": config})
    assert type(rebuilt) is cls and rebuilt.get_config() == config


def test_configs_keep_non_default_arguments():
    auc = M.AUC(thresholds=[0.3, 0.1], curve="pr", summation_method="Majoring",
                multi_label=True, num_labels=2, label_weights=[1, 2], from_logits=True)
    config = auc.get_config()
    assert config["thresholds"] == [0.1, 0.3] and config["num_thresholds"] == 4
    assert (config["curve"], config["summation_method"]) == ("PR", "majoring")
    assert M.AUC.from_config(config).get_config() == config
    precision = M.Precision(thresholds=[0.2, 0.6], top_k=2, class_id=1, name="p")
    assert M.Precision.from_config(precision.get_config()).get_config() == {
        "name": "p", "dtype": "float32", "thresholds": [0.2, 0.6], "top_k": 2, "class_id": 1}
    wrapper = M.MeanMetricWrapper(M.binary_accuracy, name="ba", threshold=0.8)
    assert wrapper.get_config() == {"name": "ba", "dtype": "float32", "threshold": 0.8,
                                    "fn": "binary_accuracy"}
    clone = M.MeanMetricWrapper.from_config(wrapper.get_config())
    assert clone([[1], [0]], [[0.7], [0.1]]) == 0.5  # the threshold 0.8 came back


def test_default_names_follow_keras():
    assert [m.name for m in (M.BinaryAccuracy(), M.CategoricalAccuracy(), M.MeanSquaredError(),
                             M.LogCoshError(), M.KLDivergence(), M.F1Score(), M.FBetaScore(),
                             M.Mean(), M.R2Score())] == [
        "binary_accuracy", "categorical_accuracy", "mean_squared_error", "logcosh",
        "kl_divergence", "f1_score", "fbeta_score", "mean", "r2_score"]
    # Without a default name, Keras numbers each new instance: auc, auc_1, ...
    first, second = M.AUC(), M.AUC()
    assert re.fullmatch(r"auc(_\d+)?", first.name) and second.name != first.name
    assert re.fullmatch(r"true_positives(_\d+)?", M.TruePositives().name)


@pytest.mark.parametrize("identifier, cls", [
    ("mse", M.MeanSquaredError), ("MSE", M.MeanSquaredError),
    ("mean_squared_error", M.MeanSquaredError), ("MeanAbsoluteError", M.MeanAbsoluteError),
    ("mae", M.MeanAbsoluteError), ("mape", M.MeanAbsolutePercentageError),
    ("msle", M.MeanSquaredLogarithmicError), ("bce", M.BinaryCrossentropy),
    ("binary_accuracy", M.BinaryAccuracy), ("categorical_accuracy", M.CategoricalAccuracy),
    ("precision", M.Precision), ("recall", M.Recall), ("auc", M.AUC), ("AUC", M.AUC),
    ("f1_score", M.F1Score), ("kl_divergence", M.KLDivergence), ("r2_score", M.R2Score),
    ("log_cosh_error", M.LogCoshError), ("mean", M.Mean), ("sum", M.Sum),
], ids=lambda v: v if isinstance(v, str) else None)
def test_get_resolves_names_and_keeps_the_string_as_name(identifier, cls):
    metric = M.get(identifier)
    assert type(metric) is cls and metric.name == identifier


def test_get_never_renames_or_copies_a_metric_object():
    metric = M.Recall(name="my_recall")
    assert M.get(metric) is metric and metric.name == "my_recall"


def test_get_takes_classes_and_functions():
    assert type(M.get(M.Precision)) is M.Precision
    by_function = M.get(M.mean_absolute_error)
    assert type(by_function) is M.MeanMetricWrapper and by_function.name == "mean_absolute_error"
    assert by_function([[0.0]], [[2.0]]) == 2.0

    def MyScore(y_true, y_pred):  # noqa: N802 - a user's CamelCase function
        return np.abs(np.asarray(y_pred) - y_true).max(axis=-1)

    assert M.get(MyScore).name == "my_score"
    by_loss = M.get(L.MeanSquaredError())
    assert by_loss.name == "mean_squared_error" and by_loss([[0.0]], [[2.0]]) == 4.0


@pytest.mark.parametrize("identifier", ["accuracy", "acc", "Accuracy", "ACC", "crossentropy",
                                        "ce"])
def test_shape_dependent_names_are_kept_as_given(identifier):
    metric = M.get(identifier)
    assert metric.name == identifier and type(metric) is M.MeanMetricWrapper


def test_get_rejects_unknown_names_and_other_objects():
    with pytest.raises(ValueError, match=r"Unknown `metric`: 'f2_score'\. Valid names are: "
                                         r".*\bauc\b.*\bmse\b"):
        M.get("f2_score")
    with pytest.raises(TypeError, match="`metric` must be a string name"):
        M.get(0.5)
    with pytest.raises(ValueError, match=r"Unknown metric function: 'nope'"):
        M.MeanMetricWrapper("nope")


def test_direction_says_which_way_is_better():
    # What Keras's `_direction` says, which EarlyStopping(mode="auto") follows.
    better_up = ["acc", "auc", "f1_score", "r2_score", "recall", "cosine_similarity",
                 "top_k_categorical_accuracy"]
    better_down = ["mse", "mae", "ce", "bce", "log_cosh_error", "hinge", "kl_divergence"]
    assert [M.get(name).direction for name in better_up] == ["up"] * len(better_up)
    assert [M.get(name).direction for name in better_down] == ["down"] * len(better_down)
    assert M.get(L.MeanSquaredError()).direction == "down"
    assert M.PrecisionAtRecall(0.5).direction == "up"
    assert M.Mean().direction is M.TruePositives().direction is None


def test_log_names_number_repeats_and_prefix_weighted_clashes_without_renaming():
    acc, weighted_acc = M.get("acc"), M.get("acc")
    names = M.log_names([acc, M.get("acc"), M.get("mae")], [weighted_acc, M.get("auc"),
                                                            M.get("acc")])
    assert names == ["acc", "acc_1", "mae", "weighted_acc", "auc", "weighted_acc_1"]
    assert acc.name == weighted_acc.name == "acc"  # nothing was renamed


# -- bad input: a clear error naming the metric, never a numpy error or a wrong number -------


@pytest.mark.parametrize("metric, y_true, y_pred, message", [
    (M.CategoricalAccuracy(), [0, 2, 1], np.eye(3),
     r"`categorical_accuracy` needs one-hot `y_true` of the same shape as `y_pred`\. "
     r"Received: y_true\.shape=\(3,\), y_pred\.shape=\(3, 3\)\. For integer class labels use "
     r"`sparse_categorical_accuracy`"),
    (M.CategoricalAccuracy(), [[0], [2], [1]], np.eye(3), r"`categorical_accuracy` needs one-hot"),
    (M.SparseCategoricalAccuracy(), np.eye(3), np.eye(3),
     r"`sparse_categorical_accuracy` needs integer class labels of shape \(3,\) or \(3, 1\)\. "
     r"Received: y_true\.shape=\(3, 3\), y_pred\.shape=\(3, 3\)\. One-hot labels\?"),
    (M.SparseCategoricalAccuracy(), [0, 3, 1], np.eye(3),
     r"`sparse_categorical_accuracy` needs integer class labels in \[0, 3\)\. "
     r"Received: y_true containing 3"),
    (M.SparseCategoricalAccuracy(), [0, 1.5, 1], np.eye(3), r"containing 1\.5"),
    (M.SparseCategoricalAccuracy(), [[0], [1]], [[0.3], [0.8]],
     r"needs `y_pred` with one column per class, at least 2\. Received: y_pred\.shape=\(2, 1\)"),
    (M.CategoricalAccuracy(), [[1], [1]], [[0.3], [0.8]], r"`binary_accuracy`"),
    (M.AUC(name="auc_bad"), [[0, 1]], [[0.2, 0.4, 0.5]],
     r"`auc_bad` \(AUC\) needs `y_true` and `y_pred` of the same shape\. "
     r"Received: y_true\.shape=\(1, 2\), y_pred\.shape=\(1, 3\)"),
    (M.Precision(name="p_bad"), [0, 1, 1], [[0.2, 0.4, 0.5]], r"`p_bad` \(Precision\) needs"),
    (M.Precision(name="p_bad"), [0, 1, 1], [0.2, 0.4], r"`p_bad` \(Precision\) needs"),
    (M.Precision(name="p2"), [0, 2, 1], [0.2, 0.4, 0.5],
     r"`p2` \(Precision\) needs binary labels in \[0, 1\] in `y_true`\. Received: y_true "
     r"containing 2\. For class indices"),
    (M.AUC(name="a2"), [0, -1], [0.2, 0.4], r"`a2` \(AUC\) needs binary labels.*containing -1"),
    (M.BinaryAccuracy(), [[0], [3]], [[0.2], [0.4]], r"`binary_accuracy` needs binary labels"),
    (M.BinaryCrossentropy(), [[0], [3]], [[0.2], [0.4]], r"`binary_crossentropy` needs binary"),
    (M.F1Score(name="f1"), [[0, 2]], [[0.2, 0.4]], r"`f1` \(F1Score\) needs binary labels"),
    (M.F1Score(name="f1"), [0, 1], [0.2, 0.4], r"`f1` \(F1Score\) needs `y_true` and `y_pred` "
                                               r"of one shape \(batch_size, classes\)"),
    (M.MeanSquaredError(), [[1.0, 2.0]], [[1.0, 2.0, 3.0]], r"`mean_squared_error` needs "
                                                            r"`y_true` and `y_pred` of the same"),
    (M.MeanSquaredError(), [1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]], r"`mean_squared_error` needs"),
    (M.SparseCategoricalCrossentropy(), [0, 5], np.eye(2),
     r"`sparse_categorical_crossentropy` needs integer class labels in \[0, 2\)"),
    (M.Precision(class_id=3, name="pc"), np.eye(3), np.eye(3),
     r"`class_id`=3 needs `y_pred` of shape \(batch, classes\) with more than 3 classes"),
    (M.R2Score(name="r2"), np.ones((2, 2, 2)), np.ones((2, 2, 2)), r"`r2` \(R2Score\) needs"),
], ids=lambda v: "" if not isinstance(v, M.Metric) else v.name)
def test_bad_labels_and_shapes_raise_naming_the_metric(metric, y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        metric.update_state(y_true, y_pred)


def test_accuracy_by_shape_errors_name_the_metric_it_chose():
    with pytest.raises(ValueError, match=r"`sparse_categorical_accuracy` needs integer class "
                                         r"labels in \[0, 3\)\. Received: y_true containing 7"):
        M.get("accuracy").update_state([7, 0], np.eye(3)[:2])


@pytest.mark.parametrize("metric, weights", [
    (M.Precision(name="pw"), [1.0, 2.0]),
    (M.BinaryAccuracy(), [[1.0, 2.0, 3.0, 4.0]]),
    (M.R2Score(name="r2w"), [1.0, 2.0]),
])
def test_sample_weight_of_the_wrong_shape_is_refused(metric, weights):
    with pytest.raises(ValueError, match=r"`sample_weight`.*must have.*Received: "
                                         r"sample_weight\.shape="):
        metric.update_state([[0.0], [1.0], [1.0]], [[0.2], [0.6], [0.9]], sample_weight=weights)


@pytest.mark.parametrize("build, message", [
    (lambda: M.Precision(thresholds=1.5), r"`thresholds` must be a number in \[0, 1\]\. "
                                          r"Received: thresholds=1\.5"),
    (lambda: M.Recall(thresholds=[0.5, -0.1]), r"Received: thresholds=-0\.1"),
    (lambda: M.Precision(thresholds=[]), r"`thresholds` must not be empty"),
    (lambda: M.TruePositives(thresholds="0.5"), r"`thresholds` must be a number"),
    (lambda: M.Precision(top_k=0), r"`top_k` must be a positive integer\. Received: top_k=0"),
    (lambda: M.Recall(class_id=-1), r"`class_id` must be a non-negative integer"),
    (lambda: M.AUC(num_thresholds=1), r"`num_thresholds` must be an integer >= 2"),
    (lambda: M.AUC(curve="ROCK"), r"`curve` must be one of \['ROC', 'PR'\]\. Received: "
                                  r"curve='ROCK'"),
    (lambda: M.AUC(summation_method="simpson"), r"`summation_method` must be one of"),
    (lambda: M.AUC(num_labels=3), r"`num_labels` is needed only when `multi_label` is True"),
    (lambda: M.PrecisionAtRecall(1.2), r"`recall` must be a number in \[0, 1\]"),
    (lambda: M.SensitivityAtSpecificity(0.5, num_thresholds=0), r"`num_thresholds` must be"),
    (lambda: M.F1Score(average="samples"), r"`average` must be one of \[None, 'micro', "
                                           r"'macro', 'weighted'\]"),
    (lambda: M.FBetaScore(beta=0), r"`beta` must be a positive number\. Received: beta=0"),
    (lambda: M.F1Score(threshold=0.0), r"`threshold` must be a number in \(0, 1\]"),
    (lambda: M.R2Score(class_aggregation="median"), r"`class_aggregation` must be one of"),
    (lambda: M.R2Score(num_regressors=-1), r"`num_regressors` must be a non-negative integer"),
    (lambda: M.TopKCategoricalAccuracy(k=0), r"`k` must be a positive integer"),
    (lambda: M.BinaryCrossentropy(label_smoothing=2), r"`label_smoothing` must be a number in"),
])
def test_arguments_are_checked_at_construction(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_multi_label_auc_keeps_its_number_of_labels():
    auc = M.AUC(multi_label=True, name="ml")
    auc.update_state([[0, 1], [1, 0]], [[0.2, 0.9], [0.7, 0.1]])
    with pytest.raises(ValueError, match=r"`ml` \(AUC, multi_label\) counts 2 labels"):
        auc.update_state([[0, 1, 1]], [[0.2, 0.9, 0.4]])
    with pytest.raises(ValueError, match=r"`multi_label=True` needs `y_pred` of shape "
                                         r"\(batch, labels\)"):
        M.AUC(multi_label=True, name="ml3").update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
