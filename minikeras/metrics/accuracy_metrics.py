"""Accuracies: how often the predicted label is the true one, averaged over samples.

Each metric is a :class:`~minikeras.metrics.base.MeanMetricWrapper` of a
per-sample function of the same name. ``"accuracy"`` in ``compile`` chooses
among them by shapes, as Keras 3 does (:func:`_kind_by_shape`).
"""
import numpy as np

from ..utils.validation import check_int
from .base import MeanMetricWrapper, _check_binary_labels, _check_classes, _class_indices, _pair


def accuracy(y_true, y_pred):
    """Per entry: 1.0 where ``y_pred == y_true`` exactly, else 0.0 (for predicted labels)."""
    y_true, y_pred = _pair(y_true, y_pred, "`accuracy`")
    return (y_true == y_pred).astype(np.float64)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per entry: 1.0 where ``(y_pred > threshold)`` equals the 0/1 label, else 0.0."""
    y_true, y_pred = _pair(y_true, y_pred, "`binary_accuracy`", dtype=None)
    _check_binary_labels(y_true, "`binary_accuracy`")
    return (y_true == (y_pred > threshold)).astype(np.float64)


def categorical_accuracy(y_true, y_pred):
    """Per sample: 1.0 where ``argmax(y_pred) == argmax(y_true)`` (one-hot labels), else 0.0."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _check_classes(y_pred, "`categorical_accuracy`")
    if y_true.shape != y_pred.shape:
        raise ValueError("`categorical_accuracy` needs one-hot `y_true` of the same shape as "
                         f"`y_pred`. Received: y_true.shape={y_true.shape}, y_pred.shape="
                         f"{y_pred.shape}. For integer class labels use "
                         "`sparse_categorical_accuracy`.")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: 1.0 where ``argmax(y_pred)`` equals the integer label, else 0.0."""
    y_pred = np.asarray(y_pred)
    _check_classes(y_pred, "`sparse_categorical_accuracy`")
    labels = _class_indices(y_true, y_pred, "`sparse_categorical_accuracy`")
    return (np.argmax(y_pred, axis=-1) == labels).astype(np.float64)


def _in_top_k(labels, y_pred, k):
    """True where the label's score is at least the k-th largest score of its row (ties count)."""
    classes = y_pred.shape[-1]
    if k >= classes:
        return np.ones(labels.shape, dtype=bool)
    kth_largest = np.partition(y_pred, classes - k, axis=-1)[..., classes - k]
    return np.take_along_axis(y_pred, labels[..., None], axis=-1)[..., 0] >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Per sample: 1.0 where the one-hot label's class is among the ``k`` top scores."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _check_classes(y_pred, "`top_k_categorical_accuracy`")
    if y_true.shape != y_pred.shape:
        raise ValueError("`top_k_categorical_accuracy` needs one-hot `y_true` of the same shape "
                         f"as `y_pred`. Received: y_true.shape={y_true.shape}, "
                         f"y_pred.shape={y_pred.shape}. For integer class labels use "
                         "`sparse_top_k_categorical_accuracy`.")
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k).astype(np.float64)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """Per sample: 1.0 where the integer label is among the ``k`` top scores.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score
    (best first) instead of scores, and the label is looked for in its first ``k``.
    """
    y_pred = np.asarray(y_pred)
    if from_sorted_ids:
        labels = np.asarray(y_true)
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]
        return np.any(y_pred[..., :k] == labels[..., None], axis=-1).astype(np.float64)
    _check_classes(y_pred, "`sparse_top_k_categorical_accuracy`")
    labels = _class_indices(y_true, y_pred, "`sparse_top_k_categorical_accuracy`")
    return _in_top_k(labels, y_pred, k).astype(np.float64)


def _kind_by_shape(y_true, y_pred):
    """Keras 3's reading of labels from shapes: ``"binary"``, ``"sparse"`` or ``"categorical"``.

    One output column (or a 1-D ``y_pred``) is binary; labels with fewer axes than
    ``y_pred``, or with one column against several, are class indices; labels
    shaped like ``y_pred`` are one-hot.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_pred.ndim < 2 or y_pred.shape[-1] == 1:
        return "binary"
    if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
        return "sparse"
    return "categorical"


def _accuracy_by_shape(y_true, y_pred):
    """What ``"accuracy"`` means in Keras 3: binary, sparse or categorical accuracy by shapes."""
    kind = _kind_by_shape(y_true, y_pred)
    fn = {"binary": binary_accuracy, "sparse": sparse_categorical_accuracy,
          "categorical": categorical_accuracy}[kind]
    return fn(y_true, y_pred)


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly (for predicted labels, not scores).

    Example:
        >>> Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        0.75
    """

    direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``(y_pred > threshold)`` matches the 0/1 label, averaged over outputs and samples.

    Args:
        name: default ``"binary_accuracy"``.
        dtype: see :class:`Metric`.
        threshold: probabilities above it count as class 1. Default 0.5.

    Example:
        >>> BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        0.75
    """

    direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class, ``argmax(y_pred)``, is the one-hot label's class.

    Example:
        >>> CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class, ``argmax(y_pred)``, equals the integer label.

    Example:
        >>> SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        0.5
    """

    direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest scores (ties count).

    Args:
        k: how many top scores to look at. Default 5.

    Example:
        >>> TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=check_int(k, "k", 1))


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest scores (ties count).

    Args:
        k: how many top scores to look at. Default 5.
        from_sorted_ids: ``y_pred`` holds class ids sorted best first, not scores.
            Default False.

    Example:
        >>> SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=check_int(k, "k", 1), from_sorted_ids=from_sorted_ids)

    def get_config(self):
        config = super().get_config()
        if not config["from_sorted_ids"]:  # Keras writes it only when set
            del config["from_sorted_ids"]
        return config
