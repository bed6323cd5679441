"""Metrics read from confusion counts at thresholds: TP/FP/TN/FN, precision, recall, AUC.

:func:`confusion_counts` turns one batch into weighted true/false
positive/negative counts at each threshold; the metrics add them up and combine
them in ``result()``. Memory is fixed by the number of thresholds, not by the
number of samples seen.
"""
import warnings

import numpy as np

from ..utils.validation import check_int, check_number, check_option
from .base import EPSILON, Metric, _check_binary_labels, _divide, _same_rank, _weights_like

# The threshold Precision and Recall use when `top_k` alone decides what is
# predicted positive: every kept entry is above it.
NEG_INF = -1e10


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None,
                     class_id=None, multi_label=False, label_weights=None, metric="the metric"):
    """Weighted true/false positives/negatives at each threshold, from one histogram.

    An entry is predicted positive at threshold ``t`` when ``y_pred > t`` and is
    truly positive when ``y_true != 0``. Each entry's index ``c`` = (number of
    thresholds below ``y_pred``) says it is predicted positive at exactly the
    ``c`` lowest thresholds; so with ``h[c]`` the summed weight of positive entries
    with index ``c``, ``TP(t_i) = sum_{c > i} h[c]`` is a reverse cumulative sum,
    and ``FN = P - TP`` with ``P = sum_c h[c]`` the total positive weight (the
    same for FP and TN with the negative entries).
    That costs ``O(N log T + T)`` time and ``O(T)`` memory for ``N`` entries and
    ``T`` thresholds, whatever their spacing.

    Args:
        y_true: 0/1 labels, the shape of ``y_pred`` (Keras's rank fix applies).
        y_pred: scores; every entry counts, flattened unless ``multi_label``.
        thresholds: 1-D sequence, any order.
        sample_weight: broadcastable to ``y_pred`` (``(n,)`` weighs whole samples).
        top_k: only the ``k`` largest entries of each row may be positive.
        class_id: count only this column (after ``top_k``).
        multi_label: count each column of a 2-D ``y_pred`` separately.
        label_weights: per-column weights, multiplied into the weights.
        metric: the name errors use.

    Returns:
        ``(tp, fp, tn, fn)``, each of shape ``(T,)``, or ``(T, columns)`` with ``multi_label``.
    """
    t, p = np.asarray(y_true), np.asarray(y_pred)
    y_true, y_pred = _same_rank(t, p.astype(np.float64, copy=False))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{metric} needs `y_true` and `y_pred` of the same shape. "
                         f"Received: y_true.shape={t.shape}, y_pred.shape={p.shape}")
    _check_binary_labels(y_true, metric)
    weights = None if sample_weight is None else _weights_like(sample_weight, y_pred.shape, metric)
    if top_k is not None and top_k < y_pred.shape[-1]:
        # All but the k largest scores of each row drop below every threshold.
        top = np.argpartition(y_pred, -top_k, axis=-1)[..., -top_k:]
        kept = np.full(y_pred.shape, -np.inf)
        np.put_along_axis(kept, top, np.take_along_axis(y_pred, top, axis=-1), axis=-1)
        y_pred = kept
    if class_id is not None:
        if y_pred.ndim < 2 or not 0 <= class_id < y_pred.shape[-1]:
            raise ValueError(f"`class_id`={class_id} needs `y_pred` of shape (batch, classes) "
                             f"with more than {class_id} classes. Received: "
                             f"y_pred.shape={y_pred.shape}")
        y_true, y_pred = y_true[..., class_id:class_id + 1], y_pred[..., class_id:class_id + 1]
        weights = None if weights is None else weights[..., class_id:class_id + 1]
    if label_weights is not None:
        label_weights = np.broadcast_to(label_weights, y_pred.shape)
        weights = label_weights if weights is None else label_weights * weights
    if multi_label and y_pred.ndim != 2:
        raise ValueError(f"{metric} with `multi_label=True` needs `y_pred` of shape "
                         f"(batch, labels). Received: y_pred.shape={y_pred.shape}")
    columns = y_pred.shape[-1] if multi_label else 1
    positive = (y_true != 0).reshape(-1, columns)

    # One weighted histogram h[c, j, l] over (c = number of thresholds below the
    # score, column j, label l); reverse cumulative sums give every count.
    thresholds = np.asarray(thresholds, dtype=np.float64)
    order = np.argsort(thresholds, kind="stable")
    below = np.searchsorted(thresholds[order], y_pred.reshape(-1, columns), side="left")
    cells = (below * columns + np.arange(columns)) * 2 + positive
    histogram = np.bincount(cells.ravel(), None if weights is None else weights.ravel(),
                            minlength=(len(thresholds) + 1) * columns * 2)
    at_or_above = np.cumsum(histogram.reshape(-1, columns, 2)[::-1], axis=0)[::-1]
    predicted_positive = np.empty_like(at_or_above[1:])
    predicted_positive[order] = at_or_above[1:]          # c > i, in the thresholds' own order
    fp, tp = predicted_positive[..., 0], predicted_positive[..., 1]
    tn, fn = at_or_above[0, :, 0] - fp, at_or_above[0, :, 1] - tp  # totals minus the positives
    if not multi_label:
        tp, fp, tn, fn = tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]
    return tp, fp, tn, fn


class _ConfusionMetric(Metric):
    """Base of the metrics read from confusion counts at a list of thresholds.

    A subclass sets ``self._thresholds`` (and ``top_k``, ``class_id``) before
    calling ``super().__init__`` and combines the counts in ``result``.

    Attributes:
        true_positives, false_positives, true_negatives, false_negatives: the
            weighted counts at each threshold, arrays of shape ``(T,)``.
    """

    top_k = class_id = None

    def reset_state(self):
        shape = (len(self._thresholds),)
        self.true_positives, self.false_positives = np.zeros(shape), np.zeros(shape)
        self.true_negatives, self.false_negatives = np.zeros(shape), np.zeros(shape)

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fp, tn, fn = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                          top_k=self.top_k, class_id=self.class_id,
                                          metric=self._label())
        self.true_positives = self.true_positives + tp
        self.false_positives = self.false_positives + fp
        self.true_negatives = self.true_negatives + tn
        self.false_negatives = self.false_negatives + fn

    def _per_threshold(self, values):
        """One float for one threshold, else the array (as Keras returns them)."""
        return float(values[0]) if len(values) == 1 else values

    def _recall(self):
        return _divide(self.true_positives, self.true_positives + self.false_negatives)

    def _precision(self):
        return _divide(self.true_positives, self.true_positives + self.false_positives)

    def _specificity(self):
        return _divide(self.true_negatives, self.true_negatives + self.false_positives)


def _parse_thresholds(thresholds, default):
    """A list of floats in [0, 1] from None (the default), a number or a sequence."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    if not values:
        raise ValueError("`thresholds` must not be empty. Received: thresholds=[]")
    for value in values:
        check_number(value, "thresholds", 0, 1)
    return [float(v) for v in values]


class _ConfusionCount(_ConfusionMetric):
    """One confusion count (named by ``_counted``) at each threshold."""

    _counted = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self._thresholds = np.array(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return self._per_threshold(getattr(self, self._counted))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred > threshold`` and label 1.

    Args:
        thresholds: a number in [0, 1] or a list of them; a list gives one count
            per threshold. Default 0.5.
        name: default ``"true_positives"`` (made unique).

    Example:
        >>> TruePositives(name="tp")([0, 1, 1, 1], [1, 0, 1, 1])
        2.0
    """

    _counted = "true_positives"


class FalsePositives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred > threshold`` and label 0.

    Args: as :class:`TruePositives`.

    Example:
        >>> FalsePositives(name="fp", thresholds=[0.0, 0.5])([0, 0, 1, 1], [0.2, 0.7, 0.4, 0.9])
        array([2., 1.])
    """

    _counted = "false_positives"


class TrueNegatives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred <= threshold`` and label 0.

    Args: as :class:`TruePositives`.

    Example:
        >>> TrueNegatives(name="tn")([0, 1, 0, 0], [0, 0, 1, 0])
        2.0
    """

    _counted = "true_negatives"


class FalseNegatives(_ConfusionCount):
    """Weighted count of outputs with ``y_pred <= threshold`` and label 1.

    Args: as :class:`TruePositives`.

    Example:
        >>> FalseNegatives(name="fn")([0, 1, 1, 1], [0, 1, 0, 0])
        2.0
    """

    _counted = "false_negatives"


class _PrecisionOrRecall(_ConfusionMetric):
    direction = "up"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else check_int(top_k, "top_k", 1)
        self.class_id = None if class_id is None else check_int(class_id, "class_id", 0)
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._thresholds = np.array(self.thresholds)
        super().__init__(name=name, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionOrRecall):
    """Of the outputs predicted positive, the share truly positive: ``TP / (TP + FP)`` (0 if none).

    Args:
        thresholds: a number in [0, 1] or a list of them (one result each);
            ``y_pred`` above it is a positive prediction. Default 0.5, or with
            ``top_k`` no threshold at all.
        top_k: only the ``k`` highest scores of each sample may count as positive.
        class_id: look only at this column of ``y_pred`` (one class of several).
        name: default ``"precision"`` (made unique).

    Example:
        >>> round(Precision(name="p")([0, 1, 1, 1], [1, 0, 1, 1]), 4)  # TP 2, FP 1
        0.6667
    """

    def result(self):
        return self._per_threshold(self._precision())


class Recall(_PrecisionOrRecall):
    """Of the truly positive outputs, the share predicted positive: ``TP / (TP + FN)`` (0 if none).

    Args: as :class:`Precision`; default name ``"recall"``.

    Example:
        >>> round(Recall(name="r")([0, 1, 1, 1], [1, 0, 1, 1]), 4)  # TP 2, FN 1
        0.6667
    """

    def result(self):
        return self._per_threshold(self._recall())


class _AtConstraint(_ConfusionMetric):
    """The best value of one rate among the thresholds where another rate reaches ``value``.

    ``num_thresholds`` thresholds spaced evenly over [0, 1] (just 0.5 for one).
    A subclass names its constraint (``_constraint``) and gives ``_curve()``:
    (the constrained rate, the rate to maximise), each an array over thresholds.
    """

    direction = "up"

    _constraint = None

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.value = check_number(value, self._constraint, 0, 1)
        self.num_thresholds = check_int(num_thresholds, "num_thresholds", 1)
        self.class_id = None if class_id is None else check_int(class_id, "class_id", 0)
        self._thresholds = (np.array([0.5]) if num_thresholds == 1
                            else np.arange(num_thresholds) / (num_thresholds - 1))
        super().__init__(name=name, dtype=dtype)

    def result(self):
        constrained, rate = self._curve()
        return float(np.max(np.where(constrained >= self.value, rate, 0.0), initial=0.0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._constraint: self.value}


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) at a threshold whose specificity is at least ``specificity``.

    Specificity is ``TN / (TN + FP)``, sensitivity ``TP / (TP + FN)``.

    Args:
        specificity: in [0, 1].
        num_thresholds: how many thresholds, evenly spaced over [0, 1]. Default 200.
        class_id: look only at this column of ``y_pred``.

    Example:
        >>> SensitivityAtSpecificity(0.5, name="s")([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        0.5
    """

    _constraint = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._specificity(), self._recall()


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity at a threshold whose sensitivity (recall) is at least ``sensitivity``.

    Args: as :class:`SensitivityAtSpecificity`, with ``sensitivity`` in [0, 1].

    Example:
        >>> round(SpecificityAtSensitivity(0.5, name="s")([0, 0, 0, 1, 1],
        ...                                                [0, 0.3, 0.8, 0.3, 0.8]), 4)
        0.6667
    """

    _constraint = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._recall(), self._specificity()


class PrecisionAtRecall(_AtConstraint):
    """The best precision at a threshold whose recall is at least ``recall``.

    Args: as :class:`SensitivityAtSpecificity`, with ``recall`` in [0, 1].

    Example:
        >>> PrecisionAtRecall(0.5, name="p")([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        1.0
    """

    _constraint = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._recall(), self._precision()


class RecallAtPrecision(_AtConstraint):
    """The best recall at a threshold whose precision is at least ``precision``.

    Args: as :class:`SensitivityAtSpecificity`, with ``precision`` in [0, 1].

    Example:
        >>> RecallAtPrecision(0.8, name="r")([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        0.5
    """

    _constraint = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def _curve(self):
        return self._precision(), self._recall()


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from confusion counts at fixed thresholds.

    The curve is known at ``T`` thresholds ``t_0 < ... < t_{T-1}`` (by default
    ``-1e-7, 1/(T-1), ..., (T-2)/(T-1), 1 + 1e-7``, so the end points are
    "everything positive" and "nothing positive"); memory stays ``O(T)`` however
    much data is seen. With ``x`` and ``y`` the curve's coordinates at each
    threshold (ROC: false-positive rate and recall; PR: recall and precision),
    the area is a Riemann sum ``sum_i (x_i - x_{i+1}) h_i`` with the height
    ``h_i`` the mean (``"interpolation"``), smaller (``"minoring"``) or larger
    (``"majoring"``) of ``y_i`` and ``y_{i+1}``. The PR curve with
    ``"interpolation"`` instead interpolates the true positives linearly in the
    number of predicted positives ``P`` (Davis & Goadrich, 2006): between two
    thresholds ``TP = a P + b``, so precision is ``a + b / P`` and the slice's area
    is ``a (dTP + b log(P_i / P_{i+1})) / (TP + FN)``.

    Scores are clipped to [0, 1], as Keras does, with a warning: scores outside
    it usually mean logits passed without ``from_logits=True``.

    Args:
        num_thresholds: how many thresholds, at least 2. Default 200.
        curve: ``"ROC"`` or ``"PR"``. Default ``"ROC"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        name: default ``"auc"`` (made unique).
        dtype: see :class:`Metric`.
        thresholds: the inner thresholds to use instead of evenly spaced ones;
            ``-1e-7`` and ``1 + 1e-7`` are added at the ends.
        multi_label: compute one area per column of a 2-D ``y_pred`` and average
            them, instead of treating every entry as one (label, score) pair.
        num_labels: the number of columns with ``multi_label`` (else taken from
            the first batch).
        label_weights: per-column weights: for the counts, or, with
            ``multi_label``, for the average of the areas.
        from_logits: ``y_pred`` holds logits; a sigmoid turns them into scores.

    Example:
        >>> AUC(name="auc_doc")([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # 3 of 4 pairs ranked right
        0.75
    """

    direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self.curve = check_option(str(curve).upper(), "curve", ("ROC", "PR"))
        self.summation_method = check_option(str(summation_method).lower(), "summation_method",
                                             ("interpolation", "minoring", "majoring"))
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, None))
            self.num_thresholds = len(inner) + 2
        else:
            self.num_thresholds = check_int(num_thresholds, "num_thresholds", 2)
            inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
        self.thresholds = [-EPSILON] + inner + [1.0 + EPSILON]
        self._thresholds = np.array(self.thresholds)
        if num_labels is not None and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True. "
                             f"Received: num_labels={num_labels!r}, multi_label=False")
        self.multi_label = bool(multi_label)
        self.num_labels = check_int(num_labels, "num_labels", 1, allow=[None])
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, dtype=np.float64)
        self.from_logits = from_logits
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        if not self.multi_label:
            super().reset_state()
        elif self.num_labels is None:  # one column per label, known from the first batch
            self.true_positives = self.false_positives = None
            self.true_negatives = self.false_negatives = None
        else:
            shape = (self.num_thresholds, self.num_labels)
            self.true_positives, self.false_positives = np.zeros(shape), np.zeros(shape)
            self.true_negatives, self.false_negatives = np.zeros(shape), np.zeros(shape)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if self.from_logits:
            y_pred = 0.5 * (1.0 + np.tanh(0.5 * y_pred))  # sigmoid, without overflow
        elif y_pred.size and (y_pred.min() < 0 or y_pred.max() > 1):
            warnings.warn(f"`{self.name}` (AUC) received `y_pred` outside [0, 1] and clips it, "
                          "as Keras does. Pass `from_logits=True` if `y_pred` holds logits.",
                          stacklevel=2)
        y_pred = np.clip(y_pred, 0.0, 1.0)
        label_weights = None if self.multi_label else self.label_weights
        counts = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                  multi_label=self.multi_label, label_weights=label_weights,
                                  metric=self._label())
        tp, fp, tn, fn = counts
        if self.true_positives is None:
            self.true_positives, self.false_positives = np.zeros_like(tp), np.zeros_like(fp)
            self.true_negatives, self.false_negatives = np.zeros_like(tn), np.zeros_like(fn)
        if tp.shape != self.true_positives.shape:
            raise ValueError(f"`{self.name}` (AUC, multi_label) counts "
                             f"{self.true_positives.shape[1]} labels. Received: y_pred of "
                             f"shape {y_pred.shape}")
        self.true_positives = self.true_positives + tp
        self.false_positives = self.false_positives + fp
        self.true_negatives = self.true_negatives + tn
        self.false_negatives = self.false_negatives + fn

    def _interpolated_pr_slices(self):
        """Davis & Goadrich's area of each slice of the PR curve (see the class docstring)."""
        tp, fn = self.true_positives, self.false_negatives
        predicted = tp + self.false_positives
        d_tp = tp[:-1] - tp[1:]
        d_predicted = predicted[:-1] - predicted[1:]
        slope = _divide(d_tp, np.maximum(d_predicted, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both_positive = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = np.where(both_positive, _divide(predicted[:-1], np.maximum(predicted[1:], 0)), 1.0)
        return _divide(slope * (d_tp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))

    def result(self):
        if self.true_positives is None:  # multi_label before the first batch
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            slices = self._interpolated_pr_slices()
        else:
            recall = self._recall()
            if self.curve == "ROC":
                fp, tn = self.false_positives, self.true_negatives
                x, y = _divide(fp, fp + tn), recall
            else:
                x, y = recall, self._precision()
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            slices = (x[:-1] - x[1:]) * heights
        by_label = slices.sum(axis=0)
        if not self.multi_label:
            return float(by_label)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(_divide(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(),
                  "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
