"""Probabilistic metrics: cross-entropies, Kullback-Leibler divergence and Poisson deviance.

Each is the mean of a per-sample function; the cross-entropies take their values
from :mod:`minikeras.losses`, so metric and loss cannot disagree.
"""
import numpy as np

from .. import losses
from .accuracy_metrics import _kind_by_shape
from ..utils.validation import check_number
from .base import EPSILON, MeanMetricWrapper, _check_binary_labels, _class_indices, _pair, _same_rank


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per sample: the binary cross-entropy of :class:`minikeras.losses.BinaryCrossentropy`."""
    y_true, y_pred = _pair(y_true, y_pred, "`binary_crossentropy`")
    _check_binary_labels(y_true, "`binary_crossentropy`")
    loss = losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=label_smoothing,
                                     axis=axis)
    return loss.call(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per sample: the cross-entropy of :class:`minikeras.losses.CategoricalCrossentropy`."""
    y_true, y_pred = _pair(y_true, y_pred, "`categorical_crossentropy`")
    loss = losses.CategoricalCrossentropy(from_logits=from_logits,
                                          label_smoothing=label_smoothing, axis=axis)
    return loss.call(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Per sample: the cross-entropy of integer labels, as in
    :class:`minikeras.losses.SparseCategoricalCrossentropy`; 0 where the label is ``ignore_class``.
    """
    y_pred = np.moveaxis(np.asarray(y_pred, dtype=np.float64), axis, -1)
    labels = _class_indices(y_true, y_pred, "`sparse_categorical_crossentropy`", ignore_class)
    ignored = None if ignore_class is None else labels == ignore_class
    if ignored is not None:
        labels = np.where(ignored, 0, labels)
    flat_pred = y_pred.reshape(-1, y_pred.shape[-1])
    values = losses.SparseCategoricalCrossentropy(from_logits=from_logits).call(
        labels.reshape(-1), flat_pred).reshape(labels.shape)
    return values if ignored is None else np.where(ignored, 0.0, values)


def _crossentropy_by_shape(y_true, y_pred):
    """``"crossentropy"`` as Keras 3 reads that loss name: binary, sparse or categorical
    cross-entropy by the shapes (:func:`_kind_by_shape`)."""
    kind = _kind_by_shape(y_true, y_pred)
    fn = {"binary": binary_crossentropy, "sparse": sparse_categorical_crossentropy,
          "categorical": categorical_crossentropy}[kind]
    return fn(y_true, y_pred)


def kl_divergence(y_true, y_pred):
    """Per sample: ``sum(y_true log(y_true / y_pred))``, both clipped to ``[1e-7, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred, "`kl_divergence`")
    y_true, y_pred = np.clip(y_true, EPSILON, 1), np.clip(y_pred, EPSILON, 1)
    return np.sum(y_true * np.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Per sample: ``mean(y_pred - y_true log(y_pred + 1e-7))`` (for non-negative rates)."""
    y_true, y_pred = _pair(y_true, y_pred, "`poisson`")
    return np.mean(y_pred - y_true * np.log(y_pred + EPSILON), axis=-1)


class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary cross-entropy, the value :class:`minikeras.losses.BinaryCrossentropy` gives.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        label_smoothing: in ``[0, 1]``; labels become ``y (1 - s) + s / 2``. Default 0.

    Example:
        >>> round(BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
        0.8149
    """

    direction = "down"

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=check_number(label_smoothing, "label_smoothing", 0, 1))


class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical cross-entropy of one-hot (or soft) labels.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        label_smoothing: in ``[0, 1]``; labels become ``y (1 - s) + s / K``. Default 0.
        axis: the class axis. Default -1.

    Example:
        >>> round(CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]],
        ...                                 [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """

    direction = "down"

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits,
                         label_smoothing=check_number(label_smoothing, "label_smoothing", 0, 1),
                         axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical cross-entropy of integer labels.

    Args:
        from_logits: whether ``y_pred`` holds logits. Default False.
        ignore_class: a label value to leave out of the mean (e.g. padding). Default None.
        axis: the class axis. Default -1.

    Example:
        >>> round(SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """

    direction = "down"

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        ignore_class = self.fn_kwargs["ignore_class"]
        if ignore_class is not None:
            # Ignored labels weigh 0, so they leave the count as well as the total.
            labels = np.asarray(y_true)
            if labels.ndim == np.ndim(y_pred) and labels.shape[-1] == 1:
                labels = labels[..., 0]
            kept = (labels != ignore_class).astype(np.float64)
            sample_weight = kept if sample_weight is None else \
                np.multiply(*_same_rank(kept, np.asarray(sample_weight, np.float64)))
        super().update_state(y_true, y_pred, sample_weight)


class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence ``sum(y_true log(y_true / y_pred))`` (clipped to [1e-7, 1]).

    Example:
        >>> round(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]]), 4)
        0.1438
    """

    direction = "down"

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Mean Poisson deviance term ``y_pred - y_true log(y_pred)`` (for counts and rates).

    Example:
        >>> round(Poisson()([[1.0], [0.0]], [[1.0], [2.0]]), 4)  # (1 - 0 + 2) / 2
        1.5
    """

    direction = "down"

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)
