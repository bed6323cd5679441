"""Hinge metrics: the margin losses of support-vector machines, averaged over samples."""
import numpy as np

from .base import MeanMetricWrapper, _pair


def _hinge_labels(y_true):
    """Keras's hinge labels: 0/1 become -1/1 when every label is 0 or 1; else used as given."""
    return 2.0 * y_true - 1.0 if np.all((y_true == 0) | (y_true == 1)) else y_true


def hinge(y_true, y_pred):
    """Per sample: ``mean(max(1 - y_true y_pred, 0))`` with labels -1/1 (0/1 converted)."""
    y_true, y_pred = _pair(y_true, y_pred, "`hinge`")
    return np.mean(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Per sample: ``mean(max(1 - y_true y_pred, 0)**2)`` with labels -1/1 (0/1 converted)."""
    y_true, y_pred = _pair(y_true, y_pred, "`squared_hinge`")
    return np.mean(np.square(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Per sample, for one-hot labels: the best wrong score's margin over the true class's,
    ``max(max((1 - y_true) y_pred) - sum(y_true y_pred) + 1, 0)``."""
    y_true, y_pred = _pair(y_true, y_pred, "`categorical_hinge`")
    positive = np.sum(y_true * y_pred, axis=-1)
    negative = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(negative - positive + 1.0, 0.0)


class Hinge(MeanMetricWrapper):
    """Mean hinge loss ``max(1 - y_true y_pred, 0)`` with labels -1/1 (0/1 converted).

    Example:
        >>> Hinge()([[1], [0]], [[0.5], [0.5]])  # (0.5 + 1.5) / 2
        1.0
    """

    direction = "down"

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Mean of ``max(1 - y_true y_pred, 0)**2`` with labels -1/1 (0/1 converted).

    Example:
        >>> SquaredHinge()([[1], [0]], [[0.5], [0.5]])  # (0.25 + 2.25) / 2
        1.25
    """

    direction = "down"

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Mean of ``max(best wrong score - true class score + 1, 0)`` for one-hot labels.

    Example:
        >>> CategoricalHinge()([[0, 1], [1, 0]], [[0.2, 0.7], [0.4, 0.6]])  # (0.5 + 1.2) / 2
        0.85
    """

    direction = "down"

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
