"""Regression metrics: mean errors, cosine similarity and the coefficient of determination.

The errors are means of per-sample functions; where minikeras has the loss
(squared, absolute, log-cosh error), the metric takes its per-sample values from
it, so the math has one home. :class:`R2Score` keeps per-output sums instead.
"""
import warnings

import numpy as np

from .. import losses
from ..utils.validation import check_int, check_option
from .base import EPSILON, Mean, MeanMetricWrapper, Metric, _divide, _pair, _weights_like

# The losses' per-sample values are the metrics' values: one home for the math.
_SQUARED_ERROR, _ABSOLUTE_ERROR, _LOG_COSH = (
    losses.MeanSquaredError(), losses.MeanAbsoluteError(), losses.LogCosh())


def mean_squared_error(y_true, y_pred):
    """Per sample: ``mean((y_pred - y_true)**2)`` over the last axis."""
    return _SQUARED_ERROR.call(*_pair(y_true, y_pred, "`mean_squared_error`"))


def mean_absolute_error(y_true, y_pred):
    """Per sample: ``mean(|y_pred - y_true|)`` over the last axis."""
    return _ABSOLUTE_ERROR.call(*_pair(y_true, y_pred, "`mean_absolute_error`"))


def mean_absolute_percentage_error(y_true, y_pred):
    """Per sample: ``100 mean(|y_true - y_pred| / max(|y_true|, 1e-7))`` over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "`mean_absolute_percentage_error`")
    return 100.0 * np.mean(np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), EPSILON), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Per sample: ``mean((log(1 + max(y_pred, eps)) - log(1 + max(y_true, eps)))**2)``."""
    y_true, y_pred = _pair(y_true, y_pred, "`mean_squared_logarithmic_error`")
    diff = np.log1p(np.maximum(y_pred, EPSILON)) - np.log1p(np.maximum(y_true, EPSILON))
    return np.mean(diff * diff, axis=-1)


def log_cosh(y_true, y_pred):
    """Per sample: ``mean(log(cosh(y_pred - y_true)))``, computed without overflow."""
    return _LOG_COSH.call(*_pair(y_true, y_pred, "`log_cosh`"))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per sample: ``sum(y_true * y_pred) / (|y_true| |y_pred|)`` along ``axis``.

    Each norm is taken as at least 1e-7, so an all-zero row gives 0, not NaN.
    """
    y_true, y_pred = _pair(y_true, y_pred, "`cosine_similarity`")
    unit_true = y_true / np.maximum(np.linalg.norm(y_true, axis=axis, keepdims=True), EPSILON)
    unit_pred = y_pred / np.maximum(np.linalg.norm(y_pred, axis=axis, keepdims=True), EPSILON)
    return np.sum(unit_true * unit_pred, axis=axis)


class MeanSquaredError(MeanMetricWrapper):
    """Mean of ``(y_pred - y_true)**2`` over outputs and samples.

    Example:
        >>> MeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.25
    """

    direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """Square root of the (weighted) mean of ``(y_pred - y_true)**2`` over every entry seen.

    Example:
        >>> RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])  # sqrt(1 / 4)
        0.5
    """

    direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _pair(y_true, y_pred, self._label())
        super().update_state(np.square(y_pred - y_true), sample_weight)

    def result(self):
        return float(np.sqrt(super().result()))


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of ``|y_pred - y_true|`` over outputs and samples.

    Example:
        >>> MeanAbsoluteError()([[0, 1], [0, 0]], [[2, 1], [0, -1]])
        0.75
    """

    direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean of ``100 |y_true - y_pred| / max(|y_true|, 1e-7)``, in percent.

    Example:
        >>> MeanAbsolutePercentageError()([[2.0], [4.0]], [[1.0], [5.0]])  # (50 + 25) / 2
        37.5
    """

    direction = "down"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean of ``(log(1 + y_pred) - log(1 + y_true))**2`` (negative values count as 1e-7).

    Example:
        >>> round(MeanSquaredLogarithmicError()([[0.0], [np.e - 1]], [[0.0], [0.0]]), 6)
        0.5
    """

    direction = "down"

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """Mean of ``log(cosh(y_pred - y_true))``: squared error for small errors, absolute for large.

    Example:
        >>> round(LogCoshError()([[0.0, 1.0]], [[1.0, 1.0]]), 6)  # log(cosh(1)) / 2
        0.21689
    """

    direction = "down"

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine of the angle between ``y_true`` and ``y_pred`` along ``axis``.

    Args:
        axis: the axis holding the vectors. Default -1.

    Example:
        >>> round(CosineSimilarity()([[0, 1], [1, 1]], [[1, 0], [1, 1]]), 6)  # (0 + 1) / 2
        0.5
    """

    direction = "up"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class R2Score(Metric):
    """Coefficient of determination ``R² = 1 - SS_res / SS_tot`` per output, then aggregated.

    Per column, over every (weighted) sample seen: ``SS_res = sum w (y - ŷ)²``
    and ``SS_tot = sum w y² - (sum w y)² / sum w`` (the weighted variance of
    ``y`` times ``sum w``), kept as running sums. A column with ``SS_tot = 0``
    scores 0. With ``num_regressors = p`` the adjusted score is
    ``1 - (1 - R²)(n - 1) / (n - p - 1)``, where ``n`` counts every entry of ``y``
    (as Keras does).

    Args:
        class_aggregation: ``"uniform_average"`` (mean over outputs),
            ``"variance_weighted_average"`` (weighted by ``SS_tot``) or None (one
            score per output).
        num_regressors: the number of independent variables, for the adjusted R².
            Default 0 (not adjusted).
        name: default ``"r2_score"``.

    Example:
        >>> R2Score()([[1.0], [2.0], [3.0]], [[1.0], [2.0], [2.0]])  # 1 - 1 / 2
        0.5
    """

    direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        self.class_aggregation = check_option(
            class_aggregation, "class_aggregation",
            (None, "uniform_average", "variance_weighted_average"))
        self.num_regressors = check_int(num_regressors, "num_regressors", 0)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self.sum = self.squared_sum = self.residual = self.count = 0.0
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _pair(y_true, y_pred, self._label())
        if y_true.ndim == 1:
            y_true, y_pred = y_true[:, None], y_pred[:, None]
        if y_true.ndim != 2:
            raise ValueError(f"{self._label()} needs `y_true` and `y_pred` of shape "
                             f"(batch_size, outputs). Received: y_pred.shape={y_pred.shape}")
        w = np.ones(y_true.shape) if sample_weight is None else \
            _weights_like(sample_weight, y_true.shape, self._label())
        self.sum = self.sum + np.sum(w * y_true, axis=0)
        self.squared_sum = self.squared_sum + np.sum(w * y_true * y_true, axis=0)
        self.residual = self.residual + np.sum(w * (y_true - y_pred) ** 2, axis=0)
        self.count = self.count + np.sum(w, axis=0)
        self.num_samples += y_true.size

    def result(self):
        if not self.num_samples:
            return 0.0
        total = self.squared_sum - self.sum * _divide(self.sum, self.count)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1.0 - self.residual / total
        scores = np.where(np.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = np.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * scores) / np.sum(total)
        else:
            return scores
        n, p = self.num_samples, self.num_regressors
        if p and p >= n - 1:
            warnings.warn("Adjusted R2 score needs more data points than `num_regressors` + 1. "
                          "Falling back to the standard R2 score.", stacklevel=2)
        elif p:
            score = 1.0 - (1.0 - score) * (n - 1) / (n - p - 1)
        return float(score)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
